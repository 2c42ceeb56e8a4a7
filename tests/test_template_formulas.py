"""Every computed cell of a built template, recalculated by LibreOffice, equals an independent Python
computation of the same quantity, for every indicator kind and for full, range, empty, zero, text and
negative inputs; no cell shows an error value; and the results the builder stores with typed values, which
workbook_templates.derived evaluates from the very expressions the formulas are rendered from, are the same.
LibreOffice's values are compared with both the oracle and those expressions."""

from __future__ import annotations

import math
import random

import openpyxl
import pytest
from kehoach.workbook_templates import derived
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.filling import Filling

from tests.conftest import catalog_with_test_unit
from tests.support import oracle
from tests.support.libreoffice import recalculate

SCENARIOS = ("full", "range", "sparse", "zero", "text", "negative", "boundary")
NUMERIC_INPUTS = [c.key for c in L.indicator_columns() if c.role == "input" and c.type == "number"]
TOLERANCE = 1e-9


def _value_for(kind: str, key: str, rng: random.Random) -> float:
    if kind == "growth":
        return round(rng.uniform(-5, 20), 3)
    if kind == "rate":
        return round(rng.uniform(0, 100), 3)
    if kind == "count":
        return float(rng.randint(0, 120))
    return round(rng.uniform(1, 50000), 3)


def _inputs(kind: str, scenario: str, rng: random.Random) -> dict[str, object]:
    row: dict[str, object] = {key: _value_for(kind, key, rng) for key in NUMERIC_INPUTS}
    row["target_2020_max"] = None
    row["target_2025_max"] = None
    if scenario == "range":
        row["target_2020_max"] = row["target_2020"] + abs(_value_for(kind, "target", rng)) / 10 + 1
        row["target_2025_max"] = row["target_2025"] + 1
    elif scenario == "sparse":
        for key in rng.sample(NUMERIC_INPUTS, k=len(NUMERIC_INPUTS) // 2):
            row[key] = None
    elif scenario == "zero":
        for key in ("actual_2015", "target_2020", "estimate_2020", "plan_2021"):
            row[key] = 0.0
    elif scenario == "text":
        for key in ("actual_2016", "estimate_2020", "target_2020_max", "plan_2023"):
            row[key] = rng.choice(["abc", "1.234,5", "12,5%", " "])
    elif scenario == "negative":
        for key in ("actual_2015", "actual_2017", "plan_2022"):
            row[key] = -abs(_value_for(kind, key, rng)) - 150
    elif scenario == "boundary":
        row["target_2020"] = row["estimate_2020"]
        row["target_2020_max"] = row["estimate_2020"] if rng.random() < 0.5 else None
    return row


def _same(actual: object, expected: object) -> bool:
    if expected is None:
        return actual in (None, "")
    if isinstance(expected, str):
        return actual == expected
    return isinstance(actual, int | float) and math.isclose(actual, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A template with every indicator of the catalog (a test unit reporting on all areas, with the GRDP
    sheet), every input typed by scenario; opened as written (computed cells carry the builder's results)
    and after LibreOffice recalculated it."""
    tmp = tmp_path_factory.mktemp("formulas")
    catalog = catalog_with_test_unit(tmp, "grdp", every_target_kind=True)
    unit = catalog.unit("TEST")
    rng = random.Random(20200710)
    filling = Filling()
    expected_rows = {}
    evaluated_rows = {}
    seen_per_kind: dict[str, int] = {}
    for table_row in L.indicator_rows(catalog, unit):
        ind = table_row.indicator
        if ind is None:
            continue
        index = seen_per_kind.get(ind.kind, 0)
        seen_per_kind[ind.kind] = index + 1
        scenario = SCENARIOS[index % len(SCENARIOS)]
        values = _inputs(ind.kind, scenario, rng)
        filling.indicators[ind.code] = values
        evaluated_rows[table_row.row] = (ind, scenario, derived.indicator_values(ind, values))
        expected_rows[table_row.row] = (
            ind,
            scenario,
            oracle.indicator_derived(ind, values),
        )
    for grdp_row in L.grdp_rows(catalog):
        if grdp_row.role == "input":
            filling.grdp[grdp_row.key] = {
                year: rng.choice([None, 0.0, "n/a"]) if rng.random() < 0.08 else round(rng.uniform(100, 40000), 2)
                for year in L.YEARS_PAST
            }
    money = ("total", "allocated_2020", "need_total", "need_central", "need_local", "need_oda", "need_other")
    filling.projects = [
        {
            k: rng.choice([None, "n/a", round(rng.uniform(0, 9000), 1)])
            if rng.random() < 0.1
            else rng.choice([None, round(rng.uniform(0, 9000), 1)])
            for k in money
        }
        for _ in L.project_rows()
    ]
    written = build_workbook(catalog, unit, tmp / "TEST_filled.xlsx", filling)
    (recalculated,) = recalculate([written], tmp / "recalc")
    return {
        "catalog": catalog,
        "books": {
            "libreoffice": openpyxl.load_workbook(recalculated, data_only=True),
            "builder": openpyxl.load_workbook(written, data_only=True),
        },
        "rows": expected_rows,
        "grdp": oracle.grdp_derived(filling.grdp, [s.code for s in catalog.grdp_sectors], ["old", "revalued"]),
        "projects": {L.PROJECT_FIRST_ROW + i: oracle.project_derived(p) for i, p in enumerate(filling.projects)},
        "kinds": seen_per_kind,
        "evaluated": {
            "rows": evaluated_rows,
            "grdp": derived.grdp_derived(
                filling.grdp, [s.code for s in catalog.grdp_sectors], ["old", "revalued"], L.YEARS_PAST
            ),
            "projects": {L.PROJECT_FIRST_ROW + i: derived.project_derived(p) for i, p in enumerate(filling.projects)},
        },
    }


ENGINES = ["libreoffice", "builder"]
# "oracle": the independent computation; "expressions": workbook_templates.derived, which evaluates the very
# expressions the formulas are rendered from (its results must equal LibreOffice's, cell by cell).
EXPECTATIONS = ["oracle", "expressions"]


def _expected(filled: dict, source: str) -> dict:
    return filled if source == "oracle" else filled["evaluated"]


def test_every_kind_meets_every_scenario(filled: dict) -> None:
    assert set(filled["kinds"]) == {"level", "rate", "growth", "count"}
    assert all(count >= len(SCENARIOS) for count in filled["kinds"].values()), filled["kinds"]


@pytest.mark.parametrize("source", EXPECTATIONS)
@pytest.mark.parametrize("engine", ENGINES)
def test_indicator_formulas_match_python(filled: dict, engine: str, source: str) -> None:
    sheet = filled["books"][engine][L.INDICATORS]
    formula_keys = [c.key for c in L.indicator_columns() if c.role == "formula"]
    checked, mismatches = 0, []
    for row, (ind, scenario, expected) in _expected(filled, source)["rows"].items():
        for key in formula_keys:
            actual = sheet[L.indicator_cell(key, row)].value
            checked += 1
            if not _same(actual, expected[key]):
                mismatches.append((ind.code, ind.kind, ind.direction, scenario, key, actual, expected[key]))
    assert checked == len(filled["rows"]) * len(formula_keys)
    assert not mismatches, mismatches[:10]


@pytest.mark.parametrize("source", EXPECTATIONS)
@pytest.mark.parametrize("engine", ENGINES)
def test_grdp_formulas_match_python(filled: dict, engine: str, source: str) -> None:
    sheet = filled["books"][engine][L.GRDP]
    numbers = L.grdp_row_numbers(filled["catalog"])
    mismatches, checked = [], 0
    for key, series in _expected(filled, source)["grdp"].items():
        for year, expected in series.items():
            col = L.GRDP_AVG_COL if year == "avg" else L.grdp_year_col(year)
            actual = sheet.cell(row=numbers[key] + 1, column=col + 1).value
            checked += 1
            if not _same(actual, expected):
                mismatches.append((key, year, actual, expected))
    assert checked > 150
    assert not mismatches, mismatches[:10]


@pytest.mark.parametrize("source", EXPECTATIONS)
@pytest.mark.parametrize("engine", ENGINES)
def test_project_formulas_match_python(filled: dict, engine: str, source: str) -> None:
    sheet = filled["books"][engine][L.PROJECTS]
    mismatches = [
        (row, key, sheet[L.project_cell(key, row)].value, value)
        for row, expected in _expected(filled, source)["projects"].items()
        for key, value in expected.items()
        if not _same(sheet[L.project_cell(key, row)].value, value)
    ]
    assert not mismatches, mismatches[:10]


def test_no_cell_shows_an_error(filled: dict) -> None:
    errors = [
        (ws.title, cell.coordinate, cell.value)
        for ws in filled["books"]["libreoffice"].worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and (cell.value.startswith("#") or cell.value.startswith("Err:"))
    ]
    assert not errors, errors[:10]
