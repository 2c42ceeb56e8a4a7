"""A realistic ProvincePlan from the sample generator, for the report's tests until master.read.read_plan exists:
every unit's clean filling, each indicator's figure from its lead unit (the first of its owners; the next owner
that sent something when the lead is left out or rejected), computed columns as the template's formulas give
them, texts and projects from the fillings."""

from __future__ import annotations

import datetime as dt

from kehoach.master.plan import (
    FALLBACK_MISSING,
    FALLBACK_REJECTED,
    LEAD,
    MISSING,
    ProjectEntry,
    ProvincePlan,
    ProvinceRow,
    TextEntry,
)
from kehoach.samples.generate import generate_all
from kehoach.workbook_templates import derived
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import Catalog


def build_plan(catalog: Catalog, missing: tuple[str, ...] = (), rejected: tuple[str, ...] = ()) -> ProvincePlan:
    for code in (*missing, *rejected):
        catalog.unit(code)  # a KeyError for a code the catalog lacks, not a silent "nothing missing"
    fillings = generate_all(catalog)
    present = {code: f for code, f in fillings.items() if code not in missing and code not in rejected}
    rows = []
    areas = {a.code: a.order for a in catalog.areas}
    for ind in sorted(catalog.indicators, key=lambda i: areas[i.area]):
        owner = next((o for o in ind.owners if o in present and ind.code in present[o].indicators), None)
        if owner is None:
            rows.append(ProvinceRow(ind, {}, None, MISSING, "Thiếu số liệu"))
            continue
        values = dict(present[owner].indicators[ind.code])
        values.update(derived.indicator_values(ind, values))
        values = {k: v for k, v in values.items() if v is not None and v != ""}
        lead = ind.owners[0]
        if owner == lead:
            status, status_vi = LEAD, f"Lấy từ {owner}"
        elif lead in rejected:
            status, status_vi = FALLBACK_REJECTED, f"Lấy từ {owner} ({lead} bị từ chối)"
        else:
            status, status_vi = FALLBACK_MISSING, f"Lấy từ {owner} ({lead} chưa nộp)"
        rows.append(ProvinceRow(ind, values, owner, status, status_vi))
    keys = [s.key for s in L.sections()]
    texts = tuple(
        TextEntry(catalog.unit(code).areas[0], key, code, filling.sections[key])
        for code, filling in present.items()
        for key in keys
        if filling.sections.get(key)
    )
    projects = tuple(
        ProjectEntry(code, {**p, **{k: v for k, v in derived.project_derived(p).items() if v is not None}})
        for code, filling in present.items()
        for p in filling.projects
    )
    return ProvincePlan(
        catalog,
        dt.datetime(2020, 7, 15, 9, 30),
        tuple(rows),
        texts,
        projects,
        merged_units=tuple(present),
        rejected_units=rejected,
        missing_units=missing,
    )
