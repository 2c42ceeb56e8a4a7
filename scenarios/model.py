"""The scenario model in Python: from the base year and each sector's yearly growth, the GRDP path, its
growth, the economic structure, each sector's contribution and GRDP per capita; and the inverse, the
growth a sector needs for GRDP to grow at a target rate with the other sectors as assumed.

The scenario sheet (scenarios/sheet.py) computes the same quantities with Excel formulas and stores these
results with them; docs/scenarios.md states the equations. Inputs are trusted here (the loaders check
them): levels positive, growth rates above -100 %.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from kehoach.workbook_templates import derived

UP = "up"  # GRDP growth: higher is better, as the evaluation of indicators has it


class Note(str):
    """A text for the reader: the Vietnamese, with its English as ``message_en`` (the CLI picks one)."""

    message_en: str

    def __new__(cls, vi: str, en: str = "") -> Note:  # en optional: pickle calls Note(vi)
        note = super().__new__(cls, vi)
        note.message_en = en
        return note


@dataclass(frozen=True)
class Target:
    """Average yearly GRDP growth aimed at (%): a single value, or a range ``low``-``high``."""

    low: float
    high: float | None = None


# The directive's headline target for 2021-2025; the scenario sheet lets the DPI type another.
DIRECTIVE_TARGET = Target(9.0, 10.0)


@dataclass(frozen=True)
class Base:
    """The province in the base year (2020, revalued basis), sectors in catalog order."""

    year: int
    constant: Mapping[str, float]  # value added at constant 2010 prices, tỷ đồng
    current: Mapping[str, float]  # value added at current prices, tỷ đồng
    population: float  # average population, thousand people
    source: str = ""  # where the figures come from, as people read it

    @property
    def sectors(self) -> tuple[str, ...]:
        return tuple(self.constant)


@dataclass(frozen=True)
class Scenario:
    """Assumptions for each year after the base year, in percent per year."""

    key: str
    name_vi: str
    growth: Mapping[str, tuple[float, ...]]  # value added at constant prices, by sector
    price: Mapping[str, tuple[float, ...]]  # implicit deflator (current / constant prices), by sector
    population: tuple[float, ...]
    sources: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (series, sector): where it comes from

    @property
    def length(self) -> int:
        return len(self.population)

    def with_growth(self, sector: str, rates: Sequence[float]) -> Scenario:
        return replace(self, growth={**self.growth, sector: tuple(rates)})


@dataclass(frozen=True)
class Projection:
    """Levels from the base year on; rates for the years after it."""

    scenario: Scenario
    years: tuple[int, ...]  # the base year, then the projected years
    constant: dict[str, dict[int, float]]
    deflator: dict[str, dict[int, float]]
    current: dict[str, dict[int, float]]
    population: dict[int, float]

    @property
    def plan_years(self) -> tuple[int, ...]:
        return self.years[1:]

    @property
    def constant_total(self) -> dict[int, float]:
        return {y: sum(series[y] for series in self.constant.values()) for y in self.years}

    @property
    def current_total(self) -> dict[int, float]:
        return {y: sum(series[y] for series in self.current.values()) for y in self.years}

    @property
    def growth(self) -> dict[int, float]:
        """GRDP growth at constant prices (%)."""
        total = self.constant_total
        return {y: (total[y] / total[prev] - 1) * 100 for prev, y in pairwise(self.years)}

    @property
    def average_growth(self) -> float | None:
        """Average yearly GRDP growth over the projected years: the geometric mean of (1 + g)."""
        return derived.geometric_mean_growth(list(self.growth.values()))

    @property
    def contributions(self) -> dict[str, dict[int, float]]:
        """Percentage points of GRDP growth due to each sector; they add up to the growth."""
        total = self.constant_total
        return {
            sector: {y: (series[y] - series[prev]) / total[prev] * 100 for prev, y in pairwise(self.years)}
            for sector, series in self.constant.items()
        }

    @property
    def structure(self) -> dict[str, dict[int, float]]:
        """Each sector's share of GRDP at current prices (%); the shares add up to 100."""
        total = self.current_total
        return {sector: {y: series[y] / total[y] * 100 for y in self.years} for sector, series in self.current.items()}

    @property
    def per_capita(self) -> dict[int, float]:
        """GRDP at current prices per inhabitant: tỷ đồng per thousand people = million đồng per person."""
        total = self.current_total
        return {y: total[y] / self.population[y] for y in self.years}

    def verdict(self, target: Target) -> str | None:
        """Vượt, Đạt or Không đạt: the average growth against the target, as an indicator is evaluated."""
        return derived.evaluation(UP, self.average_growth, target.low, target.high)


def _compound(start: float, rates: Sequence[float], years: Sequence[int]) -> dict[int, float]:
    levels = {years[0]: start}
    for (prev, year), rate in zip(pairwise(years), rates, strict=True):
        levels[year] = levels[prev] * (1 + rate / 100)
    return levels


def project(base: Base, scenario: Scenario) -> Projection:
    """Each sector's value added grows at its rate; its deflator starts at the base year's implicit
    deflator (current / constant) and grows at its price rate; current = constant × deflator."""
    years = tuple(range(base.year, base.year + scenario.length + 1))
    constant, deflator, current = {}, {}, {}
    for sector in base.sectors:
        constant[sector] = _compound(base.constant[sector], scenario.growth[sector], years)
        deflator[sector] = _compound(base.current[sector] / base.constant[sector], scenario.price[sector], years)
        # The base year keeps the figure as reported rather than its product with the ratio it came from.
        current[sector] = {
            y: base.current[sector] if y == base.year else constant[sector][y] * deflator[sector][y] for y in years
        }
    population = _compound(base.population, scenario.population, years)
    return Projection(scenario, years, constant, deflator, current, population)


def required_growth(base: Base, scenario: Scenario, sector: str, target: float) -> dict[int, float | None]:
    """The yearly growth (%) ``sector`` needs for GRDP to grow by ``target`` % in every year, the other
    sectors growing as the scenario assumes.

    Year by year in closed form: GRDP must be G0·(1+T)^k in the k-th year, so the sector must produce
    R(k) = G0·(1+T)^k − (others' value added that year), and its growth is R(k)/R(k−1) − 1. None for a year
    where R(k−1) or R(k) is not positive: the other sectors alone reach the target path, no level fits."""
    projection = project(base, scenario)
    total = projection.constant_total
    level = projection.constant[sector]
    start = total[base.year]

    def needed(k: int) -> float:
        year = base.year + k
        return start * (1 + target / 100) ** k - (total[year] - level[year])

    rates: dict[int, float | None] = {}
    for k, year in enumerate(projection.plan_years, start=1):
        now, before = needed(k), needed(k - 1)
        rates[year] = (now / before - 1) * 100 if now > 0 and before > 0 else None
    return rates
