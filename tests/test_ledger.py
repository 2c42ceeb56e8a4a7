"""The ledger reuses a file's validation only when nothing that judged it changed (catalog, rules, tool version);
every worker of a merge judges with the merge's catalog; consolidation works with a ledger that has no earlier
merge. On real submissions written by `kehoach sample`."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner
from kehoach.cli.main import kehoach
from kehoach.master import judge
from kehoach.master import merge as merge_module
from kehoach.master.consolidate import consolidate
from kehoach.master.extract import process_files
from kehoach.master.ledger import Ledger, ledger_path
from kehoach.master.merge import PARALLEL_FROM, MergeOutcome, merge
from kehoach.workbook_templates.catalog import CATALOG_DIR, Catalog, load_catalog

UNITS = ("SKHDT", "SCT", "CTK", "H844", "H845")
CURRENT = load_catalog().template.version
NEXT = f"{CURRENT}.1"


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("inbox")
    units = [arg for code in UNITS for arg in ("--unit", code)]
    result = CliRunner().invoke(kehoach, ["sample", "--out", str(out), "--seed", "11", *units, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["samples"]) == len(UNITS) >= PARALLEL_FROM
    return out


@pytest.fixture(scope="module")
def bumped(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """A copy of the catalog whose template version is the next one (NEXT): files of the current version
    (CURRENT) are now wrong (S002)."""
    directory = tmp_path_factory.mktemp("catalog") / "catalog"
    shutil.copytree(CATALOG_DIR, directory)
    toml = directory / "template.toml"
    text = toml.read_text(encoding="utf-8")
    assert f'version = "{CURRENT}"' in text
    toml.write_text(text.replace(f'version = "{CURRENT}"', f'version = "{NEXT}"'), encoding="utf-8")
    catalog = load_catalog(directory)
    assert catalog.template.version == NEXT
    return catalog


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Check every file in this process: these tests are about the ledger, not the workers."""
    monkeypatch.setattr(merge_module, "PARALLEL_FROM", 10**6)


def _wrong_version(outcome: MergeOutcome, expected: str) -> list[str]:
    """The units whose file was found to carry another template version than ``expected``."""
    return sorted(
        r.unit
        for r in outcome.files
        for f in r.findings
        if f["rule"] == "S002" and f["values"].get("expected") == expected
    )


def test_new_template_version_revalidates_every_file(
    inbox: Path, tmp_path: Path, bumped: Catalog, in_process: None
) -> None:
    master = tmp_path / "master.xlsx"
    first = merge(inbox, master, catalog=load_catalog())
    assert (first.checked, first.reused) == (len(UNITS), 0)
    assert sorted(first.consolidation.merged) == sorted(UNITS)

    # Same files, a catalog of a new template version: nothing may be reused, every file is judged by NEXT.
    second = merge(inbox, master, catalog=bumped)
    assert (second.checked, second.reused) == (len(UNITS), 0)
    assert _wrong_version(second, NEXT) == sorted(UNITS)
    assert second.consolidation.merged == {}
    assert sorted(r.unit for r in second.consolidation.rejected) == sorted(UNITS)

    # Under the same catalog again, the new judgement is reused; back under the old one, judged again.
    third = merge(inbox, master, catalog=bumped)
    assert (third.checked, third.reused) == (0, len(UNITS))
    assert _wrong_version(third, NEXT) == sorted(UNITS)
    fourth = merge(inbox, master, catalog=load_catalog())
    assert (fourth.checked, fourth.reused) == (len(UNITS), 0)
    assert sorted(fourth.consolidation.merged) == sorted(UNITS) and not _wrong_version(fourth, CURRENT)


def test_new_tool_version_revalidates_every_file(
    inbox: Path, tmp_path: Path, in_process: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    master = tmp_path / "master.xlsx"
    merge(inbox, master)
    rerun = merge(inbox, master)
    assert (rerun.checked, rerun.reused) == (0, len(UNITS))
    monkeypatch.setattr(judge, "tool_version", lambda: "99.0")
    again = merge(inbox, master)
    assert (again.checked, again.reused) == (len(UNITS), 0)


def test_judge_digest_follows_catalog_rules_and_tool(
    bumped: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = load_catalog()
    digest = judge.judge_digest(catalog)
    assert judge.judge_digest(load_catalog()) == digest  # stable: a rerun reuses
    assert judge.judge_digest(bumped) != digest

    # A rule changes: the source files of the validators package are part of the digest.
    files = judge.code_files()
    rules = [(path, base) for path, base in files if path.parent.name == "rules" and path.suffix == ".py"]
    assert rules and any(path.name == "extract.py" for path, _ in files)
    assert any(path.name == "layout.py" for path, _ in files)
    changed_rule = tmp_path / "validators" / "rules" / rules[0][0].name
    changed_rule.parent.mkdir(parents=True)
    changed_rule.write_bytes(rules[0][0].read_bytes() + b"\n# a changed rule\n")
    changed = [(changed_rule, tmp_path) if (path, base) == rules[0] else (path, base) for path, base in files]
    monkeypatch.setattr(judge, "code_files", lambda: changed)
    assert judge.judge_digest(catalog) != digest
    monkeypatch.undo()

    monkeypatch.setattr(judge, "tool_version", lambda: "99.0")
    assert judge.judge_digest(catalog) != digest


def test_ledger_of_an_earlier_version_is_migrated_and_not_reused(inbox: Path, tmp_path: Path, in_process: None) -> None:
    master = tmp_path / "master.xlsx"
    merge(inbox, master)
    with sqlite3.connect(ledger_path(master)) as db:  # as written before results carried their judge
        db.execute("ALTER TABLE files DROP COLUMN judge")
        db.execute("PRAGMA user_version = 0")
    db.close()
    migrated = merge(inbox, master)
    assert (migrated.checked, migrated.reused) == (len(UNITS), 0)
    assert sorted(migrated.consolidation.merged) == sorted(UNITS)
    with sqlite3.connect(ledger_path(master)) as db:
        assert db.execute("SELECT count(*) FROM files WHERE judge IS NULL").fetchone() == (0,)
        assert db.execute("PRAGMA user_version").fetchone()[0] >= 2
    db.close()
    again = merge(inbox, master)
    assert (again.checked, again.reused) == (0, len(UNITS))


def test_every_worker_judges_with_the_merge_catalog(
    inbox: Path, tmp_path: Path, bumped: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    pools: list[int] = []

    class Pool(ProcessPoolExecutor):
        def __init__(self, workers: int, **kwargs: object) -> None:
            pools.append(workers)
            super().__init__(workers, **kwargs)

    monkeypatch.setattr(merge_module, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # workers even on a one-core machine
    outcome = merge(inbox, tmp_path / "master.xlsx", catalog=bumped)
    assert pools == [2], "the files were checked in worker processes"
    assert outcome.checked == len(UNITS)
    assert _wrong_version(outcome, NEXT) == sorted(UNITS)
    assert outcome.consolidation.merged == {}


def test_consolidation_with_a_ledger_without_an_earlier_merge(inbox: Path, tmp_path: Path) -> None:
    """consolidate() with a new ledger as its loader: it knows no file and no earlier merge (before: the merged
    file's load gave None and dataclasses.replace(None) raised TypeError)."""
    catalog = load_catalog()
    results = process_files([(path, None) for path in sorted(inbox.glob("*.xlsx"))], catalog)
    with Ledger(tmp_path / "new.ledger.sqlite") as ledger:
        previous = ledger.previously_merged()
        assert previous == {}
        out = consolidate(results, catalog, catalog.template.deadline, previous, ledger.result)
        assert sorted(out.merged) == sorted(UNITS) and out.changes == []
        by_unit = {r.unit: r for r in results}
        assert all(out.merged[u].values == by_unit[u].values and out.merged[u].values for u in UNITS)
        # An earlier merge the ledger has no record of: no diff, no crash.
        out = consolidate(results, catalog, catalog.template.deadline, {"SKHDT": "0" * 64}, ledger.result)
        assert sorted(out.merged) == sorted(UNITS) and out.changes == []


def test_judge_digest_is_the_same_in_every_process() -> None:
    """A second merge reuses the ledger only if a new process computes the same digest: nothing in it may
    depend on the process's string hash seed (a set's order in the catalog's repr did)."""
    code = (
        "from kehoach.master.judge import judge_digest\n"
        "from kehoach.workbook_templates.catalog import load_catalog\n"
        "print(judge_digest(load_catalog()))"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1, digests
