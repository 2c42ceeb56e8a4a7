"""The VBA project of the macro-enabled templates, built from the sources in ``vba/`` on any system (pyopenvba
writes the project; no Excel is involved):

- ``KeHoach.bas``: ours, the Subs the buttons call; each runs a fixed Python entry point through RunPython;
- ``xlwings.bas``: the xlwings VBA module in standalone mode, vendored unchanged (BSD licence in its header);
  the version it names is the xlwings the Python side must have (``kehoach addin install`` pins it);
- ``Dictionary.cls``: VBA-Dictionary (MIT), which the xlwings module uses on a Mac, as xlwings ships it.

The project carries source only: its ``_VBA_PROJECT`` stream has version 0xFFFF and no performance cache, as
MS-OVBA 2.3.4.1 asks of a writer and as xlwings' own files are shipped, so Office compiles the modules on
first open. Its ``dir`` stream has no PROJECTCOMPATVERSION record (MS-OVBA 2.3.4.2.1.2, optional), which
xlwings' own files do not carry either. The result is the same bytes on every build.
"""

from __future__ import annotations

import re
import struct
import tempfile
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

VBA_DIR = Path(__file__).with_name("vba")
MODULE = "KeHoach"  # our module; buttons are bound to "<MODULE>.<Sub>"


@dataclass(frozen=True)
class Button:
    sub: str  # a Public Sub of KeHoach.bas
    caption: str

    @property
    def macro(self) -> str:
        return f"{MODULE}.{self.sub}"


BUTTONS = (Button("KiemTraDuLieu", "Kiểm tra dữ liệu"), Button("XoaDanhDau", "Xóa đánh dấu"))

# Where `kehoach addin install` puts the Python side on a staff member's Windows machine: per user, no
# administrator rights needed. The xlwings module expands the environment variable when it reads the setting.
ADDIN_HOME_WIN = r"%LOCALAPPDATA%\kehoach"
INTERPRETER_WIN = ADDIN_HOME_WIN + r"\venv\Scripts\pythonw.exe"
TITLE = "Kế hoạch 5 năm 2021-2025"


# The guide's commands (docs/huong-dan-su-dung.md): section 2a, the bundle's installer (cli/bundle_cmd.py); section
# 2b, for IT staff, the command that installs from the wheel the DPI sends. The notice quotes them word for word
# (tests/test_addin_vba.py).
BUNDLE_INSTALLER = "cai-dat.cmd"
WHEEL = "kehoach-0.1.0-py3-none-any.whl"  # pyproject's version: tests/test_addin_vba.py keeps them in step
INSTALL_COMMAND = f"py -m kehoach.cli.main addin install --source {WHEEL}"
NO_PYTHON = (
    "Máy tính này chưa cài phần kiểm tra dữ liệu (Python) nên nút này chưa dùng được.\n"
    f"Cách cài: giải nén bộ cài do Sở gửi rồi bấm đúp vào tệp {BUNDLE_INSTALLER} (xem «Hướng dẫn sử dụng», "
    f"mục 2a). Cán bộ tin học có thể cài bằng lệnh «{INSTALL_COMMAND}» (mục 2b).\n"
    "Nếu không cài được, hãy gửi tệp cho Sở Kế hoạch và Đầu tư: Sở sẽ kiểm tra và báo lại."
)


# Every key the vendored xlwings module reads (GetConfig in vba/xlwings.bas), with the value the templates pin.
# A key on the workbook's sheet wins over an xlwings.conf beside the workbook or in the user's profile
# (%USERPROFILE%\.xlwings\xlwings.conf), so none of those can change what the buttons run. An empty value is a
# value: the key exists on the sheet. tests/test_addin_vba.py checks that no key of the module is left out.
PINNED = (
    ("INTERPRETER_WIN", INTERPRETER_WIN),
    ("INTERPRETER", INTERPRETER_WIN),  # the older key, read when INTERPRETER_WIN is empty
    ("INTERPRETER_MAC", ""),  # staff use Windows; on a Mac xlwings finds its own
    ("PYTHONPATH", ""),  # nothing beside the installed packages
    ("ADD_WORKBOOK_TO_PYTHONPATH", "false"),  # a stray .py beside a downloaded workbook is never imported
    ("UDF MODULES", ""),  # the templates define no UDFs
    ("DEBUG UDFS", "False"),
    ("USE UDF SERVER", "False"),
    ("SHOW CONSOLE", "False"),  # pythonw, no console window
    ("CONDA PATH", ""),  # no conda activation before the interpreter
    ("CONDA ENV", ""),
    ("LICENSE_KEY", ""),  # standalone mode, noncommercial use of the open-source part
    ("SHOW_ERROR_POPUPS", "True"),  # a failure of the Python process is shown, not swallowed
    ("TEMP DIR", "%TEMP%"),  # expanded by WScript (Unicode), unlike VBA's Environ("Temp") (ANSI code page)
    ("ONEDRIVE_CONSUMER_WIN", ""),  # the workbook's own path (OneDrive/SharePoint mapping): xlwings' default
    ("ONEDRIVE_COMMERCIAL_WIN", ""),
    ("SHAREPOINT_WIN", ""),
    ("ONEDRIVE_CONSUMER_MAC", ""),
    ("ONEDRIVE_COMMERCIAL_MAC", ""),
    ("SHAREPOINT_MAC", ""),
)


def conf_rows() -> tuple[tuple[str, str], ...]:
    """The hidden ``xlwings.conf`` sheet, from A1 down (key, value): the xlwings module reads it until the first
    empty key. PINNED first; the last two rows are the notice KeHoach.bas shows when Python is missing."""
    return (*PINNED, ("KEHOACH_TITLE", TITLE), ("KEHOACH_NO_PYTHON", NO_PYTHON))


def xlwings_version() -> str:
    """The xlwings version of the vendored VBA module: the Python package must match it (its DLL name, too)."""
    match = re.search(r"^'Version: (\S+)", _source("xlwings.bas"), re.M)
    if match is None:
        raise ValueError("vba/xlwings.bas does not name its xlwings version")
    return match.group(1)


# MS-OVBA 2.3.4.1: Reserved1 0x61CC, Version 0xFFFF ("MUST be 0xFFFF on write"), Reserved2 0x00, Reserved3.
_SOURCE_ONLY = b"\xcc\x61\xff\xff\x00\x01\x00"


@cache
def vba_project() -> bytes:
    """The ``vbaProject.bin`` every macro-enabled template embeds (built once per process)."""
    from pyopenvba import ExcelFile, VBAModuleKind
    from pyopenvba.cfb import CFB

    with tempfile.TemporaryDirectory(prefix="kehoach-vba-") as tmp:
        path = Path(tmp) / "project.xlsm"
        book = ExcelFile.create_new(path)
        try:
            project = book.vba_project()
            project.rename_module("Module1", MODULE)
            book.set_module(MODULE, _source(f"{MODULE}.bas"))
            project.add_module("xlwings", _source("xlwings.bas"))
            project.add_module("Dictionary", _source("Dictionary.cls"), kind=VBAModuleKind.other)
            book.save()
        finally:
            book.close()
        with zipfile.ZipFile(path) as package:
            binary = package.read("xl/vbaProject.bin")
    cfb = CFB.from_bytes(binary)
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", _SOURCE_ONLY)
    cfb.write_stream_in_storage("VBA", "dir", without_compat_version(cfb.get_stream_in_storage("VBA", "dir")))
    return cfb.to_bytes()


_COMPAT_VERSION = 0x004A  # MS-OVBA 2.3.4.2.1.2 PROJECTCOMPATVERSION: Id 0x004A, Size 4, CompatVersion


def without_compat_version(compressed: bytes) -> bytes:
    """The compressed ``dir`` stream without its PROJECTCOMPATVERSION record, which pyopenvba writes after
    PROJECTSYSKIND (Id 0x0001, Size 4) and xlwings' files do not have."""
    from pyopenvba.vba import compress, decompress

    data = decompress(compressed, stream_name="dir")
    kind_id, kind_size = struct.unpack_from("<HI", data, 0)
    if (kind_id, kind_size) != (0x0001, 4):
        raise ValueError("the dir stream does not start with PROJECTSYSKIND")
    if struct.unpack_from("<HI", data, 10) != (_COMPAT_VERSION, 4):
        return compressed
    return compress(data[:10] + data[20:])


def _source(name: str) -> str:
    """A module's source with the CRLF line ends the VBA editor writes."""
    text = (VBA_DIR / name).read_text(encoding="ascii")
    return text.replace("\r\n", "\n").replace("\n", "\r\n")
