"""Build the standard workbook of a unit from the catalog and the layout (XlsxWriter).

A path ending in .xlsm gives the template staff receive: it embeds the VBA project of the validation buttons
(``vba_project.py``), the buttons themselves and the hidden ``xlwings.conf`` sheet. A path ending in .xlsx gives
the same workbook without them (sample and test submissions).

The same catalog always gives the same workbook: no clock, no randomness, fixed document properties.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
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
from kehoach.workbook_templates.styles import FONT, LINE_HEIGHT, Styles, text_lines
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
NUMBER_LIMIT = 1e15
BOLD_WIDTH = 0.9  # bold text: the share of a column's width it may count on
TITLES = {
    L.INDICATORS: "BIỂU CHỈ TIÊU KẾ HOẠCH PHÁT TRIỂN KINH TẾ - XÃ HỘI 5 NĂM 2021-2025",
    L.PROJECTS: "DANH MỤC DỰ ÁN ĐẦU TƯ CÔNG ĐỀ XUẤT GIAI ĐOẠN 2021-2025",
    L.GRDP: "TỔNG SẢN PHẨM TRÊN ĐỊA BÀN (GRDP) GIAI ĐOẠN 2015-2020",
}
MAX_ROW_HEIGHT = 409  # points, Excel's limit
INDICATOR_MIN_LINES = 2  # room to write a short cause or note by hand or in Excel
PROJECT_MIN_LINES = 2
SECTION_MIN_LINES = 12  # an empty narrative section: room to start writing, on screen and on paper
# Column widths (characters) of the sheets whose columns are not in the catalog.
SECTION_WIDTH = 80
INSTRUCTIONS_WIDTH = 100
INFO_HELP_WIDTH = 50
GRDP_LABEL_WIDTH, GRDP_UNIT_WIDTH, GRDP_YEAR_WIDTH = 46, 16, 12
# The growth columns are shared by all kinds of indicator; a count's "growth" is its five-year increase.
GROWTH_COLUMNS = ("growth_2011_2015", "growth_2016_2020", "growth_2021_2025")
GROWTH_MARK = " (*)"
GROWTH_NOTE = (
    "(*) Cột «Tăng BQ/năm»: chỉ tiêu Tuyệt đối, Tốc độ: tốc độ tăng bình quân năm (%/năm); chỉ tiêu Tỷ lệ: "
    "mức tăng bình quân năm (điểm %/năm); chỉ tiêu Lũy kế (chỉ tiêu đếm): mức tăng cả giai đoạn 5 năm, "
    "tính theo đơn vị tính của chỉ tiêu."
)
PLACE_DATE = "…………, ngày …… tháng …… năm 2020"
SIGNERS = (  # (unit field holding the name, title, hint), left to right, as in Nghị định 30/2020
    ("preparer", "NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"),
    ("head", "THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)"),
)
SIGNATURE_LINES = 4  # lines left blank for the signatures, above the names
TEXTS = Path(__file__).with_name("texts")


def row_height(lines: int) -> float:
    return min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines)


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
    workbook = xlsxwriter.Workbook(
        str(tmp),
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            # The Normal style's font sets the unit of column widths: Times New Roman (seven pixels a digit at
            # 11 points, as Calibri) is on every office machine, and LibreOffice has its metric twin
            # (Liberation Serif), so a page prints the same width in both; Calibri it would replace by a wider
            # font and print the table at another scale.
            "default_format_properties": {"font_name": FONT, "font_size": 11},
        },
    )
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

    def _sheet(self, name: str, landscape: bool = True, unit_line: str = "") -> Worksheet:
        """A sheet set up for A4, fit to the page width. A form's page header (Nghị định 30/2020 style) gives on
        every page its number, its title and the unit of measure, and the footer the reporting unit, the sheet
        and the page number: a page of a table printed in parts says what it is, and the form prints from its
        header rows (the title in the sheet's first rows would be cut at the repeated columns)."""
        ws = self.wb.add_worksheet(name)
        ws.set_paper(9)  # A4
        if landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        top = L.MARGIN_TOP_FORM if name in L.FORM_NUMBERS else L.MARGIN_TOP
        ws.set_margins(left=L.MARGIN_SIDE, right=L.MARGIN_SIDE, top=top, bottom=L.MARGIN_BOTTOM)
        # Header and footer text takes the Normal style's font (Times New Roman); &B and &I switch bold and
        # italic on and off, &9 sets the size (Excel allows 255 characters with the codes).
        unit_name = self.unit.name_vi.replace("&", "&&")
        if name in L.FORM_NUMBERS:
            # One line (openpyxl would write a line break as "_x000a_"): the reporting unit, the title, the
            # form's number and unit of measure; sized to fit a landscape page side by side.
            form = f"Biểu số {L.FORM_NUMBERS[name]}/{self.catalog.template.id}"
            ws.set_header(f"&L&B&9{unit_name}&B&C&B&10{TITLES[name]}&B&R&I&8{form}. {unit_line}&I")
        ws.set_footer(f"&L&8{unit_name} ({self.unit.code})&C&8&A&R&8Trang &P/&N")
        ws.fit_to_pages(1, 0)
        return ws

    def _column_title(self, column: L.Column) -> str:
        return column.header_vi + (GROWTH_MARK if column.key in GROWTH_COLUMNS else "")

    def _signatures(self, ws: Worksheet, row: int, blocks: tuple[tuple[int, int], ...]) -> int:
        """The signature block (Người lập biểu, Thủ trưởng đơn vị, the place and date line over the head's) in
        the one row ``row``, so that no page break splits it: each signer a wrapped cell over the columns of
        one of ``blocks``, ending with the name typed on the unit-information sheet. Returns ``row``."""
        fields = {f.key: L.INFO_FIRST_ROW + i for i, f in enumerate(L.unit_fields())}
        for index, ((key, title, hint), (first, last)) in enumerate(zip(SIGNERS, blocks, strict=True)):
            top = PLACE_DATE if index == len(SIGNERS) - 1 else ""
            lines = [top, title, hint, *[""] * SIGNATURE_LINES]
            source = f"'{L.UNIT_INFO}'!{L.a1(fields[key], L.INFO_VALUE_COL, absolute=True)}"
            formula = "&CHAR(10)&".join(f'"{line}"' for line in lines) + f'&CHAR(10)&IF({source}="","",{source})'
            name = self.filling.info.get(key)
            result = "\n".join([*lines, "" if name is None else str(name)])
            if first < last:
                ws.merge_range(row, first, row, last, None, self.st.signature)
            self._formula(ws, row, first, formula, self.st.signature, result)
        ws.set_row(row, LINE_HEIGHT * (4 + SIGNATURE_LINES))
        return row

    @staticmethod
    def _merge(ws: Worksheet, row: int, first: int, last: int, text: str, fmt: Format) -> None:
        if first < last:
            ws.merge_range(row, first, row, last, text, fmt)
        else:
            ws.write_string(row, first, text, fmt)

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
        ws.set_column(0, 0, INSTRUCTIONS_WIDTH, self.st.text)
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
                ws.set_row(row, row_height(text_lines(line, INSTRUCTIONS_WIDTH)))
        ws.protect("", L.PROTECTION)

    def _unit_info(self) -> None:
        ws = self._sheet(L.UNIT_INFO, landscape=False)
        self._heading(ws, "THÔNG TIN ĐƠN VỊ BÁO CÁO")
        ws.set_column(L.INFO_KEY_COL, L.INFO_KEY_COL, 14, None, {"hidden": True})
        ws.set_column(L.INFO_LABEL_COL, L.INFO_LABEL_COL, 34)
        ws.set_column(L.INFO_VALUE_COL, L.INFO_VALUE_COL, 50)
        ws.set_column(L.INFO_HELP_COL, L.INFO_HELP_COL, INFO_HELP_WIDTH)
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
                ws.set_row(row, row_height(text_lines(field.help_vi, INFO_HELP_WIDTH)))
            if field.key in names:
                self._define(names[field.key], L.UNIT_INFO, row, L.INFO_VALUE_COL)
        self._buttons(ws, L.UNIT_INFO)
        ws.protect("", L.PROTECTION)

    def _indicators(self) -> None:
        columns = L.indicator_columns()
        unit_number = L.column_index(columns, "unit") + 1
        ws = self._sheet(L.INDICATORS, unit_line=f"Đơn vị tính: ghi tại cột ({unit_number})")
        self._heading(ws, TITLES[L.INDICATORS])
        self._legend(ws, 1)
        self._hidden_key_row(ws, [c.key for c in columns])
        for col, column in enumerate(columns):
            ws.set_column(col, col, column.width)
            ws.write_string(L.HEADER_ROW, col, self._column_title(column), self.st.header)
            ws.write_string(L.NUMBER_ROW, col, f"({col + 1})", self.st.column_number)
        self._group_headers(ws, columns)
        rows = L.indicator_rows(self.catalog, self.unit)
        area_number = number = 0
        for table_row in rows:
            if table_row.area:
                self._area_row(ws, table_row.row, L.roman(area_number + 1), table_row.area.name_vi, columns)
                area_number, number = area_number + 1, 0
            else:
                number += 1
                self._indicator_row(ws, table_row.row, table_row.indicator, columns, number)
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
        end = self._indicator_footer(ws, last, columns)
        ws.freeze_panes(L.FIRST_DATA_ROW, L.column_index(columns, "unit"))
        # Too wide for one A4 page: print in parts (past, evaluation, plan) at the scale that fits the widest
        # to the page width, the header rows and the code, name and unit columns on every page.
        ws.repeat_rows(L.GROUP_ROW, L.NUMBER_ROW)
        ws.fit_to_pages(0, 0)
        ws.set_print_scale(L.indicator_print_scale(columns))
        repeated = [L.column_index(columns, key) for key in L.INDICATOR_REPEAT_COLUMNS]
        ws.repeat_columns(min(repeated), max(repeated))
        ws.set_v_pagebreaks([L.column_index(columns, key) for key in L.INDICATOR_PAGE_BREAKS])
        ws.print_area(L.GROUP_ROW, 0, end, len(columns) - 1)
        ws.autofilter(L.NUMBER_ROW, 0, last, len(columns) - 1)
        self._buttons(ws, L.INDICATORS)
        ws.protect("", L.PROTECTION)

    def _area_row(self, ws: Worksheet, row: int, number: str, name: str, columns: tuple[L.Column, ...]) -> None:
        """An area heading: its name wrapped over the repeated columns, so that every printed part shows it
        whole, the rest of the row shaded."""
        last = max(L.column_index(columns, key) for key in L.INDICATOR_REPEAT_COLUMNS)
        name_col = L.column_index(columns, "name")
        ws.write_string(row, L.column_index(columns, "stt"), number, self.st.area)
        ws.write_blank(row, L.column_index(columns, "code"), None, self.st.area)  # a heading has no code
        self._merge(ws, row, name_col, last, name, self.st.area_wrap)
        # The shaded rest of the row, merged within each printed part (a merge across a page break prints
        # its shade past the page's last column).
        bounds = [last + 1, *(L.column_index(columns, key) for key in L.INDICATOR_PAGE_BREAKS), len(columns)]
        for first, end in itertools.pairwise(sorted(set(bounds))):
            if first < end:
                self._merge(ws, row, first, end - 1, "", self.st.area)
        width = sum(c.width for c in columns[name_col : last + 1]) * BOLD_WIDTH
        ws.set_row(row, row_height(text_lines(name, width)))

    def _indicator_footer(self, ws: Worksheet, last: int, columns: tuple[L.Column, ...]) -> int:
        """Below the table: the note on the growth columns (in the repeated columns, so that it prints under
        every part) and the signature block (under the last part). Returns the last row written."""
        name, unit = L.column_index(columns, "name"), L.column_index(columns, "unit")
        note_row = last + 2
        self._merge(ws, note_row, name, unit, GROWTH_NOTE, self.st.footnote)
        width = sum(columns[c].width for c in range(name, unit + 1))
        ws.set_row(note_row, row_height(text_lines(GROWTH_NOTE, width)))
        part = L.indicator_print_parts(columns)[-1][len(L.INDICATOR_REPEAT_COLUMNS) :]
        middle = len(part) // 2
        blocks = ((part[0], part[middle - 1]), (part[middle], part[-1]))
        return self._signatures(ws, note_row + 2, blocks)

    def _group_headers(self, ws: Worksheet, columns: tuple[L.Column, ...]) -> None:
        """The group row over the column titles, both rows as tall as their longest wrapped text."""
        group_lines, title_lines, merged_lines = [2], [3], [0]
        start = 0
        for col in range(1, len(columns) + 1):
            if col < len(columns) and columns[col].group_vi == columns[start].group_vi:
                continue
            group = columns[start].group_vi
            width = sum(c.width for c in columns[start:col]) * BOLD_WIDTH
            titles = [text_lines(self._column_title(c), c.width * BOLD_WIDTH) for c in columns[start:col]]
            if group and col - 1 > start:
                ws.merge_range(L.GROUP_ROW, start, L.GROUP_ROW, col - 1, group, self.st.header)
            elif group:
                ws.write_string(L.GROUP_ROW, start, group, self.st.header)
            else:
                for c in range(start, col):
                    ws.merge_range(L.GROUP_ROW, c, L.HEADER_ROW, c, self._column_title(columns[c]), self.st.header)
                merged_lines += titles
                start = col
                continue
            group_lines.append(text_lines(group, width))
            title_lines += titles
            start = col
        groups, titles = max(group_lines), max(max(title_lines), max(merged_lines) - max(group_lines))
        ws.set_row(L.GROUP_ROW, row_height(groups))
        ws.set_row(L.HEADER_ROW, row_height(titles))

    def _indicator_row(
        self, ws: Worksheet, row: int, ind: Indicator, columns: tuple[L.Column, ...], number: int
    ) -> None:
        def ref(key: str) -> str:
            return L.indicator_cell(key, row)

        labels = {
            "stt": str(number),
            "code": ind.code,
            "name": ind.name_vi,
            "unit": ind.unit,
            "kind": KIND_LABELS[ind.kind],
            "target_kind": ind.target_label,
        }
        typed = {**self._prefilled(ind), **self.filling.indicators.get(ind.code, {})}
        ws.set_row(row, self._indicator_row_height(columns, {**typed, **labels}))
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
                # whole things are typed whole, but not a growth, nor a target that is a growth or a change
                target = column.key.startswith("target")
                level = column.key not in GROWTH_COLUMNS and (ind.target_is_level or not target)
                integer = column.type == "integer" or (ind.whole and level)
                # A growth is shown as the computed growth columns are (6.89, not "7" at a count's decimals).
                decimals = 2 if column.key in GROWTH_COLUMNS else ind.decimals
                fmt = self.st.input_whole() if column.type == "integer" else self.st.input_number(decimals)
                self._put(ws, row, col, typed.get(column.key), fmt)
                if column.key == "priority":
                    self._validate_number(ws, row, col, True, column.help_vi, 1, 99)
                else:
                    self._validate_number(ws, row, col, integer, column.help_vi)
            else:
                self._put(ws, row, col, typed.get(column.key), self.st.input_cell)

    @staticmethod
    def _indicator_row_height(columns: tuple[L.Column, ...], texts: dict[str, object]) -> float:
        """Tall enough for every wrapped text of the row (labels, causes, notes), and for at least
        INDICATOR_MIN_LINES lines."""
        wrapped = [(c, texts.get(c.key)) for c in columns if c.type == "text" and c.role != "formula"]
        lines = [text_lines(value, c.width) for c, value in wrapped if isinstance(value, str) and value]
        return row_height(max([INDICATOR_MIN_LINES, *lines]))

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
        ws.set_column(L.INFO_VALUE_COL, L.INFO_VALUE_COL, SECTION_WIDTH)
        ws.set_column(L.INFO_HELP_COL, L.INFO_HELP_COL, 36)
        ws.write_string(L.LEGEND_ROW, L.INFO_LABEL_COL, "Nội dung", self.st.header)
        ws.write_string(L.LEGEND_ROW, L.INFO_VALUE_COL, "Đánh giá, thuyết minh (ô nhập liệu)", self.st.header)
        ws.write_string(L.LEGEND_ROW, L.INFO_HELP_COL, "Gợi ý nội dung", self.st.header)
        row = L.INFO_FIRST_ROW
        for section in (s for s in L.sections() if s.sheet == sheet):
            ws.write_string(row, L.INFO_KEY_COL, section.key, self.st.key)
            heading = section.heading_vi + (" (bắt buộc)" if section.required else "")
            ws.write_string(row, L.INFO_LABEL_COL, heading, self.st.heading)
            text = self.filling.sections.get(section.key)
            self._put(ws, row, L.INFO_VALUE_COL, text, self.st.input_text)
            ws.write_string(row, L.INFO_HELP_COL, section.guidance_vi, self.st.guidance)
            # A row sized to its text, with room to go on writing (Excel keeps a height a program set).
            lines = text_lines(text, SECTION_WIDTH) + 3 if isinstance(text, str) and text else 0
            ws.set_row(row, row_height(max(SECTION_MIN_LINES, lines)))
            row += 1
        ws.repeat_rows(L.LEGEND_ROW)
        # The printed report is the headings and the text; the writing hints stay on screen.
        ws.print_area(L.TITLE_ROW, L.INFO_LABEL_COL, row - 1, L.INFO_VALUE_COL)
        ws.protect("", L.PROTECTION)

    def _projects(self) -> None:
        ws = self._sheet(L.PROJECTS, unit_line="Đơn vị tính: triệu đồng")
        self._heading(ws, TITLES[L.PROJECTS])
        columns = L.project_columns()
        first = L.PROJECT_FIRST_COL
        self._legend(ws, first)
        self._hidden_key_row(ws, ["row_key", *(c.key for c in columns)])
        ws.set_column(0, 0, 6, None, {"hidden": True})
        for offset, column in enumerate(columns):
            ws.set_column(first + offset, first + offset, column.width)
            ws.write_string(L.PROJECT_HEADER_ROW, first + offset, column.header_vi, self.st.header)
            ws.write_string(L.PROJECT_NUMBER_ROW, first + offset, f"({offset + 1})", self.st.column_number)
        ws.set_row(L.PROJECT_HEADER_ROW, row_height(max(text_lines(c.header_vi, c.width) for c in columns)))
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
            texts = [text_lines(typed[c.key], c.width) for c in columns if isinstance(typed.get(c.key), str)]
            ws.set_row(row, row_height(max([PROJECT_MIN_LINES, *texts])))
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
                    fmt = self.st.input_whole() if column.type == "integer" else self.st.input_number(0)
                    self._put(ws, row, col, typed.get(column.key), fmt)
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
        middle = len(columns) // 2
        blocks = ((first, first + 1), (first + middle, first + len(columns) - 1))
        end = self._signatures(ws, total_row + 2, blocks)
        ws.freeze_panes(L.PROJECT_FIRST_ROW, first + 1)
        ws.repeat_rows(L.PROJECT_HEADER_ROW, L.PROJECT_NUMBER_ROW)
        ws.print_area(L.PROJECT_HEADER_ROW, first, end, first + len(columns) - 1)
        ws.protect("", L.PROTECTION)

    def _grdp(self) -> None:
        ws = self._sheet(L.GRDP, unit_line="Đơn vị tính: ghi tại cột «Đơn vị tính»")
        self._heading(ws, TITLES[L.GRDP])
        self._legend(ws, L.GRDP_LABEL_COL)
        self._hidden_key_row(ws, L.grdp_column_keys())
        ws.set_column(0, 0, 10, None, {"hidden": True})
        widths = (GRDP_LABEL_WIDTH, GRDP_UNIT_WIDTH, *[GRDP_YEAR_WIDTH] * (len(L.YEARS_PAST) + 1))
        for offset, width in enumerate(widths):
            ws.set_column(L.GRDP_LABEL_COL + offset, L.GRDP_LABEL_COL + offset, width)
        headers = ["Chỉ tiêu", "Đơn vị tính", *(f"Năm {y}" for y in L.YEARS_PAST), "Tăng BQ/năm 2016-2020"]
        for offset, text in enumerate(headers):
            ws.write_string(L.GRDP_HEADER_ROW, L.GRDP_LABEL_COL + offset, text, self.st.header)
        lines = [text_lines(text, width * BOLD_WIDTH) for text, width in zip(headers, widths, strict=True)]
        ws.set_row(L.GRDP_HEADER_ROW, row_height(max(lines)))
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
            lines = (text_lines(grdp_row.label_vi, GRDP_LABEL_WIDTH), text_lines(grdp_row.unit, GRDP_UNIT_WIDTH))
            if max(lines) > 1:
                ws.set_row(row, row_height(max(lines)))
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
        last = max(numbers.values())
        blocks = ((L.GRDP_LABEL_COL, L.GRDP_LABEL_COL), (L.grdp_year_col(L.YEARS_PAST[3]), L.GRDP_AVG_COL))
        end = self._signatures(ws, last + 2, blocks)
        ws.freeze_panes(L.GRDP_FIRST_ROW, L.GRDP_FIRST_YEAR_COL)
        ws.repeat_rows(L.GRDP_HEADER_ROW)
        ws.print_area(L.GRDP_HEADER_ROW, L.GRDP_LABEL_COL, end, L.GRDP_AVG_COL)
        ws.protect("", L.PROTECTION)

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
        ws.protect("", L.PROTECTION)

    def _xlwings_conf(self) -> None:
        ws = self.wb.add_worksheet(L.XLWINGS_CONF)
        ws.set_column(0, 0, 30)
        ws.set_column(1, 1, 60)
        for row, (key, value) in enumerate(conf_rows()):
            ws.write_string(row, 0, key)
            ws.write_string(row, 1, value)
        ws.hide()
        ws.protect("", L.PROTECTION)
