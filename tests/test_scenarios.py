"""`kehoach scenarios` and the master's «Phương án tăng trưởng» sheet, recalculated by LibreOffice: every
formula equals an independent Python computation from the sheet's own inputs (also after the DPI edits a
growth rate, the target and a 2020 figure), the identities hold, the JSON carries the sheet's numbers, the
2020 base is the Statistics Office's, and bad input gives exit 2 with a Vietnamese message."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from kehoach.cli.main import kehoach
from kehoach.cli.scenarios_cmd import DEFAULT_OUTPUT
from kehoach.master.extract import process_file
from kehoach.master.merge import merge
from kehoach.samples.generate import generate_all, write_submission
from kehoach.samples.inject import Injector
from kehoach.scenarios.base import BaseError, base_from_result
from kehoach.scenarios.sheet import SHEET, add_to_master
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import load_catalog
from kehoach.workbook_templates.styles import Styles

from tests.support.libreoffice import recalculate

SEED = 11
NOW = dt.datetime(2020, 7, 11, 8, 0)
TOLERANCE = 1e-9
YEARS = (2020, 2021, 2022, 2023, 2024, 2025)
AVERAGE = "avg_2021_2025"
SECTORS = tuple(s.code for s in load_catalog().grdp_sectors)
EDITS = {  # (row key, column key): value typed by the DPI in the edited copy
    ("scenario.high.input_growth.industry", "y2023"): 25.0,
    ("scenario.low.input_population.province", "y2021"): 1.2,
    ("target.low", AVERAGE): 9.5,
    ("target.high", AVERAGE): None,
}


@dataclass
class Made:
    ctk: Path
    district: Path
    data: dict  # the JSON of `kehoach scenarios CTK --format json -o workbook`
    workbook: Path
    master: Path
    master_without_ctk: Path
    recalculated: dict[str, Path]  # by stem


def _sheet(path: Path, data_only: bool = True) -> dict[str, dict[str, object]]:
    """The scenario sheet as {row key: {column key: value}}, found by its hidden keys, not positions."""
    ws = openpyxl.load_workbook(path, data_only=data_only)[SHEET]
    rows = list(ws.iter_rows(values_only=True))
    key_row = next(i for i, r in enumerate(rows) if r and r[0] == "row_key")
    columns = rows[key_row]
    return {r[0]: dict(zip(columns, r, strict=True)) for r in rows[key_row + 1 :] if isinstance(r[0], str)}


def _edit(source: Path, target: Path) -> Path:
    """What the DPI does in Excel: type new assumptions into the yellow cells, including a 2020 figure."""
    book = openpyxl.load_workbook(source)
    ws = book[SHEET]
    keys = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    key_row = keys["row_key"]
    columns = {ws.cell(key_row, c).value: c for c in range(1, ws.max_column + 1)}
    agri = ws.cell(keys["start.constant.agri"], columns["y2020"])
    for (row, column), value in {**EDITS, ("start.constant.agri", "y2020"): agri.value * 1.1}.items():
        ws.cell(keys[row], columns[column]).value = value
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    tmp = tmp_path_factory.mktemp("scenarios")
    catalog = load_catalog()
    district_code = catalog.districts[0].code
    fillings = generate_all(catalog, SEED, ["CTK", district_code])
    paths = {}
    for code, folder in (("CTK", "inbox"), (district_code, "other")):
        (tmp / folder).mkdir()
        unit = catalog.unit(code)
        paths[code] = write_submission(catalog, unit, fillings[code], tmp / folder / f"{unit.file_stem}.xlsx")
    workbook = tmp / "pa.xlsx"
    run = CliRunner().invoke(kehoach, ["scenarios", str(paths["CTK"]), "-o", str(workbook), "--format", "json"])
    assert run.exit_code == 0, run.output
    edited = _edit(workbook, tmp / "edited" / "pa-sua.xlsx")
    master = merge(
        tmp / "inbox", tmp / "master" / "tong-hop.xlsx", catalog=catalog, now=NOW, extra_sheets=(add_to_master,)
    ).master
    without = merge(
        tmp / "other", tmp / "master2" / "tong-hop-2.xlsx", catalog=catalog, now=NOW, extra_sheets=(add_to_master,)
    ).master
    recalculated = recalculate([workbook, edited, master], tmp / "recalculated")
    return Made(
        paths["CTK"],
        paths[district_code],
        json.loads(run.stdout),
        workbook,
        master,
        without,
        {p.stem: p for p in recalculated},
    )


# --- an independent computation of the sheet, from its own input cells ---------------------------------


def _expected(sheet: dict[str, dict[str, object]]) -> dict[tuple[str, str], object]:
    """Every computed cell of the sheet, computed level by level from the sheet's inputs as documented in
    docs/scenarios.md (shares no code with scenarios.model)."""
    out: dict[tuple[str, str], object] = {}
    low, high = sheet["target.low"][AVERAGE], sheet["target.high"][AVERAGE]
    start = {price: {s: sheet[f"start.{price}.{s}"]["y2020"] for s in SECTORS} for price in ("current", "constant")}
    population0 = sheet["start.population"]["y2020"]
    keys = sorted({k.split(".")[1] for k in sheet if k.startswith("scenario.")})
    for key in keys:
        p = f"scenario.{key}"

        def rate(series: str, year: int, p: str = p) -> float:
            return sheet[f"{p}.{series}"][f"y{year}"] / 100

        constant = {s: {2020: start["constant"][s]} for s in SECTORS}
        deflator = {s: {2020: start["current"][s] / start["constant"][s]} for s in SECTORS}
        current = {s: {2020: start["current"][s]} for s in SECTORS}
        population = {2020: population0}
        for year in YEARS[1:]:
            for s in SECTORS:
                constant[s][year] = constant[s][year - 1] * (1 + rate(f"input_growth.{s}", year))
                deflator[s][year] = deflator[s][year - 1] * (1 + rate(f"input_price.{s}", year))
                current[s][year] = constant[s][year] * deflator[s][year]
            population[year] = population[year - 1] * (1 + rate("input_population.province", year))
        gdp = {y: sum(constant[s][y] for s in SECTORS) for y in YEARS}
        nominal = {y: sum(current[s][y] for s in SECTORS) for y in YEARS}
        for y in YEARS:
            column = f"y{y}"
            out[f"{p}.constant.total", column] = gdp[y]
            out[f"{p}.current.total", column] = nominal[y]
            out[f"{p}.population", column] = population[y]
            out[f"{p}.per_capita", column] = nominal[y] / population[y]
            for s in SECTORS:
                out[f"{p}.constant.{s}", column] = constant[s][y]
                out[f"{p}.deflator.{s}", column] = deflator[s][y]
                out[f"{p}.current.{s}", column] = current[s][y]
                out[f"{p}.share.{s}", column] = current[s][y] / nominal[y] * 100
            if y == 2020:
                continue
            out[f"{p}.growth", column] = (gdp[y] / gdp[y - 1] - 1) * 100
            for s in SECTORS:
                out[f"{p}.contribution.{s}", column] = (constant[s][y] - constant[s][y - 1]) / gdp[y - 1] * 100
        average = ((gdp[2025] / gdp[2020]) ** (1 / 5) - 1) * 100
        out[f"{p}.growth", AVERAGE] = average
        top = high if high is not None else low
        out[f"{p}.growth", "verdict"] = "Vượt" if average > top else "Đạt" if average >= low else "Không đạt"
        # The inverse, by walking the target path: GRDP grows by the target each year, the sector fills the gap.
        for s in SECTORS:
            path, needed = gdp[2020], {2020: constant[s][2020]}
            for y in YEARS[1:]:
                path *= 1 + low / 100
                needed[y] = path - (gdp[y] - constant[s][y])
                growth = (needed[y] / needed[y - 1] - 1) * 100 if needed[y] > 0 and needed[y - 1] > 0 else None
                out[f"{p}.required.{s}", f"y{y}"] = growth
    return out


def _close(actual: object, expected: object) -> bool:
    if expected is None or isinstance(expected, str):
        return actual == expected or (expected is None and actual in ("", None))
    return isinstance(actual, int | float) and math.isclose(actual, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def _check_against_oracle(path: Path) -> dict[str, dict[str, object]]:
    sheet = _sheet(path)
    errors = [(k, c, v) for k, row in sheet.items() for c, v in row.items() if isinstance(v, str) and v.startswith("#")]
    assert not errors, errors[:5]
    expected = _expected(sheet)
    wrong = [(key, column, sheet[key][column], value) for (key, column), value in expected.items()]
    wrong = [w for w in wrong if not _close(w[2], w[3])]
    assert not wrong, wrong[:5]
    assert len(expected) >= 3 * 140
    return sheet


def _check_identities(sheet: dict[str, dict[str, object]]) -> None:
    keys = sorted({k.split(".")[1] for k in sheet if k.startswith("scenario.")})
    for key in keys:
        p = f"scenario.{key}"
        growth = [sheet[f"{p}.growth"][f"y{y}"] for y in YEARS[1:]]
        for y in YEARS[1:]:
            contributions = sum(sheet[f"{p}.contribution.{s}"][f"y{y}"] for s in SECTORS)
            assert contributions == pytest.approx(sheet[f"{p}.growth"][f"y{y}"], abs=TOLERANCE), (key, y)
        for y in YEARS:
            assert sum(sheet[f"{p}.share.{s}"][f"y{y}"] for s in SECTORS) == pytest.approx(100, abs=TOLERANCE)
        geometric = (math.prod(1 + g / 100 for g in growth) ** (1 / len(growth)) - 1) * 100
        assert sheet[f"{p}.growth"][AVERAGE] == pytest.approx(geometric, abs=TOLERANCE), key


# --- the scenario workbook --------------------------------------------------------------------------------


def test_recalculated_formulas_equal_an_independent_computation(made: Made) -> None:
    sheet = _check_against_oracle(made.recalculated["pa"])
    _check_identities(sheet)
    assert sorted({k.split(".")[1] for k in sheet if k.startswith("scenario.")}) == ["base", "high", "low"]
    assert (sheet["target.low"][AVERAGE], sheet["target.high"][AVERAGE]) == (9.0, 10.0)


def test_the_stored_results_are_what_excel_computes(made: Made) -> None:
    """A reader that never recalculates (a viewer, openpyxl, the DPI's phone) sees the same numbers."""
    stored, recalculated = _sheet(made.workbook), _sheet(made.recalculated["pa"])
    compared = 0
    for key, row in recalculated.items():
        for column, value in row.items():
            if isinstance(value, float) or isinstance(stored[key][column], float):
                assert _close(stored[key][column], value), (key, column)
                compared += 1
    assert compared > 500


def test_editing_a_yellow_cell_changes_the_results(made: Made) -> None:
    edited = _check_against_oracle(made.recalculated["pa-sua"])
    _check_identities(edited)
    original = _sheet(made.recalculated["pa"])
    for (row, column), value in EDITS.items():
        assert edited[row][column] == value
    for key in ("scenario.high.growth", "scenario.low.per_capita", "scenario.base.constant.agri"):
        assert edited[key]["y2023"] != pytest.approx(original[key]["y2023"]), key
    assert edited["scenario.base.required.industry"]["y2021"] != original["scenario.base.required.industry"]["y2021"]
    formulas = _sheet(made.recalculated["pa-sua"], data_only=False)
    assert str(formulas["scenario.high.growth"]["y2023"]).startswith("=")


def test_the_json_carries_the_sheet_numbers(made: Made) -> None:
    sheet = _sheet(made.recalculated["pa"])
    data = made.data
    assert data["target"] == {"low": 9.0, "high": 10.0}
    assert data["workbook"] == str(made.workbook)
    assert [s["name"] for s in data["scenarios"]] == ["low", "base", "high"]
    checked = 0
    for scenario in data["scenarios"]:
        p = f"scenario.{scenario['name']}"
        assert scenario["years"] == list(YEARS[1:])
        pairs = [(scenario["average_growth"], sheet[f"{p}.growth"][AVERAGE])]
        for i, year in enumerate(YEARS[1:]):
            column = f"y{year}"
            pairs.append((scenario["grdp_growth"][i], sheet[f"{p}.growth"][column]))
            pairs.append((scenario["grdp_per_capita"][i], sheet[f"{p}.per_capita"][column]))
            pairs.append((scenario["grdp_constant"][i], sheet[f"{p}.constant.total"][column]))
            pairs.append((scenario["grdp_current"][i], sheet[f"{p}.current.total"][column]))
            pairs.append((scenario["population"][i], sheet[f"{p}.population"][column]))
            for s in SECTORS:
                pairs.append((scenario["structure"][s][i], sheet[f"{p}.share.{s}"][column]))
                pairs.append((scenario["contributions"][s][i], sheet[f"{p}.contribution.{s}"][column]))
                pairs.append((scenario["required_growth"][s][i], sheet[f"{p}.required.{s}"][column]))
        for from_json, from_sheet in pairs:
            assert _close(from_sheet, from_json), (scenario["name"], from_json, from_sheet)
            checked += 1
        assert scenario["verdict"] == sheet[f"{p}.growth"]["verdict"]
    assert checked == 3 * (1 + 5 * (5 + 3 * len(SECTORS)))


def _grdp_inputs(path: Path) -> dict[str, float]:
    """The 2020 revalued figures and population the Statistics Office typed, read from its GRDP sheet."""
    rows = list(openpyxl.load_workbook(path, data_only=True)[L.GRDP].iter_rows(values_only=True))
    columns = next(r for r in rows if r[0] == "row_key")
    year = columns.index("y2020")
    return {r[0]: r[year] for r in rows if isinstance(r[0], str)}


def test_the_base_is_the_statistics_office_2020_revalued_figures(made: Made) -> None:
    typed = _grdp_inputs(made.ctk)
    base = made.data["base"]
    assert base["year"] == 2020
    assert base["population"] == typed["population"]
    for s in SECTORS:
        assert base["constant"][s] == typed[f"revalued.constant.{s}"]
        assert base["current"][s] == typed[f"revalued.current.{s}"]
    assert base["source"] == made.ctk.name


# --- the master ---------------------------------------------------------------------------------------------


def test_the_master_has_the_scenario_sheet_with_correct_numbers(made: Made) -> None:
    sheet = _check_against_oracle(made.recalculated["tong-hop"])
    _check_identities(sheet)
    typed = _grdp_inputs(made.ctk)
    for s in SECTORS:
        assert sheet[f"start.constant.{s}"]["y2020"] == typed[f"revalued.constant.{s}"]
        assert sheet[f"start.current.{s}"]["y2020"] == typed[f"revalued.current.{s}"]
    alone = _sheet(made.recalculated["pa"])
    assert sheet["scenario.base.growth"] == alone["scenario.base.growth"]
    assert SHEET not in openpyxl.load_workbook(made.master_without_ctk, read_only=True).sheetnames


def test_a_master_reads_the_base_through_its_ledger(made: Made) -> None:
    run = CliRunner().invoke(kehoach, ["scenarios", str(made.master), "--format", "json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    assert data["workbook"] is None
    assert data["base"]["source"] == f"{made.ctk.name}, đã tổng hợp vào {made.master.name}"
    assert {k: v for k, v in data["base"].items() if k != "source"} == {
        k: v for k, v in made.data["base"].items() if k != "source"
    }
    assert data["scenarios"] == made.data["scenarios"]


def test_unusable_2020_figures_are_named_and_the_master_says_so(made: Made, tmp_path: Path) -> None:
    catalog = load_catalog()
    ctk = process_file(made.ctk, catalog)
    no_services = dataclasses.replace(
        ctk, grdp=[g for g in ctk.grdp if tuple(g[:2]) != ("revalued.constant.services", 2020)]
    )
    with pytest.raises(BaseError, match=r"chưa có số năm 2020 .*«GRDP giá so sánh 2010 - Dịch vụ»"):
        base_from_result(no_services, catalog, "x")
    zero = [(k, y, 0.0 if (k, y) == ("population", 2020) else v, c) for k, y, v, c in ctk.grdp]
    with pytest.raises(BaseError, match=r"phải lớn hơn 0\): ô [A-Z]+\d+ «Dân số trung bình» = 0"):
        base_from_result(dataclasses.replace(ctk, grdp=zero), catalog, "x")
    path = tmp_path / "thieu.xlsx"
    book = xlsxwriter.Workbook(str(path))
    add_to_master(book, Styles(book), catalog, {"CTK": no_services})
    book.close()
    text = [c for row in openpyxl.load_workbook(path)[SHEET].iter_rows(values_only=True) for c in row if c]
    assert text[0] == "PHƯƠNG ÁN TĂNG TRƯỞNG: CHƯA LẬP ĐƯỢC" and "Dịch vụ" in text[1]


# --- the command ------------------------------------------------------------------------------------------


def test_text_output_writes_the_default_workbook(made: Made, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = CliRunner().invoke(kehoach, ["scenarios", str(made.ctk), "--target", "9,5"])
    assert run.exit_code == 0, run.output
    assert (tmp_path / DEFAULT_OUTPUT).is_file()
    assert "Phương án cơ sở: GRDP tăng bình quân" in run.stdout and "mục tiêu 9,5 %/năm" in run.stdout
    sheet = _sheet(tmp_path / DEFAULT_OUTPUT)
    assert (sheet["target.low"][AVERAGE], sheet["target.high"][AVERAGE]) == (9.5, None)


def test_a_statistics_file_with_errors_is_used_with_a_warning(tmp_path: Path) -> None:
    catalog = load_catalog()
    filling = generate_all(catalog, SEED, ["CTK"])["CTK"]
    injector = Injector(catalog, catalog.unit("CTK"), filling, random.Random(SEED))
    injector.inject("C001")
    path = injector.write(tmp_path / "ctk-loi.xlsx")
    run = CliRunner().invoke(kehoach, ["scenarios", str(path), "--format", "json"])
    assert run.exit_code == 0, run.output
    assert "Cảnh báo: tệp «ctk-loi.xlsx» có 1 lỗi khi kiểm tra" in run.stderr
    assert len(json.loads(run.stdout)["scenarios"]) == 3


def test_help_documents_the_exit_codes() -> None:
    run = CliRunner().invoke(kehoach, ["scenarios", "--help"])
    assert run.exit_code == 0
    assert "Mã thoát: 0" in run.output and "2 dùng lệnh sai" in run.output


def _refused(args: list[str], message: str) -> None:
    run = CliRunner().invoke(kehoach, ["scenarios", *args])
    assert run.exit_code == 2, run.output
    assert run.exception is None or isinstance(run.exception, SystemExit)
    assert message in run.stderr, run.stderr


def test_bad_input_is_refused_in_vietnamese(made: Made, tmp_path: Path) -> None:
    _refused([str(tmp_path / "khong-co.xlsx")], "không tìm thấy tệp")
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    _refused([str(broken)], "«hong.xlsx»: Không đọc được tệp")
    _refused([str(made.district)], "không có trang «GRDP»")
    lonely = tmp_path / "tong-hop.xlsx"
    shutil.copy(made.master, lonely)
    _refused([str(lonely)], "cũng không phải tệp tổng hợp có sổ theo dõi «tong-hop.ledger.sqlite»")
    (tmp_path / "tong-hop.ledger.sqlite").write_bytes(b"not a database" * 100)
    _refused([str(lonely)], "không đọc được sổ theo dõi «tong-hop.ledger.sqlite»")
    _refused([str(made.master_without_ctk)], "chưa có báo cáo của Cục Thống kê")
    _refused([str(made.ctk), "--target", "chín"], "mục tiêu «chín» không hợp lệ")
    _refused([str(made.ctk), "--target", "10-9"], "mức cao nhỏ hơn mức thấp")
    assumptions = tmp_path / "gia-dinh.csv"
    assumptions.write_text("scenario,name_vi,series,sector,y2021,y2022,y2023,y2024,y2025\n", encoding="utf-8")
    _refused([str(made.ctk), "--assumptions", str(assumptions)], "không có phương án nào")
    _refused([str(made.ctk), "--assumptions", str(tmp_path / "khong-co.csv")], "không đọc được tệp")
