"""Run under the Windows Python by test_windows.py: press the validation button (the Python side, kehoach.xl_addin)
on a workbook through xlwings' remote engine, as tests/support/xlremote.py does on Linux, and write what happened
as JSON (ASCII, to a file: what this tests is the button, not the console).

    python.exe button_probe.py REPO SOURCE.xlsx CHECKED.xlsx RESULT.json
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

CHECKED_AT = dt.datetime(2020, 7, 10, 9, 30)


def main() -> None:
    repo, source, checked, result = (Path(arg) for arg in sys.argv[1:5])
    sys.path.insert(0, str(repo))
    os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"  # before xlwings is imported (tests only)
    from kehoach import xl_addin

    from tests.support.xlremote import open_book, replay

    book = open_book(source)
    try:
        report = xl_addin.validate_book(book, CHECKED_AT)
        actions = book.json()["actions"]
        alerts = replay(actions, source, checked)
    finally:
        book.close()
    entry = open_book(source)  # the entry point the button's VBA runs, on the calling workbook
    entry.set_mock_caller()
    try:
        xl_addin.validate()
        entry_funcs = sorted({a["func"] for a in entry.json()["actions"]})
        entry_alerts = [a["args"] for a in entry.json()["actions"] if a["func"] == "alert"]
    finally:
        entry.close()
    out = {
        "platform": sys.platform,
        "findings": [[f.rule, f.sheet, f.cell, f.message()] for f in report.findings],
        "actions": actions,
        "alerts": alerts,
        "entry_funcs": entry_funcs,
        "entry_alerts": entry_alerts,
    }
    result.write_text(json.dumps(out, ensure_ascii=True, default=str), encoding="ascii")


if __name__ == "__main__":
    main()
