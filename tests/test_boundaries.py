"""The workbook and the validator agree, by construction, on every kind of target.

Hand-computed cases (the expected values are written here, worked out by hand in the comments) are typed
into a built template: each target kind (end-year level, average growth, average change in points, five-year
total, yearly amount on average and every year), both directions, ranges, exact boundaries, a series break and
the revalued 2020 base. LibreOffice recalculates it; on every indicator row the sheet's computed cells equal
the Python evaluation of the same expressions (workbook_templates.derived), and the validator's P001 (a cause
where the sheet says "Không đạt") and P007 (a yearly plan that misses its 2025 target) agree with them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import openpyxl
import pytest
from kehoach.validators.engine import validate_path
from kehoach.workbook_templates import derived
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.catalog import load_catalog
from kehoach.workbook_templates.filling import Filling

from tests.conftest import catalog_with_test_unit
from tests.support.libreoffice import recalculate


def _growth(rate: float) -> dict[str, object]:
    """A growth indicator whose five yearly rates 2016-2020 are all ``rate``: its period average is ``rate``
    up to the last bit ((1+r)^5 then the fifth root: 8.5 comes back as 8.499999999999996)."""
    return {f"actual_{y}": rate for y in (2016, 2017, 2018, 2019)} | {"estimate_2020": rate}


def _years(*values: float) -> dict[str, object]:
    """The five yearly values 2016-2020."""
    keys = ("actual_2016", "actual_2017", "actual_2018", "actual_2019", "estimate_2020")
    return dict(zip(keys, values, strict=True))


def _plans(*values: float) -> dict[str, object]:
    return {f"plan_{year}": value for year, value in zip(range(2021, 2026), values, strict=True)}


@dataclass(frozen=True)
class Case:
    inputs: dict[str, object]
    completion: float | None
    verdict: str | None
    why: str
    judged: float | None = None  # the value judged against the 2016-2020 target, where worth stating
    plan: dict[str, float] = field(default_factory=dict)  # expected growth_2021_2025 / judged_2025
    p007: bool = False  # the yearly plan misses a 2025 target that is not an end-year level


def _single(target: float) -> dict[str, object]:
    return {"target_2020": target, "target_2020_max": None}


# The expected values are worked out by hand in the comments (at the indicator's decimals: ROUND half away from
# zero; the completion cut, not rounded, to two decimals).
CASES: dict[str, Case] = {
    # --- end-year level, and growth rates judged on their period average ------------------------------
    # KT01 GRDP growth (growth, up, 2 decimals): 8.5 against 8.5. The average is 8.499999999999996, which
    # shows as 8.50: ROUND(8.4999..,2) = 8.50 >= 8.50 -> Đạt; completion 8.50/8.50*100 = 100.
    "KT01": Case(_growth(8.5) | _single(8.5), 100.0, "Đạt", "exact boundary"),
    # KT12 (growth, up, 2): 8.49 against 8.5. ROUND(8.49,2) = 8.49 < 8.50 -> Không đạt;
    # completion 8.49/8.5*100 = 99.88235... cut to 99.88.
    "KT12": Case(_growth(8.49) | _single(8.5), 99.88, "Không đạt", "just below at 2 decimals"),
    # NN01 (growth, up, 2): 8.496 against 8.5. ROUND(8.496,2) = 8.50 >= 8.50 -> Đạt; completion 100.
    "NN01": Case(_growth(8.496) | _single(8.5), 100.0, "Đạt", "rounds up to the target"),
    # CN01 (growth, up, 2): 9.5 against the range 9-10. 9 <= 9.50 <= 10 -> Đạt; completion against the
    # lower bound: 9.5/9*100 = 105.5555... cut to 105.55.
    "CN01": Case(_growth(9.5) | {"target_2020": 9, "target_2020_max": 10}, 105.55, "Đạt", "inside a range"),
    # CN02 (growth, up, 2): 10.004 against 9-10. ROUND(10.004,2) = 10.00, not above 10 -> Đạt (not Vượt);
    # completion 10.00/9*100 = 111.1111... -> 111.11.
    "CN02": Case(_growth(10.004) | {"target_2020": 9, "target_2020_max": 10}, 111.11, "Đạt", "range top, rounded"),
    # TM03 (growth, up, 2): 10.006 against 9-10. ROUND(10.006,2) = 10.01 > 10 -> Vượt;
    # completion 10.01/9*100 = 111.2222... -> 111.22.
    "TM03": Case(_growth(10.006) | {"target_2020": 9, "target_2020_max": 10}, 111.22, "Vượt", "above a range"),
    # YT07 stunting rate (rate, down, 2): 3.5 against 3.5 -> Đạt; completion 3.5/3.5*100 = 100.
    "YT07": Case({"estimate_2020": 3.5} | _single(3.5), 100.0, "Đạt", "down, exact boundary"),
    # YT06 infant mortality (rate, down, 2): 3.504 against 3.5. ROUND(3.504,2) = 3.50 <= 3.50 -> Đạt; 100.
    "YT06": Case({"estimate_2020": 3.504} | _single(3.5), 100.0, "Đạt", "down, rounds onto the target"),
    # LD08 (rate, down, 2): 3.51 against 3.5. 3.51 > 3.50 -> Không đạt; completion 3.5/3.51*100 =
    # 99.7150997... -> 99.71.
    "LD08": Case({"estimate_2020": 3.51} | _single(3.5), 99.71, "Không đạt", "down, just above"),
    # GD04 dropout rate (rate, down, 2): 1.2 against 1.5. 1.20 < 1.50 -> Vượt; completion 1.5/1.2*100 = 125.
    "GD04": Case({"estimate_2020": 1.2} | _single(1.5), 125.0, "Vượt", "down, beaten"),
    # TM01 retail sales (level, up, 1 decimal): 99999.9 against 100000. 99999.9 < 100000.0 -> Không đạt;
    # completion 99999.9/100000*100 = 99.9999, which ROUND would show as "100,00 %": cut, it is 99.99.
    "TM01": Case({"estimate_2020": 99999.9} | _single(100000), 99.99, "Không đạt", "never 100 % beside a miss"),
    # TM06 (level, up, 1): 100000.04 against 100000. ROUND(100000.04,1) = 100000.0 -> Đạt; completion 100.
    "TM06": Case({"estimate_2020": 100000.04} | _single(100000), 100.0, "Đạt", "level, rounds onto the target"),
    # YT01 average population (neutral): a target, a lower value, and still no verdict, no completion.
    "YT01": Case({"estimate_2020": 1009.2} | _single(1050), None, None, "neutral: population"),
    # KT07 tax share of GRDP (neutral): no verdict, no completion.
    "KT07": Case({"estimate_2020": 6.1} | _single(7), None, None, "neutral: tax share"),
    # --- the other target kinds ------------------------------------------------------------------------
    # TC01 budget revenue, "up 17 %/yr" (level, avg_growth, up, 1 decimal): 3000 in 2015 to 6000 in 2020 is
    # (2^(1/5) - 1)*100 = 14.8698...%/yr, shown 14.9 < 17 -> Không đạt; completion 14.9/17*100 = 87.647 -> 87.64.
    # Plan: from 6000 to 13154.7 in 2025 is (13154.7/6000)^(1/5) = 1.1700003.. -> 17.00 %/yr, within 17-18.
    "TC01": Case(
        {"actual_2015": 3000, "estimate_2020": 6000, "plan_2025": 13154.7, "target_2025": 17, "target_2025_max": 18}
        | _single(17),
        87.64,
        "Không đạt",
        "average growth of a level",
        judged=14.869835499703509,
    ),
    # KT09 total investment, "180-200 thousand bn over five years" (level, total, up, 1 decimal):
    # 30000 + 35000 + 38000 + 40000 + 42000 = 185000, within 180000-200000 -> Đạt; 185000/180000 = 102.77...
    # Plan: 45000 + 48000 + 50000 + 52000 + 55000 = 250000, within 240000-260000.
    "KT09": Case(
        _years(30000, 35000, 38000, 40000, 42000)
        | {"target_2020": 180000, "target_2020_max": 200000}
        | _plans(45000, 48000, 50000, 52000, 55000)
        | {"target_2025": 240000, "target_2025_max": 260000},
        102.77,
        "Đạt",
        "five-year total",
        judged=185000,
        plan={"judged_2025": 250000},
    ),
    # LD03 new jobs, "22,000 a year" (level, annual_avg, up, 0 decimals): (21000 + 22000 + 23000 + 22500 +
    # 21500)/5 = 22000 -> Đạt, 100. Plan: 22000 every year averages 22000, below the 25000 asked -> P007.
    "LD03": Case(
        _years(21000, 22000, 23000, 22500, 21500)
        | _single(22000)
        | _plans(22000, 22000, 22000, 22000, 22000)
        | {"target_2025": 25000, "target_2025_max": None},
        100.0,
        "Đạt",
        "yearly amount, on average",
        judged=22000,
        plan={"judged_2025": 22000},
        p007=True,
    ),
    # LD06 poverty rate, "down 2-2.5 points a year" (rate, avg_change, down, 2 decimals, new series from 2016):
    # from 10.5 in 2016 to 2.0 in 2020 is (2.0 - 10.5)/4 = -2.125 points/yr, shown -2.13: not below -2.5, not
    # above -2 -> Đạt; both negative, so completion = value/upper = -2.13/-2 = 106.5 -> 106.50. The 2015
    # figure (old poverty line) is not used: from it, (2.0 - 20)/5 = -3.6 would have shown Vượt. The
    # comparison with 2011-2015 crosses the break: empty although 2011-2015 is typed.
    "LD06": Case(
        {"actual_2015": 20.0, "actual_2016": 10.5, "estimate_2020": 2.0, "growth_2011_2015": -1.5}
        | {"target_2020": -2.5, "target_2020_max": -2},
        106.5,
        "Đạt",
        "points a year, series break",
        judged=-2.125,
    ),
    # DT01 (rate, avg_change, down, 2, break 2016): from 12.0 in 2016 to 4.0 in 2020 is -2.0 points/yr against
    # a target "down at least 2.5" (-2.5 as a single value): -2.00 > -2.50 -> Không đạt; -2/-2.5 = 80.00.
    "DT01": Case(
        {"actual_2015": 30.0, "actual_2016": 12.0, "estimate_2020": 4.0} | _single(-2.5),
        80.0,
        "Không đạt",
        "points a year, missed",
        judged=-2.0,
    ),
    # KT02 GRDP per capita (level, end, up, 1 decimal, revalued): 2020 is 65 on the old basis, 61 revalued;
    # to 100 in 2025 is (100/61)^(1/5) - 1 = 10.391..%/yr, not (100/65)^(1/5) - 1 = 8.998..%.
    "KT02": Case(
        {"estimate_2020": 65, "estimate_2020_revalued": 61, "plan_2025": 100, "target_2025": 100} | _single(69),
        94.2,
        "Không đạt",
        "the plan starts from the revalued 2020",
        judged=65,
        plan={"growth_2021_2025": 10.391092901821718, "judged_2025": 100},
    ),
    # KT11 labour productivity (level, revalued) with no revalued figure typed: the plan starts from the 2020
    # estimate, 80 to 120: (1.5^(1/5) - 1)*100 = 8.4471..%/yr. 80 against 80 -> Đạt, 100.
    "KT11": Case(
        {"estimate_2020": 80, "plan_2025": 120, "target_2025": 120} | _single(80),
        100.0,
        "Đạt",
        "no revalued figure: the 2020 estimate",
        plan={"growth_2021_2025": 8.447177119769836},
    ),
    # ZA01 (level, annual_each, up, 2): years 10, 12, 9.5, 11, 13: the weakest, 9.5 < 10 -> Không đạt; 95.00.
    "ZA01": Case(_years(10, 12, 9.5, 11, 13) | _single(10), 95.0, "Không đạt", "every year: one year short"),
    # ZA02 (level, annual_each, down, 2): years 5, 4, 6, 4.5, 3: the weakest is the highest, 6 <= 6 -> Đạt; 100.
    "ZA02": Case(_years(5, 4, 6, 4.5, 3) | _single(6), 100.0, "Đạt", "every year, lower is better"),
    # ZA03 (growth, annual_each, up, 2): rates 7.5, 8, 7.0, 9, 8: the weakest, 7.0 >= 7 -> Đạt; 100.
    "ZA03": Case(_years(7.5, 8, 7.0, 9, 8) | _single(7), 100.0, "Đạt", "growth every year"),
    # ZA04 (level, avg_growth, down, 2): 1000 to 800 is (0.8^(1/5) - 1)*100 = -4.3647..%/yr, shown -4.36,
    # below the target -4 -> Vượt; both negative: -4.36/-4*100 = 109.00.
    "ZA04": Case({"actual_2015": 1000, "estimate_2020": 800} | _single(-4), 109.0, "Vượt", "a fall, beaten"),
    # ZA05 (level, avg_change, up, 2): 100 to 150 is +10 a year against 10 -> Đạt; 100.
    "ZA05": Case({"actual_2015": 100, "estimate_2020": 150} | _single(10), 100.0, "Đạt", "a level's yearly rise"),
    # ZA06 (rate, avg_change, up, 2): 40 to 45 is +1.00 point a year, within 0.8-1.2 -> Đạt; 1/0.8 = 125.
    "ZA06": Case(
        {"actual_2015": 40, "estimate_2020": 45} | {"target_2020": 0.8, "target_2020_max": 1.2},
        125.0,
        "Đạt",
        "points a year, a range",
    ),
    # ZA07 (level, total, down, 2): 10 a year is 50 over five years, above the 45 allowed -> Không đạt; 45/50
    # = 90.00.
    "ZA07": Case(_years(10, 10, 10, 10, 10) | _single(45), 90.0, "Không đạt", "a total, lower is better"),
    # ZA08 (level, annual_avg, down, 2): 4, 5, 6, 5, 5 average 5, below the 5.5 allowed -> Vượt; 5.5/5 = 110.
    "ZA08": Case(_years(4, 5, 6, 5, 5) | _single(5.5), 110.0, "Vượt", "yearly average, lower is better"),
    # ZA09 (growth, avg_growth, down, 2) like CPI: rates 3, 4, 3.5, 2.5, 3: product 1.170501579, average
    # 3.19874..%, shown 3.20 < 4 -> Vượt; 4/3.20 = 125.00.
    "ZA09": Case(_years(3, 4, 3.5, 2.5, 3) | _single(4), 125.0, "Vượt", "a price index, lower is better"),
    # KT13 CPI (growth, avg_growth, down, 2): rates 5, 5, 5, 5, 5 against "below -1" (deflation wanted): the
    # value 5.00 and the target -1 differ in sign -> no completion; 5 > -1 -> Không đạt.
    "KT13": Case(_growth(5.0) | _single(-1), None, "Không đạt", "signs differ: no completion"),
}


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("boundaries")
    catalog = catalog_with_test_unit(tmp, every_target_kind=True)
    unit = catalog.unit("TEST")
    filling = Filling()
    for code, case in CASES.items():
        filling.indicators[code] = dict(case.inputs)
    written = build_workbook(catalog, unit, tmp / "TEST_boundaries.xlsx", filling)
    (recalculated,) = recalculate([written], tmp / "recalc")
    rows = {r.indicator.code: r.row for r in L.indicator_rows(catalog, unit) if r.indicator is not None}
    findings = validate_path(written, catalog).findings
    return {
        "catalog": catalog,
        "rows": rows,
        "sheet": openpyxl.load_workbook(recalculated, data_only=True)[L.INDICATORS],
        "found": {rule: {f.indicator for f in findings if f.rule == rule} for rule in ("P001", "P007")},
        "filling": filling,
    }


def _shown(value: object) -> object:
    return None if value in (None, "") else value


def _same(shown: object, expected: object) -> bool:
    if isinstance(expected, float | int) and not isinstance(expected, bool):
        return isinstance(shown, float | int) and math.isclose(shown, expected, rel_tol=1e-12, abs_tol=1e-9)
    return shown == expected


def test_catalog_offers_every_case() -> None:
    catalog = load_catalog()
    kinds = {
        code: (catalog.indicator(code).kind, catalog.indicator(code).direction) for code in CASES if code[0] != "Z"
    }
    assert kinds["KT01"] == kinds["KT12"] == kinds["NN01"] == ("growth", "up")
    assert kinds["YT07"] == ("rate", "down") and kinds["YT01"][1] == kinds["KT07"][1] == "neutral"
    assert catalog.indicator("KT01").decimals == catalog.indicator("LD08").decimals == 2
    assert catalog.indicator("TM01").decimals == 1
    target_kinds = {code: catalog.indicator(code).target_kind for code in ("TC01", "KT09", "LD03", "LD06", "DT01")}
    assert target_kinds == {
        "TC01": "avg_growth",
        "KT09": "total",
        "LD03": "annual_avg",
        "LD06": "avg_change",
        "DT01": "avg_change",
    }
    assert catalog.indicator("LD06").series_break == catalog.indicator("DT01").series_break == 2016
    assert catalog.indicator("KT02").revalued and catalog.indicator("KT11").revalued


@pytest.mark.parametrize("code", list(CASES))
def test_hand_computed_case(judged: dict, code: str) -> None:
    case = CASES[code]
    row, sheet = judged["rows"][code], judged["sheet"]

    def shown(key: str) -> object:
        return _shown(sheet[L.indicator_cell(key, row)].value)

    assert (shown("evaluation_2020"), shown("completion_2020")) == (case.verdict, case.completion), case.why
    python = derived.indicator_values(judged["catalog"].indicator(code), judged["filling"].indicators[code])
    assert (python["evaluation_2020"], python["completion_2020"]) == (case.verdict, case.completion), case.why
    if case.judged is not None:
        assert _same(shown("judged_2020"), case.judged) and _same(python["judged_2020"], case.judged), case.why
    for key, expected in case.plan.items():
        assert _same(shown(key), expected) and _same(python[key], expected), (case.why, key)
    assert (code in judged["found"]["P001"]) == (case.verdict == "Không đạt"), case.why
    assert (code in judged["found"]["P007"]) == case.p007, case.why


def test_break_leaves_the_comparison_with_2011_2015_empty(judged: dict) -> None:
    cell = L.indicator_cell("compare_2011_2015", judged["rows"]["LD06"])
    assert judged["filling"].indicators["LD06"]["growth_2011_2015"] == -1.5
    assert _shown(judged["sheet"][cell].value) is None


def test_sheet_python_and_validator_agree_on_every_row(judged: dict) -> None:
    catalog, sheet = judged["catalog"], judged["sheet"]
    computed = [c.key for c in L.indicator_columns() if c.role == "formula"]
    mismatches = []
    for code, row in judged["rows"].items():
        indicator = catalog.indicator(code)
        python = derived.indicator_values(indicator, judged["filling"].indicators.get(code, {}))
        for key in computed:
            shown = _shown(sheet[L.indicator_cell(key, row)].value)
            if not _same(shown, python[key]):
                mismatches.append((code, key, shown, python[key]))
        verdict = _shown(sheet[L.indicator_cell("evaluation_2020", row)].value)
        if (code in judged["found"]["P001"]) != (verdict == "Không đạt"):
            mismatches.append((code, "P001", code in judged["found"]["P001"], verdict))
        completion = sheet[L.indicator_cell("completion_2020", row)].value
        if verdict == "Không đạt" and isinstance(completion, float | int) and completion >= 100:
            mismatches.append((code, "100 % beside Không đạt", verdict))
    assert not mismatches, mismatches
