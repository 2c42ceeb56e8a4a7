"""Projects: the public investment projects a unit proposes for the medium-term plan 2021-2025, checked as the
Luật Đầu tư công 2019 plan tables are read. Carried-over projects (started before 2021) and projects ending
after 2025 are normal; what must hold is that the 2021-2025 need fits in what is left of the total investment
(its sources adding up is the consistency rule K004), that a project's status agrees with its years and capital,
and that priorities rank."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from kehoach.validators.context import Context, as_number, is_blank, is_rank
from kehoach.validators.contract import CellRef, KeyedTable
from kehoach.validators.findings import ERROR, WARNING, Hit
from kehoach.validators.registry import rule
from kehoach.validators.rules.consistency import MONEY_TOLERANCE
from kehoach.workbook_templates import derived
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.formulas import CARRIED, GROUPS, NEW, PROJECT_YEARS, STATUSES

PLAN_FIRST, PLAN_LAST = L.YEARS_PLAN[0], L.YEARS_PLAN[-1]
INPUTS = tuple(c.key for c in L.project_columns() if c.role == "input")
# What every proposed project states (the need by source may be left empty where a source gives nothing).
REQUIRED = ("project", "group", "status", "start_year", "end_year", "total", "need_total", "priority")


@dataclass(frozen=True)
class Project:
    table: KeyedTable
    key: str  # p01 ... p50
    row: int

    def raw(self, key: str) -> object:
        return self.table.value(self.row, key)

    def number(self, key: str) -> float | None:
        return as_number(self.raw(key))

    def text(self, key: str) -> str:
        raw = self.raw(key)
        return unicodedata.normalize("NFC", raw.strip()) if isinstance(raw, str) else ""

    def cell(self, key: str) -> CellRef:
        return self.table.cell(self.row, key)

    def has(self, *keys: str) -> bool:
        return all(k in self.table.columns for k in keys)

    @property
    def name(self) -> str:
        return self.text("project") or self.key

    def derived(self) -> dict[str, float | None]:
        return derived.project_derived({k: self.raw(k) for k in INPUTS})

    def need(self) -> float | None:
        """The 2021-2025 need: as typed in total, else its sources added up."""
        typed = self.number("need_total")
        return typed if typed is not None else self.derived()["need_sum"]


def projects(ctx: Context) -> Iterator[Project]:
    """The filled project rows (any input typed), in sheet order."""
    table = ctx.sub.projects
    if table is None:
        return
    for key, row in ctx.sub.project_rows.items():
        if key == L.PROJECT_TOTAL_KEY:
            continue
        project = Project(table, key, row)
        if any(not is_blank(project.raw(k)) for k in INPUTS):
            yield project


def _year(value: float | None) -> str | None:
    return None if value is None else f"{value:g}"


@rule(
    "D001",
    ERROR,
    "Nhu cầu vốn vượt tổng mức đầu tư còn lại",
    "Dự án «{project}»: nhu cầu vốn 2021-2025 là {need} triệu đồng, vượt tổng mức đầu tư còn lại {remaining} "
    "(tổng mức đầu tư {total} trừ vốn đã bố trí đến hết năm 2020 là {allocated}). Hãy giảm nhu cầu vốn hoặc kiểm "
    "tra lại tổng mức đầu tư.",
    "2021-2025 need exceeds the remaining investment",
    "Project «{project}»: the 2021-2025 need of {need} million đồng exceeds the remaining {remaining} (total "
    "investment {total} less {allocated} allocated by the end of 2020).",
    values=("project", "need", "remaining", "total", "allocated"),
)
def need_within_remaining(ctx: Context) -> Iterator[Hit]:
    """A project's 2021-2025 need (typed in total, else its sources added up) does not exceed its total
    investment less the capital allocated by the end of 2020 (within 0.5 million đồng). A project whose
    allocation already exceeds its total is D002's."""
    for p in projects(ctx):
        if not p.has("need_total", "total", "allocated_2020"):
            continue
        need, total, remaining = p.need(), p.number("total"), p.derived()["remaining"]
        if need is None or total is None or remaining is None or remaining < -MONEY_TOLERANCE:
            continue
        if need > remaining + MONEY_TOLERANCE:
            yield Hit.at(
                p.cell("need_total"),
                project=p.name,
                need=need,
                remaining=remaining,
                total=total,
                allocated=p.number("allocated_2020") or 0.0,
            )


@rule(
    "D002",
    ERROR,
    "Vốn đã bố trí vượt tổng mức đầu tư",
    "Dự án «{project}»: lũy kế vốn đã bố trí đến hết năm 2020 là {allocated} triệu đồng, lớn hơn tổng mức đầu tư "
    "{total}. Hãy kiểm tra lại hai số này.",
    "Capital allocated exceeds the total investment",
    "Project «{project}»: {allocated} million đồng allocated by the end of 2020 exceeds the total investment {total}.",
    values=("project", "allocated", "total"),
)
def allocated_within_total(ctx: Context) -> Iterator[Hit]:
    """The capital allocated to a project by the end of 2020 does not exceed its total investment (within 0.5
    million đồng)."""
    for p in projects(ctx):
        if not p.has("total", "allocated_2020"):
            continue
        total, allocated = p.number("total"), p.number("allocated_2020")
        if total is not None and allocated is not None and allocated > total + MONEY_TOLERANCE:
            yield Hit.at(p.cell("allocated_2020"), project=p.name, allocated=allocated, total=total)


@rule(
    "D003",
    ERROR,
    "Dự án khởi công mới không khởi công trong 2021-2025",
    "Dự án «{project}» ghi là khởi công mới nhưng năm khởi công là {start}: dự án khởi công mới phải khởi công từ "
    "năm 2021 đến năm 2025. Nếu dự án đã khởi công trước năm 2021, hãy chọn «Chuyển tiếp».",
    "New project does not start in 2021-2025",
    "Project «{project}» is marked as a new start but starts in {start}: a new project starts in 2021-2025. A "
    "project started before 2021 is carried over («Chuyển tiếp»).",
    values=("project", "start"),
)
def new_starts_in_plan(ctx: Context) -> Iterator[Hit]:
    """A project marked «Khởi công mới» (new start) starts within 2021-2025."""
    for p in projects(ctx):
        if not p.has("status", "start_year") or p.text("status") != NEW:
            continue
        start = p.number("start_year")
        if start is not None and not PLAN_FIRST <= start <= PLAN_LAST:
            yield Hit.at(p.cell("start_year"), project=p.name, start=_year(start))


@rule(
    "D004",
    ERROR,
    "Dự án khởi công mới đã có vốn trước năm 2021",
    "Dự án «{project}» ghi là khởi công mới nhưng đã bố trí {allocated} triệu đồng đến hết năm 2020. Dự án khởi "
    "công mới chưa được bố trí vốn trước năm 2021; nếu dự án đã có vốn, hãy chọn «Chuyển tiếp».",
    "New project already has capital before 2021",
    "Project «{project}» is marked as a new start but {allocated} million đồng were allocated to it by the end "
    "of 2020. A new project has no capital before 2021; a project that has is carried over («Chuyển tiếp»).",
    values=("project", "allocated"),
)
def new_has_no_earlier_capital(ctx: Context) -> Iterator[Hit]:
    """A project marked «Khởi công mới» (new start) has no capital allocated by the end of 2020 (empty or 0)."""
    for p in projects(ctx):
        if not p.has("status", "allocated_2020") or p.text("status") != NEW:
            continue
        allocated = p.number("allocated_2020")
        if allocated is not None and allocated > MONEY_TOLERANCE:
            yield Hit.at(p.cell("allocated_2020"), project=p.name, allocated=allocated)


@rule(
    "D005",
    WARNING,
    "Dự án chuyển tiếp khởi công từ năm 2021",
    "Dự án «{project}» ghi là chuyển tiếp nhưng năm khởi công là {start}: dự án chuyển tiếp là dự án đã khởi công "
    "trước năm 2021. Hãy kiểm tra năm khởi công, hoặc chọn «Khởi công mới».",
    "Carried-over project starts in 2021 or later",
    "Project «{project}» is marked as carried over but starts in {start}: a carried-over project started before "
    "2021. Check the start year, or mark it as a new start («Khởi công mới»).",
    values=("project", "start"),
)
def carried_started_before(ctx: Context) -> Iterator[Hit]:
    """A project marked «Chuyển tiếp» (carried over) started before 2021. A warning, not an error: the status
    only claims the priority the law gives carried-over projects, no figure depends on it, and real lists hold
    borderline cases (a project whose preparation was funded before 2021, a second phase) that the DPI
    settles; a new start dated before 2021 (D003) contradicts its own capital and is an error."""
    for p in projects(ctx):
        if not p.has("status", "start_year") or p.text("status") != CARRIED:
            continue
        start = p.number("start_year")
        if start is not None and start >= PLAN_FIRST:
            yield Hit.at(p.cell("start_year"), project=p.name, start=_year(start))


@rule(
    "D006",
    ERROR,
    "Năm hoàn thành trước năm khởi công",
    "Dự án «{project}»: năm hoàn thành {end} trước năm khởi công {start}.",
    "Project ends before it starts",
    "Project «{project}»: it ends in {end}, before it starts in {start}.",
    values=("project", "start", "end"),
)
def ends_after_start(ctx: Context) -> Iterator[Hit]:
    """A project's end year is not before its start year (a project may start before 2021 and end after
    2025: carried-over and continuing projects are normal)."""
    for p in projects(ctx):
        if not p.has("start_year", "end_year"):
            continue
        start, end = p.number("start_year"), p.number("end_year")
        if start is not None and end is not None and end < start:
            yield Hit.at(p.cell("end_year"), project=p.name, start=_year(start), end=_year(end))


@rule(
    "D007",
    ERROR,
    "Năm không hợp lệ",
    "Dự án «{project}»: {column} là {year}, không phải một năm từ {low} đến {high}. Hãy kiểm tra lại.",
    "Implausible year",
    "Project «{project}»: {column} is {year}, not a year from {low} to {high}.",
    values=("project", "column", "year", "low", "high"),
)
def plausible_years(ctx: Context) -> Iterator[Hit]:
    """Start and end years are whole years from 2000 to 2035 (the sheet's own validation; a year outside it was
    pasted or mistyped)."""
    low, high = PROJECT_YEARS
    headers = {c.key: c.header_vi for c in L.project_columns()}
    for p in projects(ctx):
        for key in ("start_year", "end_year"):
            year = p.number(key) if p.has(key) else None
            if year is not None and (year != int(year) or not low <= year <= high):
                yield Hit.at(p.cell(key), project=p.name, column=headers[key], year=_year(year), low=low, high=high)


@rule(
    "D008",
    ERROR,
    "Thứ tự ưu tiên không hợp lệ",
    "Dự án «{project}»: thứ tự ưu tiên {priority} không hợp lệ; hãy ghi số nguyên từ 1 (ưu tiên cao nhất).",
    "Invalid priority",
    "Project «{project}»: the priority {priority} is not a whole number from 1 (the highest).",
    values=("project", "priority"),
)
def priority_whole(ctx: Context) -> Iterator[Hit]:
    """A project's priority is a whole number from 1 (the highest)."""
    for p in projects(ctx):
        priority = p.number("priority") if p.has("priority") else None
        if priority is not None and not is_rank(priority):
            yield Hit.at(p.cell("priority"), project=p.name, priority=f"{priority:g}")


@rule(
    "D009",
    WARNING,
    "Trùng thứ tự ưu tiên",
    "Dự án «{project}» có cùng thứ tự ưu tiên {priority} với dự án «{other}»: mỗi dự án nên có một thứ tự riêng.",
    "Priority tie",
    "Project «{project}» has the same priority {priority} as project «{other}»: rank each project on its own.",
    values=("project", "priority", "other"),
)
def priority_unique(ctx: Context) -> Iterator[Hit]:
    """Priorities are unique within the unit: each project after the first with the same rank is reported."""
    first: dict[float, Project] = {}
    for p in projects(ctx):
        priority = p.number("priority") if p.has("priority") else None
        if priority is None or not is_rank(priority):
            continue  # not a rank: D008's
        if priority in first:
            yield Hit.at(p.cell("priority"), project=p.name, priority=f"{priority:g}", other=first[priority].name)
        else:
            first[priority] = p


@rule(
    "D010",
    ERROR,
    "Giá trị ngoài danh sách",
    "Dự án «{project}»: {column} «{text}» không có trong danh sách ({choices}). Hãy chọn lại trong danh sách.",
    "Value not in the list",
    "Project «{project}»: {column} «{text}» is not one of the list ({choices}).",
    values=("project", "column", "text", "choices"),
)
def choice_in_list(ctx: Context) -> Iterator[Hit]:
    """The project group (Quan trọng quốc gia, A, B, C), the status (Khởi công mới, Chuyển tiếp) and the task
    area are values of their lists (a pasted value escapes the sheet's own list)."""
    lists = {"group": GROUPS, "status": STATUSES, "area": tuple(a.name_vi for a in ctx.catalog.areas)}
    headers = {c.key: c.header_vi for c in L.project_columns()}
    for p in projects(ctx):
        for key, choices in lists.items():
            if not p.has(key) or is_blank(p.raw(key)):
                continue
            text = p.text(key) or str(p.raw(key))
            if text not in choices:
                shown = ", ".join(choices) if len(choices) <= 6 else "danh sách lĩnh vực"
                yield Hit.at(p.cell(key), project=p.name, column=headers[key], text=text, choices=shown)


@rule(
    "D011",
    ERROR,
    "Thiếu thông tin dự án",
    "Dự án «{project}» chưa có «{column}». Mỗi dự án đề xuất cần ghi tên, nhóm, loại (chuyển tiếp hay khởi công "
    "mới), năm khởi công và hoàn thành, tổng mức đầu tư, nhu cầu vốn 2021-2025 và thứ tự ưu tiên.",
    "Project information missing",
    "Project «{project}» lacks «{column}». Each proposed project states its name, group, status, start and end "
    "years, total investment, 2021-2025 need and priority.",
    values=("project", "column"),
)
def project_complete(ctx: Context) -> Iterator[Hit]:
    """A filled project row states its name, group, status (carried over or new), start and end years, total
    investment, 2021-2025 need in total and priority. An empty row is not a project."""
    headers = {c.key: c.header_vi for c in L.project_columns()}
    for p in projects(ctx):
        for key in REQUIRED:
            if p.has(key) and is_blank(p.raw(key)):
                yield Hit.at(p.cell(key), project=p.name, column=headers[key])
