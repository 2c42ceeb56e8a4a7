"""What calamine does not tell about a sheet, found in its raw XML: which cells hold a formula, an error value
or a DDE link; and whether its cells reach so far that calamine, which holds a sheet as one rectangle, would
need more memory than the machine has (one cell at XFD1048576 asks for 512 GB and aborts the process).

Excel, LibreOffice and the template builder write every cell as ``<c r="A1" ...>``. Such sheets are searched by
one regular expression (C speed, over the cells' part of the XML only); any other spelling of a cell (a
namespace prefix, another attribute first, no reference, single quotes, a lowercase reference, another
encoding) sends the sheet to a slower parse that bounds the positions calamine would give its cells.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

from defusedxml import ElementTree

MAX_ROWS = 20_000  # the standard workbook has a few hundred rows; a sheet beyond these is not one of ours
MAX_COLUMNS = 500  # both limits are also spelled out in the pattern _CELLS
MAX_CELLS = 1_000_000
MAX_DEPTH = 64  # a worksheet's elements nest a few levels deep
SMALLEST_CELL = 11  # bytes of <c r="A1"/>: a part smaller than SMALLEST_CELL * MAX_CELLS has fewer cells

# Per match, one of: a cell not written the usual way (group 1), a reference past column 500 (SF) or row 20,000
# (group 2), the reference of a formula cell (group 3: by the schema's order a cell's formula comes first in it).
# One pass, not one per question: a pass of the regex engine costs about as much as calamine's parse of the XML.
_CELLS = re.compile(  # possessive quantifiers (*+, ++): nothing to give back, so the engine does not try
    rb'<((?:[A-Za-z_][\w.-]*+:)c(?=[\s/>])|c(?=[\s/>])(?! r="[A-Z]++[0-9]++"))'
    rb'|<c r="(?:((?:[A-Z]{3,}|[T-Z][A-Z]|S[G-Z])[0-9]|[A-Z]{1,2}(?:[0-9]{6,}|[2-9][0-9]{4}))'
    rb'|([A-Z]++[0-9]++)"[^>]*+><f\b)'
)
_DDE_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*><f\b[^>]*>[^<]*?[A-Za-z0-9_.]+\|')
_ERROR_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*\bt="e"[^>]*>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?<v>([^<]*)</v>')
_REFERENCE = re.compile(r"([A-Za-z]{1,7})([0-9]{1,9})")


class SheetTooLarge(Exception):
    """The sheet's cells reach beyond MAX_ROWS, MAX_COLUMNS or MAX_CELLS."""


class OddSheet(Exception):
    """A sheet written as no spreadsheet writes one (a reference whose cell cannot be placed, elements nested
    deeper than any worksheet's)."""


@dataclass
class SheetScan:
    formulas: frozenset[str] | None  # None: cells are not all written with a reference, so none can be placed
    errors: dict[str, str]  # cell -> error value (calamine reads them as empty)
    dde: list[str]


def scan_sheet(xml: bytes, check_time: Callable[[], None]) -> SheetScan:
    """Formula, error and DDE cells of a worksheet part; raises SheetTooLarge (see the module's docstring)."""
    check_time()
    if xml[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in xml[:4]:  # UTF-16 or -32: the searches see nothing
        return _scan_unusual(xml, check_time)
    cells_part = _sheet_data(xml)
    if len(cells_part) > SMALLEST_CELL * MAX_CELLS and cells_part.count(b"<c") > MAX_CELLS:
        raise SheetTooLarge
    cells = _CELLS.findall(cells_part)
    if any(far for _unusual, far, _formula in cells):
        raise SheetTooLarge
    if any(unusual for unusual, _far, _formula in cells):
        return _scan_unusual(xml, check_time)
    formulas = frozenset(formula.decode() for _unusual, _far, formula in cells)
    # The rarer searches run only where a one-byte test (memchr fast) says they can find something: every Excel
    # error value starts with "#", every DDE formula holds "|", and the standard workbook's sheets hold neither.
    dde = [ref.decode() for ref in _DDE_CELL.findall(cells_part)] if formulas and b"|" in cells_part else []
    errors = (
        {ref.decode(): text.decode("utf-8", "replace") for ref, text in _ERROR_CELL.findall(cells_part)}
        if b"#" in cells_part
        else {}
    )
    return SheetScan(formulas, errors, dde)


def _sheet_data(xml: bytes) -> bytes:
    """The XML from the first "sheetData" to the last, whatever the tags' prefix or spacing: calamine reads cells
    only inside sheetData elements, and this slice holds them all (perhaps more, never less)."""
    start, end = xml.find(b"sheetData"), xml.rfind(b"sheetData")
    return xml[start:end] if start != -1 else xml


def _scan_unusual(xml: bytes, check_time: Callable[[], None]) -> SheetScan:
    """Bound the positions calamine would give the cells of a sheet written in an unusual way: a cell without a
    reference takes the next column, a row without one the next row. The bound is generous (every row and cell
    counted as if it followed the farthest reference), never smaller than the truth."""
    rows = cells = farthest_row = farthest_col = widest = in_row = 0
    open_elements: list = []
    for number, (event, element) in enumerate(ElementTree.iterparse(io.BytesIO(xml), events=("start", "end"))):
        if number % 65536 == 0:
            check_time()
        if event == "end":
            open_elements.pop()
            if open_elements:  # what has ended is its parent's only child left: dropping it keeps memory flat
                del open_elements[-1][-1]
            continue
        open_elements.append(element)
        if len(open_elements) > MAX_DEPTH:
            raise OddSheet("elements nested too deep")
        name, reference = element.tag.rpartition("}")[2], element.get("r")
        if name == "row":
            rows, in_row = rows + 1, 0
            if reference is not None:
                farthest_row = max(farthest_row, _number(reference))
        elif name == "c":
            cells, in_row = cells + 1, in_row + 1
            widest = max(widest, in_row)
            if reference is not None:
                match = _REFERENCE.fullmatch(reference)
                if match is None:
                    raise OddSheet(f"cell reference {reference!r}")
                farthest_col = max(farthest_col, _column(match.group(1)))
                farthest_row = max(farthest_row, int(match.group(2)))
    if farthest_row + rows > MAX_ROWS or farthest_col + widest > MAX_COLUMNS or cells > MAX_CELLS:
        raise SheetTooLarge
    return SheetScan(None, {}, [])


def _number(text: str) -> int:
    if not text.isdigit() or len(text) > 9:
        raise OddSheet(f"row reference {text!r}")
    return int(text)


def _column(letters: str) -> int:
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return column
