"""The pandera value schema is built from the catalog (issue 16, part 2): its columns are the kinds of value check
the catalog calls for, each with pandera's own check carrying the catalog's parameters, named by rule code."""

from __future__ import annotations

import math

import pandas as pd
import pandera.pandas as pa
import pytest
from kehoach.validators.schemas import NON_NEGATIVE, PERCENT, WHOLE, value_schema
from kehoach.workbook_templates.catalog import load_catalog


def test_every_bound_of_the_catalog_is_a_pandera_check_of_the_schema() -> None:
    catalog = load_catalog()
    built = value_schema(catalog)
    assert value_schema(catalog) is built  # built once per catalog
    for indicator in catalog.indicators:
        if indicator.min is None and indicator.max is None:
            continue
        (name,) = (c for c in built.columns[indicator.code] if c.startswith("bounds"))
        (check,) = built.schema.columns[name].checks
        assert check.error == "R004"
        statistics = check.statistics
        if indicator.min is not None and indicator.max is not None:
            assert (statistics["min_value"], statistics["max_value"]) == (indicator.min, indicator.max)
        elif indicator.min is not None:
            assert statistics["min_value"] == indicator.min
        else:
            assert statistics["max_value"] == indicator.max


def test_the_kinds_of_check_follow_the_catalog() -> None:
    catalog = load_catalog()
    built = value_schema(catalog)
    (percent,) = built.schema.columns[PERCENT].checks
    assert (percent.error, percent.statistics["min_value"], percent.statistics["max_value"]) == ("R001", 0, 100)
    assert built.schema.columns[NON_NEGATIVE].checks[0].error == "R002"
    assert built.schema.columns[WHOLE].checks[0].error == "R003"
    for indicator in catalog.indicators:
        columns = built.columns[indicator.code]
        assert (PERCENT in columns) == (indicator.kind == "rate" and indicator.unit == "%")
        assert (WHOLE in columns) == indicator.whole
    assert all(column.dtype.type is float or str(column.dtype) == "float64" for column in built.schema.columns.values())


def test_a_value_is_checked_only_in_the_columns_that_apply() -> None:
    schema = value_schema(load_catalog()).schema
    frame = pd.DataFrame({name: [math.nan, math.nan] for name in schema.columns}, dtype=float)
    frame.loc[0, PERCENT] = 150.0  # a rate out of 0-100
    frame.loc[1, WHOLE] = -2.0  # negative, but only the whole-number check applies: passes
    with pytest.raises(pa.errors.SchemaErrors) as raised:
        schema.validate(frame, lazy=True)
    cases = raised.value.failure_cases
    assert cases[["check", "index"]].drop_duplicates().values.tolist() == [["R001", 0]]
