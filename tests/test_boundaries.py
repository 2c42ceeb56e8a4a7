"""The workbook and the validator agree at a target's exact boundary, by construction.

Hand-computed cases (the expected values are written here, worked out by hand in the comments) are typed
into a built template; LibreOffice recalculates it; on every indicator row the sheet's verdict and completion
equal the Python evaluation of the same expressions (workbook_templates.derived) and the validator's P001
judgment (a cause is required exactly where the sheet says "Không đạt").
"""

from __future__ import annotations

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


# code: (inputs, expected completion_2020, expected evaluation_2020, why)
CASES: dict[str, tuple[dict[str, object], float | None, str | None, str]] = {
    # KT01 GRDP growth (growth, up, 2 decimals): 8.5 against 8.5. The average is 8.499999999999996, which
    # shows as 8.50: ROUND(8.4999..,2) = 8.50 >= 8.50 -> Đạt; completion 8.50/8.50*100 = 100.
    "KT01": (_growth(8.5) | {"target_2020": 8.5}, 100.0, "Đạt", "exact boundary"),
    # KT12 (growth, up, 2): 8.49 against 8.5. ROUND(8.49,2) = 8.49 < 8.50 -> Không đạt;
    # completion 8.49/8.5*100 = 99.88235... cut to 99.88.
    "KT12": (_growth(8.49) | {"target_2020": 8.5}, 99.88, "Không đạt", "just below at 2 decimals"),
    # NN01 (growth, up, 2): 8.496 against 8.5. ROUND(8.496,2) = 8.50 >= 8.50 -> Đạt; completion 100.
    "NN01": (_growth(8.496) | {"target_2020": 8.5}, 100.0, "Đạt", "rounds up to the target"),
    # CN01 (growth, up, 2): 9.5 against the range 9-10. 9 <= 9.50 <= 10 -> Đạt; completion against the
    # lower bound: 9.5/9*100 = 105.5555... cut to 105.55.
    "CN01": (_growth(9.5) | {"target_2020": 9, "target_2020_max": 10}, 105.55, "Đạt", "inside a range"),
    # CN02 (growth, up, 2): 10.004 against 9-10. ROUND(10.004,2) = 10.00, not above 10 -> Đạt (not Vượt);
    # completion 10.00/9*100 = 111.1111... -> 111.11.
    "CN02": (_growth(10.004) | {"target_2020": 9, "target_2020_max": 10}, 111.11, "Đạt", "range top, rounded"),
    # TM03 (growth, up, 2): 10.006 against 9-10. ROUND(10.006,2) = 10.01 > 10 -> Vượt;
    # completion 10.01/9*100 = 111.2222... -> 111.22.
    "TM03": (_growth(10.006) | {"target_2020": 9, "target_2020_max": 10}, 111.22, "Vượt", "above a range"),
    # YT07 stunting rate (rate, down, 2): 3.5 against 3.5 -> Đạt; completion 3.5/3.5*100 = 100.
    "YT07": ({"estimate_2020": 3.5, "target_2020": 3.5}, 100.0, "Đạt", "down, exact boundary"),
    # DT01 (rate, down, 2): 3.504 against 3.5. ROUND(3.504,2) = 3.50 <= 3.50 -> Đạt; completion 100.
    "DT01": ({"estimate_2020": 3.504, "target_2020": 3.5}, 100.0, "Đạt", "down, rounds onto the target"),
    # LD08 (rate, down, 2): 3.51 against 3.5. 3.51 > 3.50 -> Không đạt; completion 3.5/3.51*100 =
    # 99.7150997... -> 99.71.
    "LD08": ({"estimate_2020": 3.51, "target_2020": 3.5}, 99.71, "Không đạt", "down, just above"),
    # GD04 dropout rate (rate, down, 2): 1.2 against 1.5. 1.20 < 1.50 -> Vượt; completion 1.5/1.2*100 = 125.
    "GD04": ({"estimate_2020": 1.2, "target_2020": 1.5}, 125.0, "Vượt", "down, beaten"),
    # TM01 retail sales (level, up, 1 decimal): 99999.9 against 100000. 99999.9 < 100000.0 -> Không đạt;
    # completion 99999.9/100000*100 = 99.9999, which ROUND would show as "100,00 %": cut, it is 99.99.
    "TM01": ({"estimate_2020": 99999.9, "target_2020": 100000}, 99.99, "Không đạt", "never 100 % beside a miss"),
    # TM06 (level, up, 1): 100000.04 against 100000. ROUND(100000.04,1) = 100000.0 -> Đạt; completion 100.
    "TM06": ({"estimate_2020": 100000.04, "target_2020": 100000}, 100.0, "Đạt", "level, rounds onto the target"),
    # YT01 average population (neutral): a target, a lower value, and still no verdict, no completion.
    "YT01": ({"estimate_2020": 1009.2, "target_2020": 1050}, None, None, "neutral: population"),
    # KT07 tax share of GRDP (neutral): no verdict, no completion.
    "KT07": ({"estimate_2020": 6.1, "target_2020": 7}, None, None, "neutral: tax share"),
}


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("boundaries")
    catalog = catalog_with_test_unit(tmp)
    unit = catalog.unit("TEST")
    filling = Filling()
    for code, (inputs, _, _, _) in CASES.items():
        filling.indicators[code] = dict(inputs)
    written = build_workbook(catalog, unit, tmp / "TEST_boundaries.xlsx", filling)
    (recalculated,) = recalculate([written], tmp / "recalc")
    rows = {r.indicator.code: r.row for r in L.indicator_rows(catalog, unit) if r.indicator is not None}
    p001 = {f.indicator for f in validate_path(written, catalog).findings if f.rule == "P001"}
    return {
        "catalog": catalog,
        "rows": rows,
        "sheet": openpyxl.load_workbook(recalculated, data_only=True)[L.INDICATORS],
        "p001": p001,
        "filling": filling,
    }


def _shown(value: object) -> object:
    return None if value in (None, "") else value


def test_catalog_offers_every_case() -> None:
    catalog = load_catalog()
    kinds = {code: (catalog.indicator(code).kind, catalog.indicator(code).direction) for code in CASES}
    assert kinds["KT01"] == kinds["KT12"] == kinds["NN01"] == ("growth", "up")
    assert kinds["YT07"] == ("rate", "down") and kinds["YT01"][1] == kinds["KT07"][1] == "neutral"
    assert catalog.indicator("KT01").decimals == catalog.indicator("LD08").decimals == 2
    assert catalog.indicator("TM01").decimals == 1


@pytest.mark.parametrize("code", list(CASES))
def test_hand_computed_case(judged: dict, code: str) -> None:
    _, completion, verdict, why = CASES[code]
    row = judged["rows"][code]
    shown_completion = _shown(judged["sheet"][L.indicator_cell("completion_2020", row)].value)
    shown_verdict = _shown(judged["sheet"][L.indicator_cell("evaluation_2020", row)].value)
    assert (shown_verdict, shown_completion) == (verdict, completion), why
    python = derived.indicator_values(judged["catalog"].indicator(code), judged["filling"].indicators[code])
    assert (python["evaluation_2020"], python["completion_2020"]) == (verdict, completion), why
    assert (code in judged["p001"]) == (verdict == "Không đạt"), why


def test_sheet_python_and_validator_agree_on_every_row(judged: dict) -> None:
    catalog, sheet = judged["catalog"], judged["sheet"]
    mismatches = []
    for code, row in judged["rows"].items():
        indicator = catalog.indicator(code)
        python = derived.indicator_values(indicator, judged["filling"].indicators.get(code, {}))
        for key in ("completion_2020", "evaluation_2020", "growth_2016_2020"):
            shown = _shown(sheet[L.indicator_cell(key, row)].value)
            expected = python[key]
            same = shown == expected if not isinstance(expected, float) else abs(shown - expected) < 1e-9  # type: ignore[operator]
            if not same:
                mismatches.append((code, key, shown, expected))
        verdict = _shown(sheet[L.indicator_cell("evaluation_2020", row)].value)
        if (code in judged["p001"]) != (verdict == "Không đạt"):
            mismatches.append((code, "P001", code in judged["p001"], verdict))
        if verdict == "Không đạt" and sheet[L.indicator_cell("completion_2020", row)].value >= 100:
            mismatches.append((code, "100 % beside Không đạt", verdict))
    assert not mismatches, mismatches
