"""Excel's part, played for xlwings' remote engine, so the add-in runs in tests without Excel.

``payload`` turns a real workbook file (recalculated by LibreOffice, so formula cells carry their values) into
the JSON an Office.js client sends; ``xw.Book(json=...)`` reads it; the add-in's writes come back from
``book.json()`` as actions, and ``replay`` applies them to a copy of the file with openpyxl, as the client
would apply them to the workbook. An action the harness does not know fails the test: the add-in must keep
to what the engines share.

The remote engine belongs to xlwings PRO (PolyForm Noncommercial: testing is a permitted purpose); it needs
the licence variable before xlwings is imported, so it is set here, in the test process only.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import openpyxl
import xlwings as xw
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

NOTE_AUTHOR = "kehoach"


def payload(path: Path) -> dict[str, Any]:
    """What an Office.js client sends for the workbook at ``path``: every sheet's values from A1 (as Excel
    shows them), which cells have a note, the visibility, and the workbook-level defined names."""
    book = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for sheet in book.worksheets:
        values = [
            [_json_value(sheet.cell(row=r, column=c).value) for c in range(1, sheet.max_column + 1)]
            for r in range(1, sheet.max_row + 1)
        ]
        notes = [{"address": cell.coordinate} for row in sheet.iter_rows() for cell in row if cell.comment]
        sheets.append(
            {
                "name": sheet.title,
                "values": values,
                "visibility": "Visible" if sheet.sheet_state == "visible" else "Hidden",
                "notes": notes,
                "pictures": [],
                "shapes": [],
                "charts": [],
                "tables": [],
                "print_area": None,
            }
        )
    names = [
        {
            "name": name,
            "refers_to": "=" + defined.attr_text,
            "book_scope": True,
            "scope_sheet_index": None,
            "scope_sheet_name": None,
        }
        for name, defined in book.defined_names.items()
    ]
    return {
        "client": "Office.js",  # notes need it; it also waives the client/server version check
        "version": xw.__version__,
        "book": {"name": path.name, "active_sheet_index": book.index(book.active), "selection": "A1"},
        "names": names,
        "sheets": sheets,
    }


def _json_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00.000Z")
    if isinstance(value, dt.time):
        return value.isoformat()
    return value


def open_book(path: Path) -> xw.Book:
    return open_payload(payload(path))


def open_payload(data: dict[str, Any]) -> xw.Book:
    return xw.Book(json=data)


def replay(actions: list[dict[str, Any]], source: Path, target: Path) -> list[list[Any]]:
    """Apply the queued ``actions`` to a copy of ``source`` saved as ``target``; returns the alerts shown."""
    book = openpyxl.load_workbook(source)
    alerts = []
    for action in actions:
        func, args = action["func"], action["args"]
        sheet = book.worksheets[action["sheet_position"]] if action["sheet_position"] is not None else None
        if func == "alert":
            alerts.append(args)
        elif func == "addSheet":
            book.create_sheet(args[1], args[0])
        elif func == "activateSheet":
            book.active = args[0]
            for each in book.worksheets:
                each.sheet_view.tabSelected = each is book.active
        elif func == "sheetClear":  # as Excel's Cells.Clear: values, formats, notes and links go
            index = book.index(sheet)
            book.remove(sheet)
            book.create_sheet(sheet.title, index)
        elif func == "sheetDelete":
            book.remove(sheet)
        elif func in ("addNote", "setNoteText"):
            cell = sheet[args[0].replace("$", "")]
            assert (cell.comment is None) == (func == "addNote"), f"{func} on {sheet.title}!{cell.coordinate}"
            cell.comment = Comment(args[1], NOTE_AUTHOR)
        elif func == "deleteNote":
            sheet[args[0].replace("$", "")].comment = None
        else:
            _range_action(sheet, action)
    book.save(target)
    return alerts


def _range_action(sheet: Worksheet, action: dict[str, Any]) -> None:
    func, args = action["func"], action["args"]
    top, left = action["start_row"] + 1, action["start_column"] + 1
    cells = [
        sheet.cell(row=top + r, column=left + c)
        for r in range(action["row_count"])
        for c in range(action["column_count"])
    ]
    if func in ("setValues", "setFormula"):
        for r, row in enumerate(action["values"]):
            for c, value in enumerate(row):
                sheet.cell(row=top + r, column=left + c).value = None if value == "" else value
    elif func == "setRangeColor":
        fill = PatternFill("solid", fgColor=args[0].lstrip("#")) if args[0] else PatternFill(fill_type=None)
        for cell in cells:
            cell.fill = fill
    elif func == "setFontProperty":
        attribute, value = args
        for cell in cells:
            font = copy.copy(cell.font)
            setattr(font, attribute, value.lstrip("#") if attribute == "color" else value)
            cell.font = font
    elif func == "setColumnWidth":
        for c in range(action["column_count"]):
            sheet.column_dimensions[get_column_letter(left + c)].width = args[0]
    elif func == "setWrapText":
        for cell in cells:
            cell.alignment = Alignment(wrap_text=args[0], vertical=cell.alignment.vertical)
    else:
        raise AssertionError(f"the harness does not replay {func}: keep the add-in to what COM also has")


def fill_of(cell: Any) -> str | None:
    """A cell's solid fill as #RRGGBB, or None."""
    if cell.fill is None or cell.fill.fill_type != "solid":
        return None
    rgb = cell.fill.fgColor.rgb
    return "#" + rgb[-6:].upper() if isinstance(rgb, str) else None
