"""`kehoach merge`: validate every workbook of an inbox in parallel, consolidate, and write the master.

Safety: inputs are only read; the master and the CSV are written to temporary files and renamed into place
(the previous master is kept as <name>.bak.xlsx); the ledger changes in transactions; a lock file stops a
second merge from running at the same time; a master open in Excel or LibreOffice is refused.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from kehoach.master.consolidate import Consolidation, consolidate
from kehoach.master.extract import FileResult, fingerprint, process_files
from kehoach.master.judge import judge_digest
from kehoach.master.ledger import Ledger, ledger_path, pack
from kehoach.master.workbook import ExtraSheet, write_long_csv, write_master
from kehoach.validators import winfiles
from kehoach.validators.registry import stored_message
from kehoach.workbook_templates.catalog import Catalog, load_catalog

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")  # read and validated; .xls/.ods are never merged (rule X002)
# Spreadsheets in a form the merge does not read: said so, with the way out (save as .xlsx).
OTHER_SPREADSHEETS = (".xlsb", ".xltx", ".xltm", ".xlt", ".xla", ".xlam", ".csv", ".fods", ".et", ".ett", ".numbers")
SYSTEM_FILES = ("thumbs.db", "desktop.ini", "ehthumbs.db")
_KINDS = {  # what a file that is no workbook is, by its suffix, for the message
    (".pdf",): ("tệp PDF", "a PDF file"),
    (".doc", ".docx", ".odt", ".rtf"): ("văn bản Word", "a Word document"),
    (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".heic", ".webp"): ("hình ảnh", "an image"),
    (".zip", ".rar", ".7z", ".gz", ".tar"): ("tệp nén", "an archive"),
    (".ppt", ".pptx", ".odp"): ("bản trình chiếu", "a presentation"),
    (".txt", ".md"): ("tệp văn bản", "a text file"),
}
PARALLEL_FROM = 4  # fewer files than this are checked in this process: starting workers costs more
RECORD_BATCH = 200  # results written to the ledger per transaction
READ_BATCH = 8  # files a worker reads before it validates them (see process_files)
# The stall guard: when no worker has returned a result for STALL_SECONDS (more for large batches: STALL_SECONDS
# for every STALL_BYTES of the largest batch still pending), the workers are stopped and the pending batches are
# checked in this process. Validation reads a megabyte in well under a second: the bound is generous, the floor
# covers starting the workers (spawned on Windows, they import pandas). KEHOACH_MERGE_STALL_SECONDS overrides it.
STALL_SECONDS = 120.0
STALL_BYTES = 2_000_000
STALL_ENV = "KEHOACH_MERGE_STALL_SECONDS"
T = TypeVar("T")


class MergeError(Exception):
    """A merge that cannot go on; ``message`` is Vietnamese, ``message_en`` English, ``code`` the exit code."""

    def __init__(self, message: str, code: int, message_en: str | None = None):
        super().__init__(message)
        self.message, self.code, self.message_en = message, code, message_en


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
    timings: dict[str, float] = field(default_factory=dict)  # seconds by stage; read, validate, extract: CPU, summed
    stalled: Stall | None = None  # the worker processes stopped returning results; their files were redone here
    skipped: list[Skipped] = field(default_factory=list)  # files of the inbox not read as workbooks


@dataclass(frozen=True)
class Skipped:
    """A file of the inbox that was not read as a workbook: ``reason`` is one of SKIP_REASONS."""

    path: str
    reason: str
    kind: tuple[str, str] = ("", "")  # what the file is (vi, en), for a file that is no workbook

    def message(self, lang: str = "vi") -> str:
        text = SKIP_REASONS[self.reason][0 if lang == "vi" else 1]
        return text.format(kind=self.kind[0 if lang == "vi" else 1] or ("tệp" if lang == "vi" else "a file"))


# Every outcome a file of the inbox can have, by reason code: (Vietnamese, English).
SKIP_REASONS = {
    "not_workbook": (
        "{kind}, không phải sổ làm việc Excel: không tổng hợp; nếu số liệu nằm trong tệp này, hãy điền vào biểu "
        "mẫu chuẩn (.xlsx) rồi gửi lại",
        "{kind}, not an Excel workbook: not merged; if it carries the figures, fill in the standard template "
        "(.xlsx) and send it again",
    ),
    "other_format": (
        "bảng tính dạng khác (không phải .xlsx/.xlsm): không đọc; hãy mở bằng Excel, chọn Tệp > Lưu thành… > Sổ "
        "làm việc Excel (.xlsx) rồi gửi lại",
        "a spreadsheet in another format (not .xlsx/.xlsm): not read; open it in Excel, choose File > Save As… > "
        "Excel Workbook (.xlsx) and send it again",
    ),
    "lock_file": (
        "tệp khóa tạm của Excel/LibreOffice (có khi một người đang mở tệp): bỏ qua",
        "a temporary lock file of Excel/LibreOffice (someone has the workbook open): ignored",
    ),
    "system_file": ("tệp hệ thống hoặc tệp ẩn: bỏ qua", "a system or hidden file: ignored"),
    "master_file": (
        "tệp do chính lệnh tổng hợp ghi (tệp tổng hợp, bản sao lưu, CSV, sổ theo dõi): bỏ qua",
        "a file the merge itself writes (the master, its backup, CSV or ledger): ignored",
    ),
}
OUTCOME_REASONS = {
    "merged": ("đã tổng hợp", "merged"),
    "merged_late": ("đã tổng hợp (nộp trễ hạn)", "merged (received late)"),
    "errors": ("có lỗi, không tổng hợp", "has errors, not merged"),
    "unreadable": ("không đọc được tệp, không tổng hợp", "cannot be read, not merged"),
    "older_format": (
        "định dạng cũ (.xls/.ods): đã kiểm tra số liệu nhưng không tổng hợp; mở tệp bằng Excel, chọn Tệp > Lưu "
        "thành… > Sổ làm việc Excel (.xlsx) rồi gửi lại",
        "older format (.xls/.ods): values checked but not merged; open it in Excel, choose File > Save As… > "
        "Excel Workbook (.xlsx) and send it again",
    ),
    "unknown_unit": ("không xác định được đơn vị nộp, không tổng hợp", "no known reporting unit, not merged"),
    "superseded": ("bản cũ, đã có bản mới hơn của đơn vị", "an older submission: a later one of the unit is merged"),
    "duplicate": ("bản trùng nội dung với tệp đã tổng hợp", "the same content as the file merged"),
    **{code: texts for code, texts in SKIP_REASONS.items()},
}


def file_outcomes(outcome: MergeOutcome, lang: str = "vi") -> list[dict[str, object]]:
    """Every file of the inbox with its one outcome: ``merged``, ``rejected`` (read, with findings) or
    ``skipped`` (not read, or not chosen), a reason code (OUTCOME_REASONS) and its text in ``lang``."""
    index = 0 if lang == "vi" else 1
    result = outcome.consolidation
    rows: list[dict[str, object]] = []

    def add(path: str, kind: str, reason: str, r: FileResult | None = None, text: str = "", by: str = "") -> None:
        entry: dict[str, object] = {"path": path, "outcome": kind, "reason": reason}
        entry["message"] = text or OUTCOME_REASONS[reason][index]
        if r is not None:
            entry.update(unit=r.unit or None, errors=r.errors, warnings=r.warnings)
            first = next((f for f in r.findings if f.get("severity") == "error"), None)
            if kind == "rejected" and first:
                entry["first_error"] = {"rule": first.get("rule"), "message": stored_message(first, lang)}
        if by:
            entry["by"] = by
        rows.append(entry)

    late = {r.path for r in result.late}
    for r in result.merged.values():
        add(r.path, "merged", "merged_late" if r.path in late else "merged", r)
    for r in result.rejected:
        rules = {f.get("rule") for f in r.findings}
        reason = (
            "older_format"
            if "X002" in rules
            else "unreadable"
            if "X001" in rules
            else "errors"
            if r.errors
            else "unknown_unit"
        )
        add(r.path, "rejected", reason, r)
    for old, new in result.superseded:
        add(old.path, "skipped", "duplicate" if old.fingerprint == new.fingerprint else "superseded", old, by=new.path)
    for skipped in outcome.skipped:
        add(skipped.path, "skipped", skipped.reason, text=skipped.message(lang))
    return sorted(rows, key=lambda e: str(e["path"]))


@dataclass
class Stall:
    """Worker processes that returned nothing for ``after`` seconds: stopped, and their files checked in the
    merge's own process."""

    after: float  # seconds without a result before the workers were stopped
    workers: int  # worker processes stopped
    files: list[str] = field(default_factory=list)  # files checked again in this process

    def message(self, lang: str = "vi") -> str:
        if lang == "en":
            return (
                f"the parallel checking processes returned nothing for {self.after:.0f} seconds; "
                f"{self.workers} processes were stopped and {len(self.files)} files checked again in the main "
                "process. The merge is still complete."
            )
        return (
            f"các tiến trình kiểm tra song song không trả kết quả sau {self.after:.0f} giây; "
            f"đã dừng {self.workers} tiến trình và kiểm tra lại {len(self.files)} tệp ngay trong tiến trình chính. "
            "Kết quả tổng hợp vẫn đầy đủ."
        )

    def as_dict(self) -> dict[str, object]:
        return {"after_seconds": round(self.after, 1), "workers": self.workers, "files": self.files}


def discover(inbox: Path, master: Path) -> list[Path]:
    """The files of the inbox the merge reads (:func:`inventory`)."""
    return inventory(inbox, master)[0]


def inventory(inbox: Path, master: Path) -> tuple[list[Path], list[Skipped]]:
    """Every file under the inbox, recursively: the workbooks to read (.xlsx, .xlsm, and .xls/.ods, which are
    read but never merged) and every other file with the reason it is skipped (lock files, the master's own
    files, system files, other spreadsheet formats, files that are no workbook). The inbox is walked in Windows'
    extended form (paths over 260 characters work without LongPathsEnabled); the paths returned are as a person
    types them (no ``\\\\?\\`` prefix), for the messages and the ledger."""
    own = {_identity(p) for p in _own_files(master)}
    found, skipped = [], []
    for entry in winfiles.long_path(inbox, always=True).rglob("*"):
        if not entry.is_file():
            continue
        path = Path(winfiles.plain(entry))
        name, suffix = entry.name, entry.suffix.lower()
        if name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#")):
            skipped.append(Skipped(str(path), "lock_file"))
        elif _identity(entry) in own:
            skipped.append(Skipped(str(path), "master_file"))
        elif name.startswith(".") or name.lower() in SYSTEM_FILES:
            skipped.append(Skipped(str(path), "system_file"))
        elif suffix in SUFFIXES:
            found.append(path)
        elif suffix in OTHER_SPREADSHEETS:
            skipped.append(Skipped(str(path), "other_format"))
        else:
            kind = next((k for suffixes, k in _KINDS.items() if suffix in suffixes), ("", ""))
            skipped.append(Skipped(str(path), "not_workbook", kind))
    return sorted(found), sorted(skipped, key=lambda s: s.path)


def _own_files(master: Path) -> list[Path]:
    ledger = ledger_path(master)
    journals = [ledger.with_name(ledger.name + end) for end in ("-journal", "-wal", "-shm")]
    lock = master.with_name(f".{master.name}.lock")  # _exclusive's
    return [master, backup_path(master), csv_path(master), ledger, *journals, lock]


def _identity(path: Path) -> str:
    """The file a path names, to compare two paths: resolved (symbolic links followed) where that works, else
    absolute. Under Wine, resolving a path over 260 characters fails; Windows' final-path lookup can too."""
    text = winfiles.plain(path)
    try:
        return str(Path(text).resolve())
    except OSError:
        return os.path.normcase(os.path.abspath(text))


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
    stall_after: float | None = None,
    extra_sheets: Sequence[ExtraSheet] = (),
) -> MergeOutcome:
    """``extra_sheets``: sheets added after the master's own (the CLI hands in the growth scenarios' sheet).
    ``stall_after``: seconds without a worker's result before the workers are deemed stalled (per STALL_BYTES
    of the largest pending batch); default STALL_SECONDS, or the environment's KEHOACH_MERGE_STALL_SECONDS."""
    started = time.perf_counter()
    catalog = catalog or load_catalog()
    deadline = deadline or catalog.template.deadline
    inbox = winfiles.same_name(inbox)  # typed in NFC while the disk has NFD (or the reverse): the folder on disk
    if not winfiles.long_path(inbox).is_dir():
        raise MergeError(f"không tìm thấy thư mục nhận tệp «{inbox}».", USAGE, f"inbox folder «{inbox}» not found.")
    files, skipped = inventory(inbox, master)
    if not files:
        others = f"; {len(skipped)} tệp khác không phải sổ làm việc Excel" if skipped else ""
        others_en = f"; {len(skipped)} other files are not Excel workbooks" if skipped else ""
        raise MergeError(
            f"thư mục «{inbox}» không có tệp .xlsx, .xlsm, .xls hoặc .ods nào{others}.",
            USAGE,
            f"folder «{inbox}» has no .xlsx, .xlsm, .xls or .ods file{others_en}.",
        )
    winfiles.long_path(master.parent).mkdir(parents=True, exist_ok=True)
    _refuse_if_open(master)
    problem = _master_problem(master)
    if problem:
        raise MergeError(*problem, _MASTER_PROBLEM_EN[problem[1]].format(master.name))
    judge = judge_digest(catalog)  # a cached result is reused only if the same catalog, rules and tool judged it
    with _exclusive(master), Ledger(ledger_path(master)) as ledger:
        results, todo, reused = [], [], 0
        for path in files:
            status = winfiles.long_path(path).stat()
            known = ledger.known_fingerprint(path, status.st_size, status.st_mtime) or fingerprint(path)
            cached = ledger.summary(known, judge)
            if cached is None:
                todo.append((path, known))
                continue
            cached.path, cached.size, cached.mtime = str(path), status.st_size, status.st_mtime
            results.append(cached)
            reused += 1
        ledger.record((r, None) for r in results)  # files seen before, perhaps under another name or time
        # Values go to the ledger as results arrive; memory keeps only each file's summary.
        stalls: list[Stall] = []
        checking = _check(todo, catalog, progress, len(files), reused, _stall_seconds(stall_after), stalls.append)
        for batch in _batches(checking, RECORD_BATCH):
            ledger.record(batch, judge)
            results += [light for light, _packed in batch]
        checked_at = time.perf_counter()
        results.sort(key=lambda r: r.path)
        result = consolidate(results, catalog, deadline, ledger.previously_merged(), ledger.result)
        consolidated = time.perf_counter()
        generated = now or dt.datetime.now().replace(microsecond=0)
        with _staged(master) as staged_master, _staged(csv_path(master)) as staged_csv:
            write_master(staged_master, catalog, result, deadline, results, generated, extra_sheets)
            write_long_csv(staged_csv, catalog, result)
            backup = _commit([(staged_master, master), (staged_csv, csv_path(master))])
        ledger.mark_merged({unit: r.fingerprint for unit, r in result.merged.items()})
        fresh = {str(path) for path, _known in todo}
        timings = {
            stage: sum(r.timings.get(stage, 0.0) for r in results if r.path in fresh)
            for stage in ("read", "validate", "extract")
        }
        timings.update(
            check_wall=checked_at - started,
            consolidate=consolidated - checked_at,
            write=time.perf_counter() - consolidated,
            total=time.perf_counter() - started,
        )
    stall = stalls[0] if stalls else None
    return MergeOutcome(result, results, master, csv_path(master), backup, len(todo), reused, timings, stall, skipped)


_MASTER_PROBLEM_EN = {  # winfiles.master_problem's reasons, by exit code
    BUSY: "the master «{0}» or its backup is open in Excel or another program. Close it and run again.",
    USAGE: "the master «{0}» is Read-only and cannot be replaced. Clear that attribute (right-click the file › "
    "Properties › untick Read-only) or write another file with -o.",
}


def _master_problem(master: Path) -> tuple[str, int] | None:
    """Why Windows would refuse to replace the master, asked before any work: the master or its backup held open by
    Excel (exit 3), a read-only master (exit 2). Elsewhere a rename replaces either: nothing to refuse."""
    return winfiles.master_problem(master) if winfiles.WINDOWS else None


def _stall_seconds(given: float | None) -> float:
    if given is not None:
        return given
    try:
        seconds = float(os.environ.get(STALL_ENV, STALL_SECONDS))
    except ValueError:
        return STALL_SECONDS
    return seconds if seconds > 0 else STALL_SECONDS


_CATALOG: Catalog | None = None


def _init_worker(catalog: Catalog) -> None:
    """The worker judges with the merge's own catalog (inherited when forked, pickled when spawned)."""
    global _CATALOG
    _CATALOG = catalog
    gc.freeze()  # imported modules and the catalog live as long as the worker: collections need not walk them


def _work(batch: list[tuple[str, str]]) -> list[tuple[FileResult, bytes]]:
    assert _CATALOG is not None
    return _processed([(Path(path), known) for path, known in batch], _CATALOG)


def _processed(batch: list[tuple[Path, str]], catalog: Catalog) -> list[tuple[FileResult, bytes]]:
    """The files' summaries and their values packed for the ledger: packing here, in the worker, spares the
    parent both the work and the transfer of every value."""
    return [(result.light(), pack(result)) for result in process_files(batch, catalog)]


def _check(
    todo: list[tuple[Path, str]],
    catalog: Catalog,
    progress: Callable[[int, int], None] | None,
    total: int,
    done: int,
    stall_after: float = STALL_SECONDS,
    on_stall: Callable[[Stall], None] | None = None,
) -> Iterator[tuple[FileResult, bytes]]:
    """Validate the files, in worker processes when there are enough of them, yielding (summary, packed
    values) as they come. Workers that stall (see STALL_SECONDS) are stopped and their batches checked here."""
    if progress:
        progress(done, total)
    workers = 1 if len(todo) < PARALLEL_FROM else min(os.cpu_count() or 1, len(todo))
    chunks = list(_batches(todo, max(1, min(READ_BATCH, len(todo) // (4 * workers)))))  # 4 a worker: balanced
    if workers == 1:
        outcomes: Iterable[list[tuple[FileResult, bytes]]] = (_processed(chunk, catalog) for chunk in chunks)
    else:
        outcomes = _in_workers(chunks, catalog, workers, stall_after, on_stall)
    for results in outcomes:
        for result in results:
            done += 1
            if progress:
                progress(done, total)
            yield result


def _in_workers(
    chunks: list[list[tuple[Path, str]]],
    catalog: Catalog,
    workers: int,
    stall_after: float,
    on_stall: Callable[[Stall], None] | None,
) -> Iterator[list[tuple[FileResult, bytes]]]:
    """Each chunk's results, from a pool of worker processes, as they complete. The pool is watched: when no
    result has come for the stall bound, it is abandoned and every batch not yet returned is checked here."""
    import kehoach.validators.reader  # noqa: F401 (the engine imports it on first use: once here, not in each worker)
    from kehoach.validators.registry import all_rules

    all_rules()  # import the rules (pandas, pandera) once here: forked workers inherit them

    pool = ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(catalog,))
    pending: dict[Future, list[tuple[Path, str]]] = {}
    sizes: dict[Future, int] = {}
    stalled = False
    try:
        for chunk in chunks:
            future = pool.submit(_work, [(str(path), known) for path, known in chunk])
            pending[future], sizes[future] = chunk, _batch_bytes(chunk)
        while pending:
            bound = stall_bound(stall_after, max(sizes[future] for future in pending))
            finished, _ = wait(pending, timeout=bound, return_when=FIRST_COMPLETED)
            if not finished:
                stalled = True
                stopped = _abandon(pool)
                if on_stall:
                    on_stall(Stall(bound, stopped, [str(path) for chunk in pending.values() for path, _ in chunk]))
                for chunk in list(pending.values()):
                    yield _processed(chunk, catalog)
                pending.clear()
                return
            for future in finished:
                pending.pop(future)
                yield future.result()
    finally:
        if not stalled:
            pool.shutdown(cancel_futures=True)


def stall_bound(stall_after: float, batch_bytes: int) -> float:
    """Seconds without a result after which workers are deemed stalled: ``stall_after`` for every STALL_BYTES of
    the largest batch still pending, never less than ``stall_after``."""
    return stall_after * max(1.0, batch_bytes / STALL_BYTES)


def _abandon(pool: ProcessPoolExecutor) -> int:
    """Stop a stalled pool without ever waiting on it: terminate its worker processes, wake its manager thread
    (which may be blocked reading its wake-up pipe while holding the pool's lock, as under Wine's Windows 7
    pipes, docs/windows.md), and shut it down in a thread of its own, so that a pool whose lock is never released
    cannot block the merge either. Returns the number of worker processes stopped."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with suppress(OSError, ValueError):  # already gone, or closed
            process.terminate()
    wakeup = getattr(pool, "_executor_manager_thread_wakeup", None)
    if wakeup is not None:
        with suppress(OSError, ValueError):
            wakeup.wakeup()  # as concurrent.futures does at exit: without the pool's lock
    threading.Thread(
        target=pool.shutdown, kwargs={"wait": False, "cancel_futures": True}, name="kehoach-stalled-pool", daemon=True
    ).start()
    return len(processes)


def _batch_bytes(chunk: list[tuple[Path, str]]) -> int:
    total = 0
    for path, _known in chunk:
        with suppress(OSError):
            total += winfiles.long_path(path).stat().st_size
    return total


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _refuse_if_open(master: Path) -> None:
    """Excel keeps ~$<name> and LibreOffice .~lock.<name># beside a workbook it has open."""
    for lock in (master.with_name(f"~${master.name}"), master.with_name(f".~lock.{master.name}#")):
        if winfiles.long_path(lock).exists():
            raise MergeError(
                f"tệp tổng hợp «{master.name}» đang được mở trong Excel hoặc LibreOffice. Hãy đóng tệp rồi chạy lại.",
                BUSY,
                f"the master «{master.name}» is open in Excel or LibreOffice. Close it and run again.",
            )


@contextmanager
def _exclusive(master: Path) -> Iterator[None]:
    """One merge at a time per master: an OS lock on <master>.lock, released even if the process dies."""
    handle = winfiles.long_path(master.with_name(f".{master.name}.lock")).open("a+")
    try:
        try:
            _lock(handle)
        except OSError:
            raise MergeError(
                "một lần tổng hợp khác vào cùng tệp đang chạy. Hãy đợi lần đó xong rồi chạy lại.",
                BUSY,
                "another merge into the same master is running. Wait for it to finish and run again.",
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


@contextmanager
def _staged(target: Path) -> Iterator[Path]:
    """A temporary file beside ``target`` (in the extended form when long), removed unless it was renamed into
    place."""
    tmp = winfiles.long_path(target.with_name(f".{target.name}.{os.getpid()}.tmp"))
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def _commit(pairs: list[tuple[Path, Path]]) -> Path | None:
    """Flush every staged file to disk, keep the previous master as its backup, then rename each into
    place. Everything that can fail for lack of space happens before the first rename. Paths over 260 characters
    are used in Windows' extended form; a failed run leaves no temporary file."""
    long = winfiles.long_path
    for staged, _target in pairs:
        with long(staged).open("rb+") as handle:
            os.fsync(handle.fileno())
    master = pairs[0][1]
    backup = None
    if long(master).exists():
        backup = backup_path(master)
        link = long(backup.with_name(f".{backup.name}.{os.getpid()}.tmp"))
        try:
            link.unlink(missing_ok=True)
            try:
                os.link(long(master), link)  # no copy, no space needed
            except OSError:  # file systems without hard links
                shutil.copy2(long(master), link)
            if winfiles.WINDOWS and winfiles.is_read_only(backup):  # Windows refuses to replace a read-only file
                os.chmod(long(backup), stat.S_IWRITE)
            os.replace(link, long(backup))
        finally:
            link.unlink(missing_ok=True)
    for staged, target in pairs:
        os.replace(long(staged), long(target))
    return backup
