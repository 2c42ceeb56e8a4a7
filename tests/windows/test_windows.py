"""kehoach under the official Windows CPython (Wine harness, conftest.py): every command the DPI runs, and the
validation button's Python side, checked by their outputs (exit codes, JSON, files written).

Every command runs with its output piped, as in `kehoach validate a.xlsx > ket-qua.txt`, `| findstr` or a script,
under Vietnamese Windows' code pages (ANSI cp1258): stdout and stderr must arrive as UTF-8 (cli/output.py), not
die with UnicodeEncodeError 'charmap' as Python's ANSI default did (docs/windows.md).
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.windows.conftest import REPO, Run, WindowsPython, winpath

# Eight files, so that the merge runs in worker processes (2 here) on an even number of tasks: the case that hung
# when Wine showed Python Windows 7 (docs/windows.md); and the demo's broken file, an .xls renamed .xlsx.
UNITS = ("CTK", "SKHDT", "H844", "SYT", "CA", "BDT", "CTHUE")
BROKEN = "bao-cao-cu.xlsx"
OLD_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # as samples/demo.py writes it


def ok(run: Run, code: int = 0) -> None:
    assert run.code is not None, f"timed out (hang): {run.describe()}"
    assert run.code == code, run.describe()
    assert b"UnicodeEncodeError" not in run.stderr, run.describe()


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("windows")


@pytest.fixture(scope="module")
def sampled(windows: WindowsPython, work: Path) -> tuple[Run, Path]:
    inbox = work / "hop-thu"
    units = [arg for unit in UNITS for arg in ("--unit", unit)]
    run = windows.kehoach("sample", "--out", winpath(inbox), *units)
    (inbox / BROKEN).write_bytes(OLD_XLS)
    return run, inbox


@pytest.fixture(scope="module")
def merged(windows: WindowsPython, sampled: tuple[Run, Path], work: Path) -> tuple[Run, Path]:
    _, inbox = sampled
    master = work / "tong-hop" / "tong-hop.xlsx"
    return windows.kehoach("merge", winpath(inbox), "-o", winpath(master)), master


def test_the_harness_is_windows_10_with_the_vietnamese_code_page(windows: WindowsPython) -> None:
    run = windows.run(
        "-c",
        "import os, sys, locale, multiprocessing as mp; print(os.name, sys.platform, sys.getwindowsversion()[0], "
        "locale.getpreferredencoding(), mp.get_start_method())",
    )
    ok(run)
    name, platform, major, code_page, start = run.out().split()
    assert (name, platform, code_page, start) == ("nt", "win32", "cp1258", "spawn")
    # Windows 10, not the Windows 7 a new Wine prefix shows: see build-harness.sh step 7
    assert int(major) >= 10


def test_templates_build(windows: WindowsPython, work: Path) -> None:
    out = work / "bieu-mau"
    run = windows.kehoach("templates", "build", "--out", winpath(out), "--unit", "CTK")
    ok(run)
    [built] = out.glob("CTK_*.xlsm")
    with zipfile.ZipFile(built) as package:
        assert "xl/vbaProject.bin" in package.namelist()


def test_templates_build_json(windows: WindowsPython, work: Path) -> None:
    out = work / "bieu-mau-json"
    run = windows.kehoach("templates", "build", "--out", winpath(out), "--unit", "H844", "--format", "json")
    ok(run)  # the JSON holds only codes and paths: ASCII
    [entry] = json.loads(run.out())["templates"]
    assert entry["unit"] == "H844"
    assert entry["path"].startswith(winpath(out)) and (out / entry["path"].rsplit("\\", 1)[1]).is_file()


def test_sample(sampled: tuple[Run, Path]) -> None:
    run, inbox = sampled
    ok(run)
    assert sorted(p.name.split("_")[0] for p in inbox.glob("*_*.xlsx")) == sorted(UNITS)


def test_validate_text(windows: WindowsPython, sampled: tuple[Run, Path]) -> None:
    _, inbox = sampled
    [clean] = inbox.glob("CTK_*.xlsx")
    run = windows.kehoach("validate", winpath(clean))
    ok(run)
    assert clean.name in run.out() and "0 lỗi" in run.out()


def test_validate_engine_on_a_clean_file(windows: WindowsPython, sampled: tuple[Run, Path]) -> None:
    """The engine itself under Windows, without the console: a clean file passes."""
    _, inbox = sampled
    [clean] = inbox.glob("CTK_*.xlsx")
    run = windows.run(
        "-c",
        "import sys; from pathlib import Path; from kehoach.validators.engine import validate_path; "
        "r = validate_path(Path(sys.argv[1])); print(r.unit, r.errors, r.readable)",
        winpath(clean),
    )
    ok(run)
    assert run.out().split() == ["CTK", "0", "True"]


def test_validate_json(windows: WindowsPython, sampled: tuple[Run, Path]) -> None:
    _, inbox = sampled
    [clean] = inbox.glob("SKHDT_*.xlsx")
    run = windows.kehoach("validate", winpath(clean), winpath(inbox / BROKEN), "--format", "json")
    ok(run, code=2)  # the .xls cannot be read: exit 2, as on Linux (tests/test_validate_cli.py)
    files = {Path(f["path"].replace("\\", "/")).name: f for f in json.loads(run.out())["files"]}
    assert files[BROKEN]["errors"] == 1
    assert [f["rule"] for f in files[BROKEN]["findings"]] == ["X001"]
    assert files[clean.name]["errors"] == 0


def test_merge_with_workers_writes_the_master(merged: tuple[Run, Path]) -> None:
    """The merge of 8 files in spawned workers, the .xls renamed among them, finishes and writes its files."""
    run, master = merged
    assert run.code is not None, f"the merge hung: {run.describe()}"
    csv = master.with_suffix(".csv")
    assert master.is_file() and csv.is_file(), run.describe()
    units = {line.split(",", 1)[0] for line in csv.read_text(encoding="utf-8-sig").splitlines()[1:]}
    assert units == set(UNITS)
    book = openpyxl.load_workbook(master, read_only=True)
    assert "Tổng hợp" in book.sheetnames
    status = "\n".join(str(v) for row in book["Tình trạng nộp"].iter_rows(values_only=True) for v in row if v)
    assert BROKEN in status  # rejected, with the reason


def test_merge_reports_success(merged: tuple[Run, Path]) -> None:
    run, _ = merged
    ok(run)
    assert "Đã ghi tệp tổng hợp" in run.out()


def test_merge_json(windows: WindowsPython, sampled: tuple[Run, Path], work: Path) -> None:
    _, inbox = sampled
    master = work / "tong-hop-json" / "tong-hop.xlsx"
    run = windows.kehoach("merge", winpath(inbox), "-o", winpath(master), "--format", "json")
    ok(run)
    summary = json.loads(run.out())
    assert summary["units_received"] == len(UNITS)
    assert [Path(r["path"].replace("\\", "/")).name for r in summary["rejected"]] == [BROKEN]


def test_progress_messages_are_readable(merged: tuple[Run, Path]) -> None:
    run, _ = merged
    assert "Đang kiểm tra và tổng hợp" in run.stderr.decode("utf-8")


def test_merge_reports_no_stalled_workers(windows: WindowsPython, sampled: tuple[Run, Path], work: Path) -> None:
    """The stall guard (docs/merge.md) stays silent when spawned workers answer."""
    _, inbox = sampled
    master = work / "tong-hop-guard" / "tong-hop.xlsx"
    run = windows.kehoach("merge", winpath(inbox), "-o", winpath(master), "--format", "json")
    ok(run)
    assert json.loads(run.out())["stalled_workers"] is None
    assert "Cảnh báo" not in run.stderr.decode("utf-8")


def test_demo_completes(windows: WindowsPython, work: Path) -> None:
    """`kehoach demo` end to end: every template, the inbox (its broken file among them), the merge in spawned
    workers, the master and its CSV (with the byte order mark Excel needs for UTF-8)."""
    out = work / "demo"
    run = windows.kehoach("demo", "--out", winpath(out))
    ok(run)
    text = run.out()
    assert "Đã ghi tệp tổng hợp" in text and "Đơn vị đã nộp: 35/36" in text
    master = out / "tong-hop.xlsx"
    assert master.is_file() and len(list((out / "bieu-mau").glob("*.xlsm"))) == 36
    assert master.with_suffix(".csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "Cảnh báo" not in run.stderr.decode("utf-8")  # no stalled workers under Windows 10


def test_scenarios_writes_the_workbook(windows: WindowsPython, merged: tuple[Run, Path], work: Path) -> None:
    _, master = merged
    target = work / "kich-ban.xlsx"
    run = windows.kehoach("scenarios", winpath(master), "-o", winpath(target))
    assert run.code is not None and target.is_file(), run.describe()
    assert openpyxl.load_workbook(target, read_only=True).sheetnames


def test_scenarios_json(windows: WindowsPython, merged: tuple[Run, Path], work: Path) -> None:
    _, master = merged
    run = windows.kehoach("scenarios", winpath(master), "-o", winpath(work / "kich-ban-2.xlsx"), "--format", "json")
    ok(run)
    assert json.loads(run.out())


def test_the_button_under_windows_does_what_it_does_on_linux(windows: WindowsPython, work: Path) -> None:
    """kehoach.xl_addin on the Windows Python (pywin32 and xlwings' Windows wheel), through xlwings' remote
    engine as tests/support/xlremote.py drives it: the same findings and the same writes as on Linux."""
    source = _workbook_with_mistakes(work / "nut")
    result = work / "nut" / "button.json"
    probe = Path(__file__).with_name("button_probe.py")
    run = windows.run(
        winpath(probe), winpath(REPO), winpath(source), winpath(work / "nut" / "checked.xlsm"), winpath(result)
    )
    ok(run)
    found = json.loads(result.read_text(encoding="ascii"))
    assert found["platform"] == "win32"
    assert {rule for rule, *_ in found["findings"]} >= {"R001", "C001"}
    assert found["alerts"] == [] and found["entry_alerts"] == []
    assert {"addSheet", "setRangeColor", "addNote", "setValues"} <= set(found["entry_funcs"])
    linux = _press_on_linux(source, work / "nut" / "checked-linux.xlsm")
    assert found["findings"] == linux["findings"]
    assert found["actions"] == linux["actions"]


def _workbook_with_mistakes(out: Path) -> Path:
    import copy
    import random

    from kehoach.samples.generate import generate_all
    from kehoach.samples.inject import Injector
    from kehoach.workbook_templates.catalog import load_catalog

    catalog = load_catalog()
    filling = generate_all(catalog, seed=11, units=["SKHDT"])["SKHDT"]
    injector = Injector(catalog, catalog.unit("SKHDT"), copy.deepcopy(filling), random.Random(1))
    for code in ("R001", "C001"):
        injector.inject(code)
    out.mkdir(parents=True, exist_ok=True)
    return injector.write(out / "SKHDT-loi.xlsm")


def _press_on_linux(source: Path, checked: Path) -> dict[str, object]:
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    from kehoach import xl_addin

    from tests.support.xlremote import open_book, replay
    from tests.windows.button_probe import CHECKED_AT

    book = open_book(source)
    try:
        report = xl_addin.validate_book(book, CHECKED_AT)
        actions = book.json()["actions"]
        replay(actions, source, checked)
    finally:
        book.close()
    findings = [[f.rule, f.sheet, f.cell, f.message()] for f in report.findings]
    return json.loads(json.dumps({"findings": findings, "actions": actions}, default=str))
