"""The province's plan as the master holds it: what the DPI's documents (the draft report, its annexes, the
major balances) are built from. ``kehoach merge`` writes it into the master workbook; ``master.read`` reads it
back from a master file, so that the report is built from the master the DPI has (and may have edited), not
from the inbox.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from kehoach.workbook_templates.catalog import Catalog, Indicator

# Where the province's figure of an indicator came from (ProvinceRow.status).
LEAD = "lead"  # the indicator's lead unit (the first of its owners in the catalog)
FALLBACK_MISSING = "fallback_missing"  # the lead unit sent nothing: the next owner that did
FALLBACK_REJECTED = "fallback_rejected"  # the lead unit's workbook was rejected: the next owner's
MISSING = "missing"  # no owner's figure: the row is empty, and the documents say so
STATUSES = (LEAD, FALLBACK_MISSING, FALLBACK_REJECTED, MISSING)


@dataclass(frozen=True)
class ProvinceRow:
    """One indicator of the province table. ``values`` is keyed like the template's indicator columns (inputs
    and computed columns: ``estimate_2020``, ``target_2020``, ``judged_2020``, ``completion_2020``,
    ``evaluation_2020``, ``growth_2021_2025``, ``cause``...), empty cells left out."""

    indicator: Indicator
    values: Mapping[str, object]
    source_unit: str | None  # the unit code whose figure this is; None when MISSING
    status: str  # one of STATUSES
    status_vi: str  # as the master's status column says it, e.g. "Lấy từ CTK (SKHDT bị từ chối)"


@dataclass(frozen=True)
class TextEntry:
    """A narrative section one unit wrote (sections.csv key), under the task area it is filed under."""

    area: str  # areas.csv code (a unit reporting several areas: its first)
    section: str  # sections.csv key, e.g. "eval_results", "plan_tasks"
    unit: str  # unit code
    text: str


@dataclass(frozen=True)
class ProjectEntry:
    """A valid public-investment project of one unit; ``values`` keyed like the template's project columns."""

    unit: str
    values: Mapping[str, object]
    duplicate_of: str | None = None  # "UNIT:row" of a project that looks like the same one, if any


@dataclass(frozen=True)
class ProvincePlan:
    catalog: Catalog
    made_at: dt.datetime  # when the master was written
    rows: tuple[ProvinceRow, ...]  # one per catalog indicator, in catalog area order
    texts: tuple[TextEntry, ...] = ()
    projects: tuple[ProjectEntry, ...] = ()
    merged_units: tuple[str, ...] = ()  # units whose workbook is in the master
    rejected_units: tuple[str, ...] = ()  # units whose only workbooks were rejected
    missing_units: tuple[str, ...] = ()  # units that sent nothing
    _by_code: dict[str, ProvinceRow] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_code.update({r.indicator.code: r for r in self.rows})

    def row(self, code: str) -> ProvinceRow:
        return self._by_code[code]
