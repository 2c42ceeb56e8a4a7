"""Build the standard workbook of a unit from the catalog and the layout (XlsxWriter).

A path ending in .xlsm gives the template staff receive: it embeds the VBA project of the validation buttons
(``vba_project.py``), the buttons themselves and the hidden ``xlwings.conf`` sheet. A path ending in .xlsx gives
the same workbook without them (sample and test submissions).

The same catalog always gives the same workbook: no clock, no randomness, fixed document properties.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from kehoach.workbook_templates import derived
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import Catalog, Indicator, Unit, load_catalog
from kehoach.workbook_templates.filling import ExcelError, Filling
from kehoach.workbook_templates.formulas import (
    EXCEEDED,
    GROUPS,
    NOT_MET,
    PROJECT_YEARS,
    STATUSES,
    grdp_average_expr,
    grdp_cell_expr,
    indicator_formula,
    project_formula,
)
from kehoach.workbook_templates.styles import Styles
from kehoach.workbook_templates.validations import Validations
from kehoach.workbook_templates.vba_project import BUTTONS, conf_rows, vba_project
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

KIND_LABELS = {"level": "Tuyệt đối", "rate": "Tỷ lệ", "growth": "Tốc độ", "count": "Lũy kế"}
UNIT_KIND_LABELS = {
    "department": "Sở, ban ngành tỉnh",
    "agency": "Cơ quan, đơn vị ngành dọc",
    "district": "Huyện, thị xã, thành phố",
}
ROMAN = (
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
    "XXI",
    "XXII",
    "XXIII",
    "XXIV",
    "XXV",
)
NUMBER_LIMIT = 1e15
CHARS_PER_WIDTH = 1.4  # Times New Roman 11: characters of Vietnamese text per unit of column width
LINE_HEIGHT = 15
PROTECTION = {
    "insert_rows": True,
    "format_columns": True,
    "format_rows": True,
    "autofilter": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}
TEXTS = Path(__file__).with_name("texts")


@dataclass(frozen=True)
class BuiltTemplate:
    unit: Unit
    path: Path


def workbook_filename(unit: Unit, suffix: str = ".xlsm") -> str:
    return unit.file_stem + suffix


def build_all(
    out_dir: Path,
    unit_codes: Iterable[str] | None = None,
    catalog: Catalog | None = None,
    progress: Callable[[Unit], None] | None = None,
    suffix: str = ".xlsm",
) -> list[BuiltTemplate]:
    """The templates of the given units (default: all), macro-enabled unless ``suffix`` is ".xlsx"."""
    catalog = catalog or load_catalog()
    codes = list(unit_codes or [u.code for u in catalog.units])
    out_dir.mkdir(parents=True, exist_ok=True)
    built = []
    for code in codes:
        unit = catalog.unit(code)
        path = out_dir / workbook_filename(unit, suffix)
        build_workbook(catalog, unit, path)
        built.append(BuiltTemplate(unit, path))
        if progress:
            progress(unit)
    return built


def build_workbook(catalog: Catalog, unit: Unit, path: Path, filling: Filling | None = None) -> Path:
    """Write ``unit``'s standard workbook to ``path`` atomically (a temporary file renamed into place),
    empty or with ``filling`` typed in (computed cells then carry their results, as Excel would save them);
    with the validation buttons when ``path`` ends in .xlsm."""
    tmp = path.with_name(f".{path.name}.tmp")
    workbook = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False})
    try:
        _Builder(workbook, catalog, unit, filling or Filling(), path.suffix.lower() == ".xlsm").build()
    finally:
        workbook.close()
    tmp.replace(path)
    return path


class _Builder:
    def __init__(self, workbook: Workbook, catalog: Catalog, unit: Unit, filling: Filling, macros: bool = False):
        self.wb = workbook
        self.filling = filling
        self.catalog = catalog
        self.unit = unit
        self.macros = macros
        self.st = Styles(workbook)
        self.validations = Validations()
        released = dt.datetime.combine(catalog.template.released, dt.time(8, 0))
        workbook.set_properties(
            {
                "title": f"{catalog.template.title} - {unit.name_vi}",
                "subject": catalog.template.id,
                "author": "Sở Kế hoạch và Đầu tư tỉnh Trà Vinh",
                "company": catalog.template.province,
                "keywords": f"{catalog.template.id};{catalog.template.version};{unit.code}",
                "created": released,
            }
        )
        workbook.set_calc_mode("auto")
        if macros:
            workbook.add_vba_project(io.BytesIO(vba_project()), is_stream=True)

    def build(self) -> None:
        self._instructions()
        self._unit_info()
        self._indicators()
        self._sections(L.EVALUATION, "ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN KẾ HOẠCH 5 NĂM 2016-2020")
        self._sections(L.PLAN, "NHIỆM VỤ, GIẢI PHÁP KẾ HOẠCH 5 NĂM 2021-2025")
        self._projects()
        if "grdp" in self.unit.extra_sheets:
            self._grdp()
        self._lists()
        if self.macros:
            self._xlwings_conf()
        self.validations.write()
        self.wb.worksheets()[1].activate()

    # --- shared pieces ------------------------------------------------------------------------------

    def _sheet(self, name: str, landscape: bool = True) -> Worksheet:
        ws = self.wb.add_worksheet(name)
        ws.set_paper(9)  # A4
        if landscape:
            ws.set_landscape()
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer(f'&L&"{self.st.base["font_name"]}"&8{self.unit.name_vi}&R&8Trang &P/&N')
        ws.fit_to_pages(1, 0)
        return ws

    def _heading(self, ws: Worksheet, title: str) -> None:
        ws.write(L.TITLE_ROW, 1, title, self.st.title)
        ws.write(L.SUBTITLE_ROW, 1, f"{self.unit.name_vi} ({self.unit.code})", self.st.subtitle)

    def _legend(self, ws: Worksheet, col: int) -> None:
        ws.write(L.LEGEND_ROW, col, "Ô nhập liệu", self.st.legend_input)
        ws.write(L.LEGEND_ROW, col + 1, "Ô tự tính (không nhập)", self.st.legend_computed)

    def _hidden_key_row(self, ws: Worksheet, keys: Iterable[str], first_col: int = 0) -> None:
        for offset, key in enumerate(keys):
            ws.write_string(L.KEY_ROW, first_col + offset, key, self.st.key)
        ws.set_row(L.KEY_ROW, None, None, {"hidden": True})

    def _validate_number(
        self,
        ws: Worksheet,
        row: int,
        col: int,
        integer: bool,
        help_vi: str,
        minimum: float = -NUMBER_LIMIT,
        maximum: float = NUMBER_LIMIT,
    ) -> None:
        self.validations.add(
            ws,
            row,
            col,
            {
                "validate": "integer" if integer else "decimal",
                "criteria": "between",
                "minimum": minimum,
                "maximum": maximum,
                "ignore_blank": True,
                "input_title": "Nhập số" if not integer else "Nhập số nguyên",
                "input_message": help_vi[:250],
                "show_input": bool(help_vi),
                "error_title": "Giá trị không hợp lệ",
                "error_message": (
                    "Ô này chỉ nhận số nguyên."
                    if integer
                    else "Ô này chỉ nhận số (không nhập chữ, không ghi đơn vị tính)."
                ),
            },
        )

    def _put(self, ws: Worksheet, row: int, col: int, value: object, fmt: Format) -> None:
        """Write a typed value as Excel would store it (empty, text, number, boolean, error or date; Excel
        gives a cell a date format when a date is typed into it)."""
        if value is None:
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, ExcelError):
            ws.write_formula(row, col, "=" + value.formula, fmt, value.text)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            ws.write_number(row, col, value, fmt)
        elif isinstance(value, dt.date):
            ws.write_datetime(row, col, value, self.st.input_date)
        else:
            ws.write_string(row, col, str(value), fmt)

    def _formula(self, ws: Worksheet, row: int, col: int, formula: str, fmt: Format, result: object) -> None:
        ws.write_formula(row, col, "=" + formula, fmt, "" if result is None else result)

    def _define(self, name: str, sheet: str, row: int, col: int) -> None:
        self.wb.define_name(name, f"='{sheet}'!{L.a1(row, col, absolute=True)}")

    def _buttons(self, ws: Worksheet, sheet: str) -> None:
        """The validation buttons, bound to the Subs of the embedded VBA module (macro-enabled only)."""
        if not self.macros:
            return
        ws.set_row(L.BUTTON_ROW, L.BUTTON_ROW_HEIGHT)
        top = (L.BUTTON_ROW_HEIGHT * 4 // 3 - L.BUTTON_HEIGHT) // 2  # points to pixels, then centred
        for index, button in enumerate(BUTTONS):
            ws.insert_button(
                L.BUTTON_ROW,
                L.BUTTON_COLS[sheet],
                {
                    "macro": button.macro,
                    "caption": button.caption,
                    "width": L.BUTTON_WIDTH,
                    "height": L.BUTTON_HEIGHT,
                    "x_offset": index * (L.BUTTON_WIDTH + L.BUTTON_GAP),
                    "y_offset": top,
                },
            )

    # --- sheets -------------------------------------------------------------------------------------

    def _instructions(self) -> None:
        ws = self._sheet(L.INSTRUCTIONS, landscape=False)
        ws.set_column(0, 0, 110, self.st.text)
        template = self.catalog.template
        grdp = (
            (
                "- «GRDP»: GRDP theo ngành kinh tế, giá hiện hành và giá so sánh 2010, năm 2015-2020, "
                "theo số liệu chưa đánh giá lại và đã đánh giá lại quy mô; cơ cấu, tốc độ tăng, đóng góp "
                "vào tăng trưởng và GRDP bình quân đầu người tự tính."
            )
            if "grdp" in self.unit.extra_sheets
            else ""
        )
        text = (
            (TEXTS / "huong_dan.txt")
            .read_text(encoding="utf-8")
            .format(
                unit_name=self.unit.name_vi,
                deadline=template.deadline.strftime("%d/%m/%Y"),
                template_id=template.id,
                template_version=template.version,
                grdp_line=grdp,
            )
        )
        for row, line in enumerate(text.splitlines()):
            if row == 0:
                ws.write(row, 0, line, self.st.title)
            elif line and line[0].isdigit() and line[1] == ".":
                ws.write(row, 0, line, self.st.bold)
            elif line:
                ws.write(row, 0, line, self.st.text)
        ws.protect("", PROTECTION)

    def _unit_info(self) -> None:
        ws = self._sheet(L.UNIT_INFO, landscape=False)
        self._heading(ws, "THÔNG TIN ĐƠN VỊ BÁO CÁO")
        ws.set_column(L.INFO_KEY_COL, L.INFO_KEY_COL, 14, None, {"hidden": True})
        ws.set_column(L.INFO_LABEL_COL, L.INFO_LABEL_COL, 34)
        ws.set_column(L.INFO_VALUE_COL, L.INFO_VALUE_COL, 50)
        ws.set_column(L.INFO_HELP_COL, L.INFO_HELP_COL, 50)
        template = self.catalog.template
        fixed = {
            "unit_code": self.unit.code,
            "unit_name": self.unit.name_vi,
            "unit_kind": UNIT_KIND_LABELS[self.unit.kind],
            "template_id": template.id,
            "template_version": template.version,
        }
        names = {
            "unit_code": L.NAME_UNIT_CODE,
            "template_id": L.NAME_TEMPLATE_ID,
            "template_version": L.NAME_TEMPLATE_VERSION,
        }
        for offset, field in enumerate(L.unit_fields()):
            row = L.INFO_FIRST_ROW + offset
            ws.write_string(row, L.INFO_KEY_COL, field.key, self.st.key)
            ws.write_string(row, L.INFO_LABEL_COL, field.label_vi, self.st.label)
            if field.role == "fixed":
                self._put(ws, row, L.INFO_VALUE_COL, self.filling.info.get(field.key, fixed[field.key]), self.st.fixed)
            elif field.role == "stamp":
                self._put(ws, row, L.INFO_VALUE_COL, self.filling.info.get(field.key), self.st.stamp)
            elif field.type == "date":
                self._put(ws, row, L.INFO_VALUE_COL, self.filling.info.get(field.key), self.st.input_date)
                self.validations.add(
                    ws,
                    row,
                    L.INFO_VALUE_COL,
                    {
                        "validate": "date",
                        "criteria": "between",
                        "minimum": dt.date(2020, 1, 1),
                        "maximum": dt.date(2021, 12, 31),
                        "input_title": "Ngày",
                        "input_message": field.help_vi,
                        "error_title": "Ngày không hợp lệ",
                        "error_message": "Nhập ngày dạng ngày/tháng/năm, trong năm 2020-2021.",
                    },
                )
            elif field.type == "integer":
                self._put(ws, row, L.INFO_VALUE_COL, self.filling.info.get(field.key), self.st.input_number(0))
                self._validate_number(ws, row, L.INFO_VALUE_COL, True, field.help_vi, 1, 99)
            else:
                self._put(ws, row, L.INFO_VALUE_COL, self.filling.info.get(field.key), self.st.input_text)
            if field.help_vi:
                ws.write_string(row, L.INFO_HELP_COL, field.help_vi, self.st.guidance)
            if field.key in names:
                self._define(names[field.key], L.UNIT_INFO, row, L.INFO_VALUE_COL)
        self._buttons(ws, L.UNIT_INFO)
        ws.protect("", PROTECTION)

    def _indicators(self) -> None:
        ws = self._sheet(L.INDICATORS)
        self._heading(ws, "BIỂU CHỈ TIÊU KẾ HOẠCH PHÁT TRIỂN KINH TẾ - XÃ HỘI 5 NĂM 2021-2025")
        columns = L.indicator_columns()
        self._legend(ws, 1)
        self._hidden_key_row(ws, [c.key for c in columns])
        for col, column in enumerate(columns):
            ws.set_column(col, col, column.width)
            ws.write_string(L.HEADER_ROW, col, column.header_vi, self.st.header)
            ws.write_string(L.NUMBER_ROW, col, f"({col + 1})", self.st.column_number)
        self._group_headers(ws, columns)
        ws.set_row(L.HEADER_ROW, 64)
        rows = L.indicator_rows(self.catalog, self.unit)
        area_number = 0
        for table_row in rows:
            if table_row.area:
                ws.write_string(table_row.row, 0, ROMAN[area_number], self.st.area)
                ws.merge_range(table_row.row, 1, table_row.row, len(columns) - 1, table_row.area.name_vi, self.st.area)
                area_number += 1
            else:
                self._indicator_row(ws, table_row.row, table_row.indicator, columns)
        last = rows[-1].row
        evaluation_col = L.column_index(columns, "evaluation_2020")
        for text, color in ((EXCEEDED, "#006100"), (NOT_MET, "#9C0006")):
            ws.conditional_format(
                L.FIRST_DATA_ROW,
                evaluation_col,
                last,
                evaluation_col,
                {
                    "type": "cell",
                    "criteria": "==",
                    "value": f'"{text}"',
                    "format": self.wb.add_format({"font_color": color, "bold": True}),
                },
            )
        ws.freeze_panes(L.FIRST_DATA_ROW, 2)
        ws.repeat_rows(L.GROUP_ROW, L.NUMBER_ROW)
        # Too wide for one A4 page: print in three parts (past, evaluation, plan), code and name repeated.
        ws.fit_to_pages(0, 0)
        ws.set_print_scale(L.INDICATOR_PRINT_SCALE)
        ws.repeat_columns(0, 1)
        ws.set_v_pagebreaks([L.column_index(columns, key) for key in L.INDICATOR_PAGE_BREAKS])
        ws.print_area(L.TITLE_ROW, 0, last, len(columns) - 1)
        ws.autofilter(L.NUMBER_ROW, 0, last, len(columns) - 1)
        self._buttons(ws, L.INDICATORS)
        ws.protect("", PROTECTION)

    def _group_headers(self, ws: Worksheet, columns: tuple[L.Column, ...]) -> None:
        start = 0
        for col in range(1, len(columns) + 1):
            if col < len(columns) and columns[col].group_vi == columns[start].group_vi:
                continue
            group = columns[start].group_vi
            if group and col - 1 > start:
                ws.merge_range(L.GROUP_ROW, start, L.GROUP_ROW, col - 1, group, self.st.header)
            elif group:
                ws.write_string(L.GROUP_ROW, start, group, self.st.header)
            else:
                for c in range(start, col):
                    ws.merge_range(L.GROUP_ROW, c, L.HEADER_ROW, c, columns[c].header_vi, self.st.header)
            start = col
        ws.set_row(L.GROUP_ROW, 32)

    def _indicator_row(self, ws: Worksheet, row: int, ind: Indicator, columns: tuple[L.Column, ...]) -> None:
        def ref(key: str) -> str:
            return L.indicator_cell(key, row)

        labels = {
            "code": ind.code,
            "name": ind.name_vi,
            "unit": ind.unit,
            "kind": KIND_LABELS[ind.kind],
            "target_kind": ind.target_label,
        }
        # Excel does not grow a row to fit wrapped text written by a program: size it from the label length.
        lines = max(math.ceil(len(labels[c.key]) / (c.width * CHARS_PER_WIDTH)) for c in columns if c.key in labels)
        ws.set_row(row, LINE_HEIGHT * max(lines, 1))
        typed = {**self._prefilled(ind), **self.filling.indicators.get(ind.code, {})}
        results = derived.indicator_values(ind, typed)
        for col, column in enumerate(columns):
            if column.role == "label":
                fmt = self.st.label if column.key == "name" else self.st.label_center
                ws.write_string(row, col, labels[column.key], fmt)
            elif column.role == "formula":
                fmt = self.st.computed_text if column.type == "text" else self.st.computed_number(2)
                if (ind.code, column.key) in self.filling.overwritten:
                    self._put(ws, row, col, self.filling.overwritten[ind.code, column.key], fmt)
                else:
                    self._formula(ws, row, col, indicator_formula(column.key, ind, ref), fmt, results[column.key])
            elif not L.takes_input(ind, column.key):
                ws.write_blank(row, col, None, self.st.fixed)
            elif column.type in ("number", "integer"):
                integer = column.type == "integer" or (ind.kind == "count" and column.key != "growth_2011_2015")
                fmt = self.st.input_number(0 if column.type == "integer" else ind.decimals)
                self._put(ws, row, col, typed.get(column.key), fmt)
                if column.key == "priority":
                    self._validate_number(ws, row, col, True, column.help_vi, 1, 99)
                else:
                    self._validate_number(ws, row, col, integer, column.help_vi)
            else:
                self._put(ws, row, col, typed.get(column.key), self.st.input_cell)

    def _prefilled(self, ind: Indicator) -> dict[str, object]:
        """What the template carries before anyone types: the VSDG code, and for the province's units the
        2016-2020 target where a public source states it (a one-sided target as its single bound). A district
        has its own targets, never the province's: its target cells are left for it to type."""
        values: dict[str, object] = {}
        low, high = ind.target_2020_min, ind.target_2020_max
        if not self.unit.is_district:
            values["target_2020"] = low if low is not None else high
            if low is not None and high is not None and high != low:
                values["target_2020_max"] = high
        if ind.vsdg:
            values["vsdg"] = ind.vsdg
        return values

    def _sections(self, sheet: str, title: str) -> None:
        ws = self._sheet(sheet, landscape=False)
        self._heading(ws, title)
        ws.set_column(L.INFO_KEY_COL, L.INFO_KEY_COL, 14, None, {"hidden": True})
        ws.set_column(L.INFO_LABEL_COL, L.INFO_LABEL_COL, 26)
        ws.set_column(L.INFO_VALUE_COL, L.INFO_VALUE_COL, 80)
        ws.set_column(L.INFO_HELP_COL, L.INFO_HELP_COL, 36)
        ws.write_string(L.LEGEND_ROW, L.INFO_LABEL_COL, "Nội dung", self.st.header)
        ws.write_string(L.LEGEND_ROW, L.INFO_VALUE_COL, "Đánh giá, thuyết minh (ô nhập liệu)", self.st.header)
        ws.write_string(L.LEGEND_ROW, L.INFO_HELP_COL, "Gợi ý nội dung", self.st.header)
        row = L.INFO_FIRST_ROW
        for section in (s for s in L.sections() if s.sheet == sheet):
            ws.write_string(row, L.INFO_KEY_COL, section.key, self.st.key)
            heading = section.heading_vi + (" (bắt buộc)" if section.required else "")
            ws.write_string(row, L.INFO_LABEL_COL, heading, self.st.heading)
            self._put(ws, row, L.INFO_VALUE_COL, self.filling.sections.get(section.key), self.st.input_text)
            ws.write_string(row, L.INFO_HELP_COL, section.guidance_vi, self.st.guidance)
            ws.set_row(row, 120)
            row += 1
        ws.repeat_rows(L.LEGEND_ROW)
        ws.protect("", PROTECTION)

    def _projects(self) -> None:
        ws = self._sheet(L.PROJECTS)
        self._heading(ws, "DANH MỤC DỰ ÁN ĐẦU TƯ CÔNG ĐỀ XUẤT GIAI ĐOẠN 2021-2025")
        columns = L.project_columns()
        first = L.PROJECT_FIRST_COL
        self._legend(ws, first)
        self._hidden_key_row(ws, ["row_key", *(c.key for c in columns)])
        ws.set_column(0, 0, 6, None, {"hidden": True})
        for offset, column in enumerate(columns):
            ws.set_column(first + offset, first + offset, column.width)
            ws.write_string(L.PROJECT_HEADER_ROW, first + offset, column.header_vi, self.st.header)
            ws.write_string(L.PROJECT_NUMBER_ROW, first + offset, f"({offset + 1})", self.st.column_number)
        ws.set_row(L.PROJECT_HEADER_ROW, 48)
        lists = {
            "area": ("Lĩnh vực", f"='{L.LISTS}'!$A$2:$A${len(self.catalog.areas) + 1}"),
            "group": ("Nhóm dự án", list(GROUPS)),
            "status": ("Loại dự án", list(STATUSES)),
        }
        keys = L.project_rows()
        projects = self.filling.projects + [{}] * (len(keys) - len(self.filling.projects))
        for index, (key, typed) in enumerate(zip(keys, projects, strict=True)):
            row = L.PROJECT_FIRST_ROW + index
            ws.write_string(row, 0, key, self.st.key)
            results = derived.project_derived(typed)
            for offset, column in enumerate(columns):
                col = first + offset
                if column.role == "formula":
                    formula = project_formula(column.key, lambda k, r=row: L.project_cell(k, r))
                    self._formula(ws, row, col, formula, self.st.computed_number(0), results[column.key])
                elif column.type == "choice":
                    self._put(ws, row, col, typed.get(column.key), self.st.input_text)
                    title, source = lists[column.key]
                    self.validations.add(
                        ws,
                        row,
                        col,
                        {
                            "validate": "list",
                            "source": source,
                            "input_title": title,
                            "input_message": column.help_vi,
                            "error_title": f"{title} không hợp lệ",
                            "error_message": "Chọn một giá trị trong danh sách.",
                        },
                    )
                elif column.type in ("number", "integer"):
                    self._put(ws, row, col, typed.get(column.key), self.st.input_number(0))
                    if column.key == "priority":
                        self._validate_number(ws, row, col, True, column.help_vi, 1, 999)
                    elif column.type == "integer":
                        self._validate_number(ws, row, col, True, column.help_vi, *PROJECT_YEARS)
                    else:
                        self._validate_number(ws, row, col, False, column.help_vi, 0)
                else:
                    self._put(ws, row, col, typed.get(column.key), self.st.input_text)
        total_row = L.PROJECT_FIRST_ROW + len(keys)
        column_values = {c.key: [{**p, **derived.project_derived(p)}.get(c.key) for p in projects] for c in columns}
        ws.write_string(total_row, 0, L.PROJECT_TOTAL_KEY, self.st.key)
        for offset, column in enumerate(columns):
            col = first + offset
            if column.type == "number":
                span = f"{L.a1(L.PROJECT_FIRST_ROW, col)}:{L.a1(total_row - 1, col)}"
                total = sum(derived.as_number(v) or 0 for v in column_values[column.key])
                self._formula(ws, total_row, col, f"SUM({span})", self.st.computed_number(0, bold=True), total)
            elif offset == 0:
                ws.write_string(total_row, col, "Tổng cộng", self.st.fixed)
            else:
                ws.write_blank(total_row, col, None, self.st.fixed)
        ws.freeze_panes(L.PROJECT_FIRST_ROW, first + 1)
        ws.repeat_rows(L.PROJECT_HEADER_ROW, L.PROJECT_NUMBER_ROW)
        ws.protect("", PROTECTION)

    def _grdp(self) -> None:
        ws = self._sheet(L.GRDP)
        self._heading(ws, "TỔNG SẢN PHẨM TRÊN ĐỊA BÀN (GRDP) GIAI ĐOẠN 2015-2020")
        self._legend(ws, L.GRDP_LABEL_COL)
        self._hidden_key_row(ws, L.grdp_column_keys())
        ws.set_column(0, 0, 10, None, {"hidden": True})
        ws.set_column(L.GRDP_LABEL_COL, L.GRDP_LABEL_COL, 46)
        ws.set_column(L.GRDP_UNIT_COL, L.GRDP_UNIT_COL, 14)
        ws.set_column(L.GRDP_FIRST_YEAR_COL, L.GRDP_AVG_COL, 12)
        headers = ["Chỉ tiêu", "Đơn vị tính", *(f"Năm {y}" for y in L.YEARS_PAST), "Tăng BQ/năm 2016-2020"]
        for offset, text in enumerate(headers):
            ws.write_string(L.GRDP_HEADER_ROW, L.GRDP_LABEL_COL + offset, text, self.st.header)
        ws.set_row(L.GRDP_HEADER_ROW, 32)
        rows = L.grdp_rows(self.catalog)
        numbers = L.grdp_row_numbers(self.catalog)
        sectors = [s.code for s in self.catalog.grdp_sectors]
        results = derived.grdp_derived(self.filling.grdp, sectors, [b for b, _ in L.GRDP_BASES], L.YEARS_PAST)

        def cell(key: str, year: int) -> str:
            return L.a1(numbers[key], L.grdp_year_col(year))

        for grdp_row in rows:
            row = numbers[grdp_row.key]
            ws.write_string(row, 0, grdp_row.key, self.st.key)
            if grdp_row.role == "heading":
                fmt = self.st.area
                ws.merge_range(row, L.GRDP_LABEL_COL, row, L.GRDP_AVG_COL, grdp_row.label_vi, fmt)
                continue
            bold = grdp_row.sector == "total"
            ws.write_string(row, L.GRDP_LABEL_COL, grdp_row.label_vi, self.st.bold if bold else self.st.label)
            ws.write_string(row, L.GRDP_UNIT_COL, grdp_row.unit, self.st.label_center)
            for year in L.YEARS_PAST:
                col = L.grdp_year_col(year)
                formula = self._grdp_cell_formula(grdp_row, year, sectors, cell)
                if grdp_row.role == "input":
                    value = self.filling.grdp.get(grdp_row.key, {}).get(year)
                    self._put(ws, row, col, value, self.st.input_number(1 if grdp_row.key == "population" else 2))
                    self._validate_number(ws, row, col, False, "Nhập số liệu (tỷ đồng; dân số: nghìn người).", 0)
                elif formula is None:
                    ws.write_blank(row, col, None, self.st.computed_number(2))
                elif (grdp_row.key, f"y{year}") in self.filling.overwritten:
                    value = self.filling.overwritten[grdp_row.key, f"y{year}"]
                    self._put(ws, row, col, value, self.st.computed_number(2, bold))
                else:
                    result = results[grdp_row.key].get(year)
                    self._formula(ws, row, col, formula, self.st.computed_number(2, bold), result)
            if grdp_row.role == "growth":
                growth = grdp_average_expr([cell(grdp_row.key, y) for y in L.YEARS_PAST[1:]]).excel()
                result = results[grdp_row.key]["avg"]
                self._formula(ws, row, L.GRDP_AVG_COL, growth, self.st.computed_number(2, bold), result)
            else:
                ws.write_blank(row, L.GRDP_AVG_COL, None, self.st.computed_number(2))
        ws.freeze_panes(L.GRDP_FIRST_ROW, L.GRDP_FIRST_YEAR_COL)
        ws.repeat_rows(L.GRDP_HEADER_ROW)
        ws.protect("", PROTECTION)

    @staticmethod
    def _grdp_cell_formula(
        grdp_row: L.GrdpRow, year: int, sectors: list[str], cell: Callable[[str, int], str]
    ) -> str | None:
        basis, role, sector = grdp_row.basis, grdp_row.role, grdp_row.sector
        expression = grdp_cell_expr(grdp_row.key, role, basis, sector, year, L.YEARS_PAST[0], sectors, cell)
        return None if expression is None else expression.excel()

    def _lists(self) -> None:
        ws = self.wb.add_worksheet(L.LISTS)
        ws.write_string(0, 0, "Lĩnh vực", self.st.bold)
        for row, area in enumerate(self.catalog.areas, start=1):
            ws.write_string(row, 0, area.name_vi)
        ws.hide()
        ws.protect("", PROTECTION)

    def _xlwings_conf(self) -> None:
        ws = self.wb.add_worksheet(L.XLWINGS_CONF)
        ws.set_column(0, 0, 30)
        ws.set_column(1, 1, 60)
        for row, (key, value) in enumerate(conf_rows()):
            ws.write_string(row, 0, key)
            ws.write_string(row, 1, value)
        ws.hide()
        ws.protect("", PROTECTION)
