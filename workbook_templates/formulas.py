"""Excel formulas of the computed cells, chosen by the indicator's kind and direction.

Every formula is guarded so that an empty, text or zero input gives an empty cell, never an Excel error.
The meaning of each formula is documented in docs/template-format.md ("Computed columns").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kehoach.workbook_templates.catalog import Indicator

EXCEEDED, MET, NOT_MET = "Vượt", "Đạt", "Không đạt"
PERIOD_YEARS = 5


def guarded(expr: str, numbers: Sequence[str], positive: Sequence[str] = (), nonzero: Sequence[str] = ()) -> str:
    """``expr`` when every cell in ``numbers`` holds a number and the sign conditions hold, else ""."""
    conditions = [f"{c}>0" for c in positive] + [f"{c}<>0" for c in nonzero]
    inner = f'IF(AND({",".join(conditions)}),{expr},"")' if conditions else expr
    return f'IF(AND({",".join(f"ISNUMBER({c})" for c in numbers)}),{inner},"")'


def geometric_mean_growth(cells: Sequence[str]) -> str:
    """Average yearly growth (%) from yearly growth rates (%): (prod(1 + g/100))^(1/n) - 1."""
    product = "*".join(f"(1+{c}/100)" for c in cells)
    return f'IF(COUNT({",".join(cells)})={len(cells)},IF({product}>0,(({product})^(1/{len(cells)})-1)*100,""),"")'


def period_change(kind: str, start: str, end: str, years: int = PERIOD_YEARS) -> str:
    """Average yearly growth of a level (%), average yearly change of a rate (points), or the total
    increase of a count, from ``start`` to ``end``."""
    if kind == "level":
        return guarded(f"(({end}/{start})^(1/{years})-1)*100", [start, end], positive=[start, end])
    if kind == "rate":
        return guarded(f"({end}-{start})/{years}", [start, end])
    if kind == "count":
        return guarded(f"{end}-{start}", [start, end])
    raise ValueError(kind)


def evaluated_value(indicator: Indicator, ref: Callable[[str], str]) -> str:
    """The cell judged against the 2016-2020 target: the period average for growth rates, else 2020."""
    return ref("growth_2016_2020") if indicator.kind == "growth" else ref("estimate_2020")


def indicator_formula(key: str, indicator: Indicator, ref: Callable[[str], str]) -> str:
    """The formula (without the leading '=') of computed column ``key`` on ``indicator``'s row;
    ``ref(key)`` gives the address of another column on the same row."""
    if key == "growth_2016_2020":
        if indicator.kind == "growth":
            return geometric_mean_growth(
                [ref(f"actual_{y}") for y in (2016, 2017, 2018, 2019)] + [ref("estimate_2020")]
            )
        return period_change(indicator.kind, ref("actual_2015"), ref("estimate_2020"))
    if key == "growth_2021_2025":
        if indicator.kind == "growth":
            return geometric_mean_growth([ref(f"plan_{y}") for y in range(2021, 2026)])
        return period_change(indicator.kind, ref("estimate_2020"), ref("plan_2025"))
    if key == "compare_2011_2015":
        now, before = ref("growth_2016_2020"), ref("growth_2011_2015")
        return guarded(f"{now}-{before}", [now, before])
    value, low, high = evaluated_value(indicator, ref), ref("target_2020"), ref("target_2020_max")
    upper = f"IF(ISNUMBER({high}),{high},{low})"
    if key == "completion_2020":
        if indicator.direction == "up":
            return guarded(f"{value}/{low}*100", [value, low], nonzero=[low])
        return guarded(f"{upper}/{value}*100", [value, low], nonzero=[value])
    if key == "evaluation_2020":
        if indicator.direction == "up":
            verdict = f'IF({value}>{upper},"{EXCEEDED}",IF({value}>={low},"{MET}","{NOT_MET}"))'
        else:
            verdict = f'IF({value}<{low},"{EXCEEDED}",IF({value}<={upper},"{MET}","{NOT_MET}"))'
        return guarded(verdict, [value, low])
    raise KeyError(key)


def grdp_formula(role: str, cells: dict[str, str]) -> str:
    """Formula of a GRDP sheet cell; ``cells`` names the cells it uses (see builder)."""
    if role == "total":
        parts = cells["parts"]
        return f'IF(COUNT({parts})={cells["count"]},SUM({parts}),"")'
    if role == "share":
        part, total = cells["part"], cells["total"]
        return guarded(f"{part}/{total}*100", [part, total], nonzero=[total])
    if role == "growth":
        now, before = cells["now"], cells["before"]
        return guarded(f"({now}/{before}-1)*100", [now, before], positive=[before])
    if role == "contribution":
        now, before, total_before = cells["now"], cells["before"], cells["total_before"]
        return guarded(f"({now}-{before})/{total_before}*100", [now, before, total_before], positive=[total_before])
    if role == "per_capita":
        total, population = cells["total"], cells["population"]
        return guarded(f"{total}/{population}", [total, population], positive=[population])
    raise KeyError(role)


def project_formula(key: str, ref: Callable[[str], str]) -> str:
    sources = [ref(k) for k in ("src_central", "src_local", "src_oda", "src_other")]
    if key == "src_sum":
        return f'IF(COUNT({",".join(sources)})=0,"",SUM({",".join(sources)}))'
    if key == "src_gap":
        return guarded(f"{ref('total')}-{ref('src_sum')}", [ref("total"), ref("src_sum")])
    raise KeyError(key)
