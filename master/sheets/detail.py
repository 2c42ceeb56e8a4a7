"""«Tổng hợp», the detail sheet: every indicator once per reporting unit (owners first, then other units,
districts), with the districts' total of additive indicators (SUM formulas). The computed columns are values, as
the template's expressions give them: this sheet records what each unit sent; the province table (Chỉ tiêu toàn
tỉnh) has the live formulas."""

from __future__ import annotations

from kehoach.master.sheets.base import FIRST_ROW, Writer
from kehoach.workbook_templates import derived
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import KIND_LABELS
from kehoach.workbook_templates.catalog import Indicator
from xlsxwriter.worksheet import Worksheet

SHEET = "Tổng hợp"
TOTAL_LABEL = "TỔNG CÁC HUYỆN"
IDENTITY = (
    ("code", "Mã chỉ tiêu", 8),
    ("name", "Chỉ tiêu", 36),
    ("unit", "Đơn vị tính", 11),
    ("kind", "Loại", 9),
    ("reporter", "Đơn vị báo cáo", 10),
    ("reporter_name", "Tên đơn vị báo cáo", 26),
)


def input_keys() -> list[str]:
    return [c.key for c in L.indicator_value_columns() if c.role == "input"]


def columns_by_key() -> dict[str, int]:
    return {c.key: len(IDENTITY) + i for i, c in enumerate(L.indicator_value_columns())}


_COLUMNS = columns_by_key()


def cell(row: int, key: str) -> str:
    return L.a1(row, _COLUMNS[key])


def reporters(w: Writer, indicator: Indicator, carried: dict[str, set[str]]) -> list[str]:
    """Units whose merged file carries the indicator: owners first, then other departments, districts."""
    having = [u for u in w.result.merged if indicator.code in carried[u]]
    order = {code: i for i, code in enumerate(indicator.owners)}
    units = {u.code: i for i, u in enumerate(w.catalog.units)}
    return sorted(having, key=lambda u: (order.get(u, len(order)), w.catalog.unit(u).is_district, units[u]))


def write_sheet(w: Writer) -> None:
    columns = L.indicator_value_columns()
    headers = [(h, width) for _, h, width in IDENTITY] + [(c.header_vi, c.width) for c in columns]
    ws = w.sheet(SHEET, "CHI TIẾT CHỈ TIÊU THEO TỪNG ĐƠN VỊ BÁO CÁO (KẾ HOẠCH 5 NĂM 2021-2025)", headers)
    values_by_unit = {u: {(c, k): v for c, k, v, _s, _cell in f.values} for u, f in w.result.merged.items()}
    carried = {u: {c for c, _k in values} for u, values in values_by_unit.items()}
    row = FIRST_ROW
    for area in w.catalog.areas:
        indicators = [i for i in w.catalog.indicators if i.area == area.code]
        ws.merge_range(row, 0, row, len(headers) - 1, area.name_vi, w.st.area)
        row += 1
        for indicator in indicators:
            district_rows = []
            for unit in reporters(w, indicator, carried):
                values = {k: values_by_unit[unit].get((indicator.code, k)) for k in input_keys()}
                primary = unit == indicator.owners[0]
                _identity(w, ws, row, indicator, unit, w.catalog.unit(unit).name_vi, primary)
                w.detail_rows[(indicator.code, unit)] = row
                _values(w, ws, row, indicator, values, primary)
                if w.catalog.unit(unit).is_district:
                    district_rows.append(row)
                row += 1
            if indicator.additive and district_rows:
                _total_row(w, ws, row, indicator, district_rows, values_by_unit)
                row += 1
    ws.autofilter(FIRST_ROW - 1, 0, row - 1, len(headers) - 1)
    # As the templates: too wide for one A4 page, printed in three parts with code and name repeated.
    ws.fit_to_pages(0, 0)
    ws.set_print_scale(L.INDICATOR_PRINT_SCALE - 8)
    ws.repeat_columns(0, 1)
    keys = [c.key for c in columns]
    ws.set_v_pagebreaks([len(IDENTITY) + keys.index(k) for k in L.INDICATOR_PAGE_BREAKS])


def _identity(w: Writer, ws: Worksheet, row: int, indicator: Indicator, unit: str, name: str, bold: bool) -> None:
    fmt = w.st.fixed if bold else w.st.label
    for col, text in enumerate(
        (indicator.code, indicator.name_vi, indicator.unit, KIND_LABELS[indicator.kind], unit, name)
    ):
        ws.write_string(row, col, text, fmt)


def _values(
    w: Writer,
    ws: Worksheet,
    row: int,
    indicator: Indicator,
    values: dict[str, object],
    bold: bool,
    formulas: dict[str, str] | None = None,
) -> None:
    results = derived.indicator_values(indicator, values)
    for offset, column in enumerate(L.indicator_value_columns()):
        col = len(IDENTITY) + offset
        if column.role == "formula":
            # The record of what each unit sent: computed columns as values (the template's expressions);
            # the live formulas are the province table's, where corrections are made.
            result = results[column.key]
            fmt = w.st.computed_text if column.type == "text" else w.st.computed_number(2, bold)
            w.text(ws, row, col, result, fmt)
        elif formulas and column.key in formulas:
            value = values.get(column.key)
            ws.write_formula(
                row,
                col,
                formulas[column.key],
                w.st.computed_number(indicator.decimals, bold),
                "" if value is None else value,
            )
        elif column.type in ("number", "integer"):
            w.text(ws, row, col, values.get(column.key), w.st.fixed_number(indicator.decimals, bold))
        else:
            w.text(ws, row, col, values.get(column.key), w.st.label)


def _total_row(
    w: Writer, ws: Worksheet, row: int, indicator: Indicator, district_rows: list[int], values_by_unit: dict[str, dict]
) -> None:
    _identity(w, ws, row, indicator, "", TOTAL_LABEL, True)
    districts = [u.code for u in w.catalog.districts if u.code in values_by_unit]
    sums, formulas = {}, {}
    kinds = {c.key: c.type for c in L.indicator_value_columns()}
    for key in input_keys():
        if kinds[key] != "number" or key.endswith("_max") or key == "growth_2011_2015":
            continue
        parts = [values_by_unit[d].get((indicator.code, key)) for d in districts]
        numbers = [p for p in parts if isinstance(p, float)]
        sums[key] = sum(numbers) if numbers else None
        cells = ",".join(cell(r, key) for r in district_rows)
        formulas[key] = f'=IF(COUNT({cells})=0,"",SUM({cells}))'
    _values(w, ws, row, indicator, sums, True, formulas)
