"""The major balances (cân đối lớn) of the 2021-2025 plan, per growth scenario:

- investment: the capital the scenario's growth needs, ICOR × the incremental GRDP at constant 2010 prices,
  converted to current prices with the scenario's GRDP deflator, against the planned total social investment
  (KT09, yearly plan 2021-2025) and the public investment the units propose (their project list);
- budget: state budget revenue on the territory (TC01) against local budget spending (TC03);
- labour: the growth of the labour force (population × participation rate) against the new jobs planned (LD03);
- exports (TM02): their growth, and their size against GRDP at current prices.

The same quantities are formulas in the sheet «Cân đối lớn» (``add_balance_sheet``) beside the scenario sheet,
the assumptions in yellow cells; docs/scenarios.md states the equations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from kehoach.scenarios import sheet as S
from kehoach.scenarios.model import Projection, Scenario
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import Catalog
from kehoach.workbook_templates.derived import as_number
from kehoach.workbook_templates.styles import Styles
from xlsxwriter.workbook import Workbook

SHEET = "Cân đối lớn"
PLAN_YEARS = tuple(L.YEARS_PLAN)
# Illustrative assumptions, not official figures: a higher ICOR (less efficient investment) in the low
# scenario. Trà Vinh's ICOR 2016-2020 was around 5-6; the DPI types its own in the sheet or with --icor.
DEFAULT_ICOR = {"low": 6.0, "base": 5.5, "high": 5.0}
FALLBACK_ICOR = 5.5
PARTICIPATION = 60.0  # labour force / average population (%), illustrative
EXCHANGE_RATE = 23_500.0  # đồng per USD, illustrative (2020)
INDICATORS = {"investment": "KT09", "revenue": "TC01", "spending": "TC03", "jobs": "LD03", "exports": "TM02"}


def plan_series(values: Mapping[str, object]) -> dict[int, float | None]:
    """The yearly plan 2021-2025 of an indicator row (``plan_<year>``), None where empty or not a number."""
    return {year: as_number(values.get(f"plan_{year}")) for year in PLAN_YEARS}


@dataclass(frozen=True)
class PlanFigures:
    """What the balances take from the province's plan: yearly plans 2021-2025 and 2020 estimates."""

    investment: Mapping[int, float | None] = field(default_factory=dict)  # KT09, tỷ đồng
    public_investment: float | None = None  # the projects' need 2021-2025, tỷ đồng
    revenue: Mapping[int, float | None] = field(default_factory=dict)  # TC01, tỷ đồng
    spending: Mapping[int, float | None] = field(default_factory=dict)  # TC03, tỷ đồng
    jobs: Mapping[int, float | None] = field(default_factory=dict)  # LD03, người
    exports: Mapping[int, float | None] = field(default_factory=dict)  # TM02, triệu USD
    exports_2020: float | None = None


def figures_from_plan(plan: object) -> PlanFigures:
    """The balances' inputs from a :class:`kehoach.master.plan.ProvincePlan` (missing rows give empty series)."""
    rows = {r.indicator.code: r for r in plan.rows}  # type: ignore[attr-defined]

    def series(name: str) -> dict[int, float | None]:
        row = rows.get(INDICATORS[name])
        return plan_series(row.values) if row is not None else dict.fromkeys(PLAN_YEARS)

    needs = [as_number(p.values.get("need_total")) for p in plan.projects]  # type: ignore[attr-defined]
    known = [n for n in needs if n is not None]
    exports = rows.get(INDICATORS["exports"])
    return PlanFigures(
        investment=series("investment"),
        public_investment=sum(known) / 1000 if known else None,  # triệu đồng -> tỷ đồng
        revenue=series("revenue"),
        spending=series("spending"),
        jobs=series("jobs"),
        exports=series("exports"),
        exports_2020=as_number(exports.values.get("estimate_2020")) if exports is not None else None,
    )


def _total(values: Mapping[int, float | None]) -> float | None:
    """The five-year sum, None unless every year is known."""
    numbers = [values.get(y) for y in PLAN_YEARS]
    return None if any(v is None for v in numbers) else sum(numbers)  # type: ignore[misc]


@dataclass(frozen=True)
class InvestmentBalance:
    scenario: str
    name_vi: str
    icor: float
    increment_constant: dict[int, float]  # G(t) - G(t-1), constant 2010 prices
    deflator: dict[int, float]  # GRDP current / constant
    need_constant: dict[int, float]
    need_current: dict[int, float]
    planned: dict[int, float | None]  # KT09
    public_investment: float | None

    @property
    def need_total(self) -> float:
        return sum(self.need_current.values())

    @property
    def planned_total(self) -> float | None:
        return _total(self.planned)

    @property
    def gap(self) -> float | None:
        """Planned minus needed (tỷ đồng, current prices): negative when the plan falls short."""
        return None if self.planned_total is None else self.planned_total - self.need_total


def investment_balance(projection: Projection, icor: float, figures: PlanFigures) -> InvestmentBalance:
    """Investment need(t) = ICOR × (G(t) − G(t−1)) at constant prices × (N(t) / G(t)), summed over 2021-2025."""
    constant, current = projection.constant_total, projection.current_total
    increment = {y: constant[y] - constant[prev] for prev, y in pairwise(projection.years)}
    deflator = {y: current[y] / constant[y] for y in projection.plan_years}
    need_constant = {y: icor * increment[y] for y in projection.plan_years}
    need_current = {y: need_constant[y] * deflator[y] for y in projection.plan_years}
    planned = {y: figures.investment.get(y) for y in projection.plan_years}
    return InvestmentBalance(
        projection.scenario.key,
        projection.scenario.name_vi,
        icor,
        increment,
        deflator,
        need_constant,
        need_current,
        planned,
        figures.public_investment,
    )


@dataclass(frozen=True)
class OtherBalances:
    revenue_total: float | None
    spending_total: float | None
    labour_force: dict[int, float]  # thousand people, by scenario's population, years 2020-2025
    labour_increase: float  # thousand people, 2025 over 2020
    jobs_total: float | None  # people
    exports_2025: float | None
    exports_growth: float | None  # average yearly 2021-2025 (%), from the 2020 estimate
    exports_share_2025: float | None  # % of GRDP at current prices

    @property
    def budget_gap(self) -> float | None:
        if self.revenue_total is None or self.spending_total is None:
            return None
        return self.revenue_total - self.spending_total


def other_balances(
    projection: Projection,
    figures: PlanFigures,
    participation: float = PARTICIPATION,
    exchange_rate: float = EXCHANGE_RATE,
) -> OtherBalances:
    labour = {y: projection.population[y] * participation / 100 for y in projection.years}
    last = projection.years[-1]
    exports_2025 = figures.exports.get(last)
    growth = None
    if exports_2025 and figures.exports_2020 and exports_2025 > 0 and figures.exports_2020 > 0:
        growth = ((exports_2025 / figures.exports_2020) ** (1 / len(projection.plan_years)) - 1) * 100
    share = None
    if exports_2025 is not None:
        share = exports_2025 * exchange_rate / 1000 / projection.current_total[last] * 100
    return OtherBalances(
        _total(figures.revenue),
        _total(figures.spending),
        labour,
        labour[last] - labour[projection.years[0]],
        _total(figures.jobs),
        exports_2025,
        growth,
        share,
    )


def icor_for(scenario: Scenario, override: float | None = None) -> float:
    return override if override is not None else DEFAULT_ICOR.get(scenario.key, FALLBACK_ICOR)


# --- the sheet «Cân đối lớn» -----------------------------------------------------------------------------

YEAR_COLS = {y: S.FIRST_YEAR_COL + i for i, y in enumerate(S.YEARS)}
TOTAL_COL = S.AVG_COL  # five-year totals
NOTE_COL = S.AVG_COL + 1
NOTES = (
    "Cách tính (ô màu vàng là giả định, sửa được; ô màu xám là công thức):",
    "- Vốn đầu tư cần có năm t (giá so sánh 2010) = ICOR × (GRDP năm t − GRDP năm t−1, giá so sánh 2010); "
    "theo giá hiện hành = nhân với chỉ số giảm phát GRDP năm t (GRDP giá hiện hành / giá so sánh) của phương án.",
    "- Chênh lệch = tổng vốn đầu tư toàn xã hội theo kế hoạch (KT09) − vốn cần có; số âm là thiếu vốn.",
    "- Cân đối ngân sách = tổng thu NSNN trên địa bàn (TC01) − tổng chi ngân sách địa phương (TC03).",
    "- Lực lượng lao động = dân số trung bình × tỷ lệ tham gia lực lượng lao động; lao động tăng thêm so với "
    "số việc làm mới theo kế hoạch (LD03).",
    "- Xuất khẩu so với GRDP = kim ngạch (triệu USD) × tỷ giá (đồng/USD) / 1.000 / GRDP giá hiện hành × 100.",
)


class _BalanceWriter:
    def __init__(
        self,
        book: Workbook,
        st: Styles,
        catalog: Catalog,
        projections: Sequence[Projection],
        figures,
        icor: Mapping[str, float],
        participation: float,
        exchange_rate: float,
    ):
        self.ws = book.add_worksheet(SHEET)
        self.st, self.projections, self.figures = st, projections, figures
        self.icor, self.participation, self.exchange_rate = icor, participation, exchange_rate
        rows = S.sheet_rows(catalog, [p.scenario for p in projections])
        self.scenario_rows = {r.key: S.FIRST_ROW + i for i, r in enumerate(rows)}
        self.row = S.FIRST_ROW
        self.keys: dict[str, int] = {}

    def sref(self, key: str, year: int) -> str:
        """A cell of the scenario sheet."""
        return f"'{S.SHEET}'!{L.a1(self.scenario_rows[key], YEAR_COLS[year])}"

    def ref(self, key: str, year: int | None = None, absolute: bool = False) -> str:
        col = TOTAL_COL if year is None else YEAR_COLS[year]
        return L.a1(self.keys[key], col, absolute=absolute)

    def line(self, key: str, label: str, unit: str = "", kind: str = "heading") -> int:
        ws, st = self.ws, self.st
        number = self.row
        self.row += 1
        self.keys[key] = number
        ws.write_string(number, S.KEY_COL, key, st.key)
        if kind == "heading":
            ws.merge_range(number, S.LABEL_COL, number, NOTE_COL, label, st.area)
        elif kind == "title":
            ws.merge_range(number, S.LABEL_COL, number, NOTE_COL, label, st.heading)
        else:
            ws.write_string(number, S.LABEL_COL, label, st.bold if kind == "bold" else st.label)
            ws.write_string(number, S.UNIT_COL, unit, st.label_center)
        return number

    def input(self, number: int, col: int, value: float | None) -> None:
        fmt = self.st.input_number(2)
        if value is None:
            self.ws.write_blank(number, col, None, fmt)
        else:
            self.ws.write_number(number, col, value, fmt)

    def formula(self, number: int, col: int, formula: str, value: object, refs: Sequence[str]) -> None:
        guard = ",".join(f"ISNUMBER({r})" for r in refs)
        text = f'=IF(AND({guard}),{formula},"")' if refs else f"={formula}"
        self.ws.write_formula(number, col, text, self.st.computed_number(2), "" if value is None else value)

    def write(self) -> None:
        ws, st = self.ws, self.st
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.write_string(L.TITLE_ROW, S.LABEL_COL, "CÁC CÂN ĐỐI LỚN GIAI ĐOẠN 2021-2025", st.title)
        ws.write_string(
            L.SUBTITLE_ROW,
            S.LABEL_COL,
            f"Theo các phương án tăng trưởng ở trang «{S.SHEET}». ICOR, tỷ lệ tham gia lực lượng lao động và tỷ "
            "giá là giả định minh họa để Sở Kế hoạch và Đầu tư sửa ở các ô màu vàng.",
            st.subtitle,
        )
        keys = ("row_key", "label", "unit", *(f"y{y}" for y in S.YEARS), "total_2021_2025", "note")
        for col, key in enumerate(keys):
            ws.write_string(L.KEY_ROW, col, key, st.key)
        ws.set_row(L.KEY_ROW, None, None, {"hidden": True})
        headers = ["Chỉ tiêu", "Đơn vị tính", *(f"Năm {y}" for y in S.YEARS), "Cộng 2021-2025", "Ghi chú"]
        for offset, text in enumerate(headers):
            ws.write_string(S.HEADER_ROW, S.LABEL_COL + offset, text, st.header)
        ws.set_column(S.KEY_COL, S.KEY_COL, 30, None, {"hidden": True})
        ws.set_column(S.LABEL_COL, S.LABEL_COL, 62)
        ws.set_column(S.UNIT_COL, S.UNIT_COL, 14)
        ws.set_column(S.FIRST_YEAR_COL, TOTAL_COL, 13)
        ws.set_column(NOTE_COL, NOTE_COL, 40)
        self._plan_inputs()
        for projection in self.projections:
            self._investment(projection)
            self._labour_exports(projection)
        self._budget()
        for offset, text in enumerate(NOTES, start=1):
            ws.write_string(self.row + offset, S.LABEL_COL, text, st.bold if offset == 1 else st.subtitle)
        ws.freeze_panes(S.FIRST_ROW, S.FIRST_YEAR_COL)
        ws.protect("", L.PROTECTION)

    def _series_input(self, key: str, label: str, unit: str, values: Mapping[int, float | None], note: str) -> None:
        number = self.line(key, label, unit, "input")
        for year in PLAN_YEARS:
            self.input(number, YEAR_COLS[year], values.get(year))
        cells = [self.ref(key, y) for y in PLAN_YEARS]
        self.formula(number, TOTAL_COL, f"SUM({cells[0]}:{cells[-1]})", _total(values), cells)
        self.ws.write_string(number, NOTE_COL, note, self.st.subtitle)

    def _plan_inputs(self) -> None:
        f = self.figures
        self.line("plan", "Số liệu kế hoạch 2021-2025 của các đơn vị (từ tệp tổng hợp; sửa được)")
        self._series_input(
            "plan.investment",
            "Tổng vốn đầu tư phát triển toàn xã hội (KT09)",
            "tỷ đồng",
            f.investment,
            "Kế hoạch từng năm của chỉ tiêu KT09",
        )
        number = self.line(
            "plan.public_investment", "Nhu cầu vốn đầu tư công của các dự án đề xuất", "tỷ đồng", "input"
        )
        self.input(number, TOTAL_COL, f.public_investment)
        self.ws.write_string(number, NOTE_COL, "Cộng nhu cầu vốn 2021-2025 của danh mục dự án", self.st.subtitle)
        self._series_input(
            "plan.revenue",
            "Tổng thu ngân sách nhà nước trên địa bàn (TC01)",
            "tỷ đồng",
            f.revenue,
            "Kế hoạch từng năm của chỉ tiêu TC01",
        )
        self._series_input(
            "plan.spending",
            "Tổng chi ngân sách địa phương (TC03)",
            "tỷ đồng",
            f.spending,
            "Kế hoạch từng năm của chỉ tiêu TC03",
        )
        self._series_input(
            "plan.jobs",
            "Số lao động được tạo việc làm mới (LD03)",
            "người",
            f.jobs,
            "Kế hoạch từng năm của chỉ tiêu LD03",
        )
        number = self.line("plan.exports", "Kim ngạch xuất khẩu hàng hóa (TM02)", "triệu USD", "input")
        self.input(number, YEAR_COLS[S.BASE_YEAR], f.exports_2020)
        for year in PLAN_YEARS:
            self.input(number, YEAR_COLS[year], f.exports.get(year))
        self.ws.write_string(number, NOTE_COL, "Năm 2020: ước thực hiện; 2021-2025: kế hoạch", self.st.subtitle)
        number = self.line("assume.participation", "Giả định: tỷ lệ tham gia lực lượng lao động / dân số", "%", "input")
        self.input(number, TOTAL_COL, self.participation)
        number = self.line("assume.exchange_rate", "Giả định: tỷ giá", "đồng/USD", "input")
        self.input(number, TOTAL_COL, self.exchange_rate)

    def _investment(self, projection: Projection) -> None:
        key = projection.scenario.key
        p = f"scenario.{key}"
        balance = investment_balance(projection, self.icor[key], self.figures)
        self.line(f"{key}", f"{projection.scenario.name_vi.upper()}: CÂN ĐỐI VỐN ĐẦU TƯ", kind="title")
        icor = self.line(f"{key}.icor", "Giả định: hệ số ICOR", "lần", "input")
        for year in PLAN_YEARS:
            self.input(icor, YEAR_COLS[year], balance.icor)
        inc = self.line(f"{key}.increment", "GRDP tăng thêm (giá so sánh 2010)", "tỷ đồng", "computed")
        defl = self.line(f"{key}.deflator", "Chỉ số giảm phát GRDP (giá hiện hành / giá so sánh)", "lần", "computed")
        need_c = self.line(f"{key}.need_constant", "Vốn đầu tư cần có (giá so sánh 2010)", "tỷ đồng", "computed")
        need = self.line(f"{key}.need_current", "Vốn đầu tư cần có (giá hiện hành)", "tỷ đồng", "bold")
        gap = self.line(f"{key}.gap", "Chênh lệch: kế hoạch KT09 − vốn cần có", "tỷ đồng", "bold")
        share = self.line(f"{key}.public_share", "Vốn đầu tư công đề xuất / vốn cần có", "%", "computed")
        for prev, year in pairwise(S.YEARS):
            col = YEAR_COLS[year]
            now, before = self.sref(f"{p}.constant.total", year), self.sref(f"{p}.constant.total", prev)
            current = self.sref(f"{p}.current.total", year)
            self.formula(inc, col, f"{now}-{before}", balance.increment_constant[year], [now, before])
            self.formula(defl, col, f"{current}/{now}", balance.deflator[year], [current, now])
            i, d = self.ref(f"{key}.icor", year), self.ref(f"{key}.increment", year)
            self.formula(need_c, col, f"{i}*{d}", balance.need_constant[year], [i, d])
            c, g = self.ref(f"{key}.need_constant", year), self.ref(f"{key}.deflator", year)
            self.formula(need, col, f"{c}*{g}", balance.need_current[year], [c, g])
            planned, needed = self.ref("plan.investment", year), self.ref(f"{key}.need_current", year)
            value = None if balance.planned[year] is None else balance.planned[year] - balance.need_current[year]
            self.formula(gap, col, f"{planned}-{needed}", value, [planned, needed])
        for number, row_key, value in (
            (inc, f"{key}.increment", sum(balance.increment_constant.values())),
            (need_c, f"{key}.need_constant", sum(balance.need_constant.values())),
            (need, f"{key}.need_current", balance.need_total),
        ):
            cells = [self.ref(row_key, y) for y in PLAN_YEARS]
            self.formula(number, TOTAL_COL, f"SUM({cells[0]}:{cells[-1]})", value, cells)
        planned, needed = self.ref("plan.investment"), self.ref(f"{key}.need_current")
        self.formula(gap, TOTAL_COL, f"{planned}-{needed}", balance.gap, [planned, needed])
        public = self.ref("plan.public_investment")
        value = None if balance.public_investment is None else balance.public_investment / balance.need_total * 100
        self.formula(share, TOTAL_COL, f"{public}/{needed}*100", value, [public, needed])

    def _labour_exports(self, projection: Projection) -> None:
        key = projection.scenario.key
        p = f"scenario.{key}"
        other = other_balances(projection, self.figures, self.participation, self.exchange_rate)
        self.line(f"{key}.other", f"{projection.scenario.name_vi}: lao động, xuất khẩu")
        lf = self.line(f"{key}.labour_force", "Lực lượng lao động", "nghìn người", "computed")
        rate = self.ref("assume.participation", absolute=True)
        for year in S.YEARS:
            pop = self.sref(f"{p}.population", year)
            self.formula(lf, YEAR_COLS[year], f"{pop}*{rate}/100", other.labour_force[year], [pop, rate])
        first, last = self.ref(f"{key}.labour_force", S.YEARS[0]), self.ref(f"{key}.labour_force", S.YEARS[-1])
        inc = self.line(
            f"{key}.labour_increase",
            "Lao động tăng thêm 2021-2025 / việc làm mới theo kế hoạch",
            "nghìn người",
            "computed",
        )
        self.formula(inc, YEAR_COLS[S.YEARS[-1]], f"{last}-{first}", other.labour_increase, [first, last])
        jobs = self.ref("plan.jobs")
        value = None if other.jobs_total is None else other.jobs_total / 1000
        self.formula(inc, TOTAL_COL, f"{jobs}/1000", value, [jobs])
        share = self.line(f"{key}.exports_share", "Kim ngạch xuất khẩu so với GRDP (giá hiện hành)", "%", "computed")
        fx = self.ref("assume.exchange_rate", absolute=True)
        for year in PLAN_YEARS:
            exports, grdp = self.ref("plan.exports", year), self.sref(f"{p}.current.total", year)
            known = self.figures.exports.get(year)
            value = None if known is None else known * self.exchange_rate / 1000 / projection.current_total[year] * 100
            self.formula(share, YEAR_COLS[year], f"{exports}*{fx}/1000/{grdp}*100", value, [exports, fx, grdp])

    def _budget(self) -> None:
        self.line("budget", "CÂN ĐỐI NGÂN SÁCH")
        number = self.line("budget.balance", "Thu NSNN trên địa bàn − chi ngân sách địa phương", "tỷ đồng", "bold")
        for year in (*PLAN_YEARS, None):
            rev, spend = self.ref("plan.revenue", year), self.ref("plan.spending", year)
            if year is None:
                r, s = _total(self.figures.revenue), _total(self.figures.spending)
            else:
                r, s = self.figures.revenue.get(year), self.figures.spending.get(year)
            value = None if r is None or s is None else r - s
            self.formula(number, TOTAL_COL if year is None else YEAR_COLS[year], f"{rev}-{spend}", value, [rev, spend])


def add_balance_sheet(
    book: Workbook,
    st: Styles,
    catalog: Catalog,
    projections: Sequence[Projection],
    figures: PlanFigures | None = None,
    icor: float | None = None,
    participation: float = PARTICIPATION,
    exchange_rate: float = EXCHANGE_RATE,
) -> None:
    """The sheet «Cân đối lớn», after the scenario sheet of the same projections (its formulas refer to it)."""
    icors = {p.scenario.key: icor_for(p.scenario, icor) for p in projections}
    _BalanceWriter(
        book, st, catalog, projections, figures or PlanFigures(), icors, participation, exchange_rate
    ).write()
