"""Broken, foreign and hostile input: every corpus file gets a documented exit code and a Vietnamese
message, never a traceback, within seconds and bounded memory; a merge over the corpus mixed with good
submissions writes a correct master from the good ones; output failures lose nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from kehoach.cli.main import kehoach
from kehoach.master.merge import merge
from kehoach.samples.generate import generate_all, write_submission
from kehoach.samples.hostile import Corpus, build_corpus
from kehoach.validators.reader import UnreadableWorkbook, read_workbook
from kehoach.validators.sheetscan import MAX_ROWS, Work
from kehoach.workbook_templates.catalog import load_catalog

from tests.support.libreoffice import convert

ROOT = Path(__file__).parents[1]
MAX_CPU_RATIO = 3.0  # CPU of refusing a giant / CPU of checking a normal workbook, in a process each
MAX_EXTRA_PEAK_MB = 300  # peak memory beyond a normal workbook's: one part inflated (MAX_PART_BYTES) and a copy
SMALL_PARTS = 1024 * 1024  # bytes inflated for the workbook's small parts (workbook.xml, relations, small sheets)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return build_corpus(tmp_path_factory.mktemp("hostile"), load_catalog(), convert)


def test_every_corpus_file_gets_its_exit_code_rules_and_a_message(corpus: Corpus) -> None:
    runner = CliRunner()
    for item in corpus.items:
        result = runner.invoke(kehoach, ["validate", "--format", "json", str(corpus.path(item))])
        assert result.exception is None or isinstance(result.exception, SystemExit), (item.name, result.exception)
        assert "Traceback" not in result.output
        assert result.exit_code == item.exit_code, (item.name, result.output[-800:])
        (entry,) = json.loads(result.stdout)["files"]
        rules = {f["rule"] for f in entry["findings"]}
        assert set(item.rules) <= rules, (item.name, rules)
        assert all(f["message"] for f in entry["findings"])


GIANTS = {  # file: (most bytes inflated, most elements parsed) before the refusal, and what the refusal says
    "zip-bomb.xlsx": (0, 0, "nghi là bom giải nén"),  # refused from the sizes declared in the zip directory
    # Inflating stops one byte past the size declared (10 KiB), where calamine's reader stops too.
    "zip-bomb-lying.xlsx": (SMALL_PARTS, 0, "sheet3.xml giải nén ra nhiều hơn kích thước khai báo"),
    "zip-bomb-lying-strings.xlsx": (SMALL_PARTS, 0, "sharedStrings.xml giải nén ra nhiều hơn kích thước khai báo"),
    "million-rows.xlsx": (60 * 1024 * 1024, 3 * (MAX_ROWS + 1) + 2, "có dữ liệu ở ô A20001"),  # not all rows read
    "billion-laughs.xlsx": (SMALL_PARTS, 0, "không an toàn (DOCTYPE"),
    "shared-strings-count.xlsx": (SMALL_PARTS, 0, "khai báo số chuỗi ký tự (4000000000)"),  # before calamine reserves
    "many-merges.xlsx": (100 * 1024 * 1024, 0, "hơn 20.000 vùng gộp ô"),  # the sheet inflated, its merges counted
    "far-cell.xlsx": (SMALL_PARTS, 10_000, "có dữ liệu ở ô XFD1048576"),  # the sheet (3,000 elements) parsed
}


@pytest.mark.parametrize("name", GIANTS)
def test_bombs_and_giants_are_refused_after_bounded_work(corpus: Corpus, name: str) -> None:
    """The reader counts its work as it goes; a refusal must come at the limit, not after reading the rest."""
    most_inflated, most_elements, message = GIANTS[name]
    work = Work()
    with pytest.raises(UnreadableWorkbook) as refused:
        read_workbook(corpus.directory / name, work=work)
    assert message in refused.value.reason
    assert work.inflated <= most_inflated and work.elements <= most_elements, work


def _cpu_and_peak(path: Path, code: int) -> tuple[float, float]:
    """CPU seconds and peak memory (MB) of `kehoach validate` on one file, in its own process."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kehoach.cli.main", "validate", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    out = process.stdout.read().decode()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == code, out[-800:]
    assert code != 2 or "Không đọc được tệp" in out
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


@pytest.fixture(scope="module")
def calibration(tmp_path_factory: pytest.TempPathFactory) -> tuple[float, float]:
    """CPU seconds and peak memory of checking a normal filled workbook the same way, on this machine, now (the
    least of two runs' CPU)."""
    catalog = load_catalog()
    filling = generate_all(catalog, 99, ["SKHDT"])["SKHDT"]
    path = write_submission(catalog, catalog.unit("SKHDT"), filling, tmp_path_factory.mktemp("normal") / "SKHDT.xlsx")
    runs = [_cpu_and_peak(path, 0) for _ in range(2)]
    return min(cpu for cpu, _ in runs), max(peak for _, peak in runs)


@pytest.mark.parametrize("name", GIANTS)
def test_bombs_and_giants_cost_about_what_a_normal_workbook_costs(
    corpus: Corpus, calibration: tuple[float, float], name: str
) -> None:
    """Refusing a giant costs little more CPU than checking a normal workbook (both mostly Python starting and
    importing), whatever the machine's speed; before the refusals stopped at the limit, the million-row sheet
    cost ten times as much. Memory grows by the one part held inflated at most."""
    normal_cpu, normal_peak = calibration
    cpu, peak = _cpu_and_peak(corpus.directory / name, 2)
    assert cpu < MAX_CPU_RATIO * normal_cpu, (cpu, normal_cpu)
    assert peak < normal_peak + MAX_EXTRA_PEAK_MB, (peak, normal_peak)


def test_merge_over_corpus_and_good_files(corpus: Corpus, tmp_path: Path) -> None:
    catalog = load_catalog()
    inbox = tmp_path / "inbox"
    shutil.copytree(corpus.directory, inbox)
    good = generate_all(catalog, 5, ["SNV", "STP", "H845"])
    for code, filling in good.items():
        write_submission(catalog, catalog.unit(code), filling, inbox / f"{code}.xlsx")
    outcome = merge(inbox, tmp_path / "master.xlsx", catalog=catalog)
    result = outcome.consolidation
    assert {"SNV", "STP", "H845"} <= set(result.merged)
    merged_paths = {Path(r.path).name for r in result.merged.values()}
    superseded = {Path(old.path).name for old, _ in result.superseded}
    rejected = {Path(r.path).name: r for r in result.rejected}
    for item in corpus.items:
        if item.exit_code == 2 or (item.exit_code == 1 and not item.merged):
            assert item.name in rejected or item.name in superseded, item.name
            assert item.name not in merged_paths
    for name, file in rejected.items():
        assert file.findings and file.findings[0]["message"], name


def test_a_file_that_cannot_be_opened_is_reported(tmp_path: Path) -> None:
    """A file locked or forbidden to the user (Windows reports a sharing violation as a permission error)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to run the check as another user")
    catalog = load_catalog()
    path = write_submission(
        catalog, catalog.unit("SNV"), generate_all(catalog, 1, ["SNV"])["SNV"], tmp_path / "SNV.xlsx"
    )
    path.chmod(0o000)
    tmp_path.chmod(0o755)
    # Load everything first, the catalog included: the other user may not read root's site-packages, nor a
    # clone under /root.
    script = (
        "import sys, os; from kehoach.cli.main import main; import click._termui_impl, kehoach.cli.validate_cmd; "
        "import kehoach.validators.engine, kehoach.validators.reader; "
        "from kehoach.validators.registry import all_rules; all_rules(); "
        "import kehoach.workbook_templates.catalog as c; loaded = c.load_catalog(); "
        "c.load_catalog = lambda *args, **kwargs: loaded; "
        "os.setgid(65534); os.setuid(65534); "
        f"sys.argv = ['kehoach', 'validate', {str(path)!r}]; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": "/tmp"},
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "không mở được tệp" in result.stdout and "Traceback" not in result.stderr


def test_disk_full_keeps_the_previous_master(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=900k", "tmpfs", str(disk)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.decode().strip()}")
    try:
        catalog = load_catalog()
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        write_submission(catalog, catalog.unit("SNV"), generate_all(catalog, 1, ["SNV"])["SNV"], inbox / "a.xlsx")
        master = disk / "master.xlsx"
        merge(inbox, master, catalog=catalog)
        before = master.read_bytes()
        for code, filling in generate_all(catalog, 2, ["CTK", "SKHDT", "SNNPTNT", "H844", "H845"]).items():
            write_submission(catalog, catalog.unit(code), filling, inbox / f"{code}.xlsx")
        result = CliRunner().invoke(kehoach, ["merge", str(inbox), "-o", str(master)])
        assert result.exit_code == 2, result.output
        assert "không ghi được" in result.stderr and "Traceback" not in result.output
        assert master.read_bytes() == before
        assert not [p for p in disk.iterdir() if p.name.endswith(".tmp")]
    finally:
        subprocess.run(["umount", str(disk)], check=False)
