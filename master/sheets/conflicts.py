"""«Chênh lệch»: every indicator and column that several provincial units reported with values that differ
beyond the indicator's precision (its decimals): each unit's value and cell, the gap relative to the figure the
province took (Chỉ tiêu toàn tỉnh), and which was taken; the largest gaps first. Districts are not compared
here: their sum against the province's figure is «Huyện»."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from kehoach.master.sheets.base import FIRST_ROW, Writer
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import Indicator
from kehoach.workbook_templates.styles import LINE_HEIGHT, text_lines

SHEET = "Chênh lệch"
TAKEN = "Được lấy"


@dataclass(frozen=True)
class Conflict:
    indicator: Indicator
    key: str
    taken: str | None  # the unit whose value the province table has
    values: tuple[tuple[str, float, str, str, str], ...]  # (unit, value, file, sheet, cell)
    gap: float  # largest relative gap to the taken value (or between the values, if none was taken)

    def gap_of(self, value: float) -> float:
        base = next((v for u, v, *_ in self.values if u == self.taken), None)
        if base is None:
            return self.gap
        return abs(value - base) / abs(base) if base else (0.0 if value == base else float("inf"))


def conflicts(w: Writer) -> list[Conflict]:
    found = []
    units = [u.code for u in w.catalog.units if not u.is_district and u.code in w.result.merged]
    cells: dict[tuple[str, str], list[tuple[str, float, str, str, str]]] = {}
    for unit in units:
        merged = w.result.merged[unit]
        for code, key, value, sheet, cell in merged.values:
            if isinstance(value, float):
                cells.setdefault((code, key), []).append((unit, value, Path(merged.path).name, sheet, cell))
    for indicator in w.catalog.indicators:
        province = w.plan.row(indicator.code)
        for column in L.indicator_columns():
            reported = cells.get((indicator.code, column.key), [])
            if len({round(v, indicator.decimals) for _u, v, *_ in reported}) < 2:
                continue
            taken = province.source_unit if any(u == province.source_unit for u, *_ in reported) else None
            numbers = [v for _u, v, *_ in reported]
            spread = max(numbers) - min(numbers)
            scale = max(abs(n) for n in numbers)
            conflict = Conflict(indicator, column.key, taken, tuple(reported), spread / scale if scale else 0.0)
            if taken is not None:  # the gap to the figure taken, not between the extremes
                conflict = dataclasses.replace(conflict, gap=max(conflict.gap_of(v) for v in numbers))
            found.append(conflict)
    found.sort(key=lambda c: (-c.gap, c.indicator.code, c.key))
    return found


def write_sheet(w: Writer) -> list[Conflict]:
    headers = [
        ("STT", 5),
        ("Mã chỉ tiêu", 8),
        ("Chỉ tiêu", 34),
        ("Đơn vị tính", 10),
        ("Cột", 18),
        ("Đơn vị báo cáo", 10),
        ("Giá trị", 14),
        ("Chênh lệch so với số được lấy (%)", 14),
        ("Số của tỉnh", 10),
        ("Tệp", 28),
        ("Ô nguồn", 20),
    ]
    ws = w.sheet(SHEET, "CHỈ TIÊU CÓ SỐ LIỆU KHÁC NHAU GIỮA CÁC ĐƠN VỊ BÁO CÁO", headers)
    labels = {c.key: c.header_vi for c in L.indicator_columns()}
    percent = w.book.add_format({**w.st.base, "border": 1, "num_format": "#,##0.0"})
    row = FIRST_ROW
    found = conflicts(w)
    for number, conflict in enumerate(found, start=1):
        indicator = conflict.indicator
        for unit, value, file, sheet, cell in conflict.values:
            gap = conflict.gap_of(value) * 100
            bold = unit == conflict.taken
            cells = [
                number,
                indicator.code,
                indicator.name_vi,
                indicator.unit,
                labels[conflict.key],
                unit,
                value,
                gap if gap != float("inf") else None,
                TAKEN if bold else "",
                file,
                f"'{sheet}'!{cell}",
            ]
            for col, item in enumerate(cells):
                fmt = w.st.fixed_number(indicator.decimals, bold) if col == 6 else percent if col == 7 else None
                w.text(ws, row, col, item, fmt)
            # wrapped names, columns and file names: the row as tall as its longest (Excel does not grow it)
            texts = [(item, width) for item, (_, width) in zip(cells, headers, strict=True) if isinstance(item, str)]
            ws.set_row(row, LINE_HEIGHT * max(text_lines(item, width) for item, width in texts))
            row += 1
    if found:
        ws.autofilter(FIRST_ROW - 1, 0, row - 1, len(headers) - 1)
    else:
        ws.write_string(FIRST_ROW, 2, "Không có chỉ tiêu nào có số liệu khác nhau giữa các đơn vị.", w.st.text)
    return found
