"""A workbook as the validator sees it: the values of each sheet as a grid from A1, which cells hold a
formula or an error, and the workbook's defined names. Built from a file (:mod:`validators.reader`) or from
a live Excel workbook (the add-in); everything downstream works on this and nothing else."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from kehoach.workbook_templates.filling import ExcelError
from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell

__all__ = ["FORMAT_NAMES", "ExcelError", "Grid", "RawWorkbook", "a1", "normalize", "resolve_name", "rowcol"]


# The older formats read for their values only (RawWorkbook.legacy), as messages name them.
FORMAT_NAMES = {".xls": "Excel 97-2003 (.xls)", ".ods": "OpenDocument (.ods)"}


@dataclass
class Grid:
    name: str
    rows: list[list[object]]  # row 0 is sheet row 1; empty cells are None or "", error values ExcelError
    formulas: frozenset[str] | None = None  # A1 addresses of formula cells; None when the source cannot tell
    hidden: bool = False
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # ((row, col), (row, col))
    dde: list[str] = field(default_factory=list)  # A1 of formulas that link to another program (DDE)

    def value(self, row: int, col: int) -> object:
        """The cell's value; None when empty (the readers give "" for an empty cell, normalized here)."""
        if 0 <= row < len(self.rows):
            cells = self.rows[row]
            if 0 <= col < len(cells):
                return normalize(cells[col])
        return None

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def has_formula(self, row: int, col: int) -> bool | None:
        return None if self.formulas is None else a1(row, col) in self.formulas


class UnreadableWorkbook(Exception):
    """The file is not a workbook that can be read safely (raised by validators.reader, and by RawWorkbook.vba);
    ``reason`` says why, in Vietnamese."""

    def __init__(self, reason: str, reason_en: str):
        super().__init__(reason)
        self.reason = reason
        self.reason_en = reason_en

    def __reduce__(self) -> tuple:
        # Both reasons, or a worker process that raised it would break the pool when the parent unpickles it.
        return (type(self), (self.reason, self.reason_en))


@dataclass
class RawWorkbook:
    label: str  # what people call the file (its name)
    sheets: dict[str, Grid]
    names: dict[str, str] = field(default_factory=dict)  # defined name -> reference, e.g. 'Sheet'!$C$4
    # Inflates xl/vbaProject.bin (raising UnreadableWorkbook), for rule S011 to compare its modules with the
    # template's; never run. Reading values needs none of it, so it is inflated only when that rule asks.
    vba: Callable[[], bytes] | None = None
    external_links: list[str] = field(default_factory=list)  # targets of links to other workbooks
    # ".xls" or ".ods" when the values came from an older format (calamine's values only: no formulas, defined
    # names, macros or links to read); "" for an .xlsx/.xlsm package or a live workbook.
    legacy: str = ""


def a1(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col)


def rowcol(address: str) -> tuple[int, int]:
    return xl_cell_to_rowcol(address.replace("$", ""))


_REFERENCE = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)$")


def resolve_name(book: RawWorkbook, name: str) -> tuple[str, int, int] | None:
    """(sheet, row, col) a single-cell defined name points to, or None."""
    reference = book.names.get(name)
    match = _REFERENCE.match(reference.strip()) if reference else None
    if not match:
        return None
    sheet = (match.group(1) or match.group(2)).replace("''", "'")
    row, col = rowcol(match.group(3) + match.group(4))
    return sheet, row, col


def normalize(value: object) -> object:
    """An empty cell as None, whatever the source gives for it."""
    return None if value == "" else value
