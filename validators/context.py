"""What every rule gets: the located submission and typed views of its values. Rules report by yielding
hits (validators.findings.Hit); this module knows nothing of the registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from kehoach.validators.contract import CellRef, Submission
from kehoach.validators.workbook import UnreadableWorkbook
from kehoach.workbook_templates import derived
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import Catalog, Indicator

MAX_MAGNITUDE = 1e15
INDICATOR_NUMBER_KEYS = tuple(
    c.key for c in L.indicator_columns() if c.role == "input" and c.type in ("number", "integer")
)
PAST_KEYS = ("actual_2015", "actual_2016", "actual_2017", "actual_2018", "actual_2019", "estimate_2020")
PLAN_KEYS = tuple(f"plan_{y}" for y in L.YEARS_PLAN)
TARGET_KEYS = ("target_2020", "target_2020_max", "target_2025", "target_2025_max")
# Columns holding a value of the indicator itself (not a change over a period): bounds and kinds apply; the
# targets only where the indicator's target is a level (Indicator.target_is_level).
LEVEL_KEYS = (*PAST_KEYS, *TARGET_KEYS, *PLAN_KEYS)


def is_level_cell(indicator: Indicator, key: str) -> bool:
    return key in LEVEL_KEYS and (key not in TARGET_KEYS or indicator.target_is_level)


@dataclass(frozen=True)
class NumericCell:
    ref: CellRef
    raw: object
    indicator: Indicator | None = None
    key: str = ""


def as_number(raw: object) -> float | None:
    """A typed number, as the rules use it: what Excel's ISNUMBER accepts, of a sane magnitude (T006 reports
    the rest)."""
    number = derived.as_number(raw)
    return number if number is not None and abs(number) <= MAX_MAGNITUDE else None


def is_rank(value: float) -> bool:
    """A priority rank: a whole number from 1 (the highest)."""
    return value >= 1 and value == round(value)


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def is_date(raw: object) -> bool:
    return isinstance(raw, dt.date | dt.datetime | dt.time | dt.timedelta)


class Context:
    def __init__(self, submission: Submission | None, catalog: Catalog, read_error: UnreadableWorkbook | None = None):
        self.sub = submission
        self.catalog = catalog
        self.read_error = read_error

    # --- what the rules read -----------------------------------------------------------------------

    @cached_property
    def indicators(self) -> list[Indicator]:
        """The expected indicators that were found in the table (in table order)."""
        found = [i for i in self.sub.expected_indicators() if self.sub.row_of(i.code) is not None]
        return sorted(found, key=lambda i: self.sub.row_of(i.code) or 0)

    def raw(self, indicator: Indicator, key: str) -> object:
        return self.sub.value(indicator.code, key)

    def number(self, indicator: Indicator, key: str) -> float | None:
        return as_number(self.sub.value(indicator.code, key))

    def row(self, indicator: Indicator) -> dict[str, object]:
        """The indicator's typed inputs as numbers (text and other non-numbers as empty)."""
        return self._rows[indicator.code]

    @cached_property
    def _rows(self) -> dict[str, dict[str, object]]:
        return {i.code: {key: self.number(i, key) for key in INDICATOR_NUMBER_KEYS} for i in self.indicators}

    def computed(self, indicator: Indicator) -> dict[str, object]:
        """The indicator's computed columns as the template's formulas give them from its typed inputs (never the
        stored results), worked out once for all the rules."""
        return self._computed[indicator.code]

    @cached_property
    def _computed(self) -> dict[str, dict[str, object]]:
        return {i.code: derived.indicator_values(i, self.row(i)) for i in self.indicators}

    def cell(self, indicator: Indicator, key: str) -> CellRef:
        ref = self.sub.cell(indicator.code, key)
        assert ref is not None, (indicator.code, key)
        return ref

    def has_column(self, key: str) -> bool:
        return self.sub.indicators is not None and key in self.sub.indicators.columns

    def numeric_cells(self) -> list[NumericCell]:
        """Every input cell where a number belongs: indicator values, GRDP inputs, project money and years,
        and the revision number of the unit information (listed once, read by many rules)."""
        return self._numeric_cells

    @cached_property
    def _numeric_cells(self) -> list[NumericCell]:
        return list(self._each_numeric_cell())

    def _each_numeric_cell(self) -> Iterator[NumericCell]:
        for indicator in self.indicators:
            for key in INDICATOR_NUMBER_KEYS:
                if self.has_column(key):
                    yield NumericCell(self.cell(indicator, key), self.raw(indicator, key), indicator, key)
        yield from self.grdp_inputs()
        table = self.sub.projects
        if table is not None:
            keys = [c.key for c in L.project_columns() if c.role == "input" and c.type in ("number", "integer")]
            for row_key, row in self.sub.project_rows.items():
                if row_key == L.PROJECT_TOTAL_KEY:
                    continue
                for key in keys:
                    if key in table.columns:
                        yield NumericCell(table.cell(row, key), table.value(row, key), key=key)
        if "revision" in self.sub.info:
            yield NumericCell(self.sub.info["revision"], self.sub.info_value("revision"), key="revision")

    def grdp_inputs(self) -> Iterator[NumericCell]:
        table = self.sub.grdp
        if table is None:
            return
        for grdp_row in L.grdp_rows(self.catalog):
            row = self.sub.grdp_rows.get(grdp_row.key)
            if grdp_row.role != "input" or row is None:
                continue
            for year in L.YEARS_PAST:
                key = f"y{year}"
                if key in table.columns:
                    yield NumericCell(table.cell(row, key), table.value(row, key), key=f"{grdp_row.key}@{year}")

    def grdp_number(self, row_key: str, year: int | str) -> float | None:
        table, row = self.sub.grdp, self.sub.grdp_rows.get(row_key)
        column = f"y{year}" if isinstance(year, int) else year
        if table is None or row is None or column not in table.columns:
            return None
        return as_number(table.value(row, column))

    def grdp_cell(self, row_key: str, year: int | str) -> CellRef | None:
        table, row = self.sub.grdp, self.sub.grdp_rows.get(row_key)
        column = f"y{year}" if isinstance(year, int) else year
        if table is None or row is None or column not in table.columns:
            return None
        return table.cell(row, column)

    @cached_property
    def value_failures(self) -> dict[str, list[NumericCell]]:
        """Failures of the value schema (pandera), by rule code."""
        from kehoach.validators.schemas import value_failures

        return value_failures(self)
