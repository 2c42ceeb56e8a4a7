"""«Dự án đầu tư công»: every valid project of every merged unit (master.precedence.projects), with its unit,
the template's columns (computed ones as the template's formulas give them), a likely duplicate flagged, and
below the list the totals by the projects' area and by source of funds (SUMIF formulas over the list, cached).
Readable back: a hidden row of column keys, column A of row keys (``p:UNIT:row``; ``sum:<area>`` on totals)."""

from __future__ import annotations

from pathlib import Path

from kehoach.master.sheets.base import A3, Writer, page, write
from kehoach.workbook_templates import derived
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.styles import LINE_HEIGHT, text_lines
from xlsxwriter.utility import xl_col_to_name

SHEET = "Dự án đầu tư công"
KEY_ROW, HEADER_ROW, FIRST_DATA_ROW = 3, 4, 5
PROJECT_PREFIX = "p:"
SUM_PREFIX = "sum:"
DUPLICATE_KEY = "duplicate_of"
SUMMED = ("total", "allocated_2020", "remaining", "need_total", "need_central", "need_local", "need_oda", "need_other")
TOTAL_LABEL = "Tổng cộng"


def column_keys() -> list[str]:
    return [
        "key",
        "stt",
        "unit",
        "unit_name",
        *(c.key for c in L.project_columns()),
        "duplicate",
        "file",
        "row",
        DUPLICATE_KEY,
    ]


def write_sheet(w: Writer) -> None:
    st = w.st
    ws = w.book.add_worksheet(SHEET)
    page(ws, A3)
    keys = column_keys()
    col = {k: i for i, k in enumerate(keys)}
    columns = {c.key: c for c in L.project_columns()}
    headers = {
        "stt": ("STT", 5),
        "unit": ("Mã đơn vị", 8),
        "unit_name": ("Đơn vị đề xuất", 20),
        "duplicate": ("Có thể trùng với", 16),
        "file": ("Tệp", 20),
        "row": ("Dòng", 6),
        DUPLICATE_KEY: ("Mã dự án trùng", 10),
    }
    headers.update({c.key: (c.header_vi, c.width) for c in columns.values()})
    ws.set_column(0, 0, 10, None, {"hidden": True})
    for key in keys[1:]:
        header, width = headers[key]
        ws.set_column(col[key], col[key], width, None, {"hidden": True} if key == DUPLICATE_KEY else {})
        ws.write_string(HEADER_ROW, col[key], header, st.header)
    for key, c in col.items():
        ws.write_string(KEY_ROW, c, key, st.key)
    ws.set_row(KEY_ROW, None, None, {"hidden": True})
    ws.set_row(HEADER_ROW, 62)
    ws.write_string(0, 1, "DANH MỤC DỰ ÁN ĐẦU TƯ CÔNG ĐỀ XUẤT GIAI ĐOẠN 2021-2025 TOÀN TỈNH", st.title)
    ws.write_string(
        1,
        1,
        f"Đơn vị tính: triệu đồng; tổng hợp ngày {w.plan.made_at:%d/%m/%Y} từ {len(w.plan.merged_units)} đơn vị; "
        f"{len(w.plan.projects)} dự án, {sum(1 for p in w.plan.projects if p.duplicate_of)} dự án có thể trùng",
        st.subtitle,
    )
    files = {u: Path(f.path).name for u, f in w.result.merged.items()}
    names = {u.code: u.name_vi for u in w.catalog.units}
    by_key = {f"{p.unit}:{p.values.get('row', '')}": p for p in w.plan.projects}
    whole = w.book.add_format({**st.base, "border": 1, "num_format": "0", "align": "center"})
    row = FIRST_DATA_ROW
    for number, project in enumerate(w.plan.projects, start=1):
        values = project.values
        ws.write_string(row, 0, f"{PROJECT_PREFIX}{project.unit}:{values.get('row', '')}", st.key)
        ws.write_number(row, col["stt"], number, st.label_center)
        write(ws, row, col["unit"], project.unit, st.label)
        write(ws, row, col["unit_name"], names.get(project.unit, project.unit), st.label)
        for key, column in columns.items():
            value = values.get(key)
            number_value = derived.as_number(value)
            if column.type in ("number", "integer") and number_value is not None:
                fmt = st.computed_number(0) if column.role == "formula" else st.fixed_number(0)
                if column.type == "integer":
                    fmt = whole
                ws.write_number(row, col[key], number_value, fmt)
            else:
                write(ws, row, col[key], value, st.label)
        duplicate = ""
        if project.duplicate_of:
            other = by_key.get(project.duplicate_of)
            unit, _, other_row = project.duplicate_of.partition(":")
            duplicate = f"{unit}, dòng {other_row}" + (f": {other.values.get('project')}" if other else "")
        write(ws, row, col["duplicate"], duplicate, st.label)
        write(ws, row, col["file"], files.get(project.unit), st.label)
        write(ws, row, col["row"], values.get("row"), st.label)
        write(ws, row, col[DUPLICATE_KEY], project.duplicate_of, st.label)
        shown = {**values, "unit_name": names.get(project.unit, project.unit), "duplicate": duplicate}
        shown["file"] = files.get(project.unit, "")
        lines = max(
            text_lines(shown[k], headers[k][1]) for k in keys[2:] if isinstance(shown.get(k), str) and k in headers
        )
        ws.set_row(row, LINE_HEIGHT * lines)
        row += 1
    last = row - 1
    if w.plan.projects:
        ws.autofilter(HEADER_ROW, 1, last, col["row"])
        red = w.book.add_format({"font_color": "#9C0006", "bold": True})
        ws.conditional_format(
            FIRST_DATA_ROW, col["duplicate"], last, col["duplicate"], {"type": "no_blanks", "format": red}
        )
    row = _totals(w, ws, row + 1, col, last)
    ws.print_area(0, 1, row, col["row"])
    ws.repeat_rows(HEADER_ROW)
    ws.freeze_panes(FIRST_DATA_ROW, col["project"] + 1)
    ws.fit_to_pages(1, 0)


def _totals(w: Writer, ws, row: int, col: dict[str, int], last: int) -> int:
    """By the projects' area (Lĩnh vực), then the total: count and every sum column, by source of funds."""
    st = w.st
    ws.merge_range(row, col["stt"], row, col["row"], "TỔNG HỢP THEO LĨNH VỰC VÀ NGUỒN VỐN", st.area)
    row += 1
    areas: list[str] = []
    for project in w.plan.projects:
        area = str(project.values.get("area") or "")
        if area and area not in areas:
            areas.append(area)
    first = FIRST_DATA_ROW

    def column_range(key: str) -> str:
        letter = xl_col_to_name(col[key])
        return f"${letter}${first + 1}:${letter}${last + 1}"

    area_range = column_range("area")

    for area in [*areas, None]:
        chosen = [p for p in w.plan.projects if area is None or p.values.get("area") == area]
        ws.write_string(row, 0, SUM_PREFIX + (area if area is not None else "total"), st.key)
        label = area if area is not None else TOTAL_LABEL
        ws.write_string(row, col["project"], label, st.fixed if area is None else st.label)
        ws.write_string(row, col["unit_name"], f"{len(chosen)} dự án", st.label)
        for key in SUMMED:
            total = sum(derived.as_number(p.values.get(key)) or 0.0 for p in chosen)
            criteria = L.a1(row, col["project"])
            if area is None:
                formula = f"=SUM({column_range(key)})" if w.plan.projects else "=0"
            else:
                formula = f"=SUMIF({area_range},{criteria},{column_range(key)})"
            ws.write_formula(row, col[key], formula, st.computed_number(0, area is None), total)
        row += 1
    return row
