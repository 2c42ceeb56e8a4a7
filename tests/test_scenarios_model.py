"""The scenario model in Python: the accounting identities hold for any scenario (contributions add up to
GRDP growth, shares to 100 %, the average is the geometric mean of the yearly growths), the inverse gives
back its target when fed to the forward model, and the assumptions file is checked row by row."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from kehoach.scenarios.assumptions import DEFAULTS, AssumptionError, load_scenarios
from kehoach.scenarios.model import DIRECTIVE_TARGET, Base, Scenario, Target, project, required_growth
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import load_catalog

SECTORS = tuple(s.code for s in load_catalog().grdp_sectors)
YEARS = 5
TOLERANCE = 1e-9

levels = st.floats(min_value=50, max_value=80000, allow_nan=False)
rates = st.lists(st.floats(min_value=-20, max_value=30, allow_nan=False), min_size=YEARS, max_size=YEARS)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Base, Scenario]:
    constant = {s: draw(levels) for s in SECTORS}
    current = {s: constant[s] * draw(st.floats(min_value=0.5, max_value=3)) for s in SECTORS}
    base = Base(2020, constant, current, draw(st.floats(min_value=100, max_value=5000)))
    scenario = Scenario(
        "test",
        "Phương án thử",
        growth={s: tuple(draw(rates)) for s in SECTORS},
        price={s: tuple(draw(rates)) for s in SECTORS},
        population=tuple(draw(st.lists(st.floats(min_value=-3, max_value=3), min_size=YEARS, max_size=YEARS))),
    )
    return base, scenario


@settings(max_examples=200, deadline=None)
@given(cases())
def test_identities_hold_for_any_scenario(case: tuple[Base, Scenario]) -> None:
    base, scenario = case
    p = project(base, scenario)
    assert p.years == tuple(range(2020, 2026))
    total, current_total = p.constant_total, p.current_total
    for year in p.plan_years:
        assert sum(c[year] for c in p.contributions.values()) == pytest.approx(p.growth[year], abs=TOLERANCE)
    for year in p.years:
        assert sum(s[year] for s in p.structure.values()) == pytest.approx(100, abs=TOLERANCE)
        assert p.per_capita[year] == pytest.approx(current_total[year] / p.population[year], rel=TOLERANCE)
    yearly = math.prod(1 + g / 100 for g in p.growth.values()) ** (1 / YEARS) * 100 - 100
    from_levels = ((total[2025] / total[2020]) ** (1 / YEARS) - 1) * 100
    assert p.average_growth == pytest.approx(yearly, abs=TOLERANCE)
    assert p.average_growth == pytest.approx(from_levels, abs=TOLERANCE)
    for sector in SECTORS:
        assert p.current[sector][2020] == base.current[sector]
        for year in p.plan_years:
            assert p.current[sector][year] == pytest.approx(
                p.constant[sector][year] * p.deflator[sector][year], rel=TOLERANCE
            )


@settings(max_examples=200, deadline=None)
@given(cases(), st.floats(min_value=0, max_value=15), st.sampled_from(SECTORS))
def test_the_inverse_reproduces_its_target(case: tuple[Base, Scenario], target: float, sector: str) -> None:
    base, scenario = case
    needed = required_growth(base, scenario, sector, target)
    # Where the other sectors alone overshoot the target path no growth of this sector fits (tested below).
    assume(all(rate is not None for rate in needed.values()))
    solved = project(base, scenario.with_growth(sector, [needed[y] for y in sorted(needed)]))
    for year in solved.plan_years:
        assert solved.growth[year] == pytest.approx(target, abs=1e-8), year
    assert solved.average_growth == pytest.approx(target, abs=1e-8)


def test_the_inverse_has_no_answer_when_the_others_overshoot() -> None:
    base = Base(2020, {s: 100.0 for s in SECTORS}, {s: 150.0 for s in SECTORS}, 1000.0)
    flat = {s: (0.0,) * YEARS for s in SECTORS}
    booming = {**flat, "industry": (300.0,) * YEARS}
    scenario = Scenario("x", "x", growth=booming, price=flat, population=(0.0,) * YEARS)
    assert all(rate is None for rate in required_growth(base, scenario, "agri", 5.0).values())


def test_verdict_against_a_range_and_a_single_target() -> None:
    base = Base(2020, {s: 100.0 for s in SECTORS}, {s: 100.0 for s in SECTORS}, 1000.0)
    flat = {s: (0.0,) * YEARS for s in SECTORS}
    verdicts = {}
    for rate in (8.0, 9.0, 9.5, 10.0, 11.0):
        scenario = Scenario("x", "x", {s: (rate,) * YEARS for s in SECTORS}, flat, (0.0,) * YEARS)
        verdicts[rate] = project(base, scenario).verdict(DIRECTIVE_TARGET)
    assert verdicts[8.0] == "Không đạt" and verdicts[9.5] == "Đạt" and verdicts[11.0] == "Vượt"
    scenario = Scenario("x", "x", {s: (9.5,) * YEARS for s in SECTORS}, flat, (0.0,) * YEARS)
    assert project(base, scenario).verdict(Target(9.0)) == "Vượt"


def test_the_shipped_assumptions_are_three_labelled_illustrations() -> None:
    scenarios = load_scenarios(SECTORS, L.YEARS_PLAN)
    assert [s.key for s in scenarios] == ["low", "base", "high"]
    for scenario in scenarios:
        assert set(scenario.growth) == set(scenario.price) == set(SECTORS)
        assert all(len(r) == YEARS for r in (*scenario.growth.values(), *scenario.price.values()))
        for (series, _sector), source in scenario.sources.items():
            assert "minh họa" in source if series != "population" else "Quy hoạch" in source
    low, base, high = scenarios
    for sector in SECTORS:
        assert low.growth[sector] < base.growth[sector] < high.growth[sector]
    assert base.growth["industry"] == (15.49,) * YEARS  # Quy hoạch tỉnh 2021-2030, targets.csv TVQH-03


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "gia-dinh.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AssumptionError) as caught:
        load_scenarios(SECTORS, L.YEARS_PLAN, path)
    return caught.value.problems


def test_a_broken_assumptions_file_is_refused_with_every_problem(tmp_path: Path) -> None:
    lines = DEFAULTS.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    broken = [
        rows[0].replace(",2.5,2.5,2.5,", ",2.5,abc,2.5,", 1),
        rows[1].replace(",industry,", ",mining,", 1),
        rows[2].replace(",8.5,", ",-100,", 1),
        rows[3].replace(",growth,", ",speed,", 1),
        *rows[4:9],
        rows[4],
        "Low,Sai mã,growth,agri,1,1,1,1,1,",
    ]
    problems = _problems(tmp_path, "\n".join([header, *broken]))
    expected = [
        "dòng 2, cột y2022: «abc» không phải là số",
        "dòng 3: khu vực «mining» không có trong danh mục",
        "dòng 4, cột y2021: tốc độ tăng -100 không hợp lệ",
        "dòng 5: loại «speed» không hợp lệ",
        "dòng 11: trùng với dòng 6",
        "dòng 12: mã phương án «Low»",
        "phương án «low» thiếu dòng tốc độ tăng giá trị tăng thêm (giá so sánh 2010) khu vực «industry»",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in problems), (text, problems)
    assert _problems(tmp_path, "scenario,series\nlow,growth\n")[0].startswith("tệp «gia-dinh.csv» thiếu cột: name_vi")
    assert _problems(tmp_path, header + "\n") == ["tệp «gia-dinh.csv» không có phương án nào."]
