"""«Huyện»: the districts side by side, their sum against the province's figure (Chỉ tiêu toàn tỉnh) for the
additive indicators, the gap and the cells it comes from."""

from __future__ import annotations

from kehoach.master.sheets.base import Writer
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import Indicator
from xlsxwriter.worksheet import Worksheet

SHEET = "Huyện"
KEYS = ("estimate_2020", "plan_2025")
FIRST = 4  # first district column


def write_sheet(w: Writer) -> None:
    districts = list(w.catalog.districts)
    headers = [("Mã chỉ tiêu", 8), ("Chỉ tiêu", 34), ("Đơn vị tính", 10), ("Kỳ", 9)]
    headers += [(d.name_vi, 11) for d in districts]
    headers += [("Tổng các huyện", 12), ("Số của tỉnh", 12), ("Chênh lệch", 11), ("Truy vết", 60)]
    ws = w.sheet(SHEET, "SỐ LIỆU CÁC HUYỆN, THỊ XÃ, THÀNH PHỐ SO VỚI SỐ CỦA TỈNH", headers)
    labels = {c.key: c.header_vi for c in L.indicator_columns()}
    sources = {u: {(c, k): (v, s, cell) for c, k, v, s, cell in f.values} for u, f in w.result.merged.items()}
    total_col = FIRST + len(districts)
    row = 3
    for key in KEYS:
        ws.merge_range(row, 0, row, len(headers) - 1, labels[key], w.st.area)
        row += 1
        for indicator in (i for i in w.catalog.indicators if i.district):
            for col, text in enumerate((indicator.code, indicator.name_vi, indicator.unit, labels[key])):
                ws.write_string(row, col, text, w.st.label)
            numbers = []
            for offset, district in enumerate(districts):
                source = sources.get(district.code, {}).get((indicator.code, key))
                value = source[0] if source else None
                numbers.append(value if isinstance(value, float) else None)
                w.text(ws, row, FIRST + offset, numbers[-1], w.st.fixed_number(indicator.decimals))
            province = w.plan.row(indicator.code).values.get(key)
            province_value = province if isinstance(province, float) else None
            w.text(ws, row, total_col + 1, province_value, w.st.fixed_number(indicator.decimals))
            if indicator.additive:
                _total(w, ws, row, indicator, districts, numbers, province_value, sources, key)
            row += 1
    ws.set_column(len(headers) - 1, len(headers) - 1, 60, w.st.text)


def _total(
    w: Writer,
    ws: Worksheet,
    row: int,
    indicator: Indicator,
    districts: list,
    numbers: list,
    province_value: float | None,
    sources: dict,
    key: str,
) -> None:
    first, total_col = L.a1(row, FIRST), FIRST + len(districts)
    last = L.a1(row, total_col - 1)
    present = [n for n in numbers if n is not None]
    total = sum(present) if present else None
    ws.write_formula(
        row,
        total_col,
        f'=IF(COUNT({first}:{last})=0,"",SUM({first}:{last}))',
        w.st.computed_number(indicator.decimals, True),
        "" if total is None else total,
    )
    total_cell, province_cell = L.a1(row, total_col), L.a1(row, total_col + 1)
    gap = province_value - total if province_value is not None and total is not None else None
    ws.write_formula(
        row,
        total_col + 2,
        f'=IF(AND(ISNUMBER({total_cell}),ISNUMBER({province_cell})),{province_cell}-{total_cell},"")',
        w.st.computed_number(indicator.decimals),
        "" if gap is None else gap,
    )
    if gap is None or abs(gap) <= 0.5 * 10 ** (-indicator.decimals):
        return
    missing = [d.name_vi for d, n in zip(districts, numbers, strict=True) if n is None]
    cells = [
        f"{d.code} '{sources[d.code][(indicator.code, key)][1]}'!{sources[d.code][(indicator.code, key)][2]}"
        for d, n in zip(districts, numbers, strict=True)
        if n is not None
    ]
    source = w.plan.row(indicator.code).source_unit
    trace = (
        f"Chênh lệch {gap:,.2f} (số của tỉnh lấy từ {source}). "
        + (f"Chưa có số của: {', '.join(missing)}. " if missing else "")
        + "Ô nguồn: "
        + "; ".join(cells)
    )
    ws.write_string(row, total_col + 3, trace, w.st.text)
