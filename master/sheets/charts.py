"""«Biểu đồ»: each chart draws from a small table whose cells point at the province's rows of «Chỉ tiêu toàn
tỉnh», so the chart follows any correction the DPI makes there. Axis titles; shares stop at 100 %; each chart is
placed below its table, never over it."""

from __future__ import annotations

from kehoach.master.sheets import province
from kehoach.master.sheets.base import A4, Writer, page
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.styles import LINE_HEIGHT, text_lines

SHEET = "Biểu đồ"
CHART_ROWS = 20  # rows a chart takes (default row height, y_scale 1.2)


def write_sheet(w: Writer) -> None:
    ws = w.book.add_worksheet(SHEET)
    page(ws, A4)
    ws.fit_to_pages(1, 0)
    ws.write_string(0, 0, "BIỂU ĐỒ CÁC CHỈ TIÊU CHỦ YẾU", w.st.title)
    ws.set_column(0, 0, 40)
    ws.set_column(1, 12, 10)
    labels = {c.key: c.header_vi for c in L.indicator_columns()}
    keys = province.column_keys()
    top = 2
    breaks = []
    for spec in w.catalog.charts:
        if top > 2:
            breaks.append(top)  # one chart with its table per page
        rows = [w.province_rows.get(code) for code in spec.indicators]
        entries = [w.plan.row(code) for code in spec.indicators]
        if any(r is None for r in rows) or any(not e.values for e in entries):
            ws.write_string(top, 0, f"{spec.title_vi}: chưa có số liệu của tỉnh.", w.st.text)
            top += 2
            continue
        ws.write_string(top, 0, spec.title_vi, w.st.bold)
        ws.set_row(top + 1, 45)
        for col, key in enumerate(spec.keys, start=1):
            ws.write_string(top + 1, col, labels[key], w.st.header)
        stacked = spec.kind != "line"
        chart = w.book.add_chart({"type": "column", "subtype": "stacked"} if stacked else {"type": "line"})
        for offset, (entry, row) in enumerate(zip(entries, rows, strict=True), start=2):
            ws.write_string(top + offset, 0, entry.indicator.name_vi, w.st.label)
            ws.set_row(top + offset, LINE_HEIGHT * text_lines(entry.indicator.name_vi, 40))
            for col, key in enumerate(spec.keys, start=1):
                value = entry.values.get(key)
                ws.write_formula(
                    top + offset,
                    col,
                    f"='{province.SHEET}'!{L.a1(row, keys.index(key))}",
                    w.st.computed_number(2),
                    "" if value is None else value,
                )
            chart.add_series(
                {
                    "name": [SHEET, top + offset, 0],
                    "categories": [SHEET, top + 1, 1, top + 1, len(spec.keys)],
                    "values": [SHEET, top + offset, 1, top + offset, len(spec.keys)],
                    **({} if stacked else {"marker": {"type": "circle"}}),
                }
            )
        unit = entries[0].indicator.unit
        chart.set_title({"name": spec.title_vi})
        chart.set_legend({"position": "bottom"})
        chart.set_x_axis({"name": "Năm / kỳ"})
        chart.set_y_axis({"name": unit, **({"min": 0, "max": 100} if stacked and unit == "%" else {})})
        table_end = top + 1 + len(spec.indicators)
        ws.insert_chart(table_end + 2, 0, chart, {"x_scale": 1.6, "y_scale": 1.2, "object_position": 1})
        top = table_end + 2 + CHART_ROWS + 2
    ws.set_h_pagebreaks(breaks)
