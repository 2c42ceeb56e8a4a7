"""`kehoach merge` end to end on generated submissions: the master carries exactly what was submitted,
totals add up, missing, late, superseded and rejected files are handled, reruns are identical and
incremental, a killed merge never leaves a broken master, and submitters' text never becomes a formula."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from kehoach.cli.main import kehoach
from kehoach.master.ledger import ledger_path
from kehoach.master.merge import BUSY, MergeError, merge
from kehoach.master.workbook import DISTRICTS, STATUS, SUMMARY, TOTAL_LABEL
from kehoach.samples import demo
from kehoach.samples.generate import generate_all, write_submission
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import load_catalog

from tests.support.libreoffice import recalculate

NOW = dt.datetime(2020, 7, 11, 8, 0)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> demo.Demo:
    return demo.run_demo(tmp_path_factory.mktemp("demo"), seed=7)


def _summary_rows(master: Path, data_only: bool = True) -> dict[tuple[str, str], dict[str, object]]:
    """Tổng hợp as {(indicator, reporting unit): {column header: value}}, read independently of the writer."""
    sheet = openpyxl.load_workbook(master, data_only=data_only)[SUMMARY]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[2]
    table = {}
    for values in rows[3:]:
        if values[0] and (values[4] is not None or values[5] == TOTAL_LABEL):
            table[(values[0], values[4] or TOTAL_LABEL)] = dict(zip(header, values, strict=False))
    return table


def test_master_numbers_equal_the_submitted_cells(run: demo.Demo) -> None:
    headers = {c.key: c.header_vi for c in L.indicator_columns()}
    table = _summary_rows(run.outcome.master)
    checked = 0
    for unit, result in run.outcome.consolidation.merged.items():
        source = openpyxl.load_workbook(result.path, data_only=True)
        for code, key, _value, sheet, cell in result.values:
            submitted = source[sheet][cell].value
            assert table[(code, unit)][headers[key]] == submitted, (unit, code, key)
            checked += 1
    assert checked > 3000


def test_district_totals_equal_the_sums_after_recalculation(run: demo.Demo, tmp_path: Path) -> None:
    (recalculated,) = recalculate([run.outcome.master], tmp_path)
    table = _summary_rows(recalculated)
    catalog = load_catalog()
    merged = run.outcome.consolidation.merged
    checked = 0
    for indicator in (i for i in catalog.indicators if i.additive):
        total = table[(indicator.code, TOTAL_LABEL)]
        for key, header in (("estimate_2020", "ƯTH 2020"), ("plan_2025", "KH 2025")):
            parts = [table[(indicator.code, d.code)][header] for d in catalog.districts if d.code in merged]
            assert total[header] == pytest.approx(sum(parts), rel=1e-12), (indicator.code, key)
            checked += 1
    assert checked >= 24
    districts = openpyxl.load_workbook(recalculated, data_only=True)[DISTRICTS]
    assert not any(
        isinstance(c, str) and c.startswith(("#", "Err:")) for r in districts.iter_rows(values_only=True) for c in r
    )


def test_missing_late_superseded_and_rejected(run: demo.Demo) -> None:
    result = run.outcome.consolidation
    assert result.missing == [demo.MISSING]
    assert [r.unit for r in result.late] == [demo.LATE[0]]
    corrected = demo.CORRECTED[0]
    assert Path(result.merged[corrected].path).name.startswith("lan-2_")
    assert [Path(old.path).name.startswith("lan-1_") for old, _ in result.superseded] == [True]
    assert demo.REJECTED[0] not in result.merged
    assert {r.unit for r in result.rejected} == {demo.REJECTED[0], ""}
    assert demo.WARNED[0] in result.merged and result.merged[demo.WARNED[0]].warnings
    table = _summary_rows(run.outcome.master)
    assert not any(unit == demo.REJECTED[0] for _, unit in table)
    status = {row[0]: row for row in openpyxl.load_workbook(run.outcome.master)[STATUS].iter_rows(values_only=True)}
    assert status[demo.MISSING][3] == "Chưa nộp"
    assert status[demo.LATE[0]][4] == "Trễ hạn"
    assert "lan-1_" in status[corrected][13]


def test_superseded_values_are_not_merged(run: demo.Demo) -> None:
    """The first SNNPTNT file had mistakes at known cells; the master holds the corrected file's values."""
    corrected = run.outcome.consolidation.merged[demo.CORRECTED[0]]
    columns = L.indicator_columns()
    table = _summary_rows(run.outcome.master)
    fixed = openpyxl.load_workbook(corrected.path, data_only=True)[L.INDICATORS]
    checked = 0
    for injection in run.injected[demo.CORRECTED[0]]:
        if injection.sheet == L.INDICATORS:
            column = columns[fixed[injection.cell].column - 1]
            assert table[(injection.indicator, demo.CORRECTED[0])][column.header_vi] == fixed[injection.cell].value
            checked += 1
    assert checked


def test_json_summary_and_rerun_is_identical_and_incremental(run: demo.Demo, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(run.inbox, inbox)
    master = tmp_path / "out" / "master.xlsx"
    runner = CliRunner()
    first = runner.invoke(kehoach, ["merge", str(inbox), "-o", str(master), "--format", "json"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert data["missing"] == [demo.MISSING] and data["units_expected"] == 36 and data["units_received"] == 35
    assert [r["unit"] for r in data["late"]] == [demo.LATE[0]]
    assert {"rejected", "superseded", "findings", "master"} <= set(data)
    values_first = _summary_rows(master)
    second = runner.invoke(kehoach, ["merge", str(inbox), "-o", str(master), "--format", "json"])
    again = json.loads(second.stdout)
    assert (again["files_checked"], again["files_reused"]) == (0, data["files_checked"])
    assert _summary_rows(master) == values_first
    assert (master.parent / "master.bak.xlsx").exists() and (master.parent / "master.csv").exists()


def test_resubmission_is_reported_as_a_cell_diff(tmp_path: Path) -> None:
    catalog = load_catalog()
    inbox, master = tmp_path / "inbox", tmp_path / "master.xlsx"
    inbox.mkdir()
    filling = generate_all(catalog, 3, ["SKHDT"])["SKHDT"]
    unit = catalog.unit("SKHDT")
    write_submission(catalog, unit, filling, inbox / "v1.xlsx")
    merge(inbox, master, catalog=catalog, now=NOW)
    filling.indicators["KT09"]["actual_2017"] = float(filling.indicators["KT09"]["actual_2017"]) + 10
    filling.info["revision"] = 2
    write_submission(catalog, unit, filling, inbox / "v2.xlsx")
    outcome = merge(inbox, master, catalog=catalog, now=NOW)
    (change,) = outcome.consolidation.changes
    assert (change.unit, change.indicator, change.key, change.new - change.old) == ("SKHDT", "KT09", "actual_2017", 10)
    assert change.sheet == L.INDICATORS
    assert outcome.checked == 1 and outcome.reused == 1


def test_formula_injection_never_becomes_a_formula(tmp_path: Path) -> None:
    catalog = load_catalog()
    inbox, master = tmp_path / "inbox", tmp_path / "master.xlsx"
    inbox.mkdir()
    payloads = ['=HYPERLINK("http://example.invalid","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)"]
    filling = generate_all(catalog, 5, ["SKHDT"])["SKHDT"]
    for n, code in enumerate(list(filling.indicators)[:4]):
        filling.indicators[code]["note"] = payloads[n]
        filling.indicators[code]["cause"] = payloads[n]
    filling.projects[0]["project"] = payloads[0]
    filling.info["head"] = payloads[1]
    write_submission(catalog, catalog.unit("SKHDT"), filling, inbox / "SKHDT.xlsx")
    merge(inbox, master, catalog=catalog, now=NOW)
    book = openpyxl.load_workbook(master)
    formulas = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    texts = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "s"]
    assert formulas, "the master has its own formulas"
    assert not any(p.lstrip("=+-@")[:6] in f for f in formulas for p in payloads)
    assert all(p in texts for p in payloads[:4])


def test_refuses_when_master_is_open_or_another_merge_runs(run: demo.Demo, tmp_path: Path) -> None:
    master = tmp_path / "master.xlsx"
    (tmp_path / "~$master.xlsx").write_text("excel lock")
    with pytest.raises(MergeError) as raised:
        merge(run.inbox, master)
    assert raised.value.code == BUSY and "đang được mở" in raised.value.message
    (tmp_path / "~$master.xlsx").unlink()
    import fcntl

    with (tmp_path / ".master.xlsx.lock").open("a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        result = CliRunner().invoke(kehoach, ["merge", str(run.inbox), "-o", str(master)])
    assert result.exit_code == 3 and "đang chạy" in result.stderr
    assert not master.exists()


def test_unusable_inbox_is_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(kehoach, ["merge", str(tmp_path / "none"), "-o", str(tmp_path / "m.xlsx")])
    assert result.exit_code == 2 and "không tìm thấy thư mục" in result.stderr
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(kehoach, ["merge", str(tmp_path / "empty"), "-o", str(tmp_path / "m.xlsx")])
    assert result.exit_code == 2 and "không có tệp" in result.stderr


def _one_submission(inbox: Path) -> None:
    catalog = load_catalog()
    inbox.mkdir(parents=True)
    write_submission(catalog, catalog.unit("SKHDT"), generate_all(catalog, 3, ["SKHDT"])["SKHDT"], inbox / "a.xlsx")


def test_a_master_windows_cannot_replace_is_refused_before_any_work(tmp_path: Path, monkeypatch) -> None:
    """On Windows a master held open by Excel, or read-only, cannot be replaced (winfiles.master_problem): the
    merge says so before it validates anything."""
    import kehoach.master.merge as merging

    inbox, master = tmp_path / "inbox", tmp_path / "master.xlsx"
    _one_submission(inbox)
    monkeypatch.setattr(merging, "_master_problem", lambda _master: ("tệp tổng hợp đang được mở trong Excel", BUSY))
    monkeypatch.setattr(merging, "process_files", lambda *_a: pytest.fail("validated before refusing"))
    result = CliRunner().invoke(kehoach, ["merge", str(inbox), "-o", str(master)])
    assert result.exit_code == BUSY and "đang được mở trong Excel" in result.stderr
    assert not ledger_path(master).exists() and not master.exists()


def test_a_failed_write_is_said_in_vietnamese_and_leaves_no_temporary_file(tmp_path: Path, monkeypatch) -> None:
    inbox, master = tmp_path / "inbox", tmp_path / "out" / "master.xlsx"
    _one_submission(inbox)
    assert CliRunner().invoke(kehoach, ["merge", str(inbox), "-o", str(master)]).exit_code == 0
    replace = os.replace

    def refused(source: object, target: object) -> None:
        if str(target).endswith(".bak.xlsx"):
            raise PermissionError(13, "Access is denied", str(target))
        replace(source, target)

    monkeypatch.setattr(os, "replace", refused)
    result = CliRunner().invoke(kehoach, ["merge", str(inbox), "-o", str(master)])
    assert result.exit_code == 2 and "không có quyền ghi tệp «master.bak.xlsx»" in result.stderr, result.stderr
    assert "Access is denied" not in result.stderr
    assert sorted(p.name for p in master.parent.iterdir() if p.name.endswith(".tmp")) == []


def test_an_inbox_typed_in_the_other_unicode_form_is_found(tmp_path: Path) -> None:
    import unicodedata

    _one_submission(tmp_path / unicodedata.normalize("NFD", "Hộp thư"))
    outcome = merge(tmp_path / unicodedata.normalize("NFC", "Hộp thư"), tmp_path / "master.xlsx", now=NOW)
    assert list(outcome.consolidation.merged) == ["SKHDT"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_killed_merge_leaves_the_previous_or_the_new_master(tmp_path: Path) -> None:
    """Kill the merge process at moments spread over a whole run: the master is always a complete workbook,
    the previous one or a new one, and the ledger stays consistent."""
    catalog = load_catalog()
    inbox, master = tmp_path / "inbox", tmp_path / "out" / "master.xlsx"
    inbox.mkdir()
    fillings = generate_all(catalog, 9, ["SKHDT", "SCT", "H844", "H845", "CTK"])
    late_comer = fillings.pop("CTK")
    for code, filling in fillings.items():
        write_submission(catalog, catalog.unit(code), filling, inbox / f"{code}.xlsx")
    merge(inbox, master, catalog=catalog, now=NOW)
    previous = _digest(master)
    saved = tmp_path / "saved"
    saved.mkdir()
    for name in (master.name, ledger_path(master).name):
        shutil.copy2(master.parent / name, saved / name)
    # A new submission arrives: every run below validates it and writes a master with one more unit.
    write_submission(catalog, catalog.unit("CTK"), late_comer, inbox / "CTK.xlsx")
    command = [sys.executable, "-m", "kehoach.cli.main", "merge", str(inbox), "-o", str(master)]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=Path(__file__).parents[1])
    full = time.perf_counter() - started
    trials = 14
    # Evenly spread, not random, so the write of the master, the last part of a run, is always hit; the last
    # trial is not killed and must leave the new master.
    delays: list[float | None] = [0.05 + full * i / (trials - 1) for i in range(trials - 1)] + [None]
    outcomes = []
    for delay in delays:
        for name in (master.name, ledger_path(master).name):
            shutil.copy2(saved / name, master.parent / name)
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=Path(__file__).parents[1],
            start_new_session=True,
        )
        if delay is not None:
            time.sleep(delay)
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        outcomes.append("previous" if _digest(master) == previous else "new")
        book = openpyxl.load_workbook(master, read_only=True)
        assert SUMMARY in book.sheetnames
        book.close()
        with sqlite3.connect(ledger_path(master)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # Killed 0.05 s after start, before imports end, the merge cannot have touched anything.
    assert outcomes[0] == "previous" and outcomes[-1] == "new", outcomes
