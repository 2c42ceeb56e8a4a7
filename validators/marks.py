"""What a check leaves on a workbook, independent of how it is written: a fill and a note on each cell with
a finding, and the rows of the report sheet. The add-in writes it through xlwings, `kehoach validate
--annotate` through openpyxl."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from validators.engine import Report
from validators.findings import ERROR, WARNING
from workbook_templates.styles import ERROR_FILL, WARNING_FILL

SEVERITY_VI = {ERROR: "Lỗi", WARNING: "Cảnh báo"}
FILLS = {ERROR: ERROR_FILL, WARNING: WARNING_FILL}
REPORT_HEADER = ("STT", "Mức độ", "Mã", "Trang", "Ô", "Chỉ tiêu", "Nội dung")


@dataclass(frozen=True)
class CellMark:
    sheet: str
    cell: str
    severity: str  # the worst finding on the cell
    note: str  # every finding's message, one per line

    @property
    def fill(self) -> str:
        return FILLS[self.severity]


@dataclass(frozen=True)
class Marks:
    cells: list[CellMark]
    rows: list[tuple[object, ...]]  # report rows, as REPORT_HEADER
    summary: list[tuple[str, object]]  # label, value lines above the table
    result: str  # short result for the stamp on the unit-information sheet


def marks_for(report: Report, checked_at: dt.datetime, lang: str = "vi") -> Marks:
    by_cell: dict[tuple[str, str], list] = {}
    for finding in report.findings:
        if finding.cell:
            by_cell.setdefault((finding.sheet, finding.cell), []).append(finding)
    cells = [
        CellMark(
            sheet,
            cell,
            ERROR if any(f.severity == ERROR for f in found) else WARNING,
            "\n".join(f"[{f.rule}] {f.message(lang)}" for f in found),
        )
        for (sheet, cell), found in by_cell.items()
    ]
    rows = [
        (n, SEVERITY_VI[f.severity], f.rule, f.sheet, f.cell, f.indicator, f.message(lang))
        for n, f in enumerate(report.findings, start=1)
    ]
    result = f"Có {report.errors} lỗi, {report.warnings} cảnh báo" if report.findings else "Không phát hiện lỗi"
    summary = [
        ("Thời điểm kiểm tra", checked_at.strftime("%d/%m/%Y %H:%M:%S")),
        ("Số lỗi (phải sửa trước khi gửi)", report.errors),
        ("Số cảnh báo (cần xem lại)", report.warnings),
        ("Kết quả", result),
    ]
    return Marks(cells, rows, summary, result)


def fingerprint(values: object) -> str:
    """A short, stable digest of the values that were checked (not of the file, which marks change)."""
    text = json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
