"""Completeness: what the directive requires is filled in."""

from __future__ import annotations

from collections.abc import Iterator

from kehoach.validators.context import PLAN_KEYS, Context, is_blank
from kehoach.validators.findings import ERROR, WARNING, Hit
from kehoach.validators.registry import rule
from kehoach.workbook_templates import layout as L

REQUIRED_INFO = ("head", "preparer", "phone", "submitted_on", "revision")


def _blank_cells(ctx: Context, key: str, **values: object) -> Iterator[Hit]:
    if not ctx.has_column(key):
        return
    for indicator in ctx.indicators:
        if is_blank(ctx.raw(indicator, key)):
            yield Hit.at(ctx.cell(indicator, key), indicator.code, name=indicator.name_vi, **values)


@rule(
    "C001",
    ERROR,
    "Thiếu số ước thực hiện 2020",
    "Chưa nhập số ước thực hiện năm 2020 của chỉ tiêu «{name}».",
    "2020 estimate missing",
    "The 2020 estimate of «{name}» is missing.",
    values=("name",),
)
def estimate_missing(ctx: Context) -> Iterator[Hit]:
    """Every indicator has its 2020 estimate."""
    yield from _blank_cells(ctx, "estimate_2020")


@rule(
    "C002",
    WARNING,
    "Thiếu mục tiêu 2016-2020",
    "Chưa nhập mục tiêu 2016-2020 của chỉ tiêu «{name}». Nếu chỉ tiêu không có mục tiêu trong Nghị quyết, hãy ghi "
    "rõ ở cột «Ghi chú».",
    "2016-2020 target missing",
    "The 2016-2020 target of «{name}» is missing. If the resolution set none, say so in the note column.",
    values=("name",),
)
def target_2020_missing(ctx: Context) -> Iterator[Hit]:
    """A 2016-2020 target, or a note saying why there is none."""
    if not ctx.has_column("target_2020"):
        return
    for indicator in ctx.indicators:
        if is_blank(ctx.raw(indicator, "target_2020")) and is_blank(ctx.raw(indicator, "note")):
            yield Hit.at(ctx.cell(indicator, "target_2020"), indicator.code, name=indicator.name_vi)


@rule(
    "C003",
    ERROR,
    "Thiếu mục tiêu 2025",
    "Chưa nhập mục tiêu đến năm 2025 của chỉ tiêu «{name}».",
    "2025 target missing",
    "The 2025 target of «{name}» is missing.",
    values=("name",),
)
def target_2025_missing(ctx: Context) -> Iterator[Hit]:
    """Every indicator has its 2025 target."""
    yield from _blank_cells(ctx, "target_2025")


@rule(
    "C004",
    ERROR,
    "Thiếu kế hoạch năm",
    "Chưa nhập kế hoạch năm {year} của chỉ tiêu «{name}».",
    "Yearly plan value missing",
    "The {year} plan value of «{name}» is missing.",
    values=("name", "year"),
)
def plan_missing(ctx: Context) -> Iterator[Hit]:
    """Every indicator has a plan value for each year 2021-2025."""
    for key in PLAN_KEYS:
        yield from _blank_cells(ctx, key, year=key[-4:])


@rule(
    "C005",
    ERROR,
    "Thiếu thông tin đơn vị",
    "Chưa nhập «{field}» ở trang Thông tin đơn vị.",
    "Unit information missing",
    "«{field}» is missing on the unit information sheet.",
    values=("field",),
)
def unit_info_missing(ctx: Context) -> Iterator[Hit]:
    """Head of unit, preparer, phone, date sent and revision number are filled in."""
    labels = {f.key: f.label_vi for f in L.unit_fields()}
    for key in REQUIRED_INFO:
        ref = ctx.sub.info.get(key)
        if ref is not None and is_blank(ctx.sub.text(ref)):
            yield Hit.at(ref, field=labels[key])


@rule(
    "C006",
    ERROR,
    "Thiếu nội dung đánh giá, kế hoạch",
    "Mục «{heading}» chưa có nội dung. Đây là nội dung bắt buộc theo Chỉ thị.",
    "Required section empty",
    "Section «{heading}» is empty; the directive requires it.",
    values=("heading",),
)
def section_missing(ctx: Context) -> Iterator[Hit]:
    """The required qualitative sections (evaluation 2016-2020, tasks and solutions 2021-2025) are written."""
    for section in L.sections():
        ref = ctx.sub.sections.get(section.key)
        if section.required and ref is not None and is_blank(ctx.sub.text(ref)):
            yield Hit.at(ref, heading=section.heading_vi)
