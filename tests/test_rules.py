"""Every registered rule fires at the exact cell on a real workbook with its mistake, and stays silent on a
clean submission and on a near miss just inside its limit."""

from __future__ import annotations

import copy
import random
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from kehoach.samples.generate import generate_all
from kehoach.samples.inject import Injector, NotApplicable
from kehoach.validators.engine import validate_path
from kehoach.validators.registry import INTERNAL_ERROR, all_rules, reference
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.catalog import load_catalog
from kehoach.workbook_templates.filling import Filling

UNITS = ("CTK", "SKHDT", "SNNPTNT", "H844")  # together they offer a target for every rule
RULES = [r.code for r in all_rules()]


@pytest.fixture(scope="module")
def clean() -> dict[str, Filling]:
    return generate_all(load_catalog(), seed=11, units=list(UNITS))


def _found(path: Path) -> set[tuple[str, str, str]]:
    return {(f.rule, f.sheet, f.cell) for f in validate_path(path).findings}


@pytest.mark.parametrize("code", [c for c in RULES if c != "X001"])
def test_rule_fires_at_the_injected_cell(code: str, clean: dict[str, Filling], tmp_path: Path) -> None:
    catalog = load_catalog()
    for unit_code in UNITS:
        injector = Injector(catalog, catalog.unit(unit_code), copy.deepcopy(clean[unit_code]), random.Random(code))
        try:
            injection = injector.inject(code)
        except NotApplicable:
            continue
        found = _found(injector.write(tmp_path / f"{code}.xlsx"))
        assert (injection.rule, injection.sheet, injection.cell) in found, (injection, found)
        return
    pytest.fail(f"no unit offers a target for {code}")


def test_unreadable_file_is_x001(tmp_path: Path) -> None:
    path = tmp_path / "not-a-workbook.xlsx"
    path.write_text("đây không phải bảng tính", encoding="utf-8")
    report = validate_path(path)
    assert [(f.rule, f.sheet, f.cell) for f in report.findings] == [("X001", "", "")]
    assert "không phải là tệp Excel" in report.findings[0].message()


@pytest.mark.parametrize("unit_code", UNITS)
def test_clean_submission_has_no_finding(unit_code: str, clean: dict[str, Filling], tmp_path: Path) -> None:
    catalog = load_catalog()
    path = build_workbook(catalog, catalog.unit(unit_code), tmp_path / "clean.xlsx", clean[unit_code])
    assert validate_path(path).findings == []


def _set(code: str, key: str, value: object) -> Callable[[Filling], None]:
    def edit(filling: Filling) -> None:
        filling.indicators[code][key] = value

    return edit


def _shares_off_by(delta: float) -> Callable[[Filling], None]:
    def edit(filling: Filling) -> None:
        filling.indicators["KT07"]["actual_2017"] = float(filling.indicators["KT07"]["actual_2017"]) + delta

    return edit


def _count_dip_with_note(filling: Filling) -> None:
    row = filling.indicators["NN02"]
    row["actual_2018"] = float(row["actual_2017"]) - 1
    row["note"] = "Một xã bị thu hồi quyết định công nhận năm 2018."


def _project_sources_within_rounding(filling: Filling) -> None:
    filling.projects[0]["need_local"] = float(filling.projects[0]["need_local"]) + 0.4


def _carried(filling: Filling, **values: object) -> dict[str, object]:
    """The first project, made a carried-over project: 100,000 allocated of a 300,000 total."""
    project = filling.projects[0]
    project.update(status="Chuyển tiếp", start_year=2018, end_year=2024, total=300_000.0, allocated_2020=100_000.0)
    project.update(need_total=200_000.0, need_central=120_000.0, need_local=80_000.0, need_oda=None, need_other=None)
    project.update(values)
    return project


def _new(filling: Filling, **values: object) -> dict[str, object]:
    """The first project, made a new start of 2021-2023."""
    project = filling.projects[0]
    project.update(status="Khởi công mới", start_year=2021, end_year=2023, total=50_000.0, allocated_2020=None)
    project.update(need_total=50_000.0, need_central=None, need_local=50_000.0, need_oda=None, need_other=None)
    project.update(values)
    return project


def _need_at_remaining(filling: Filling) -> None:
    _carried(filling, need_total=200_000.4, need_local=80_000.4)  # within rounding of the 200,000 remaining


def _carried_long(filling: Filling) -> None:
    """Started long before 2021, ending long after 2025, at the plausible years' bounds: normal."""
    _carried(filling, start_year=2000, end_year=2035)


def _new_at_bounds(filling: Filling) -> None:
    _new(filling, start_year=2025, end_year=2025, allocated_2020=0.0)


def _status_with_spaces(filling: Filling) -> None:
    _new(filling, status=" Khởi công mới ")


def _priorities_with_gaps(filling: Filling) -> None:
    for rank, project in enumerate(filling.projects):
        project["priority"] = 10 * rank + 1


def _need_without_sources(filling: Filling) -> None:
    _new(filling, need_local=None)  # a need not yet split by source: nothing to add up, nothing missing


def _target_blank_with_note(filling: Filling) -> None:
    row = filling.indicators["KT09"]
    row.update(target_2020=None, note="Nghị quyết 13/2015 không đặt mục tiêu cho chỉ tiêu này.")


def _plan_within_rounding(filling: Filling) -> None:
    row = filling.indicators["KT09"]
    row["target_2025"] = float(row["plan_2025"]) + 0.04  # one decimal shown: 0.04 is rounding


def _growth_exactly_at_target(filling: Filling) -> None:
    """GRDP growth 8.5 %/yr every year against a target of 8.5, no cause: the period average is
    8.499999999999996, shown 8.50, and meets the target (the sheet says "Đạt")."""
    row = filling.indicators["KT01"]
    row.update({f"actual_{y}": 8.5 for y in (2016, 2017, 2018, 2019)})
    row.update(estimate_2020=8.5, target_2020=8.5, target_2020_max=None, cause=None)


def _neutral_below_target(filling: Filling) -> None:
    """The average population misses a «target» by far, without a cause: a neutral indicator is not judged."""
    row = filling.indicators["YT01"]
    row.update(target_2020=float(row["estimate_2020"]) * 1.25 + 1, target_2020_max=None, cause=None)


def _neutral_path_falls(filling: Filling) -> None:
    """The average population falls in the plan, without a note: neutral, it has no wrong way."""
    row = filling.indicators["YT01"]
    row.update(plan_2023=round(float(row["plan_2022"]) * 0.8, 2), note=None)


def _own_communes_exactly(filling: Filling) -> None:
    """Càng Long (H844) has 13 xã: all of them new-rural by 2025 is the most it can plan."""
    filling.indicators["NN02"].update(plan_2025=13.0, target_2025=13.0)


def _same_rank_in_other_areas(filling: Filling) -> None:
    """Rank 1 in two task areas is no tie: ranks are unique within an area."""
    catalog = load_catalog()
    first = {}
    for code, row in filling.indicators.items():
        first.setdefault(catalog.indicator(code).area, row)
    for row in first.values():
        row["priority"] = 1


# Near misses: edits just inside a rule's limit; the rule must stay silent (unit, rule, edit).
NEAR_MISSES = [
    ("CTK", "K001", _shares_off_by(0.09)),
    ("CTK", "R001", _set("KT05", "actual_2016", 100.0)),
    ("CTK", "R001", _set("KT07", "actual_2016", 0.0)),
    ("SNNPTNT", "R003", _set("NN02", "actual_2016", 15.0)),
    ("SNNPTNT", "P004", _count_dip_with_note),
    ("SKHDT", "K004", _project_sources_within_rounding),
    ("SKHDT", "D001", _need_at_remaining),
    ("SKHDT", "D002", _need_at_remaining),
    ("SKHDT", "D003", _new_at_bounds),
    ("SKHDT", "D004", _new_at_bounds),
    ("SKHDT", "D005", _carried_long),
    ("SKHDT", "D006", _new_at_bounds),
    ("SKHDT", "D007", _carried_long),
    ("SKHDT", "D008", _priorities_with_gaps),
    ("SKHDT", "D009", _priorities_with_gaps),
    ("SKHDT", "D010", _status_with_spaces),
    ("SKHDT", "D011", _need_without_sources),
    ("SKHDT", "K004", _need_without_sources),
    ("SKHDT", "C002", _target_blank_with_note),
    ("SKHDT", "P002", _plan_within_rounding),
    ("SKHDT", "T001", _set("KT09", "note", "1.234,5 tỷ đồng là số liệu sơ bộ")),
    ("CTK", "P001", _growth_exactly_at_target),
    ("CTK", "P001", _neutral_below_target),
    ("CTK", "P003", _neutral_path_falls),
    ("H844", "R005", _own_communes_exactly),
    ("SNNPTNT", "R005", _set("NN02", "plan_2025", 85.0)),
    ("H844", "R003", _set("QP01", "actual_2016", 41.0)),
    ("H844", "R006", _set("QP01", "priority", 99)),
    ("H844", "R007", _same_rank_in_other_areas),
    ("SKHDT", "R008", _set("KT09", "vsdg", "16.8.1")),
    ("SKHDT", "R008", _set("KT09", "vsdg", " 8.5 ")),
]


@pytest.mark.parametrize(("unit_code", "code", "edit"), NEAR_MISSES, ids=[f"{u}-{c}" for u, c, _ in NEAR_MISSES])
def test_near_miss_stays_silent(
    unit_code: str, code: str, edit: Callable[[Filling], None], clean: dict[str, Filling], tmp_path: Path
) -> None:
    catalog = load_catalog()
    filling = copy.deepcopy(clean[unit_code])
    edit(filling)
    path = build_workbook(catalog, catalog.unit(unit_code), tmp_path / "near.xlsx", filling)
    assert code not in {rule for rule, _, _ in _found(path)}


def test_every_rule_is_documented_and_has_a_failing_case() -> None:
    for rule in reference():
        assert rule.doc, f"{rule.code} has no docstring"
        assert rule.title_vi and rule.message_vi and rule.title_en and rule.message_en
        # tests/test_registry.py breaks a rule on purpose; tests/test_inbox.py converts real .xls/.ods files (X002)
        untestable = rule.code in ("X001", "X002", INTERNAL_ERROR.code)
        assert untestable or hasattr(Injector, f"_{rule.code.lower()}"), f"{rule.code} has no injection"


def test_messages_render_with_their_values(clean: dict[str, Filling], tmp_path: Path) -> None:
    catalog = load_catalog()
    filling = copy.deepcopy(clean["SKHDT"])
    filling.indicators["KT09"]["actual_2016"] = "1.234,5"
    path = build_workbook(catalog, catalog.unit("SKHDT"), tmp_path / "m.xlsx", filling)
    (finding,) = validate_path(path).findings
    assert finding.message("vi").startswith("Ô chứa chữ «1.234,5» thay vì số; có thể là 1.234,5.")
    assert "probably 1,234.5" in finding.message("en")
    assert finding.suggestion == 1234.5
    assert finding.sheet == L.INDICATORS and finding.indicator == "KT09"


def test_rule_reference_is_generated_from_the_registry() -> None:
    from kehoach.validators.rulesdoc import render_markdown

    assert (Path(__file__).parents[1] / "docs" / "rules.md").read_text(encoding="utf-8") == render_markdown()


def test_a_macro_project_that_cannot_be_inflated_is_foreign(clean: dict[str, Filling], tmp_path: Path) -> None:
    """The macro project is inflated only when S011 asks; a broken one is reported by S011, not a crash."""
    catalog = load_catalog()
    good = build_workbook(catalog, catalog.unit("CTK"), tmp_path / "good.xlsm", clean["CTK"])
    with zipfile.ZipFile(good) as package:
        info = package.getinfo("xl/vbaProject.bin")
    data = bytearray(good.read_bytes())
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length + 100
    data[start : start + 200] = b"\xff" * 200
    broken = tmp_path / "broken.xlsm"
    broken.write_bytes(bytes(data))
    assert validate_path(good).findings == []
    (finding,) = validate_path(broken).findings
    assert finding.rule == "S011" and "không đọc được" in finding.message()
