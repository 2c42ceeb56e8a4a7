"""Read a workbook file into a :class:`RawWorkbook`, defensively.

Values come from python-calamine (fast, read-only, never runs macros). What calamine does not report, defined
names and external links (from workbook.xml and its relations), formula cells, error values and DDE formulas
(from the sheets, validators/sheetscan.py), comes from the package's XML. Before calamine sees a file, the
sizes every part declares are bounded (calamine's zip reader stops at them), the parts read here are inflated
no further than those sizes and the limits, and each sheet's real extent is bounded: a decompression bomb or an
absurdly large sheet is refused, not read. The workbook part is found as the standard says (through
_rels/.rels), in the transitional or the strict namespaces. A file that cannot be read safely raises
:class:`UnreadableWorkbook` with a Vietnamese reason that says what is wrong and what to do.

An Excel 97-2003 workbook (.xls) or an OpenDocument spreadsheet (.ods), known by its content, is read for its
values only (:func:`_read_legacy`), each sheet's extent measured first from its records or its XML; the book
says so (RawWorkbook.legacy) and the engine reports the rules that need the .xlsx package as not applicable.
"""

from __future__ import annotations

import io
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
from kehoach.validators import winfiles
from kehoach.validators.numbers import format_number
from kehoach.validators.sheetscan import (
    MAIN_NAMESPACES,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ELEMENTS,
    MAX_MERGES,
    MAX_ROWS,
    OddSheet,
    SheetScan,
    SheetTooLarge,
    Work,
    prologue_end,
    scan_sheet,
)
from kehoach.validators.workbook import FORMAT_NAMES, ExcelError, Grid, RawWorkbook, UnreadableWorkbook, rowcol
from kehoach.workbook_templates import layout as L

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PART_BYTES = 100 * 1024 * 1024  # one inflated part
MAX_TOTAL_BYTES = 300 * 1024 * 1024  # all inflated parts
MAX_MEMBERS = 5000
BOMB_RATIO = 200  # declared size / compressed size: XML compresses 5-50 times, deflate's ceiling is about 1,030
TIME_BUDGET = 20.0  # seconds of reading per file
CALAMINE_READS = ("sharedStrings.xml", "styles.xml")  # parts calamine inflates besides the sheets (in its folder)
CALAMINE_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA"}
DTD_HEAD = 4096  # bytes at the start of a part searched for a DTD (it comes before the root element)
RESAVE = "hãy mở tệp bằng Excel, chọn Tệp > Lưu thành… > Sổ làm việc Excel (.xlsx) rồi gửi lại"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

# Namespaces: a Strict Open XML file (Excel's "Strict Open XML Spreadsheet") spells the main and the relationship
# namespaces differently; the package's own (relationships parts, content types) are the same.
RELATIONSHIPS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = tuple(f"{namespace}/officeDocument" for namespace in RELATIONSHIPS)
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_UNICODE_PATH = 0x7075  # Info-ZIP Unicode Path: Python's zipfile ignores it, calamine's zip reader does not
_SHEET_ELEMENT = re.compile(rb"<(?:[^\s/<>:]*+:)*+sheet(?=[\s/>])")
# The root start tag of the shared strings part (calamine reads the first sst element's uniqueCount and reserves
# room for that many strings before reading any: 4,000,000,000 aborts the process).
_ROOT_TAG = re.compile(rb"(?:\s*+<!--.*?-->)*+\s*+<((?:[^\s/<>:!?]++:)?+[^\s/<>:!?]++)([^<>]*+)>", re.S)
_UNIQUE_COUNT = re.compile(rb"""(?:^|\s)uniqueCount\s*+=\s*+(["'])([^"']*+)\1""")
_DIGITS = re.compile(rb"[0-9]++")
_OPEN_DOCUMENT = {
    b"application/vnd.oasis.opendocument.spreadsheet": ("bảng tính OpenDocument", ".ods"),
    b"application/vnd.oasis.opendocument.text": ("văn bản OpenDocument", ".odt"),
    b"application/vnd.oasis.opendocument.presentation": ("bản trình chiếu OpenDocument", ".odp"),
}
_OTHER_OFFICE = {  # the office document's folder: what the file is
    "word": "văn bản Word (.docx)",
    "ppt": "bản trình chiếu PowerPoint (.pptx)",
    "visio": "bản vẽ Visio",
}


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
        # Windows' own causes (held open by Excel, OneDrive, too long) say what to do, in Vietnamese.
        reason = winfiles.specific(error, path)
        raise UnreadableWorkbook(
            f"không mở được tệp: {reason}"
            if reason
            else f"không mở được tệp ({error.strerror or error}); tệp có thể đang được chương trình khác mở hoặc khóa",
            f"cannot open the file ({error})",
        ) from error
    if _legacy_binary(data):
        _check_extents(_xls_extents(data, clock))
        return _read_legacy(data, path, ".xls", clock)
    _check_signature(data, path)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zipped:
            package = _Package(zipped, clock, work)
            if _open_document_spreadsheet(package):
                return _read_legacy(data, path, ".ods", clock)
            folder = _workbook_folder(package, path)
            sheets, names, external = _workbook_parts(package, folder)
            wanted = set(L.DATA_SHEETS)
            sheets = {n: v for n, v in sheets.items() if unicodedata.normalize("NFC", n) in wanted}
            scans = {}
            for name, (part, _hidden) in sheets.items():
                try:
                    scans[name] = scan_sheet(package.read(part), clock.check, work)
                except SheetTooLarge as error:
                    raise _too_large(unicodedata.normalize("NFC", name), error) from error
                except ElementTree.ParseError as error:
                    raise _broken_xml(part, error) from error
                except OddSheet as error:
                    raise UnreadableWorkbook(
                        f"trang tính '{unicodedata.normalize('NFC', name)}' được viết khác cách Excel viết, có thể "
                        f"khiến chương trình đọc số liệu khác Excel; {RESAVE}",
                        f"odd sheet {part}: {error}",
                    ) from error
            for shared in CALAMINE_READS:
                # Parts only calamine reads are inflated here too, to their declared size at most (where
                # calamine's reader stops): a part that inflates further, or declares a DTD, is refused.
                if package.has(folder + shared):
                    head = package.read(folder + shared)[:DTD_HEAD]
                    if shared == "sharedStrings.xml":
                        _check_shared_strings_head(head, package.member(folder + shared))
            vba_part = folder + "vbaProject.bin"
            vba = package.stored(vba_part) if package.has(vba_part) else None
    except (zipfile.BadZipFile, zlib.error, EOFError, struct.error, UnicodeDecodeError) as error:  # also bad names
        raise UnreadableWorkbook(
            "tệp bị hỏng, không giải nén được (tệp chép hoặc tải về chưa trọn vẹn?); hãy gửi lại tệp gốc",
            f"the file is corrupt ({error})",
        ) from error
    except KeyError as error:
        missing = str(error.args[0]) if error.args else ""
        raise UnreadableWorkbook(
            f"tệp Excel thiếu thành phần {missing}; {RESAVE}", f"a part is missing ({error})"
        ) from error
    except (ValueError, NotImplementedError, RuntimeError) as error:  # a DOCTYPE or an entity, refused
        raise _unsafe_xml(str(error)) from error
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
            f"không đọc được giá trị một số ô trong tệp (chẳng hạn một ô ngày giờ có giá trị quá lớn); {RESAVE}",
            f"cannot read the cell values ({error})",
        ) from error
    return RawWorkbook(
        label=path.name,
        sheets=grids,
        names=names,
        vba=_inflater(*vba, budget) if vba else None,
        external_links=external,
    )


def _legacy_binary(data: bytes) -> bool:
    """An Excel 97-2003 workbook (a compound file), not an encrypted .xlsx (which is one too)."""
    return data.startswith(b"\xd0\xcf\x11\xe0") and _ENCRYPTED not in data


def _open_document_spreadsheet(package: _Package) -> bool:
    """An OpenDocument spreadsheet (.ods): its content is inflated here first, under the package's limits (a bomb
    or a DTD is refused before calamine sees it)."""
    if not package.has("mimetype") or package.read("mimetype").strip() != ODS_MIMETYPE:
        return False
    if package.has("styles.xml"):
        package.read("styles.xml")
    if package.has("content.xml"):
        _check_extents(_ods_extents(package.read("content.xml"), package.clock))
    return True


# Records of an .xls sheet that give a cell a value (calamine builds a sheet's grid from these; blank cells, which
# only carry a format, are not read): LABELSST, NUMBER, LABEL, BOOLERR, RK, RSTRING, FORMULA, MULRK.
_XLS_CELLS = {0x00FD, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6, 0x0006}
_XLS_MULRK, _XLS_BOF, _XLS_BOUNDSHEET = 0x00BD, 0x0809, 0x0085
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def _xls_extents(data: bytes, clock: _Clock) -> list[tuple[str, int, int]]:
    """(sheet, rows, columns) each sheet of an .xls spans, from its cell records, before calamine reads it: a
    sheet with one value at the last cell (IV65536) makes calamine allocate the 16 million cells between."""
    try:
        stream = _compound_stream(data, ("Workbook", "Book"))
    except (struct.error, IndexError, ValueError) as error:  # a broken compound file
        raise _broken_legacy(".xls", error) from error
    extents: list[tuple[str, int, int]] = []
    names: list[str] = []  # BOUNDSHEET records, in the order of the sheets' substreams
    rows = cols = 0
    position, sheet = 0, 0

    def called(index: int) -> str:  # substream 1 is the workbook's globals; sheet i is substream i + 1
        return names[index - 2] if 2 <= index < len(names) + 2 else f"#{index - 1}"

    while position + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + size]
        position += 4 + size
        if kind == _XLS_BOUNDSHEET and len(body) >= 8:
            length, wide = body[6], body[7] & 1
            text = body[8 : 8 + length * (2 if wide else 1)]
            names.append(text.decode("utf-16-le" if wide else "latin-1", "replace"))
        elif kind == _XLS_BOF:
            if rows or cols:
                extents.append((called(sheet), rows, cols))
            rows = cols = 0
            sheet += 1
            if sheet % 64 == 0:
                clock.check()
        elif (kind in _XLS_CELLS or kind == _XLS_MULRK) and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            if kind == _XLS_MULRK and len(body) >= 6:
                col = struct.unpack_from("<H", body, len(body) - 2)[0]
            rows, cols = max(rows, row + 1), max(cols, col + 1)
    if rows or cols:
        extents.append((called(sheet), rows, cols))
    return extents


_FREE_SECTORS = 0xFFFFFFFA  # sector numbers from here up mark the end of a chain, free or special sectors


def _compound_stream(data: bytes, names: tuple[str, ...]) -> bytes:
    """The first stream of the root storage named one of ``names`` in a compound file (the container of .xls), or
    b"" when there is none; ValueError, struct.error or IndexError when the file is broken. Only read: chains are
    followed no further than the file has sectors, so a loop in the allocation table cannot hang the reading."""
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if not 7 <= shift <= 16 or not 1 <= mini_shift < shift:
        raise ValueError(f"sector sizes 2**{shift}, 2**{mini_shift}")
    size = 1 << shift
    sectors = (len(data) + size - 1) // size
    fat_count, directory_start = struct.unpack_from("<II", data, 0x2C)
    cutoff, mini_fat_start, _mini_fat_count, difat_start, difat_count = struct.unpack_from("<IIIII", data, 0x38)

    def sector(number: int) -> bytes:
        if number >= sectors:
            raise ValueError(f"sector {number} past the end of the file")
        return data[(number + 1) * size : (number + 2) * size]

    fat_sectors = [n for n in struct.unpack_from("<109I", data, 0x4C) if n < _FREE_SECTORS]
    next_difat = difat_start
    for _ in range(min(difat_count, sectors)):
        if next_difat >= _FREE_SECTORS:
            break
        entries = struct.unpack(f"<{size // 4}I", sector(next_difat))
        fat_sectors += [n for n in entries[:-1] if n < _FREE_SECTORS]
        next_difat = entries[-1]
    fat: list[int] = []
    for number in fat_sectors[:fat_count]:
        fat += struct.unpack(f"<{size // 4}I", sector(number))

    def chain(start: int, table: list[int]) -> list[int]:
        found: list[int] = []
        while start < _FREE_SECTORS:
            if len(found) > len(table):
                raise ValueError("a loop in the allocation table")
            found.append(start)
            start = table[start]
        return found

    directory = b"".join(sector(n) for n in chain(directory_start, fat))
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    root = entries[0]
    for entry in entries:
        length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[: max(0, length - 2)].decode("utf-16-le", "replace")
        if entry[66] != 2 or name not in names:
            continue
        start, stream_size = struct.unpack_from("<II", entry, 116)
        if stream_size > len(data):
            raise ValueError(f"stream of {stream_size} bytes in a file of {len(data)}")
        if stream_size >= cutoff:
            return b"".join(sector(n) for n in chain(start, fat))[:stream_size]
        mini_fat = []  # a small stream lives in the mini stream, the root entry's, in sectors of 2**mini_shift
        for number in chain(mini_fat_start, fat):
            mini_fat += struct.unpack(f"<{size // 4}I", sector(number))
        mini_stream = b"".join(sector(n) for n in chain(struct.unpack_from("<I", root, 116)[0], fat))
        mini = 1 << mini_shift
        return b"".join(mini_stream[n * mini : (n + 1) * mini] for n in chain(start, mini_fat))[:stream_size]
    return b""


def _ods_extents(content: bytes, clock: _Clock) -> list[tuple[str, int, int]]:
    """(sheet, rows, columns) each table of an .ods spans up to its last cell with a value, repeated rows and
    columns counted (LibreOffice writes a million empty rows as one element; calamine expands a repeated
    value)."""
    table, row, cell = f"{{{_TABLE}}}table", f"{{{_TABLE}}}table-row", f"{{{_TABLE}}}table-cell"
    covered = f"{{{_TABLE}}}covered-table-cell"
    rows_repeated, cols_repeated = f"{{{_TABLE}}}number-rows-repeated", f"{{{_TABLE}}}number-columns-repeated"
    value_type, name_attribute = f"{{{_OFFICE}}}value-type", f"{{{_TABLE}}}name"
    extents: list[tuple[str, int, int]] = []
    name, at_row, height, width, at_col, row_has = "", 0, 0, 0, 0, False
    try:
        for count, (event, element) in enumerate(FastElementTree.iterparse(io.BytesIO(content), ("start", "end"))):
            if count % 100_000 == 0:
                clock.check()
            tag = element.tag
            if event == "start":
                if tag == table:
                    name, at_row, height, width = element.get(name_attribute) or "", 0, 0, 0
                elif tag == row:
                    at_col, row_has = 0, False
                continue
            if tag in (cell, covered):
                span = _repeat(element.get(cols_repeated))
                if element.get(value_type) is not None or len(element):
                    width, row_has = max(width, at_col + span), True
                at_col += span
                element.clear()
            elif tag == row:
                span = _repeat(element.get(rows_repeated))
                if row_has:
                    height = at_row + span
                at_row += span
                element.clear()
            elif tag == table:
                extents.append((name, height, width))
                element.clear()
    except FastElementTree.ParseError as error:
        raise _broken_legacy(".ods", error) from error
    return extents


def _repeat(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1


def _check_extents(extents: list[tuple[str, int, int]]) -> None:
    for name, rows, cols in extents:
        if rows > MAX_ROWS or cols > MAX_COLUMNS or rows * cols > MAX_CELLS:
            raise UnreadableWorkbook(
                f"trang tính '{unicodedata.normalize('NFC', name)}' quá lớn ({format_number(rows)} dòng × "
                f"{format_number(cols)} cột), không phải biểu mẫu chuẩn; {RESAVE}",
                f"sheet {name!r} too large ({rows} x {cols})",
            )


def _broken_legacy(kind: str, error: Exception) -> UnreadableWorkbook:
    name = FORMAT_NAMES[kind]
    return UnreadableWorkbook(
        f"tệp {name} bị hỏng hoặc không phải bảng tính, không đọc được; {RESAVE}",
        f"cannot read the {kind} file ({error})",
    )


def _read_legacy(data: bytes, path: Path, kind: str, clock: _Clock) -> RawWorkbook:
    """The values of an older-format workbook (.xls, .ods) as calamine reads them: no macro is run, nothing is
    written. What only the OOXML package tells (formula cells, defined names, macros, links) is unknown: the
    engine reports the rules that need it as not applicable (RawWorkbook.legacy)."""
    try:
        values = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = {m.name: str(m.visible).endswith("Visible") for m in values.sheets_metadata}
        wanted = set(L.DATA_SHEETS)
        grids = {}
        for name in values.sheet_names:
            key = unicodedata.normalize("NFC", name)
            if key not in wanted:
                continue
            clock.check()
            sheet = values.get_sheet_by_name(name)
            _check_extents([(key, sheet.height, sheet.width)])  # measured before: this is a last guard
            rows_ = sheet.to_python(skip_empty_area=False)
            merged = [(a, b) for a, b in sheet.merged_cell_ranges or []]
            grids[key] = Grid(key, rows_, None, not visible.get(name, True), merged=merged)
    except UnreadableWorkbook:
        raise
    except (python_calamine.CalamineError, OverflowError, ValueError, TypeError) as error:
        raise _broken_legacy(kind, error) from error
    return RawWorkbook(label=path.name, sheets=grids, legacy=kind)


def _check_size(size: int) -> None:
    if size == 0:
        raise UnreadableWorkbook("tệp rỗng (0 byte)", "the file is empty")
    if size > MAX_FILE_BYTES:
        raise UnreadableWorkbook(
            f"tệp quá lớn ({size // (1024 * 1024)} MB, tối đa {MAX_FILE_BYTES // (1024 * 1024)} MB)", "file too large"
        )


def _check_signature(head: bytes, path: Path) -> None:
    """Say what a file that is no zip package is, when its first bytes tell."""
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
    if head.startswith(b"PK"):
        return
    start = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"%pdf"):
        what = "tệp PDF"
    elif b"urn:schemas-microsoft-com:office:spreadsheet" in head[:4096]:
        what = "bảng tính XML 2003 của Excel"
    elif start.startswith((b"<html", b"<!doctype html", b"<table")) or b"<html" in start:
        what = "trang web (HTML) đặt đuôi Excel"
    elif path.suffix.lower() in (".csv", ".txt"):
        what = "tệp văn bản (CSV)"
    else:
        raise UnreadableWorkbook(
            "tệp không phải là tệp Excel (.xlsx/.xlsm); hãy gửi biểu mẫu chuẩn đã điền",
            "not an .xlsx/.xlsm file",
        )
    raise UnreadableWorkbook(
        f"tệp là {what}, không phải sổ làm việc Excel (.xlsx); hãy mở bằng Excel, lưu lại dạng Sổ làm việc "
        "Excel (.xlsx) rồi gửi lại, hoặc điền vào biểu mẫu chuẩn",
        f"not an .xlsx file: {what}",
    )


class _Package:
    """The parts of a zip package, inflated on demand under limits that ignore the sizes declared in the zip
    headers (a bomb may lie about them); parts nobody reads are never inflated. Parts are looked up ignoring
    ASCII case, as calamine does."""

    def __init__(self, package: zipfile.ZipFile, clock: _Clock, work: Work):
        members = package.infolist()
        if len(members) > MAX_MEMBERS:
            raise UnreadableWorkbook(
                f"tệp chứa quá nhiều thành phần ({format_number(len(members))}, tối đa "
                f"{format_number(MAX_MEMBERS)}), không phải biểu mẫu chuẩn; {RESAVE}",
                "too many members in the package",
            )
        self.members = {_fold(m.filename): m for m in members}
        # Calamine looks names up ignoring ASCII case and reading "\\" as "/" (as Windows tools may write them,
        # and as Python's zipfile reads them on Windows): two names it would confuse are refused.
        if len({name.lower() for name in self.members}) < len(members):
            raise _odd("hai thành phần trùng tên, chỉ khác chữ hoa chữ thường hoặc dấu \\ và /", "duplicate part names")
        if any(_renamed(m) for m in members):  # calamine would read the part under another name
            raise _odd("thành phần được đặt lại tên bằng trường Unicode Path", "a part renamed by a Unicode path field")
        if any(m.flag_bits & 0x1 for m in members):
            raise UnreadableWorkbook(
                "tệp có thành phần bị mã hóa (tệp nén đặt mật khẩu); hãy gửi tệp Excel không đặt mật khẩu",
                "an encrypted zip member",
            )
        total = 0
        for member in members:
            total += member.file_size
            if member.file_size > MAX_PART_BYTES:
                raise _too_big(member)
        if total > MAX_TOTAL_BYTES:
            raise _too_big(max(members, key=lambda m: m.file_size), total)
        self.package, self.clock, self.work = package, clock, work

    def has(self, name: str) -> bool:
        return _fold(name) in self.members

    def member(self, name: str) -> zipfile.ZipInfo:
        return self.members[_fold(name)]

    def read(self, name: str) -> bytes:
        self.clock.check()
        member = self.member(name)
        data = _inflate(
            _compressed(self.package, member), member, MAX_TOTAL_BYTES - self.work.inflated, self.clock, self.work
        )
        _refuse_dtd(data, member)
        return data

    def stored(self, name: str) -> tuple[bytes, zipfile.ZipInfo]:
        """A part as stored, to inflate later with :func:`_inflate`: the macro project, which only rule S011
        reads (reading values needs none of it)."""
        self.clock.check()
        member = self.member(name)
        return _compressed(self.package, member), member


def _fold(name: str) -> str:
    """A part name as calamine compares them: ASCII letters in lower case, "\\" read as "/"."""
    return name.replace("\\", "/").encode().lower().decode()


def _check_shared_strings_head(head: bytes, member: zipfile.ZipInfo) -> None:
    """Calamine reserves room for as many shared strings as the root element's uniqueCount says before reading
    any: a count past what the part can hold (a string takes 5 bytes at least, "<si/>") would make it ask for
    gigabytes and abort the process. The root must open the part, whole within its first DTD_HEAD bytes."""
    tag = _ROOT_TAG.match(head, prologue_end(head))
    if tag is None or tag.group(1).rpartition(b":")[2] != b"sst":
        raise _odd("phần chuỗi dùng chung (sharedStrings.xml) không bắt đầu bằng phần tử sst", "odd shared strings")
    most = max(member.file_size // 5, MAX_CELLS)
    for _quote, value in _UNIQUE_COUNT.findall(tag.group(2)):
        if any(len(digits) > 15 or int(digits) > most for digits in _DIGITS.findall(value)):
            raise UnreadableWorkbook(
                f"tệp khai báo số chuỗi ký tự ({value.decode(errors='replace')[:30]}) vượt xa số chuỗi thực có "
                f"trong tệp (tệp bị hỏng hoặc cố ý làm sai để gây hại); {RESAVE}",
                f"uniqueCount {value[:30]!r} in {member.filename}",
            )


def _refuse_dtd(data: bytes, member: zipfile.ZipInfo) -> None:
    """A DTD comes before the root element, in the first DTD_HEAD bytes; OOXML never declares one. The one-byte
    test runs first: it is memchr fast, and "!" is rare at the head of a part."""
    if data.find(b"!", 0, DTD_HEAD) != -1 and (b"<!DOCTYPE" in data[:DTD_HEAD] or b"<!ENTITY" in data[:DTD_HEAD]):
        raise _unsafe_xml(f"DTD in {member.filename}")


def _unsafe_xml(reason_en: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(
        "tệp chứa khai báo XML không an toàn (DOCTYPE, thực thể), điều Excel không bao giờ viết: tệp có thể đã bị "
        "sửa để gây hại nên không được đọc; hãy gửi lại tệp lưu trực tiếp từ Excel",
        f"unsafe XML content ({reason_en})",
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
    """A part's bytes from its stored ``raw`` bytes. Inflating stops as soon as more comes out than the zip
    headers declare (calamine's reader stops there too: more means a corrupt or crafted file), than ``room`` or
    than MAX_PART_BYTES; raises UnreadableWorkbook or zipfile.BadZipFile. The bytes inflated are added to ``work``
    as they come."""
    work = Work() if work is None else work
    limit = min(MAX_PART_BYTES, room, member.file_size)
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
                break
        data = b"".join(chunks)
    else:
        raise _foreign_compression(member)
    if len(data) > limit:
        if limit == member.file_size:
            raise UnreadableWorkbook(
                f"thành phần {member.filename} giải nén ra nhiều hơn kích thước khai báo trong tệp nén (tệp bị hỏng "
                "hoặc bị làm sai có chủ ý, như một bom giải nén), nên không được đọc; hãy gửi lại tệp lưu từ Excel",
                f"{member.filename} inflates past its declared size",
            )
        raise _too_big(member, work.inflated)
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
    return UnreadableWorkbook(
        f"tệp dùng kiểu nén không phải của Excel (kiểu {member.compress_type}); {RESAVE}",
        f"compression {member.compress_type}",
    )


def _megabytes(size: int) -> str:
    return format_number(round(size / (1024 * 1024), 1)) + " MB"


def _too_big(member: zipfile.ZipInfo, total: int | None = None) -> UnreadableWorkbook:
    """A part (or all of them) larger than the limits, as declared or as inflated. A bomb only if the ratio of the
    declared size to the compressed one is one no spreadsheet has."""
    ratio = member.file_size / max(member.compress_size, 1)
    if ratio > BOMB_RATIO:
        return UnreadableWorkbook(
            f"thành phần {member.filename} khai báo giải nén ra {_megabytes(member.file_size)} từ "
            f"{_megabytes(member.compress_size)} (gấp {format_number(round(ratio))} lần, không tệp Excel thật nào "
            "nén được như vậy): nghi là bom giải nén, tệp không được đọc",
            f"decompression bomb ({member.filename}, ratio {ratio:.0f})",
        )
    if total is None:
        what = f"thành phần {member.filename} quá lớn ({_megabytes(member.file_size)} khi giải nén"
        limit = MAX_PART_BYTES
    else:
        what = f"các thành phần của tệp quá lớn (tổng cộng {_megabytes(total)} khi giải nén"
        limit = MAX_TOTAL_BYTES
    return UnreadableWorkbook(
        f"{what}, tối đa {_megabytes(limit)}); biểu mẫu chuẩn chỉ vài trăm KB: hãy xóa dữ liệu, hình ảnh hoặc "
        "trang tính thừa rồi gửi lại",
        f"parts too large ({member.filename}, {member.file_size} bytes, total {total})",
    )


def _workbook_folder(package: _Package, path: Path) -> str:
    """The folder of the workbook part ("xl/" as a rule), found as the standard and calamine find it: through the
    package relationship of type officeDocument. Calamine then reads workbook.xml and its relations from that
    folder, whatever the relationship's file name: another name is refused. A package that is no spreadsheet
    is named."""
    if package.has("mimetype"):
        mimetype = package.read("mimetype").strip()
        kind, suffix = _OPEN_DOCUMENT.get(mimetype, ("tài liệu OpenDocument", ".od?"))
        if path.suffix.lower() == suffix:
            what = f"tệp là {kind} ({suffix}, của LibreOffice/OpenOffice), không phải sổ làm việc Excel"
        else:
            what = f"tệp là {kind} ({suffix}) đặt đuôi {path.suffix or '(không đuôi)'}, không phải sổ làm việc Excel"
        if suffix == ".ods":
            advice = "hãy mở bằng LibreOffice Calc hoặc Excel, lưu lại dạng Sổ làm việc Excel (.xlsx) rồi gửi lại"
        else:
            advice = "hãy gửi biểu mẫu chuẩn (.xlsx) đã điền"
        raise UnreadableWorkbook(f"{what}; {advice}", f"an OpenDocument file ({mimetype!r})")
    if not package.has("_rels/.rels"):
        if package.has("xl/workbook.bin"):
            raise _xlsb()
        if package.has("xl/workbook.xml"):
            raise KeyError("_rels/.rels")
        raise UnreadableWorkbook(
            "tệp là một tệp nén (zip) chứ không phải sổ làm việc Excel; nếu biểu mẫu nằm trong tệp nén, hãy giải nén "
            "rồi gửi tệp .xlsx",
            "a zip archive without _rels/.rels",
        )
    relationships = _parse_xml(package.read("_rels/.rels"), "_rels/.rels")
    # Calamine takes the last relationship whose type ends so, in any namespace.
    targets = [
        (element.get("Type") or "", element.get("Target") or "")
        for element in relationships.iter()
        if element.tag.rpartition("}")[2] == "Relationship"
        and (element.get("Type") or "").endswith("/relationships/officeDocument")
    ]
    if len(targets) != 1 or targets[0][0] not in OFFICE_DOCUMENT or not targets[0][1]:
        raise _odd(
            "phần mô tả gói (_rels/.rels) không chỉ ra đúng một sổ làm việc",
            f"office document relationships: {targets}",
        )
    target = targets[0][1]
    part = target[1:] if target.startswith("/") else target
    folder, _, name = part.rpartition("/")
    folder = folder + "/" if folder else ""
    if "/." in "/" + part or "//" in part or "&" in part or "\\" in part:
        raise _odd(f"đường dẫn sổ làm việc bất thường ({target})", f"office document target {target!r}")
    top = _fold(part).partition("/")[0]
    if _fold(name).endswith(".bin"):
        raise _xlsb()
    if top in _OTHER_OFFICE:
        raise UnreadableWorkbook(
            f"tệp là {_OTHER_OFFICE[top]}, không phải sổ làm việc Excel; hãy gửi biểu mẫu chuẩn (.xlsx) đã điền",
            f"not a workbook: {target}",
        )
    if _fold(name) != "workbook.xml":
        raise UnreadableWorkbook(
            f"phần chính của sổ làm việc mang tên khác thường ({part}), chương trình chưa đọc được; {RESAVE}",
            f"the workbook part is {part!r}, not workbook.xml",
        )
    if not package.has(part):
        raise KeyError(part)
    return folder


def _xlsb() -> UnreadableWorkbook:
    return UnreadableWorkbook(
        "tệp là Sổ làm việc nhị phân Excel (.xlsb), chương trình chỉ đọc dạng .xlsx; hãy mở bằng Excel, chọn "
        "Tệp > Lưu thành > Sổ làm việc Excel (.xlsx) rồi gửi lại",
        "an Excel binary workbook (.xlsb)",
    )


def _workbook_parts(package: _Package, folder: str) -> tuple[dict[str, tuple[str, bool]], dict[str, str], list[str]]:
    """Sheet name -> (XML part, hidden); the workbook-level defined names; external link targets. The workbook
    and its relations are where calamine reads them: workbook.xml and _rels/workbook.xml.rels in ``folder``."""
    workbook_xml = package.read(folder + "workbook.xml")
    rels_xml = package.read(folder + "_rels/workbook.xml.rels")
    workbook = _parse_xml(workbook_xml, folder + "workbook.xml")
    rels = _parse_xml(rels_xml, folder + "_rels/workbook.xml.rels")
    namespace = workbook.tag[1:].rpartition("}")[0] if workbook.tag.startswith("{") else ""
    if namespace not in MAIN_NAMESPACES or workbook.tag.rpartition("}")[2] != "workbook":
        raise _odd(f"phần sổ làm việc có gốc lạ ({workbook.tag[:120]})", f"workbook root {workbook.tag!r}")
    main = {"m": namespace, "rel": PACKAGE_RELATIONSHIPS}
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", main)}
    listed = workbook.findall("m:sheets/m:sheet", main)
    _check_sheet_list(workbook_xml, rels_xml, listed)
    sheets = {}
    for sheet in listed:
        target = targets.get(next(value for key, value in sheet.attrib.items() if key.rpartition("}")[2] == "id"))
        if not target or not sheet.get("name"):
            raise _odd("một trang tính thiếu tên hoặc thiếu phần nội dung", "a sheet without a name or a part")
        part = target.lstrip("/") if target.startswith("/") else folder + target
        if "/." in part or "//" in part or "\\" in part:  # calamine takes "." and ".." literally, Excel not
            raise _odd(f"đường dẫn trang tính bất thường ({target})", f"a sheet part named with dot segments: {target}")
        sheets[sheet.get("name")] = (part, sheet.get("state") in ("hidden", "veryHidden"))
    names = {
        d.get("name"): (d.text or "")
        for d in workbook.findall("m:definedNames/m:definedName", main)
        if d.get("localSheetId") is None
    }
    external = []
    links = _fold(folder + "externalLinks/_rels/")
    for name, member in package.members.items():
        # A zip tool's folder entry (the name ends in "/", nothing stored) is no part: Excel and calamine skip it.
        if name.startswith(links) and not (name.endswith("/") and member.file_size == 0):
            rel = _parse_xml(package.read(name), name)
            external += [r.get("Target") or "" for r in rel.findall("rel:Relationship", main)]
    return sheets, names, external


def _check_sheet_list(workbook_xml: bytes, rels_xml: bytes, listed: list) -> None:
    """The sheets calamine opens must be the ones scanned here. Calamine finds sheet elements by their local name
    in any namespace and takes the first of a name; it reads the relationship id from the attribute whose local
    name is id (older versions: the literal r:id or relationships:id) and the relations' Target unescaped. So
    every sheet must carry exactly one attribute named id, in a relationships namespace (declared wherever the
    writer likes: openpyxl with lxml declares it on each sheet), and anything else that could make calamine and
    an XML parser disagree is refused."""
    names = [sheet.get("name") for sheet in listed]
    if len(_SHEET_ELEMENT.findall(workbook_xml)) != len(listed):
        raise _odd("danh sách trang tính có phần tử sheet ngoài chỗ", "sheet elements outside the sheet list")
    if len(set(names)) != len(names):
        raise _odd("hai trang tính trùng tên", "two sheets of the same name")
    for sheet in listed:
        ids = [key for key in sheet.attrib if key.rpartition("}")[2] == "id"]
        if len(ids) != 1 or ids[0][1:].rpartition("}")[0] not in RELATIONSHIPS:
            raise _odd(
                f"trang tính '{sheet.get('name')}' không chỉ rõ phần nội dung của nó", f"sheet ids {ids} in the list"
            )
    if b"&" in rels_xml:
        raise _odd("danh sách quan hệ của sổ làm việc có ký tự thoát", "escapes in the workbook relations")


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


def _renamed(member: zipfile.ZipInfo) -> bool:
    """Whether a Unicode Path field (Info-ZIP, 0x7075) may give the member another name in calamine's zip reader
    than the one read here. Calamine's reader takes the field's UTF-8 name when its CRC32 is the header name's
    (and fails otherwise); Info-ZIP's zip writes the field with the header's own name, which renames nothing. So
    a field is harmless only if it is whole, of version 1, with the header name's CRC32 and that very name; any
    other (another name, a stale CRC, a truncated field) is refused as a renaming."""
    extra, at = member.extra, 0
    raw_name = member.orig_filename.encode("utf-8" if member.flag_bits & 0x800 else "cp437")
    while at + 4 <= len(extra):
        kind, size = struct.unpack_from("<HH", extra, at)
        if kind == _UNICODE_PATH:
            field = extra[at + 4 : at + 4 + size]
            if len(field) != size or size < 5 or field[0] != 1:
                return True
            (crc,) = struct.unpack_from("<I", field, 1)
            try:
                name = field[5:].decode("utf-8")
            except UnicodeDecodeError:
                return True
            if crc != zlib.crc32(raw_name) or name != member.orig_filename:
                return True
        at += 4 + size
    return False


def _odd(what: str, reason_en: str) -> UnreadableWorkbook:
    """A package written otherwise than Excel writes one, where calamine could read something else than Excel:
    refused, saying what is odd; saving it again from Excel writes it the usual way."""
    return UnreadableWorkbook(f"cấu trúc tệp bất thường ({what}); {RESAVE}", reason_en)


def _parse_xml(data: bytes, part: str) -> FastElementTree.Element:
    """Parse a small XML part with the C parser, twice as fast as defusedxml's Python one, and as safe: the text
    is decoded here, so the parser reads it as UTF-8 whatever its declaration says, and a text without
    "<!DOCTYPE" can declare no entity. Another encoding (never written by Excel) goes to defusedxml."""
    try:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return ElementTree.fromstring(data)
        if "<!DOCTYPE" in text:
            raise ValueError("DOCTYPE in an OOXML part")
        return FastElementTree.fromstring(text)
    except ElementTree.ParseError as error:  # also the C parser's
        raise _broken_xml(part, error) from error


def _broken_xml(part: str, error: ElementTree.ParseError) -> UnreadableWorkbook:
    line, column = getattr(error, "position", (0, 0))
    return UnreadableWorkbook(
        f"nội dung XML của thành phần {part} trong tệp bị hỏng (dòng {line}, cột {column}); {RESAVE}",
        f"broken XML in {part} ({error})",
    )


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
    elif error.limit == "merges":
        reason = (
            f"trang tính '{sheet}' có hơn {format_number(MAX_MERGES)} vùng gộp ô, không phải biểu mẫu chuẩn; hãy bỏ "
            "gộp các ô thừa (Trang đầu > Gộp và Căn giữa) hoặc điền vào biểu mẫu chuẩn rồi gửi lại"
        )
    else:
        what = f"{format_number(MAX_CELLS)} ô" if error.limit == "cells" else f"{format_number(MAX_ELEMENTS)} phần tử"
        reason = (
            f"trang tính '{sheet}' lớn bất thường (hơn {what}), không phải biểu mẫu chuẩn; "
            "hãy điền số liệu vào biểu mẫu chuẩn rồi gửi lại"
        )
    return UnreadableWorkbook(reason, f"sheet {sheet!r} too large: {error}")
