"""What calamine does not tell about a sheet, found in its raw XML: which cells hold a formula, an error value
or a DDE link; and whether its cells reach so far that calamine, which holds a sheet as one rectangle, would
need more memory than the machine has (one cell at XFD1048576 asks for 512 GB and aborts the process).

Excel, LibreOffice and the template builder write sheetData in one plain form: rows of cells, each cell
``<c r="A1" ...>`` with its attributes, formula and value. A sheet whose whole sheetData matches that form, with
every reference inside the limits, is searched by regular expressions (C speed). Anything else, however
little it differs (a namespace prefix, a second r attribute, another quoting or encoding, a cell without a
reference, a comment, a far reference, a root outside the main namespace), is parsed as XML instead, and the
positions calamine would give its cells are bounded from the parse. The plain form is a whitelist: what it does
not describe takes the slow, strict road, so no spelling can slip a cell past the check.

Calamine finds elements by their local name in any namespace, and stops a value at its first character reference
or at hidden markup (comments, CDATA). Wherever that would make it read otherwise than Excel, the strict road
refuses the sheet (OddSheet).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import itemgetter

from defusedxml import ElementTree
from kehoach.validators.workbook import a1

MAX_ROWS = 20_000  # the standard workbook has a few hundred rows; a sheet beyond these is not one of ours
MAX_COLUMNS = 500  # both limits are also spelled out in the patterns _ROW_NUMBER and _COLUMN
MAX_CELLS = 1_000_000
MAX_MERGES = 20_000  # merged ranges: calamine hands each to Python as nested tuples (4 million took 1 GB)
MAX_ELEMENTS = 4 * MAX_CELLS  # XML elements parsed in one workbook on the strict road (a cell has two or three)
MAX_DEPTH = 64  # a worksheet's elements nest a few levels deep
MAIN_NAMESPACE = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN_NAMESPACE = "http://purl.oclc.org/ooxml/spreadsheetml/main"  # Excel's "Strict Open XML" files
MAIN_NAMESPACES = (MAIN_NAMESPACE, STRICT_MAIN_NAMESPACE)
SMALLEST_CELL = 11  # bytes of <c r="A1"/>: a part smaller than SMALLEST_CELL * MAX_CELLS has fewer cells

# The plain form of sheetData, with every reference inside column SF and row 20,000 (MAX_COLUMNS, MAX_ROWS).
# Possessive quantifiers (*+) give nothing back, and every scan stops at "<" or a quote, so a match takes time
# linear in the input whatever it holds.
_ROW_NUMBER = rb"(?:[1-9][0-9]{0,3}|1[0-9]{4}|20000)"  # 1 to 20,000
_COLUMN = rb"(?:[A-Z]|[A-R][A-Z]|S[A-F])"  # A to SF
_ATTRIBUTE = rb' (?!xmlns)[A-Za-z][\w:.-]*+="[^"<>]*+"'  # no namespace declaration: calamine ignores namespaces
# Inside an inline string: text and rich-text tags, but no tag named is, c, row or sheetData under any prefix or
# spacing (calamine would end the string, or read a cell, where the pattern does not), no namespace declaration,
# and no comment or CDATA.
_INLINE_STRING = rb"<is>(?:[^<]++|<(?![!?]|/?(?:[^\s<>/:]*+:)?(?:is|c|row|sheetData)[\s/>]|[^<>]*xmlns)[^<>]*+>)*+</is>"
_CELL_ATTRIBUTES = rb'(?: (?:s|cm|vm|ph)="[^"<>]*+")*+'  # but r (once, first) and t (once)
_FORMULA = rb"(?:<f(?:" + _ATTRIBUTE + rb")*+(?:/>|>[^<]*+</f>))?"


def _cell_ending(value_text: bytes) -> bytes:
    return rb"(?:/>|>" + _FORMULA + rb"(?:<v(?:" + _ATTRIBUTE + rb")*+>" + value_text + rb"</v>)?</c>)"


# Calamine reads a number, boolean or error only up to a character reference, and a shared string's index only
# if it is digits; so only a formula's text result (t="str") may hold "&", and an inline string no <v>.
_CELL = (
    rb'<c r="'
    + _COLUMN
    + _ROW_NUMBER
    + rb'"'
    + _CELL_ATTRIBUTES
    + rb"(?:"
    + _cell_ending(rb"[^<&]*+")
    + rb'| t="(?:s"'
    + _CELL_ATTRIBUTES
    + _cell_ending(rb"[0-9]++")
    + rb'|[nbed]"'
    + _CELL_ATTRIBUTES
    + _cell_ending(rb"[^<&]*+")
    + rb'|str"'
    + _CELL_ATTRIBUTES
    + _cell_ending(rb"[^<]*+")
    + rb'|inlineStr"'
    + _CELL_ATTRIBUTES
    + rb">"
    + _FORMULA
    + _INLINE_STRING
    + rb"</c>))"
)
_ROW = rb"<row(?:" + _ATTRIBUTE + rb")*+(?:/>|>(?:" + _CELL + rb")*+</row>)"
_PLAIN_SHEET_DATA = re.compile(rb"<sheetData(?:/>|>(?:" + _ROW + rb")*+</sheetData>)")
# As Excel, LibreOffice and XlsxWriter begin a sheet (Excel's Strict Open XML files with the strict namespace).
_PLAIN_ROOTS = tuple(f'<worksheet xmlns="{namespace}"'.encode() for namespace in MAIN_NAMESPACES)
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]++[0-9]++)"[^<>]*+><f\b([^<>]*+)>')  # and the formula's attributes
_FORMULA_TEXT = re.compile(_FORMULA_CELL.pattern + rb"([^<]*+)")  # and the formula itself
_SHARED = re.compile(rb'\bt="shared"')
_SHARED_INDEX = re.compile(rb'\bsi="([^"]*+)"')
_MASTER = re.compile(rb'\bref="')
_VALUE_TEXT = re.compile(rb"<(?:[^\s<>/!?:]++:)?v(?=[\s/>])[^<>]*+>([^<]*+)")
_DDE = re.compile(r"[A-Za-z0-9_.]\|")  # a program name and "|": cmd|' /C calc'!A0
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]++[0-9]++)"(?=[^<>]*\bt="e")[^<>]*+>'
    rb"(?:<f\b[^<>]*?/>|<f\b[^<>]*+>[^<]*+</f>)?<v\b[^<>]*+>([^<]*+)</v>"
)
# Cell types whose empty value (<v/>) calamine reads as an empty cell, keeping no cell (an inline string's is its
# <is> element, its <v> is ignored); a text result (t="str") or a date (t="d") is kept even empty.
_EMPTY_WHEN_BLANK = frozenset(("", "n", "s", "b", "e", "inlineStr"))
_REFERENCE = re.compile(r"([A-Za-z]{1,7})([0-9]{1,9})")
_NUMBER = re.compile(r"[0-9]{1,9}")


class SheetTooLarge(Exception):
    """The sheet's cells reach beyond MAX_ROWS, MAX_COLUMNS or MAX_CELLS, or its part holds more than MAX_ELEMENTS
    elements, or more than MAX_MERGES merged ranges. ``limit`` names the limit crossed ("rows", "columns", "cells",
    "elements", "merges"), ``cell`` the first cell
    found beyond it (when one is known), ``elements`` how many elements had been parsed when the scan gave up."""

    def __init__(self, limit: str, elements: int = 0, cell: str | None = None):
        super().__init__(f"{limit} limit crossed" + (f" at {cell}" if cell else ""))
        self.limit, self.elements, self.cell = limit, elements, cell


@dataclass
class Work:
    """What reading one workbook has done so far, counted as it goes: the limits are checked against it, and
    tests read it to see that a refusal stopped at the limit rather than after reading the rest."""

    elements: int = 0  # XML elements parsed on the strict road
    inflated: int = 0  # bytes inflated from the package (validators/reader.py)


class OddSheet(Exception):
    """A sheet written as no spreadsheet writes one (a reference whose cell cannot be placed, elements nested
    deeper than any worksheet's), or one calamine would read otherwise than Excel."""


@dataclass
class SheetScan:
    formulas: frozenset[str]
    errors: dict[str, str]  # cell -> error value (calamine reads them as empty)
    dde: list[str]


def scan_sheet(xml: bytes, check_time: Callable[[], None], work: Work | None = None) -> SheetScan:
    """Formula, error and DDE cells of a worksheet part; raises SheetTooLarge or OddSheet (see the module)."""
    check_time()
    work = Work() if work is None else work
    # Every spelling of a merged range's element holds the bytes "mergeCell" not followed by "s" (its container's
    # are "mergeCells"): Excel writes one such tag a range (<mergeCell ref="A1:B2"/>), other spellings two.
    if xml.count(b"mergeCell") - xml.count(b"mergeCells") > MAX_MERGES:
        raise SheetTooLarge("merges")
    cells_part = _sheet_data(xml)
    if cells_part is None:
        return _scan_parsed(xml, check_time, work)
    if len(cells_part) > SMALLEST_CELL * MAX_CELLS and cells_part.count(b"<c ") > MAX_CELLS:
        raise SheetTooLarge("cells")
    found = _FORMULA_CELL.findall(cells_part)  # (reference, attributes) pairs
    formulas = frozenset(map(bytes.decode, map(itemgetter(0), found)))
    # The rarer searches run only where a one-byte test (memchr fast) says they can find something: every Excel
    # error value starts with "#", every DDE formula holds "|" or a character reference for it ("&#124;", with a
    # "#"), and the standard workbook's sheets hold neither.
    dde = (
        [ref.decode() for ref, _, text in _FORMULA_TEXT.findall(cells_part) if _is_dde(text.decode(errors="replace"))]
        if formulas and (b"|" in cells_part or b"#" in cells_part)
        else []
    )
    errors = (
        {ref.decode(): text.decode(errors="replace") for ref, text in _ERROR_CELL.findall(cells_part)}
        if b"#" in cells_part
        else {}
    )
    if any(map(itemgetter(1), found)):  # the standard workbook's formulas have no attributes
        _check_shared_formulas(map(_shared_formula, filter(_SHARED.search, map(itemgetter(1), found))))
    return SheetScan(formulas, errors, dde)


def _is_dde(formula: str) -> bool:
    return _DDE.search(html.unescape(formula)) is not None  # Excel reads &#124; as "|"


def _shared_formula(attributes: bytes) -> tuple[bool, str | None]:
    """Whether a shared formula is its group's master, and the group's index."""
    index = _SHARED_INDEX.search(attributes)
    return _MASTER.search(attributes) is not None, index.group(1).decode() if index else None


def _check_shared_formulas(formulas: Iterable[tuple[bool, str | None]]) -> None:
    """A shared formula's cells name their master (the one with a range) by its index; a cell naming no master
    holds no formula for Excel or LibreOffice, though it looks like one here, so the sheet is refused."""
    masters, followers = set(), set()
    for is_master, index in formulas:
        (masters if is_master else followers).add(index)
    if followers - masters:
        raise OddSheet("a shared formula without its master")


def _sheet_data(xml: bytes) -> bytes | None:
    """The sheet's only sheetData element if the part is UTF-8, its root in the main namespace, and it is in the
    plain form, else None. Every spelling of the element's name holds the bytes "sheetData", so the first and
    last of them must be its own."""
    end_of_prologue = prologue_end(xml)
    declaration = xml[:end_of_prologue]
    if b"encoding" in declaration and not re.search(rb"""encoding=["']utf-8["']""", declaration, re.I):
        return None
    start, end = xml.find(b"sheetData"), xml.rfind(b"sheetData")
    if start == 0:
        return None
    if start == -1:
        return b"" if b"\x00" not in xml[:4] and not xml.startswith((b"\xff\xfe", b"\xfe\xff")) else None
    root = xml.find(b"<", end_of_prologue)
    # No other default namespace in the root or in an element around sheetData, which would move it elsewhere.
    plain_root = next((r for r in _PLAIN_ROOTS if xml.startswith(r, root)), None)
    if plain_root is None or xml.find(b'xmlns="', root + len(plain_root), start) != -1:
        return None
    cells_part = xml[start - 1 : xml.find(b">", end) + 1]
    return cells_part if _PLAIN_SHEET_DATA.fullmatch(cells_part) else None


def _scan_parsed(xml: bytes, check_time: Callable[[], None], work: Work) -> SheetScan:
    """The scan of a sheet not in the plain form, from a strict XML parse that gives up as soon as a limit is
    crossed, not after reading the rest. Cells are placed as calamine places them (a cell without a reference
    takes the next column, a row without one the next row), and a cell counts toward the sheet's extent if it
    holds a value (a v or is element): calamine keeps no other cell, so an empty row or a formatted empty cell
    far down is not data. Rows must sit in sheetData and cells in rows, where placing them is unambiguous.
    What calamine would read otherwise than Excel is refused (OddSheet): a second sheetData, an element of
    another namespace among the cells (calamine ignores namespaces), comments, CDATA or processing instructions
    up to the end of sheetData (calamine stops a value at them), a character reference in a value other than a
    formula's text, a shared string index that is not digits, an inline string in a cell not marked so or beside
    a value."""
    _refuse_hidden_markup(xml)
    # The value elements' raw texts, in document order, searched lazily in step with the parse (the parser
    # gives the text unescaped): the search stops where the parse stops.
    raw_values = _VALUE_TEXT.finditer(xml) if b"&" in xml else None
    cells = 0
    row = column = cell_row = -1
    kind = ""
    sheet_data_seen = 0
    in_sheet_data = has_value = has_inline = False
    main = MAIN_NAMESPACE
    formulas: set[str] = set()
    errors: dict[str, str] = {}
    dde: list[str] = []
    shared: list[tuple[bool, str | None]] = []
    open_elements: list = []
    names: list[str] = []  # local names of the open elements
    for event, element in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        if event == "end":
            open_elements.pop()
            name = names.pop()
            if name == "sheetData" and len(names) == 1:
                in_sheet_data = False
            elif not in_sheet_data:
                pass
            elif name == "c" and (has_inline and (kind != "inlineStr" or has_value)):
                raise OddSheet("an inline string in a cell not marked so, or beside a value")
            elif (names[-1] if names else "") != "c" or min(cell_row, column) < 0:
                pass
            elif name == "f":
                formulas.add(a1(cell_row, column))
                if _DDE.search(element.text or ""):
                    dde.append(a1(cell_row, column))
            elif name == "v" and (element.text or kind not in _EMPTY_WHEN_BLANK):
                _check_extent(cell_row, column, work)  # a value calamine keeps: it must lie inside the limits
                if kind == "e" and element.text:
                    errors[a1(cell_row, column)] = element.text
                elif kind == "s" and _NUMBER.fullmatch(element.text) is None:
                    raise OddSheet("a shared string index that is not digits")
            if open_elements:  # what has ended is its parent's only child left: dropping it keeps memory flat
                del open_elements[-1][-1]
            continue
        work.elements += 1
        if work.elements & 0xFFFF == 0:
            check_time()
        if work.elements > MAX_ELEMENTS:
            raise SheetTooLarge("elements", work.elements)
        tag = element.tag
        namespace, _, name = tag[1:].rpartition("}") if tag[:1] == "{" else ("", "", tag)
        open_elements.append(element)
        names.append(name)
        if len(names) > MAX_DEPTH:
            raise OddSheet("elements nested too deep")
        if name == "v" and raw_values is not None:
            raw = next(raw_values, None)
            if raw is not None and b"&" in raw.group(1) and in_sheet_data and kind != "str":
                raise OddSheet("a character reference in a cell value")
        if name == "sheetData":
            sheet_data_seen += 1
            if sheet_data_seen > 1 or namespace not in MAIN_NAMESPACES or len(names) != 2:
                raise OddSheet("a second sheetData, or one in another namespace or place")
            in_sheet_data, main = True, namespace
            continue
        if not in_sheet_data:
            continue
        if namespace != main:
            raise OddSheet(f"an element of another namespace among the cells: {tag}")
        parent = names[-2]
        if name == "row":
            if parent != "sheetData":
                raise OddSheet("a row outside sheetData")
            reference = element.get("r")
            row, column = (row + 1 if reference is None else _number(reference) - 1), -1
        elif name == "c":
            if parent != "row":
                raise OddSheet("a cell outside a row")
            cells += 1
            if cells > MAX_CELLS:
                raise SheetTooLarge("cells", work.elements)
            kind, has_value, has_inline = element.get("t", ""), False, False
            cell_row, column = row, column + 1
            reference = element.get("r")
            if reference is not None:
                match = _REFERENCE.fullmatch(reference)
                if match is None:
                    raise OddSheet(f"cell reference {reference!r}")
                cell_row, column = int(match.group(2)) - 1, _column(match.group(1)) - 1
        elif name == "v":
            has_value = True
        elif name == "is":
            has_inline = True
            _check_extent(cell_row, column, work)
        elif name == "f" and element.get("t") == "shared":
            shared.append(("ref" in element.attrib, element.get("si")))
    _check_shared_formulas(shared)
    return SheetScan(frozenset(formulas), errors, dde)


def _check_extent(row: int, column: int, work: Work) -> None:
    if row >= MAX_ROWS:
        raise SheetTooLarge("rows", work.elements, a1(row, max(column, 0)))
    if column >= MAX_COLUMNS:
        raise SheetTooLarge("columns", work.elements, a1(max(row, 0), column))


def prologue_end(xml: bytes) -> int:
    """Where the part's byte-order mark and XML declaration, if any, end."""
    start = 3 if xml.startswith(b"\xef\xbb\xbf") else 0
    return xml.find(b"?>") + 2 if xml.startswith(b"<?xml", start) else start


def _refuse_hidden_markup(xml: bytes) -> None:
    """Comments, CDATA and processing instructions from the declaration to the end of sheetData: no spreadsheet
    writes them there, the parser drops them, and calamine stops a value at them. (With these refused, no "<"
    stands in text or attributes before the cells end, so every match of _VALUE_TEXT up to there is a value
    element's start tag, in step with the parse.) After sheetData (a hand-edited file's commented-out data
    validation in extLst) calamine reads no text, only attributes (merged ranges): markup there is harmless.
    Every spelling of sheetData's end tag holds the bytes "sheetData", so the last of them and the ">" after
    it end the checked span at or past the element's end (a later mention only lengthens it); a part without
    them (no cells, or an encoding where ASCII names are no ASCII bytes) is checked whole."""
    body = prologue_end(xml)
    last = xml.rfind(b"sheetData")
    closing = -1 if last == -1 else xml.find(b">", last)
    end = len(xml) if closing == -1 else closing + 1
    if any(xml.find(markup, body, end) != -1 for markup in (b"<!--", b"<![CDATA[", b"<?")):
        raise OddSheet("a comment, CDATA or a processing instruction")


def _number(text: str) -> int:
    if _NUMBER.fullmatch(text) is None:
        raise OddSheet(f"row reference {text!r}")
    return int(text)


def _column(letters: str) -> int:
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return column
