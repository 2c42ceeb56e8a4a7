"""Issue 13, parts 3, 5 and 7: districts carry their own targets and counts within their own communes; the
master never sums what does not add up; priority ranks and VSDG codes; sample data that looks real."""

from __future__ import annotations

import copy
import datetime as dt
import statistics
from pathlib import Path

import openpyxl
import pytest
from kehoach.master.merge import merge
from kehoach.master.workbook import DISTRICTS, SUMMARY, TOTAL_LABEL
from kehoach.samples.generate import generate_all, write_submission
from kehoach.validators.context import LEVEL_KEYS, is_level_cell
from kehoach.validators.engine import validate_path
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.catalog import load_catalog
from kehoach.workbook_templates.filling import Filling

SEED = 11
YEARS = ("actual_2015", "actual_2016", "actual_2017", "actual_2018", "actual_2019", "estimate_2020")
PLANS = tuple(f"plan_{y}" for y in L.YEARS_PLAN)


@pytest.fixture(scope="module")
def sample() -> dict[str, Filling]:
    return generate_all(load_catalog(), seed=SEED)


# --- part 3: district templates carry district targets ---------------------------------------------------


def test_district_template_has_no_province_target(tmp_path: Path) -> None:
    """Trà Cú's template no longer comes with the province's 42 new-rural communes; the department's does;
    both carry the VSDG code."""
    catalog = load_catalog()
    values = {}
    for code in ("H849", "SNNPTNT"):
        unit = catalog.unit(code)
        path = build_workbook(catalog, unit, tmp_path / f"{code}.xlsx", Filling())
        sheet = openpyxl.load_workbook(path)[L.INDICATORS]
        row = next(r.row for r in L.indicator_rows(catalog, unit) if r.indicator and r.indicator.code == "NN02")
        values[code] = {k: sheet[L.indicator_cell(k, row)].value for k in ("target_2020", "vsdg")}
    assert values["H849"] == {"target_2020": None, "vsdg": catalog.indicator("NN02").vsdg}
    assert values["SNNPTNT"] == {"target_2020": 42, "vsdg": catalog.indicator("NN02").vsdg}


def test_more_communes_than_the_district_has(sample: dict[str, Filling], tmp_path: Path) -> None:
    """Trà Cú (15 xã) typing the province's 42: R005 at each cell, naming its 15 xã, suggesting 15."""
    catalog = load_catalog()
    filling = copy.deepcopy(sample["H849"])
    filling.indicators["NN02"].update(target_2020=42.0, cause="Chưa đạt")
    path = build_workbook(catalog, catalog.unit("H849"), tmp_path / "tra-cu.xlsx", filling)
    (finding,) = [f for f in validate_path(path).findings if f.rule == "R005"]
    assert finding.indicator == "NN02" and finding.suggestion == 15
    assert "Giá trị 42 vượt quá số xã của Huyện Trà Cú (15 xã năm 2020)" in finding.message()
    assert "rural communes (xã) of Huyện Trà Cú (15 in 2020)" in finding.message("en")


def test_the_master_never_sums_what_does_not_add_up(sample: dict[str, Filling], tmp_path: Path) -> None:
    """Only additive indicators (aggregate = sum) get a district total, on both sheets; rates, per-capita
    levels and budget revenue on a district's territory are shown district by district, never added."""
    catalog = load_catalog()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for unit in catalog.districts:
        write_submission(catalog, unit, sample[unit.code], inbox / f"{unit.file_stem}.xlsx")
    master = merge(inbox, tmp_path / "tong-hop.xlsx", catalog=catalog, now=dt.datetime(2020, 7, 11)).master
    book = openpyxl.load_workbook(master)
    totalled = {row[0] for row in book[SUMMARY].iter_rows(values_only=True) if row[5] == TOTAL_LABEL}
    additive = {i.code for i in catalog.indicators if i.additive}
    assert totalled == additive
    district_rows = [i for i in catalog.indicators if i.district]
    assert {i.code for i in district_rows} - additive >= {"TC01", "LD06", "NN14", "YT03"}
    sheet = book[DISTRICTS]
    header = next(r for r in sheet.iter_rows(values_only=True) if "Tổng các huyện" in r)
    total_col = header.index("Tổng các huyện")
    for row in sheet.iter_rows(values_only=True):
        if row[0] in {i.code for i in district_rows}:
            assert (row[total_col] is not None) == (row[0] in additive), row[:4]


# --- part 5: priority ranks and VSDG codes -------------------------------------------------------------


def test_priority_and_vsdg_messages(sample: dict[str, Filling], tmp_path: Path) -> None:
    catalog = load_catalog()
    filling = copy.deepcopy(sample["H844"])
    rows = filling.indicators
    rows["QP04"]["priority"] = rows["QP01"]["priority"]  # a tie in defence
    rows["QP05"]["priority"] = 2.5
    rows["YT05"]["vsdg"] = "3,1"  # decimal comma: 3.1 is listed
    rows["YT03"]["vsdg"] = "19.2"
    path = build_workbook(catalog, catalog.unit("H844"), tmp_path / "h844.xlsx", filling)
    found = {(f.rule, f.indicator): f for f in validate_path(path).findings}
    assert set(found) == {("R007", "QP04"), ("R006", "QP05"), ("R008", "YT05"), ("R008", "YT03")}
    tie = found["R007", "QP04"].message()
    assert tie.startswith("Chỉ tiêu QP04 có thứ tự ưu tiên 1 trùng với chỉ tiêu QP01 (ô ")
    assert found["R007", "QP04"].severity == "warning"
    assert "2,5" in found["R006", "QP05"].message()
    assert "«19.2»" in found["R008", "YT03"].message() and found["R008", "YT03"].suggestion is None
    assert found["R008", "YT05"].suggestion == "3.1"


# --- part 7: sample data that looks real -----------------------------------------------------------------


def test_district_parts_add_up_to_the_province(sample: dict[str, Filling]) -> None:
    catalog = load_catalog()
    for ind in (i for i in catalog.indicators if i.additive):
        province = sample[ind.owners[0]].indicators[ind.code]
        for key in (*YEARS, *PLANS):
            parts = [float(sample[d.code].indicators[ind.code][key]) for d in catalog.districts]
            assert sum(parts) == pytest.approx(float(province[key]), abs=1e-6), (ind.code, key)


def test_whole_things_are_whole_and_within_the_units_own(sample: dict[str, Filling]) -> None:
    catalog = load_catalog()
    checked = 0
    for code, filling in sample.items():
        unit = catalog.unit(code)
        for ind_code, row in filling.indicators.items():
            ind = catalog.indicator(ind_code)
            cap = catalog.cap_for(ind, unit)
            for key in LEVEL_KEYS:
                value = row.get(key)
                if value is None or not is_level_cell(ind, key):
                    continue
                if ind.whole:
                    assert float(value) == round(float(value)), (code, ind_code, key, value)
                    checked += 1
                if cap is not None:
                    assert float(value) <= cap, (code, ind_code, key, value, cap)
    assert checked > 1000


def test_district_rates_vary_around_the_province(sample: dict[str, Filling]) -> None:
    catalog = load_catalog()
    for ind in (i for i in catalog.indicators if i.district and not i.additive and i.code != "TC01"):
        province = float(sample[ind.owners[0]].indicators[ind.code]["estimate_2020"])
        values = [float(sample[d.code].indicators[ind.code]["estimate_2020"]) for d in catalog.districts]
        assert len(set(values)) > 3, (ind.code, values)
        spread = max(abs(v - province) for v in values)
        assert spread <= 0.3 * max(province, 100 - province if ind.unit == "%" else province) + 0.01, ind.code
        assert min(values) >= (ind.min or 0) and (ind.max is None or max(values) <= ind.max)


def test_district_budget_revenue_is_a_share(sample: dict[str, Filling]) -> None:
    catalog = load_catalog()
    province = float(sample["CTHUE"].indicators["TC01"]["estimate_2020"])
    values = [float(sample[d.code].indicators["TC01"]["estimate_2020"]) for d in catalog.districts]
    assert max(values) < 0.2 * province and sum(values) < province


def test_district_targets_are_their_own(sample: dict[str, Filling]) -> None:
    """No district carries a province target; each is derived from its own figures, in the target's form."""
    catalog = load_catalog()
    for ind in (i for i in catalog.indicators if i.district and i.target_2020_min is not None):
        targets = [sample[d.code].indicators[ind.code]["target_2020"] for d in catalog.districts]
        assert ind.target_2020_min not in targets, (ind.code, targets)
    # Trà Cú's new-rural communes target is within its 15 xã, not the province's 42
    assert sample["H849"].indicators["NN02"]["target_2020"] <= 15
    # poverty: an average change in points a year (falling), not a level
    changes = [float(sample[d.code].indicators["LD06"]["target_2020"]) for d in catalog.districts]
    assert all(-3 < c < 0 for c in changes), changes
    # revenue: an average growth in %/yr, near the district's own
    growth = [float(sample[d.code].indicators["TC01"]["target_2020"]) for d in catalog.districts]
    assert all(5 < g < 25 for g in growth), growth
    # jobs: a yearly amount near the district's own average year
    for d in catalog.districts:
        row = sample[d.code].indicators["LD03"]
        average = statistics.mean(float(row[k]) for k in YEARS[1:])
        assert 0.8 * average <= float(row["target_2020"]) <= 1.2 * average


def test_priorities_are_unique_within_each_task_area(sample: dict[str, Filling]) -> None:
    catalog = load_catalog()
    for code, filling in sample.items():
        by_area: dict[str, list[int]] = {}
        for ind_code, row in filling.indicators.items():
            by_area.setdefault(catalog.indicator(ind_code).area, []).append(row["priority"])
        for ranks in by_area.values():
            assert sorted(ranks) == list(range(1, len(ranks) + 1)), code


@pytest.mark.parametrize("code", [u.code for u in load_catalog().districts])
def test_every_district_sample_is_clean(code: str, sample: dict[str, Filling], tmp_path: Path) -> None:
    catalog = load_catalog()
    path = build_workbook(catalog, catalog.unit(code), tmp_path / f"{code}.xlsx", sample[code])
    assert validate_path(path).findings == []
