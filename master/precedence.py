"""The province's plan from a consolidation: which unit's figure is the province's, the texts and the projects.

Precedence, in one place: an indicator's figure for the province is its lead unit's (the first of its owners in
indicators.csv) when the lead unit's merged workbook carries any figure for it; otherwise the next owner's, in
the catalog's order, that does; otherwise any other provincial department or agency that reported it, in the
catalog's unit order. Districts never give the province's figure (their figures are their own; «Huyện» sets
their sum against the province's). The status says which case it was and why: the lead unit sent nothing, its
only workbooks were rejected, or its workbook has no figure for the indicator.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from kehoach.master.consolidate import Consolidation
from kehoach.master.extract import FileResult
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
from kehoach.workbook_templates import derived
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import Catalog, Indicator


def unit_values(result: FileResult) -> dict[str, dict[str, object]]:
    """A merged file's values as {indicator: {column key: value}}."""
    out: dict[str, dict[str, object]] = {}
    for code, key, value, _sheet, _cell in result.values:
        out.setdefault(code, {})[key] = value
    return out


def has_figure(values: dict[str, object] | None) -> bool:
    return bool(values) and any(isinstance(v, int | float) for v in values.values())


def candidates(catalog: Catalog, indicator: Indicator) -> list[str]:
    """The units that may give the province's figure, in precedence order: owners, then the other provincial
    units in catalog order."""
    others = [u.code for u in catalog.units if not u.is_district and u.code not in indicator.owners]
    return [*indicator.owners, *others]


def row_values(indicator: Indicator, inputs: dict[str, object]) -> dict[str, object]:
    """Inputs and the computed columns as the template's formulas give them, empty cells left out."""
    values = {k: v for k, v in inputs.items() if v is not None and v != ""}
    computed = derived.indicator_values(indicator, values)
    values.update({k: v for k, v in computed.items() if v is not None and v != ""})
    return values


def build_plan(catalog: Catalog, result: Consolidation, made_at: dt.datetime) -> ProvincePlan:
    values = {unit: unit_values(f) for unit, f in result.merged.items()}
    rejected = {r.unit for r in result.rejected if r.unit and r.unit not in result.merged}
    missing = list(result.missing)
    rows = []
    for area in catalog.areas:
        for indicator in (i for i in catalog.indicators if i.area == area.code):
            rows.append(_province_row(catalog, indicator, values, rejected))
    return ProvincePlan(
        catalog=catalog,
        made_at=made_at,
        rows=tuple(rows),
        texts=tuple(texts(catalog, result)),
        projects=tuple(projects(catalog, result)),
        merged_units=tuple(u.code for u in catalog.units if u.code in result.merged),
        rejected_units=tuple(u.code for u in catalog.units if u.code in rejected),
        missing_units=tuple(missing),
    )


def _province_row(
    catalog: Catalog, indicator: Indicator, values: dict[str, dict[str, dict[str, object]]], rejected: set[str]
) -> ProvinceRow:
    lead = indicator.owners[0]
    source = next(
        (u for u in candidates(catalog, indicator) if has_figure(values.get(u, {}).get(indicator.code))), None
    )
    if lead in rejected:
        why = f"{lead} bị từ chối"
    elif lead not in values:
        why = f"{lead} chưa nộp"
    else:
        why = f"{lead} không có số"
    if source is None:
        return ProvinceRow(indicator, {}, None, MISSING, f"Chưa có số liệu ({why})")
    inputs = values[source][indicator.code]
    row = row_values(indicator, inputs)
    if source == lead:
        return ProvinceRow(indicator, row, source, LEAD, f"{source} (chủ trì)")
    status = FALLBACK_REJECTED if lead in rejected else FALLBACK_MISSING
    return ProvinceRow(indicator, row, source, status, f"Lấy từ {source} ({why})")


def texts(catalog: Catalog, result: Consolidation) -> Iterable[TextEntry]:
    """Every merged unit's narrative sections, by task area (a unit's first area), section and unit order."""
    area_order = {a.code: i for i, a in enumerate(catalog.areas)}
    section_order = {s.key: i for i, s in enumerate(L.sections())}
    unit_order = {u.code: i for i, u in enumerate(catalog.units)}
    entries = []
    for unit, merged in result.merged.items():
        areas = catalog.unit(unit).areas if catalog.has_unit(unit) else ()
        area = areas[0] if areas else ""
        for section, text in merged.sections.items():
            entries.append(TextEntry(area, section, unit, text))
    entries.sort(
        key=lambda e: (
            area_order.get(e.area, len(area_order)),
            section_order.get(e.section, len(section_order)),
            unit_order.get(e.unit, len(unit_order)),
        )
    )
    return entries


def project_name_key(name: object) -> str:
    """A project's name as compared for duplicates: case, accents' composition, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFC", str(name or "")).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def projects(catalog: Catalog, result: Consolidation) -> Iterable[ProjectEntry]:
    """Every merged unit's projects in catalog unit order, then by the unit's priority; a project whose name is
    the same as an earlier unit's project is marked as its likely duplicate."""
    unit_order = {u.code: i for i, u in enumerate(catalog.units)}
    seen: dict[str, str] = {}
    out = []
    for unit, merged in sorted(result.merged.items(), key=lambda item: unit_order.get(item[0], len(unit_order))):

        def rank(project: dict[str, object]) -> tuple[float, str]:
            priority = derived.as_number(project.get("priority"))
            return (priority if priority is not None else float("inf"), str(project.get("row", "")))

        for project in sorted(merged.projects, key=rank):
            values = {k: v for k, v in project.items() if v is not None and v != ""}
            values.update({k: v for k, v in derived.project_derived(project).items() if v is not None})
            name = project_name_key(project.get("project"))
            here = f"{unit}:{project.get('row', '')}"
            duplicate = seen.get(name) if name else None
            if duplicate is not None and duplicate.split(":")[0] == unit:
                duplicate = None  # the same unit twice is its own business (the validator's)
            out.append(ProjectEntry(unit, values, duplicate))
            if name and name not in seen:
                seen[name] = here
    return out
