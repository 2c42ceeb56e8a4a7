"""Reading filled workbooks: Vietnamese numbers, files re-saved by LibreOffice Calc, inserted rows."""

from __future__ import annotations

import random
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from kehoach.samples.generate import generate_all
from kehoach.samples.hostile import INDICATOR_PART
from kehoach.samples.inject import Injector, insert_like_excel
from kehoach.validators.engine import validate_path
from kehoach.validators.numbers import format_number, parse_vi_number
from kehoach.validators.reader import UnreadableWorkbook, read_workbook
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.catalog import load_catalog

from tests.support import zips
from tests.support.libreoffice import recalculate


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("1.234,5", 1234.5, ""),
        ("12,5%", 12.5, "%"),
        ("15 tỷ", 15.0, "tỷ"),
        ("1,234.5", 1234.5, ""),
        ("-3,2", -3.2, ""),
        ("1.234.567", 1234567.0, ""),
        (" 7 ", 7.0, ""),
        ("1.5", 1.5, ""),
    ],
)
def test_vietnamese_numbers_typed_as_text(text: str, value: float, unit: str) -> None:
    parsed = parse_vi_number(text)
    assert parsed is not None and parsed.value == value and parsed.unit_word == unit


@pytest.mark.parametrize("text", ["abc", "", "1,2,3,4", "12a", "--1"])
def test_text_that_is_no_number(text: str) -> None:
    assert parse_vi_number(text) is None


def test_numbers_are_written_the_vietnamese_way() -> None:
    assert format_number(1234.5) == "1.234,5"
    assert format_number(1234.5, "en") == "1,234.5"
    assert format_number(2020) == "2.020"
    assert format_number(-0.125) == "-0,125"


def test_a_file_saved_by_libreoffice_validates_the_same(tmp_path: Path) -> None:
    catalog = load_catalog()
    filling = generate_all(catalog, seed=5, units=["CTK"])["CTK"]
    injector = Injector(catalog, catalog.unit("CTK"), filling, random.Random(3))
    injected = [injector.inject(code) for code in ("T001", "K001", "P002", "C004", "S009", "K004", "O001")]
    original = injector.write(tmp_path / "CTK.xlsx")
    (resaved,) = recalculate([original], tmp_path / "lo")
    before = {(f.rule, f.sheet, f.cell, f.message()) for f in validate_path(original).findings}
    after = {(f.rule, f.sheet, f.cell, f.message()) for f in validate_path(resaved).findings}
    assert before == after
    assert {(i.rule, i.sheet, i.cell) for i in injected} <= {(r, s, c) for r, s, c, _ in after}


def test_inserted_blank_rows_do_not_disturb_reading(tmp_path: Path) -> None:
    catalog = load_catalog()
    unit = catalog.unit("SKHDT")
    filling = generate_all(catalog, seed=5, units=["SKHDT"])["SKHDT"]
    filling.indicators["KT09"]["actual_2016"] = "chưa có"
    path = build_workbook(catalog, unit, tmp_path / "SKHDT.xlsx", filling)
    book = openpyxl.load_workbook(path)
    insert_like_excel(book[L.INDICATORS], row=L.FIRST_DATA_ROW + 3, amount=2)
    book.save(path)
    (finding,) = validate_path(path).findings
    row = next(r.row for r in L.indicator_rows(catalog, unit) if r.indicator and r.indicator.code == "KT09")
    expected_cell = L.indicator_cell("actual_2016", row + 2 if row >= L.FIRST_DATA_ROW + 2 else row)
    assert (finding.rule, finding.cell, finding.indicator) == ("T002", expected_cell, "KT09")


def test_formula_cells_are_the_ones_openpyxl_sees(skhdt: Path) -> None:
    book = read_workbook(skhdt)
    reference = openpyxl.load_workbook(skhdt)
    for name in set(L.DATA_SHEETS) & set(reference.sheetnames):
        expected = {c.coordinate for row in reference[name].iter_rows() for c in row if c.data_type == "f"}
        assert book.sheets[name].formulas == expected, name
    assert len(book.sheets[L.INDICATORS].formulas) > 100


def _add_cell(xml: bytes, cell: bytes, row: int = 19999) -> bytes:
    return xml.replace(b"</sheetData>", b'<row r="%d">' % row + cell + b"</row></sheetData>")


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (b'<c r="SG19999"><v>1</v></c>', "ô SG19999, vượt giới hạn 500 cột"),  # column 501 (SF20000 is allowed)
        (b'<c r="A20001"><v>1</v></c>', "ô A20001, vượt giới hạn 20.000 dòng"),
        (b'<c r="XFD1048576"><v>1</v></c>', "ô XFD1048576, vượt giới hạn"),  # calamine would allocate 17 billion
        (b'<c r="AAA1" t="e"><f>1/0</f><v>#DIV/0!</v></c>', "ô AAA1, vượt giới hạn 500 cột"),
    ],
)
def test_cells_beyond_the_limits_are_refused_before_calamine_reads(
    skhdt: Path, tmp_path: Path, cell: bytes, message: str
) -> None:
    path = zips.rewrite(skhdt, tmp_path / "far.xlsx", INDICATOR_PART, lambda x: _add_cell(x, cell))
    with pytest.raises(UnreadableWorkbook, match=f"trang tính '{L.INDICATORS}' có dữ liệu ở {message}"):
        read_workbook(path)


def test_cells_without_references_are_placed_as_calamine_places_them(skhdt: Path, tmp_path: Path) -> None:
    path = zips.rewrite(skhdt, tmp_path / "bare.xlsx", INDICATOR_PART, lambda x: _add_cell(x, b"<c><v>1</v></c>", 400))
    sheet = read_workbook(path).sheets[L.INDICATORS]
    assert sheet.formulas == read_workbook(skhdt).sheets[L.INDICATORS].formulas
    assert sheet.value(399, 0) == 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_doctype_in_any_encoding_is_refused(skhdt: Path, tmp_path: Path, encoding: str) -> None:
    def doctype(xml: bytes) -> bytes:
        body = xml.decode().split("?>", 1)[1]
        text = f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE r [<!ENTITY x "x">]>{body}'
        return text.encode(encoding)

    path = zips.rewrite(skhdt, tmp_path / "dtd.xlsx", "xl/workbook.xml", doctype)
    with pytest.raises(UnreadableWorkbook, match="không an toàn"):
        read_workbook(path)


def _workbook_xml(change: Callable[[str], str]) -> Callable[[bytes], bytes]:
    return lambda xml: change(xml.decode()).encode()


@pytest.mark.parametrize(
    ("part", "change"),
    [
        ("xl/_rels/workbook.xml.rels", _workbook_xml(lambda x: x.replace("sheet3.xml", "sheet&#51;.xml"))),
        (
            "xl/workbook.xml",
            _workbook_xml(lambda x: x.replace("<sheets>", '<sheets><sheet name="Chỉ tiêu" sheetId="99" r:id="rId1"/>')),
        ),
        (
            "xl/workbook.xml",
            _workbook_xml(lambda x: x.replace("<sheets>", '<x:sheet xmlns:x="u" name="X" r:id="rId1"/><sheets>')),
        ),
        ("xl/workbook.xml", _workbook_xml(lambda x: x.replace("<sheet ", '<sheet xmlns:r="urn:x" ', 1))),
        ("xl/workbook.xml", _workbook_xml(lambda x: x.replace("<sheet ", '<sheet relationships:id="rId9" ', 1))),
    ],
)
def test_a_sheet_list_calamine_could_read_otherwise_is_refused(
    skhdt: Path, tmp_path: Path, part: str, change: Callable[[bytes], bytes]
) -> None:
    """Calamine must open exactly the sheets scanned: it takes the first sheet of a name, finds sheet elements in
    any namespace, reads r:id literally and the relations' Target unescaped."""
    path = zips.rewrite(skhdt, tmp_path / "odd.xlsx", part, change)
    with pytest.raises(UnreadableWorkbook, match=r"cấu trúc tệp bất thường|nội dung XML của thành phần"):
        read_workbook(path)


@pytest.mark.parametrize("segment", ["../worksheets/", "./"])
def test_a_sheet_part_named_with_dot_segments_is_refused(skhdt: Path, tmp_path: Path, segment: str) -> None:
    """Calamine reads the part named literally so, Excel the one the path leads to: here both exist."""
    literal = INDICATOR_PART.replace("worksheets/", "worksheets/" + segment)
    path = zips.rewrite(
        skhdt,
        tmp_path / "dots.xlsx",
        "xl/_rels/workbook.xml.rels",
        lambda x: x.replace(b"worksheets/sheet3", ("worksheets/" + segment + "sheet3").encode()),
    )
    with zipfile.ZipFile(path, "a") as package:
        package.writestr(literal, b"<worksheet/>")
    with pytest.raises(UnreadableWorkbook, match="cấu trúc tệp bất thường"):
        read_workbook(path)


@pytest.mark.parametrize(
    "second_name",
    [INDICATOR_PART.replace("sheet3", "Sheet3"), INDICATOR_PART.replace("/", "\\")],
)
def test_a_second_name_for_a_part_is_refused(skhdt: Path, tmp_path: Path, second_name: str) -> None:
    """Calamine looks parts up ignoring case and reads a backslash as "/": which of the two would it read?"""
    path = tmp_path / "twice.xlsx"
    shutil.copy(skhdt, path)
    with zipfile.ZipFile(path, "a") as package:
        package.writestr(second_name, b"<worksheet/>")
    with pytest.raises(UnreadableWorkbook, match="cấu trúc tệp bất thường"):
        read_workbook(path)


def test_a_value_calamine_cannot_convert_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "duration.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet(L.INDICATORS)
        sheet.write_number(0, 0, 1e15, book.add_format({"num_format": "[h]:mm:ss"}))  # past datetime's range
    with pytest.raises(UnreadableWorkbook, match="không đọc được giá trị một số ô"):
        read_workbook(path)


@pytest.mark.parametrize(
    ("part", "change"),
    [
        ("xl/_rels/workbook.xml.rels", lambda x: x.replace(b"Target=", b"Targex=")),
        ("xl/workbook.xml", lambda x: x.replace(b'<sheet name="', b'<sheet nam="', 1)),
    ],
)
def test_a_sheet_without_a_name_or_a_part_is_refused(
    skhdt: Path, tmp_path: Path, part: str, change: Callable[[bytes], bytes]
) -> None:
    with pytest.raises(UnreadableWorkbook, match="cấu trúc tệp bất thường"):
        read_workbook(zips.rewrite(skhdt, tmp_path / "odd.xlsx", part, change))


def test_a_part_renamed_by_a_unicode_path_field_is_refused(skhdt: Path, tmp_path: Path) -> None:
    """Python's zipfile ignores the Info-ZIP Unicode Path field; calamine's reader would read the part under the
    name it gives, here the indicator sheet's."""
    path = tmp_path / "upath.xlsx"
    shutil.copy(skhdt, path)
    stored, shown = b"xl/worksheets/junk.xml", INDICATOR_PART.encode()
    info = zipfile.ZipInfo(stored.decode())
    info.extra = struct.pack("<HHBI", 0x7075, 5 + len(shown), 1, zlib.crc32(stored)) + shown
    with zipfile.ZipFile(path, "a") as package:
        package.writestr(info, b"<worksheet/>")
    with pytest.raises(UnreadableWorkbook, match="cấu trúc tệp bất thường"):
        read_workbook(path)


def test_a_part_name_that_is_not_utf8_is_a_corrupt_file(skhdt: Path, tmp_path: Path) -> None:
    path = tmp_path / "name.xlsx"
    shutil.copy(skhdt, path)
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("xl/é.xml", b"<x/>")  # flagged as UTF-8 in both headers
    path.write_bytes(path.read_bytes().replace("é".encode(), b"\xc3\x28"))
    with pytest.raises(UnreadableWorkbook, match="tệp bị hỏng"):
        read_workbook(path)


def test_an_error_value_calamine_does_not_know_is_named_with_its_cell(skhdt: Path, tmp_path: Path) -> None:
    spill = b'<c r="C400" t="e"><f>SEQUENCE(3)</f><v>#SPILL!</v></c>'
    path = zips.rewrite(skhdt, tmp_path / "spill.xlsx", INDICATOR_PART, lambda x: _add_cell(x, spill, 400))
    with pytest.raises(UnreadableWorkbook, match=f"ô C400 của trang '{L.INDICATORS}' có giá trị lỗi #SPILL!"):
        read_workbook(path)
