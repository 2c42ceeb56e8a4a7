"""«Chỉ tiêu toàn tỉnh», the master's first sheet: one row per catalog indicator with the province's figure
(master.precedence), grouped by task area with the official numbering, computed columns as live formulas like
the templates' (cached results from workbook_templates.derived), and a status column naming the unit the figure
came from and why. Readable back (master.read): a hidden row of column keys and a hidden column A of row keys
(the indicator code; ``area:<code>`` on area rows); A1:A3 hold the time of the merge and the units merged,
rejected and missing."""

from __future__ import annotations

from kehoach.master.plan import ProvinceRow
from kehoach.master.sheets.base import A3, Writer, page, write
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.styles import LINE_HEIGHT, text_lines

SHEET = "Chỉ tiêu toàn tỉnh"
FORM = "Biểu số 01/TH-KH5N"
HEADER_BLOCK_ROWS = 3  # issuing body and form number, title, unit of measure and date
KEY_ROW = 3  # hidden: the column keys
GROUP_ROW, HEADER_ROW, NUMBER_ROW, FIRST_DATA_ROW = 4, 5, 6, 7
AREA_PREFIX = "area:"
META_MADE_AT, META_UNITS, META_OTHERS = 0, 1, 2  # rows of column A holding the merge's facts
# Kept on the sheet, right of the printed part, not printed: the unit's own business (cause, priority, VSDG code,
# note), the comparison with 2011-2015 and the values the verdicts are computed on (the formulas' workings).
UNPRINTED = ("compare_2011_2015", "judged_2020", "cause", "judged_2025", "priority", "vsdg", "note")
LABELS = (
    ("stt", "STT", 4.5),
    ("name", "Chỉ tiêu", 28),
    ("unit", "Đơn vị tính", 9),
    ("target_kind", "Cách tính mục tiêu", 11.5),
)
STATUS_COLUMNS = (("status_vi", "Nguồn số liệu của tỉnh", 16),)
HIDDEN_COLUMNS = (("source_unit", "Mã đơn vị cung cấp số", 9), ("status", "Mã tình trạng", 12))
NUMBER_WIDTH = 8.2


def printed_columns() -> list[L.Column]:
    return [c for c in L.indicator_value_columns() if c.key not in UNPRINTED]


def column_keys() -> list[str]:
    """Every column's key, from column A (the row key, "code")."""
    return [
        "code",
        *(k for k, _h, _w in LABELS),
        *(c.key for c in printed_columns()),
        *(k for k, _h, _w in STATUS_COLUMNS),
        *(c.key for c in L.indicator_value_columns() if c.key in UNPRINTED),
        *(k for k, _h, _w in HIDDEN_COLUMNS),
    ]


def write_sheet(w: Writer) -> None:
    st, book = w.st, w.book
    ws = book.add_worksheet(SHEET)
    page(ws, A3)
    ws.set_margins(left=0.25, right=0.25, top=0.5, bottom=0.6)
    keys = column_keys()
    col = {k: i for i, k in enumerate(keys)}
    columns = {c.key: c for c in L.indicator_columns()}
    last_printed = col[STATUS_COLUMNS[-1][0]]
    # Column A: row keys, hidden.
    ws.set_column(0, 0, 10, None, {"hidden": True})
    plan = w.plan
    ws.write_string(META_MADE_AT, 0, plan.made_at.isoformat(), st.key)
    ws.write_string(META_UNITS, 0, "merged=" + ",".join(plan.merged_units), st.key)
    ws.write_string(
        META_OTHERS, 0, "rejected=" + ",".join(plan.rejected_units) + ";missing=" + ",".join(plan.missing_units), st.key
    )
    widths = {k: width for k, _h, width in (*LABELS, *STATUS_COLUMNS, *HIDDEN_COLUMNS)}
    headers = {k: h for k, h, _w in (*LABELS, *STATUS_COLUMNS, *HIDDEN_COLUMNS)}
    for key in keys[1:]:
        column = columns.get(key)
        if column is not None and key not in widths:
            width = NUMBER_WIDTH if column.type in ("number", "integer") else min(column.width, 12)
            widths[key], headers[key] = width, column.header_vi
        hidden = key in dict((k, 1) for k, _h, _w in HIDDEN_COLUMNS)
        ws.set_column(col[key], col[key], widths[key], None, {"hidden": hidden} if hidden else {})
    # Header block (Nghị định 30: issuing body, form number, title, unit of measure and date).
    bold_center = book.add_format({**st.base, "bold": True, "align": "center"})
    italic_center = book.add_format({**st.base, "italic": True, "align": "center"})
    title = book.add_format({**st.base, "bold": True, "align": "center", "font_size": 14})
    ws.merge_range(0, 1, 0, 3, "SỞ KẾ HOẠCH VÀ ĐẦU TƯ TỈNH TRÀ VINH", bold_center)
    ws.merge_range(0, last_printed - 3, 0, last_printed, FORM, bold_center)
    ws.merge_range(
        1, 1, 1, last_printed, "CHỈ TIÊU KẾ HOẠCH PHÁT TRIỂN KINH TẾ - XÃ HỘI 5 NĂM 2021-2025 TOÀN TỈNH", title
    )
    ws.merge_range(
        2,
        1,
        2,
        last_printed,
        f"(Đơn vị tính: ghi theo từng chỉ tiêu; tổng hợp ngày {plan.made_at:%d/%m/%Y}, "
        f"từ báo cáo của {len(plan.merged_units)} đơn vị)",
        italic_center,
    )
    ws.set_row(1, 22)
    # Key row (hidden), group row, header, column numbers.
    for key, c in col.items():
        ws.write_string(KEY_ROW, c, key, st.key)
    ws.set_row(KEY_ROW, None, None, {"hidden": True})
    _groups(w, ws, keys, col, columns)
    for key in keys[1:]:
        ws.write_string(HEADER_ROW, col[key], headers[key], st.header)
    for number, key in enumerate(keys[1 : last_printed + 1], start=1):
        ws.write_string(NUMBER_ROW, col[key], f"({number})", st.column_number)
    ws.set_row(HEADER_ROW, 92)
    ws.freeze_panes(FIRST_DATA_ROW, col["unit"])
    ws.repeat_rows(GROUP_ROW, NUMBER_ROW)
    row = FIRST_DATA_ROW
    by_area: dict[str, list[ProvinceRow]] = {}
    for entry in plan.rows:
        by_area.setdefault(entry.indicator.area, []).append(entry)
    number_of_area = 0
    for area in w.catalog.areas:
        entries = by_area.get(area.code, [])
        if not entries:
            continue
        number_of_area += 1
        ws.write_string(row, 0, AREA_PREFIX + area.code, st.key)
        ws.write_string(row, col["stt"], L.roman(number_of_area), st.area)
        ws.merge_range(row, col["name"], row, last_printed, area.name_vi, st.area_wrap)
        ws.set_row(row, LINE_HEIGHT * text_lines(area.name_vi, 200))
        row += 1
        for number, entry in enumerate(entries, start=1):
            _row(w, ws, row, number, entry, col)
            row += 1
    ws.print_area(0, 1, max(row - 1, FIRST_DATA_ROW), last_printed)
    ws.fit_to_pages(1, 0)
    ws.set_footer(f"&L&8{FORM}&R&8Trang &P/&N")
    ws.activate()
    ws.set_first_sheet()


def _groups(w: Writer, ws, keys: list[str], col: dict[str, int], columns: dict[str, L.Column]) -> None:
    """The group headers above the value columns (periods), merged over each run of columns of one group."""
    run: list[str] = []

    def flush() -> None:
        if not run:
            return
        group = columns[run[0]].group_vi if run[0] in columns else ""
        first, last = col[run[0]], col[run[-1]]
        if first == last:
            ws.write_string(GROUP_ROW, first, group, w.st.header)
        else:
            ws.merge_range(GROUP_ROW, first, GROUP_ROW, last, group, w.st.header)

    for key in keys[1:]:
        group = columns[key].group_vi if key in columns and columns[key].role != "label" else ""
        if run and (group != (columns[run[0]].group_vi if run[0] in columns else "") or not group):
            flush()
            run = []
        run.append(key)
    flush()
    ws.set_row(GROUP_ROW, 46)


def _row(w: Writer, ws, row: int, number: int, entry: ProvinceRow, col: dict[str, int]) -> None:
    st, indicator, values = w.st, entry.indicator, entry.values
    w.province_rows[indicator.code] = row
    ws.write_string(row, 0, indicator.code, st.key)
    ws.write_number(row, col["stt"], number, st.label_center)
    ws.write_string(row, col["name"], indicator.name_vi, st.label)
    ws.write_string(row, col["unit"], indicator.unit, st.label_center)
    ws.write_string(row, col["target_kind"], indicator.target_label, st.label_center)
    lines = max(text_lines(indicator.name_vi, 28), text_lines(indicator.target_label, 11.5))
    for column in L.indicator_value_columns():
        c = col[column.key]
        if column.role == "formula":
            formula = w.formula(SHEET, col, indicator, column.key, row)
            result = values.get(column.key)
            fmt = st.computed_text if column.type == "text" else st.computed_number(2)
            ws.write_formula(row, c, formula, fmt, "" if result is None else result)
        elif column.type in ("number", "integer"):
            decimals = 0 if column.type == "integer" else indicator.decimals
            write(ws, row, c, values.get(column.key), st.fixed_number(decimals))
        else:
            write(ws, row, c, values.get(column.key), st.label)
    ws.write_string(row, col["status_vi"], entry.status_vi, st.label)
    write(ws, row, col["source_unit"], entry.source_unit, st.label)
    ws.write_string(row, col["status"], entry.status, st.label)
    lines = max(lines, text_lines(entry.status_vi, 16))
    ws.set_row(row, LINE_HEIGHT * lines)
