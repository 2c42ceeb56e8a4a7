"""Independent Python computation of every computed cell of a template, from the documented semantics
(docs/template-format.md), to check the Excel formulas after LibreOffice recalculates them.

Deliberately shares no code with workbook_templates.formulas: it works on values, not on formula text.
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

BLANK = None


def number(value: object) -> float | None:
    """A cell value as Excel's ISNUMBER sees it (booleans and text are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def period_change(kind: str, start: object, end: object, years: int = 5) -> float | None:
    a, b = number(start), number(end)
    if a is None or b is None:
        return BLANK
    if kind == "level":
        return ((b / a) ** (1 / years) - 1) * 100 if a > 0 and b > 0 else BLANK
    if kind == "rate":
        return (b - a) / years
    if kind == "count":
        return b - a
    raise ValueError(kind)


def mean_growth(rates: list[object]) -> float | None:
    values = [number(r) for r in rates]
    if any(v is None for v in values):
        return BLANK
    product = math.prod(1 + v / 100 for v in values)
    return (product ** (1 / len(values)) - 1) * 100 if product > 0 else BLANK


def at_precision(value: float, decimals: int, mode: str = ROUND_HALF_UP) -> float:
    """A spreadsheet's ROUND (half away from zero; ROUNDDOWN with mode=ROUND_DOWN), which works on the value's
    15 significant digits: 8.495 typed rounds to 8.50."""
    return float(Decimal(f"{value:.15g}").quantize(Decimal(10) ** -decimals, rounding=mode))


def _judged(target_kind: str, kind: str, direction: str, change, base, end, years: int, yearly: list) -> float | None:
    """The value a target of ``target_kind`` is judged on (docs/catalog.md, "Target kinds")."""
    if target_kind == "end":
        return number(end)
    if target_kind == "avg_growth":
        return change if kind == "growth" else period_change("level", base, end, years)
    if target_kind == "avg_change":
        a, b = number(base), number(end)
        return (b - a) / years if a is not None and b is not None else BLANK
    values = [number(v) for v in yearly]
    if any(v is None for v in values):
        return BLANK
    if target_kind == "total":
        return sum(values)
    if target_kind == "annual_avg":
        return sum(values) / len(values)
    if target_kind == "annual_each":
        return max(values) if direction == "down" else min(values)
    raise ValueError(target_kind)


def _completion(direction: str, value: float, low: float, upper: float) -> float | None:
    target = low if direction == "up" else upper
    if not ((value > 0 and target > 0) or (value < 0 and target < 0)):
        return BLANK  # a ratio of figures of different signs means nothing
    # higher is better: reached / wanted; lower is better: wanted / reached for positive figures (a rate), and
    # reached / wanted for negative ones (a fall of 2.2 points against a wanted fall of 2 is 110 %)
    if direction == "up":
        ratio = value / target if value > 0 else target / value
    else:
        ratio = target / value if value > 0 else value / target
    return at_precision(ratio * 100, 2, ROUND_DOWN)


def indicator_derived(indicator, row: dict[str, object]) -> dict[str, object]:
    """Expected values of the computed columns of one indicator row (keys as in the template). The 2016-2020
    change runs from 2015, or from the year a new method starts; the 2021-2025 plan from the revalued 2020
    figure where the indicator depends on GRDP and it is filled. The verdict and the completion compare the
    judged value and the target at the indicator's decimals; the completion is cut to two decimals; a neutral
    indicator gets neither."""
    kind, direction, decimals = indicator.kind, indicator.direction, indicator.decimals
    first = indicator.series_break or 2015
    past_years = list(range(2016, 2021))
    yearly_past = [row.get(f"actual_{y}") if y < 2020 else row.get("estimate_2020") for y in past_years]
    base = row.get(f"actual_{first}")
    revalued = number(row.get("estimate_2020_revalued")) if indicator.revalued else None
    plan_base = revalued if revalued is not None else row.get("estimate_2020")
    plans = [row.get(f"plan_{y}") for y in range(2021, 2026)]
    rates_past = [v for y, v in zip(past_years, yearly_past, strict=True) if y > first]
    if kind == "growth":
        past, plan = mean_growth(rates_past), mean_growth(plans)
    else:
        past = period_change(kind, base, row.get("estimate_2020"), 2020 - first)
        plan = period_change(kind, plan_base, row.get("plan_2025"))
    before = number(row.get("growth_2011_2015"))
    comparable = not indicator.series_break
    compare = past - before if comparable and past is not None and before is not None else BLANK
    tk = indicator.target_kind
    judged = _judged(
        tk,
        kind,
        direction,
        past,
        base,
        row.get("estimate_2020"),
        2020 - first,
        rates_past if kind == "growth" else yearly_past,
    )
    judged_plan = _judged(tk, kind, direction, plan, plan_base, row.get("plan_2025"), 5, plans)
    low, high = number(row.get("target_2020")), number(row.get("target_2020_max"))
    upper = high if high is not None else low
    completion = evaluation = BLANK
    if judged is not None and low is not None and direction != "neutral":
        value, low, upper = (at_precision(x, decimals) for x in (judged, low, upper))
        completion = _completion(direction, value, low, upper)
        if direction == "up":
            evaluation = "Vượt" if value > upper else "Đạt" if value >= low else "Không đạt"
        else:
            evaluation = "Vượt" if value < low else "Đạt" if value <= upper else "Không đạt"
    return {
        "growth_2016_2020": past,
        "compare_2011_2015": compare,
        "judged_2020": judged,
        "completion_2020": completion,
        "evaluation_2020": evaluation,
        "growth_2021_2025": plan,
        "judged_2025": judged_plan,
    }


def grdp_derived(values: dict[str, dict[int, object]], sectors: list[str], bases: list[str]) -> dict[str, dict]:
    """Expected GRDP sheet values: {row key: {year or "avg": value}} for the computed rows."""
    years = list(range(2015, 2021))
    out: dict[str, dict] = {}

    def get(key: str, year: int) -> float | None:
        return number(values.get(key, {}).get(year))

    for basis in bases:
        for price in ("current", "constant"):
            total = {}
            for y in years:
                parts = [get(f"{basis}.{price}.{s}", y) for s in sectors]
                total[y] = sum(parts) if all(p is not None for p in parts) else BLANK
            out[f"{basis}.{price}.total"] = total
        for s in sectors:
            out[f"{basis}.share.{s}"] = {}
            for y in years:
                part, total = get(f"{basis}.current.{s}", y), out[f"{basis}.current.total"][y]
                out[f"{basis}.share.{s}"][y] = (
                    part / total * 100 if part is not None and total not in (None, 0) else BLANK
                )
        for s in [*sectors, "total"]:
            series = {
                y: (out[f"{basis}.constant.total"][y] if s == "total" else get(f"{basis}.constant.{s}", y))
                for y in years
            }
            growth = {
                y: (
                    (series[y] / series[y - 1] - 1) * 100
                    if series[y] is not None and series[y - 1] is not None and series[y - 1] > 0
                    else BLANK
                )
                for y in years[1:]
            }
            growth["avg"] = mean_growth([growth[y] for y in years[1:]])
            out[f"{basis}.growth.{s}"] = growth
        for s in sectors:
            contribution = {}
            for y in years[1:]:
                now, before = get(f"{basis}.constant.{s}", y), get(f"{basis}.constant.{s}", y - 1)
                total_before = out[f"{basis}.constant.total"][y - 1]
                ok = now is not None and before is not None and total_before is not None and total_before > 0
                contribution[y] = (now - before) / total_before * 100 if ok else BLANK
            out[f"{basis}.contribution.{s}"] = contribution
        per_capita = {}
        for y in years:
            total, population = out[f"{basis}.current.total"][y], get("population", y)
            ok = total is not None and population is not None and population > 0
            per_capita[y] = total / population if ok else BLANK
        out[f"{basis}.per_capita"] = per_capita
    return out


def project_derived(row: dict[str, object]) -> dict[str, object]:
    total = number(row.get("total"))
    allocated = number(row.get("allocated_2020"))
    remaining = total - (allocated or 0.0) if total is not None else BLANK
    sources = [number(row.get(k)) for k in ("need_central", "need_local", "need_oda", "need_other")]
    present = [s for s in sources if s is not None]
    total_sources = sum(present) if present else BLANK
    need = number(row.get("need_total"))
    gap = need - total_sources if need is not None and total_sources is not None else BLANK
    return {"remaining": remaining, "need_sum": total_sources, "need_gap": gap}
