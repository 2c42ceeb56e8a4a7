"""The sheet «Phương án tăng trưởng»: the target, the 2020 base, and for each scenario its assumptions (cells
the DPI edits) and every result as an Excel formula, so that changing a growth rate in Excel changes the
result. Each formula is stored with the result the Python model (scenarios.model) gives, so the file reads
right before any recalculation.

Laid out like the templates' GRDP sheet: column A holds a hidden row key, B the label, C the unit, then the
base year, the plan years, the 2021-2025 average, the verdict against the target and the source of each
assumption; a hidden row names the columns. Readers and tests find cells by these keys, never by position.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from kehoach.master.extract import FileResult
from kehoach.scenarios.assumptions import load_scenarios
from kehoach.scenarios.base import BASE_YEAR, BaseError, base_from_result, merged_statistics
from kehoach.scenarios.model import DIRECTIVE_TARGET, Base, Projection, Scenario, Target, project, required_growth
from kehoach.workbook_templates import derived
from kehoach.workbook_templates import expr as X
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import Catalog
from kehoach.workbook_templates.expr import Expr, Ref
from kehoach.workbook_templates.formulas import geometric_mean, grdp_expr, verdict_expr
from kehoach.workbook_templates.styles import Styles
from xlsxwriter.worksheet import Worksheet

SHEET = "Phương án tăng trưởng"
YEARS = (BASE_YEAR, *L.YEARS_PLAN)
KEY_COL, LABEL_COL, UNIT_COL, FIRST_YEAR_COL = 0, 1, 2, 3
AVG_COL = FIRST_YEAR_COL + len(YEARS)
VERDICT_COL, NOTE_COL = AVG_COL + 1, AVG_COL + 2
HEADER_ROW = L.KEY_ROW + 1
FIRST_ROW = L.KEY_ROW + 2
AVERAGE_KEY = f"avg_{L.YEARS_PLAN[0]}_{L.YEARS_PLAN[-1]}"
DECIMALS = {"deflator": 4}  # every other number shows 2 decimals
BOLD = ("growth", "constant_total", "current_total")
INPUTS = {"input_growth": "growth", "input_price": "price", "input_population": "population"}
NOTES = (
    "Cách tính (ô màu xám là công thức, tự tính lại khi sửa ô màu vàng):",
    "- Giá so sánh 2010: giá trị tăng thêm năm t = năm t-1 × (1 + tốc độ tăng/100); GRDP = tổng các khu vực, "
    "kể cả thuế sản phẩm trừ trợ cấp sản phẩm.",
    "- Tốc độ tăng GRDP = GRDP(t) / GRDP(t-1) × 100 - 100; bình quân 2021-2025 = trung bình nhân: "
    "(tích các (1 + tốc độ/100))^(1/5) - 1.",
    "- Đóng góp của khu vực (điểm %) = (giá trị năm t - năm t-1) / GRDP năm t-1 × 100; tổng các đóng góp bằng "
    "tốc độ tăng GRDP.",
    "- Giá hiện hành = giá so sánh × chỉ số giảm phát; chỉ số năm 2020 = giá hiện hành / giá so sánh của "
    "Cục Thống kê, các năm sau tăng theo tốc độ giả định. Cơ cấu kinh tế tính theo giá hiện hành.",
    "- GRDP bình quân đầu người = GRDP giá hiện hành / dân số trung bình (tỷ đồng / nghìn người = triệu đồng/người).",
    "- Tốc độ tăng cần có: các khu vực khác theo giả định, khu vực này phải đạt mức để GRDP năm t bằng "
    "GRDP 2020 × (1 + mục tiêu mức thấp/100)^(t-2020); để trống khi riêng các khu vực khác đã đạt mức đó.",
)


@dataclass(frozen=True)
class SheetRow:
    key: str
    label_vi: str
    unit: str = ""
    kind: str = "heading"
    scenario: str = ""
    sector: str = ""


def column_keys() -> tuple[str, ...]:
    return ("row_key", "label", "unit", *(f"y{y}" for y in YEARS), AVERAGE_KEY, "verdict", "note")


def sheet_rows(catalog: Catalog, scenarios: Sequence[Scenario]) -> tuple[SheetRow, ...]:
    sectors = catalog.grdp_sectors

    def group(prefix: str, heading: str, unit: str, kind: str, scenario: str = "") -> list[SheetRow]:
        return [
            SheetRow(prefix, heading),
            *(SheetRow(f"{prefix}.{s.code}", s.name_vi, unit, kind, scenario, s.code) for s in sectors),
        ]

    rows = [
        SheetRow("target", f"Mục tiêu tăng trưởng GRDP bình quân {L.YEARS_PLAN[0]}-{L.YEARS_PLAN[-1]}"),
        SheetRow("target.low", "Tốc độ tăng GRDP bình quân/năm: mức thấp (hoặc mức duy nhất)", "%", "target"),
        SheetRow("target.high", "Tốc độ tăng GRDP bình quân/năm: mức cao (để trống nếu chỉ một mức)", "%", "target"),
        SheetRow("start", f"Số liệu năm {BASE_YEAR} của Cục Thống kê (đã đánh giá lại quy mô)"),
        *group("start.current", "GRDP theo giá hiện hành", "tỷ đồng", "start"),
        *group("start.constant", "GRDP theo giá so sánh 2010", "tỷ đồng", "start"),
        SheetRow("start.population", "Dân số trung bình", "nghìn người", "start"),
    ]
    for scenario in scenarios:
        p, key = f"scenario.{scenario.key}", scenario.key
        rows += [
            SheetRow(p, scenario.name_vi.upper(), kind="title"),
            *group(
                f"{p}.input_growth",
                "Giả định: tốc độ tăng giá trị tăng thêm (giá so sánh 2010)",
                "%",
                "input_growth",
                key,
            ),
            *group(f"{p}.input_price", "Giả định: tốc độ tăng chỉ số giảm phát", "%", "input_price", key),
            SheetRow(f"{p}.input_population", "Giả định: tốc độ tăng dân số trung bình"),
            SheetRow(f"{p}.input_population.province", "Toàn tỉnh", "%", "input_population", key),
            SheetRow(f"{p}.results", "Kết quả (tự tính)"),
            SheetRow(f"{p}.growth", "Tốc độ tăng GRDP (giá so sánh 2010)", "%", "growth", key),
            *group(f"{p}.constant", "GRDP theo giá so sánh 2010", "tỷ đồng", "constant", key),
            SheetRow(f"{p}.constant.total", "Tổng GRDP (giá so sánh 2010)", "tỷ đồng", "constant_total", key),
            *group(f"{p}.contribution", "Đóng góp vào tăng trưởng GRDP", "điểm %", "contribution", key),
            *group(f"{p}.deflator", "Chỉ số giảm phát (giá hiện hành / giá so sánh 2010)", "lần", "deflator", key),
            *group(f"{p}.current", "GRDP theo giá hiện hành", "tỷ đồng", "current", key),
            SheetRow(f"{p}.current.total", "Tổng GRDP (giá hiện hành)", "tỷ đồng", "current_total", key),
            *group(f"{p}.share", "Cơ cấu kinh tế (giá hiện hành)", "%", "share", key),
            SheetRow(f"{p}.population", "Dân số trung bình", "nghìn người", "population", key),
            SheetRow(
                f"{p}.per_capita", "GRDP bình quân đầu người (giá hiện hành)", "triệu đồng/người", "per_capita", key
            ),
            *group(
                f"{p}.required",
                "Tốc độ tăng cần có để GRDP tăng đúng mục tiêu mức thấp mỗi năm (các khu vực khác theo giả định)",
                "%",
                "required",
                key,
            ),
        ]
    return tuple(rows)


def add_scenario_sheet(
    book: xlsxwriter.Workbook,
    styles: Styles,
    catalog: Catalog,
    base: Base,
    scenarios: Sequence[Scenario],
    target: Target = DIRECTIVE_TARGET,
) -> Worksheet:
    """Add the scenario sheet to ``book``."""
    ws = book.add_worksheet(SHEET)
    _Writer(ws, styles, catalog, base, scenarios, target).write()
    return ws


def add_to_master(
    book: xlsxwriter.Workbook, styles: Styles, catalog: Catalog, merged: Mapping[str, FileResult]
) -> None:
    """The master's scenario sheet, with the shipped assumptions, when the Statistics Office's submission was
    merged; if its 2020 figures are unusable the sheet says why instead."""
    statistics = merged_statistics(catalog, merged)
    if statistics is None:
        return
    try:
        base = base_from_result(statistics, catalog, Path(statistics.path).name)
    except BaseError as error:
        ws = book.add_worksheet(SHEET)
        ws.set_column(0, 0, 120)
        ws.write_string(0, 0, "PHƯƠNG ÁN TĂNG TRƯỞNG: CHƯA LẬP ĐƯỢC", styles.title)
        ws.write_string(1, 0, error.message[0].upper() + error.message[1:], styles.text)
        return
    scenarios = load_scenarios([s.code for s in catalog.grdp_sectors], L.YEARS_PLAN)
    add_scenario_sheet(book, styles, catalog, base, scenarios)


def write_scenario_workbook(
    path: Path,
    catalog: Catalog,
    base: Base,
    scenarios: Sequence[Scenario],
    target: Target = DIRECTIVE_TARGET,
    figures: object = None,
    icor: float | None = None,
) -> Path:
    """Write the scenario workbook to ``path`` atomically (a temporary file renamed into place): the scenario
    sheet, then the major balances (scenarios.balances) with the plan's ``figures`` where known."""
    from kehoach.scenarios.balances import add_balance_sheet

    # Built in memory so that a file-system failure surfaces as the OSError it is, not XlsxWriter's wrapper.
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    )
    try:
        book.set_properties(
            {
                "title": f"Phương án tăng trưởng {L.YEARS_PLAN[0]}-{L.YEARS_PLAN[-1]} - {catalog.template.province}",
                "author": "Sở Kế hoạch và Đầu tư, Cục Thống kê",
                "created": dt.datetime.now().replace(microsecond=0),
            }
        )
        book.set_calc_mode("auto")
        styles = Styles(book)
        add_scenario_sheet(book, styles, catalog, base, scenarios, target)
        add_balance_sheet(book, styles, catalog, [project(base, s) for s in scenarios], figures, icor)  # type: ignore[arg-type]
    finally:
        book.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(path)
    return path


class _Writer:
    def __init__(
        self,
        ws: Worksheet,
        st: Styles,
        catalog: Catalog,
        base: Base,
        scenarios: Sequence[Scenario],
        target: Target,
    ):
        self.ws, self.st, self.catalog, self.base, self.target = ws, st, catalog, base, target
        self.sectors = [s.code for s in catalog.grdp_sectors]
        if set(base.sectors) != set(self.sectors):
            raise ValueError(f"base sectors {base.sectors} differ from the catalog's {self.sectors}")
        self.scenarios = {s.key: s for s in scenarios}
        self.rows = sheet_rows(catalog, scenarios)
        self.numbers = {r.key: FIRST_ROW + i for i, r in enumerate(self.rows)}
        self.projections = {s.key: project(base, s) for s in scenarios}
        self.required = {
            s.key: {sector: required_growth(base, s, sector, target.low) for sector in base.sectors} for s in scenarios
        }

    def ref(self, key: str, year: int) -> str:
        return L.a1(self.numbers[key], FIRST_YEAR_COL + YEARS.index(year))

    def average_ref(self, key: str) -> str:
        return L.a1(self.numbers[key], AVG_COL, absolute=True)

    def write(self) -> None:
        ws, st = self.ws, self.st
        ws.set_paper(9)
        ws.set_landscape()
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&L&8Sở Kế hoạch và Đầu tư - Cục Thống kê&R&8Trang &P/&N")
        ws.fit_to_pages(1, 0)
        title = f"PHƯƠNG ÁN TĂNG TRƯỞNG KINH TẾ GIAI ĐOẠN {L.YEARS_PLAN[0]}-{L.YEARS_PLAN[-1]}"
        ws.write_string(L.TITLE_ROW, LABEL_COL, f"{title} - {self.catalog.template.province.upper()}", st.title)
        ws.write_string(
            L.SUBTITLE_ROW,
            LABEL_COL,
            f"Số liệu năm {BASE_YEAR}: {self.base.source}. Tốc độ tăng của các phương án là giả định minh họa để "
            "Sở Kế hoạch và Đầu tư và Cục Thống kê sửa ở các ô màu vàng, không phải số liệu chính thức.",
            st.subtitle,
        )
        ws.write_string(L.LEGEND_ROW, LABEL_COL, "Ô nhập liệu (sửa được)", st.legend_input)
        ws.write_string(L.LEGEND_ROW, UNIT_COL, "Ô tự tính", st.legend_computed)
        for col, key in enumerate(column_keys()):
            ws.write_string(L.KEY_ROW, col, key, st.key)
        ws.set_row(L.KEY_ROW, None, None, {"hidden": True})
        headers = ["Chỉ tiêu", "Đơn vị tính", *(f"Năm {y}" for y in YEARS)]
        headers += [f"Tăng BQ/năm {L.YEARS_PLAN[0]}-{L.YEARS_PLAN[-1]}", "So với mục tiêu", "Nguồn, ghi chú"]
        for offset, text in enumerate(headers):
            ws.write_string(HEADER_ROW, LABEL_COL + offset, text, st.header)
        ws.set_row(HEADER_ROW, 32)
        ws.set_column(KEY_COL, KEY_COL, 30, None, {"hidden": True})
        ws.set_column(LABEL_COL, LABEL_COL, 58)
        ws.set_column(UNIT_COL, UNIT_COL, 14)
        ws.set_column(FIRST_YEAR_COL, AVG_COL, 12)
        ws.set_column(VERDICT_COL, VERDICT_COL, 11)
        ws.set_column(NOTE_COL, NOTE_COL, 50)
        for row in self.rows:
            self._row(row)
        last = FIRST_ROW + len(self.rows)
        for offset, line in enumerate(NOTES, start=1):
            ws.write_string(last + offset, LABEL_COL, line, st.bold if offset == 1 else st.subtitle)
        ws.freeze_panes(FIRST_ROW, FIRST_YEAR_COL)
        ws.repeat_rows(HEADER_ROW)
        ws.protect("", L.PROTECTION)

    def _row(self, row: SheetRow) -> None:
        ws, st, number = self.ws, self.st, self.numbers[row.key]
        ws.write_string(number, KEY_COL, row.key, st.key)
        if row.kind in ("heading", "title"):
            fmt = st.heading if row.kind == "title" else st.area
            ws.merge_range(number, LABEL_COL, number, NOTE_COL, row.label_vi, fmt)
            return
        bold = row.kind in BOLD
        ws.write_string(number, LABEL_COL, row.label_vi, st.bold if bold else st.label)
        ws.write_string(number, UNIT_COL, row.unit, st.label_center)
        if row.kind == "target":
            value = self.target.low if row.key == "target.low" else self.target.high
            self._input(number, AVG_COL, value, "Tốc độ tăng GRDP bình quân/năm mục tiêu (%).")
        elif row.kind == "start":
            self._input(number, FIRST_YEAR_COL, self._start_value(row), "Số liệu năm 2020 (phải lớn hơn 0).", 0)
        elif row.kind in INPUTS:
            self._inputs(row)
        else:
            self._computed(row, bold)

    def _start_value(self, row: SheetRow) -> float:
        if row.key == "start.population":
            return self.base.population
        return (self.base.current if row.key.startswith("start.current") else self.base.constant)[row.sector]

    def _input(self, row: int, col: int, value: float | None, help_vi: str, minimum: float = -100) -> None:
        fmt = self.st.input_number(2)
        if value is None:
            self.ws.write_blank(row, col, None, fmt)
        else:
            self.ws.write_number(row, col, value, fmt)
        self.ws.data_validation(
            row,
            col,
            row,
            col,
            {
                "validate": "decimal",
                "criteria": ">",
                "value": minimum,
                "input_title": "Nhập số",
                "input_message": help_vi,
                "error_title": "Giá trị không hợp lệ",
                "error_message": f"Ô này chỉ nhận số lớn hơn {minimum:g} (không nhập chữ, không ghi %).",
            },
        )

    def _inputs(self, row: SheetRow) -> None:
        scenario = self.scenarios[row.scenario]
        series = INPUTS[row.kind]
        if series == "population":
            rates = scenario.population
        else:
            rates = {"growth": scenario.growth, "price": scenario.price}[series][row.sector]
        number = self.numbers[row.key]
        for year, rate in zip(L.YEARS_PLAN, rates, strict=True):
            self._input(number, FIRST_YEAR_COL + YEARS.index(year), rate, "Tốc độ tăng so với năm trước (%).")
        self.ws.write_blank(number, FIRST_YEAR_COL, None, self.st.label)
        self._average(row, derived.geometric_mean_growth(list(rates)), self.st.computed_number(2))
        source = scenario.sources.get((series, row.sector), "")
        self.ws.write_string(number, NOTE_COL, source, self.st.subtitle)

    def _average(self, row: SheetRow, value: float | None, fmt: object) -> None:
        cells = [self.ref(row.key, y) for y in L.YEARS_PLAN]
        self._formula(self.numbers[row.key], AVG_COL, geometric_mean([Ref(c) for c in cells]), fmt, value)

    def _formula(self, row: int, col: int, formula: Expr, fmt: object, value: object) -> None:
        self.ws.write_formula(row, col, "=" + formula.excel(), fmt, "" if value is None else value)

    def _computed(self, row: SheetRow, bold: bool) -> None:
        number = self.numbers[row.key]
        fmt = self.st.computed_number(DECIMALS.get(row.kind, 2), bold)
        projection = self.projections[row.scenario]
        for year in YEARS:
            col = FIRST_YEAR_COL + YEARS.index(year)
            cell = self._cell(row, year, projection)
            if cell is None:
                self.ws.write_blank(number, col, None, fmt)
            else:
                self._formula(number, col, cell[0], fmt, cell[1])
        if row.kind == "growth":
            self._average(row, projection.average_growth, fmt)
            self._verdict(row, projection)
        elif row.kind == "required":
            rates = list(self.required[row.scenario][row.sector].values())
            self._average(row, derived.geometric_mean_growth(rates), fmt)

    def _verdict(self, row: SheetRow, projection: Projection) -> None:
        value, low, high = (Ref(self.average_ref(k)) for k in (row.key, "target.low", "target.high"))
        verdict = verdict_expr("up", value, low, high, None)  # the templates' verdict, on the average growth
        self._formula(
            self.numbers[row.key], VERDICT_COL, verdict, self.st.computed_text, projection.verdict(self.target)
        )

    def _cell(self, row: SheetRow, year: int, projection: Projection) -> tuple[Expr, float | None] | None:
        """The formula of a computed cell and the model's result for it; None where the row has no value."""
        p, s = f"scenario.{row.scenario}", row.sector

        def ref(key: str, year: int) -> Ref:
            return Ref(self.ref(key, year))

        first, before = year == BASE_YEAR, year - 1
        match row.kind:
            case "constant":
                if first:
                    return _copy(ref(f"start.constant.{s}", year)), projection.constant[s][year]
                return _grow(ref(row.key, before), ref(f"{p}.input_growth.{s}", year)), projection.constant[s][year]
            case "constant_total" | "current_total":
                price = row.kind.removesuffix("_total")
                # the sector rows sit one below the other in catalog order
                parts = X.Range(tuple(self.ref(f"{p}.{price}.{sector}", year) for sector in self.sectors))
                totals = projection.constant_total if price == "constant" else projection.current_total
                return grdp_expr("total", {"parts": parts}), totals[year]
            case "deflator":
                if first:
                    current, constant = ref(f"start.current.{s}", year), ref(f"start.constant.{s}", year)
                    formula = X.guarded(current / constant, [current, constant], positive=[constant])
                    return formula, projection.deflator[s][year]
                return _grow(ref(row.key, before), ref(f"{p}.input_price.{s}", year)), projection.deflator[s][year]
            case "current":
                if first:
                    return _copy(ref(f"start.current.{s}", year)), projection.current[s][year]
                constant, deflator = ref(f"{p}.constant.{s}", year), ref(f"{p}.deflator.{s}", year)
                return X.guarded(constant * deflator, [constant, deflator]), projection.current[s][year]
            case "share":
                cells = {"part": ref(f"{p}.current.{s}", year), "total": ref(f"{p}.current.total", year)}
                return grdp_expr("share", cells), projection.structure[s][year]
            case "population":
                if first:
                    return _copy(ref("start.population", year)), projection.population[year]
                rate = ref(f"{p}.input_population.province", year)
                return _grow(ref(row.key, before), rate), projection.population[year]
            case "per_capita":
                cells = {"total": ref(f"{p}.current.total", year), "population": ref(f"{p}.population", year)}
                return grdp_expr("per_capita", cells), projection.per_capita[year]
        if first:
            return None
        match row.kind:
            case "growth":
                cells = {"now": ref(f"{p}.constant.total", year), "before": ref(f"{p}.constant.total", before)}
                return grdp_expr("growth", cells), projection.growth[year]
            case "contribution":
                cells = {
                    "now": ref(f"{p}.constant.{s}", year),
                    "before": ref(f"{p}.constant.{s}", before),
                    "total_before": ref(f"{p}.constant.total", before),
                }
                return grdp_expr("contribution", cells), projection.contributions[s][year]
            case "required":
                return self._required(row, year), self.required[row.scenario][s][year]
        raise KeyError(row.kind)

    def _required(self, row: SheetRow, year: int) -> Expr:
        """R(k) = G0·(1+T)^k − (GRDP − sector)(k); growth = R(k)/R(k−1) − 1 (see scenarios.model.required_growth)."""
        p, s = f"scenario.{row.scenario}", row.sector
        start, target = Ref(self.ref(f"{p}.constant.total", BASE_YEAR)), Ref(self.average_ref("target.low"))
        k = year - BASE_YEAR
        cells = [start, target]

        def needed(year: int, k: int) -> Expr:
            total, sector = Ref(self.ref(f"{p}.constant.total", year)), Ref(self.ref(f"{p}.constant.{s}", year))
            cells.extend([total, sector])
            return start * (1 + target / 100) ** k - (total - sector)

        now, before = needed(year, k), needed(year - 1, k - 1)
        return X.guarded((now / before - 1) * 100, cells, positive=[now, before])


def _copy(cell: Ref) -> Expr:
    return X.guarded(cell, [cell])


def _grow(before: Ref, rate: Ref) -> Expr:
    """The level of the year before, grown by a yearly rate in percent."""
    return X.guarded(before * (1 + rate / 100), [before, rate])
