"""Write the provincial master workbook (XlsxWriter) and the long-format CSV beside it.

Sheets, in order: Chỉ tiêu toàn tỉnh (the province's plan, one row per indicator: master.sheets.province),
Chênh lệch (units that disagree), Dự án đầu tư công, Đánh giá và nhiệm vụ, Tổng hợp (every indicator by
reporting unit), Huyện, Tình trạng nộp, Lỗi, Nguồn, Thay đổi, Biểu đồ, then the sheets the caller hands in
(``extra_sheets``: the growth scenarios, from kehoach.scenarios, which the master does not import). One module
per sheet in master.sheets, over the shared writer in master.sheets.base. Text that came from a submitter is
always written as text: nothing a unit typed becomes a formula here.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import xlsxwriter
from kehoach.master.consolidate import Consolidation
from kehoach.master.extract import FileResult
from kehoach.master.plan import ProvincePlan
from kehoach.master.precedence import build_plan
from kehoach.master.sheets import charts, conflicts, detail, districts, projects, province, status, texts
from kehoach.master.sheets.base import Writer
from kehoach.validators.winfiles import long_path
from kehoach.workbook_templates.catalog import Catalog
from kehoach.workbook_templates.styles import Styles

PROJECTS = projects.SHEET
SUMMARY = detail.SHEET
DISTRICTS = districts.SHEET
STATUS = status.STATUS
TOTAL_LABEL = detail.TOTAL_LABEL

# A sheet the caller adds: (workbook, its styles, catalog, merged results by unit).
ExtraSheet = Callable[[xlsxwriter.Workbook, Styles, Catalog, Mapping[str, FileResult]], None]


def write_master(
    path: Path,
    catalog: Catalog,
    result: Consolidation,
    deadline: dt.date,
    files: list[FileResult],
    generated_at: dt.datetime,
    extra_sheets: Sequence[ExtraSheet] = (),
) -> ProvincePlan:
    """Write the master to ``path`` (the caller makes it atomic); return the province's plan it holds."""
    plan = build_plan(catalog, result, generated_at)
    book = xlsxwriter.Workbook(
        str(long_path(path)), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    )
    try:
        book.set_properties(
            {
                "title": "Tổng hợp kế hoạch phát triển KT-XH 5 năm 2021-2025 tỉnh Trà Vinh",
                "author": "Sở Kế hoạch và Đầu tư tỉnh Trà Vinh",
                "created": generated_at,
            }
        )
        w = Writer(book, catalog, result, deadline, files, generated_at, plan)
        province.write_sheet(w)
        conflicts.write_sheet(w)
        projects.write_sheet(w)
        texts.write_sheet(w)
        detail.write_sheet(w)
        districts.write_sheet(w)
        status.write_status(w)
        status.write_findings(w)
        status.write_sources(w)
        if result.changes:
            status.write_changes(w)
        charts.write_sheet(w)
        for extra in extra_sheets:
            extra(book, w.st, catalog, result.merged)
    finally:
        book.close()
    return plan


def write_long_csv(path: Path, catalog: Catalog, result: Consolidation) -> Path:
    """One row per unit, indicator and period, for statisticians (UTF-8 with BOM so that Excel reads it)."""
    with long_path(path).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["unit", "unit_name", "indicator", "indicator_name", "period", "value", "file", "sheet", "cell"]
        )
        for unit, merged in sorted(result.merged.items()):
            for code, key, value, sheet, cell in merged.values:
                if isinstance(value, float):
                    writer.writerow(
                        [
                            unit,
                            catalog.unit(unit).name_vi,
                            code,
                            catalog.indicator(code).name_vi,
                            key,
                            repr(value),
                            Path(merged.path).name,
                            sheet,
                            cell,
                        ]
                    )
    return path
