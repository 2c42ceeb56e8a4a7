"""What the workbook's buttons run.

``validate`` and ``clear`` are the fixed entry points of the buttons (RunPython in
``workbook_templates/vba/KeHoach.bas``): they attach to the workbook that called them and hand it to
``validate_book`` / ``clear_marks``, which take any ``xlwings.Book``: Excel through COM, or the remote engine
in the tests. Importing this module costs almost nothing; xlwings, the engine and pandas are imported when a
button is pressed.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import xlwings as xw
    from kehoach.validators.engine import Report

TITLE = "Kiểm tra dữ liệu"
UNEXPECTED = (
    "Chưa kiểm tra được vì gặp một lỗi ngoài dự kiến. Số liệu đã nhập không bị thay đổi.\n"
    "Chi tiết lỗi đã được ghi vào tệp:\n{log}\n"
    "Hãy gửi tệp này kèm biểu mẫu cho Sở Kế hoạch và Đầu tư."
)


def validate_book(book: xw.Book, checked_at: dt.datetime | None = None) -> Report:
    """Check ``book`` with the engine of `kehoach validate`, mark the cells with findings, write the report
    sheet and stamp the unit-information sheet. Values staff typed are never changed; checking again without
    changes leaves the workbook as it is (with the same ``checked_at``)."""
    from kehoach.xl_addin.excel import check

    return check(book, checked_at or dt.datetime.now().replace(microsecond=0))


def clear_marks(book: xw.Book) -> None:
    """Remove the marks of the last check: template fills back, notes and report sheet gone."""
    from kehoach.xl_addin.excel import clear as clear_book

    clear_book(book)


def validate() -> None:
    """Button «Kiểm tra dữ liệu»."""
    _run(validate_book)


def clear() -> None:
    """Button «Xóa đánh dấu»."""
    _run(clear_marks)


def _run(action: Callable[[Any], object]) -> None:
    """Run ``action`` on the calling workbook. An unexpected error is written to the log and shown to staff
    as a short Vietnamese message, so the process ends normally and xlwings shows no traceback."""
    import xlwings as xw

    book = xw.Book.caller()
    try:
        action(book)
    except Exception:
        path = write_log(traceback.format_exc(), book.name)
        book.app.alert(UNEXPECTED.format(log=path), TITLE, mode="critical")


def log_path() -> Path:
    """The add-in's log, beside its Python installation on Windows (%LOCALAPPDATA%\\kehoach)."""
    base = os.environ.get("LOCALAPPDATA") or os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "kehoach" / "logs" / "nut-kiem-tra.log"


def write_log(details: str, workbook: str) -> Path:
    from importlib.metadata import PackageNotFoundError, version

    try:
        versions = f"kehoach {version('kehoach')}, xlwings {version('xlwings')}"
    except PackageNotFoundError:
        versions = "kehoach (not installed as a package)"
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        log.write(
            f"--- {dt.datetime.now().isoformat(timespec='seconds')} {workbook}\n"
            f"{versions}, Python {platform.python_version()}, {platform.platform()}\n{details}\n"
        )
    return path
