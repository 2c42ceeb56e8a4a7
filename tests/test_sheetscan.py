"""The sheet scan: formula, error and DDE cells found in the raw XML, and sheets whose cells reach so far that
calamine would abort the process (it asks for rows x columns cells at once) refused in every spelling."""

from __future__ import annotations

import pytest
from defusedxml import ElementTree
from kehoach.validators.sheetscan import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_DEPTH,
    MAX_ELEMENTS,
    MAX_MERGES,
    MAX_ROWS,
    OddSheet,
    SheetScan,
    SheetTooLarge,
    Work,
    scan_sheet,
)

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _sheet(rows: bytes, root: bytes = b"", tail: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="' + MAIN + b'"' + root + b">"
        b"<sheetData>" + rows + b"</sheetData>" + tail + b"</worksheet>"
    )


def _scan(xml: bytes) -> SheetScan:
    return scan_sheet(xml, lambda: None)


USUAL = (
    b'<row r="1"><c r="A1" s="1" t="s"><v>0</v></c><c r="B1" s="2"><f>A1*2</f><v>2</v></c></row>'
    b'<row r="2"><c r="A2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B2"><f>DDE|x!A1</f><v>0</v></c>'
    b'<c r="C2" s="3"/></row>'
)


def test_formula_error_and_dde_cells_are_found() -> None:
    scan = _scan(_sheet(USUAL))
    assert scan.formulas == {"B1", "A2", "B2"}
    assert scan.errors == {"A2": "#DIV/0!"}
    assert scan.dde == ["B2"]


def test_cells_outside_sheet_data_are_not_cells() -> None:
    tail = b'<dataValidations><dataValidation sqref="A1"><formula1>"c"</formula1></dataValidation></dataValidations>'
    assert _scan(_sheet(USUAL, tail=tail)).formulas == {"B1", "A2", "B2"}


def test_the_last_cell_allowed_takes_the_plain_road() -> None:
    work = Work()
    xml = _sheet(b'<row r="20000"><c r="SF20000"><f>1</f><v>1</v></c></row>')
    assert scan_sheet(xml, lambda: None, work).formulas == {"SF20000"}
    assert work.elements == 0  # no element parsed: the regular expressions read it


def _rows(first: int, last: int, prefix: bytes = b"") -> bytes:
    return b"".join(
        b'<%srow r="%d"><%sc r="A%d"><%sv>%d</%sv></%sc></%srow>'
        % (prefix, r, prefix, r, prefix, r, prefix, prefix, prefix)
        for r in range(first, last + 1)
    )


def _refusal(xml: bytes, work: Work) -> SheetTooLarge:
    with pytest.raises(SheetTooLarge) as refused:
        scan_sheet(xml, lambda: None, work)
    return refused.value


@pytest.mark.parametrize("prefix", [b"", b"x:"])
def test_a_sheet_past_the_row_limit_is_refused_at_the_first_cell_beyond_it(prefix: bytes) -> None:
    """The strict road used to parse the whole sheet and compare its extent afterwards: the hostile corpus's
    million-row sheet took 9 s of CPU. Now it stops at the first cell beyond the limit: three elements a row."""
    work = Work()
    xml = _sheet(_rows(1, 10 * MAX_ROWS, prefix), root=b' xmlns:x="' + MAIN + b'"')
    refused = _refusal(xml, work)
    assert (refused.limit, refused.cell) == ("rows", f"A{MAX_ROWS + 1}")
    assert work.elements <= 3 * (MAX_ROWS + 1) + 2


def test_a_row_past_the_column_limit_is_refused_at_the_first_cell_beyond_it() -> None:
    work = Work()
    refused = _refusal(_sheet(b'<row r="1">' + b"<c><v>1</v></c>" * (100 * MAX_COLUMNS) + b"</row>"), work)
    assert (refused.limit, refused.cell) == ("columns", "SG1")
    assert work.elements <= 2 * (MAX_COLUMNS + 1) + 3


def test_a_sheet_past_the_cell_limit_is_refused_at_the_first_cell_beyond_it() -> None:
    """Empty cells take no room in calamine, but reading them is work: their number is bounded too."""
    work = Work()
    refused = _refusal(_sheet(b"<row>" + b"<c/>" * (MAX_CELLS + 1000) + b"</row>"), work)
    assert refused.limit == "cells"
    assert work.elements == MAX_CELLS + 4  # worksheet, sheetData, row and the cells


def test_the_elements_of_a_workbook_are_bounded_across_its_sheets() -> None:
    """The count goes on from sheet to sheet: here, earlier sheets have already taken all but a thousand."""
    work = Work(elements=MAX_ELEMENTS - 1000)
    refused = _refusal(_sheet(b"\n", tail=b"<x/>" * 100_000), work)
    assert refused.limit == "elements"
    assert work.elements == MAX_ELEMENTS + 1


def test_the_strict_road_checks_the_time_at_least_every_65536_elements() -> None:
    work, seen = Work(), [0]
    scan_sheet(_sheet(b"\n", tail=b"<x/>" * 300_000), lambda: seen.append(work.elements), work)
    assert max(b - a for a, b in zip(seen, [*seen[1:], work.elements], strict=True)) <= 65536
    assert len(seen) >= 4


def test_nesting_is_refused_as_soon_as_it_is_too_deep() -> None:
    work = Work()
    with pytest.raises(OddSheet):
        scan_sheet(_sheet(b"<row><c>" + b"<x>" * 100_000 + b"</x>" * 100_000 + b"</c></row>"), lambda: None, work)
    assert work.elements == MAX_DEPTH + 1


@pytest.mark.parametrize(
    "rows",
    [
        b'<row r="1048576"/>',  # an empty row far down (calamine keeps no cell of it)
        b'<x:row r="1048576" s="2" customFormat="1"></x:row>',
        b'<row r="1048576"><c r="XFD1048576" s="1"/></row>',  # a formatted empty cell
        b'<row r="30000"><c r="A30000" s="1"><f>A1</f></c></row>',  # a formula with no value yet
        b'<row r="30000"><c r="A30000" s="1" t="n"><v/></c></row>',  # an empty value
    ],
)
def test_empty_rows_and_cells_far_down_are_not_data(rows: bytes) -> None:
    scan = _scan(_sheet(USUAL + rows, root=b' xmlns:x="' + MAIN + b'"'))
    assert scan.formulas >= {"B1", "A2", "B2"} and scan.errors == {"A2": "#DIV/0!"}


@pytest.mark.parametrize(
    "cell",
    [
        b'<c r="SG1"><v>1</v></c>',
        b'<c r="A20001"><v>1</v></c>',
        b'<c r="XFD1048576"><v>1</v></c>',
        b"<c r='XFD1048576'><v>1</v></c>",  # single quotes
        b'<c s="1" r="XFD1048576"><v>1</v></c>',  # another attribute first
        b'<c r="xfd1048576"><v>1</v></c>',  # lowercase
        b'<c\nr="XFD1048576"><v>1</v></c>',  # a newline for the space
        b'<x:c r="XFD1048576"><x:v>1</x:v></x:c>',  # the main namespace under a prefix
    ],
)
def test_a_far_cell_is_refused_however_it_is_written(cell: bytes) -> None:
    with pytest.raises(SheetTooLarge):
        _scan(_sheet(USUAL + b'<row r="3">' + cell + b"</row>", root=b' xmlns:x="' + MAIN + b'"'))


def test_a_cell_without_reference_in_a_far_row_is_refused() -> None:
    with pytest.raises(SheetTooLarge):
        _scan(_sheet(b'<row r="1048576"><c><v>1</v></c></row>'))
    with pytest.raises(SheetTooLarge):  # a long run of cells without references walks past column 500
        _scan(_sheet(b'<row r="1">' + b"<c><v>1</v></c>" * 501 + b"</row>"))


def test_a_second_sheet_data_is_refused() -> None:
    """Calamine reads only the first; Excel and LibreOffice read both."""
    xml = _sheet(USUAL, tail=b'<sheetData><row r="9"><c r="A9"><f>1</f><v>1</v></c></row></sheetData>')
    with pytest.raises(OddSheet):
        _scan(xml)


def test_a_far_cell_in_utf16_is_refused() -> None:
    xml = _sheet(USUAL + b'<row r="3"><c r="XFD3"><v>1</v></c></row>').replace(b"UTF-8", b"UTF-16")
    with pytest.raises(SheetTooLarge):
        _scan(xml.decode().encode("utf-16"))


def test_a_sheet_not_in_the_plain_form_is_parsed_and_its_cells_placed_as_calamine_places_them() -> None:
    unusual = (
        b'<row r="1"><c s="1" r="A1"><v>1</v></c><c><f>A1</f><v>1</v></c></row>'  # attribute order; no reference
        b'<row><c r="B2">\n  <f>cmd|\' /C calc\'!A0</f></c>\n<c t="e"><v>#N/A</v></c></row>'
    )
    scan = _scan(_sheet(unusual))
    assert (scan.formulas, scan.dde, scan.errors) == ({"B1", "B2"}, ["B2"], {"C2": "#N/A"})


@pytest.mark.parametrize(
    "cell",
    [
        b'<c r="A1" r="XFD1048576"><v>1</v></c>',  # calamine keeps the last r
        b'<:c r="XFD1048576"><v>1</v></:c>',
        b'<1:c r="XFD1048576"><v>1</v></1:c>',
    ],
)
def test_a_cell_that_is_not_xml_is_refused(cell: bytes) -> None:
    with pytest.raises(ElementTree.ParseError):
        _scan(_sheet(b'<row r="3">' + cell + b"</row>"))


def test_a_far_cell_under_any_prefix_is_refused() -> None:
    cell = (
        "<é:c xmlns:é='http://schemas.openxmlformats.org/spreadsheetml/2006/main' r='XFD1048576'><é:v>1</é:v></é:c>"
    ).encode()
    with pytest.raises(SheetTooLarge):
        _scan(_sheet(b'<row r="3">' + cell + b"</row>"))


def test_searches_take_linear_time_on_hostile_formulas() -> None:
    long_name = b"a" * 200_000  # before the fix, each of its letters started a search to its end
    formula = b'<row r="1"><c r="A1"><f>' + long_name + b'</f><v>0</v></c><c r="B1" t="e"><v>#N/A</v></c></row>'
    scan = _scan(_sheet(formula + b'<row r="2"><c r="A2"><f>"|"</f></c></row>'))
    assert scan.formulas == {"A1", "A2"} and scan.dde == [] and scan.errors == {"B1": "#N/A"}


def test_a_reference_no_spreadsheet_writes_is_refused() -> None:
    with pytest.raises(OddSheet):
        _scan(_sheet(b'<row r="1"><c s="1" r="$A$1"><v>1</v></c></row>'))


def test_an_unusual_sheet_is_parsed_in_flat_memory_and_bounded_depth() -> None:
    padding = b"<x/>" * 200_000  # dropped as they end, not kept in a tree
    assert _scan(_sheet(b'<row r="1"><c s="1" r="A1"><v>1</v></c></row>', tail=padding)).formulas == set()
    with pytest.raises(OddSheet):
        _scan(_sheet(b"<c>" + b"<x>" * 100 + b"</x>" * 100 + b"</c>"))


@pytest.mark.parametrize("end", [b"</is >", b"</is\n>"])
def test_an_inline_string_cannot_hide_cells_from_the_plain_form(end: bytes) -> None:
    """Calamine ends the string at any spelling of its end tag; what follows are cells again."""
    hidden = b'<c r="A1" t="inlineStr"><is><t>x</t>' + end + b'</c><c r="XFD1048576"><v>1</v></c>'
    with pytest.raises(SheetTooLarge):
        _scan(_sheet(b'<row r="1">' + hidden + b'<c r="B1" t="inlineStr"><is></is></c></row>'))


SHARED = b'<c r="A1"><f t="shared" ref="A1:A3" si="0">B1*2</f><v>2</v></c><c r="A2"><f t="shared" si="0"/><v>4</v></c>'
FOREIGN = b' xmlns:ev="urn:evil" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'


@pytest.mark.parametrize(
    ("cells", "formulas", "errors", "dde"),
    [
        (SHARED, {"A1", "A2"}, {}, []),
        (SHARED + b'<c r="A3" t="e"><f t="shared" si="0"/><v>#REF!</v></c>', {"A1", "A2", "A3"}, {"A3": "#REF!"}, []),
        (b'<c r="A1" t="e"><v xml:space="preserve">#N/A</v></c>', set(), {"A1": "#N/A"}, []),
        (b"<c r=\"A1\"><f>cmd&#124;' /C calc'!A0</f><v>0</v></c>", {"A1"}, {}, ["A1"]),
        (b"<c r=\"A1\"><f>cmd&#x7C;' /C calc'!A0</f><v>0</v></c>\n", {"A1"}, {}, ["A1"]),  # and on the strict road
        (b'<c r="A1" t="str"><f>"R"&amp;"D"</f><v>R&amp;D</v></c>', {"A1"}, {}, []),
        (b'<c r="A1" s="1" t="inlineStr"><is><t>R&amp;D</t></is></c>', set(), {}, []),
    ],
)
def test_excel_spellings_are_read(cells: bytes, formulas: set, errors: dict, dde: list) -> None:
    """Shared formulas as Excel fills them down, an error under one, attributes on a value, a DDE link written
    with a character reference, escapes in a formula's text result."""
    scan = _scan(_sheet(b'<row r="1">' + cells + b"</row>"))
    assert (scan.formulas, scan.errors, scan.dde) == (formulas, errors, dde)


@pytest.mark.parametrize(
    "cells",
    [
        b'<c r="A1"><f xmlns="urn:evil">1</f><v>5</v></c>',  # a formula Excel does not see would hide an overwrite
        b'<c r="A1"><ev:f>1</ev:f><v>5</v></c>',
        b'<c r="A1"><v>5</v><mc:AlternateContent/></c>',
        b'<c r="A1"><v xmlns="urn:evil">5</v></c>',
        b'<c r="A1"><v>1&#50;.5</v></c>',  # calamine reads 1
        b'<c r="A1"><v>1<![CDATA[2]]>.5</v></c>',
        b'<c r="A1"><v>1<!-- -->2</v></c>',
        b'<c r="A1"><v>1<?pi?>2</v></c>',
        b'<c r="A1" t="s"><v> 7</v></c>',  # calamine reads shared string 0
        b'<c r="A1" t="s"><v>7.0</v></c>',
        b'<c r="A1"><is><t>text</t></is></c>',  # calamine reads text Excel ignores
        b'<c r="A1" t="inlineStr"><v>1</v><is><t>text</t></is></c>',
        b'<c r="A1" t="inlineStr"><is><t xmlns="urn:evil">text</t></is></c>',
        b'<c r="A2"><f t="shared" si="0"/><v>4</v></c>',  # no master: LibreOffice reads no formula
    ],
)
def test_what_calamine_would_read_otherwise_than_excel_is_refused(cells: bytes) -> None:
    with pytest.raises(OddSheet):
        _scan(_sheet(b'<row r="1">' + cells + b"</row>", root=FOREIGN))
    with pytest.raises(OddSheet):  # the same on the strict road
        _scan(_sheet(b'<row r="1">\n' + cells + b"</row>", root=FOREIGN))


@pytest.mark.parametrize(
    "xml",
    [
        _sheet(USUAL).replace(b'xmlns="' + MAIN, b'xmlns="urn:evil'),
        _sheet(USUAL, root=b' xmlns:ev="urn:evil"').replace(
            b"<sheetData>", b'<ev:sheetData><row r="1"/></ev:sheetData><sheetData>'
        ),
        _sheet(USUAL).replace(b"<sheetData>", b'<sheetData xmlns="urn:evil">'),
        _sheet(USUAL).replace(b'<worksheet xmlns="' + MAIN + b'"', b"<worksheet a='xmlns=\"" + MAIN + b"\"'"),
    ],
)
def test_cells_outside_the_main_namespace_are_refused(xml: bytes) -> None:
    with pytest.raises(OddSheet):
        _scan(xml)


def test_merged_ranges_are_bounded() -> None:
    """Calamine hands every merged range to Python as nested tuples: 3.9 million of them, 97 MB of XML that
    compress to 300 KB, took 1 GB of memory (samples/hostile.py, many-merges.xlsx)."""

    def merges(count: int, spelling: bytes = b'<mergeCell ref="A1:B2"/>') -> bytes:
        return _sheet(USUAL, tail=b'<mergeCells count="%d">' % count + spelling * count + b"</mergeCells>")

    assert _scan(merges(MAX_MERGES)).formulas == {"B1", "A2", "B2"}
    assert _scan(merges(MAX_MERGES // 2, b'<mergeCell ref="A1:B2"></mergeCell>')).formulas == {"B1", "A2", "B2"}
    for spelling in (b'<mergeCell ref="A1:B2"/>', b'<x:mergeCell ref="A1:B2"/>'):
        with pytest.raises(SheetTooLarge) as refused:
            _scan(merges(MAX_MERGES + 1, spelling).replace(b"<worksheet ", b'<worksheet xmlns:x="' + MAIN + b'" '))
        assert refused.value.limit == "merges"
