"""The major balances: the ICOR investment need against a hand computation, the other balances, and the
sheet «Cân đối lớn» whose formulas give the same after LibreOffice recalculates them."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest
from kehoach.scenarios import balances as B
from kehoach.scenarios.assumptions import load_scenarios
from kehoach.scenarios.model import Base, Scenario, project
from kehoach.scenarios.sheet import write_scenario_workbook
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import load_catalog

from tests.support import libreoffice

YEARS = (2021, 2022, 2023, 2024, 2025)


def _one_sector() -> tuple[Base, Scenario]:
    base = Base(2020, {"a": 100.0}, {"a": 150.0}, 10.0)
    scenario = Scenario("base", "Phương án cơ sở", {"a": (10.0,) * 5}, {"a": (0.0,) * 5}, (0.0,) * 5)
    return base, scenario


def test_icor_need_matches_a_hand_computation() -> None:
    # By hand: GRDP at constant prices 100 -> 110 -> 121 -> 133.1 -> 146.41 -> 161.051 (10 %/yr), so the
    # increments are 10, 11, 12.1, 13.31, 14.641 (sum 61.051). ICOR 5: 50, 55, 60.5, 66.55, 73.205 at constant
    # prices (sum 305.255). The deflator stays 150/100 = 1.5 (prices flat): 75, 82.5, 90.75, 99.825, 109.8075 at
    # current prices, sum 457.8825. Planned investment 100 a year = 500: 42.1175 more than needed.
    base, scenario = _one_sector()
    figures = B.PlanFigures(investment=dict.fromkeys(YEARS, 100.0))
    balance = B.investment_balance(project(base, scenario), 5.0, figures)
    increments = [10, 11, 12.1, 13.31, 14.641]
    for year, increment in zip(YEARS, increments, strict=True):
        assert balance.increment_constant[year] == pytest.approx(increment)
        assert balance.deflator[year] == pytest.approx(1.5)
        assert balance.need_constant[year] == pytest.approx(5 * increment)
        assert balance.need_current[year] == pytest.approx(7.5 * increment)
    assert balance.need_total == pytest.approx(457.8825)
    assert balance.planned_total == pytest.approx(500)
    assert balance.gap == pytest.approx(42.1175)


def test_deflator_converts_the_need_to_current_prices() -> None:
    # Prices up 10 % a year: the 2021 need 5 × 10 = 50 at constant prices is 50 × 1.5 × 1.1 = 82.5 at current prices.
    base, scenario = _one_sector()
    scenario = Scenario("base", "x", {"a": (10.0,) * 5}, {"a": (10.0,) * 5}, (0.0,) * 5)
    balance = B.investment_balance(project(base, scenario), 5.0, B.PlanFigures())
    assert balance.need_current[2021] == pytest.approx(82.5)
    assert balance.need_current[2022] == pytest.approx(5 * 11 * 1.5 * 1.21)
    assert balance.gap is None  # no planned investment: no gap, never a made-up one


def test_other_balances() -> None:
    base, scenario = _one_sector()
    scenario = Scenario("base", "x", {"a": (10.0,) * 5}, {"a": (0.0,) * 5}, (1.0,) * 5)
    figures = B.PlanFigures(
        revenue=dict.fromkeys(YEARS, 10.0),
        spending=dict.fromkeys(YEARS, 12.0),
        jobs=dict.fromkeys(YEARS, 200.0),
        exports={**dict.fromkeys(YEARS[:-1], 1.0), 2025: 2.0},
        exports_2020=1.0,
    )
    other = B.other_balances(project(base, scenario), figures, participation=50, exchange_rate=20_000)
    assert other.revenue_total == 50 and other.spending_total == 60 and other.budget_gap == -10
    assert other.labour_increase == pytest.approx(10 * (1.01**5 - 1) * 0.5)  # thousand people
    assert other.jobs_total == 1000
    assert other.exports_growth == pytest.approx((2 ** (1 / 5) - 1) * 100)
    # 2 million USD × 20,000 đ = 40 tỷ đồng against GRDP 2025 at current prices 161.051 × 1.5.
    assert other.exports_share_2025 == pytest.approx(40 / (161.051 * 1.5) * 100)
    assert B.other_balances(project(base, scenario), B.PlanFigures()).budget_gap is None


def _rows(ws) -> dict[str, int]:
    return {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}


@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice not installed")
def test_balance_sheet_formulas_equal_the_model(tmp_path: Path) -> None:
    catalog = load_catalog()
    base = Base(
        2020,
        {"agri": 14851.56, "industry": 18512.68, "services": 19449.76, "taxes": 1667.12},
        {"agri": 20949.59, "industry": 26113.97, "services": 27435.81, "taxes": 2351.64},
        1025.49,
        "CTK",
    )
    plans = load_scenarios(list(base.constant), L.YEARS_PLAN)
    figures = B.PlanFigures(
        investment={y: 30000.0 + 1000 * i for i, y in enumerate(YEARS)},
        public_investment=20000.0,
        revenue=dict.fromkeys(YEARS, 6000.0),
        spending=dict.fromkeys(YEARS, 9000.0),
        jobs=dict.fromkeys(YEARS, 22000.0),
        exports=dict.fromkeys(YEARS, 700.0),
        exports_2020=500.0,
    )
    path = write_scenario_workbook(tmp_path / "pa.xlsx", catalog, base, plans, figures=figures, icor=6.0)
    [recalculated] = libreoffice.recalculate([path], tmp_path / "lo")
    cached = openpyxl.load_workbook(path, data_only=True)[B.SHEET]
    ws = openpyxl.load_workbook(recalculated, data_only=True)[B.SHEET]
    rows = _rows(ws)
    total_col = B.TOTAL_COL + 1
    for plan in plans:
        balance = B.investment_balance(project(base, plan), 6.0, figures)
        row = rows[f"{plan.key}.need_current"]
        assert ws.cell(row, total_col).value == pytest.approx(balance.need_total, rel=1e-9)
        assert cached.cell(row, total_col).value == pytest.approx(balance.need_total, rel=1e-9)
        assert ws.cell(rows[f"{plan.key}.gap"], total_col).value == pytest.approx(balance.gap, rel=1e-9)
        for year in YEARS:
            col = B.YEAR_COLS[year] + 1
            assert ws.cell(rows[f"{plan.key}.need_constant"], col).value == pytest.approx(balance.need_constant[year])
    assert ws.cell(rows["budget.balance"], total_col).value == pytest.approx(-15000)
    assert not math.isnan(ws.cell(rows["base.labour_increase"], B.YEAR_COLS[2025] + 1).value)


def test_cli_scenarios_writes_the_balances_with_the_plan_of_a_master(tmp_path: Path, demo_run) -> None:
    """`kehoach scenarios MASTER --icor 4`: the balance sheet takes the ICOR and, through read_plan, the plan's
    figures; `kehoach report` on the same master builds its scenarios from the Statistics Office's figures the
    master merged."""
    import docx
    from click.testing import CliRunner
    from kehoach.cli.main import kehoach
    from kehoach.master.read import read_plan

    catalog = load_catalog()
    master = demo_run.outcome.master
    plan = read_plan(master, catalog)

    workbook = tmp_path / "pa.xlsx"
    run = CliRunner().invoke(kehoach, ["scenarios", str(master), "-o", str(workbook), "--icor", "4"])
    assert run.exit_code == 0, run.output
    ws = openpyxl.load_workbook(workbook, data_only=True)[B.SHEET]
    rows = _rows(ws)
    assert ws.cell(rows["base.icor"], B.YEAR_COLS[2021] + 1).value == 4
    expected = B.plan_series(plan.row("KT09").values)
    assert ws.cell(rows["plan.investment"], B.YEAR_COLS[2023] + 1).value == pytest.approx(expected[2023])

    out = tmp_path / "du-thao.docx"
    run = CliRunner().invoke(kehoach, ["report", str(master), "-o", str(out), "--icor", "4"])
    assert run.exit_code == 0, run.output
    assert "Cảnh báo" not in run.output
    document = docx.Document(str(out))
    icor_table = next(t for t in document.tables if t.rows[0].cells[1].text == "ICOR")
    assert {r.cells[1].text for r in icor_table.rows[2:]} == {"4"}
