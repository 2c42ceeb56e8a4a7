"""What a check leaves on a workbook, independent of how it is written: a fill and a note on each cell with
a finding, the report sheet, and the stamp on the unit-information sheet. The add-in writes it through
xlwings, `kehoach validate --annotate` through openpyxl; both place the report sheet by the layout and read
nothing else from here."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from kehoach.validators.contract import Submission
from kehoach.validators.engine import Report
from kehoach.validators.findings import ERROR, WARNING
from kehoach.validators.workbook import ExcelError, Grid, rowcol
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.styles import ERROR_FILL, WARNING_FILL

SEVERITY_VI = {ERROR: "Lỗi", WARNING: "Cảnh báo"}
FILLS = {ERROR: ERROR_FILL, WARNING: WARNING_FILL}
REPORT_TITLE = "KẾT QUẢ KIỂM TRA DỮ LIỆU"
REPORT_HEADER = ("STT", "Mức độ", "Mã", "Trang", "Ô", "Chỉ tiêu", "Nội dung")
SHEET_COL, CELL_COL = REPORT_HEADER.index("Trang"), REPORT_HEADER.index("Ô")  # the cell column links to it
# Every note a check writes starts with a rule code in brackets: how a note is told from one staff wrote.
NOTE_MARKER = re.compile(r"^\[[A-Z]\d{3}\]")
_ADDRESS = re.compile(r"[A-Z]{1,3}[1-9]\d*")


@dataclass(frozen=True)
class CellMark:
    sheet: str
    cell: str
    severity: str  # the worst finding on the cell
    note: str  # every finding's message, one per line

    @property
    def fill(self) -> str:
        return FILLS[self.severity]


@dataclass(frozen=True)
class Marks:
    cells: list[CellMark]
    rows: list[tuple[object, ...]]  # report rows, as REPORT_HEADER
    summary: list[tuple[str, object]]  # label, value lines above the table
    result: str  # short result for the stamp on the unit-information sheet
    checked_at: str  # when, as text that no spreadsheet mistakes for a date to convert


def marks_for(report: Report, checked_at: dt.datetime, lang: str = "vi") -> Marks:
    by_cell: dict[tuple[str, str], list] = {}
    for finding in report.findings:
        if finding.cell:
            by_cell.setdefault((finding.sheet, finding.cell), []).append(finding)
    cells = [
        CellMark(
            sheet,
            cell,
            ERROR if any(f.severity == ERROR for f in found) else WARNING,
            "\n".join(f"[{f.rule}] {f.message(lang)}" for f in found),
        )
        for (sheet, cell), found in by_cell.items()
    ]
    rows = [
        (n, SEVERITY_VI[f.severity], f.rule, f.sheet, f.cell, f.indicator, f.message(lang))
        for n, f in enumerate(report.findings, start=1)
    ]
    result = f"Có {report.errors} lỗi, {report.warnings} cảnh báo" if report.findings else "Không phát hiện lỗi"
    when = checked_at.strftime("%d/%m/%Y lúc %H:%M:%S")
    summary = [
        ("Thời điểm kiểm tra", when),
        ("Số lỗi (phải sửa trước khi gửi)", report.errors),
        ("Số cảnh báo (cần xem lại)", report.warnings),
        ("Kết quả", result),
    ]
    if L.REPORT_SUMMARY_ROW + len(summary) >= L.REPORT_HEADER_ROW:
        raise ValueError("the report summary runs into the table: move layout.REPORT_HEADER_ROW down")
    return Marks(cells, rows, summary, result, when)


def link_target(sheet: str, cell: str) -> str:
    """Where a report row's link goes: the cell in this workbook."""
    return "#'" + sheet.replace("'", "''") + "'!" + cell


def reported_cells(grid: Grid | None) -> set[tuple[str, str]]:
    """The (sheet, cell) pairs an earlier report sheet lists: the cells the last check marked."""
    if grid is None:
        return set()
    header = list(REPORT_HEADER)
    for row, cells in enumerate(grid.rows):
        if [_text(v) for v in cells[: len(header)]] == header:
            listed = [r for r in grid.rows[row + 1 :] if len(r) > CELL_COL]
            pairs = {(_text(r[SHEET_COL]), _text(r[CELL_COL]).upper()) for r in listed}
            return {(sheet, cell) for sheet, cell in pairs if sheet and _ADDRESS.fullmatch(cell)}
    return set()


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def template_fills(sub: Submission) -> Callable[[str, str], str | None]:
    """The fill the template gave a cell, ``(sheet, A1) -> colour or None``, found through the keys of the
    row and column the cell is in (rows may have moved since the template was built)."""
    keys: dict[str, tuple[dict[int, str], dict[int, str]]] = {}  # sheet -> (row keys, column keys)
    info_columns = dict(enumerate(L.INFO_COLUMN_KEYS))
    keys[L.UNIT_INFO] = ({ref.row: key for key, ref in sub.info.items()}, info_columns)
    for key, ref in sub.sections.items():
        keys.setdefault(ref.sheet, ({}, info_columns))[0][ref.row] = key
    if sub.indicators is not None:
        rows = {row: code for code, found in sub.indicator_rows.items() for row in found}
        keys[L.INDICATORS] = (rows, {col: key for key, col in sub.indicators.columns.items()})
    for table, found in ((sub.projects, sub.project_rows), (sub.grdp, sub.grdp_rows)):
        if table is not None:
            rows = {row: key for key, row in found.items()}
            keys[table.grid.name] = (rows, {col: key for key, col in table.columns.items()})

    def fill(sheet: str, cell: str) -> str | None:
        rows, columns = keys.get(sheet, ({}, {}))
        row, col = rowcol(cell)
        if row not in rows or col not in columns:
            return None
        return L.template_fill(sub.catalog, sheet, rows[row], columns[col])

    return fill


def fingerprint(values: object) -> str:
    """A short, stable digest of the values that were checked (not of the file, which marks change)."""
    text = json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def checked_fingerprint(sub: Submission) -> str:
    """The fingerprint of what staff entered: the values of the data sheets but the stamp itself, so that
    checking twice gives the same stamp and any reader (the button, `kehoach validate`) computes the same
    digest for the same values."""
    stamps = {(ref.sheet, ref.row, ref.col) for key, ref in sub.info.items() if key in L.STAMP_KEYS}
    values = {}
    for name in L.DATA_SHEETS:
        grid = sub.book.sheets.get(name)
        if grid is None:
            continue
        rows = [
            _trimmed([None if (name, r, c) in stamps else _plain(v) for c, v in enumerate(cells)])
            for r, cells in enumerate(grid.rows)
        ]
        values[name] = _trimmed(rows)
    return fingerprint(values)


def _plain(value: object) -> object:
    """A cell value as every reader gives it: numbers as floats, dates without a midnight time."""
    if value == "":  # an empty cell, as calamine gives it
        return None
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, ExcelError):
        return value.text
    return str(value)


def _trimmed(items: list) -> list:
    while items and items[-1] in (None, []):
        items.pop()
    return items
