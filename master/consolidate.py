"""Decide what goes into the master: per unit, the latest submission without errors; what is missing,
rejected, superseded or late; and how a resubmission differs from what was merged before.

The latest submission is the one with the highest revision number the workbook carries (Lần gửi), then
the latest date it states, then the latest time the file was received (its modification time). When the
latest file has errors, it is rejected and the latest earlier file without errors is merged instead, so a
unit is not dropped from the master at the deadline for a mistake in a correction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from kehoach.master.extract import FileResult
from kehoach.workbook_templates.catalog import Catalog


@dataclass(frozen=True)
class Change:
    unit: str
    sheet: str
    cell: str
    indicator: str
    key: str
    old: object
    new: object


@dataclass
class Consolidation:
    expected: list[str]
    merged: dict[str, FileResult] = field(default_factory=dict)  # unit -> file merged
    rejected: list[FileResult] = field(default_factory=list)  # errors, unreadable, or no known unit
    superseded: list[tuple[FileResult, FileResult]] = field(default_factory=list)  # (older file, the one merged)
    late: list[FileResult] = field(default_factory=list)  # merged files received after the deadline
    changes: list[Change] = field(default_factory=list)

    @property
    def received(self) -> list[str]:
        units = {r.unit for r in self.rejected if r.unit} | set(self.merged)
        return [u for u in self.expected if u in units]

    @property
    def missing(self) -> list[str]:
        received = set(self.received)
        return [u for u in self.expected if u not in received]


def received_at(result: FileResult) -> dt.datetime:
    return dt.datetime.fromtimestamp(result.mtime)


def order_key(result: FileResult) -> tuple:
    return (result.revision or 0, result.submitted_on or "", result.mtime, result.path)


def consolidate(
    results: list[FileResult],
    catalog: Catalog,
    deadline: dt.date,
    previous: dict[str, str] | None = None,
    load: Callable[[str], FileResult | None] | None = None,
) -> Consolidation:
    """Decide from the files' summaries. ``previous``: unit -> fingerprint of the file merged last time;
    ``load(fingerprint)`` gives a file's full result with its values (from the ledger), for the files merged
    and for the diff of resubmissions, or None for a file it does not know; without it, or for a file it does
    not know, ``results`` must carry their values. No previous merge (``previous`` empty or None): no diff."""
    out = Consolidation(expected=[u.code for u in catalog.units])
    by_unit: dict[str, list[FileResult]] = {}
    for result in results:
        if result.unit and result.readable:
            by_unit.setdefault(result.unit, []).append(result)
        else:
            out.rejected.append(result)
    closing = dt.datetime.combine(deadline, dt.time.max)
    for unit in sorted(by_unit):
        files = sorted(by_unit[unit], key=order_key, reverse=True)
        accepted = [f for f in files if f.accepted]
        chosen = accepted[0] if accepted else None
        for result in files:
            if not result.accepted and (chosen is None or order_key(result) > order_key(chosen)):
                out.rejected.append(result)
            elif result is not chosen and chosen is not None:
                out.superseded.append((result, chosen))
        if chosen is None:
            continue
        # A ledger that has not recorded this file (a new ledger, no earlier merge) gives None: the file's own
        # result is then used, with whatever values it carries.
        full = (load(chosen.fingerprint) if load else None) or chosen
        full = dataclasses.replace(full, path=chosen.path, size=chosen.size, mtime=chosen.mtime)
        out.merged[unit] = full
        if received_at(full) > closing:
            out.late.append(full)
        before_fingerprint = (previous or {}).get(unit)
        if before_fingerprint and before_fingerprint != full.fingerprint and load:
            before = load(before_fingerprint)
            if before is not None:
                out.changes += diff(unit, before, full)
    out.rejected.sort(key=lambda r: r.path)
    return out


def diff(unit: str, before: FileResult, after: FileResult) -> list[Change]:
    """Cell-level differences of the indicator values between two submissions of a unit."""
    old = {(code, key): (value, sheet, cell) for code, key, value, sheet, cell in before.values}
    new = {(code, key): (value, sheet, cell) for code, key, value, sheet, cell in after.values}
    changes = []
    for code, key in sorted(old.keys() | new.keys()):
        was, now = old.get((code, key)), new.get((code, key))
        old_value, new_value = (was[0] if was else None), (now[0] if now else None)
        if old_value != new_value:
            _value, sheet, cell = now or was
            changes.append(Change(unit, sheet, cell, code, key, old_value, new_value))
    return changes
