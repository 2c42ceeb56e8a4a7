"""Structure: is this the standard workbook of a known unit, with its sheets, columns and rows intact?"""

from __future__ import annotations

from collections.abc import Iterator

from kehoach.validators.context import Context, as_number
from kehoach.validators.contract import CellRef, clean_code
from kehoach.validators.findings import ERROR, WARNING, Hit
from kehoach.validators.registry import rule
from kehoach.validators.schemas import missing_columns
from kehoach.validators.workbook import UnreadableWorkbook, a1, rowcol
from kehoach.workbook_templates import layout as L


def _required_sheets(ctx: Context) -> list[str]:
    sheets = [L.UNIT_INFO, L.INDICATORS, L.EVALUATION, L.PLAN, L.PROJECTS]
    if ctx.sub.unit and "grdp" in ctx.sub.unit.extra_sheets:
        sheets.append(L.GRDP)
    return sheets


@rule(
    "S001",
    ERROR,
    "Không phải biểu mẫu chuẩn",
    "Mã biểu mẫu là «{found}», không phải biểu mẫu chuẩn «{expected}». Hãy nhập số liệu vào biểu mẫu chuẩn "
    "do Sở Kế hoạch và Đầu tư phát hành.",
    "Not the standard template",
    "Template id is «{found}», not the standard «{expected}». Enter the data in the standard template.",
    values=("found", "expected"),
)
def template_id(ctx: Context) -> Iterator[Hit]:
    """The workbook carries the standard template id (defined name kh_template_id)."""
    value, ref = ctx.sub.identity[L.NAME_TEMPLATE_ID]
    if value != ctx.catalog.template.id:
        yield Hit.at(ref, found=value, expected=ctx.catalog.template.id)


@rule(
    "S002",
    ERROR,
    "Phiên bản biểu mẫu không đúng",
    "Biểu mẫu phiên bản «{found}», phiên bản đang dùng là «{expected}». Hãy chép số liệu sang biểu mẫu phiên "
    "bản {expected}.",
    "Wrong template version",
    "Template version «{found}», the current version is «{expected}». Copy the data into version {expected}.",
    values=("found", "expected"),
)
def template_version(ctx: Context) -> Iterator[Hit]:
    """The template version (defined name kh_template_version) is the one the catalog describes."""
    template_ok = ctx.sub.identity[L.NAME_TEMPLATE_ID][0] == ctx.catalog.template.id
    value, ref = ctx.sub.identity[L.NAME_TEMPLATE_VERSION]
    found = value if isinstance(value, str) else (f"{value:g}" if as_number(value) is not None else value)
    if template_ok and found != ctx.catalog.template.version:
        yield Hit.at(ref, found=found, expected=ctx.catalog.template.version)


@rule(
    "S003",
    ERROR,
    "Thiếu trang",
    "Thiếu trang «{sheet}» (có thể đã bị xóa hoặc đổi tên). Hãy khôi phục trang này từ biểu mẫu gốc.",
    "Missing sheet",
    "Sheet «{sheet}» is missing (deleted or renamed). Restore it from the original template.",
    values=("sheet",),
)
def missing_sheet(ctx: Context) -> Iterator[Hit]:
    """Every sheet of the template is present under its name."""
    for sheet in _required_sheets(ctx):
        if sheet not in ctx.sub.book.sheets:
            yield Hit.on_sheet(sheet, sheet=sheet)


@rule(
    "S004",
    ERROR,
    "Thiếu cột",
    "Trang «{sheet}» thiếu cột «{column}» (dòng khóa ẩn bị xóa hoặc cột bị xóa). Hãy khôi phục từ biểu mẫu gốc.",
    "Missing column",
    "Sheet «{sheet}» lacks column «{column}» (its hidden key was deleted). Restore it from the original template.",
    values=("sheet", "column"),
)
def missing_column(ctx: Context) -> Iterator[Hit]:
    """Each table sheet keeps its hidden key row and every column key of the layout (a pandera schema of
    required columns)."""
    tables = [
        (L.INDICATORS, ctx.sub.indicators, [c.key for c in L.indicator_columns()]),
        (L.PROJECTS, ctx.sub.projects, ["row_key", *(c.key for c in L.project_columns())]),
        (L.GRDP, ctx.sub.grdp, list(L.grdp_column_keys())),
    ]
    for sheet, table, keys in tables:
        if table is None:
            continue
        for column in missing_columns(list(table.columns), keys):
            yield Hit.on_sheet(sheet, sheet=sheet, column=column)


@rule(
    "S005",
    ERROR,
    "Thiếu dòng chỉ tiêu",
    "Thiếu dòng chỉ tiêu {indicator} «{name}» (có thể đã bị xóa). Hãy khôi phục dòng này từ biểu mẫu gốc.",
    "Indicator row missing",
    "Row of indicator {indicator} «{name}» is missing (deleted?). Restore it from the original template.",
    values=("name",),
)
def indicator_row_missing(ctx: Context) -> Iterator[Hit]:
    """Every indicator of the unit has its row in the table (found by its code, wherever it is)."""
    if ctx.sub.indicators is None or "code" not in ctx.sub.indicators.columns:
        return
    for indicator in ctx.sub.expected_indicators():
        if indicator.code not in ctx.sub.indicator_rows and indicator.code not in ctx.sub.stray_codes:
            yield Hit.on_sheet(L.INDICATORS, indicator.code, name=indicator.name_vi)


@rule(
    "S006",
    ERROR,
    "Dòng chỉ tiêu bị trùng",
    "Chỉ tiêu {indicator} xuất hiện lần nữa ở dòng {row} (đã có ở dòng {first}). Hãy xóa dòng trùng.",
    "Duplicated indicator row",
    "Indicator {indicator} appears again on row {row} (first on row {first}). Delete the duplicate.",
    values=("row", "first"),
)
def indicator_row_duplicated(ctx: Context) -> Iterator[Hit]:
    """An indicator has one row only."""
    table = ctx.sub.indicators
    for code, rows in ctx.sub.indicator_rows.items():
        for row in rows[1:]:
            yield Hit.at(table.cell(row, "code"), code, row=row + 1, first=rows[0] + 1)


@rule(
    "S007",
    ERROR,
    "Dòng chỉ tiêu nằm ngoài bảng",
    "Mã chỉ tiêu {indicator} nằm ngoài cột «Mã chỉ tiêu» của bảng (ô {cell}): số liệu của dòng này không đọc "
    "được. Hãy đưa dòng về đúng vị trí trong bảng.",
    "Indicator row outside the table",
    "Indicator code {indicator} is outside the table's code column (cell {cell}); move the row back.",
    values=("cell",),
)
def indicator_row_outside(ctx: Context) -> Iterator[Hit]:
    """An indicator's code found outside the code column of the table (row moved or cut and pasted)."""
    expected = {i.code for i in ctx.sub.expected_indicators()}
    for code, ref in ctx.sub.stray_codes.items():
        if code in expected and code not in ctx.sub.indicator_rows:
            yield Hit.at(ref, code, cell=ref.a1)


@rule(
    "S008",
    WARNING,
    "Mã chỉ tiêu lạ",
    "Dòng có mã «{code}» không thuộc danh mục chỉ tiêu của đơn vị: số liệu dòng này sẽ không được tổng hợp.",
    "Unknown indicator code",
    "Row with code «{code}» is not in the unit's indicator list; it will not be merged.",
    values=("code",),
)
def unknown_indicator(ctx: Context) -> Iterator[Hit]:
    """Rows whose code is not one of the unit's indicators."""
    if ctx.sub.unit is None:
        return
    expected = {i.code for i in ctx.sub.expected_indicators()}
    for code, rows in ctx.sub.indicator_rows.items():
        if code not in expected:
            yield Hit.at(ctx.sub.indicators.cell(rows[0], "code"), code=code)


@rule(
    "S009",
    ERROR,
    "Ô tự tính bị ghi đè",
    "Ô tự tính đã bị ghi đè bằng giá trị {value}. Không nhập vào ô nền xám: hãy chép lại công thức từ biểu mẫu "
    "gốc (hoặc từ ô cùng cột ở dòng khác).",
    "Formula overwritten",
    "This computed cell was overwritten with {value}. Restore the formula from the original template.",
    values=("value",),
)
def formula_overwritten(ctx: Context) -> Iterator[Hit]:
    """Computed cells still hold their formula (known when the workbook is read from a file)."""
    keys = [c.key for c in L.indicator_columns() if c.role == "formula"]
    for indicator in ctx.indicators:
        for key in keys:
            if ctx.has_column(key):
                yield from _overwritten(ctx, ctx.cell(indicator, key), indicator.code)
    table = ctx.sub.projects
    if table is not None:
        keys = [c.key for c in L.project_columns() if c.role == "formula"]
        for row in ctx.sub.project_rows.values():
            yield from (f for key in keys if key in table.columns for f in _overwritten(ctx, table.cell(row, key), ""))
    for grdp_row in L.grdp_rows(ctx.catalog):
        if grdp_row.role in ("input", "heading"):
            continue
        for year in L.YEARS_PAST[1:] if grdp_row.role in ("growth", "contribution") else L.YEARS_PAST:
            ref = ctx.grdp_cell(grdp_row.key, year)
            if ref is not None:
                yield from _overwritten(ctx, ref, "")


def _overwritten(ctx: Context, ref: CellRef, indicator: str) -> Iterator[Hit]:
    grid = ctx.sub.book.sheets[ref.sheet]
    value = grid.value(ref.row, ref.col)
    if grid.has_formula(ref.row, ref.col) is False and value is not None:
        yield Hit.at(ref, indicator=indicator, value=value)


@rule(
    "S010",
    ERROR,
    "Mã đơn vị không có trong danh mục",
    "Mã đơn vị «{found}» không có trong danh mục đơn vị. Hãy dùng biểu mẫu đúng của đơn vị mình.",
    "Unknown unit code",
    "Unit code «{found}» is not in the catalog. Use your unit's own template.",
    values=("found",),
)
def unknown_unit(ctx: Context) -> Iterator[Hit]:
    """The unit code (defined name kh_unit_code) is a unit of the catalog."""
    value, ref = ctx.sub.identity[L.NAME_UNIT_CODE]
    if not ctx.catalog.has_unit(clean_code(value)):
        yield Hit.at(ref or CellRef(L.UNIT_INFO, L.INFO_FIRST_ROW, L.INFO_VALUE_COL), found=value)


@rule(
    "S012",
    WARNING,
    "Liên kết ngoài hoặc DDE",
    "Tệp có {what}: hệ thống không cập nhật và không chạy các liên kết này; số liệu được lấy đúng như giá trị đang "
    "lưu trong tệp. Hãy thay bằng số liệu nhập trực tiếp.",
    "External link or DDE",
    "The file has {what_en}: they are never refreshed or run; the values stored in the file are used.",
    values=("what", "what_en"),
)
def external_links(ctx: Context) -> Iterator[Hit]:
    """Links to other workbooks and DDE formulas (which would start another program in Excel): reported,
    never followed."""
    links = ctx.sub.book.external_links
    if links:
        yield Hit.on_sheet(
            "",
            what=f"liên kết đến tệp khác ({', '.join(links[:3])})",
            what_en=f"links to other workbooks ({', '.join(links[:3])})",
        )
    for grid in ctx.sub.book.sheets.values():
        for address in grid.dde:
            row, col = rowcol(address)
            yield Hit.at(
                CellRef(grid.name, row, col),
                what="công thức DDE gọi chương trình khác",
                what_en="a DDE formula calling another program",
            )


@rule(
    "S013",
    WARNING,
    "Ô nhập liệu bị gộp",
    "Vùng {area} bị gộp ô (merge) đè lên các ô nhập liệu: chỉ ô đầu tiên được đọc. Hãy bỏ gộp ô và nhập số liệu "
    "vào từng ô.",
    "Merged cells over input cells",
    "The range {area} merges input cells: only its first cell is read. Unmerge it and fill each cell.",
    values=("area",),
)
def merged_inputs(ctx: Context) -> Iterator[Hit]:
    """Merged cells that cover input cells of the indicator table (the template merges only headings)."""
    table = ctx.sub.indicators
    if table is None or table.key_row is None:
        return
    inputs = {table.columns[c.key] for c in L.indicator_columns() if c.role == "input" and c.key in table.columns}
    rows = {row for rows in ctx.sub.indicator_rows.values() for row in rows}
    for (top, left), (bottom, right) in table.grid.merged:
        if any(r in rows for r in range(top, bottom + 1)) and any(c in inputs for c in range(left, right + 1)):
            yield Hit.at(CellRef(table.grid.name, top, left), area=f"{a1(top, left)}:{a1(bottom, right)}")


@rule(
    "S011",
    WARNING,
    "Macro lạ trong tệp",
    "Tệp chứa macro khác với macro của biểu mẫu chuẩn (module: {modules}). Hệ thống không bao giờ chạy macro trong "
    "tệp nhận được; hãy kiểm tra nguồn gốc tệp và dùng biểu mẫu chuẩn.",
    "Foreign macros",
    "The file carries macros that differ from the standard template's (modules: {modules}). They are never run.",
    values=("modules",),
)
def foreign_macros(ctx: Context) -> Iterator[Hit]:
    """Macros (VBA modules) that are not the standard template's: reported, never run."""
    if ctx.sub.book.vba is None:
        return
    from kehoach.validators.macros import foreign_modules

    try:
        modules = foreign_modules(ctx.sub.book.vba())
    except UnreadableWorkbook as error:  # a project that cannot even be inflated is not the template's
        modules = [f"không đọc được: {error.reason}"]
    if modules:
        yield Hit.on_sheet("", modules=", ".join(modules))
