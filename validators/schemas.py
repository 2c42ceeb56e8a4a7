"""The pandera side of validation: typed values as one long table, one row per cell, carrying the catalog
attributes that decide what is allowed (kind, unit, bounds); registered checks named by rule code.

A rule in :mod:`validators.rules.ranges` reports the failure cases of its own check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import pandera.pandas as pa
from kehoach.validators.context import NumericCell, as_number, is_level_cell
from pandera import extensions

if TYPE_CHECKING:
    from kehoach.validators.context import Context

NON_NEGATIVE_GRDP_ROWS = ("population", ".current.", ".constant.")


@extensions.register_check_method(supported_types=pd.DataFrame)
def kh_percent_range(frame: pd.DataFrame) -> pd.Series:
    """Shares and rates in percent lie within 0-100."""
    return ~frame["percent"] | frame["value"].between(0, 100)


@extensions.register_check_method(supported_types=pd.DataFrame)
def kh_non_negative(frame: pd.DataFrame) -> pd.Series:
    """Levels and counts are not negative (unless the catalog's lower bound allows it)."""
    return ~frame["non_negative"] | (frame["value"] >= 0)


@extensions.register_check_method(supported_types=pd.DataFrame)
def kh_whole_number(frame: pd.DataFrame) -> pd.Series:
    """Counts, and indicators counted in whole things, are whole numbers."""
    return ~frame["whole"] | (frame["value"] == frame["value"].round())


@extensions.register_check_method(supported_types=pd.DataFrame)
def kh_plausible(frame: pd.DataFrame) -> pd.Series:
    """Values lie within the catalog's plausible bounds."""
    below = frame["low"].notna() & (frame["value"] < frame["low"])
    above = frame["high"].notna() & (frame["value"] > frame["high"])
    return ~(below | above)


# The frame is built here with fixed columns and dtypes, so the schema carries only the checks (declaring the
# columns again costs 1.3 ms a workbook: bench/merge_bench.py).
VALUE_COLUMNS = ("value", "percent", "non_negative", "whole", "low", "high")
VALUE_SCHEMA = pa.DataFrameSchema(
    checks=[
        pa.Check.kh_percent_range(error="R001"),
        pa.Check.kh_non_negative(error="R002"),
        pa.Check.kh_whole_number(error="R003"),
        pa.Check.kh_plausible(error="R004"),
    ],
)


def _attributes(cell: NumericCell, value: float) -> dict[str, object] | None:
    indicator = cell.indicator
    if indicator is not None:
        own_quantity = is_level_cell(indicator, cell.key) or indicator.kind == "growth"
        if not own_quantity:
            return None
        non_negative = indicator.kind in ("level", "count") and (indicator.min is None or indicator.min >= 0)
        return {
            "value": value,
            "percent": indicator.kind == "rate" and indicator.unit == "%",
            "non_negative": non_negative,
            "whole": indicator.kind == "count" or indicator.whole,
            "low": indicator.min,
            "high": indicator.max,
        }
    if "@" in cell.key:  # a GRDP input: value added or population, never negative (product taxes may be)
        row_key = cell.key.split("@")[0]
        non_negative = any(part in row_key for part in NON_NEGATIVE_GRDP_ROWS) and not row_key.endswith(".taxes")
        return {
            "value": value,
            "percent": False,
            "non_negative": non_negative,
            "whole": False,
            "low": None,
            "high": None,
        }
    return None


def value_failures(ctx: Context) -> dict[str, list[NumericCell]]:
    cells, records = [], []
    for cell in ctx.numeric_cells():
        value = as_number(cell.raw)
        attributes = _attributes(cell, value) if value is not None else None
        if attributes is not None:
            cells.append(cell)
            records.append(attributes)
    failures: dict[str, list[NumericCell]] = {}
    if not records:
        return failures
    frame = pd.DataFrame({name: [r[name] for r in records] for name in VALUE_COLUMNS})
    frame = frame.astype({"value": float, "low": float, "high": float})
    try:
        VALUE_SCHEMA.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases[["check", "index"]].drop_duplicates()  # one row per column of the frame
        for code, index in zip(cases["check"], cases["index"], strict=True):
            failures.setdefault(str(code), []).append(cells[int(index)])
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
