"""«Tình trạng nộp», «Lỗi», «Nguồn» and «Thay đổi»: who sent what, what was found, where every number came
from, and what changed since the previous merge."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kehoach.master.consolidate import received_at
from kehoach.master.extract import FileResult
from kehoach.master.sheets import detail
from kehoach.master.sheets.base import FIRST_ROW, Writer
from kehoach.workbook_templates import layout as L
from xlsxwriter.utility import xl_col_to_name

STATUS = "Tình trạng nộp"
FINDINGS = "Lỗi"
SOURCES = "Nguồn"
CHANGES = "Thay đổi"
KINDS = {"department": "Sở, ban ngành", "agency": "Ngành dọc", "district": "Huyện, thị xã, TP"}


def write_status(w: Writer) -> None:
    headers = [
        ("Mã", 8),
        ("Đơn vị", 34),
        ("Loại đơn vị", 12),
        ("Đã nộp / chưa nộp", 12),
        ("Đúng hạn / trễ hạn", 11),
        ("Kết quả kiểm tra", 24),
        ("Số lỗi", 7),
        ("Số cảnh báo", 8),
        ("Lần gửi (đơn vị ghi)", 8),
        ("Ngày gửi (đơn vị ghi)", 11),
        ("Thời điểm nhận tệp", 16),
        ("Tệp", 36),
        ("Dấu vân tay (SHA-256)", 70),
        ("Ghi chú", 40),
    ]
    ws = w.sheet(STATUS, "TÌNH TRẠNG NỘP BÁO CÁO CỦA CÁC ĐƠN VỊ", headers)
    date = w.book.add_format({**w.st.base, "border": 1, "num_format": "dd/mm/yyyy"})
    moment = w.book.add_format({**w.st.base, "border": 1, "num_format": "dd/mm/yyyy hh:mm"})
    digest = w.book.add_format({**w.st.base, "border": 1, "font_size": 8, "num_format": "@"})
    formats = {9: date, 10: moment, 12: digest}
    late = {f.unit for f in w.result.late}
    rejected_by_unit: dict[str, list[FileResult]] = {}
    for r in w.result.rejected:
        rejected_by_unit.setdefault(r.unit, []).append(r)
    superseded: dict[str, list[FileResult]] = {}
    for old, chosen in w.result.superseded:
        superseded.setdefault(chosen.unit, []).append(old)
    row = FIRST_ROW

    def when(result: FileResult) -> dt.datetime:
        return received_at(result).replace(microsecond=0)

    def day(text: str | None) -> dt.date | str | None:
        try:
            return dt.date.fromisoformat(text) if text else None
        except ValueError:
            return text

    for unit in w.catalog.units:
        merged = w.result.merged.get(unit.code)
        rejected = sorted(rejected_by_unit.get(unit.code, []), key=lambda r: r.mtime)
        shown = merged or (rejected[-1] if rejected else None)
        if merged and rejected:
            check = "Bản mới nhất có lỗi; dùng bản trước"
        elif merged:
            check = "Hợp lệ" + (" (có cảnh báo)" if merged.warnings else "")
        elif rejected:
            check = "Có lỗi, chưa tổng hợp"
        else:
            check = ""
        notes = [f"Bản cũ hơn: {Path(f.path).name}" for f in superseded.get(unit.code, [])]
        notes += [f"Bản có lỗi: {Path(f.path).name} ({f.errors} lỗi)" for f in rejected]
        cells = [
            unit.code,
            unit.name_vi,
            KINDS[unit.kind],
            "Đã nộp" if shown else "Chưa nộp",
            ("Trễ hạn" if unit.code in late else "Đúng hạn") if merged else "",
            check,
            shown.errors if shown else None,
            shown.warnings if shown else None,
            shown.revision if shown else None,
            day(shown.submitted_on) if shown else None,
            when(shown) if shown else None,
            Path(shown.path).name if shown else None,
            shown.fingerprint if shown else None,
            "; ".join(notes) or None,
        ]
        for col, value in enumerate(cells):
            w.text(ws, row, col, value, formats.get(col))
        row += 1
    for r in (r for r in w.result.rejected if not r.unit):
        reason = r.findings[0]["message"] if r.findings else ""
        cells = [
            "?",
            "Không xác định được đơn vị",
            "",
            "",
            "",
            "Không đọc được" if not r.readable else "Có lỗi",
            r.errors,
            r.warnings,
            None,
            None,
            when(r),
            Path(r.path).name,
            r.fingerprint,
            reason,
        ]
        for col, value in enumerate(cells):
            w.text(ws, row, col, value, formats.get(col))
        row += 1
    ws.autofilter(FIRST_ROW - 1, 0, row - 1, len(headers) - 1)
    red = w.book.add_format({"font_color": "#9C0006", "bold": True})
    ws.conditional_format(
        FIRST_ROW, 3, row - 1, 4, {"type": "text", "criteria": "containing", "value": "Chưa", "format": red}
    )
    ws.conditional_format(
        FIRST_ROW, 4, row - 1, 4, {"type": "text", "criteria": "containing", "value": "Trễ", "format": red}
    )


def _state(w: Writer, result: FileResult) -> str:
    merged = w.result.merged.get(result.unit)
    if merged is not None and merged.path == result.path:
        return "Đã tổng hợp"
    if any(old.path == result.path for old, _ in w.result.superseded):
        return "Bản cũ (không dùng)"
    return "Bị loại"


def write_findings(w: Writer) -> None:
    headers = [
        ("Tệp", 30),
        ("Đơn vị", 8),
        ("Trạng thái tệp", 14),
        ("Mã quy tắc", 6),
        ("Mức độ", 9),
        ("Trang", 18),
        ("Ô", 7),
        ("Chỉ tiêu", 8),
        ("Nội dung", 90),
    ]
    ws = w.sheet(FINDINGS, "DANH SÁCH LỖI VÀ CẢNH BÁO CỦA CÁC TỆP", headers)
    row = FIRST_ROW
    for result in sorted(w.files, key=lambda r: (r.unit, r.path)):
        for f in result.findings:
            severity = "Lỗi" if f["severity"] == "error" else "Cảnh báo"
            cells = [
                Path(result.path).name,
                result.unit,
                _state(w, result),
                f["rule"],
                severity,
                f["sheet"],
                f["cell"],
                f["indicator"],
                f["message"],
            ]
            for col, value in enumerate(cells):
                w.text(ws, row, col, value)
            row += 1
    ws.autofilter(FIRST_ROW - 1, 0, max(row - 1, FIRST_ROW), len(headers) - 1)


def write_sources(w: Writer) -> None:
    """Not for printing (thousands of rows): its print area is its title and header only."""
    headers = [
        ("Ô tổng hợp", 10),
        ("Chỉ tiêu", 8),
        ("Đơn vị", 8),
        ("Cột", 18),
        ("Giá trị", 14),
        ("Ô nguồn (tệp của đơn vị: xem Tình trạng nộp)", 22),
    ]
    ws = w.sheet(SOURCES, "NGUỒN CỦA TỪNG SỐ LIỆU ĐÃ TỔNG HỢP (trang tra cứu, không in)", headers)
    labels = {c.key: c.header_vi for c in L.indicator_columns()}
    letters = {k: xl_col_to_name(c) for k, c in detail.columns_by_key().items()}
    fmt = w.st.label
    write_string, write_number = ws.write_string, ws.write_number
    row = FIRST_ROW
    for unit, merged in sorted(w.result.merged.items()):
        for code, key, value, sheet, cell in merged.values:
            target = w.detail_rows.get((code, unit))
            if target is not None:
                write_string(row, 0, f"'{detail.SHEET}'!{letters[key]}{target + 1}", fmt)
            write_string(row, 1, code, fmt)
            write_string(row, 2, unit, fmt)
            write_string(row, 3, labels[key], fmt)
            if isinstance(value, float):
                write_number(row, 4, value, fmt)
            else:
                write_string(row, 4, str(value), fmt)
            write_string(row, 5, f"'{sheet}'!{cell}", fmt)
            row += 1
    ws.autofilter(FIRST_ROW - 1, 0, max(row - 1, FIRST_ROW), len(headers) - 1)
    ws.print_area(0, 0, FIRST_ROW - 1, len(headers) - 1)


def write_changes(w: Writer) -> None:
    headers = [("Đơn vị", 8), ("Chỉ tiêu", 8), ("Cột", 18), ("Trang", 14), ("Ô", 7), ("Số cũ", 14), ("Số mới", 14)]
    ws = w.sheet(CHANGES, "THAY ĐỔI SO VỚI LẦN TỔNG HỢP TRƯỚC (ĐƠN VỊ GỬI LẠI)", headers)
    labels = {c.key: c.header_vi for c in L.indicator_columns()}
    for row, change in enumerate(w.result.changes, start=FIRST_ROW):
        cells = [change.unit, change.indicator, labels[change.key], change.sheet, change.cell, change.old, change.new]
        for col, value in enumerate(cells):
            w.text(ws, row, col, value)
