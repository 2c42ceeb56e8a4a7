"""Find the template's contract in a raw workbook: identity, key rows, indicator rows, section and project
rows, the GRDP rows. Locates by key and code, never by fixed row, so inserted blank rows do no harm.
It does not judge: what is missing or misplaced is recorded here and turned into findings by the rules."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from kehoach.validators.workbook import Grid, RawWorkbook, a1, resolve_name
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import Catalog, Unit

KEY_ROW_SEARCH = 40  # how far down a sheet the hidden key row may have moved
_CODE = re.compile(r"^[A-Z]{2}\d{2}$")


@dataclass(frozen=True)
class CellRef:
    sheet: str
    row: int
    col: int

    @property
    def a1(self) -> str:
        return a1(self.row, self.col)


def clean_code(value: object) -> str:
    """A code as typed, made comparable: NFC, no surrounding or inner spaces, upper case."""
    if not isinstance(value, str):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", value)).upper()


@dataclass
class KeyedTable:
    """A sheet whose hidden key row names the columns."""

    grid: Grid
    key_row: int | None
    columns: dict[str, int] = field(default_factory=dict)

    def cell(self, row: int, key: str) -> CellRef:
        return CellRef(self.grid.name, row, self.columns[key])

    def value(self, row: int, key: str) -> object:
        return self.grid.value(row, self.columns[key]) if key in self.columns else None


@dataclass
class Submission:
    book: RawWorkbook
    catalog: Catalog
    identity: dict[str, tuple[object, CellRef | None]] = field(default_factory=dict)
    unit: Unit | None = None
    info: dict[str, CellRef] = field(default_factory=dict)
    indicators: KeyedTable | None = None
    indicator_rows: dict[str, list[int]] = field(default_factory=dict)  # code -> rows in the code column
    stray_codes: dict[str, CellRef] = field(default_factory=dict)  # codes found outside the code column
    sections: dict[str, CellRef] = field(default_factory=dict)
    projects: KeyedTable | None = None
    project_rows: dict[str, int] = field(default_factory=dict)
    grdp: KeyedTable | None = None
    grdp_rows: dict[str, int] = field(default_factory=dict)

    @property
    def unit_code(self) -> str:
        value = self.identity.get(L.NAME_UNIT_CODE, (None, None))[0]
        return clean_code(value)

    def expected_indicators(self) -> tuple:
        return self.catalog.indicators_for(self.unit) if self.unit else ()

    def row_of(self, code: str) -> int | None:
        rows = self.indicator_rows.get(code)
        return rows[0] if rows else None

    def value(self, code: str, key: str) -> object:
        row = self.row_of(code)
        return None if row is None or self.indicators is None else self.indicators.value(row, key)

    def cell(self, code: str, key: str) -> CellRef | None:
        row = self.row_of(code)
        if row is None or self.indicators is None or key not in self.indicators.columns:
            return None
        return self.indicators.cell(row, key)

    def info_value(self, key: str) -> object:
        ref = self.info.get(key)
        return self.book.sheets[ref.sheet].value(ref.row, ref.col) if ref else None

    def text(self, ref: CellRef | None) -> object:
        return self.book.sheets[ref.sheet].value(ref.row, ref.col) if ref else None


def locate(book: RawWorkbook, catalog: Catalog) -> Submission:
    sub = Submission(book, catalog)
    _identity(sub)
    code = sub.unit_code
    sub.unit = catalog.unit(code) if catalog.has_unit(code) else None
    if L.UNIT_INFO in book.sheets:
        sub.info = _keyed_column(book.sheets[L.UNIT_INFO], {f.key for f in L.unit_fields()})
    for sheet in (L.EVALUATION, L.PLAN):
        if sheet in book.sheets:
            sub.sections.update(_keyed_column(book.sheets[sheet], {s.key for s in L.sections() if s.sheet == sheet}))
    if L.INDICATORS in book.sheets:
        sub.indicators = _keyed_table(book.sheets[L.INDICATORS], [c.key for c in L.indicator_columns()])
        _indicator_rows(sub)
    if L.PROJECTS in book.sheets:
        sub.projects = _keyed_table(book.sheets[L.PROJECTS], ["row_key", *(c.key for c in L.project_columns())])
        sub.project_rows = _row_keys(sub.projects, set(L.project_rows()) | {L.PROJECT_TOTAL_KEY})
    if L.GRDP in book.sheets:
        sub.grdp = _keyed_table(book.sheets[L.GRDP], list(L.grdp_column_keys()))
        sub.grdp_rows = _row_keys(sub.grdp, {r.key for r in L.grdp_rows(catalog)})
    return sub


def _identity(sub: Submission) -> None:
    """The defined names of the contract; where a name is missing, the unit-information row of the same key."""
    fallback = {
        L.NAME_UNIT_CODE: "unit_code",
        L.NAME_TEMPLATE_ID: "template_id",
        L.NAME_TEMPLATE_VERSION: "template_version",
    }
    info = _keyed_column(sub.book.sheets[L.UNIT_INFO], set(fallback.values())) if L.UNIT_INFO in sub.book.sheets else {}
    for name, key in fallback.items():
        target = resolve_name(sub.book, name)
        ref = CellRef(*target) if target and target[0] in sub.book.sheets else info.get(key)
        value = sub.book.sheets[ref.sheet].value(ref.row, ref.col) if ref else None
        sub.identity[name] = (value.strip() if isinstance(value, str) else value, ref)


def _keyed_column(grid: Grid, keys: set[str]) -> dict[str, CellRef]:
    found = {}
    for row in range(grid.height):
        key = grid.value(row, L.INFO_KEY_COL)
        if isinstance(key, str) and key.strip() in keys and key.strip() not in found:
            found[key.strip()] = CellRef(grid.name, row, L.INFO_VALUE_COL)
    return found


def _keyed_table(grid: Grid, keys: list[str]) -> KeyedTable:
    wanted = set(keys)
    best_row, best = None, {}
    for row in range(min(grid.height, KEY_ROW_SEARCH)):
        columns: dict[str, int] = {}
        for col, value in enumerate(grid.rows[row]):
            key = value.strip() if isinstance(value, str) else None
            if key in wanted and key not in columns:
                columns[key] = col
        if len(columns) > len(best):
            best_row, best = row, columns
    return KeyedTable(grid, best_row if len(best) >= 3 else None, best if len(best) >= 3 else {})


def _indicator_rows(sub: Submission) -> None:
    table = sub.indicators
    if table is None or table.key_row is None or "code" not in table.columns:
        return
    code_col = table.columns["code"]
    known = {i.code for i in sub.catalog.indicators}
    for row in range(table.key_row + 1, table.grid.height):
        code = clean_code(table.grid.value(row, code_col))
        if _CODE.match(code):
            sub.indicator_rows.setdefault(code, []).append(row)
    for row, cells in enumerate(table.grid.rows):
        for col, value in enumerate(cells):
            code = clean_code(value)
            in_table = col == code_col and row > table.key_row
            if code in known and not in_table and code not in sub.stray_codes:
                sub.stray_codes[code] = CellRef(table.grid.name, row, col)


def _row_keys(table: KeyedTable, keys: set[str]) -> dict[str, int]:
    if table.key_row is None or "row_key" not in table.columns:
        return {}
    found: dict[str, int] = {}
    for row in range(table.key_row + 1, table.grid.height):
        key = table.grid.value(row, table.columns["row_key"])
        if isinstance(key, str) and key.strip() in keys:
            found.setdefault(key.strip(), row)
    return found
