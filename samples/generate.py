"""Realistic, clean, synthetic submissions for every unit, deterministic by seed.

Province paths come from ``profile.csv`` (synthetic orders of magnitude, not official figures). Districts
split additive indicators so that they add up exactly to the province (whole things in whole numbers, each
district's count within its own communes); a district's rate or per-capita level varies around the
province's (``district_share`` 1), and a level that is not additive (budget revenue collected on the
district's territory) is a share of the province's (``district_share`` below 1). Every indicator reported by
several of the province's units carries the same figure everywhere; the catalog's identities hold. Districts
have their own 2016-2020 targets, derived from their own figures in the form the catalog states
(``target_kind``), never the province's. Priority ranks run 1, 2, 3... within each task area. A clean
submission passes every rule without an error or a warning (tests check this).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kehoach.samples import texts
from kehoach.workbook_templates import derived
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.catalog import Catalog, Indicator, Unit
from kehoach.workbook_templates.filling import Filling
from kehoach.workbook_templates.formulas import CARRIED, NEW

PROFILE = Path(__file__).with_name("profile.csv")
YEARS = tuple(range(2015, 2026))
PAST = dict(
    zip(
        ("actual_2015", "actual_2016", "actual_2017", "actual_2018", "actual_2019", "estimate_2020"),
        range(2015, 2021),
        strict=True,
    )
)
PLAN = {f"plan_{y}": y for y in L.YEARS_PLAN}
# How far a district's rate or per-capita level lies from the province's, at least and at most (a fraction).
DISTRICT_SPREAD = (0.10, 0.30)
# Revalued GRDP relative to the old basis: GSO's revaluation lowered Trà Vinh's 2020 GRDP per capita from about
# 65 to about 61 million (shared/DOMAIN.md), a factor of about 0.94.
REVALUATION = 0.94
DEFLATOR_GROWTH = 0.035  # synthetic: yearly price growth turning current into constant 2010 prices
# Where the Statistics Office's GRDP sheet takes its synthetic figures: GRDP at current prices, population,
# and the catalog identity whose terms are the sector shares (in the order of grdp_sectors.csv).
GRDP_SOURCE = {"grdp": "KT03", "growth": "KT01", "population": "YT01", "shares": "structure"}


@dataclass(frozen=True)
class Profile:
    base_2015: float
    trend: float
    noise: float
    district_share: float | None


@cache
def profiles() -> dict[str, Profile]:
    with PROFILE.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return {
        row["code"]: Profile(
            float(row["base_2015"]),
            float(row["trend"]),
            float(row["noise"]),
            float(row["district_share"]) if row["district_share"] else None,
        )
        for row in csv.DictReader(lines)
    }


def generate_all(catalog: Catalog, seed: int = 2020, units: list[str] | None = None) -> dict[str, Filling]:
    """A clean filling for each unit (all units by default)."""
    rng = random.Random(seed)
    province = {
        ind.code: _province_series(ind, profiles()[ind.code], rng, _province_cap(catalog, ind))
        for ind in catalog.indicators
    }
    _apply_identities(catalog, province)
    weights = _district_weights(catalog, rng)
    chosen = [catalog.unit(code) for code in units] if units else list(catalog.units)
    return {unit.code: _filling(catalog, unit, province, weights, seed) for unit in chosen}


def _province_cap(catalog: Catalog, ind: Indicator) -> int | None:
    """The most a count of administrative units reaches in the province (its xã, communes or districts)."""
    if not ind.cap:
        return None
    departments = [u for u in catalog.units if not u.is_district]
    return catalog.cap_for(ind, departments[0]) if departments else None


def _clamp(ind: Indicator, value: float, cap: float | None = None) -> float:
    low = ind.min if ind.min is not None else -float("inf")
    high = ind.max if ind.max is not None else float("inf")
    if cap is not None:
        high = min(high, cap)
    if ind.kind == "rate" and ind.unit == "%":
        low, high = max(low, 0.0), min(high, 100.0)
    return min(max(value, low), high)


def _province_series(ind: Indicator, profile: Profile, rng: random.Random, cap: int | None = None) -> dict[int, float]:
    """Yearly province values 2015-2025: noisy history, then a smooth plan heading the right way."""
    series: dict[int, float] = {}
    for year in range(2015, 2021):
        t = year - 2015
        if ind.kind == "level":
            value = profile.base_2015 * (1 + profile.trend / 100) ** t * (1 + rng.gauss(0, profile.noise / 2))
        elif ind.kind == "count":
            value = round(profile.base_2015 + profile.trend * t)
        else:
            value = profile.base_2015 + profile.trend * t + rng.gauss(0, profile.noise / 2)
        series[year] = _clamp(ind, value, cap)
    # a neutral indicator (population, shares of GRDP) keeps its rising trend, as a higher-is-better one does
    plan_step = profile.trend if (profile.trend >= 0) == (ind.direction != "down") else 0.0
    if ind.kind == "rate" and ind.direction == "down":
        plan_step = min(plan_step, -0.1)  # a lower-is-better rate is planned to fall
    # the plan starts from the revalued 2020 figure where the indicator depends on GRDP
    start = revalued(ind, series[2020]) if ind.revalued else series[2020]
    for year in L.YEARS_PLAN:
        t, last = year - 2020, start
        if ind.kind == "level":
            value = last * (1 + plan_step / 100) ** t
        elif ind.kind == "growth":
            value = profile.base_2015
        elif ind.kind == "count":
            value = round(last + max(profile.trend, 0) * t)
        else:
            value = last + plan_step * t
        series[year] = _clamp(ind, value, cap)
    return {year: _round(ind, value) for year, value in series.items()}


def _round(ind: Indicator, value: float) -> float:
    return float(round(value)) if ind.whole else round(value, max(ind.decimals, 2))


def _apply_identities(catalog: Catalog, province: dict[str, dict[int, float]]) -> None:
    """Make the catalog's identities hold: a sum's result (or its last term, for a constant) and a ratio's
    result are recomputed from the other members."""
    for identity in catalog.identities:
        for year in YEARS:
            terms = [province[c][year] for c in identity.terms]
            if identity.kind == "ratio":
                province[identity.result][year] = round(terms[0] / terms[1], 4)
            elif identity.result in province:
                province[identity.result][year] = round(sum(terms), 4)
            else:
                last = identity.terms[-1]
                province[last][year] = round(float(identity.result) - sum(terms[:-1]), 4)


def _district_weights(catalog: Catalog, rng: random.Random) -> dict[str, float]:
    raw = {u.code: rng.uniform(0.6, 1.4) for u in catalog.districts}
    total = sum(raw.values())
    return {code: value / total for code, value in raw.items()}


def _district_value(
    ind: Indicator,
    unit: Unit,
    province: dict[int, float],
    weights: dict[str, float],
    catalog: Catalog,
    year: int,
    seed: int,
) -> float:
    """The district's figure of ``year``: its part of an additive province figure, else a figure of its own
    around the province's (a rate, a per-capita level) or a share of it (``district_share`` below 1)."""
    if ind.additive:
        return _district_part(ind, unit, province[year], weights, catalog)
    share = profiles()[ind.code].district_share
    if share is not None and share < 1:
        value = province[year] * share * weights[unit.code] * len(catalog.districts)
    else:
        factor = _district_factor(ind, unit, seed)
        value = province[year]
        if ind.kind == "rate" and ind.unit == "%" and province[2020] > 50:
            value = 100 - (100 - value) * factor  # near 100 %: the district's gap to 100 % varies
        else:
            value *= factor
    return _round(ind, _clamp(ind, value, catalog.cap_for(ind, unit)))


def _district_factor(ind: Indicator, unit: Unit, seed: int) -> float:
    """How far the district lies from the province on ``ind``, the same every year: 10-30 % above or below."""
    rng = random.Random(f"{seed}:{ind.code}:{unit.code}")
    return 1 + rng.choice((-1, 1)) * rng.uniform(*DISTRICT_SPREAD)


def _district_part(ind: Indicator, unit: Unit, total: float, weights: dict[str, float], catalog: Catalog) -> float:
    codes = [u.code for u in catalog.districts]
    if ind.whole:
        # whole things in whole numbers; a count of communes by each district's own communes, so that no
        # district counts more than it has
        own = {u.code: float(getattr(u, ind.cap)) for u in catalog.districts} if ind.cap else weights
        parts = _apportion(tuple(codes), tuple(own[c] for c in codes), round(total))
        return float(parts[codes.index(unit.code)])
    if unit.code == codes[-1]:  # the last district takes the rounding remainder
        others = sum(round(total * weights[c], 4) for c in codes[:-1])
        return round(total - others, 4)
    return round(total * weights[unit.code], 4)


@cache
def _apportion(codes: tuple[str, ...], weights: tuple[float, ...], total: int) -> tuple[int, ...]:
    """``total`` whole things shared among ``codes`` by ``weights`` (D'Hondt's highest averages): the parts add
    up exactly; a part never shrinks as the total grows, so a district's count never falls while the
    province's rises (nor rises while it falls); with weights the districts' own numbers of communes and a
    total up to their sum, no part exceeds its weight."""
    whole = sum(weights)
    parts = [int(total * w / whole + 1e-9) for w in weights]  # D'Hondt gives each at least its lower quota
    while sum(parts) > total:  # only through the rounding guard above
        index = max(range(len(parts)), key=lambda i: (parts[i] - total * weights[i] / whole, i))
        parts[index] -= 1
    while sum(parts) < total:
        index = max(range(len(parts)), key=lambda i: (weights[i] / (parts[i] + 1), -i))
        parts[index] += 1
    return tuple(parts)


def _filling(
    catalog: Catalog, unit: Unit, province: dict[str, dict[int, float]], weights: dict[str, float], seed: int
) -> Filling:
    rng = random.Random(f"{seed}:{unit.code}")
    filling = Filling(
        info=texts.unit_info(unit, rng), sections=texts.sections(unit), projects=_projects(catalog, unit, rng)
    )
    ranks: dict[str, int] = {}
    for ind in catalog.indicators_for(unit):
        ranks[ind.area] = ranks.get(ind.area, 0) + 1  # 1, 2, 3... within each task area, in table order
        series = {
            year: _district_value(ind, unit, province[ind.code], weights, catalog, year, seed)
            if unit.is_district
            else province[ind.code][year]
            for year in YEARS
        }
        published = None if unit.is_district else (ind.target_2020_min, ind.target_2020_max)
        cap = catalog.cap_for(ind, unit)
        filling.indicators[ind.code] = _indicator_row(ind, series, ranks[ind.area], rng, published, cap)
    if "grdp" in unit.extra_sheets:
        filling.grdp = _grdp(catalog, province)
    return filling


def _indicator_row(
    ind: Indicator,
    series: dict[int, float],
    priority: int,
    rng: random.Random,
    published: tuple[float | None, float | None] | None = None,
    cap: int | None = None,
) -> dict[str, object]:
    """An indicator's row. ``published``: the 2016-2020 target a public source states (the province's units);
    without one (a district, or no source) the unit sets its own from its own figures."""
    row: dict[str, object] = {key: series[year] for key, year in PAST.items()}
    row.update({key: series[year] for key, year in PLAN.items()})
    if ind.revalued:
        row["estimate_2020_revalued"] = _round(ind, revalued(ind, series[2020]))
    computed = derived.indicator_values(ind, row)
    past = computed["growth_2016_2020"]
    row["growth_2011_2015"] = round(past + rng.uniform(-1.5, 1.5), 2) if past is not None else None
    low, high = published if published is not None else (None, None)
    judged = computed["judged_2020"]
    if low is None and high is None:
        low = _own_target(ind, judged if isinstance(judged, float) else None, rng.random() < 0.2, cap)
    row["target_2020"] = low if low is not None else high
    if low is not None and high is not None and high != low:
        row["target_2020_max"] = high
    if derived.indicator_values(ind, row)["evaluation_2020"] == "Không đạt":
        row["cause"] = texts.cause(rng)
    if ind.target_kind == "end":
        row["target_2025"] = row["plan_2025"]
    else:
        row["target_2025"], row["target_2025_max"] = _range_around(
            ind, derived.indicator_values(ind, row)["judged_2025"]
        )
    row["priority"] = priority
    if ind.vsdg:
        row["vsdg"] = ind.vsdg
    return row


def revalued(ind: Indicator, estimate: float) -> float:
    """The 2020 figure on the revalued basis: amounts scale with GRDP; shares (of GRDP's parts, or of GRDP in
    something that is not) are taken as unchanged."""
    return estimate * REVALUATION if ind.kind == "level" else estimate


def _range_around(ind: Indicator, planned: object) -> tuple[float, float]:
    """A 2025 target range that the yearly plan meets, as a resolution would round it: half a point either side
    of a planned average growth or change, 5 % either side of a total or a yearly amount."""
    value = float(planned)  # type: ignore[arg-type]
    if ind.target_kind in ("avg_growth", "avg_change"):
        return round(value - 0.5, 1), round(value + 0.5, 1)
    return round(value * 0.95, ind.decimals), round(value * 1.05, ind.decimals)


def _target_decimals(ind: Indicator) -> int:
    if ind.target_kind == "avg_growth":
        return 1
    if ind.target_kind == "avg_change":
        return 2
    if ind.whole:
        return 0
    return max(ind.decimals, 2) if ind.target_kind == "end" else ind.decimals


def _own_target(ind: Indicator, judged: float | None, miss: bool, cap: int | None) -> float | None:
    """A target the unit sets itself: what it reached (met) or somewhat beyond (missed), in the target's form
    and rounding, a whole number for whole things, within the unit's own communes."""
    if judged is None:
        return None
    decimals = _target_decimals(ind)
    sign = -1 if ind.direction == "down" else 1
    if miss:
        step = 0.04 * abs(judged) + (0.5 if ind.whole else 0.0) + 10**-decimals
        target = judged + sign * step
    elif ind.target_kind == "end" and ind.kind != "growth":
        target = judged  # the end-year level as reached (the template's own verdict: met)
    else:
        target = judged - sign * 10**-decimals  # a target in another form: met with a margin of its rounding
    target = round(target, decimals) if decimals else float(round(target))
    return float(_clamp(ind, target, cap)) if ind.target_is_level else target


def _projects(catalog: Catalog, unit: Unit, rng: random.Random) -> list[dict[str, object]]:
    """2 to 6 projects of the medium-term plan, about four in ten carried over from 2016-2020 (started 2014-2020,
    part of their capital allocated), the rest new starts in 2021-2023; some end after 2025, their need for
    2021-2025 then a part of what remains. Ranked carried-over first, as the law gives them priority.

    ``rng`` is drawn exactly as before these projects had a status (the indicator values that follow from the
    same generator stay as they were); each project's own choices come from a generator seeded by those draws."""
    projects = []
    for name, area in texts.projects(unit, rng):
        start = rng.randint(2021, 2023)
        total = float(rng.randrange(5_000, 400_000, 500))
        shares = [rng.choice([0.0, 0.3, 0.5, 0.6]), rng.choice([0.0, 0.0, 0.2]), rng.choice([0.0, 0.1])]
        location = rng.choice([d.name_vi for d in catalog.districts])
        end = rng.randint(start, 2025)
        own = random.Random(f"{unit.code}:{name}:{total}")
        carried = own.random() < 0.4
        allocated = None
        if carried:
            start = own.randint(2014, 2020)
            end = own.randint(2021, 2026)
            allocated = float(round(total * own.uniform(0.2, 0.7), -2))
        elif own.random() < 0.25:
            end = own.randint(2026, 2027)
        remaining = total - (allocated or 0.0)
        need = remaining if end <= 2025 else float(round(remaining * own.uniform(0.5, 0.8), -2))
        central, oda, other = (float(round(need * share, -2)) for share in shares)
        projects.append(
            {
                "project": name,
                "location": location,
                "area": catalog.area(area).name_vi,
                "group": "C" if total < 45_000 else "B",
                "status": CARRIED if carried else NEW,
                "start_year": start,
                "end_year": end,
                "total": total,
                "allocated_2020": allocated,
                "need_total": need,
                "need_central": central,
                "need_local": need - central - oda - other,
                "need_oda": oda,
                "need_other": other,
            }
        )
    ranked = sorted(projects, key=lambda p: p["status"] != CARRIED)
    for priority, project in enumerate(ranked, start=1):
        project["priority"] = priority
    return projects


def _grdp(catalog: Catalog, province: dict[str, dict[int, float]]) -> dict[str, dict[int, object]]:
    """The GRDP sheet, consistent with the indicator table (rule K007): on the old basis, each sector's value
    added at current prices is the province's GRDP times its share; at constant 2010 prices, the total grows by
    the province's GRDP growth each year and is split like the current prices. The revalued basis scales both."""
    structure = next(i for i in catalog.identities if i.id == GRDP_SOURCE["shares"])
    shares = dict(zip((s.code for s in catalog.grdp_sectors), structure.terms, strict=True))
    gdp, growth = province[GRDP_SOURCE["grdp"]], province[GRDP_SOURCE["growth"]]
    first = L.YEARS_PAST[0]
    constant_total = {first: gdp[first] / (1 + DEFLATOR_GROWTH) ** (first - 2010)}
    for year in L.YEARS_PAST[1:]:
        constant_total[year] = constant_total[year - 1] * (1 + growth[year] / 100)
    grdp: dict[str, dict[int, object]] = {
        "population": {y: province[GRDP_SOURCE["population"]][y] for y in L.YEARS_PAST}
    }
    for basis, scale in (("old", 1.0), ("revalued", REVALUATION)):
        for sector, code in shares.items():
            share = {y: province[code][y] / 100 for y in L.YEARS_PAST}
            grdp[f"{basis}.current.{sector}"] = {y: round(gdp[y] * scale * share[y], 2) for y in L.YEARS_PAST}
            grdp[f"{basis}.constant.{sector}"] = {
                y: round(constant_total[y] * scale * share[y], 2) for y in L.YEARS_PAST
            }
    return grdp


def write_submission(
    catalog: Catalog, unit: Unit, filling: Filling, path: Path, received: dt.datetime | None = None
) -> Path:
    """Write a filled workbook as the DPI receives it (see :func:`mark_received`)."""
    build_workbook(catalog, unit, path, filling)
    return mark_received(path, filling, received)


def mark_received(path: Path, filling: Filling, received: dt.datetime | None = None) -> Path:
    """Give the file the time it arrived (by default the afternoon of the date the unit typed as sent):
    the merge judges lateness by it."""
    sent = filling.info.get("submitted_on")
    if received is None and isinstance(sent, dt.date):
        received = dt.datetime.combine(sent, dt.time(15, 30))
    if received is not None:
        stamp = received.timestamp()
        os.utime(path, (stamp, stamp))
    return path
