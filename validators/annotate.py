"""`kehoach validate --annotate`: a marked copy of a checked workbook (openpyxl). The input is never
modified; the copy is written to a temporary file and renamed into place."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from kehoach.validators.engine import Report
from kehoach.validators.marks import CELL_COL, REPORT_HEADER, REPORT_TITLE, SHEET_COL, Marks, link_target, marks_for
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.styles import FONT, LINE_HEIGHT, LINK_COLOUR, text_lines
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

MESSAGE_COL = len(REPORT_HEADER) - 1  # the last column, "Nội dung": wrapped


def annotate(path: Path, report: Report, out_dir: Path, lang: str = "vi") -> Path:
    book = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
    marks = marks_for(report, dt.datetime.now(), lang)
    for mark in marks.cells:
        if mark.sheet not in book.sheetnames:
            continue
        cell = book[mark.sheet][mark.cell]
        cell.fill = PatternFill("solid", fgColor=mark.fill.lstrip("#"))
        cell.comment = Comment(mark.note, "kehoach", width=420, height=160)
    report = write_report_sheet(book, marks)
    _open_on(book, report)
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
    top = Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)
    for offset, values in enumerate(marks.rows, start=header_row + 1):
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=offset, column=col, value=value)
            cell.font = Font(name=FONT)
            cell.alignment = wrapped if col == MESSAGE_COL + 1 else top
        # Excel does not grow a row to fit text a program wrote: size it from the message's length.
        lines = text_lines(values[MESSAGE_COL] or "", L.REPORT_WIDTHS[MESSAGE_COL])
        sheet.row_dimensions[offset].height = min(409, LINE_HEIGHT * lines)
        sheet_name, address = values[SHEET_COL], values[CELL_COL]
        if address and sheet_name in book.sheetnames:
            link = sheet.cell(row=offset, column=CELL_COL + 1)
            link.hyperlink = link_target(sheet_name, address)
            link.font = Font(name=FONT, color=LINK_COLOUR.lstrip("#"), underline="single")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    last = header_row + max(len(marks.rows), 1)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(REPORT_HEADER))}{last}"
    _page_setup(sheet, header_row)
    return sheet


def _page_setup(sheet: Worksheet, header_row: int) -> None:
    """A4 landscape, as wide as the page, the table's header on every page (as the template's sheets)."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = L.MARGIN_SIDE
    sheet.page_margins.top = L.MARGIN_TOP
    sheet.page_margins.bottom = L.MARGIN_BOTTOM
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.oddFooter.left.text = "&A"
    sheet.oddFooter.left.size = 8
    sheet.oddFooter.right.text = "Trang &P/&N"
    sheet.oddFooter.right.size = 8


def _open_on(book: openpyxl.Workbook, sheet: Worksheet) -> None:
    """Open the copy on its report: the active sheet and the only selected tab (a workbook with several
    selected tabs opens grouped, and what is typed then goes into all of them)."""
    for other in book.worksheets:
        other.sheet_view.tabSelected = False
    book.active = book.worksheets.index(sheet)
    sheet.sheet_view.tabSelected = True
