"""The submission ledger: an SQLite database beside the master recording every file ever seen.

A file is known by its fingerprint (SHA-256 of its bytes): a second merge re-reads only new or changed
files and takes the rest from here, but only results judged by the same catalog, rules and tool version
(the ``judge`` digest, :mod:`kehoach.master.judge`); any other is validated again and replaced. Each unit's
last merged submission is remembered, so that a resubmission is reported as a cell-level diff. Every write is
one transaction: an interrupted merge leaves the ledger as it was.
"""

from __future__ import annotations

import json
import sqlite3
import time
import zlib
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from kehoach.master.extract import HEAVY, UNREAD, FileResult
from kehoach.validators.winfiles import long_path

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    fingerprint TEXT PRIMARY KEY,
    unit TEXT,
    template_version TEXT,
    revision REAL,
    submitted_on TEXT,
    errors INTEGER,
    warnings INTEGER,
    first_seen REAL,
    summary BLOB,  -- zlib-compressed JSON of the FileResult without its values (FileResult.light)
    data BLOB,  -- zlib-compressed JSON of its values (FileResult.heavy)
    judge TEXT  -- digest of what judged the file (catalog, rules, tool version): reused only under the same one
);
CREATE TABLE IF NOT EXISTS seen (
    path TEXT PRIMARY KEY,
    size INTEGER,
    mtime REAL,
    fingerprint TEXT REFERENCES files(fingerprint)
);
CREATE TABLE IF NOT EXISTS merged (
    unit TEXT PRIMARY KEY,
    fingerprint TEXT REFERENCES files(fingerprint),
    merged_at REAL
);
"""


SCHEMA_VERSION = 2  # 1: no judge column (results of such ledgers are never reused)
FILE_COLUMNS = (
    "fingerprint",
    "unit",
    "template_version",
    "revision",
    "submitted_on",
    "errors",
    "warnings",
    "first_seen",
    "summary",
    "data",
    "judge",
)


def ledger_path(master: Path) -> Path:
    return master.with_name(master.stem + ".ledger.sqlite")


class Ledger:
    def __init__(self, path: Path):
        self.path = path
        self.db = sqlite3.connect(long_path(path), timeout=30)
        self.db.executescript(SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Bring a ledger written by an earlier version up to this schema. A ledger without the judge column
        gets it empty: its results are not reused, and are replaced as the files are validated again."""
        if self.db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
            return
        with self.db:
            columns = {row[1] for row in self.db.execute("PRAGMA table_info(files)")}
            if "judge" not in columns:
                self.db.execute("ALTER TABLE files ADD COLUMN judge TEXT")
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def known_fingerprint(self, path: Path, size: int, mtime: float) -> str | None:
        """The fingerprint recorded for this path when it had this size and modification time."""
        row = self.db.execute(
            "SELECT fingerprint FROM seen WHERE path = ? AND size = ? AND mtime = ?", (str(path), size, mtime)
        ).fetchone()
        return row[0] if row else None

    def summary(self, fingerprint: str, judge: str) -> FileResult | None:
        """The file's result without its values (cheap: what a merge needs for every file), if it was judged
        by ``judge`` (:func:`kehoach.master.judge.judge_digest`); None if unknown or judged otherwise."""
        row = self.db.execute(
            "SELECT summary FROM files WHERE fingerprint = ? AND judge = ?", (fingerprint, judge)
        ).fetchone()
        return FileResult(**_unpack(row[0])) if row else None

    def result(self, fingerprint: str) -> FileResult | None:
        """The file's full result, values included."""
        row = self.db.execute("SELECT summary, data FROM files WHERE fingerprint = ?", (fingerprint,)).fetchone()
        return FileResult(**_unpack(row[0]), **_unpack(row[1])) if row else None

    def record(self, entries: Iterable[tuple[FileResult, bytes | None]], judge: str = "") -> None:
        """Remember these files (one transaction): each a summary and its values packed by :func:`pack`, or
        None for a file already known under its fingerprint (only where and when it was seen is updated).
        ``judge``: what judged the new results; a result judged otherwise before is replaced (its first_seen
        kept)."""
        now = time.time()
        updates = ", ".join(f"{c} = excluded.{c}" for c in FILE_COLUMNS if c not in ("fingerprint", "first_seen"))
        with self.db:
            for r, packed in entries:
                if r.fingerprint.startswith(UNREAD):  # could not be opened this time: ask again next time
                    continue
                if packed is not None:
                    summary = _pack({k: v for k, v in asdict(r).items() if k not in HEAVY})
                    self.db.execute(
                        f"INSERT INTO files ({', '.join(FILE_COLUMNS)}) VALUES ({', '.join('?' * len(FILE_COLUMNS))}) "
                        f"ON CONFLICT(fingerprint) DO UPDATE SET {updates}",
                        (
                            r.fingerprint,
                            r.unit,
                            r.template_version,
                            r.revision,
                            r.submitted_on,
                            r.errors,
                            r.warnings,
                            now,
                            summary,
                            packed,
                            judge or None,
                        ),
                    )
                self.db.execute(
                    "INSERT INTO seen VALUES (?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET size = excluded.size, "
                    "mtime = excluded.mtime, fingerprint = excluded.fingerprint",
                    (r.path, r.size, r.mtime, r.fingerprint),
                )

    def previously_merged(self) -> dict[str, str]:
        """Unit -> fingerprint of the submission merged last time."""
        return dict(self.db.execute("SELECT unit, fingerprint FROM merged").fetchall())

    def mark_merged(self, fingerprints: dict[str, str]) -> None:
        now = time.time()
        with self.db:
            for unit, fingerprint in fingerprints.items():
                self.db.execute(
                    "INSERT INTO merged VALUES (?, ?, ?) ON CONFLICT(unit) DO UPDATE SET "
                    "fingerprint = excluded.fingerprint, merged_at = excluded.merged_at "
                    "WHERE merged.fingerprint <> excluded.fingerprint",
                    (unit, fingerprint, now),
                )


def pack(result: FileResult) -> bytes:
    """A result's values as stored in the ledger (done in the worker that read the file)."""
    return _pack(result.heavy())


def _pack(data: object) -> bytes:
    return zlib.compress(json.dumps(data, ensure_ascii=False, default=str).encode("utf-8"))


def _unpack(blob: bytes) -> dict:
    return json.loads(zlib.decompress(blob))
