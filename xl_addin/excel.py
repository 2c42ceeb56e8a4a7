"""Read a live workbook for the engine and write a check's marks back, through the part of xlwings' API that
Excel (COM) and the remote engine share.

Reading is one bulk read of each sheet's values (and one of its formulas where the engine can give them);
writing touches only the marked cells, the stamp cells and the report sheet, never a value staff typed.
Steps only desktop Excel has (sheet protection, screen updating, note size) are skipped elsewhere.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from kehoach.validators.contract import CellRef, Submission, locate
from kehoach.validators.engine import Report
from kehoach.validators.engine import validate_book as run_engine
from kehoach.validators.marks import (
    CELL_COL,
    NOTE_MARKER,
    REPORT_HEADER,
    REPORT_TITLE,
    SHEET_COL,
    CellMark,
    Marks,
    checked_fingerprint,
    link_target,
    marks_for,
    reported_cells,
    template_fills,
)
from kehoach.validators.workbook import ExcelError, Grid, RawWorkbook, a1, normalize, rowcol
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import load_catalog
from kehoach.workbook_templates.styles import FONT, LINK_COLOUR

if TYPE_CHECKING:
    import xlwings as xw

ERROR_TEXTS = frozenset(
    {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#DATA!", "#SPILL!", "#CALC!"}
)
# The template's protection options (XlsxWriter names, layout.PROTECTION) as Worksheet.Protect arguments, to
# protect a sheet again as the template had it after writing to it.
_PROTECT_ARGUMENTS = {
    "insert_rows": "AllowInsertingRows",
    "format_columns": "AllowFormattingColumns",
    "format_rows": "AllowFormattingRows",
    "autofilter": "AllowFiltering",
}
PROTECT_ARGUMENTS = {"DrawingObjects": True, "Contents": True, "Scenarios": True} | {
    com: bool(L.PROTECTION.get(key)) for key, com in _PROTECT_ARGUMENTS.items()
}
NOTE_WIDTH = 320  # points; Excel's default note box shows two words of a message
NOTE_LINE_CHARS, NOTE_LINE_HEIGHT = 55, 14

Cell = tuple[str, str]  # (sheet, A1)


def check(book: xw.Book, checked_at: dt.datetime) -> Report:
    raw = read_book(book)
    report = run_engine(raw, load_catalog())
    write_check(book, report, checked_at)
    return report


def write_check(book: xw.Book, report: Report, checked_at: dt.datetime) -> None:
    """Mark the cells with findings (after unmarking those of the last check), stamp and write the report."""
    marks = marks_for(report, checked_at)
    writer = _Writer(book, report.submission)
    previous = reported_cells(writer.report_grid())
    stamp = writer.stamp_cells()
    touched = {sheet for sheet, _ in previous} | {m.sheet for m in marks.cells} | {r.sheet for r in stamp.values()}
    with writer.writable(touched):
        writer.unmark(previous - {(m.sheet, m.cell) for m in marks.cells})
        writer.mark(marks.cells, previous)
        if report.submission is not None:
            writer.stamp(stamp, marks, checked_fingerprint(report.submission))
        writer.report(marks)


def clear(book: xw.Book) -> None:
    writer = _Writer(book, locate(read_book(book), load_catalog()))
    previous = reported_cells(writer.report_grid())
    with writer.writable({sheet for sheet, _ in previous}):
        writer.unmark(previous)
        if L.REPORT in writer.sheets:
            writer.sheets[L.REPORT].delete()


def read_book(book: xw.Book) -> RawWorkbook:
    """The workbook as the engine reads a file (validators.reader): the data sheets' values as grids from A1,
    their formula cells where the engine can tell, and the workbook-level defined names."""
    sheets = {name: _grid(sheet, name) for name, sheet in _sheets(book).items() if name in L.DATA_SHEETS}
    names = {name.name: name.refers_to for name in book.names if "!" not in name.name}  # sheet-level names hold "!"
    return RawWorkbook(label=book.name, sheets=sheets, names=names)


def _sheets(book: xw.Book) -> dict[str, xw.Sheet]:
    """The book's sheets by name as the layout spells it (a name typed on a Mac may be decomposed Unicode)."""
    return {unicodedata.normalize("NFC", sheet.name): sheet for sheet in book.sheets}


def _grid(sheet: xw.Sheet, name: str) -> Grid:
    """One bulk read of the sheet's values (and one of its formulas)."""
    last = sheet.used_range.last_cell
    cells = sheet.range((1, 1), (last.row, last.column))
    values = cells.options(ndim=2, err_to_str=True).value
    rows = [[_value(v) for v in row] for row in values]
    return Grid(name, rows, _formula_cells(cells), hidden=not sheet.visible)


def _value(value: Any) -> object:
    """A cell value as the file reader gives it: error values as errors, a date without its midnight time."""
    if isinstance(value, str) and value in ERROR_TEXTS:
        return ExcelError(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return normalize(value)


def _formula_cells(cells: xw.Range) -> frozenset[str] | None:
    try:
        formulas = cells.formula
    except NotImplementedError:  # the remote engine does not send formulas: overwritten formulas go unseen
        return None
    rows = formulas if isinstance(formulas, list | tuple) else ((formulas,),)
    found = ((r, c) for r, row in enumerate(rows) for c, text in enumerate(row) if str(text).startswith("="))
    return frozenset(a1(r, c) for r, c in found)


class _Writer:
    def __init__(self, book: xw.Book, submission: Submission | None):
        self.book = book
        self.sub = submission
        self.fill = template_fills(submission) if submission else (lambda _sheet, _cell: None)
        self.desktop = book.app.engine.type == "desktop"
        self.sheets = _sheets(book)

    def report_grid(self) -> Grid | None:
        """The report sheet of the last check, which lists the cells it marked."""
        return _grid(self.sheets[L.REPORT], L.REPORT) if L.REPORT in self.sheets else None

    @contextmanager
    def writable(self, sheets: Iterable[str]) -> Iterator[None]:
        """Unprotect ``sheets`` for the writes and protect them again as they were, in desktop Excel. Other
        engines cannot change protection; the remote engine used in tests has none to change."""
        if not self.desktop:
            yield
            return
        app = self.book.app
        updating = app.screen_updating
        protected = []
        app.screen_updating = False
        try:
            for name in sorted(set(sheets) & set(self.sheets)):
                sheet = self.sheets[name]
                if sheet.api.ProtectContents:
                    sheet.api.Unprotect()
                    protected.append(sheet)
            yield
        finally:
            for sheet in protected:
                sheet.api.Protect(**PROTECT_ARGUMENTS)
            app.screen_updating = updating

    # --- cell marks ----------------------------------------------------------------------------------

    def unmark(self, cells: Iterable[Cell]) -> None:
        """Give the cells their template fill back and remove the notes the check wrote on them."""
        cells = [c for c in cells if c[0] in self.sheets]
        self._fill({cell: self.fill(*cell) for cell in cells})
        for sheet, address in cells:
            note = self.sheets[sheet].range(address).note
            if note is not None and self._ours(note, was_marked=True):
                note.delete()

    def mark(self, marks: Iterable[CellMark], previous: set[Cell]) -> None:
        marks = [m for m in marks if m.sheet in self.sheets]
        self._fill({(m.sheet, m.cell): m.fill for m in marks})
        for mark in marks:
            cell = self.sheets[mark.sheet].range(mark.cell)
            note = cell.note
            if note is None:
                note = cell.add_note(mark.note)
            elif self._ours(note, was_marked=(mark.sheet, mark.cell) in previous):
                note.text = mark.note
            else:
                continue  # a note staff wrote stays; the report sheet carries the message
            if self.desktop:
                lines = sum(math.ceil(len(line) / NOTE_LINE_CHARS) or 1 for line in mark.note.split("\n"))
                note.api.Shape.Width = NOTE_WIDTH
                note.api.Shape.Height = NOTE_LINE_HEIGHT * lines + 10

    @staticmethod
    def _ours(note: Any, was_marked: bool) -> bool:
        """Whether a note was written by a check: by its text where the engine can read it (desktop Excel),
        else by whether the last check marked its cell."""
        try:
            return bool(NOTE_MARKER.match(note.text or ""))
        except NotImplementedError:
            return was_marked

    def _fill(self, fills: dict[Cell, str | None]) -> None:
        """Colour the cells, one write per run of neighbouring cells of a row with the same colour."""
        for sheet, row, first, last, colour in _runs(fills):
            self.sheets[sheet].range((row + 1, first + 1), (row + 1, last + 1)).color = colour

    # --- stamp and report ----------------------------------------------------------------------------

    def stamp_cells(self) -> dict[str, CellRef]:
        """The stamp cells the workbook has, by stamp key."""
        if self.sub is None:
            return {}
        return {key: ref for key, ref in self.sub.info.items() if key in L.STAMP_KEYS}

    def stamp(self, cells: dict[str, CellRef], marks: Marks, fingerprint: str) -> None:
        values = {L.STAMP_TIME: marks.checked_at, L.STAMP_RESULT: marks.result, L.STAMP_FINGERPRINT: fingerprint}
        for key, ref in cells.items():
            self.sheets[ref.sheet].range((ref.row + 1, ref.col + 1)).value = values[key]

    def report(self, marks: Marks) -> None:
        """Write the report sheet afresh, laid out as `kehoach validate --annotate` lays it out."""
        if L.REPORT in self.sheets:
            sheet = self.sheets[L.REPORT]
            sheet.clear()
        else:
            sheet = self.book.sheets.add(L.REPORT, after=self.book.sheets[len(self.book.sheets) - 1])
            self.sheets[L.REPORT] = sheet
        title = sheet.range((L.REPORT_TITLE_ROW + 1, 1))
        title.value = REPORT_TITLE
        title.font.bold = True
        title.font.size = 14
        first, count = L.REPORT_SUMMARY_ROW + 1, len(marks.summary)
        sheet.range((first, 1)).value = [[label] for label, _ in marks.summary]
        sheet.range((first, 1), (first + count - 1, 1)).font.bold = True
        sheet.range((first, L.REPORT_SUMMARY_VALUE_COL + 1)).value = [[value] for _, value in marks.summary]
        header = L.REPORT_HEADER_ROW + 1
        sheet.range((header, 1)).value = [list(REPORT_HEADER)]
        sheet.range((header, 1), (header, len(REPORT_HEADER))).font.bold = True
        for col, width in enumerate(L.REPORT_WIDTHS, start=1):
            sheet.range((header, col)).column_width = width
        last = header + len(marks.rows)
        if marks.rows:
            sheet.range((header + 1, 1)).value = [["" if v is None else v for v in row] for row in marks.rows]
            links = sheet.range((header + 1, CELL_COL + 1), (last, CELL_COL + 1))
            links.formula = [[_link(row)] for row in marks.rows]
            links.font.color = LINK_COLOUR
            sheet.range((header + 1, len(REPORT_HEADER)), (last, len(REPORT_HEADER))).wrap_text = True
        sheet.range((1, 1), (last, len(REPORT_HEADER))).font.name = FONT
        sheet.activate()


def _link(row: tuple[object, ...]) -> str:
    sheet, cell = row[SHEET_COL], row[CELL_COL]
    if not cell:
        return ""
    target = link_target(str(sheet), str(cell)).replace('"', '""')
    return f'=HYPERLINK("{target}","{cell}")'


def _runs(fills: dict[Cell, str | None]) -> Iterator[tuple[str, int, int, int, str | None]]:
    """(sheet, row, first column, last column, colour) for each run of neighbouring cells in a row that get
    the same colour."""
    cells = sorted((sheet, *rowcol(address), colour) for (sheet, address), colour in fills.items())
    run: list[Any] | None = None
    for sheet, row, col, colour in cells:
        if run and (run[0], run[1], run[3] + 1, run[4]) == (sheet, row, col, colour):
            run[3] = col
            continue
        if run:
            yield tuple(run)  # type: ignore[misc]
        run = [sheet, row, col, col, colour]
    if run:
        yield tuple(run)  # type: ignore[misc]
