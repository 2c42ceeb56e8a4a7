"""`kehoach validate --annotate`: a marked copy of a checked workbook (openpyxl). The input is never
modified; the copy is written to a temporary file and renamed into place."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from kehoach.validators.engine import Report
from kehoach.validators.marks import CELL_COL, REPORT_HEADER, REPORT_TITLE, SHEET_COL, Marks, link_target, marks_for
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.styles import FONT, LINK_COLOUR
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet


def annotate(path: Path, report: Report, out_dir: Path, lang: str = "vi") -> Path:
    book = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
    marks = marks_for(report, dt.datetime.now(), lang)
    for mark in marks.cells:
        if mark.sheet not in book.sheetnames:
            continue
        cell = book[mark.sheet][mark.cell]
        cell.fill = PatternFill("solid", fgColor=mark.fill.lstrip("#"))
        cell.comment = Comment(mark.note, "kehoach", width=420, height=160)
    write_report_sheet(book, marks)
    book.calculation.fullCalcOnLoad = True  # openpyxl keeps formulas but not their results
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / path.name
    tmp = target.with_name(f".{target.name}.tmp")
    book.save(tmp)
    tmp.replace(target)
    return target


def write_report_sheet(book: openpyxl.Workbook, marks: Marks) -> Worksheet:
    if L.REPORT in book.sheetnames:
        book.remove(book[L.REPORT])
    sheet = book.create_sheet(L.REPORT)
    bold = Font(name=FONT, bold=True)
    title = sheet.cell(row=L.REPORT_TITLE_ROW + 1, column=1, value=REPORT_TITLE)
    title.font = Font(name=FONT, bold=True, size=14)
    for offset, (label, value) in enumerate(marks.summary, start=L.REPORT_SUMMARY_ROW + 1):
        sheet.cell(row=offset, column=1, value=label).font = bold
        sheet.cell(row=offset, column=L.REPORT_SUMMARY_VALUE_COL + 1, value=value)
    header_row = L.REPORT_HEADER_ROW + 1
    for col, title_text in enumerate(REPORT_HEADER, start=1):
        sheet.cell(row=header_row, column=col, value=title_text).font = bold
        sheet.column_dimensions[get_column_letter(col)].width = L.REPORT_WIDTHS[col - 1]
    for offset, values in enumerate(marks.rows, start=header_row + 1):
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=offset, column=col, value=value)
            cell.font = Font(name=FONT)
        sheet_name, address = values[SHEET_COL], values[CELL_COL]
        if address and sheet_name in book.sheetnames:
            link = sheet.cell(row=offset, column=CELL_COL + 1)
            link.hyperlink = link_target(sheet_name, address)
            link.font = Font(name=FONT, color=LINK_COLOUR.lstrip("#"), underline="single")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    last = header_row + max(len(marks.rows), 1)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(REPORT_HEADER))}{last}"
    return sheet
