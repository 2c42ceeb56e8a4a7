"""The validation button, run through xlwings' remote engine on real filled templates (one known mistake
per rule, grouped by family, recalculated by LibreOffice): it finds what `kehoach validate` finds, marks
exactly those cells, writes the report sheet and the stamp, changes no value, gives the same workbook when
run twice, and clearing its marks restores the template's fills."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from kehoach import xl_addin
from kehoach.samples.generate import generate_all
from kehoach.samples.inject import REWRITES, Injection, Injector, NotApplicable
from kehoach.validators.contract import locate
from kehoach.validators.engine import Report, validate_book, validate_path
from kehoach.validators.marks import REPORT_HEADER, checked_fingerprint, marks_for, template_fills
from kehoach.validators.reader import read_workbook
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.catalog import load_catalog
from kehoach.workbook_templates.filling import Filling
from kehoach.workbook_templates.styles import ERROR_FILL, WARNING_FILL
from kehoach.xl_addin import excel
from openpyxl.cell.cell import MergedCell

from tests.support.libreoffice import recalculate
from tests.support.xlremote import fill_of, open_book, open_payload, payload, replay

CHECKED_AT = dt.datetime(2020, 7, 10, 9, 30)
UNITS = ("CTK", "SKHDT", "SNNPTNT", "H844")
# One workbook per group; together they cover every family of validators/registry.py but X (an unreadable
# file never reaches Excel). T004 is missing: LibreOffice saves a typed TRUE as the formula =TRUE() with a
# number as result, so no boolean is left to find (see test_a_boolean_typed_into_a_number_cell).
GROUPS = {
    "S-identity": ("S001",),
    "S-unit": ("S010",),
    "S-rows": ("S006",),
    "T": ("T001", "T002", "T003", "T005", "T006"),
    "R": ("R001", "R002", "R003", "R004"),
    "C": ("C001", "C002", "C003", "C004", "C005", "C006"),
    "P": ("P001", "P002", "P003", "P004", "P005", "P006", "P007"),
    "K": ("K001", "K002", "K003", "K004", "K006", "K007"),
    "D": ("D001", "D003", "D005", "D009", "D011"),
    "O": ("O001",),
}

# Mistakes made by typing over a formula: only formulas tell which cell of the broken identity it was, and the
# remote engine sends values only (desktop Excel gives the button the formulas too).
OVERWRITTEN_FORMULAS = frozenset({"K002"})


@dataclass
class Case:
    unit: str
    source: Path  # the workbook as LibreOffice saved it
    injections: list[Injection]
    clean: Filling  # the filling before the mistakes
    report: Report  # what the button found
    checked: Path  # the source after the button's writes


@pytest.fixture(scope="module")
def clean() -> dict[str, Filling]:
    return generate_all(load_catalog(), seed=11, units=list(UNITS))


def _inject(group: str, codes: tuple[str, ...], clean: dict[str, Filling], out: Path) -> list[tuple]:
    """Workbooks carrying the group's mistakes: as many as fit in one unit's workbook, the rest in the next."""
    catalog = load_catalog()
    remaining, written = list(codes), []
    for unit in UNITS:
        injector = Injector(catalog, catalog.unit(unit), copy.deepcopy(clean[unit]), random.Random(group))
        injected = []
        for code in list(remaining):
            try:
                injected.append(injector.inject(code))
            except NotApplicable:
                continue
            remaining.remove(code)
        if injected:
            suffix = ".xlsx" if REWRITES & {i.rule for i in injected} else ".xlsm"
            written.append((unit, injector.write(out / f"{group}-{unit}{suffix}"), injected))
        if not remaining:
            return written
    raise AssertionError(f"no unit offers a target for {remaining}")


def _check(source: Path, target: Path) -> Report:
    """Press «Kiểm tra dữ liệu» on ``source``; ``target`` is the workbook afterwards."""
    book = open_book(source)
    try:
        report = xl_addin.validate_book(book, CHECKED_AT)
        replay(book.json()["actions"], source, target)
    finally:
        book.close()
    return report


@pytest.fixture(scope="module")
def cases(clean: dict[str, Filling], tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Case]]:
    """Group -> its workbooks, each checked once by the button."""
    tmp = tmp_path_factory.mktemp("addin")
    built = [(group, *entry) for group, codes in GROUPS.items() for entry in _inject(group, codes, clean, tmp)]
    saved = recalculate([path for _, _, path, _ in built], tmp / "lo")
    found: dict[str, list[Case]] = {}
    for (group, unit, _, injected), source in zip(built, saved, strict=True):
        checked = tmp / f"checked-{source.name}"
        report = _check(source, checked)
        found.setdefault(group, []).append(Case(unit, source, injected, clean[unit], report, checked))
    return found


def _tuples(report: Report) -> set[tuple[str, str, str, str]]:
    return {(f.rule, f.sheet, f.cell, f.message()) for f in report.findings}


def _values_only(path: Path) -> Report:
    """`kehoach validate` on what the remote engine sends: the file's values without its formulas (which
    desktop Excel gives the button, so that there it also sees overwritten formulas, S009)."""
    book = read_workbook(path)
    book.sheets = {name: dataclasses.replace(grid, formulas=None) for name, grid in book.sheets.items()}
    return validate_book(book)


@pytest.mark.parametrize("group", GROUPS)
def test_the_button_finds_what_kehoach_validate_finds(cases: dict[str, list[Case]], group: str) -> None:
    for case in cases[group]:
        found = {(f.rule, f.sheet, f.cell) for f in case.report.findings}
        for injection in case.injections:  # the cell, or another of the broken identity's (see Injection)
            cells = {injection.cell, *injection.related}
            if injection.rule in OVERWRITTEN_FORMULAS:
                cells = {cell for rule, sheet, cell in found if (rule, sheet) == (injection.rule, injection.sheet)}
            assert any((injection.rule, injection.sheet, cell) in found for cell in cells), injection
        assert _tuples(case.report) == _tuples(_values_only(case.source))


@pytest.mark.parametrize("group", GROUPS)
def test_exactly_the_cells_with_findings_are_marked(cases: dict[str, list[Case]], group: str) -> None:
    for case in cases[group]:
        marks = {(m.sheet, m.cell): m for m in marks_for(case.report, CHECKED_AT).cells}
        assert any((f.sheet, f.cell) in marks for f in case.report.findings)
        before, after = openpyxl.load_workbook(case.source), openpyxl.load_workbook(case.checked)
        for sheet in before.worksheets:
            for row in after[sheet.title].iter_rows():
                for cell in row:
                    where = (sheet.title, cell.coordinate)
                    mark = marks.get(where)
                    if mark is None:
                        assert (fill_of(cell), cell.comment) == (fill_of(sheet[cell.coordinate]), None), where
                    else:
                        assert fill_of(cell) == (ERROR_FILL if mark.severity == "error" else WARNING_FILL), where
                        assert cell.comment.text == mark.note, where


@pytest.mark.parametrize("group", GROUPS)
def test_the_report_sheet_lists_every_finding_with_a_link(cases: dict[str, list[Case]], group: str) -> None:
    for case in cases[group]:
        book = openpyxl.load_workbook(case.checked)
        assert book.sheetnames[-1] == L.REPORT and book.active.title == L.REPORT
        sheet = book[L.REPORT]
        summary = {
            sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=L.REPORT_SUMMARY_VALUE_COL + 1).value
            for r in range(L.REPORT_SUMMARY_ROW + 1, L.REPORT_HEADER_ROW)
        }
        assert summary == {
            "Thời điểm kiểm tra": "10/07/2020 lúc 09:30:00",
            "Số lỗi (phải sửa trước khi gửi)": case.report.errors,
            "Số cảnh báo (cần xem lại)": case.report.warnings,
            "Kết quả": f"Có {case.report.errors} lỗi, {case.report.warnings} cảnh báo",
        }
        header = L.REPORT_HEADER_ROW + 1
        assert tuple(c.value for c in sheet[header][: len(REPORT_HEADER)]) == REPORT_HEADER
        rows = list(sheet.iter_rows(min_row=header + 1, max_col=len(REPORT_HEADER), values_only=True))
        assert len(rows) == len(case.report.findings)
        for row, finding in zip(rows, case.report.findings, strict=True):
            _number, _severity, rule, sheet_name, link, indicator, message = row
            assert (rule, sheet_name, indicator or "", message) == (
                finding.rule,
                finding.sheet,
                finding.indicator,
                finding.message(),
            )
            target = f"#'{finding.sheet}'!{finding.cell}"
            assert link == (f'=HYPERLINK("{target}","{finding.cell}")' if finding.cell else None)


@pytest.mark.parametrize("group", GROUPS)
def test_the_stamp_and_nothing_else_changes_what_staff_see(cases: dict[str, list[Case]], group: str) -> None:
    for case in cases[group]:
        before, after = openpyxl.load_workbook(case.source), openpyxl.load_workbook(case.checked)
        stamp = {key: ref for key, ref in case.report.submission.info.items() if key in L.STAMP_KEYS}
        stamped = {(ref.sheet, ref.a1) for ref in stamp.values()}
        for sheet in before.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    where = (sheet.title, cell.coordinate)
                    if where not in stamped:
                        assert after[sheet.title][cell.coordinate].value == cell.value, where
        values = {key: after[ref.sheet][ref.a1].value for key, ref in stamp.items()}
        assert values == {
            L.STAMP_TIME: "10/07/2020 lúc 09:30:00",
            L.STAMP_RESULT: f"Có {case.report.errors} lỗi, {case.report.warnings} cảnh báo",
            L.STAMP_FINGERPRINT: checked_fingerprint(validate_path(case.source).submission),
        }


def _snapshot(path: Path) -> dict[str, Any]:
    """Everything the button may change, and the values it must not."""
    book = openpyxl.load_workbook(path)
    return {
        "sheets": book.sheetnames,
        "active": book.active.title,
        "cells": {
            (sheet.title, cell.coordinate): (cell.value, fill_of(cell), cell.comment.text if cell.comment else None)
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None or fill_of(cell) or cell.comment
        },
    }


def _planning(cases: dict[str, list[Case]]) -> Case:
    """The planning workbook with the P003 mistake (a falling plan), which the rerun tests correct."""
    return next(c for c in cases["P"] if any(i.rule == "P003" for i in c.injections))


@pytest.fixture(scope="module")
def rerun(cases: dict[str, list[Case]], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The planning workbook after one check, re-saved by LibreOffice (so the report's links have their values),
    and the same with one mistake corrected, as staff would."""
    case = _planning(cases)
    tmp = tmp_path_factory.mktemp("rerun")
    fixed = tmp / "fixed.xlsx"
    book = openpyxl.load_workbook(case.checked)
    injection = next(i for i in case.injections if i.rule == "P003")
    book[injection.sheet][injection.cell] = case.clean.indicators[injection.indicator]["plan_2023"]
    book.save(fixed)
    marked = tmp / "marked.xlsx"
    shutil.copy(case.checked, marked)
    saved = recalculate([marked, fixed], tmp / "lo")
    return {"marked": saved[0], "fixed": saved[1], "tmp": tmp}


def test_checking_twice_gives_the_same_workbook(cases: dict[str, list[Case]], rerun: dict[str, Path]) -> None:
    case = _planning(cases)
    twice = rerun["tmp"] / "twice.xlsx"
    book = open_book(rerun["marked"])
    xl_addin.validate_book(book, CHECKED_AT)
    replay(book.json()["actions"], case.checked, twice)
    assert _snapshot(twice) == _snapshot(case.checked)


def test_clearing_the_marks_restores_the_template_fills(cases: dict[str, list[Case]], rerun: dict[str, Path]) -> None:
    case = _planning(cases)
    cleared = rerun["tmp"] / "cleared.xlsx"
    book = open_book(rerun["marked"])
    xl_addin.clear_marks(book)
    replay(book.json()["actions"], case.checked, cleared)
    before, after = _snapshot(case.source), _snapshot(cleared)
    stamps = {(L.UNIT_INFO, ref.a1) for key, ref in case.report.submission.info.items() if key in L.STAMP_KEYS}
    assert after["sheets"] == before["sheets"]
    assert {k: v for k, v in after["cells"].items() if k not in stamps} == {
        k: v for k, v in before["cells"].items() if k not in stamps
    }


def test_a_corrected_cell_gets_its_fill_back(cases: dict[str, list[Case]], rerun: dict[str, Path]) -> None:
    case = _planning(cases)
    injection = next(i for i in case.injections if i.rule == "P003")
    corrected = rerun["tmp"] / "corrected.xlsx"
    book = open_book(rerun["fixed"])
    report = xl_addin.validate_book(book, CHECKED_AT)
    replay(book.json()["actions"], rerun["fixed"], corrected)
    assert (injection.rule, injection.sheet, injection.cell) not in {(f.rule, f.sheet, f.cell) for f in report.findings}
    cell = openpyxl.load_workbook(corrected)[injection.sheet][injection.cell]
    assert (fill_of(cell), cell.comment) == (
        L.template_fill(load_catalog(), injection.sheet, injection.indicator, "plan_2023"),
        None,
    )
    others = {(i.sheet, i.cell) for i in case.injections if i.rule != "P003"}
    checked = openpyxl.load_workbook(corrected)
    assert all(fill_of(checked[s][c]) in (ERROR_FILL, WARNING_FILL) for s, c in others)


def test_a_boolean_typed_into_a_number_cell(clean: dict[str, Filling], tmp_path: Path) -> None:
    """T004 on the builder's own file, which stores the booleans and the formula results Excel would."""
    catalog = load_catalog()
    injector = Injector(catalog, catalog.unit("CTK"), copy.deepcopy(clean["CTK"]), random.Random(4))
    injection = injector.inject("T004")
    path = injector.write(tmp_path / "T004.xlsm")
    report = _check(path, tmp_path / "checked.xlsx")
    assert (injection.rule, injection.sheet, injection.cell) in {(f.rule, f.sheet, f.cell) for f in report.findings}
    assert fill_of(openpyxl.load_workbook(tmp_path / "checked.xlsx")[injection.sheet][injection.cell]) == ERROR_FILL


def test_a_note_staff_wrote_is_kept(cases: dict[str, list[Case]]) -> None:
    case = cases["O"][0]
    finding = next(f for f in case.report.findings if f.cell)
    data = payload(case.source)
    sheet = next(s for s in data["sheets"] if s["name"] == finding.sheet)
    sheet["notes"].append({"address": finding.cell})  # staff wrote a note on the cell the check marks
    book = open_payload(data)
    xl_addin.validate_book(book, CHECKED_AT)
    position = data["sheets"].index(sheet)
    on_cell = [
        a["func"]
        for a in book.json()["actions"]
        if a["sheet_position"] == position and a["args"] and str(a["args"][0]).replace("$", "") == finding.cell
    ]
    assert on_cell == []  # no note added, rewritten or deleted there; the report sheet has the message


def test_the_buttons_entry_points_use_the_calling_workbook(cases: dict[str, list[Case]]) -> None:
    case = cases["O"][0]
    book = open_book(case.source)
    book.set_mock_caller()
    try:
        xl_addin.validate()
        validated = book.json()["actions"]
        assert [a for a in validated if a["func"] == "alert"] == []
        assert {a["func"] for a in validated} >= {"addSheet", "setRangeColor", "addNote", "setValues"}
    finally:
        del type(book)._mock_caller


def test_an_unexpected_error_is_logged_and_shown_in_vietnamese(
    cases: dict[str, list[Case]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(_book: Any) -> None:
        raise RuntimeError("ổ đĩa đầy")

    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    monkeypatch.setattr(excel, "read_book", broken)
    book = open_book(cases["O"][0].source)
    book.set_mock_caller()
    try:
        xl_addin.validate()
    finally:
        del type(book)._mock_caller
    (alert,) = book.json()["actions"]
    assert alert["func"] == "alert"
    message, title, _buttons, mode, _callback = alert["args"]
    log = tmp_path / "kehoach" / "logs" / "nut-kiem-tra.log"
    assert (title, mode) == ("Kiểm tra dữ liệu", "critical")
    assert message.startswith("Chưa kiểm tra được") and str(log) in message
    assert "RuntimeError: ổ đĩa đầy" in log.read_text(encoding="utf-8")


def test_template_fills_are_what_the_builder_writes(tmp_path: Path) -> None:
    """The fills clearing restores (derived from the layout) are those of every keyed cell of a template."""
    catalog = load_catalog()
    path = build_workbook(catalog, catalog.unit("CTK"), tmp_path / "CTK.xlsm")
    sub = locate(read_workbook(path), catalog)
    fill = template_fills(sub)
    book = openpyxl.load_workbook(path)
    keyed = [(L.UNIT_INFO, ref.row) for ref in sub.info.values()]
    keyed += [(ref.sheet, ref.row) for ref in sub.sections.values()]
    keyed += [(L.INDICATORS, row) for rows in sub.indicator_rows.values() for row in rows]
    keyed += [(L.PROJECTS, row) for row in sub.project_rows.values()]
    keyed += [(L.GRDP, row) for row in sub.grdp_rows.values()]
    checked = 0
    for sheet, row in keyed:
        for cell in book[sheet][row + 1]:
            if isinstance(cell, MergedCell):  # openpyxl keeps no style for the covered cells of a merge
                continue
            assert fill(sheet, cell.coordinate) == fill_of(cell), (sheet, cell.coordinate)
            checked += 1
    assert checked > 1000
