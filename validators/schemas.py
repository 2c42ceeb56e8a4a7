"""The pandera side of validation: the value schema, built from the catalog, and the required-columns schema.

The value schema has one column per kind of value check the catalog calls for: percentages (rates in %), values
that cannot be negative (levels and counts whose lower bound allows no less, and the GRDP inputs), whole numbers
(counts, and indicators counted in whole things), and one column per pair of plausible bounds the catalog gives.
Each column carries pandera's own check with the catalog's parameters (``in_range``, ``ge``, ``le``), named by
rule code. The frame to validate has one row per checked cell and puts the cell's value in the columns whose checks
apply to it (empty elsewhere: pandera's checks skip empty values); a column no cell goes into is left out of
the frame (the schema's columns are not required). A rule in :mod:`validators.rules.ranges`
reports the failure cases of its own check.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import pandera.pandas as pa
from kehoach.validators.context import NumericCell, as_number, is_level_cell

if TYPE_CHECKING:
    from kehoach.validators.context import Context
    from kehoach.workbook_templates.catalog import Catalog, Indicator

NON_NEGATIVE_GRDP_ROWS = ("population", ".current.", ".constant.")
PERCENT, NON_NEGATIVE, WHOLE = "percent", "non_negative", "whole"


def _whole(values: pd.Series) -> pd.Series:
    return values == values.round()


def _bounds_column(low: float | None, high: float | None) -> str:
    return f"bounds {'' if low is None else low}..{'' if high is None else high}"


def _bounds_check(low: float | None, high: float | None) -> pa.Check:
    if low is not None and high is not None:
        return pa.Check.in_range(low, high, error="R004")
    if low is not None:
        return pa.Check.ge(low, error="R004")
    return pa.Check.le(high, error="R004")


def _checks(indicator: Indicator) -> Iterator[str]:
    """The columns of the value schema an indicator's own values go into."""
    if indicator.kind == "rate" and indicator.unit == "%":
        yield PERCENT
    if indicator.kind in ("level", "count") and (indicator.min is None or indicator.min >= 0):
        yield NON_NEGATIVE
    if indicator.whole:
        yield WHOLE
    if indicator.min is not None or indicator.max is not None:
        yield _bounds_column(indicator.min, indicator.max)


@dataclass(frozen=True)
class ValueSchema:
    schema: pa.DataFrameSchema
    columns: dict[str, tuple[str, ...]]  # indicator code -> the schema's columns its values go into


_SCHEMAS: dict[int, tuple[Catalog, ValueSchema]] = {}


def value_schema(catalog: Catalog) -> ValueSchema:
    """The value schema of ``catalog`` (built once per catalog)."""
    known = _SCHEMAS.get(id(catalog))
    if known is not None and known[0] is catalog:
        return known[1]
    columns = {indicator.code: tuple(_checks(indicator)) for indicator in catalog.indicators}
    schema_columns = {
        PERCENT: pa.Column(float, pa.Check.in_range(0, 100, error="R001"), nullable=True, required=False),
        NON_NEGATIVE: pa.Column(float, pa.Check.ge(0, error="R002"), nullable=True, required=False),
        WHOLE: pa.Column(float, pa.Check(_whole, error="R003"), nullable=True, required=False),
    }
    for indicator in catalog.indicators:
        if indicator.min is not None or indicator.max is not None:
            column = pa.Column(float, _bounds_check(indicator.min, indicator.max), nullable=True, required=False)
            schema_columns.setdefault(_bounds_column(indicator.min, indicator.max), column)
    built = ValueSchema(pa.DataFrameSchema(schema_columns), columns)
    _SCHEMAS[id(catalog)] = (catalog, built)
    return built


def _columns(cell: NumericCell, columns: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The value schema's columns a cell's value goes into: none when the cell is not an indicator's own value."""
    indicator = cell.indicator
    if indicator is not None:
        own_quantity = is_level_cell(indicator, cell.key) or indicator.kind == "growth"
        return columns.get(indicator.code, ()) if own_quantity else ()
    if "@" in cell.key:  # a GRDP input: value added or population, never negative (product taxes may be)
        row_key = cell.key.split("@")[0]
        if any(part in row_key for part in NON_NEGATIVE_GRDP_ROWS) and not row_key.endswith(".taxes"):
            return (NON_NEGATIVE,)
    return ()


def value_failures(ctx: Context) -> dict[str, list[NumericCell]]:
    built = value_schema(ctx.catalog)
    cells: list[NumericCell] = []
    frame: dict[str, list[float]] = {name: [] for name in built.schema.columns}
    for cell in ctx.numeric_cells():
        value = as_number(cell.raw)
        applies = _columns(cell, built.columns) if value is not None else ()
        if applies:
            cells.append(cell)
            for name, values in frame.items():
                values.append(value if name in applies else math.nan)
    failures: dict[str, list[NumericCell]] = {}
    if not cells:
        return failures
    used = {name: values for name, values in frame.items() if not all(math.isnan(v) for v in values)}
    try:  # the columns no cell of this workbook goes into are left out (each costs a millisecond)
        built.schema.validate(pd.DataFrame(used, dtype=float), lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        cases = cases[cases["index"].notna()][["check", "index"]].drop_duplicates()
        for code, index in sorted(zip(cases["check"].astype(str), cases["index"].astype(int), strict=True)):
            failures.setdefault(code, []).append(cells[index])
    return failures


def missing_columns(found: list[str], required: list[str]) -> list[str]:
    """Required column keys absent from a sheet's key row, by a pandera schema of required columns."""
    if set(required) <= set(found):  # the usual case, decided without building a frame (2 ms a sheet)
        return []
    schema = pa.DataFrameSchema({key: pa.Column(required=True) for key in required})
    try:
        schema.validate(pd.DataFrame(columns=found), lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        missing = cases.loc[cases["check"] == "column_in_dataframe", "failure_case"]
        return sorted(set(missing.astype(str)), key=required.index)
    return []
