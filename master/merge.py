"""`kehoach merge`: validate every workbook of an inbox in parallel, consolidate, and write the master.

Safety: inputs are only read; the master and the CSV are written to temporary files and renamed into place
(the previous master is kept as <name>.bak.xlsx); the ledger changes in transactions; a lock file stops a
second merge from running at the same time; a master open in Excel or LibreOffice is refused.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from master.consolidate import Consolidation, consolidate
from master.extract import FileResult, fingerprint, process_file
from master.ledger import Ledger, ledger_path
from master.workbook import write_long_csv, write_master
from workbook_templates.catalog import Catalog, load_catalog

SUFFIXES = (".xlsx", ".xlsm")
PARALLEL_FROM = 4  # fewer files than this are checked in this process: starting workers costs more


class MergeError(Exception):
    """A merge that cannot go on; ``message`` is Vietnamese, ``code`` the exit code."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.message, self.code = message, code


USAGE, BUSY = 2, 3


@dataclass
class MergeOutcome:
    consolidation: Consolidation
    files: list[FileResult]
    master: Path
    csv: Path
    backup: Path | None
    checked: int  # files validated in this run
    reused: int  # files known from the ledger
    skipped: list[Path] = field(default_factory=list)


def discover(inbox: Path, master: Path) -> list[Path]:
    """Every .xlsx/.xlsm under the inbox, recursively, without lock files and the master's own files."""
    own = {master.resolve(), backup_path(master).resolve()}
    found = [
        p
        for p in inbox.rglob("*")
        if p.suffix.lower() in SUFFIXES
        and p.is_file()
        and not p.name.startswith(("~$", "."))
        and p.resolve() not in own
    ]
    return sorted(found)


def backup_path(master: Path) -> Path:
    return master.with_name(f"{master.stem}.bak{master.suffix}")


def csv_path(master: Path) -> Path:
    return master.with_name(f"{master.stem}.csv")


def merge(
    inbox: Path,
    master: Path,
    deadline: dt.date | None = None,
    catalog: Catalog | None = None,
    progress: Callable[[int, int], None] | None = None,
    now: dt.datetime | None = None,
) -> MergeOutcome:
    catalog = catalog or load_catalog()
    deadline = deadline or catalog.template.deadline
    if not inbox.is_dir():
        raise MergeError(f"không tìm thấy thư mục nhận tệp «{inbox}».", USAGE)
    files = discover(inbox, master)
    if not files:
        raise MergeError(f"thư mục «{inbox}» không có tệp .xlsx hoặc .xlsm nào.", USAGE)
    master.parent.mkdir(parents=True, exist_ok=True)
    _refuse_if_open(master)
    with _exclusive(master), Ledger(ledger_path(master)) as ledger:
        results, todo, reused = [], [], 0
        for path in files:
            stat = path.stat()
            known = ledger.known_fingerprint(path, stat.st_size, stat.st_mtime) or fingerprint(path)
            cached = ledger.result(known)
            if cached is None:
                todo.append((path, known))
                continue
            cached.path, cached.size, cached.mtime = str(path), stat.st_size, stat.st_mtime
            results.append(cached)
            reused += 1
        results += _check(todo, catalog, progress, len(files), reused)
        results.sort(key=lambda r: r.path)
        ledger.record(results)
        previous = {unit: r for unit, fp in ledger.previously_merged().items() if (r := ledger.result(fp))}
        result = consolidate(results, catalog, deadline, previous)
        generated = now or dt.datetime.now().replace(microsecond=0)
        backup = _replace(master, lambda tmp: write_master(tmp, catalog, result, deadline, results, generated))
        _replace(csv_path(master), lambda tmp: write_long_csv(tmp, catalog, result), keep_backup=False)
        ledger.mark_merged({unit: r.fingerprint for unit, r in result.merged.items()})
    return MergeOutcome(result, results, master, csv_path(master), backup, len(todo), reused)


_CATALOG: Catalog | None = None


def _init_worker(directory: str) -> None:
    global _CATALOG
    _CATALOG = load_catalog(directory)


def _work(path: str, known: str) -> FileResult:
    assert _CATALOG is not None
    return process_file(Path(path), _CATALOG, known)


def _check(
    todo: list[tuple[Path, str]], catalog: Catalog, progress: Callable[[int, int], None] | None, total: int, done: int
) -> list[FileResult]:
    if progress:
        progress(done, total)
    if len(todo) < PARALLEL_FROM:
        results = []
        for path, known in todo:
            results.append(process_file(path, catalog, known))
            done += 1
            if progress:
                progress(done, total)
        return results
    from workbook_templates.catalog import CATALOG_DIR

    results = []
    workers = min(os.cpu_count() or 1, len(todo))
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(str(CATALOG_DIR),)) as pool:
        futures = [pool.submit(_work, str(path), known) for path, known in todo]
        for future in as_completed(futures):
            results.append(future.result())
            done += 1
            if progress:
                progress(done, total)
    return results


def _refuse_if_open(master: Path) -> None:
    """Excel keeps ~$<name> and LibreOffice .~lock.<name># beside a workbook it has open."""
    for lock in (master.with_name(f"~${master.name}"), master.with_name(f".~lock.{master.name}#")):
        if lock.exists():
            raise MergeError(
                f"tệp tổng hợp «{master.name}» đang được mở trong Excel hoặc LibreOffice. Hãy đóng tệp rồi chạy lại.",
                BUSY,
            )


@contextmanager
def _exclusive(master: Path) -> Iterator[None]:
    """One merge at a time per master: an OS lock on <master>.lock, released even if the process dies."""
    handle = master.with_name(f".{master.name}.lock").open("a+")
    try:
        try:
            _lock(handle)
        except OSError:
            raise MergeError(
                "một lần tổng hợp khác vào cùng tệp đang chạy. Hãy đợi lần đó xong rồi chạy lại.", BUSY
            ) from None
        yield
    finally:
        handle.close()


def _lock(handle: object) -> None:
    try:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # type: ignore[attr-defined]
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]


def _replace(target: Path, write: Callable[[Path], object], keep_backup: bool = True) -> Path | None:
    """Write through a temporary file in the same folder, flushed to disk, then rename it over ``target``;
    the previous ``target`` is first copied to its backup (itself written atomically)."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        backup = None
        if keep_backup and target.exists():
            backup = backup_path(target)
            staged = backup.with_name(f".{backup.name}.{os.getpid()}.tmp")
            shutil.copy2(target, staged)
            os.replace(staged, backup)
        os.replace(tmp, target)
        return backup
    finally:
        tmp.unlink(missing_ok=True)
