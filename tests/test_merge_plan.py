"""The master as the province's plan (issue 14): «Chỉ tiêu toàn tỉnh» has one row per catalog indicator with the
figure the precedence rule chose and why; «Chênh lệch» lists units that disagree with their cells; the projects
and the texts carry every merged unit's entries; master.read.read_plan reads back what the merge wrote; the
province table, recalculated by LibreOffice, prints on at most 8 landscape pages one page wide."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import math
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from kehoach.master import plan as P
from kehoach.master.precedence import build_plan
from kehoach.master.read import read_plan
from kehoach.master.sheets import conflicts, projects, province, texts
from kehoach.master.workbook import write_master
from kehoach.samples import demo
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import load_catalog

from tests.support.libreoffice import convert, recalculate, soffice

NOW = dt.datetime(2020, 7, 11, 8, 0)


@pytest.fixture(scope="module")
def run(demo_run: demo.Demo) -> demo.Demo:
    return demo_run


def _keyed_rows(path: Path, sheet: str, key_row: int, first: int) -> tuple[list[str], list[tuple]]:
    ws = openpyxl.load_workbook(path, read_only=True, data_only=True)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    return list(rows[key_row]), [r for r in rows[first:] if r and r[0]]


def test_the_province_table_has_one_row_per_catalog_indicator(run: demo.Demo) -> None:
    catalog = load_catalog()
    keys, rows = _keyed_rows(run.outcome.master, province.SHEET, province.KEY_ROW, province.FIRST_DATA_ROW)
    codes = [r[0] for r in rows if not str(r[0]).startswith(province.AREA_PREFIX)]
    assert codes == [i.code for a in catalog.areas for i in catalog.indicators if i.area == a.code]
    areas = [r for r in rows if str(r[0]).startswith(province.AREA_PREFIX)]
    assert [r[keys.index("stt")] for r in areas][:3] == ["I", "II", "III"]
    book = openpyxl.load_workbook(run.outcome.master, read_only=True)
    assert book.sheetnames[0] == province.SHEET


def test_a_missing_and_a_rejected_lead_unit_fall_back_with_the_reason(run: demo.Demo) -> None:
    plan = read_plan(run.outcome.master, load_catalog())
    missing, rejected = plan.row("QP11"), plan.row("YT04")
    assert missing.indicator.owners[0] == demo.MISSING
    assert missing.status == P.FALLBACK_MISSING and missing.source_unit in missing.indicator.owners[1:]
    assert f"{demo.MISSING} chưa nộp" in missing.status_vi and missing.source_unit in missing.status_vi
    assert rejected.indicator.owners[0] == demo.REJECTED[0]
    assert rejected.status == P.FALLBACK_REJECTED and rejected.source_unit not in (None, demo.REJECTED[0])
    assert f"{demo.REJECTED[0]} bị từ chối" in rejected.status_vi
    assert missing.values and rejected.values
    merged = run.outcome.consolidation.merged[rejected.source_unit]
    submitted = {k: v for c, k, v, _s, _cell in merged.values if c == "YT04" and isinstance(v, float)}
    assert submitted and all(rejected.values[k] == v for k, v in submitted.items())
    leads = [r for r in plan.rows if r.status == P.LEAD]
    assert all(r.source_unit == r.indicator.owners[0] for r in leads)
    assert demo.MISSING in plan.missing_units and demo.REJECTED[0] in plan.rejected_units


def test_units_that_disagree_are_listed_with_their_cells(run: demo.Demo, tmp_path: Path) -> None:
    """The issue's case: SKHDT typed TC03 2017 ten times STC's figure (a misplaced decimal point)."""
    result = copy.copy(run.outcome.consolidation)
    skhdt = result.merged["SKHDT"]
    stc_value = next(v for c, k, v, _s, _cell in result.merged["STC"].values if (c, k) == ("TC03", "actual_2017"))
    values = [(c, k, v * 10 if (c, k) == ("TC03", "actual_2017") else v, s, cell) for c, k, v, s, cell in skhdt.values]
    assert values != skhdt.values
    result.merged = {**result.merged, "SKHDT": dataclasses.replace(skhdt, values=values)}
    master = write_master(tmp_path / "m.xlsx", load_catalog(), result, dt.date(2020, 7, 10), [], NOW)
    _keys, rows = _keyed_rows(tmp_path / "m.xlsx", conflicts.SHEET, 1, 3)
    tc03 = {r[5]: r for r in rows if r[1] == "TC03" and r[4] == "TH 2017"}
    assert {"SKHDT", "STC"} <= set(tc03)
    for unit, r in tc03.items():
        cell = next(c for code, k, _v, _s, c in result.merged[unit].values if (code, k) == ("TC03", "actual_2017"))
        assert r[10].endswith(f"!{cell}") and r[9] == Path(result.merged[unit].path).name
    assert tc03["SKHDT"][6] == pytest.approx(stc_value * 10) and tc03["STC"][6] == pytest.approx(stc_value)
    assert tc03["STC"][8] == conflicts.TAKEN == (conflicts.TAKEN if master.row("TC03").source_unit == "STC" else "")
    assert tc03["SKHDT"][7] == pytest.approx(900.0)
    # Largest gaps first; every group of values that differ beyond the indicator's precision is listed.
    groups: dict[int, list[float]] = {}
    for r in rows:
        groups.setdefault(r[0], []).append(r[7] or 0)
    maxima = [max(v) for _n, v in sorted(groups.items())]
    assert maxima == sorted(maxima, reverse=True)
    listed = {(r[1], r[4]) for r in rows}
    labels = {c.key: c.header_vi for c in L.indicator_columns()}
    catalog = load_catalog()
    for indicator in catalog.indicators:
        for key, label in labels.items():
            reported = [
                v
                for unit, f in result.merged.items()
                if not catalog.unit(unit).is_district
                for c, k, v, _s, _cell in f.values
                if (c, k) == (indicator.code, key) and isinstance(v, float)
            ]
            differ = len({round(v, indicator.decimals) for v in reported}) > 1
            assert ((indicator.code, label) in listed) == differ, (indicator.code, key)


def test_every_valid_project_and_text_is_in_the_master(run: demo.Demo) -> None:
    merged = run.outcome.consolidation.merged
    plan = read_plan(run.outcome.master, load_catalog())
    assert len(plan.projects) == sum(len(f.projects) for f in merged.values()) > 0
    by_unit = {}
    for project in plan.projects:
        by_unit.setdefault(project.unit, []).append(project.values["project"])
    for unit, result in merged.items():
        assert sorted(by_unit.get(unit, [])) == sorted(str(p["project"]) for p in result.projects if "project" in p)
    assert len(plan.texts) == sum(len(f.sections) for f in merged.values()) > 0
    for entry in plan.texts:
        assert merged[entry.unit].sections[entry.section] == entry.text
    keys, rows = _keyed_rows(run.outcome.master, projects.SHEET, projects.KEY_ROW, projects.FIRST_DATA_ROW)
    total = next(r for r in rows if r[0] == projects.SUM_PREFIX + "total")
    need = sum(float(p.values.get("need_total", 0) or 0) for p in plan.projects)
    assert math.isclose(total[keys.index("need_total")], need)


def test_read_plan_gives_back_the_plan_written(run: demo.Demo) -> None:
    catalog = load_catalog()
    result = run.outcome.consolidation
    written = build_plan(catalog, result, read_plan(run.outcome.master, catalog).made_at)
    read = read_plan(run.outcome.master, catalog)
    assert read.made_at == written.made_at
    assert (read.merged_units, read.rejected_units, read.missing_units) == (
        written.merged_units,
        written.rejected_units,
        written.missing_units,
    )
    assert len(read.rows) == len(written.rows)
    for a, b in zip(read.rows, written.rows, strict=True):
        assert (a.indicator, a.source_unit, a.status, a.status_vi) == (
            b.indicator,
            b.source_unit,
            b.status,
            b.status_vi,
        )
        assert a.values.keys() == b.values.keys(), a.indicator.code
        for key, value in b.values.items():
            _same(a.values[key], value, a.indicator.decimals)
    assert read.texts == written.texts
    assert len(read.projects) == len(written.projects)
    for a, b in zip(read.projects, written.projects, strict=True):
        assert (a.unit, a.duplicate_of) == (b.unit, b.duplicate_of)
        assert a.values.keys() == b.values.keys()
        for key, value in b.values.items():
            _same(a.values[key], value, 0)


def _same(got: object, want: object, decimals: int) -> None:
    if isinstance(want, int | float) and not isinstance(want, bool):
        assert isinstance(got, float) and round(got, decimals + 2) == round(float(want), decimals + 2)
    else:
        assert got == str(want) or got == want


def test_duplicate_projects_across_units_are_flagged(run: demo.Demo) -> None:
    plan = read_plan(run.outcome.master, load_catalog())
    names = {}
    for project in plan.projects:
        names.setdefault(str(project.values["project"]).casefold(), set()).add(project.unit)
    shared = {n for n, units in names.items() if len(units) > 1}
    flagged = {str(p.values["project"]).casefold() for p in plan.projects if p.duplicate_of}
    assert flagged == shared


def test_texts_are_cut_at_words_and_read_back_whole() -> None:
    text = "Đoạn một. " * 400 + "\nĐoạn hai ngắn."
    pieces = texts.chunks(text)
    assert pieces[0][0] == texts.FIRST and len(pieces) > 2
    assert pieces[-1] == (texts.PARA, "Đoạn hai ngắn.")


@pytest.mark.skipif(soffice() is None or shutil.which("pdfinfo") is None, reason="LibreOffice or poppler missing")
def test_the_province_table_prints_on_at_most_8_landscape_pages(run: demo.Demo, tmp_path: Path) -> None:
    recalculated = recalculate([run.outcome.master], tmp_path / "recalculated")[0]
    book = openpyxl.load_workbook(recalculated, data_only=True)
    ws = book[province.SHEET]
    keys = [c.value for c in ws[province.KEY_ROW + 1]]
    plan = read_plan(run.outcome.master, load_catalog())
    for row in ws.iter_rows(min_row=province.FIRST_DATA_ROW + 1):
        code = row[0].value
        if not code or str(code).startswith(province.AREA_PREFIX):
            continue
        values = plan.row(code).values
        for key in ("growth_2016_2020", "completion_2020", "evaluation_2020", "growth_2021_2025"):
            got = row[keys.index(key)].value
            want = values.get(key)
            if isinstance(want, float):
                assert got == pytest.approx(want, rel=1e-9, abs=1e-9), (code, key)
            else:
                assert (got or None) == want, (code, key)
    # The master as LibreOffice saved it reads back as the same plan (keys, not labels; recalculated values).
    resaved = read_plan(recalculated, load_catalog())
    assert (resaved.texts, resaved.merged_units, resaved.made_at) == (plan.texts, plan.merged_units, plan.made_at)
    for a, b in zip(resaved.rows, plan.rows, strict=True):
        assert (a.status, a.source_unit, a.status_vi, a.values.keys()) == (
            b.status,
            b.source_unit,
            b.status_vi,
            b.values.keys(),
        )
        for key, value in b.values.items():
            _same(a.values[key], value, a.indicator.decimals)
    only = openpyxl.load_workbook(recalculated)
    for name in only.sheetnames[1:]:
        del only[name]
    single = tmp_path / "province.xlsx"
    only.save(single)
    pdf = convert([single], tmp_path / "pdf", "pdf")[0]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    width, height = (
        float(x) for x in next(line for line in info.splitlines() if line.startswith("Page size")).split()[2:5:2]
    )
    assert pages <= 8 and width > height


def test_a_lead_unit_without_a_figure_falls_back_and_districts_never_give_the_province_figure(run: demo.Demo) -> None:
    catalog = load_catalog()
    result = copy.copy(run.outcome.consolidation)
    indicator = next(i for i in catalog.indicators if len(i.owners) > 1 and i.owners[0] in result.merged)
    lead = result.merged[indicator.owners[0]]
    values = [v for v in lead.values if v[0] != indicator.code]
    result.merged = {**result.merged, lead.unit: dataclasses.replace(lead, values=values)}
    row = build_plan(catalog, result, NOW).row(indicator.code)
    assert row.status == P.FALLBACK_MISSING and f"{lead.unit} không có số" in row.status_vi
    assert row.source_unit != lead.unit
    plan = build_plan(catalog, run.outcome.consolidation, NOW)
    districts = {u.code for u in catalog.districts}
    assert not any(r.source_unit in districts for r in plan.rows)


def test_detail_sheets_print_sensibly(run: demo.Demo) -> None:
    book = openpyxl.load_workbook(run.outcome.master)
    sources = book["Nguồn"]
    assert sources.print_area and sources.print_area.endswith("$3")  # its title and header only
    ws = book["Tình trạng nộp"]
    header = [c.value for c in ws[3]]
    merged = run.outcome.consolidation.merged
    for row in ws.iter_rows(min_row=4, values_only=True):
        if row[0] in merged:
            assert row[header.index("Dấu vân tay (SHA-256)")] == merged[row[0]].fingerprint
            assert len(row[header.index("Dấu vân tay (SHA-256)")]) == 64
            assert isinstance(row[header.index("Thời điểm nhận tệp")], dt.datetime)
