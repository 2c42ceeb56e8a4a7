"""Broken, foreign and hostile input: every corpus file gets a documented exit code and a Vietnamese
message, never a traceback, within seconds and bounded memory; a merge over the corpus mixed with good
submissions writes a correct master from the good ones; output failures lose nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from kehoach.cli.main import kehoach
from kehoach.master.merge import merge
from kehoach.samples.generate import generate_all, write_submission
from kehoach.samples.hostile import Corpus, build_corpus
from kehoach.workbook_templates.catalog import load_catalog

from tests.support.libreoffice import convert

ROOT = Path(__file__).parents[1]
MAX_SECONDS = 10.0
MAX_PEAK_MB = 400


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


@pytest.mark.parametrize(
    "name",
    [
        "zip-bomb.xlsx",
        "zip-bomb-lying.xlsx",
        "zip-bomb-lying-strings.xlsx",
        "million-rows.xlsx",
        "billion-laughs.xlsx",
        "far-cell.xlsx",
    ],
)
def test_bombs_and_giants_are_refused_fast_in_bounded_memory(corpus: Corpus, name: str) -> None:
    path = corpus.directory / name
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "kehoach.cli.main", "validate", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    out = process.stdout.read().decode()
    assert os.waitstatus_to_exitcode(status) == 2
    assert "Không đọc được tệp" in out
    assert seconds < MAX_SECONDS
    assert usage.ru_maxrss / 1024 < MAX_PEAK_MB, usage.ru_maxrss


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
    # Load everything first: the other user cannot read root's site-packages.
    script = (
        "import sys, os; from cli.main import main; import click._termui_impl, cli.validate_cmd, validators.engine; "
        "import validators.reader; from validators.registry import all_rules; all_rules(); "
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
