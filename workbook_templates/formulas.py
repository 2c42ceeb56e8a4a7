"""The computed cells, each defined once as an expression (workbook_templates.expr): the builder renders it
as the Excel formula, workbook_templates.derived evaluates the same expression in Python (cached results,
validation rules, merge).

Every formula is guarded so that an empty, text or zero input gives an empty cell, never an Excel error.
The verdict and the completion compare the judged value and the target rounded to the indicator's declared
decimals, so that a value shown equal to its target meets it; the completion is cut (not rounded) to the two
decimals it shows, so that "100,00 %" never stands next to "Không đạt". A `neutral` indicator is judged by
neither. The meaning of each formula is documented in docs/template-format.md ("Computed columns").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from kehoach.workbook_templates import expr as X
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import Indicator
from kehoach.workbook_templates.expr import AND, COUNT, EMPTY, IF, ISNUMBER, MAX, MIN, ROUND, ROUNDDOWN, SUM, Expr, Ref

EXCEEDED, MET, NOT_MET = "Vượt", "Đạt", "Không đạt"
PERIOD_YEARS = 5
COMPLETION_DECIMALS = 2  # the completion column shows two decimals
PAST_YEARS = L.YEARS_PAST[1:]  # the five years of 2016-2020 (2015 is the base)
PLAN_YEARS = L.YEARS_PLAN
# The computed columns of an indicator row, in an order where each one's inputs come first.
INDICATOR_COMPUTED = (
    "growth_2016_2020",
    "growth_2021_2025",
    "compare_2011_2015",
    "judged_2020",
    "completion_2020",
    "evaluation_2020",
    "judged_2025",
)


# --- building blocks ------------------------------------------------------------------------------------


def geometric_mean(cells: Sequence[Expr]) -> Expr:
    """Average yearly growth (%) from yearly growth rates (%): (prod(1 + g/100))^(1/n) - 1."""
    product: Expr = 1 + cells[0] / 100
    for cell in cells[1:]:
        product = product * (1 + cell / 100)
    n = len(cells)
    mean = (product ** (X.Num(1) / n) - 1) * 100
    return IF(COUNT(*cells).eq(n), IF(product.gt(0), mean, EMPTY), EMPTY)


def period_change_expr(kind: str, start: Expr, end: Expr, years: int = PERIOD_YEARS) -> Expr:
    """Average yearly growth of a level (%), average yearly change of a rate (points), or the total
    increase of a count, from ``start`` to ``end``."""
    if kind == "level":
        return X.guarded(((end / start) ** (X.Num(1) / years) - 1) * 100, [start, end], positive=[start, end])
    if kind == "rate":
        return X.guarded((end - start) / years, [start, end])
    if kind == "count":
        return X.guarded(end - start, [start, end])
    raise ValueError(kind)


def _all(cells: Sequence[Expr], value: Expr) -> Expr:
    """``value`` when every cell holds a number."""
    return IF(COUNT(*cells).eq(len(cells)), value, EMPTY)


def _at(value: Expr, decimals: int | None) -> Expr:
    """``value`` at the declared precision (unchanged when none is declared)."""
    return value if decimals is None else ROUND(value, decimals)


def verdict_expr(direction: str, value: Expr, low: Expr, high: Expr, decimals: int | None) -> Expr:
    """Vượt / Đạt / Không đạt of ``value`` against the target ``low`` (or the range ``low``-``high``), all three
    at ``decimals``; empty for a neutral indicator."""
    if direction == "neutral":
        return EMPTY
    v, lo, hi = _at(value, decimals), _at(low, decimals), _at(IF(ISNUMBER(high), high, low), decimals)
    if direction == "up":
        verdict = IF(v.gt(hi), EXCEEDED, IF(v.ge(lo), MET, NOT_MET))
    else:
        verdict = IF(v.lt(lo), EXCEEDED, IF(v.le(hi), MET, NOT_MET))
    return X.guarded(verdict, [value, low])


def completion_expr(direction: str, value: Expr, low: Expr, high: Expr, decimals: int | None) -> Expr:
    """Percent of the target reached, from the values at ``decimals``, cut to the two decimals shown; empty for
    a neutral indicator, and where the value and the target differ in sign (a ratio then means nothing).
    Higher is better: value / lower bound. Lower is better: upper bound / value for positive figures (a rate
    of 1.2 against 1.5 is 125 %), value / upper bound for negative ones (a fall of 2.2 points a year against
    a target fall of 2 is 110 %)."""
    if direction == "neutral":
        return EMPTY
    v = _at(value, decimals)
    target = _at(low if direction == "up" else IF(ISNUMBER(high), high, low), decimals)
    if direction == "up":
        positive, negative = v / target, target / v
    else:
        positive, negative = target / v, v / target

    def cut(ratio: Expr) -> Expr:
        return ROUNDDOWN(ratio * 100, COMPLETION_DECIMALS)

    same_sign = IF(
        v.gt(0), IF(target.gt(0), cut(positive), EMPTY), IF(AND(v.lt(0), target.lt(0)), cut(negative), EMPTY)
    )
    return X.guarded(same_sign, [value, low])


# --- indicator table ------------------------------------------------------------------------------------


def _base_year(indicator: Indicator) -> int:
    """The first year a 2016-2020 change is measured from: 2015, or the year a new method starts."""
    return indicator.series_break or 2015


def _past(year: int) -> Ref:
    return Ref("estimate_2020" if year == 2020 else f"actual_{year}")


def _plan(year: int) -> Ref:
    return Ref(f"plan_{year}")


def _plan_base(indicator: Indicator) -> Expr:
    """The 2020 figure the 2021-2025 plan starts from: the revalued one when the indicator depends on GRDP and
    it is filled, else the 2020 estimate."""
    if not indicator.revalued:
        return Ref("estimate_2020")
    revalued = Ref("estimate_2020_revalued")
    return IF(ISNUMBER(revalued), revalued, Ref("estimate_2020"))


def _change(indicator: Indicator, base: Expr, end: Expr, years: int, yearly: Sequence[Expr]) -> Expr:
    """The period's change column: the geometric mean of a growth rate's yearly values, or the change of a
    level (%/year), a rate (points/year) or a count (increase) from ``base`` to ``end`` over ``years``."""
    if indicator.kind == "growth":
        return geometric_mean(list(yearly))
    return period_change_expr(indicator.kind, base, end, years)


def _judged(indicator: Indicator, change: Expr, base: Expr, end: Expr, years: int, yearly: Sequence[Expr]) -> Expr:
    """The value the period's target is judged on, by the indicator's target kind (docs/catalog.md)."""
    kind = indicator.target_kind
    if kind == "end":
        return X.guarded(end, [end])  # a bare reference would show an empty cell as 0
    if kind == "avg_growth":
        if indicator.kind == "growth":
            return X.guarded(change, [change])
        return period_change_expr("level", base, end, years)
    if kind == "avg_change":
        return X.guarded((end - base) / years, [base, end])
    if kind == "total":
        return _all(yearly, SUM(*yearly))
    if kind == "annual_avg":
        return _all(yearly, SUM(*yearly) / len(yearly))
    if kind == "annual_each":
        weakest = MAX(*yearly) if indicator.direction == "down" else MIN(*yearly)
        return _all(yearly, weakest)
    raise ValueError(kind)


def indicator_expr(key: str, indicator: Indicator) -> Expr:
    """Computed column ``key`` of ``indicator``'s row; its references are the row's column keys."""
    first = _base_year(indicator)
    past_base, past_years = _past(first), 2020 - first
    # A growth rate's yearly values measured across a new method's first year are left out with it.
    past_rates = [_past(y) for y in PAST_YEARS if y > first]
    plan_base, plans = _plan_base(indicator), [_plan(y) for y in PLAN_YEARS]
    if key == "growth_2016_2020":
        return _change(indicator, past_base, Ref("estimate_2020"), past_years, past_rates)
    if key == "growth_2021_2025":
        return _change(indicator, plan_base, _plan(2025), PERIOD_YEARS, plans)
    if key == "compare_2011_2015":
        if indicator.series_break:
            return EMPTY  # 2011-2015 is on the old method: not comparable
        now, before = Ref("growth_2016_2020"), Ref("growth_2011_2015")
        return X.guarded(now - before, [now, before])
    if key == "judged_2020":
        yearly = [_past(y) for y in PAST_YEARS] if indicator.kind != "growth" else past_rates
        return _judged(indicator, Ref("growth_2016_2020"), past_base, Ref("estimate_2020"), past_years, yearly)
    if key == "judged_2025":
        return _judged(indicator, Ref("growth_2021_2025"), plan_base, _plan(2025), PERIOD_YEARS, plans)
    value, low, high = Ref("judged_2020"), Ref("target_2020"), Ref("target_2020_max")
    if key == "completion_2020":
        return completion_expr(indicator.direction, value, low, high, indicator.decimals)
    if key == "evaluation_2020":
        return verdict_expr(indicator.direction, value, low, high, indicator.decimals)
    raise KeyError(key)


def indicator_formula(key: str, indicator: Indicator, ref: Callable[[str], str]) -> str:
    """The formula (without the leading '=') of computed column ``key`` on ``indicator``'s row;
    ``ref(key)`` gives the address of another column on the same row."""
    return indicator_expr(key, indicator).excel(ref)


# --- GRDP sheet -----------------------------------------------------------------------------------------


def grdp_expr(role: str, cells: Mapping[str, Expr]) -> Expr:
    """A GRDP sheet cell of ``role``; ``cells`` names the cells it uses (``parts`` is a Range)."""
    if role == "total":
        parts = cells["parts"]
        assert isinstance(parts, X.Range), parts
        return IF(COUNT(parts).eq(len(parts.cells)), SUM(parts), EMPTY)
    if role == "share":
        part, total = cells["part"], cells["total"]
        return X.guarded(part / total * 100, [part, total], nonzero=[total])
    if role == "growth":
        now, before = cells["now"], cells["before"]
        return X.guarded((now / before - 1) * 100, [now, before], positive=[before])
    if role == "contribution":
        now, before, total_before = cells["now"], cells["before"], cells["total_before"]
        return X.guarded((now - before) / total_before * 100, [now, before, total_before], positive=[total_before])
    if role == "per_capita":
        total, population = cells["total"], cells["population"]
        return X.guarded(total / population, [total, population], positive=[population])
    raise KeyError(role)


def grdp_cell_expr(
    key: str,
    role: str,
    basis: str,
    sector: str,
    year: int,
    first_year: int,
    sectors: Sequence[str],
    cell: Callable[[str, int], str],
) -> Expr | None:
    """The expression of the GRDP sheet's row ``key`` (of ``role``) in ``year``, or None where the cell stays
    empty (inputs, headings, the first year's growth); ``cell(row key, year)`` names another cell."""
    previous = year - 1
    if role == "total":
        price = key.split(".")[1]
        parts = X.Range(tuple(cell(f"{basis}.{price}.{s}", year) for s in sectors))
        return grdp_expr("total", {"parts": parts})
    if role == "share":
        part, total = Ref(cell(f"{basis}.current.{sector}", year)), Ref(cell(f"{basis}.current.total", year))
        return grdp_expr("share", {"part": part, "total": total})
    if role == "per_capita":
        total, population = Ref(cell(f"{basis}.current.total", year)), Ref(cell("population", year))
        return grdp_expr("per_capita", {"total": total, "population": population})
    if role not in ("growth", "contribution") or year == first_year:
        return None
    now, before = Ref(cell(f"{basis}.constant.{sector}", year)), Ref(cell(f"{basis}.constant.{sector}", previous))
    if role == "growth":
        return grdp_expr("growth", {"now": now, "before": before})
    total_before = Ref(cell(f"{basis}.constant.total", previous))
    return grdp_expr("contribution", {"now": now, "before": before, "total_before": total_before})


def grdp_average_expr(cells: Sequence[str]) -> Expr:
    """The average of a GRDP growth row: geometric mean of its yearly growths."""
    return geometric_mean([Ref(c) for c in cells])


# --- project list ---------------------------------------------------------------------------------------
# The medium-term public investment plan 2021-2025 (Luật Đầu tư công 2019): each project's group, whether it is
# carried over from 2016-2020 or starts in 2021-2025, its total investment, the capital allocated to it by the
# end of 2020, and its 2021-2025 need in total and by source.

SOURCES = ("need_central", "need_local", "need_oda", "need_other")  # the 2021-2025 need by source
PROJECT_COMPUTED = ("remaining", "need_sum", "need_gap")  # in an order where each one's inputs come first
GROUPS = ("Quan trọng quốc gia", "A", "B", "C")  # project groups of Luật Đầu tư công 2019, art. 7-10
NEW, CARRIED = "Khởi công mới", "Chuyển tiếp"
STATUSES = (NEW, CARRIED)
PROJECT_YEARS = (2000, 2035)  # plausible start and end years: carried-over projects start before 2021


def project_expr(key: str) -> Expr:
    """``remaining``: the total investment less the capital allocated by the end of 2020 (none typed: none
    allocated); ``need_sum``: the 2021-2025 need by source added up; ``need_gap``: the typed 2021-2025 need
    less that sum."""
    if key == "remaining":
        total = Ref("total")
        return IF(ISNUMBER(total), total - SUM(Ref("allocated_2020")), EMPTY)
    if key == "need_sum":
        sources = [Ref(k) for k in SOURCES]
        return IF(COUNT(*sources).eq(0), EMPTY, SUM(*sources))
    if key == "need_gap":
        need, found = Ref("need_total"), Ref("need_sum")
        return X.guarded(need - found, [need, found])
    raise KeyError(key)


def project_formula(key: str, ref: Callable[[str], str]) -> str:
    return project_expr(key).excel(ref)
