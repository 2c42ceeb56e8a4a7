"""Read a workbook file into a :class:`RawWorkbook`, defensively.

Values come from python-calamine (fast, read-only, never runs macros). What calamine does not report, defined
names and external links (from workbook.xml and its relations), formula cells, error values and DDE formulas
(from the sheets, validators/sheetscan.py), comes from the package's XML. Before calamine sees a file, the
sizes every part declares are bounded (calamine's zip reader stops at them), the parts read here are inflated
under limits that do not trust those sizes, and each sheet's real extent is bounded: a decompression bomb or an
absurdly large sheet is refused, not read. A file that cannot be read safely raises :class:`UnreadableWorkbook`
with a Vietnamese reason.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as FastElementTree

import python_calamine
from defusedxml import ElementTree
from kehoach.validators.numbers import format_number
from kehoach.validators.sheetscan import (
    MAIN_NAMESPACE,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ELEMENTS,
    MAX_ROWS,
    OddSheet,
    SheetScan,
    SheetTooLarge,
    Work,
    scan_sheet,
)
from kehoach.validators.workbook import ExcelError, Grid, RawWorkbook, UnreadableWorkbook, rowcol
from kehoach.workbook_templates import layout as L

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PART_BYTES = 100 * 1024 * 1024  # one inflated part
MAX_TOTAL_BYTES = 300 * 1024 * 1024  # all inflated parts
MAX_MEMBERS = 5000
TIME_BUDGET = 20.0  # seconds of reading per file
CALAMINE_READS = ("xl/sharedStrings.xml", "xl/styles.xml")  # parts calamine inflates besides the sheets
CALAMINE_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA"}
DTD_HEAD = 4096  # bytes at the start of a part searched for a DTD (it comes before the root element)
VBA_PART = "xl/vbaProject.bin"

_NS = {
    "m": MAIN_NAMESPACE,
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_RENAMING_FIELDS = {0x7075}  # Info-ZIP Unicode Path: Python's zipfile ignores it, calamine's zip reader does not
_SHEET_ELEMENT = re.compile(rb"<(?:[^\s/<>:]*+:)*+sheet(?=[\s/>])")


class _Clock:
    def __init__(self, seconds: float):
        self.until = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.until:
            raise UnreadableWorkbook(
                "đọc tệp quá thời gian cho phép (tệp quá lớn hoặc bất thường)", "time budget exceeded"
            )


def read_workbook(path: Path, budget: float = TIME_BUDGET, work: Work | None = None) -> RawWorkbook:
    """The workbook at ``path``; raises UnreadableWorkbook. ``work``, if given, counts the reading's work as it
    goes (bytes inflated, elements parsed)."""
    path = Path(path)
    clock = _Clock(budget)
    work = Work() if work is None else work
    try:
        size = path.stat().st_size
        _check_size(size)
        with path.open("rb") as handle:
            # One snapshot of the file, read once: the scan and calamine see the same bytes even if the file
            # changes meanwhile, and neither goes back to the disk. (read(n) allocates n bytes first: n is the
            # size, plus one to see a file that grew.)
            data = handle.read(size + 1)
    except OSError as error:
        raise UnreadableWorkbook(
            f"không mở được tệp ({error.strerror or error}); tệp có thể đang được chương trình khác mở hoặc khóa",
            f"cannot open the file ({error})",
        ) from error
    _check_signature(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zipped:
            package = _Package(zipped, clock, work)
            sheets, names, external = _workbook_parts(package)
            wanted = set(L.DATA_SHEETS)
            sheets = {n: v for n, v in sheets.items() if unicodedata.normalize("NFC", n) in wanted}
            scans = {}
            for name, (part, _hidden) in sheets.items():
                try:
                    scans[name] = scan_sheet(package.read(part), clock.check, work)
                except SheetTooLarge as error:
                    raise _too_large(unicodedata.normalize("NFC", name), error) from error
            for shared in CALAMINE_READS:
                if package.has(shared):
                    package.check_head(shared)
            vba = package.stored(VBA_PART) if package.has(VBA_PART) else None
    except (zipfile.BadZipFile, zlib.error, EOFError, struct.error, UnicodeDecodeError) as error:  # also bad names
        raise UnreadableWorkbook("tệp bị hỏng (không giải nén được)", f"the file is corrupt ({error})") from error
    except (KeyError, ElementTree.ParseError, OddSheet) as error:  # ParseError: also the fast parser's
        raise UnreadableWorkbook("cấu trúc tệp Excel bị hỏng", f"the workbook structure is broken ({error})") from error
    except (ValueError, NotImplementedError, RuntimeError) as error:  # a DOCTYPE or an entity, refused
        raise UnreadableWorkbook(
            "tệp chứa nội dung XML không an toàn (DOCTYPE, thực thể ngoài)", f"unsafe XML content ({error})"
        ) from error
    try:
        values = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        grids = {}
        for name, (_part, hidden) in sheets.items():
            clock.check()
            sheet = values.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            key = unicodedata.normalize("NFC", name)
            grid = Grid(
                key,
                rows,  # empty cells stay "" as calamine gives them: Grid.value reads them as None
                scans[name].formulas,
                hidden,
                merged=[(a, b) for a, b in sheet.merged_cell_ranges or []],
                dde=scans[name].dde,
            )
            for address, text in scans[name].errors.items():  # calamine reads error values as empty
                row, col = rowcol(address)
                if row < grid.height and col < len(grid.rows[row]):
                    grid.rows[row][col] = ExcelError(text)
            grids[key] = grid
    except (python_calamine.CalamineError, OverflowError, ValueError) as error:  # e.g. a duration past datetime's
        raise _unknown_error_value(scans) or UnreadableWorkbook(
            "không đọc được dữ liệu trong tệp", f"cannot read the cell values ({error})"
        ) from error
    return RawWorkbook(
        label=path.name,
        sheets=grids,
        names=names,
        vba=_inflater(*vba, budget) if vba else None,
        external_links=external,
    )


def _check_size(size: int) -> None:
    if size == 0:
        raise UnreadableWorkbook("tệp rỗng (0 byte)", "the file is empty")
    if size > MAX_FILE_BYTES:
        raise UnreadableWorkbook(
            f"tệp quá lớn ({size // (1024 * 1024)} MB, tối đa {MAX_FILE_BYTES // (1024 * 1024)} MB)", "file too large"
        )


def _check_signature(head: bytes) -> None:
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        if _ENCRYPTED in head:
            raise UnreadableWorkbook(
                "tệp đã đặt mật khẩu; hãy mở bằng Excel, bỏ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) "
                "rồi gửi lại",
                "a password-encrypted workbook",
            )
        raise UnreadableWorkbook(
            "tệp là định dạng Excel cũ (.xls); hãy mở bằng Excel và lưu lại dạng .xlsx hoặc .xlsm (biểu mẫu chuẩn)",
            "old binary .xls format",
        )
    if not head.startswith(b"PK"):
        raise UnreadableWorkbook("tệp không phải là tệp Excel (.xlsx/.xlsm)", "not an .xlsx/.xlsm file")


class _Package:
    """The parts of a zip package, inflated on demand under limits that ignore the sizes declared in the zip
    headers (a bomb may lie about them); parts nobody reads are never inflated."""

    def __init__(self, package: zipfile.ZipFile, clock: _Clock, work: Work):
        members = package.infolist()
        if len(members) > MAX_MEMBERS:
            raise UnreadableWorkbook("tệp chứa quá nhiều thành phần", "too many members in the package")
        self.members = {m.filename: m for m in members}
        if len({name.lower() for name in self.members}) < len(members):  # calamine looks names up ignoring case
            raise _odd("duplicate part names")
        if any("\\" in name for name in self.members):  # calamine reads a backslash as "/": a second name
            raise _odd("a part name with a backslash")
        if any(_RENAMING_FIELDS & _extra_field_ids(m.extra) for m in members):  # calamine would rename the part
            raise _odd("a part renamed by a Unicode path field")
        if "mimetype" in self.members:
            raise UnreadableWorkbook(
                "tệp là bảng tính OpenDocument (.ods) đổi đuôi; hãy mở bằng Excel hoặc LibreOffice và lưu lại "
                "dạng .xlsx",
                "an OpenDocument spreadsheet renamed to .xlsx",
            )
        if "xl/workbook.xml" not in self.members:
            raise UnreadableWorkbook("tệp không phải là bảng tính Excel", "no xl/workbook.xml in the package")
        if any(m.flag_bits & 0x1 for m in members):
            raise UnreadableWorkbook("tệp có thành phần bị mã hóa", "an encrypted zip member")
        declared = [m.file_size for m in members]
        if max(declared) > MAX_PART_BYTES or sum(declared) > MAX_TOTAL_BYTES:
            raise _bomb(max(members, key=lambda m: m.file_size))
        self.package, self.clock, self.work = package, clock, work

    def has(self, name: str) -> bool:
        return name in self.members

    def read(self, name: str) -> bytes:
        self.clock.check()
        member = self.members[name]
        data = _inflate(
            _compressed(self.package, member), member, MAX_TOTAL_BYTES - self.work.inflated, self.clock, self.work
        )
        _refuse_dtd(data, member)
        return data

    def stored(self, name: str) -> tuple[bytes, zipfile.ZipInfo]:
        """A part as stored, to inflate later with :func:`_inflate`: the macro project, which only rule S011
        reads (reading values needs none of it)."""
        self.clock.check()
        member = self.members[name]
        return _compressed(self.package, member), member

    def check_head(self, name: str) -> None:
        """Refuse a DTD at the start of a part that only calamine reads. Its size needs no check here: calamine's
        zip reader stops at the declared size, which __init__ bounds (see "zip-bomb-lying-strings" in
        samples/hostile.py)."""
        member = self.members[name]
        head = _compressed(self.package, member, 1 << 16)
        if member.compress_type == zipfile.ZIP_DEFLATED:
            head = zlib.decompressobj(-15).decompress(head, DTD_HEAD)
        elif member.compress_type != zipfile.ZIP_STORED:
            raise _foreign_compression(member)
        _refuse_dtd(head, member)


def _refuse_dtd(data: bytes, member: zipfile.ZipInfo) -> None:
    """A DTD comes before the root element, in the first DTD_HEAD bytes; OOXML never declares one. The one-byte
    test runs first: it is memchr fast, and "!" is rare at the head of a part."""
    if data.find(b"!", 0, DTD_HEAD) != -1 and (b"<!DOCTYPE" in data[:DTD_HEAD] or b"<!ENTITY" in data[:DTD_HEAD]):
        raise UnreadableWorkbook(
            "tệp chứa nội dung XML không an toàn (DOCTYPE, thực thể ngoài)", f"DTD in {member.filename}"
        )


def _compressed(package: zipfile.ZipFile, member: zipfile.ZipInfo, most: int | None = None) -> bytes:
    """A member's bytes as stored (``most`` of them at most)."""
    package.fp.seek(member.header_offset)
    fields = _LOCAL_HEADER.unpack(package.fp.read(_LOCAL_HEADER.size))
    if fields[0] != 0x04034B50:
        raise zipfile.BadZipFile(f"bad local header for {member.filename}")
    package.fp.seek(fields[9] + fields[10], 1)  # file name and extra field
    return package.fp.read(member.compress_size if most is None else min(most, member.compress_size))


def _inflate(raw: bytes, member: zipfile.ZipInfo, room: int, clock: _Clock, work: Work | None = None) -> bytes:
    """A part's bytes from its stored ``raw`` bytes, refusing more than ``room`` (or MAX_PART_BYTES) whatever the
    zip headers claim, as soon as that much has come out; raises UnreadableWorkbook or zipfile.BadZipFile. The
    bytes inflated are added to ``work`` as they come."""
    work = Work() if work is None else work
    limit = min(MAX_PART_BYTES, room)
    if member.compress_type == zipfile.ZIP_STORED:
        data = raw
        work.inflated += len(data)
    elif member.compress_type == zipfile.ZIP_DEFLATED:
        inflater, chunks, size = zlib.decompressobj(-15), [], 0
        for start in range(0, len(raw), 1 << 16):
            clock.check()
            chunk = inflater.decompress(raw[start : start + (1 << 16)], limit + 1 - size)
            size += len(chunk)
            work.inflated += len(chunk)
            chunks.append(chunk)
            if size > limit or inflater.unconsumed_tail:
                raise _bomb(member)
        data = b"".join(chunks)
    else:
        raise _foreign_compression(member)
    if len(data) > limit:
        raise _bomb(member)
    if zlib.crc32(data) != member.CRC:
        raise zipfile.BadZipFile(f"bad CRC for {member.filename}")
    return data


def _inflater(raw: bytes, member: zipfile.ZipInfo, budget: float) -> Callable[[], bytes]:
    """Inflates a stored part when called, under the same limits; raises UnreadableWorkbook only."""

    def inflate() -> bytes:
        try:
            return _inflate(raw, member, MAX_PART_BYTES, _Clock(budget))
        except (zipfile.BadZipFile, zlib.error) as error:
            raise UnreadableWorkbook("tệp bị hỏng (không giải nén được)", f"the file is corrupt ({error})") from error

    return inflate


def _foreign_compression(member: zipfile.ZipInfo) -> UnreadableWorkbook:
    return UnreadableWorkbook("tệp dùng kiểu nén không phải của Excel", f"compression {member.compress_type}")


def _bomb(member: zipfile.ZipInfo) -> UnreadableWorkbook:
    return UnreadableWorkbook(
        "tệp có thành phần giải nén ra quá lớn (nghi là bom giải nén)", f"decompression bomb ({member.filename})"
    )


def _workbook_parts(package: _Package) -> tuple[dict[str, tuple[str, bool]], dict[str, str], list[str]]:
    """Sheet name -> (XML part, hidden); the workbook-level defined names; external link targets."""
    workbook_xml, rels_xml = package.read("xl/workbook.xml"), package.read("xl/_rels/workbook.xml.rels")
    workbook, rels = _parse_xml(workbook_xml), _parse_xml(rels_xml)
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", _NS)}
    listed = workbook.findall("m:sheets/m:sheet", _NS)
    _check_sheet_list(workbook_xml, rels_xml, listed)
    sheets = {}
    for sheet in listed:
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"))
        if not target or not sheet.get("name"):
            raise _odd("a sheet without a name or a part")
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        if "/." in part or "//" in part:  # calamine takes "." and ".." literally, Excel not
            raise _odd(f"a sheet part named with dot segments: {target}")
        sheets[sheet.get("name")] = (part, sheet.get("state") in ("hidden", "veryHidden"))
    names = {
        d.get("name"): (d.text or "")
        for d in workbook.findall("m:definedNames/m:definedName", _NS)
        if d.get("localSheetId") is None
    }
    external = []
    for name in package.members:
        if name.startswith("xl/externalLinks/_rels/"):
            rel = _parse_xml(package.read(name))
            external += [r.get("Target") or "" for r in rel.findall("rel:Relationship", _NS)]
    return sheets, names, external


def _check_sheet_list(workbook_xml: bytes, rels_xml: bytes, listed: list) -> None:
    """The sheets calamine opens must be the ones scanned here. Calamine finds sheet elements by their local name
    in any namespace, takes the first of a name, reads the literal attribute r:id (or relationships:id) and the
    relations' Target unescaped; so anything that could make it and an XML parser disagree is refused."""
    relationships = f'xmlns:r="{_NS["r"]}"'.encode()
    names = [sheet.get("name") for sheet in listed]
    if (
        len(_SHEET_ELEMENT.findall(workbook_xml)) != len(listed)
        or len(set(names)) != len(names)
        or workbook_xml.count(b"xmlns:r=") != 1
        or relationships not in workbook_xml
        or b"relationships:id" in workbook_xml
        or any(sum(key.rpartition("}")[2] == "id" for key in sheet.attrib) != 1 for sheet in listed)
        or b"&" in rels_xml
    ):
        raise _odd("a sheet list calamine could read otherwise")


def _unknown_error_value(scans: dict[str, SheetScan]) -> UnreadableWorkbook | None:
    """The newer error values (#SPILL!, #CALC!...) stop calamine; the user can clear them in Excel."""
    for name, scan in scans.items():
        for cell, text in scan.errors.items():
            if text not in CALAMINE_ERRORS:
                return UnreadableWorkbook(
                    f"ô {cell} của trang '{name}' có giá trị lỗi {text} (lỗi của các hàm mới trong Excel 365) mà "
                    "chương trình chưa đọc được; hãy sửa công thức ở ô đó cho hết lỗi, lưu lại rồi gửi lại",
                    f"an error value calamine does not know: {text} in {name}!{cell}",
                )
    return None


def _extra_field_ids(extra: bytes) -> set[int]:
    ids, at = set(), 0
    while at + 4 <= len(extra):
        kind, size = struct.unpack_from("<HH", extra, at)
        ids.add(kind)
        at += 4 + size
    return ids


def _odd(reason_en: str) -> UnreadableWorkbook:
    return UnreadableWorkbook("cấu trúc tệp bất thường, không phải cách Excel lưu tệp", reason_en)


def _parse_xml(data: bytes) -> FastElementTree.Element:
    """Parse a small XML part with the C parser, twice as fast as defusedxml's Python one, and as safe: the text
    is decoded here, so the parser reads it as UTF-8 whatever its declaration says, and a text without
    "<!DOCTYPE" can declare no entity. Another encoding (never written by Excel) goes to defusedxml."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ElementTree.fromstring(data)
    if "<!DOCTYPE" in text:
        raise ValueError("DOCTYPE in an OOXML part")
    return FastElementTree.fromstring(text)


def _too_large(sheet: str, error: SheetTooLarge) -> UnreadableWorkbook:
    """Which limit the sheet crosses, where, and what to do about it."""
    if error.limit in ("rows", "columns"):
        limit, lines, where = (
            (format_number(MAX_ROWS), "dòng", "dòng thừa phía dưới bảng")
            if error.limit == "rows"
            else (str(MAX_COLUMNS), "cột", "cột thừa bên phải bảng")
        )
        reason = (
            f"trang tính '{sheet}' có dữ liệu ở ô {error.cell}, vượt giới hạn {limit} {lines} của biểu mẫu; "
            f"hãy xóa dữ liệu ở các {where}, lưu lại rồi gửi lại"
        )
    else:
        what = f"{format_number(MAX_CELLS)} ô" if error.limit == "cells" else f"{format_number(MAX_ELEMENTS)} phần tử"
        reason = (
            f"trang tính '{sheet}' lớn bất thường (hơn {what}), không phải biểu mẫu chuẩn; "
            "hãy điền số liệu vào biểu mẫu chuẩn rồi gửi lại"
        )
    return UnreadableWorkbook(reason, f"sheet {sheet!r} too large: {error}")
