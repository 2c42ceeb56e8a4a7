"""Real workbooks written by other tools than the template builder, and files that are no workbook: the reader
reads what Excel reads, the way Excel reads it, and refuses only what is unreadable or unsafe, saying exactly
why and what to do. Every file here is a standard workbook, built then transformed as another tool writes it."""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from kehoach.samples.generate import generate_all
from kehoach.samples.hostile import INDICATOR_PART, _claim_size
from kehoach.validators.reader import MAX_PART_BYTES, read_workbook
from kehoach.validators.sheetscan import Work
from kehoach.validators.workbook import RawWorkbook, UnreadableWorkbook
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.catalog import load_catalog

from tests.support.libreoffice import convert

DATA = Path(__file__).parent / "data" / "forms"
MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT = {  # Excel's Strict Open XML namespaces (ISO/IEC 29500 strict), as Excel writes them
    MAIN: b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    RELATIONSHIPS: b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    b"http://schemas.openxmlformats.org/drawingml/2006/main": b"http://purl.oclc.org/ooxml/drawingml/main",
}


@pytest.fixture(scope="module")
def skhdt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    catalog = load_catalog()
    filling = generate_all(catalog, seed=5, units=["SKHDT"])["SKHDT"]
    return build_workbook(catalog, catalog.unit("SKHDT"), tmp_path_factory.mktemp("f") / "SKHDT.xlsx", filling)


def _parts(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as package:
        return [(info.filename, package.read(info)) for info in package.infolist()]


def _write(path: Path, parts: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts:
            package.writestr(name, data)
    return path


def _transform(source: Path, target: Path, change: Callable[[str, bytes], tuple[str, bytes]]) -> Path:
    return _write(target, [change(name, data) for name, data in _parts(source)])


def _same(read: RawWorkbook, expected: RawWorkbook) -> None:
    assert set(read.sheets) == set(expected.sheets)
    for name, grid in expected.sheets.items():
        other = read.sheets[name]
        assert other.rows == grid.rows, name
        assert (other.formulas, other.hidden, sorted(other.merged), other.dde) == (
            grid.formulas,
            grid.hidden,
            sorted(grid.merged),
            grid.dde,
        ), name
    assert (read.names, read.external_links) == (expected.names, expected.external_links)


# a. openpyxl, when lxml is installed, declares the relationships namespace on each <sheet> of workbook.xml.


def test_a_workbook_saved_by_openpyxl_with_lxml_is_read(skhdt: Path, tmp_path: Path) -> None:
    saved = tmp_path / "openpyxl.xlsx"
    openpyxl.load_workbook(skhdt).save(saved)
    declaration = b'xmlns:r="' + RELATIONSHIPS + b'"'

    def as_lxml_writes(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "xl/workbook.xml":
            assert data.count(declaration) == 1  # on the root, as ElementTree writes it
            data = data.replace(b" " + declaration, b"").replace(b"<sheet ", b"<sheet " + declaration + b" ")
        return name, data

    moved = _transform(saved, tmp_path / "lxml.xlsx", as_lxml_writes)
    workbook = zipfile.ZipFile(moved).read("xl/workbook.xml")
    assert workbook.count(declaration) == workbook.count(b"<sheet ") == len(openpyxl.load_workbook(skhdt).sheetnames)
    _same(read_workbook(moved), read_workbook(saved))


def test_a_sheet_id_in_another_namespace_is_still_refused(skhdt: Path, tmp_path: Path) -> None:
    """The declaration may move; the id must still be the relationships namespace's, and the only one."""

    def rebind(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "xl/workbook.xml":
            data = data.replace(b"<sheet ", b'<sheet xmlns:r="urn:elsewhere" ', 1)
        return name, data

    with pytest.raises(UnreadableWorkbook, match="không chỉ rõ phần nội dung của nó"):
        read_workbook(_transform(skhdt, tmp_path / "rebound.xlsx", rebind))


# b. Excel's Strict Open XML.


def _strict(name: str, data: bytes) -> tuple[str, bytes]:
    if name.endswith((".xml", ".rels")):
        for transitional, strict in STRICT.items():
            data = data.replace(transitional, strict)
        if name == "xl/workbook.xml":
            data = data.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
    return name, data


def test_a_strict_open_xml_workbook_is_read(skhdt: Path, tmp_path: Path) -> None:
    strict = _transform(skhdt, tmp_path / "strict.xlsx", _strict)
    assert b"purl.oclc.org/ooxml/officeDocument/relationships/officeDocument" in zipfile.ZipFile(strict).read(
        "_rels/.rels"
    )
    work = Work()
    _same(read_workbook(strict, work=work), read_workbook(skhdt))
    assert work.elements == 0  # Excel's strict sheets are in the plain form too: searched fast


# c. Tags under a prefix (the OpenXML SDK's x:), and an empty row far down.


def _prefixed(xml: bytes) -> bytes:
    xml = re.sub(rb"<(/?)([A-Za-z][A-Za-z0-9]*)(?=[\s/>])", rb"<\1x:\2", xml)
    return xml.replace(b'xmlns="' + MAIN + b'"', b'xmlns:x="' + MAIN + b'"', 1)


def test_a_prefixed_workbook_with_an_empty_row_far_down_is_read(skhdt: Path, tmp_path: Path) -> None:
    def sdk(name: str, data: bytes) -> tuple[str, bytes]:
        if name == INDICATOR_PART:
            data = _prefixed(data).replace(
                b"</x:sheetData>",
                b'<x:row r="1048576" spans="1:3" s="2" customFormat="1"><x:c r="C1048576" s="2"/></x:row>'
                b"</x:sheetData>",
            )
            assert b"<x:c r=" in data and b"<c " not in data
        elif name == "xl/workbook.xml" or name.startswith("xl/worksheets/sheet"):
            data = _prefixed(data)
        return name, data

    path = _transform(skhdt, tmp_path / "sdk.xlsx", sdk)
    work = Work()
    _same(read_workbook(path, work=work), read_workbook(skhdt))
    assert work.elements > 0  # the prefixed sheets took the strict road


def test_a_value_far_down_is_still_refused_under_a_prefix(skhdt: Path, tmp_path: Path) -> None:
    def far(name: str, data: bytes) -> tuple[str, bytes]:
        if name == INDICATOR_PART:
            data = _prefixed(data).replace(
                b"</x:sheetData>", b'<x:row r="1048576"><x:c r="C1048576"><x:v>1</x:v></x:c></x:row></x:sheetData>'
            )
        return name, data

    with pytest.raises(UnreadableWorkbook, match=r"có dữ liệu ở ô C1048576, vượt giới hạn 20\.000 dòng"):
        read_workbook(_transform(skhdt, tmp_path / "far.xlsx", far))


# d. The workbook part found through _rels/.rels.


def test_a_workbook_in_another_folder_is_found_through_the_package_relationships(skhdt: Path, tmp_path: Path) -> None:
    def move(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "_rels/.rels":
            data = data.replace(b'Target="xl/workbook.xml"', b'Target="/Book/workbook.xml"')
        elif name == "[Content_Types].xml":
            data = data.replace(b'"/xl/', b'"/Book/')
        return ("Book/" + name[3:] if name.startswith("xl/") else name), data

    moved = _transform(skhdt, tmp_path / "moved.xlsx", move)
    assert not any(name.startswith("xl/") for name, _ in _parts(moved))
    _same(read_workbook(moved), read_workbook(skhdt))


def test_a_workbook_part_under_another_name_is_refused_precisely(skhdt: Path, tmp_path: Path) -> None:
    """The standard allows it, but calamine reads workbook.xml in the folder whatever the name: refused, with
    the part named and the way out."""

    def rename(name: str, data: bytes) -> tuple[str, bytes]:
        if name in ("_rels/.rels", "[Content_Types].xml"):
            data = data.replace(b"xl/workbook.xml", b"xl/book.xml")
        return {"xl/workbook.xml": "xl/book.xml", "xl/_rels/workbook.xml.rels": "xl/_rels/book.xml.rels"}.get(
            name, name
        ), data

    with pytest.raises(UnreadableWorkbook, match=r"mang tên khác thường \(xl/book\.xml\).*Lưu thành"):
        read_workbook(_transform(skhdt, tmp_path / "renamed.xlsx", rename))


# e. An empty value element.


def test_an_empty_value_is_an_empty_cell(skhdt: Path, tmp_path: Path) -> None:
    original = read_workbook(skhdt).sheets[L.INDICATORS]
    xml = dict(_parts(skhdt))[INDICATOR_PART]
    number = re.search(rb'<c r="([A-Z]+)([0-9]+)" s="[0-9]+"><v>[0-9.]+</v></c>', xml)
    text = re.search(rb'<c r="([A-Z]+)([0-9]+)" s="[0-9]+" t="s"><v>[0-9]+</v></c>', xml)
    assert number and text
    emptied = xml
    for match, kind in ((number, b""), (text, b' t="s"')):
        emptied = emptied.replace(match.group(0), b'<c r="%s%s" s="1"%s><v/></c>' % (*match.groups(), kind))
    path = _transform(skhdt, tmp_path / "empty-v.xlsx", lambda n, d: (n, emptied if n == INDICATOR_PART else d))
    sheet = read_workbook(path).sheets[L.INDICATORS]
    cells = [(int(m.group(2)) - 1, _column(m.group(1).decode()) - 1) for m in (number, text)]
    for row, col in cells:
        assert original.value(row, col) not in (None, "") and sheet.value(row, col) is None
    changed = {
        (r, c) for r, row in enumerate(original.rows) for c, value in enumerate(row) if sheet.rows[r][c] != value
    }
    assert changed == set(cells)


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


# f. Files that are no workbook, or too large: precise messages.


def test_an_xlsb_is_named_and_the_way_out_given() -> None:
    """date.xlsb: an Excel binary workbook from calamine's test files (MIT)."""
    with pytest.raises(
        UnreadableWorkbook, match=r"Sổ làm việc nhị phân Excel \(\.xlsb\).*Sổ làm việc Excel \(\.xlsx\)"
    ):
        read_workbook(DATA / "date.xlsb")


@pytest.fixture(scope="module")
def ods(skhdt: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    (converted,) = convert([skhdt], tmp_path_factory.mktemp("ods"), "ods")
    return converted


def test_a_real_ods_is_called_an_opendocument_spreadsheet(ods: Path) -> None:
    assert ods.suffix == ".ods"
    with pytest.raises(UnreadableWorkbook) as refused:
        read_workbook(ods)
    assert "bảng tính OpenDocument (.ods, của LibreOffice/OpenOffice)" in refused.value.reason
    assert "đổi đuôi" not in refused.value.reason and "đặt đuôi" not in refused.value.reason
    assert "lưu lại dạng Sổ làm việc Excel (.xlsx)" in refused.value.reason


def test_an_ods_renamed_is_called_so(ods: Path, tmp_path: Path) -> None:
    renamed = shutil.copy(ods, tmp_path / "SKHDT.xlsx")
    with pytest.raises(UnreadableWorkbook, match=r"bảng tính OpenDocument \(\.ods\) đặt đuôi \.xlsx"):
        read_workbook(renamed)


def test_a_workbook_large_with_pictures_is_read(skhdt: Path, tmp_path: Path) -> None:
    """Twenty megabytes of pictures (incompressible, as photographs are) do not make a bomb."""
    picture = random.Random(1).randbytes(20 * 1024 * 1024)
    path = _write(tmp_path / "pictures.xlsx", [*_parts(skhdt), ("xl/media/image1.jpeg", picture)])
    assert path.stat().st_size > 20 * 1024 * 1024
    _same(read_workbook(path), read_workbook(skhdt))


def test_a_part_too_large_but_no_bomb_is_called_too_large(skhdt: Path, tmp_path: Path) -> None:
    """A sheet part past MAX_PART_BYTES inflated, compressed as XML compresses: too large, not a bomb."""
    digits = os.urandom(1 << 16).hex().encode()
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>0.%s</v></c></row>' % (r, r, digits[8 * r : 8 * r + 8]) for r in range(1, 16384)
    )
    sheet = (
        b'<worksheet xmlns="'
        + MAIN
        + b'"><sheetData>'
        + rows * (MAX_PART_BYTES // len(rows) + 1)
        + b"</sheetData></worksheet>"
    )
    assert len(sheet) > MAX_PART_BYTES  # the rows repeat beyond deflate's 32 KB window: they compress as one copy
    path = _transform(skhdt, tmp_path / "big.xlsx", lambda n, d: (n, sheet if n == INDICATOR_PART else d))
    with pytest.raises(UnreadableWorkbook) as refused:
        read_workbook(path)
    assert f"thành phần {INDICATOR_PART} quá lớn" in refused.value.reason
    assert "bom" not in refused.value.reason


def test_a_part_that_inflates_past_its_declared_size_is_refused_at_that_size(skhdt: Path, tmp_path: Path) -> None:
    """Calamine's reader stops at the declared size; inflating stops there too, and the message says so."""
    whole = Work()
    read_workbook(skhdt, work=whole)
    data = bytearray(skhdt.read_bytes())
    declared = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(INDICATOR_PART).file_size
    _claim_size(data, INDICATOR_PART, declared // 2)
    path = tmp_path / "lying.xlsx"
    path.write_bytes(data)
    work = Work()
    with pytest.raises(UnreadableWorkbook, match=f"{INDICATOR_PART} giải nén ra nhiều hơn kích thước khai báo"):
        read_workbook(path, work=work)
    assert work.inflated <= whole.inflated - declared + declared // 2 + 1  # half the sheet, not all of it


# Kinds met in real files (calamine's test corpus: issue_530.xlsx, nonstandard-xml-ns-prefix.xlsx).


def test_part_names_written_with_backslashes_are_read(skhdt: Path, tmp_path: Path) -> None:
    """Some Windows tools (.NET Framework's ZipFile before 4.6.1) write xl\\workbook.xml; calamine, and
    Python's zipfile on Windows, read the backslash as "/"."""
    path = _transform(skhdt, tmp_path / "backslash.xlsx", lambda name, data: (name.replace("/", "\\"), data))
    assert "xl\\workbook.xml" in zipfile.ZipFile(path).namelist()
    _same(read_workbook(path), read_workbook(skhdt))


def test_a_comment_before_the_shared_strings_root_is_read(skhdt: Path, tmp_path: Path) -> None:
    """The R package xlsx writes one; the count of strings is still read from the root, and still bounded."""

    def comment(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "xl/sharedStrings.xml":
            data = data.replace(b"?>", b"?><!--Shared string table generated by xlsx-->\n", 1)
        return name, data

    _same(read_workbook(_transform(skhdt, tmp_path / "comment.xlsx", comment)), read_workbook(skhdt))

    def comment_and_count(name: str, data: bytes) -> tuple[str, bytes]:
        name, data = comment(name, data)
        return name, re.sub(rb'uniqueCount="[0-9]+"', b'uniqueCount="4000000000"', data)

    with pytest.raises(UnreadableWorkbook, match=r"khai báo số chuỗi ký tự \(4000000000\)"):
        read_workbook(_transform(skhdt, tmp_path / "count.xlsx", comment_and_count))
