"""What every sheet of the master shares: the workbook, its styles, the consolidation, the province's plan, and
the page set-up and cell writing every sheet uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import xlsxwriter
from kehoach.master.consolidate import Consolidation
from kehoach.master.extract import FileResult
from kehoach.master.plan import ProvincePlan
from kehoach.workbook_templates.catalog import Catalog, Indicator
from kehoach.workbook_templates.formulas import indicator_formula
from kehoach.workbook_templates.styles import Styles
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

FIRST_ROW = 3  # detail sheets: header on row 3 (0-based 2), data below
FOOTER = "&L&8Sở Kế hoạch và Đầu tư tỉnh Trà Vinh&R&8Trang &P/&N"
A4, A3 = 9, 8  # XlsxWriter paper sizes
ROW_MARK = "\x01"  # stands for the row number in a cached formula


@dataclass
class Writer:
    book: xlsxwriter.Workbook
    catalog: Catalog
    result: Consolidation
    deadline: dt.date
    files: list[FileResult]
    generated_at: dt.datetime
    plan: ProvincePlan
    st: Styles = field(init=False)
    province_rows: dict[str, int] = field(default_factory=dict)  # indicator -> row of «Chỉ tiêu toàn tỉnh»
    detail_rows: dict[tuple[str, str], int] = field(default_factory=dict)  # (indicator, unit) -> row of «Tổng hợp»
    _formulas: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.st = Styles(self.book)

    def sheet(self, name: str, title: str, headers: list[tuple[str, float]], paper: int = A4) -> Worksheet:
        """A detail sheet: title, subtitle with the merge time, one header row, frozen and repeated."""
        ws = self.book.add_worksheet(name)
        page(ws, paper)
        ws.write_string(0, 0, title, self.st.title)
        ws.write_string(
            1, 0, f"Tổng hợp lúc {self.generated_at:%d/%m/%Y %H:%M}; hạn nộp {self.deadline:%d/%m/%Y}", self.st.subtitle
        )
        for col, (header, width) in enumerate(headers):
            ws.set_column(col, col, width)
            ws.write_string(FIRST_ROW - 1, col, header, self.st.header)
        ws.set_row(FIRST_ROW - 1, 48)
        ws.freeze_panes(FIRST_ROW, 0)
        ws.repeat_rows(FIRST_ROW - 1)
        ws.fit_to_pages(1, 0)
        return ws

    def formula(self, sheet: str, columns: Mapping[str, int], indicator: Indicator, key: str, row: int) -> str:
        """The template's formula of computed column ``key`` on ``row`` of ``sheet`` (``columns``: key -> column),
        rendered once per sheet, indicator and column and then only given its row number."""
        cached = self._formulas.get((sheet, indicator.code, key))
        if cached is None:
            cached = "=" + indicator_formula(key, indicator, lambda k: xl_col_to_name(columns[k]) + ROW_MARK)
            self._formulas[(sheet, indicator.code, key)] = cached
        return cached.replace(ROW_MARK, str(row + 1))

    def text(self, ws: Worksheet, row: int, col: int, value: object, fmt: object = None) -> None:
        """Submitters' text as text, never a formula; numbers as numbers; dates as dates."""
        write(ws, row, col, value, fmt or self.st.label)


def page(ws: Worksheet, paper: int = A4) -> None:
    ws.set_paper(paper)
    ws.set_landscape()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer(FOOTER)


def write(ws: Worksheet, row: int, col: int, value: object, fmt: object) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, value, fmt)
    elif isinstance(value, bool) or not isinstance(value, int | float):
        ws.write_string(row, col, str(value), fmt)
    else:
        ws.write_number(row, col, value, fmt)
