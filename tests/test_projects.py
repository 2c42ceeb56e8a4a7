"""Public investment projects as the medium-term plan 2021-2025 lists them: carried-over projects (started
before 2021) and projects ending after 2025 are normal, the clean samples hold both, the computed columns are
what the formulas give, and the merge carries every column into the master's project sheet."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from kehoach.master.merge import merge
from kehoach.master.sheets.projects import HEADER_ROW, PROJECT_PREFIX
from kehoach.master.workbook import PROJECTS
from kehoach.samples.generate import generate_all, write_submission
from kehoach.validators.engine import validate_path
from kehoach.workbook_templates import derived
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.catalog import load_catalog
from kehoach.workbook_templates.filling import Filling
from kehoach.workbook_templates.formulas import CARRIED, NEW

NOW = dt.datetime(2020, 7, 11, 8, 0)


@pytest.fixture(scope="module")
def clean() -> dict[str, Filling]:
    return generate_all(load_catalog(), seed=11)


def test_the_clean_samples_hold_new_carried_over_and_continuing_projects(clean: dict[str, Filling]) -> None:
    projects = [p for filling in clean.values() for p in filling.projects]
    carried = [p for p in projects if p["status"] == CARRIED]
    new = [p for p in projects if p["status"] == NEW]
    assert len(carried) + len(new) == len(projects) and len(carried) >= 10 and len(new) >= 10
    assert all(p["start_year"] < 2021 and p["allocated_2020"] > 0 for p in carried)
    assert all(2021 <= p["start_year"] <= 2025 and not p["allocated_2020"] for p in new)
    assert any(p["end_year"] > 2025 for p in carried) and any(p["end_year"] > 2025 for p in new)
    for filling in clean.values():
        ranks = [p["priority"] for p in filling.projects]
        assert sorted(ranks) == list(range(1, len(ranks) + 1))


def test_a_project_started_before_2021_and_ending_after_2025_is_no_finding(
    clean: dict[str, Filling], tmp_path: Path
) -> None:
    catalog = load_catalog()
    filling = copy.deepcopy(clean["SKHDT"])
    filling.projects[0].update(
        status=CARRIED, start_year=2012, end_year=2028, total=900_000.0, allocated_2020=300_000.0, need_total=400_000.0
    )
    filling.projects[0].update(need_central=250_000.0, need_local=150_000.0, need_oda=0.0, need_other=None)
    filling.projects[1].update(status=NEW, start_year=2024, end_year=2029, allocated_2020=None)
    path = build_workbook(catalog, catalog.unit("SKHDT"), tmp_path / "long.xlsx", filling)
    assert validate_path(path).findings == []


def test_computed_columns() -> None:
    row = {"total": 900.0, "allocated_2020": 300.0, "need_total": 500.0, "need_central": 200.0, "need_local": 250.0}
    assert derived.project_derived(row) == {"remaining": 600.0, "need_sum": 450.0, "need_gap": 50.0}
    new = {"total": 900.0, "allocated_2020": None, "need_total": None, "need_central": None}
    assert derived.project_derived(new) == {"remaining": 900.0, "need_sum": None, "need_gap": None}
    assert derived.project_derived({"total": "n/a", "allocated_2020": 1.0})["remaining"] is None


def test_the_merge_carries_every_project_column_into_the_master(clean: dict[str, Filling], tmp_path: Path) -> None:
    catalog = load_catalog()
    inbox, master = tmp_path / "inbox", tmp_path / "master.xlsx"
    inbox.mkdir()
    units = ("SKHDT", "H844")
    for code in units:
        write_submission(catalog, catalog.unit(code), clean[code], inbox / f"{code}.xlsx")
    merge(inbox, master, catalog=catalog, now=NOW)
    rows = list(openpyxl.load_workbook(master, data_only=True)[PROJECTS].iter_rows(values_only=True))
    header = rows[HEADER_ROW]
    table = [dict(zip(header, r, strict=True)) for r in rows if str(r[0]).startswith(PROJECT_PREFIX)]
    columns = L.project_columns()
    assert [c.header_vi for c in columns] == list(header[4 : 4 + len(columns)])
    for code in units:
        listed = [r for r in table if r["Mã đơn vị"] == code]
        expected = sorted(clean[code].projects, key=lambda p: p["priority"])
        assert len(listed) == len(expected)
        for got, project in zip(listed, expected, strict=True):
            values = {**project, **derived.project_derived(project)}
            for column in columns:
                assert got[column.header_vi] == values.get(column.key), (code, column.key)
