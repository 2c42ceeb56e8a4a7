"""Realistic, clean, synthetic submissions for every unit, deterministic by seed.

Province paths come from ``profile.csv`` (synthetic orders of magnitude, not official figures). Districts
split additive indicators so that they add up exactly to the province; every indicator reported by several
units carries the same figure everywhere; the catalog's identities hold. A clean submission passes every
rule without an error or a warning (tests check this).
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
    province = {ind.code: _province_series(ind, profiles()[ind.code], rng) for ind in catalog.indicators}
    _apply_identities(catalog, province)
    weights = _district_weights(catalog, rng)
    chosen = [catalog.unit(code) for code in units] if units else list(catalog.units)
    return {unit.code: _filling(catalog, unit, province, weights, seed) for unit in chosen}


def _clamp(ind: Indicator, value: float) -> float:
    low = ind.min if ind.min is not None else -float("inf")
    high = ind.max if ind.max is not None else float("inf")
    if ind.kind == "rate" and ind.unit == "%":
        low, high = max(low, 0.0), min(high, 100.0)
    return min(max(value, low), high)


def _province_series(ind: Indicator, profile: Profile, rng: random.Random) -> dict[int, float]:
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
        series[year] = _clamp(ind, value)
    # a neutral indicator (population, shares of GRDP) keeps its rising trend, as a higher-is-better one does
    plan_step = profile.trend if (profile.trend >= 0) == (ind.direction != "down") else 0.0
    if ind.kind == "rate" and ind.direction == "down":
        plan_step = min(plan_step, -0.1)  # a lower-is-better rate is planned to fall
    # the plan starts from the revalued 2020 figure where the indicator depends on GRDP
    start = series[2020] * (REVALUATION if ind.revalued and ind.kind == "level" else 1.0)
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
        series[year] = _clamp(ind, value)
    return {year: _round(ind, value) for year, value in series.items()}


def _round(ind: Indicator, value: float) -> float:
    return float(round(value)) if ind.kind == "count" else round(value, max(ind.decimals, 2))


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
    ind: Indicator, unit: Unit, province: dict[int, float], weights: dict[str, float], catalog: Catalog, year: int
) -> float:
    if not ind.additive:
        return province[year]
    codes = [u.code for u in catalog.districts]
    if ind.kind == "count":
        return float(
            _count_owners(tuple(codes), tuple(weights[c] for c in codes), int(province[year])).count(unit.code)
        )
    if unit.code == codes[-1]:  # the last district takes the rounding remainder
        others = sum(round(province[year] * weights[c], 4) for c in codes[:-1])
        return round(province[year] - others, 4)
    return round(province[year] * weights[unit.code], 4)


@cache
def _count_owners(codes: tuple[str, ...], weights: tuple[float, ...], total: int) -> list[str]:
    """Which district each of the first ``total`` counted items belongs to (smooth weighted round robin): a
    district's share never shrinks as the province's count grows, and the shares add up exactly."""
    current = dict.fromkeys(codes, 0.0)
    owners = []
    for _ in range(total):
        for code, weight in zip(codes, weights, strict=True):
            current[code] += weight
        chosen = max(codes, key=lambda c: current[c])
        current[chosen] -= 1.0
        owners.append(chosen)
    return owners


def _filling(
    catalog: Catalog, unit: Unit, province: dict[str, dict[int, float]], weights: dict[str, float], seed: int
) -> Filling:
    rng = random.Random(f"{seed}:{unit.code}")
    filling = Filling(
        info=texts.unit_info(unit, rng), sections=texts.sections(unit), projects=_projects(catalog, unit, rng)
    )
    for priority, ind in enumerate(catalog.indicators_for(unit), start=1):
        series = {
            year: _district_value(ind, unit, province[ind.code], weights, catalog, year)
            if unit.is_district
            else province[ind.code][year]
            for year in YEARS
        }
        filling.indicators[ind.code] = _indicator_row(ind, series, priority, rng)
    if "grdp" in unit.extra_sheets:
        filling.grdp = _grdp(catalog, province)
    return filling


def _indicator_row(ind: Indicator, series: dict[int, float], priority: int, rng: random.Random) -> dict[str, object]:
    row: dict[str, object] = {key: series[year] for key, year in PAST.items()}
    row.update({key: series[year] for key, year in PLAN.items()})
    if ind.revalued:
        row["estimate_2020_revalued"] = _round(ind, revalued(ind, series[2020]))
    computed = derived.indicator_values(ind, row)
    past = computed["growth_2016_2020"]
    row["growth_2011_2015"] = round(past + rng.uniform(-1.5, 1.5), 2) if past is not None else None
    low, high = ind.target_2020_min, ind.target_2020_max
    if low is None and high is None:
        judged = computed["judged_2020"]
        miss = rng.random() < 0.2
        step = 0.04 * abs(judged) + (0.5 if ind.kind == "count" else 0.0)
        ahead = (judged + step) if ind.direction != "down" else (judged - step)
        target = ahead if miss else judged
        low = _clamp(ind, round(target) if ind.kind == "count" else round(target, 2))
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
