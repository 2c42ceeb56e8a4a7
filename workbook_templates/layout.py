"""Where everything sits in a standard workbook: the only module that knows sheet names, rows and columns.

The builder writes cells through it, the reader finds them through it, and the contract in
``docs/template-format.md`` describes it. Columns and sections are data (``catalog/*.csv``); this module
turns them, with the catalog, into positions.
"""

from __future__ import annotations

import csv
import itertools
import unicodedata
from dataclasses import dataclass
from functools import cache

from kehoach.workbook_templates.catalog import CATALOG_DIR, Area, Catalog, Indicator, Unit
from kehoach.workbook_templates.styles import AREA_FILL, COMPUTED_FILL, HEADER_FILL, INPUT_FILL
from xlsxwriter.utility import xl_rowcol_to_cell

# Sheet names (Vietnamese, as staff see them).
INSTRUCTIONS = "Hướng dẫn"
UNIT_INFO = "Thông tin đơn vị"
INDICATORS = "Chỉ tiêu"
EVALUATION = "Đánh giá 2016-2020"
PLAN = "Nhiệm vụ 2021-2025"
PROJECTS = "Dự án đầu tư công"
GRDP = "GRDP"
LISTS = "Danh mục"
REPORT = "Kết quả kiểm tra"  # written by the validation button and `kehoach validate --annotate`
XLWINGS_CONF = "xlwings.conf"  # hidden settings read by the xlwings VBA module (macro-enabled templates only)

SECTION_SHEETS = {"evaluation": EVALUATION, "plan": PLAN}
DATA_SHEETS = (UNIT_INFO, INDICATORS, EVALUATION, PLAN, PROJECTS, GRDP)  # the sheets a reader needs

# Workbook-level defined names (the machine-readable contract).
NAME_UNIT_CODE = "kh_unit_code"
NAME_TEMPLATE_ID = "kh_template_id"
NAME_TEMPLATE_VERSION = "kh_template_version"

# Rows are 0-based inside this module and in the builder (XlsxWriter's convention);
# A1 addresses are what people and the reader see.
TITLE_ROW = 0
SUBTITLE_ROW = 1
LEGEND_ROW = 2
KEY_ROW = 3  # hidden row of column keys, directly above the visible header
GROUP_ROW = 4
HEADER_ROW = 5
NUMBER_ROW = 6
FIRST_DATA_ROW = 7
# How the template's sheets are protected (XlsxWriter's options): the builder writes it, the button protects a
# sheet again the same way after writing to it.
PROTECTION = {
    "insert_rows": True,
    "format_columns": True,
    "format_rows": True,
    "autofilter": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}
INDICATOR_PAGE_BREAKS = ("target_2020", "estimate_2020_revalued")  # printed pages start at these columns
INDICATOR_PRINT_SCALE = 62  # the master workbook's; a template's is indicator_print_scale()
INDICATOR_REPEAT_COLUMNS = ("stt", "code", "name", "unit")  # printed at the left of every part

# Printing (A4, margins in inches). The indicator table is printed in parts (INDICATOR_PAGE_BREAKS) at one
# scale, the largest at which its widest part, with the repeated columns, fits the page width: Excel ignores
# manual page breaks on a sheet set to fit to a number of pages.
PAGE_WIDTH, PAGE_HEIGHT = 8.27, 11.69
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = 0.4, 0.6, 0.6
MARGIN_TOP_FORM = 0.7  # room under a form's page header
PRINT_WIDTH_MARGIN = 0.93  # of the page width: LibreOffice draws columns some 5 % wider than Excel
FORM_NUMBERS = {INDICATORS: "01", PROJECTS: "02", GRDP: "03"}  # "Biểu số 01/..." in the printed page header

INFO_FIRST_ROW = 3  # Thông tin đơn vị / section sheets: key in column A (hidden), label B, value C
INFO_KEY_COL, INFO_LABEL_COL, INFO_VALUE_COL, INFO_HELP_COL = 0, 1, 2, 3
INFO_COLUMN_KEYS = ("key", "label", "value", "help")  # the same four columns, by name
STAMP_TIME, STAMP_RESULT, STAMP_FINGERPRINT = "check_time", "check_result", "check_fingerprint"  # unit fields
STAMP_KEYS = (STAMP_TIME, STAMP_RESULT, STAMP_FINGERPRINT)

# The two buttons of a macro-enabled template sit side by side in the row above the table (made taller to
# hold them): above the values on the unit-information sheet, right of the legend on the indicator sheet,
# where the frozen rows keep them in view.
BUTTON_ROW = LEGEND_ROW
BUTTON_ROW_HEIGHT = 30  # points
BUTTON_COLS = {UNIT_INFO: INFO_VALUE_COL, INDICATORS: 3}
BUTTON_WIDTH, BUTTON_HEIGHT, BUTTON_GAP = 170, 30, 12  # pixels, room for a wider substitute font

# The report sheet: a title, summary lines (label from column A, value in column E), then the table of
# findings (header row, one row per finding).
REPORT_TITLE_ROW = 0
REPORT_SUMMARY_ROW = 1
REPORT_SUMMARY_VALUE_COL = 4
REPORT_HEADER_ROW = 6
REPORT_WIDTHS = (6, 10, 7, 20, 8, 10, 110)

PROJECT_ROWS = 50
YEARS_PAST = (2015, 2016, 2017, 2018, 2019, 2020)
YEARS_PLAN = (2021, 2022, 2023, 2024, 2025)


@dataclass(frozen=True)
class Column:
    key: str
    header_vi: str
    role: str  # label | input | formula
    type: str  # text | number | integer | choice | date
    width: float
    help_vi: str = ""
    group_vi: str = ""


@dataclass(frozen=True)
class Field:
    key: str
    label_vi: str
    role: str  # fixed | input | stamp
    type: str
    help_vi: str = ""


@dataclass(frozen=True)
class Section:
    sheet: str
    key: str
    heading_vi: str
    guidance_vi: str
    required: bool


def _read(name: str) -> list[dict[str, str]]:
    with (CATALOG_DIR / name).open(encoding="utf-8", newline="") as handle:
        return [{k: unicodedata.normalize("NFC", v or "") for k, v in row.items()} for row in csv.DictReader(handle)]


@cache
def indicator_columns() -> tuple[Column, ...]:
    return tuple(
        Column(r["key"], r["header_vi"], r["role"], r["type"], float(r["width"]), r["help_vi"], r["group_vi"])
        for r in _read("indicator_columns.csv")
    )


@cache
def indicator_value_columns() -> tuple[Column, ...]:
    """The indicator table's columns after its labels: the inputs and the computed ones."""
    return tuple(c for c in indicator_columns() if c.role != "label")


def project_columns() -> tuple[Column, ...]:
    return tuple(
        Column(r["key"], r["header_vi"], r["role"], r["type"], float(r["width"]), r["help_vi"])
        for r in _read("project_columns.csv")
    )


@cache
def unit_fields() -> tuple[Field, ...]:
    return tuple(Field(r["key"], r["label_vi"], r["role"], r["type"], r["help_vi"]) for r in _read("unit_fields.csv"))


@cache
def sections() -> tuple[Section, ...]:
    return tuple(
        Section(SECTION_SHEETS[r["sheet"]], r["key"], r["heading_vi"], r["guidance_vi"], r["required"] == "yes")
        for r in _read("sections.csv")
    )


def column_index(columns: tuple[Column, ...], key: str) -> int:
    for index, column in enumerate(columns):
        if column.key == key:
            return index
    raise KeyError(key)


def a1(row: int, col: int, absolute: bool = False) -> str:
    return xl_rowcol_to_cell(row, col, row_abs=absolute, col_abs=absolute)


# --- Indicator sheet -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    row: int  # 0-based sheet row
    area: Area | None = None  # an area heading row
    indicator: Indicator | None = None


def indicator_rows(catalog: Catalog, unit: Unit) -> tuple[TableRow, ...]:
    """The rows of a unit's indicator table as built: an area heading, then that area's indicators."""
    rows: list[TableRow] = []
    current = None
    row = FIRST_DATA_ROW
    for indicator in catalog.indicators_for(unit):
        if indicator.area != current:
            current = indicator.area
            rows.append(TableRow(row, area=catalog.area(current)))
            row += 1
        rows.append(TableRow(row, indicator=indicator))
        row += 1
    return tuple(rows)


def roman(n: int) -> str:
    """The official numbering of a task area (I, II, ... XIX)."""
    out = ""
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def indicator_cell(key: str, row: int) -> str:
    return a1(row, column_index(indicator_columns(), key))


# --- Project sheet ---------------------------------------------------------------------------------
# Column A holds a hidden row key (p01 ... p50, total); the project columns start at B.

PROJECT_FIRST_COL = 1
PROJECT_HEADER_ROW = KEY_ROW + 1
PROJECT_NUMBER_ROW = KEY_ROW + 2
PROJECT_FIRST_ROW = KEY_ROW + 3
PROJECT_TOTAL_KEY = "total"


def takes_input(indicator: Indicator, key: str) -> bool:
    """Whether ``indicator``'s row takes an input in column ``key``: the revalued 2020 figure only for the
    indicators that depend on GRDP (elsewhere the cell is shaded and locked)."""
    return key != "estimate_2020_revalued" or indicator.revalued


def project_rows() -> tuple[str, ...]:
    return tuple(f"p{n:02d}" for n in range(1, PROJECT_ROWS + 1))


def project_cell(key: str, row: int) -> str:
    return a1(row, PROJECT_FIRST_COL + column_index(project_columns(), key))


# --- GRDP sheet ------------------------------------------------------------------------------------
# Column A: hidden row key; B label; C unit; then one column per year 2015-2020, then the 2016-2020 average.

GRDP_BASES = (
    ("old", "Số liệu chưa đánh giá lại quy mô (dùng để đánh giá 2016-2020)"),
    ("revalued", "Số liệu đã đánh giá lại quy mô (dùng để xây dựng kế hoạch 2021-2025)"),
)
GRDP_LABEL_COL, GRDP_UNIT_COL, GRDP_FIRST_YEAR_COL = 1, 2, 3
GRDP_AVG_COL = GRDP_FIRST_YEAR_COL + len(YEARS_PAST)
GRDP_HEADER_ROW = KEY_ROW + 1
GRDP_FIRST_ROW = KEY_ROW + 2


@dataclass(frozen=True)
class GrdpRow:
    key: str  # e.g. "revalued.constant.agri"
    label_vi: str
    unit: str
    role: str  # heading | input | total | share | growth | contribution | per_capita
    basis: str = ""
    sector: str = ""  # sector code, or "total"


def grdp_rows(catalog: Catalog) -> tuple[GrdpRow, ...]:
    sectors = catalog.grdp_sectors
    rows = [GrdpRow("population", "Dân số trung bình", "nghìn người", "input")]
    for basis, title in GRDP_BASES:
        rows.append(GrdpRow(basis, title, "", "heading", basis))
        rows.append(GrdpRow(f"{basis}.current", "GRDP theo giá hiện hành", "", "heading", basis))
        rows += [GrdpRow(f"{basis}.current.{s.code}", s.name_vi, "tỷ đồng", "input", basis, s.code) for s in sectors]
        rows.append(GrdpRow(f"{basis}.current.total", "Tổng GRDP (giá hiện hành)", "tỷ đồng", "total", basis, "total"))
        rows.append(GrdpRow(f"{basis}.share", "Cơ cấu kinh tế (giá hiện hành)", "", "heading", basis))
        rows += [GrdpRow(f"{basis}.share.{s.code}", s.name_vi, "%", "share", basis, s.code) for s in sectors]
        rows.append(GrdpRow(f"{basis}.constant", "GRDP theo giá so sánh 2010", "", "heading", basis))
        rows += [GrdpRow(f"{basis}.constant.{s.code}", s.name_vi, "tỷ đồng", "input", basis, s.code) for s in sectors]
        rows.append(
            GrdpRow(f"{basis}.constant.total", "Tổng GRDP (giá so sánh 2010)", "tỷ đồng", "total", basis, "total")
        )
        rows.append(GrdpRow(f"{basis}.growth", "Tốc độ tăng (giá so sánh 2010)", "", "heading", basis))
        rows.append(GrdpRow(f"{basis}.growth.total", "Tốc độ tăng GRDP", "%", "growth", basis, "total"))
        rows += [GrdpRow(f"{basis}.growth.{s.code}", s.name_vi, "%", "growth", basis, s.code) for s in sectors]
        rows.append(GrdpRow(f"{basis}.contribution", "Đóng góp vào tăng trưởng GRDP", "", "heading", basis))
        rows += [
            GrdpRow(f"{basis}.contribution.{s.code}", s.name_vi, "điểm %", "contribution", basis, s.code)
            for s in sectors
        ]
        rows.append(
            GrdpRow(
                f"{basis}.per_capita",
                "GRDP bình quân đầu người (giá hiện hành)",
                "triệu đồng/người",
                "per_capita",
                basis,
                "total",
            )
        )
    return tuple(rows)


def grdp_row_numbers(catalog: Catalog) -> dict[str, int]:
    return {r.key: GRDP_FIRST_ROW + i for i, r in enumerate(grdp_rows(catalog))}


def grdp_year_col(year: int) -> int:
    return GRDP_FIRST_YEAR_COL + YEARS_PAST.index(year)


def grdp_column_keys() -> tuple[str, ...]:
    return ("row_key", "label", "unit", *(f"y{y}" for y in YEARS_PAST), "avg_2016_2020")


# --- The fill each template cell has -----------------------------------------------------------------
# A check colours the cells it marks; clearing the marks puts back the fill the template gave each cell. That
# fill is derived from where the cell is, not read back (the remote engine cannot read colours), and a test
# holds it equal to what the builder writes.

_ROLE_FILLS = {"input": INPUT_FILL, "formula": COMPUTED_FILL}
_INFO_FILLS = {"fixed": AREA_FILL, "stamp": COMPUTED_FILL, "input": INPUT_FILL}


def template_fill(catalog: Catalog, sheet: str, row_key: str, column_key: str) -> str | None:
    """The fill colour the template gives the cell of ``sheet`` in the row keyed ``row_key`` (field, section,
    indicator code, project row or GRDP row key) and the column keyed ``column_key`` (as the hidden key row
    names it, or one of INFO_COLUMN_KEYS); None for no fill or a cell the template does not key."""
    if sheet == UNIT_INFO:
        roles = {f.key: f.role for f in unit_fields()}
        return _INFO_FILLS.get(roles.get(row_key, "")) if column_key == "value" else None
    if sheet in SECTION_SHEETS.values():
        if row_key not in {s.key for s in sections() if s.sheet == sheet}:
            return None
        return {"label": HEADER_FILL, "value": INPUT_FILL}.get(column_key)
    if sheet == INDICATORS:
        roles = {c.key: c.role for c in indicator_columns()}
        if not catalog.has_indicator(row_key):
            return None
        if not takes_input(catalog.indicator(row_key), column_key):
            return AREA_FILL
        return _ROLE_FILLS.get(roles.get(column_key, ""))
    if sheet == PROJECTS:
        columns = {c.key: c for c in project_columns()}
        if column_key not in columns:
            return None
        if row_key == PROJECT_TOTAL_KEY:
            return COMPUTED_FILL if columns[column_key].type == "number" else AREA_FILL
        return _ROLE_FILLS.get(columns[column_key].role) if row_key in project_rows() else None
    if sheet == GRDP:
        row = next((r for r in grdp_rows(catalog) if r.key == row_key), None)
        if row is None or column_key not in grdp_column_keys() or column_key == "row_key":
            return None
        if row.role == "heading":
            return AREA_FILL
        if column_key in ("label", "unit"):
            return None
        return INPUT_FILL if row.role == "input" and column_key != "avg_2016_2020" else COMPUTED_FILL
    return None


# --- Printing --------------------------------------------------------------------------------------


def column_points(width: float) -> float:
    """The printed width in points of a column of ``width`` characters (Excel's default font, Calibri 11:
    seven pixels a character and five of padding, at 96 pixels to the inch)."""
    return (int(width * 7 + 0.5) + 5) * 0.75 if width >= 1 else int(width * 12 + 0.5) * 0.75


def printable_points(landscape: bool) -> float:
    width = PAGE_HEIGHT if landscape else PAGE_WIDTH
    return (width - 2 * MARGIN_SIDE) * 72


def indicator_print_parts(columns: tuple[Column, ...]) -> list[tuple[int, ...]]:
    """The columns printed on each part of the indicator table, the repeated ones first."""
    repeated = tuple(column_index(columns, key) for key in INDICATOR_REPEAT_COLUMNS)
    starts = [len(repeated), *(column_index(columns, key) for key in INDICATOR_PAGE_BREAKS), len(columns)]
    return [repeated + tuple(range(a, b)) for a, b in itertools.pairwise(starts) if b > a]


def indicator_print_scale(columns: tuple[Column, ...]) -> int:
    """The largest whole percentage (at most 100) at which every part fits the width of a landscape A4 page,
    with PRINT_WIDTH_MARGIN to spare."""
    widest = max(sum(column_points(columns[c].width) for c in part) for part in indicator_print_parts(columns))
    return min(100, int(printable_points(landscape=True) * PRINT_WIDTH_MARGIN * 100 / widest))
