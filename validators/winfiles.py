"""Files as Windows gives them: long paths, names in two Unicode forms, files held open by Excel, read-only
files and OneDrive placeholders. Each problem becomes a Vietnamese sentence that says what to do.

- Paths of 260 characters or more fail on Windows unless the system enables long paths (LongPathsEnabled, off by
  default): :func:`long_path` gives such a path the extended form (``\\\\?\\C:\\...``), which works either way.
- NTFS keeps a name as typed: «Hộp thư» precomposed (NFC, Unikey's «Unicode dựng sẵn») and decomposed (a Mac's
  NFD, Unikey's «Unicode tổ hợp») are different names. :func:`same_name` finds the file under either form.
- Excel holds an open workbook with a share mode that denies writing and deleting: :func:`master_problem` tells
  before a merge, and :func:`explain` says which program to close when a file cannot be read.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import unicodedata
from pathlib import Path

WINDOWS = sys.platform == "win32"
MAX_PATH = 260
LONG_FROM = 240  # directories are limited to 248 characters (room for an 8.3 name): prefix with a margin
EXTENDED = "\\\\?\\"
SHARING_VIOLATION, LOCK_VIOLATION, ACCESS_DENIED = 32, 33, 5
FILE_NOT_FOUND, PATH_NOT_FOUND, FILENAME_EXCED_RANGE, INVALID_NAME = 2, 3, 206, 123
CANT_ACCESS_FILE = 1920
CLOUD = range(358, 405)  # ERROR_CLOUD_FILE_*: 362 provider not running, 388 network unavailable, 389 unsuccessful...
READONLY = getattr(stat, "FILE_ATTRIBUTE_READONLY", 1)
OFFLINE, RECALL_ON_DATA_ACCESS = 0x1000, 0x400000
LONG_PATH_ADVICE = (
    "hãy chuyển thư mục lên gần gốc ổ đĩa (ví dụ C:\\HopThu) hoặc đặt tên thư mục, tên tệp ngắn hơn; hoặc nhờ "
    "quản trị máy bật hỗ trợ đường dẫn dài của Windows (LongPathsEnabled = 1)"
)


def long_path(path: Path | str, always: bool = False) -> Path:
    """``path`` in Windows' extended form when it is long (or ``always``), so that it works whether or not the
    system enables long paths; unchanged elsewhere and when already extended."""
    path = Path(path)
    if not WINDOWS:
        return path
    text = str(path)
    if text.startswith(EXTENDED) or not (always or len(text) >= LONG_FROM):
        return path
    text = os.path.abspath(text)  # the extended form is taken literally: no ".", "..", "/" or relative parts
    if text.startswith("\\\\"):  # \\server\share\...
        return Path(EXTENDED + "UNC\\" + text[2:])
    return Path(EXTENDED + text) if (always or len(text) >= LONG_FROM) else Path(text)


def plain(path: Path | str) -> str:
    """The path as a person typed it: without the extended prefix."""
    text = str(path)
    if text.startswith(EXTENDED + "UNC\\"):
        return "\\\\" + text[len(EXTENDED) + 4 :]
    return text[len(EXTENDED) :] if text.startswith(EXTENDED) else text


def same_name(path: Path) -> Path:
    """``path`` if it exists; else the existing path whose names differ from it only in Unicode form (NFC/NFD,
    or Unikey's combining marks); else ``path``."""
    try:
        if path.exists():
            return path
    except OSError:
        return path
    found = Path(path.anchor)
    parts = path.parts[1:] if path.anchor else path.parts
    if not path.anchor:
        found = Path(".")
    for part in parts:
        candidate = found / part
        if not candidate.exists():
            wanted = unicodedata.normalize("NFC", part).casefold() if WINDOWS else unicodedata.normalize("NFC", part)
            try:
                names = os.listdir(found)
            except OSError:
                return path
            matches = [
                n
                for n in names
                if (unicodedata.normalize("NFC", n).casefold() if WINDOWS else unicodedata.normalize("NFC", n))
                == wanted
            ]
            if len(matches) != 1:
                return path
            candidate = found / matches[0]
        found = candidate
    return found if path.anchor else Path(os.path.relpath(found))


def windows_error(path: Path | str, write: bool = False) -> int:
    """What Windows says when ``path`` is opened (for writing and renaming when ``write``), as another program
    would ask for it: 0 when it opens; a Windows error code, such as 32 when Excel holds the file. 0 elsewhere."""
    if not WINDOWS:
        return 0
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    create = kernel32.CreateFileW
    create.restype = wintypes.HANDLE
    create.argtypes = [
        wintypes.LPCWSTR,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.LPVOID,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.HANDLE,
    ]
    generic_read, generic_write, delete = 0x80000000, 0x40000000, 0x00010000
    access = generic_read | (generic_write | delete if write else 0)
    share_all, open_existing, normal = 7, 3, 0x80
    handle = create(str(long_path(path)), access, share_all, None, open_existing, normal, None)
    if handle is None or handle == wintypes.HANDLE(-1).value:
        return ctypes.get_last_error()
    kernel32.CloseHandle(wintypes.HANDLE(handle))
    return 0


def attributes(path: Path | str) -> int:
    try:
        return getattr(os.stat(long_path(path)), "st_file_attributes", 0)
    except OSError:
        return 0


def is_read_only(path: Path | str) -> bool:
    """The file has Windows' read-only attribute (elsewhere: no write permission)."""
    if WINDOWS:
        return bool(attributes(path) & READONLY)
    try:
        return not os.stat(path).st_mode & stat.S_IWUSR
    except OSError:
        return False


def master_problem(master: Path) -> tuple[str, int] | None:
    """Why the existing master (or its backup) cannot be replaced, in Vietnamese, with the exit code (3: open in
    Excel; 2: read-only), before a merge does any work; None when it can, or does not exist yet."""
    backup = master.with_name(f"{master.stem}.bak{master.suffix}")
    for path, what in ((master, "tệp tổng hợp"), (backup, "bản lưu trước của tệp tổng hợp")):
        if not os.path.lexists(long_path(path)):
            continue
        code = windows_error(path, write=True)
        if code in (SHARING_VIOLATION, LOCK_VIOLATION):
            return (
                f"{what} «{path.name}» đang được mở trong Excel hoặc chương trình khác. Hãy đóng tệp rồi chạy lại.",
                3,
            )
        if is_read_only(path) and path == master:
            return (
                f"{what} «{path.name}» đang đặt thuộc tính Chỉ đọc (Read-only) nên không thay được. Hãy bỏ thuộc "
                "tính đó (chuột phải vào tệp › Properties › bỏ chọn Read-only) hoặc ghi ra tệp khác bằng -o.",
                2,
            )
    return None


def explain(error: OSError, path: Path | str | None = None, writing: bool = False) -> str:
    """A Vietnamese sentence for an OSError on ``path``: what happened and what to do."""
    reason = specific(error, path, writing)
    if reason:
        return reason
    path = error.filename if path is None else path
    shown = f"«{Path(plain(path)).name}» " if path else ""
    if error.errno == errno.ENOENT or getattr(error, "winerror", None) in (FILE_NOT_FOUND, PATH_NOT_FOUND):
        return f"không tìm thấy tệp {shown}".rstrip()
    return f"không {'ghi' if writing else 'mở'} được tệp {shown}({error.strerror or error})"


def specific(error: OSError, path: Path | str | None = None, writing: bool = False) -> str | None:
    """:func:`explain` when the cause is one of Windows' own (a file held open, a long path, a read-only file, a
    OneDrive placeholder, no permission); None for the rest (a missing file...)."""
    path = error.filename if path is None else path
    name = Path(plain(path)).name if path else ""
    shown = f"«{name}» " if name else ""
    code = getattr(error, "winerror", None) or 0
    if WINDOWS and path and not code and error.errno == errno.EACCES and not writing:
        code = windows_error(path)  # open() reports a sharing violation as plain EACCES: ask Windows which
    length = len(plain(path)) if path else 0
    if code in (SHARING_VIOLATION, LOCK_VIOLATION):
        return (
            f"tệp {shown}đang được mở trong Excel hoặc chương trình khác và bị khóa. Hãy đóng tệp trong Excel "
            "rồi chạy lại"
        )
    if code in CLOUD or code == CANT_ACCESS_FILE or (path and attributes(path) & (RECALL_ON_DATA_ACCESS | OFFLINE)):
        return (
            f"tệp {shown}là tệp trên OneDrive (hoặc dịch vụ đám mây khác) chưa tải về máy và không tải được"
            f"{f' ({error.strerror})' if error.strerror else ''}. Hãy mở OneDrive, kiểm tra kết nối mạng, chọn "
            "«Always keep on this device» (Luôn giữ trên thiết bị này) cho thư mục, đợi đồng bộ xong rồi chạy lại"
        )
    if code == FILENAME_EXCED_RANGE or (
        length >= MAX_PATH and (code in (FILE_NOT_FOUND, PATH_NOT_FOUND, INVALID_NAME) or error.errno == errno.ENOENT)
    ):
        return (
            f"đường dẫn của tệp {shown}dài {length} ký tự, vượt giới hạn {MAX_PATH} ký tự của Windows: "
            f"{LONG_PATH_ADVICE}"
        )
    if code == ACCESS_DENIED or error.errno == errno.EACCES or isinstance(error, PermissionError):
        if writing and path and is_read_only(path):
            return (
                f"tệp {shown}đang đặt thuộc tính Chỉ đọc (Read-only). Hãy bỏ thuộc tính đó (chuột phải › "
                "Properties) hoặc ghi ra chỗ khác"
            )
        action = "ghi" if writing else "đọc"
        return (
            f"không có quyền {action} tệp {shown}hoặc tệp đang bị chương trình khác (Excel, phần mềm diệt virus, "
            "OneDrive) khóa. Hãy đóng tệp, kiểm tra quyền truy cập rồi chạy lại"
        )
    return None
