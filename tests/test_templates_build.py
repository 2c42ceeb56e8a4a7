"""`kehoach templates build`: one workbook per unit, deterministic, driven by the catalog, following the
documented contract and the staff-experience requirements."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from kehoach.cli.main import kehoach
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import build_all, build_workbook
from kehoach.workbook_templates.catalog import load_catalog

from tests.conftest import append_row


def _zip_digest(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: hashlib.sha256(archive.read(name)).hexdigest() for name in sorted(archive.namelist())}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("templates")
    result = CliRunner().invoke(kehoach, ["templates", "build", "--out", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    return out


def test_one_workbook_per_unit_named_by_code_and_slug(built: Path) -> None:
    catalog = load_catalog()
    names = sorted(p.name for p in built.iterdir())
    assert names == sorted(f"{u.code}_{u.slug}.xlsm" for u in catalog.units)


def test_json_output_lists_every_template(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        kehoach, ["templates", "build", "--out", str(tmp_path), "--unit", "SKHDT", "--unit", "H844", "--format", "json"]
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [t["unit"] for t in data["templates"]] == ["SKHDT", "H844"]


def test_unknown_unit_is_a_usage_error_in_vietnamese(tmp_path: Path) -> None:
    result = CliRunner().invoke(kehoach, ["templates", "build", "--out", str(tmp_path), "--unit", "XYZ"])
    assert result.exit_code == 2
    assert "không có đơn vị mã XYZ" in result.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("suffix", [".xlsm", ".xlsx"])
def test_building_twice_gives_identical_files(tmp_path: Path, suffix: str) -> None:
    catalog = load_catalog()
    unit = catalog.unit("CTK")
    first = build_workbook(catalog, unit, tmp_path / f"a{suffix}")
    second = build_workbook(catalog, unit, tmp_path / f"b{suffix}")
    assert _zip_digest(first) == _zip_digest(second)


def test_contract_names_sheets_and_key_rows(built: Path) -> None:
    catalog = load_catalog()
    unit = catalog.unit("CTK")
    book = openpyxl.load_workbook(built / f"{unit.file_stem}.xlsm")
    assert book.sheetnames == [
        L.INSTRUCTIONS,
        L.UNIT_INFO,
        L.INDICATORS,
        L.EVALUATION,
        L.PLAN,
        L.PROJECTS,
        L.GRDP,
        L.LISTS,
        L.XLWINGS_CONF,
    ]
    names = {
        name: book.defined_names[name].attr_text
        for name in (L.NAME_UNIT_CODE, L.NAME_TEMPLATE_ID, L.NAME_TEMPLATE_VERSION)
    }
    # The addresses stated in docs/template-format.md.
    assert names == {
        "kh_unit_code": "'Thông tin đơn vị'!$C$4",
        "kh_template_id": "'Thông tin đơn vị'!$C$7",
        "kh_template_version": "'Thông tin đơn vị'!$C$8",
    }
    info = book[L.UNIT_INFO]
    assert (info["C4"].value, info["C7"].value, info["C8"].value) == (
        "CTK",
        catalog.template.id,
        catalog.template.version,
    )
    sheet = book[L.INDICATORS]
    keys = [cell.value for cell in sheet[L.KEY_ROW + 1]]
    required = [
        "code",
        "kind",
        "unit",
        *(f"actual_{y}" for y in range(2015, 2020)),
        "estimate_2020",
        "target_2020",
        "growth_2016_2020",
        "completion_2020",
        "evaluation_2020",
        "cause",
        "target_2025",
        *(f"plan_{y}" for y in range(2021, 2026)),
        "growth_2021_2025",
        "priority",
        "vsdg",
        "note",
    ]
    assert all(key in keys for key in required)
    assert sheet.row_dimensions[L.KEY_ROW + 1].hidden
    code_col, stt_col = keys.index("code") + 1, keys.index("stt") + 1
    codes = [sheet.cell(row=r, column=code_col).value for r in range(L.FIRST_DATA_ROW + 1, sheet.max_row + 1)]
    numbers = [sheet.cell(row=r, column=stt_col).value for r in range(L.FIRST_DATA_ROW + 1, sheet.max_row + 1)]
    assert [c for c in codes if catalog.has_indicator(c or "")] == [i.code for i in catalog.indicators_for(unit)]
    assert {c for c in codes if c is not None and not catalog.has_indicator(c)} == set()  # an area row has no code
    # STT: I, II... on area rows, 1, 2... within each area (None: below the table)
    assert (
        numbers[0] == "I"
        and numbers[1] == "1"
        and {n for n in numbers if n and not n.isdigit()} <= {L.roman(n) for n in range(1, 40)}
    )
    assert book[L.GRDP]["A6"].value == "population"


def test_staff_experience(built: Path) -> None:
    catalog = load_catalog()
    unit = catalog.unit("SKHDT")
    book = openpyxl.load_workbook(built / f"{unit.file_stem}.xlsm")
    sheet = book[L.INDICATORS]
    row = L.indicator_rows(catalog, unit)[1].row + 1
    code_cell, input_cell, formula_cell = (
        sheet[f"{L.indicator_cell(k, row - 1)}"] for k in ("code", "actual_2015", "growth_2016_2020")
    )
    assert sheet.protection.sheet and not sheet.protection.insertRows
    assert code_cell.protection.locked and formula_cell.protection.locked
    assert not input_cell.protection.locked
    assert input_cell.fill.fgColor.rgb != formula_cell.fill.fgColor.rgb
    assert input_cell.font.name == "Times New Roman"
    assert formula_cell.value.startswith("=IF(")
    assert sheet.freeze_panes == "D8"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.print_title_rows == "$5:$7"
    numeric = [c.key for c in L.indicator_columns() if c.role == "input" and c.type in ("number", "integer")]
    inputs = [
        L.indicator_cell(key, r.row)
        for r in L.indicator_rows(catalog, unit)
        if r.indicator
        for key in numeric
        if L.takes_input(r.indicator, key)
    ]
    validations = sheet.data_validations.dataValidation
    assert all(any(cell in dv.sqref for dv in validations) for cell in inputs)
    assert len(validations) <= 2 * len(numeric) < len(inputs) / 10  # one a column (integer or decimal), not a cell


def test_adding_an_indicator_or_unit_to_the_catalog_changes_the_templates(catalog_copy: Path, tmp_path: Path) -> None:
    append_row(
        catalog_copy / "indicators.csv",
        {
            "code": "KT98",
            "area": "economy",
            "name_vi": "Chỉ tiêu thêm vào danh mục",
            "unit": "tỷ đồng",
            "kind": "level",
            "direction": "up",
            "district": "yes",
            "aggregate": "sum",
            "min": "0",
            "max": "",
            "decimals": "1",
            "owners": "SKHDT",
        },
    )
    append_row(
        catalog_copy / "units.csv",
        {
            "code": "SNGV",
            "name_vi": "Sở Ngoại vụ",
            "slug": "so-ngoai-vu",
            "kind": "department",
            "areas": "external",
            "source": "test",
        },
    )
    catalog = load_catalog(catalog_copy)
    built = {b.unit.code: b.path for b in build_all(tmp_path, ["SKHDT", "H844", "SNGV"], catalog)}
    assert built["SNGV"].name == "SNGV_so-ngoai-vu.xlsm"
    code_col, name_col = (L.column_index(L.indicator_columns(), key) + 1 for key in ("code", "name"))
    for code in ("SKHDT", "H844"):
        sheet = openpyxl.load_workbook(built[code])[L.INDICATORS]
        names = {
            sheet.cell(row=r, column=name_col).value: sheet.cell(row=r, column=code_col).value
            for r in range(L.FIRST_DATA_ROW + 1, sheet.max_row + 1)
        }
        assert names["Chỉ tiêu thêm vào danh mục"] == "KT98"
    original = load_catalog()
    new_sheet = openpyxl.load_workbook(built["SNGV"])[L.INDICATORS]
    rows = range(L.FIRST_DATA_ROW + 1, new_sheet.max_row + 1)
    listed = {new_sheet.cell(row=r, column=code_col).value for r in rows}
    assert {i.code for i in original.indicators if i.area == "external"} <= listed


def test_column_titles_are_unique() -> None:
    titles = [c.header_vi for c in L.indicator_columns()]
    assert len(titles) == len(set(titles))
