"""Write the provincial master workbook (XlsxWriter) and the long-format CSV beside it.

Sheets: Tổng hợp (every indicator by reporting unit, provincial totals of additive indicators, computed
columns as formulas like the templates), Huyện (districts side by side against the owner's figure),
Dự án (every unit's proposed public investment projects), Tình trạng nộp, Lỗi, Nguồn, Thay đổi, Biểu đồ,
and Phương án tăng trưởng when the Statistics Office's submission was merged (scenarios.sheet). Text that
came from a submitter is always written as text: nothing a unit typed becomes a formula here.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from kehoach.master.consolidate import Consolidation, received_at
from kehoach.master.extract import FileResult
from kehoach.scenarios.sheet import add_to_master
from kehoach.validators.winfiles import long_path
from kehoach.workbook_templates import derived
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import KIND_LABELS
from kehoach.workbook_templates.catalog import Catalog, Indicator
from kehoach.workbook_templates.formulas import indicator_formula
from kehoach.workbook_templates.styles import Styles
from xlsxwriter.worksheet import Worksheet

SUMMARY = "Tổng hợp"
DISTRICTS = "Huyện"
PROJECTS = "Dự án"
STATUS = "Tình trạng nộp"
FINDINGS = "Lỗi"
SOURCES = "Nguồn"
CHANGES = "Thay đổi"
CHARTS = "Biểu đồ"
TOTAL_LABEL = "TỔNG CÁC HUYỆN"
IDENTITY = (
    ("code", "Mã chỉ tiêu", 8),
    ("name", "Chỉ tiêu", 36),
    ("unit", "Đơn vị tính", 11),
    ("kind", "Loại", 9),
    ("reporter", "Đơn vị báo cáo", 10),
    ("reporter_name", "Tên đơn vị báo cáo", 26),
)
DISTRICT_KEYS = ("estimate_2020", "plan_2025")
FIRST_ROW = 3  # header on row 3 (0-based 2), data below


@dataclass(frozen=True)
class SummaryRow:
    row: int
    indicator: Indicator
    unit: str  # reporting unit code, or "" for the district total
    values: dict[str, object]


def write_master(
    path: Path,
    catalog: Catalog,
    result: Consolidation,
    deadline: dt.date,
    files: list[FileResult],
    generated_at: dt.datetime,
) -> Path:
    """Write the master to ``path`` (the caller makes it atomic)."""
    book = xlsxwriter.Workbook(
        str(long_path(path)), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    )
    try:
        _Master(book, catalog, result, deadline, files, generated_at).write()
    finally:
        book.close()
    return path


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


class _Master:
    def __init__(
        self,
        book: xlsxwriter.Workbook,
        catalog: Catalog,
        result: Consolidation,
        deadline: dt.date,
        files: list[FileResult],
        generated_at: dt.datetime,
    ):
        self.book, self.catalog, self.result = book, catalog, result
        self.deadline, self.files, self.generated_at = deadline, files, generated_at
        self.st = Styles(book)
        self.columns = L.indicator_columns()[4:]  # the value columns of the template, after its four labels
        self.rows: list[SummaryRow] = []
        book.set_properties(
            {
                "title": "Tổng hợp kế hoạch phát triển KT-XH 5 năm 2021-2025 tỉnh Trà Vinh",
                "author": "Sở Kế hoạch và Đầu tư tỉnh Trà Vinh",
                "created": generated_at,
            }
        )

    def write(self) -> None:
        self._summary()
        self._districts()
        self._projects()
        self._status()
        self._findings()
        self._sources()
        if self.result.changes:
            self._changes()
        self._charts()
        self._scenarios()

    # --- shared ---------------------------------------------------------------------------------------

    def _sheet(self, name: str, title: str, headers: list[tuple[str, float]]) -> Worksheet:
        ws = self.book.add_worksheet(name)
        ws.set_paper(9)
        ws.set_landscape()
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&L&8Sở Kế hoạch và Đầu tư tỉnh Trà Vinh&R&8Trang &P/&N")
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

    def _text(self, ws: Worksheet, row: int, col: int, value: object, fmt: object = None) -> None:
        """Submitters' text as text, never a formula; numbers as numbers."""
        if value is None:
            ws.write_blank(row, col, None, fmt or self.st.label)
        elif isinstance(value, bool) or not isinstance(value, int | float):
            ws.write_string(row, col, str(value), fmt or self.st.label)
        else:
            ws.write_number(row, col, value, fmt or self.st.label)

    # --- Tổng hợp -------------------------------------------------------------------------------------

    def _reporters(self, indicator: Indicator) -> list[str]:
        """Units whose merged file carries the indicator: owners first, then other departments, districts."""
        having = [u for u, f in self.result.merged.items() if any(v[0] == indicator.code for v in f.values)]
        order = {code: i for i, code in enumerate(indicator.owners)}
        units = {u.code: i for i, u in enumerate(self.catalog.units)}
        return sorted(having, key=lambda u: (order.get(u, len(order)), self.catalog.unit(u).is_district, units[u]))

    def _summary(self) -> None:
        headers = [(h, w) for _, h, w in IDENTITY] + [(c.header_vi, c.width) for c in self.columns]
        ws = self._sheet(SUMMARY, "TỔNG HỢP CHỈ TIÊU KẾ HOẠCH PHÁT TRIỂN KINH TẾ - XÃ HỘI 5 NĂM 2021-2025", headers)
        values_by_unit = {u: {(c, k): v for c, k, v, _s, _cell in f.values} for u, f in self.result.merged.items()}
        row = FIRST_ROW
        for area in self.catalog.areas:
            indicators = [i for i in self.catalog.indicators if i.area == area.code]
            ws.merge_range(row, 0, row, len(headers) - 1, area.name_vi, self.st.area)
            row += 1
            for indicator in indicators:
                reporters = self._reporters(indicator)
                district_rows = []
                for unit in reporters:
                    values = {k: values_by_unit[unit].get((indicator.code, k)) for k in self._value_keys()}
                    self._summary_row(ws, SummaryRow(row, indicator, unit, values))
                    if self.catalog.unit(unit).is_district:
                        district_rows.append(row)
                    row += 1
                if indicator.additive and district_rows:
                    self._total_row(ws, row, indicator, district_rows, values_by_unit)
                    row += 1
        ws.autofilter(FIRST_ROW - 1, 0, row - 1, len(headers) - 1)
        # As the templates: too wide for one A4 page, printed in three parts with code and name repeated.
        ws.fit_to_pages(0, 0)
        ws.set_print_scale(L.INDICATOR_PRINT_SCALE - 8)
        ws.repeat_columns(0, 1)
        ws.set_v_pagebreaks([len(IDENTITY) + [c.key for c in self.columns].index(k) for k in L.INDICATOR_PAGE_BREAKS])

    def _value_keys(self) -> list[str]:
        return [c.key for c in self.columns if c.role == "input"]

    def _cell(self, row: int, key: str) -> str:
        return L.a1(row, len(IDENTITY) + [c.key for c in self.columns].index(key))

    def _identity(self, ws: Worksheet, row: int, indicator: Indicator, unit: str, name: str, bold: bool) -> None:
        fmt = self.st.fixed if bold else self.st.label
        for col, text in enumerate(
            (indicator.code, indicator.name_vi, indicator.unit, KIND_LABELS[indicator.kind], unit, name)
        ):
            ws.write_string(row, col, text, fmt)

    def _summary_row(self, ws: Worksheet, entry: SummaryRow) -> None:
        indicator, row = entry.indicator, entry.row
        primary = entry.unit == indicator.owners[0]
        self._identity(ws, row, indicator, entry.unit, self.catalog.unit(entry.unit).name_vi, primary)
        self.rows.append(entry)
        self._values(ws, row, indicator, entry.values, primary)

    def _values(
        self,
        ws: Worksheet,
        row: int,
        indicator: Indicator,
        values: dict[str, object],
        bold: bool,
        formulas: dict[str, str] | None = None,
    ) -> None:
        results = derived.indicator_values(indicator, values)
        for offset, column in enumerate(self.columns):
            col = len(IDENTITY) + offset
            if column.role == "formula":
                formula = indicator_formula(column.key, indicator, lambda k, r=row: self._cell(r, k))
                result = results[column.key]
                fmt = self.st.computed_text if column.type == "text" else self.st.computed_number(2, bold)
                ws.write_formula(row, col, "=" + formula, fmt, "" if result is None else result)
            elif formulas and column.key in formulas:
                value = values.get(column.key)
                ws.write_formula(
                    row,
                    col,
                    formulas[column.key],
                    self.st.computed_number(indicator.decimals, bold),
                    "" if value is None else value,
                )
            elif column.type in ("number", "integer"):
                self._text(ws, row, col, values.get(column.key), self.st.fixed_number(indicator.decimals, bold))
            else:
                self._text(ws, row, col, values.get(column.key), self.st.label)

    def _total_row(
        self, ws: Worksheet, row: int, indicator: Indicator, district_rows: list[int], values_by_unit: dict[str, dict]
    ) -> None:
        self._identity(ws, row, indicator, "", TOTAL_LABEL, True)
        districts = [u.code for u in self.catalog.districts if u.code in values_by_unit]
        sums, formulas = {}, {}
        for key in self._value_keys():
            column = next(c for c in self.columns if c.key == key)
            if column.type != "number" or key.endswith("_max") or key == "growth_2011_2015":
                continue
            parts = [values_by_unit[d].get((indicator.code, key)) for d in districts]
            numbers = [p for p in parts if isinstance(p, float)]
            sums[key] = sum(numbers) if numbers else None
            cells = ",".join(self._cell(r, key) for r in district_rows)
            formulas[key] = f'=IF(COUNT({cells})=0,"",SUM({cells}))'
        self._values(ws, row, indicator, sums, True, formulas)

    # --- Huyện ----------------------------------------------------------------------------------------

    def _districts(self) -> None:
        districts = list(self.catalog.districts)
        headers = [("Mã chỉ tiêu", 8), ("Chỉ tiêu", 34), ("Đơn vị tính", 10), ("Kỳ", 9)]
        headers += [(d.name_vi, 11) for d in districts]
        headers += [("Tổng các huyện", 12), ("Số của đơn vị chủ trì", 12), ("Chênh lệch", 11), ("Truy vết", 60)]
        ws = self._sheet(DISTRICTS, "SỐ LIỆU CÁC HUYỆN, THỊ XÃ, THÀNH PHỐ SO VỚI SỐ CỦA TỈNH", headers)
        labels = {c.key: c.header_vi for c in L.indicator_columns()}
        sources = {u: {(c, k): (v, s, cell) for c, k, v, s, cell in f.values} for u, f in self.result.merged.items()}
        first_district, total_col = 4, 4 + len(districts)
        row = FIRST_ROW
        for key in DISTRICT_KEYS:
            ws.merge_range(row, 0, row, len(headers) - 1, labels[key], self.st.area)
            row += 1
            for indicator in (i for i in self.catalog.indicators if i.district):
                for col, text in enumerate((indicator.code, indicator.name_vi, indicator.unit, labels[key])):
                    ws.write_string(row, col, text, self.st.label)
                numbers = []
                for offset, district in enumerate(districts):
                    source = sources.get(district.code, {}).get((indicator.code, key))
                    value = source[0] if source else None
                    numbers.append(value if isinstance(value, float) else None)
                    self._text(ws, row, first_district + offset, numbers[-1], self.st.fixed_number(indicator.decimals))
                owner = indicator.owners[0]
                owner_source = sources.get(owner, {}).get((indicator.code, key))
                owner_value = owner_source[0] if owner_source and isinstance(owner_source[0], float) else None
                self._text(ws, row, total_col + 1, owner_value, self.st.fixed_number(indicator.decimals))
                if indicator.additive:
                    self._district_total(ws, row, indicator, districts, numbers, owner_value, sources, key)
                row += 1
        ws.set_column(len(headers) - 1, len(headers) - 1, 60, self.st.text)

    def _district_total(
        self,
        ws: Worksheet,
        row: int,
        indicator: Indicator,
        districts: list,
        numbers: list,
        owner_value: float | None,
        sources: dict,
        key: str,
    ) -> None:
        first, total_col = L.a1(row, 4), 4 + len(districts)
        last = L.a1(row, total_col - 1)
        present = [n for n in numbers if n is not None]
        total = sum(present) if present else None
        ws.write_formula(
            row,
            total_col,
            f'=IF(COUNT({first}:{last})=0,"",SUM({first}:{last}))',
            self.st.computed_number(indicator.decimals, True),
            "" if total is None else total,
        )
        total_cell, owner_cell = L.a1(row, total_col), L.a1(row, total_col + 1)
        gap = owner_value - total if owner_value is not None and total is not None else None
        ws.write_formula(
            row,
            total_col + 2,
            f'=IF(AND(ISNUMBER({total_cell}),ISNUMBER({owner_cell})),{owner_cell}-{total_cell},"")',
            self.st.computed_number(indicator.decimals),
            "" if gap is None else gap,
        )
        if gap is None or abs(gap) <= 0.5 * 10 ** (-indicator.decimals):
            return
        missing = [d.name_vi for d, n in zip(districts, numbers, strict=True) if n is None]
        cells = [
            f"{d.code} '{sources[d.code][(indicator.code, key)][1]}'!{sources[d.code][(indicator.code, key)][2]}"
            for d, n in zip(districts, numbers, strict=True)
            if n is not None
        ]
        trace = (
            f"Chênh lệch {gap:,.2f}. "
            + (f"Chưa có số của: {', '.join(missing)}. " if missing else "")
            + "Ô nguồn: "
            + "; ".join(cells)
        )
        ws.write_string(row, total_col + 3, trace, self.st.text)

    # --- Tình trạng nộp, Lỗi, Nguồn, Thay đổi ---------------------------------------------------------------

    # --- Dự án ---------------------------------------------------------------------------------------------

    def _projects(self) -> None:
        """Every merged unit's projects, one row each with the template's columns (computed ones evaluated as
        the template's formulas give them), in the catalog's unit order and then by the unit's priority."""
        columns = L.project_columns()
        headers = [("Mã đơn vị", 8), ("Đơn vị", 26), *((c.header_vi, c.width) for c in columns), ("Tệp", 30)]
        headers.append(("Dòng", 6))
        ws = self._sheet(PROJECTS, "DANH MỤC DỰ ÁN ĐẦU TƯ CÔNG ĐỀ XUẤT GIAI ĐOẠN 2021-2025 CỦA CÁC ĐƠN VỊ", headers)
        units = {u.code: i for i, u in enumerate(self.catalog.units)}
        row = FIRST_ROW
        for unit, merged in sorted(self.result.merged.items(), key=lambda item: units.get(item[0], len(units))):
            name = self.catalog.unit(unit).name_vi if unit in units else unit

            def rank(project: dict[str, object]) -> tuple[float, str]:
                priority = derived.as_number(project.get("priority"))
                return (priority if priority is not None else float("inf"), str(project.get("row", "")))

            for project in sorted(merged.projects, key=rank):
                values = {**project, **derived.project_derived(project)}
                cells: list[tuple[object, object]] = [(unit, None), (name, None)]
                for column in columns:
                    value, number = values.get(column.key), derived.as_number(values.get(column.key))
                    if column.type in ("number", "integer") and number is not None:
                        cells.append((number, self.st.fixed_number(0)))
                    else:
                        cells.append((value, None))
                cells += [(Path(merged.path).name, None), (project.get("row"), None)]
                for col, (value, fmt) in enumerate(cells):
                    self._text(ws, row, col, value, fmt)
                row += 1
        ws.autofilter(FIRST_ROW - 1, 0, max(row - 1, FIRST_ROW), len(headers) - 1)

    def _status(self) -> None:
        headers = [
            ("Mã", 8),
            ("Đơn vị", 34),
            ("Loại", 12),
            ("Tình trạng", 12),
            ("Hạn nộp", 11),
            ("Kiểm tra", 24),
            ("Số lỗi", 7),
            ("Cảnh báo", 8),
            ("Lần gửi", 7),
            ("Ngày gửi (đơn vị ghi)", 11),
            ("Thời điểm nhận tệp", 16),
            ("Tệp", 36),
            ("Dấu vân tay (SHA-256)", 20),
            ("Ghi chú", 40),
        ]
        ws = self._sheet(STATUS, "TÌNH TRẠNG NỘP BÁO CÁO CỦA CÁC ĐƠN VỊ", headers)
        late = {f.unit for f in self.result.late}
        rejected_by_unit: dict[str, list[FileResult]] = {}
        for r in self.result.rejected:
            rejected_by_unit.setdefault(r.unit, []).append(r)
        superseded: dict[str, list[FileResult]] = {}
        for old, chosen in self.result.superseded:
            superseded.setdefault(chosen.unit, []).append(old)
        kinds = {"department": "Sở, ban ngành", "agency": "Ngành dọc", "district": "Huyện, thị xã, TP"}
        row = FIRST_ROW
        for unit in self.catalog.units:
            merged = self.result.merged.get(unit.code)
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
                kinds[unit.kind],
                "Đã nộp" if shown else "Chưa nộp",
                ("Trễ hạn" if unit.code in late else "Đúng hạn") if merged else "",
                check,
                shown.errors if shown else None,
                shown.warnings if shown else None,
                shown.revision if shown else None,
                shown.submitted_on if shown else None,
                received_at(shown).strftime("%d/%m/%Y %H:%M") if shown else None,
                Path(shown.path).name if shown else None,
                shown.fingerprint[:16] if shown else None,
                "; ".join(notes) or None,
            ]
            for col, value in enumerate(cells):
                self._text(ws, row, col, value)
            row += 1
        for r in (r for r in self.result.rejected if not r.unit):
            reason = r.findings[0]["message"] if r.findings else ""
            for col, value in enumerate(
                [
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
                    received_at(r).strftime("%d/%m/%Y %H:%M"),
                    Path(r.path).name,
                    r.fingerprint[:16],
                    reason,
                ]
            ):
                self._text(ws, row, col, value)
            row += 1
        ws.autofilter(FIRST_ROW - 1, 0, row - 1, len(headers) - 1)
        red = self.book.add_format({"font_color": "#9C0006", "bold": True})
        ws.conditional_format(
            FIRST_ROW, 3, row - 1, 4, {"type": "text", "criteria": "containing", "value": "Chưa", "format": red}
        )
        ws.conditional_format(
            FIRST_ROW, 4, row - 1, 4, {"type": "text", "criteria": "containing", "value": "Trễ", "format": red}
        )

    def _state(self, result: FileResult) -> str:
        merged = self.result.merged.get(result.unit)
        if merged is not None and merged.path == result.path:
            return "Đã tổng hợp"
        if any(old.path == result.path for old, _ in self.result.superseded):
            return "Bản cũ (không dùng)"
        return "Bị loại"

    def _findings(self) -> None:
        headers = [
            ("Tệp", 30),
            ("Đơn vị", 8),
            ("Trạng thái tệp", 14),
            ("Mã", 6),
            ("Mức độ", 9),
            ("Trang", 18),
            ("Ô", 7),
            ("Chỉ tiêu", 8),
            ("Nội dung", 90),
        ]
        ws = self._sheet(FINDINGS, "DANH SÁCH LỖI VÀ CẢNH BÁO CỦA CÁC TỆP", headers)
        row = FIRST_ROW
        for result in sorted(self.files, key=lambda r: (r.unit, r.path)):
            for f in result.findings:
                severity = "Lỗi" if f["severity"] == "error" else "Cảnh báo"
                for col, value in enumerate(
                    [
                        Path(result.path).name,
                        result.unit,
                        self._state(result),
                        f["rule"],
                        severity,
                        f["sheet"],
                        f["cell"],
                        f["indicator"],
                        f["message"],
                    ]
                ):
                    self._text(ws, row, col, value)
                row += 1
        ws.autofilter(FIRST_ROW - 1, 0, max(row - 1, FIRST_ROW), len(headers) - 1)

    def _sources(self) -> None:
        headers = [
            ("Ô tổng hợp", 10),
            ("Chỉ tiêu", 8),
            ("Đơn vị", 8),
            ("Cột", 18),
            ("Giá trị", 14),
            ("Tệp", 36),
            ("Trang", 14),
            ("Ô nguồn", 8),
        ]
        ws = self._sheet(SOURCES, "NGUỒN CỦA TỪNG SỐ LIỆU ĐÃ TỔNG HỢP", headers)
        labels = {c.key: c.header_vi for c in L.indicator_columns()}
        cells = {(e.indicator.code, e.unit): e.row for e in self.rows}
        row = FIRST_ROW
        for unit, merged in sorted(self.result.merged.items()):
            for code, key, value, sheet, cell in merged.values:
                target = cells.get((code, unit))
                at = f"'{SUMMARY}'!{self._cell(target, key)}" if target is not None else ""
                for col, item in enumerate([at, code, unit, labels[key], value, Path(merged.path).name, sheet, cell]):
                    self._text(ws, row, col, item)
                row += 1
        ws.autofilter(FIRST_ROW - 1, 0, max(row - 1, FIRST_ROW), len(headers) - 1)

    def _changes(self) -> None:
        headers = [("Đơn vị", 8), ("Chỉ tiêu", 8), ("Cột", 18), ("Trang", 14), ("Ô", 7), ("Số cũ", 14), ("Số mới", 14)]
        ws = self._sheet(CHANGES, "THAY ĐỔI SO VỚI LẦN TỔNG HỢP TRƯỚC (ĐƠN VỊ GỬI LẠI)", headers)
        labels = {c.key: c.header_vi for c in L.indicator_columns()}
        for row, change in enumerate(self.result.changes, start=FIRST_ROW):
            for col, value in enumerate(
                [change.unit, change.indicator, labels[change.key], change.sheet, change.cell, change.old, change.new]
            ):
                self._text(ws, row, col, value)

    def _scenarios(self) -> None:
        """Growth scenarios on the Statistics Office's 2020 GRDP, when its submission was merged."""
        add_to_master(self.book, self.st, self.catalog, self.result.merged)

    # --- Biểu đồ ----------------------------------------------------------------------------------------

    def _province_row(self, code: str) -> int | None:
        """The Tổng hợp row of the indicator's primary owner (the province's figure)."""
        owner = self.catalog.indicator(code).owners[0]
        return next((e.row for e in self.rows if e.indicator.code == code and e.unit == owner), None)

    def _charts(self) -> None:
        """Each chart draws from a small table on its own sheet whose cells point at the province's rows of
        Tổng hợp, so the chart follows any correction the DPI makes there."""
        ws = self.book.add_worksheet(CHARTS)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.write_string(0, 0, "BIỂU ĐỒ CÁC CHỈ TIÊU CHỦ YẾU", self.st.title)
        ws.set_column(0, 0, 40)
        labels = {c.key: c.header_vi for c in L.indicator_columns()}
        top = 2
        for spec in self.catalog.charts:
            rows = [self._province_row(code) for code in spec.indicators]
            if any(r is None for r in rows):
                ws.write_string(top, 0, f"{spec.title_vi}: chưa có số liệu của đơn vị chủ trì.", self.st.text)
                top += 2
                continue
            ws.write_string(top, 0, spec.title_vi, self.st.bold)
            for col, key in enumerate(spec.keys, start=1):
                ws.write_string(top + 1, col, labels[key], self.st.header)
            chart = self.book.add_chart(
                {"type": "line"} if spec.kind == "line" else {"type": "column", "subtype": "stacked"}
            )
            for offset, (code, row) in enumerate(zip(spec.indicators, rows, strict=True), start=2):
                indicator = self.catalog.indicator(code)
                ws.write_string(top + offset, 0, indicator.name_vi, self.st.label)
                values = dict(next(e.values for e in self.rows if e.row == row))
                for col, key in enumerate(spec.keys, start=1):
                    value = values.get(key)
                    ws.write_formula(
                        top + offset,
                        col,
                        f"='{SUMMARY}'!{self._cell(row, key)}",
                        self.st.computed_number(2),
                        "" if value is None else value,
                    )
                chart.add_series(
                    {
                        "name": [CHARTS, top + offset, 0],
                        "categories": [CHARTS, top + 1, 1, top + 1, len(spec.keys)],
                        "values": [CHARTS, top + offset, 1, top + offset, len(spec.keys)],
                        **({"marker": {"type": "circle"}} if spec.kind == "line" else {}),
                    }
                )
            chart.set_title({"name": spec.title_vi})
            chart.set_legend({"position": "bottom"})
            table_end = top + 1 + len(spec.indicators)
            ws.insert_chart(table_end + 1, 0, chart, {"x_scale": 1.6, "y_scale": 1.2})
            top = table_end + 22
