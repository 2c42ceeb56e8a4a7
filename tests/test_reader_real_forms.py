"""Real workbooks written by other tools than the template builder, and files that are no workbook: the reader
reads what Excel reads, the way Excel reads it, and refuses only what is unreadable or unsafe, saying exactly
why and what to do. Every file here is a standard workbook, built then transformed as another tool writes it."""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from kehoach.samples.hostile import INDICATOR_PART, _claim_size
from kehoach.validators.reader import MAX_PART_BYTES, read_workbook
from kehoach.validators.sheetscan import Work
from kehoach.validators.workbook import RawWorkbook, UnreadableWorkbook
from kehoach.workbook_templates import layout as L

from tests.support import zips
from tests.support.libreoffice import convert

DATA = Path(__file__).parent / "data" / "forms"
MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT = {  # Excel's Strict Open XML namespaces (ISO/IEC 29500 strict), as Excel writes them
    MAIN: b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    RELATIONSHIPS: b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    b"http://schemas.openxmlformats.org/drawingml/2006/main": b"http://purl.oclc.org/ooxml/drawingml/main",
}


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

    def as_lxml_writes(data: bytes) -> bytes:
        if data.count(declaration) > 1:  # openpyxl ran with lxml (docxtpl brings it in): already as lxml writes it
            return data
        assert data.count(declaration) == 1  # on the root, as ElementTree writes it
        return data.replace(b" " + declaration, b"").replace(b"<sheet ", b"<sheet " + declaration + b" ")

    moved = zips.rewrite(saved, tmp_path / "lxml.xlsx", "xl/workbook.xml", as_lxml_writes)
    workbook = zipfile.ZipFile(moved).read("xl/workbook.xml")
    assert workbook.count(declaration) == workbook.count(b"<sheet ") == len(openpyxl.load_workbook(skhdt).sheetnames)
    _same(read_workbook(moved), read_workbook(saved))


def test_a_sheet_id_in_another_namespace_is_still_refused(skhdt: Path, tmp_path: Path) -> None:
    """The declaration may move; the id must still be the relationships namespace's, and the only one."""

    def rebind(data: bytes) -> bytes:
        return data.replace(b"<sheet ", b'<sheet xmlns:r="urn:elsewhere" ', 1)

    with pytest.raises(UnreadableWorkbook, match="không chỉ rõ phần nội dung của nó"):
        read_workbook(zips.rewrite(skhdt, tmp_path / "rebound.xlsx", "xl/workbook.xml", rebind))


# b. Excel's Strict Open XML.


def _strict(name: str, data: bytes) -> tuple[str, bytes]:
    if name.endswith((".xml", ".rels")):
        for transitional, strict in STRICT.items():
            data = data.replace(transitional, strict)
        if name == "xl/workbook.xml":
            data = data.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
    return name, data


def test_a_strict_open_xml_workbook_is_read(skhdt: Path, tmp_path: Path) -> None:
    strict = zips.transform(skhdt, tmp_path / "strict.xlsx", _strict)
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

    path = zips.transform(skhdt, tmp_path / "sdk.xlsx", sdk)
    work = Work()
    _same(read_workbook(path, work=work), read_workbook(skhdt))
    assert work.elements > 0  # the prefixed sheets took the strict road


def test_a_value_far_down_is_still_refused_under_a_prefix(skhdt: Path, tmp_path: Path) -> None:
    def far(data: bytes) -> bytes:
        return _prefixed(data).replace(
            b"</x:sheetData>", b'<x:row r="1048576"><x:c r="C1048576"><x:v>1</x:v></x:c></x:row></x:sheetData>'
        )

    with pytest.raises(UnreadableWorkbook, match=r"có dữ liệu ở ô C1048576, vượt giới hạn 20\.000 dòng"):
        read_workbook(zips.rewrite(skhdt, tmp_path / "far.xlsx", INDICATOR_PART, far))


# d. The workbook part found through _rels/.rels.


def test_a_workbook_in_another_folder_is_found_through_the_package_relationships(skhdt: Path, tmp_path: Path) -> None:
    def move(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "_rels/.rels":
            data = data.replace(b'Target="xl/workbook.xml"', b'Target="/Book/workbook.xml"')
        elif name == "[Content_Types].xml":
            data = data.replace(b'"/xl/', b'"/Book/')
        return ("Book/" + name[3:] if name.startswith("xl/") else name), data

    moved = zips.transform(skhdt, tmp_path / "moved.xlsx", move)
    assert not any(name.startswith("xl/") for name, _ in zips.parts(moved))
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
        read_workbook(zips.transform(skhdt, tmp_path / "renamed.xlsx", rename))


# e. An empty value element.


def test_an_empty_value_is_an_empty_cell(skhdt: Path, tmp_path: Path) -> None:
    original = read_workbook(skhdt).sheets[L.INDICATORS]
    xml = dict(zips.parts(skhdt))[INDICATOR_PART]
    number = re.search(rb'<c r="([A-Z]+)([0-9]+)" s="[0-9]+"><v>[0-9.]+</v></c>', xml)
    text = re.search(rb'<c r="([A-Z]+)([0-9]+)" s="[0-9]+" t="s"><v>[0-9]+</v></c>', xml)
    assert number and text
    emptied = xml
    for match, kind in ((number, b""), (text, b' t="s"')):
        emptied = emptied.replace(match.group(0), b'<c r="%s%s" s="1"%s><v/></c>' % (*match.groups(), kind))
    path = zips.rewrite(skhdt, tmp_path / "empty-v.xlsx", INDICATOR_PART, lambda _: emptied)
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


def test_a_real_ods_is_read_for_its_values(ods: Path, skhdt: Path) -> None:
    """An .ods is read with calamine (issue 14 part 5): the values are the .xlsx's; what only the package tells
    (formulas, names) is unknown, and the book says it came from an older format."""
    read, expected = read_workbook(ods), read_workbook(skhdt)
    assert read.legacy == ".ods" and read.names == {} and read.vba is None
    assert set(read.sheets) == set(expected.sheets)
    for name, grid in expected.sheets.items():
        assert read.sheets[name].formulas is None
        assert [[_plain(v) for v in row] for row in read.sheets[name].rows] == [
            [_plain(v) for v in row] for row in grid.rows
        ], name


def _plain(value: object) -> object:
    """A value as both formats store it: a float to 9 places (a formula's cached value is LibreOffice's in the
    .ods, Excel's in the .xlsx), a whole float as an int, an error value as its text."""
    if isinstance(value, float):
        value = round(value, 9)
        return int(value) if value.is_integer() else value
    return str(value) if type(value).__name__ == "ExcelError" else value


def test_an_ods_renamed_is_read_all_the_same(ods: Path, tmp_path: Path) -> None:
    renamed = shutil.copy(ods, tmp_path / "SKHDT.xlsx")
    assert read_workbook(renamed).legacy == ".ods"


def test_a_workbook_large_with_pictures_is_read(skhdt: Path, tmp_path: Path) -> None:
    """Twenty megabytes of pictures (incompressible, as photographs are) do not make a bomb."""
    picture = random.Random(1).randbytes(20 * 1024 * 1024)
    path = zips.write(tmp_path / "pictures.xlsx", [*zips.parts(skhdt), ("xl/media/image1.jpeg", picture)])
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
    path = zips.rewrite(skhdt, tmp_path / "big.xlsx", INDICATOR_PART, lambda _: sheet)
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
    path = zips.transform(skhdt, tmp_path / "backslash.xlsx", lambda name, data: (name.replace("/", "\\"), data))
    assert "xl\\workbook.xml" in zipfile.ZipFile(path).namelist()
    _same(read_workbook(path), read_workbook(skhdt))


def test_a_comment_before_the_shared_strings_root_is_read(skhdt: Path, tmp_path: Path) -> None:
    """The R package xlsx writes one; the count of strings is still read from the root, and still bounded."""

    strings = "xl/sharedStrings.xml"

    def comment(data: bytes) -> bytes:
        return data.replace(b"?>", b"?><!--Shared string table generated by xlsx-->\n", 1)

    _same(read_workbook(zips.rewrite(skhdt, tmp_path / "comment.xlsx", strings, comment)), read_workbook(skhdt))

    def comment_and_count(data: bytes) -> bytes:
        return re.sub(rb'uniqueCount="[0-9]+"', b'uniqueCount="4000000000"', comment(data))

    with pytest.raises(UnreadableWorkbook, match=r"khai báo số chuỗi ký tự \(4000000000\)"):
        read_workbook(zips.rewrite(skhdt, tmp_path / "count.xlsx", strings, comment_and_count))


# g. Zip folder entries, as a generic zip tool stores them (7-Zip, Windows' compressed folders, Info-ZIP's zip):
# npoi's xinstall.xlsx, with an external link.

EXTERNAL_LINK = (
    "xl/externalLinks/externalLink1.xml",
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><externalLink xmlns="' + MAIN + b'"><externalBook '
    b'xmlns:r="' + RELATIONSHIPS + b'" r:id="rId1"/></externalLink>',
)
EXTERNAL_LINK_RELS = (
    "xl/externalLinks/_rels/externalLink1.xml.rels",
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.'
    b'org/package/2006/relationships"><Relationship Id="rId1" Type="' + RELATIONSHIPS + b'/externalLinkPath" '
    b'Target="file:///C:/Users/Public/so-lieu-khac.xlsx" TargetMode="External"/></Relationships>',
)


def _with_folders(parts: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Each folder's entry (its name ending in "/", nothing stored) before its first part."""
    written, seen = [], set()
    for name, data in parts:
        folders = name.split("/")[:-1]
        for depth in range(1, len(folders) + 1):
            folder = "/".join(folders[:depth]) + "/"
            if folder not in seen:
                seen.add(folder)
                written.append((folder, b""))
        written.append((name, data))
    return written


def test_folder_entries_beside_an_external_link_are_read(skhdt: Path, tmp_path: Path) -> None:
    linked = zips.write(tmp_path / "linked.xlsx", [*zips.parts(skhdt), EXTERNAL_LINK, EXTERNAL_LINK_RELS])
    rezipped = zips.write(tmp_path / "rezipped.xlsx", _with_folders(zips.parts(linked)))
    entries = {info.filename: info for info in zipfile.ZipFile(rezipped).infolist()}
    assert entries["xl/externalLinks/_rels/"].is_dir() and entries["xl/externalLinks/_rels/"].file_size == 0
    read = read_workbook(rezipped)
    assert read.external_links == ["file:///C:/Users/Public/so-lieu-khac.xlsx"]
    _same(read, read_workbook(linked))


def test_a_folder_entry_that_holds_data_is_still_read_as_a_part(skhdt: Path, tmp_path: Path) -> None:
    """Only an empty folder entry is skipped: one holding bytes is parsed as the relations it sits among."""
    path = zips.write(
        tmp_path / "folder.xlsx", [*zips.parts(skhdt), EXTERNAL_LINK, ("xl/externalLinks/_rels/", b"junk")]
    )
    with pytest.raises(UnreadableWorkbook, match=r"xl/externallinks/_rels/ trong tệp bị hỏng"):
        read_workbook(path)


# h. Info-ZIP's zip (macOS and Linux command line) adds a Unicode Path field holding the part's own name
# (excelize's Book1.xlsx, readxl's missing-v-node-xlsx.xlsx): it renames nothing.


def _unicode_path(name: str, shown: str | None = None, crc_of: str | None = None) -> bytes:
    """A Unicode Path field giving ``name`` the name ``shown`` (its own by default), with the CRC32 of
    ``crc_of`` (the header name, as the field must)."""
    shown_bytes = (name if shown is None else shown).encode()
    crc = zlib.crc32((name if crc_of is None else crc_of).encode())
    return struct.pack("<HHBI", 0x7075, 5 + len(shown_bytes), 1, crc) + shown_bytes


def _write_with_fields(path: Path, parts: list[tuple[str, bytes]], field: Callable[[str], bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.extra = field(name)  # in the local and the central header, as Info-ZIP writes it
            package.writestr(info, data)
    return path


def test_a_unicode_path_field_holding_the_part_s_own_name_is_read(skhdt: Path, tmp_path: Path) -> None:
    path = _write_with_fields(tmp_path / "infozip.xlsx", zips.parts(skhdt), _unicode_path)
    assert all(info.extra[:2] == b"\x75\x70" for info in zipfile.ZipFile(path).infolist())
    _same(read_workbook(path), read_workbook(skhdt))


@pytest.mark.parametrize(
    "field",
    [
        lambda name: _unicode_path(name, shown="xl/worksheets/other.xml"),  # another name
        lambda name: _unicode_path(name, shown=name.upper()),  # the same but for letter case
        lambda name: _unicode_path(name, crc_of="xl/other.xml"),  # the own name, under a stale CRC
        lambda name: b"\x75\x70\x01\x00\x01",  # too short to hold a CRC
        lambda name: _unicode_path(name)[:4] + b"\x02" + _unicode_path(name)[5:],  # a version unknown
    ],
    ids=["another-name", "letter-case", "stale-crc", "too-short", "version-2"],
)
def test_a_unicode_path_field_that_may_rename_the_part_is_still_refused(
    skhdt: Path, tmp_path: Path, field: Callable[[str], bytes]
) -> None:
    parts = zips.parts(skhdt)
    path = _write_with_fields(
        tmp_path / "renamed.xlsx", parts, lambda name: field(name) if name == INDICATOR_PART else _unicode_path(name)
    )
    with pytest.raises(UnreadableWorkbook) as refused:
        read_workbook(path)
    assert refused.value.reason_en == "a part renamed by a Unicode path field"


# i. A comment after the cells (PhpSpreadsheet's issue.2677.removeformula1.xlsx, edited by hand: a data
# validation's formula commented out in extLst), in a sheet on the strict road (laid out on lines).


def _after_the_cells(markup: bytes) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        return data.replace(b"<sheetData>", b"<sheetData>\n", 1).replace(b"</sheetData>", b"</sheetData>" + markup)

    return change


def test_a_comment_after_the_cells_is_read(skhdt: Path, tmp_path: Path) -> None:
    markup = b"<!--x14:formula1><xm:f>Feuil2!$A$3:$A$5</xm:f></x14:formula1--><!--<v>1</v>--><?pi?>"
    path = zips.rewrite(skhdt, tmp_path / "comment.xlsx", INDICATOR_PART, _after_the_cells(markup))
    work = Work()
    _same(read_workbook(path, work=work), read_workbook(skhdt))
    assert work.elements > 0  # the strict road


@pytest.mark.parametrize(
    "change",
    [
        lambda xml: re.sub(rb"(<c r=\"[A-Z]+[0-9]+\"[^>]*><v>[0-9])", rb"\1<!-- -->", xml, count=1),  # in a value
        lambda xml: xml.replace(b"</row>", b"<!-- --></row>", 1),  # among the cells
        lambda xml: xml.replace(b"<sheetData>", b"<!--<v>1&#50;</v>--><sheetData>", 1),  # before them
    ],
    ids=["in-a-value", "among-the-cells", "before-the-cells"],
)
def test_a_comment_up_to_the_end_of_the_cells_is_still_refused(
    skhdt: Path, tmp_path: Path, change: Callable[[bytes], bytes]
) -> None:
    def edit(data: bytes) -> bytes:
        data = _after_the_cells(b"<!-- -->")(data)
        changed = change(data)
        assert changed != data
        return changed

    with pytest.raises(UnreadableWorkbook) as refused:
        read_workbook(zips.rewrite(skhdt, tmp_path / "comment.xlsx", INDICATOR_PART, edit))
    assert refused.value.reason_en.endswith(": a comment, CDATA or a processing instruction")
