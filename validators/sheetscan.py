"""What calamine does not tell about a sheet, found in its raw XML: which cells hold a formula, an error value
or a DDE link; and whether its cells reach so far that calamine, which holds a sheet as one rectangle, would
need more memory than the machine has (one cell at XFD1048576 asks for 512 GB and aborts the process).

Excel, LibreOffice, openpyxl and the template builder write sheetData in one plain form: rows of cells, each cell
``<c r="A1" ...>`` with its attributes, formula and value. A sheet whose whole sheetData matches that form, with
every reference inside the limits, is searched by regular expressions (C speed). Anything else, however
little it differs (a namespace prefix, a second r attribute, another quoting or encoding, a cell without a
reference, a comment, a far reference), is parsed as XML instead, and the positions calamine would give its
cells are bounded from the parse. The plain form is a whitelist: what it does not describe takes the slow,
strict road, so no spelling can slip a cell past the check.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

from defusedxml import ElementTree

from validators.workbook import a1

MAX_ROWS = 20_000  # the standard workbook has a few hundred rows; a sheet beyond these is not one of ours
MAX_COLUMNS = 500  # both limits are also spelled out in the patterns _ROW_NUMBER and _COLUMN
MAX_CELLS = 1_000_000
MAX_DEPTH = 64  # a worksheet's elements nest a few levels deep
SMALLEST_CELL = 11  # bytes of <c r="A1"/>: a part smaller than SMALLEST_CELL * MAX_CELLS has fewer cells

# The plain form of sheetData, with every reference inside column SF and row 19,999 (MAX_COLUMNS, MAX_ROWS).
# Possessive quantifiers (*+) give nothing back, and every scan stops at "<" or a quote, so a match takes time
# linear in the input whatever it holds.
_ROW_NUMBER = rb"(?:[1-9][0-9]{0,3}|1[0-9]{4})"  # 1 to 19,999
_COLUMN = rb"(?:[A-Z]|[A-R][A-Z]|S[A-F])"  # A to SF
_ATTRIBUTE = rb' [A-Za-z][\w:.-]*+="[^"<>]*+"'
# Inside an inline string: text and rich-text tags, but no tag named is, c, row or sheetData under any prefix or
# spacing (calamine would end the string, or read a cell, where the pattern does not), and no comment or CDATA.
_INLINE_STRING = rb"<is>(?:[^<]++|<(?![!?]|/?(?:[^\s<>/:]*+:)?(?:is|c|row|sheetData)[\s/>])[^<>]*+>)*+</is>"
_CELL = (
    rb'<c r="' + _COLUMN + _ROW_NUMBER + rb'"(?: (?:s|t|cm|vm|ph)="[^"<>]*+")*+'  # no second r, no prefix
    rb"(?:/>|>(?:<f(?:" + _ATTRIBUTE + rb")*+(?:/>|>[^<]*+</f>))?"
    rb"(?:<v(?:" + _ATTRIBUTE + rb")*+>[^<]*+</v>)?(?:" + _INLINE_STRING + rb")?</c>)"
)
_ROW = rb"<row(?:" + _ATTRIBUTE + rb")*+(?:/>|>(?:" + _CELL + rb")*+</row>)"
_PLAIN_SHEET_DATA = re.compile(rb"<sheetData(?:/>|>(?:" + _ROW + rb")*+</sheetData>)")
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]++[0-9]++)"[^<>]*+><f\b')
_FORMULA_TEXT = re.compile(_FORMULA_CELL.pattern + rb"[^<>]*+>([^<]*+)")  # and the formula itself
_DDE = re.compile(r"[A-Za-z0-9_.]\|")  # a program name and "|": cmd|' /C calc'!A0
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]++[0-9]++)"(?=[^<>]*\bt="e")[^<>]*+>(?:<f\b[^<>]*+/>|<f\b[^<>]*+>[^<]*+</f>)?<v>([^<]*+)</v>'
)
_REFERENCE = re.compile(r"([A-Za-z]{1,7})([0-9]{1,9})")
_NUMBER = re.compile(r"[0-9]{1,9}")


class SheetTooLarge(Exception):
    """The sheet's cells reach beyond MAX_ROWS, MAX_COLUMNS or MAX_CELLS."""


class OddSheet(Exception):
    """A sheet written as no spreadsheet writes one (a reference whose cell cannot be placed, elements nested
    deeper than any worksheet's)."""


@dataclass
class SheetScan:
    formulas: frozenset[str]
    errors: dict[str, str]  # cell -> error value (calamine reads them as empty)
    dde: list[str]


def scan_sheet(xml: bytes, check_time: Callable[[], None]) -> SheetScan:
    """Formula, error and DDE cells of a worksheet part; raises SheetTooLarge or OddSheet (see the module)."""
    check_time()
    cells_part = _sheet_data(xml)
    if cells_part is None:
        return _scan_parsed(xml, check_time)
    if len(cells_part) > SMALLEST_CELL * MAX_CELLS and cells_part.count(b"<c ") > MAX_CELLS:
        raise SheetTooLarge
    formulas = frozenset(ref.decode() for ref in _FORMULA_CELL.findall(cells_part))
    # The rarer searches run only where a one-byte test (memchr fast) says they can find something: every Excel
    # error value starts with "#", every DDE formula holds "|", and the standard workbook's sheets hold neither.
    dde = (
        [ref.decode() for ref, text in _FORMULA_TEXT.findall(cells_part) if _DDE.search(text.decode(errors="replace"))]
        if formulas and b"|" in cells_part
        else []
    )
    errors = (
        {ref.decode(): text.decode(errors="replace") for ref, text in _ERROR_CELL.findall(cells_part)}
        if b"#" in cells_part
        else {}
    )
    return SheetScan(formulas, errors, dde)


def _sheet_data(xml: bytes) -> bytes | None:
    """The sheet's only sheetData element if the part is UTF-8 and it is in the plain form, else None. Every
    spelling of the element's name holds the bytes "sheetData", so the first and last of them must be its own."""
    declaration = xml[: xml.find(b"?>")] if xml.startswith(b"<?xml") else b""
    if b"encoding" in declaration and not re.search(rb"""encoding=["']utf-8["']""", declaration, re.I):
        return None
    start, end = xml.find(b"sheetData"), xml.rfind(b"sheetData")
    if start == 0:
        return None
    if start == -1:
        return b"" if b"\x00" not in xml[:4] and not xml.startswith((b"\xff\xfe", b"\xfe\xff")) else None
    cells_part = xml[start - 1 : xml.find(b">", end) + 1]
    return cells_part if _PLAIN_SHEET_DATA.fullmatch(cells_part) else None


def _scan_parsed(xml: bytes, check_time: Callable[[], None]) -> SheetScan:
    """The scan of a sheet not in the plain form, from a strict XML parse. Cells are placed as calamine places
    them (a cell without a reference takes the next column, a row without one the next row); the extent is bounded
    generously (every row and cell counted as if it followed the farthest reference), never below the truth."""
    rows = cells = farthest_row = farthest_col = widest = 0
    row = column = cell_row = -1
    kind = ""
    formulas: set[str] = set()
    errors: dict[str, str] = {}
    dde: list[str] = []
    open_elements: list = []
    for number, (event, element) in enumerate(ElementTree.iterparse(io.BytesIO(xml), events=("start", "end"))):
        if number % 65536 == 0:
            check_time()
        name = element.tag.rpartition("}")[2]
        if event == "end":
            open_elements.pop()
            parent = open_elements[-1].tag.rpartition("}")[2] if open_elements else ""
            if parent != "c" or min(cell_row, column) < 0:
                pass
            elif name == "f":
                formulas.add(a1(cell_row, column))
                if _DDE.search(element.text or ""):
                    dde.append(a1(cell_row, column))
            elif name == "v" and kind == "e":
                errors[a1(cell_row, column)] = element.text or ""
            if open_elements:  # what has ended is its parent's only child left: dropping it keeps memory flat
                del open_elements[-1][-1]
            continue
        open_elements.append(element)
        if len(open_elements) > MAX_DEPTH:
            raise OddSheet("elements nested too deep")
        reference = element.get("r")
        if name == "row":
            rows, column = rows + 1, -1
            row = row + 1 if reference is None else _number(reference) - 1
            farthest_row = max(farthest_row, row + 1)
        elif name == "c":
            cells, kind = cells + 1, element.get("t", "")
            cell_row, column = row, column + 1
            if reference is not None:
                match = _REFERENCE.fullmatch(reference)
                if match is None:
                    raise OddSheet(f"cell reference {reference!r}")
                cell_row, column = int(match.group(2)) - 1, _column(match.group(1)) - 1
            farthest_row, farthest_col = max(farthest_row, cell_row + 1), max(farthest_col, column + 1)
            widest = max(widest, column + 1)
    if farthest_row + rows > MAX_ROWS or farthest_col + widest > MAX_COLUMNS or cells > MAX_CELLS:
        raise SheetTooLarge
    return SheetScan(frozenset(formulas), errors, dde)


def _number(text: str) -> int:
    if _NUMBER.fullmatch(text) is None:
        raise OddSheet(f"row reference {text!r}")
    return int(text)


def _column(letters: str) -> int:
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return column
