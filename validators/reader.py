"""Read a workbook file into a :class:`RawWorkbook`, defensively.

Values come from python-calamine (fast, read-only, never runs macros). What calamine does not report,
formula cells, error values and defined names, comes from a scan of the package's XML, parsed with
defusedxml. A file that cannot be read safely raises :class:`UnreadableWorkbook` with a Vietnamese reason.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path, PurePosixPath

import python_calamine
from defusedxml import ElementTree

from validators.workbook import ExcelError, Grid, RawWorkbook, normalize, rowcol

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per member: beyond it a member is a decompression bomb
MAX_MEMBERS = 5000

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ATTR_R = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_ATTR_T = re.compile(rb'\bt="(\w+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


class UnreadableWorkbook(Exception):
    """The file is not a workbook that can be read safely; ``reason`` says why, in Vietnamese."""

    def __init__(self, reason: str, reason_en: str):
        super().__init__(reason)
        self.reason = reason
        self.reason_en = reason_en


def read_workbook(path: Path) -> RawWorkbook:
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise UnreadableWorkbook(
            f"không mở được tệp ({error.strerror or error})", f"cannot open the file ({error})"
        ) from error
    _check_signature(head, size)
    try:
        with zipfile.ZipFile(path) as package:
            _check_package(package)
            sheets, names = _workbook_parts(package)
            scans = {name: _scan_sheet(package.read(part)) for name, (part, _hidden) in sheets.items()}
            vba = package.read("xl/vbaProject.bin") if "xl/vbaProject.bin" in package.namelist() else None
    except zipfile.BadZipFile as error:
        raise UnreadableWorkbook("tệp bị hỏng (không giải nén được)", f"the file is corrupt ({error})") from error
    except (KeyError, ElementTree.ParseError) as error:
        raise UnreadableWorkbook("cấu trúc tệp Excel bị hỏng", f"the workbook structure is broken ({error})") from error
    except (ValueError, NotImplementedError, RuntimeError) as error:  # defusedxml refusals, encrypted members
        raise UnreadableWorkbook(
            "tệp chứa nội dung không an toàn hoặc bị mã hóa", f"unsafe content ({error})"
        ) from error
    try:
        values = python_calamine.CalamineWorkbook.from_path(str(path))
        grids = {}
        for name, (_part, hidden) in sheets.items():
            rows = values.get_sheet_by_name(name).to_python(skip_empty_area=False)
            formulas, errors = scans[name]
            grid = Grid(name, [[normalize(v) for v in row] for row in rows], formulas, hidden)
            for address, text in errors.items():  # calamine reads error values as empty
                row, col = rowcol(address)
                if row < grid.height and col < len(grid.rows[row]):
                    grid.rows[row][col] = ExcelError(text)
            grids[name] = grid
    except python_calamine.CalamineError as error:
        raise UnreadableWorkbook(
            "không đọc được dữ liệu trong tệp", f"cannot read the cell values ({error})"
        ) from error
    return RawWorkbook(
        label=path.name,
        sheets=grids,
        names=names,
        vba_digest=hashlib.sha256(vba).hexdigest() if vba is not None else None,
    )


def _check_signature(head: bytes, size: int) -> None:
    if size == 0:
        raise UnreadableWorkbook("tệp rỗng (0 byte)", "the file is empty")
    if size > MAX_FILE_BYTES:
        raise UnreadableWorkbook(
            f"tệp quá lớn ({size // (1024 * 1024)} MB, tối đa {MAX_FILE_BYTES // (1024 * 1024)} MB)", "file too large"
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableWorkbook(
            "tệp là định dạng Excel cũ (.xls) hoặc đã đặt mật khẩu; hãy mở bằng Excel, bỏ mật khẩu và lưu lại "
            "dạng .xlsx/.xlsm",
            "old binary .xls format or a password-encrypted workbook",
        )
    if not head.startswith(b"PK"):
        raise UnreadableWorkbook("tệp không phải là tệp Excel (.xlsx/.xlsm)", "not an .xlsx/.xlsm file")


def _check_package(package: zipfile.ZipFile) -> None:
    members = package.infolist()
    if len(members) > MAX_MEMBERS:
        raise UnreadableWorkbook("tệp chứa quá nhiều thành phần", "too many members in the package")
    names = {m.filename for m in members}
    if "mimetype" in names and b"opendocument" in package.read("mimetype"):
        raise UnreadableWorkbook(
            "tệp là bảng tính OpenDocument (.ods) đổi đuôi; hãy lưu lại dạng .xlsx", "an .ods renamed to .xlsx"
        )
    if "xl/workbook.xml" not in names:
        raise UnreadableWorkbook("tệp không phải là bảng tính Excel", "no xl/workbook.xml in the package")
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise UnreadableWorkbook(
                "tệp có thành phần nén bất thường (nghi là bom giải nén)", f"decompression bomb ({member.filename})"
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableWorkbook(
            f"dữ liệu giải nén quá lớn ({total // (1024 * 1024)} MB)", "uncompressed content too large"
        )


def _workbook_parts(package: zipfile.ZipFile) -> tuple[dict[str, tuple[str, bool]], dict[str, str]]:
    """Sheet name -> (XML part, hidden), and the workbook-level defined names."""
    workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", _NS)}
    sheets = {}
    for sheet in workbook.findall("m:sheets/m:sheet", _NS):
        target = targets[sheet.get(f"{{{_NS['r']}}}id")]
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        sheets[sheet.get("name")] = (part, sheet.get("state") in ("hidden", "veryHidden"))
    names = {
        d.get("name"): (d.text or "")
        for d in workbook.findall("m:definedNames/m:definedName", _NS)
        if d.get("localSheetId") is None
    }
    return sheets, names


def _scan_sheet(xml: bytes) -> tuple[frozenset[str] | None, dict[str, str]]:
    """The cells of a sheet's XML that hold a formula, and those holding an error value."""
    formulas, errors = set(), {}
    for match in _CELL.finditer(xml):
        attributes, body = match.group(1), match.group(3) or b""
        address = _ATTR_R.search(attributes)
        if address is None:  # cell references are optional in the format: cannot tell where formulas are
            return None, errors
        ref = address.group(1).decode()
        if _FORMULA.search(body):
            formulas.add(ref)
        kind = _ATTR_T.search(attributes)
        if kind and kind.group(1) == b"e":
            value = _VALUE.search(body)
            errors[ref] = value.group(1).decode("utf-8", "replace") if value else "#N/A"
    return frozenset(formulas), errors
