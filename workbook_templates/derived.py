"""The computed columns in Python: what the template's formulas give, from the same inputs.

Used where no spreadsheet engine runs: the cached results the builder writes with filled values, the
validation rules (which never trust a computed cell's stored value) and the merge. The formulas and these
functions follow the same table in docs/template-format.md; the formula test checks both against
LibreOffice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import pairwise

from kehoach.workbook_templates.formulas import EXCEEDED, MET, NOT_MET, PERIOD_YEARS

Value = float | None


def as_number(value: object) -> Value:
    """The value as Excel's ISNUMBER sees it: numbers only (not text, not booleans), finite."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def geometric_mean_growth(rates: Sequence[object]) -> Value:
    values = [as_number(r) for r in rates]
    if any(v is None for v in values):
        return None
    product = math.prod(1 + v / 100 for v in values)  # type: ignore[operator]
    return (product ** (1 / len(values)) - 1) * 100 if product > 0 else None


def period_change(kind: str, start: object, end: object, years: int = PERIOD_YEARS) -> Value:
    a, b = as_number(start), as_number(end)
    if a is None or b is None:
        return None
    if kind == "level":
        return ((b / a) ** (1 / years) - 1) * 100 if a > 0 and b > 0 else None
    if kind == "rate":
        return (b - a) / years
    if kind == "count":
        return b - a
    raise ValueError(kind)


def growth_2016_2020(kind: str, row: Mapping[str, object]) -> Value:
    if kind == "growth":
        return geometric_mean_growth([row.get(f"actual_{y}") for y in range(2016, 2020)] + [row.get("estimate_2020")])
    return period_change(kind, row.get("actual_2015"), row.get("estimate_2020"))


def growth_2021_2025(kind: str, row: Mapping[str, object]) -> Value:
    if kind == "growth":
        return geometric_mean_growth([row.get(f"plan_{y}") for y in range(2021, 2026)])
    return period_change(kind, row.get("estimate_2020"), row.get("plan_2025"))


def judged_value(kind: str, row: Mapping[str, object]) -> Value:
    """The value compared with the 2016-2020 target: the period average for growth rates, else 2020."""
    return growth_2016_2020(kind, row) if kind == "growth" else as_number(row.get("estimate_2020"))


def evaluation(direction: str, value: Value, low: Value, high: Value) -> str | None:
    if value is None or low is None:
        return None
    upper = high if high is not None else low
    if direction == "up":
        return EXCEEDED if value > upper else MET if value >= low else NOT_MET
    return EXCEEDED if value < low else MET if value <= upper else NOT_MET


def completion(direction: str, value: Value, low: Value, high: Value) -> Value:
    if value is None or low is None:
        return None
    upper = high if high is not None else low
    if direction == "up":
        return value / low * 100 if low != 0 else None
    return upper / value * 100 if value != 0 else None


def indicator_derived(kind: str, direction: str, row: Mapping[str, object]) -> dict[str, object]:
    """Every computed column of an indicator row, keyed like the template's columns."""
    past = growth_2016_2020(kind, row)
    before = as_number(row.get("growth_2011_2015"))
    value = past if kind == "growth" else as_number(row.get("estimate_2020"))
    low, high = as_number(row.get("target_2020")), as_number(row.get("target_2020_max"))
    return {
        "growth_2016_2020": past,
        "compare_2011_2015": past - before if past is not None and before is not None else None,
        "completion_2020": completion(direction, value, low, high),
        "evaluation_2020": evaluation(direction, value, low, high),
        "growth_2021_2025": growth_2021_2025(kind, row),
    }


def project_derived(row: Mapping[str, object]) -> dict[str, Value]:
    sources = [as_number(row.get(k)) for k in ("src_central", "src_local", "src_oda", "src_other")]
    present = [s for s in sources if s is not None]
    total_sources = sum(present) if present else None
    total = as_number(row.get("total"))
    return {
        "src_sum": total_sources,
        "src_gap": total - total_sources if total is not None and total_sources is not None else None,
    }


def grdp_derived(
    values: Mapping[str, Mapping[int, object]], sectors: Sequence[str], bases: Sequence[str], years: Sequence[int]
) -> dict[str, dict[object, Value]]:
    """The computed rows of the GRDP sheet: {row key: {year, or "avg": value}} (see docs/template-format.md)."""
    out: dict[str, dict[object, Value]] = {}

    def get(key: str, year: int) -> Value:
        return as_number(values.get(key, {}).get(year))

    for basis in bases:
        for price in ("current", "constant"):
            series: dict[object, Value] = {}
            for y in years:
                parts = [get(f"{basis}.{price}.{s}", y) for s in sectors]
                series[y] = sum(parts) if all(p is not None for p in parts) else None  # type: ignore[arg-type]
            out[f"{basis}.{price}.total"] = series
        totals_current, totals_constant = out[f"{basis}.current.total"], out[f"{basis}.constant.total"]
        for s in sectors:
            shares: dict[object, Value] = {}
            for y in years:
                part, total = get(f"{basis}.current.{s}", y), totals_current[y]
                shares[y] = part / total * 100 if part is not None and total else None
            out[f"{basis}.share.{s}"] = shares
        for s in [*sectors, "total"]:
            level = {y: totals_constant[y] if s == "total" else get(f"{basis}.constant.{s}", y) for y in years}
            growth: dict[object, Value] = {
                y: (level[y] / level[prev] - 1) * 100
                if level[y] is not None and level[prev] is not None and level[prev] > 0
                else None
                for prev, y in pairwise(years)
            }
            growth["avg"] = geometric_mean_growth([growth[y] for y in years[1:]])
            out[f"{basis}.growth.{s}"] = growth
        for s in sectors:
            contribution: dict[object, Value] = {}
            for prev, y in pairwise(years):
                now, before = get(f"{basis}.constant.{s}", y), get(f"{basis}.constant.{s}", prev)
                total_before = totals_constant[prev]
                ok = now is not None and before is not None and total_before is not None and total_before > 0
                contribution[y] = (now - before) / total_before * 100 if ok else None  # type: ignore[operator]
            out[f"{basis}.contribution.{s}"] = contribution
        per_capita: dict[object, Value] = {}
        for y in years:
            total, population = totals_current[y], get("population", y)
            ok = total is not None and population is not None and population > 0
            per_capita[y] = total / population if ok else None  # type: ignore[operator]
        out[f"{basis}.per_capita"] = per_capita
    return out
