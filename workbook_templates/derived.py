"""The computed columns in Python: what the template's formulas give, from the same inputs.

Used where no spreadsheet engine runs: the cached results the builder writes with filled values, the
validation rules (which never trust a computed cell's stored value) and the merge. Nothing here is written
twice: each function evaluates the very expression (workbook_templates.formulas) that the builder renders as
the cell's formula. The formula test checks both against LibreOffice and an independent oracle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from kehoach.workbook_templates import formulas as F
from kehoach.workbook_templates.catalog import Indicator
from kehoach.workbook_templates.expr import ExcelError, Expr, Ref, is_number, result, shown

Value = float | None


def as_number(value: object) -> Value:
    """The value as Excel's ISNUMBER sees it: numbers only (not text, not booleans), finite."""
    return float(value) if is_number(value) else None  # type: ignore[arg-type]


def evaluate(expression: Expr, values: Mapping[str, object]) -> object:
    """The value the cell shows: None for an empty cell (a "" result) and where the sheet would show an error
    (which the guards leave only for absurd magnitudes)."""
    try:
        return result(shown(expression, values))
    except ExcelError:
        return None


def _number(expression: Expr, values: Mapping[str, object]) -> Value:
    return as_number(evaluate(expression, values))


@cache
def _geometric_mean(n: int) -> Expr:
    return F.geometric_mean([Ref(f"g{i}") for i in range(n)])


def geometric_mean_growth(rates: Sequence[object]) -> Value:
    return _number(_geometric_mean(len(rates)), {f"g{i}": rate for i, rate in enumerate(rates)})


# Built once per (column, indicator), not per row: the nodes are immutable.
_indicator_expr = cache(F.indicator_expr)


@cache
def _verdict(direction: str, decimals: int | None) -> Expr:
    return F.verdict_expr(direction, Ref("value"), Ref("low"), Ref("high"), decimals)


def evaluation(direction: str, value: object, low: object, high: object, decimals: int | None = None) -> str | None:
    """Vượt / Đạt / Không đạt of ``value`` against ``low`` (or the range ``low``-``high``) at ``decimals``
    (None: as they are); None for a neutral indicator or a missing value or target."""
    verdict = evaluate(_verdict(direction, decimals), {"value": value, "low": low, "high": high})
    return verdict if isinstance(verdict, str) else None


def indicator_values(indicator: Indicator, row: Mapping[str, object]) -> dict[str, object]:
    """Every computed column of ``indicator``'s row, keyed like the template's columns, as its formulas give
    them: the changes over each period, the values judged against the targets by the indicator's target kind,
    the verdict and the completion at the indicator's declared decimals."""
    values = dict(row)
    out: dict[str, object] = {}
    for key in F.INDICATOR_COMPUTED:
        out[key] = values[key] = evaluate(_indicator_expr(key, indicator), values)
    return out


_project_expr = cache(F.project_expr)


def project_derived(row: Mapping[str, object]) -> dict[str, Value]:
    """The computed columns of a project row (``remaining``, ``need_sum``, ``need_gap``) as its formulas give them."""
    values = dict(row)
    out: dict[str, Value] = {}
    for key in F.PROJECT_COMPUTED:
        out[key] = values[key] = _number(_project_expr(key), values)
    return out


def grdp_derived(
    values: Mapping[str, Mapping[int, object]], sectors: Sequence[str], bases: Sequence[str], years: Sequence[int]
) -> dict[str, dict[object, Value]]:
    """The computed rows of the GRDP sheet: {row key: {year, or "avg": value}} (see docs/template-format.md)."""

    def cell(key: str, year: int) -> str:
        return f"{key}@{year}"

    cells: dict[str, object] = {cell(k, y): v for k, series in values.items() for y, v in series.items()}
    out: dict[str, dict[object, Value]] = {}

    def compute(key: str, role: str, basis: str, sector: str) -> None:
        series: dict[object, Value] = {}
        for year in years:
            expression = F.grdp_cell_expr(key, role, basis, sector, year, years[0], sectors, cell)
            if expression is not None:
                series[year] = cells[cell(key, year)] = _number(expression, cells)
        if role == "growth":
            series["avg"] = _number(F.grdp_average_expr([cell(key, y) for y in years[1:]]), cells)
        out[key] = series

    for basis in bases:
        for price in ("current", "constant"):
            compute(f"{basis}.{price}.total", "total", basis, "total")
        for s in sectors:
            compute(f"{basis}.share.{s}", "share", basis, s)
        for s in [*sectors, "total"]:
            compute(f"{basis}.growth.{s}", "growth", basis, s)
        for s in sectors:
            compute(f"{basis}.contribution.{s}", "contribution", basis, s)
        compute(f"{basis}.per_capita", "per_capita", basis, "")
    return out
