"""A merge cannot hang on its worker processes: a worker that stops returning results is detected after a bound
proportional to its batch (docs/merge.md), the pool is abandoned without waiting on it, the pending batches are
checked in the merge's own process, and the run says so (stderr, and ``stalled_workers`` in the JSON summary).

The stall is real: in one forked worker, the check of one particular file blocks for ever (the module's
``_processed``, monkeypatched before the pool forks, so that workers inherit it; the merge's own process is not
affected). No hook in the production code."""

from __future__ import annotations

import json
import multiprocessing
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from kehoach.cli.main import kehoach
from kehoach.master import merge as merge_module

UNITS = ("CTK", "SKHDT", "H844", "SYT")
STALLS = "treo"  # the file whose check blocks for ever in a worker
HANG = 600  # seconds: only a merge that hangs takes this long; it then fails the test instead of the run
_original = merge_module._processed


def _stalling(batch: list[tuple[Path, str]], catalog: object) -> list:
    if multiprocessing.parent_process() is not None and any(STALLS in path.name for path, _known in batch):
        threading.Event().wait()  # a worker that never returns
    return _original(batch, catalog)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stall") / "hop-thu"
    units = [arg for unit in UNITS for arg in ("--unit", unit)]
    result = CliRunner().invoke(kehoach, ["sample", "--out", str(out), "--seed", "3", *units])
    assert result.exit_code == 0, result.output
    [victim] = out.glob("SKHDT_*.xlsx")
    victim.rename(out / f"SKHDT_{STALLS}.xlsx")  # a file's unit comes from its contract, not its name
    return out


@pytest.fixture
def forked_workers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Two workers, forked (whatever the platform's default start method), that inherit the stalling check."""
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("needs the fork start method")
    before = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("fork", force=True)
    monkeypatch.setattr(merge_module.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(merge_module, "_processed", _stalling)
    try:
        yield
    finally:
        multiprocessing.set_start_method(before, force=True)


def _merge(args: list[str]) -> Result:
    """The CLI in a thread, so that a merge that hangs fails the test instead of hanging the run."""
    outcome: list[Result] = []
    thread = threading.Thread(target=lambda: outcome.append(CliRunner().invoke(kehoach, args)), daemon=True)
    thread.start()
    thread.join(HANG)
    assert outcome, "the merge hung"
    return outcome[0]


def test_a_stalled_worker_is_detected_and_its_batch_redone_in_process(
    inbox: Path, tmp_path: Path, forked_workers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEHOACH_MERGE_STALL_SECONDS", "2")
    master = tmp_path / "tong-hop.xlsx"
    result = _merge(["merge", str(inbox), "-o", str(master), "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert set(summary["merged"]) == set(UNITS)  # every file merged, the stalled one included
    assert summary["files_checked"] == len(UNITS) and not summary["rejected"]
    stall = summary["stalled_workers"]
    assert stall is not None
    assert str(inbox / f"SKHDT_{STALLS}.xlsx") in stall["files"]
    assert stall["workers"] == 2 and stall["after_seconds"] >= 2
    assert "Cảnh báo: các tiến trình kiểm tra song song không trả kết quả" in result.stderr
    assert master.is_file() and master.with_suffix(".csv").is_file()


def test_the_text_report_warns_of_the_stall(
    inbox: Path, tmp_path: Path, forked_workers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    master = tmp_path / "tong-hop.xlsx"
    outcome: list[merge_module.MergeOutcome] = []
    thread = threading.Thread(
        target=lambda: outcome.append(merge_module.merge(inbox, master, stall_after=1.0)), daemon=True
    )
    thread.start()
    thread.join(HANG)
    assert outcome, "the merge hung"
    [done] = outcome
    assert done.stalled is not None and len(done.consolidation.merged) == len(UNITS)
    from kehoach.cli.merge_cmd import print_outcome

    runner = CliRunner()
    with runner.isolation() as (out, err, _):
        print_outcome(done)
    assert "Cảnh báo" in err.getvalue().decode() and "Đã ghi tệp tổng hợp" in out.getvalue().decode()


def test_no_stall_reported_when_workers_answer(inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(merge_module.os, "cpu_count", lambda: 2)
    master = tmp_path / "tong-hop.xlsx"
    result = CliRunner().invoke(kehoach, ["merge", str(inbox), "-o", str(master), "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["stalled_workers"] is None and set(summary["merged"]) == set(UNITS)
    assert "Cảnh báo" not in result.stderr


def test_the_bound_grows_with_the_batch_and_has_a_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KEHOACH_MERGE_STALL_SECONDS", raising=False)
    assert merge_module._stall_seconds(None) == merge_module.STALL_SECONDS
    assert merge_module._stall_seconds(3.0) == 3.0
    monkeypatch.setenv("KEHOACH_MERGE_STALL_SECONDS", "7.5")
    assert merge_module._stall_seconds(None) == 7.5
    monkeypatch.setenv("KEHOACH_MERGE_STALL_SECONDS", "nonsense")
    assert merge_module._stall_seconds(None) == merge_module.STALL_SECONDS
    floor, per = merge_module.STALL_SECONDS, merge_module.STALL_BYTES
    assert merge_module.stall_bound(floor, 0) == merge_module.stall_bound(floor, per) == floor
    assert merge_module.stall_bound(floor, 8 * per) == 8 * floor
