"""Ranges of single fields that need the catalog's facts: counts of administrative units within the unit's own
number of them, priority ranks, VSDG codes."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from kehoach.validators.context import LEVEL_KEYS, Context, is_blank, is_level_cell, is_rank
from kehoach.validators.findings import ERROR, WARNING, Hit
from kehoach.validators.registry import rule
from kehoach.workbook_templates.catalog import Indicator

# What a cap counts, in Vietnamese and English (catalog.CAPS).
CAP_WORDS = {
    "xa": ("xã", "rural communes (xã)"),
    "communes": ("xã, phường, thị trấn", "communes, wards and towns"),
    "districts": ("huyện, thị xã, thành phố", "districts"),
}


@rule(
    "R005",
    ERROR,
    "Số đơn vị hành chính vượt quá số hiện có",
    "Giá trị {value} vượt quá số {what} của {place} ({cap} {what} năm 2020): chỉ tiêu đếm số {what} không thể "
    "lớn hơn số {what} hiện có. Hãy kiểm tra lại số liệu (có thể đã nhập số của cả tỉnh).",
    "More administrative units than exist",
    "The value {value} exceeds the number of {what_en} of {place_en} ({cap} in 2020): a count of them cannot be "
    "larger. Check the figure (perhaps the province's was typed).",
    values=("value", "cap", "what", "what_en", "place", "place_en"),
)
def within_own_units(ctx: Context) -> Iterator[Hit]:
    """A count of administrative units (new-rural communes, communes meeting a standard, districts) is at most
    the number the unit has: a district's own xã or communes (communes_2020.csv, in the catalog's units), the
    province's totals or number of districts for the province's units. Every year, target and plan column."""
    unit = ctx.sub.unit
    if unit is None:
        return
    place, place_en = (unit.name_vi, unit.name_vi) if unit.is_district else ("tỉnh", "the province")
    for ind in ctx.indicators:
        cap = ctx.catalog.cap_for(ind, unit)
        if cap is None:
            continue
        what, what_en = CAP_WORDS[ind.cap]
        row = ctx.row(ind)
        for key in LEVEL_KEYS:
            value = row.get(key)
            if value is None or not is_level_cell(ind, key) or value <= cap:
                continue
            yield Hit.at(
                ctx.cell(ind, key),
                ind.code,
                float(cap),
                value=value,
                cap=cap,
                what=what,
                what_en=what_en,
                place=place,
                place_en=place_en,
            )


@rule(
    "R006",
    ERROR,
    "Thứ tự ưu tiên không phải số nguyên dương",
    "Thứ tự ưu tiên {value} không phải số nguyên dương. Hãy nhập 1, 2, 3... (1 là ưu tiên cao nhất).",
    "Priority rank not a positive whole number",
    "The priority rank {value} is not a positive whole number. Enter 1, 2, 3... (1 is the highest priority).",
    values=("value",),
)
def whole_priority(ctx: Context) -> Iterator[Hit]:
    """A priority rank is a whole number from 1 up."""
    for ind in ctx.indicators:
        value = ctx.row(ind).get("priority")
        if value is not None and not is_rank(value):
            yield Hit.at(ctx.cell(ind, "priority"), ind.code, value=value)


@rule(
    "R007",
    WARNING,
    "Thứ tự ưu tiên bị trùng",
    "Chỉ tiêu {indicator} có thứ tự ưu tiên {rank} trùng với chỉ tiêu {other} (ô {other_cell}) trong cùng lĩnh "
    "vực «{area}». Mỗi chỉ tiêu trong một lĩnh vực cần một thứ tự ưu tiên riêng.",
    "Priority rank tied",
    "{indicator} has the priority rank {rank}, as {other} (cell {other_cell}) in the same task area «{area}». "
    "Each indicator of a task area needs its own rank.",
    values=("rank", "other", "other_cell", "area"),
)
def unique_priority(ctx: Context) -> Iterator[Hit]:
    """Priority ranks are unique within a task area of the unit: a rank given twice is reported at the later
    row, naming the earlier one (a warning)."""
    first: dict[tuple[str, float], Indicator] = {}
    for ind in ctx.indicators:
        value = ctx.row(ind).get("priority")
        if value is None or not is_rank(value):
            continue
        earlier = first.setdefault((ind.area, value), ind)
        if earlier is not ind:
            yield Hit.at(
                ctx.cell(ind, "priority"),
                ind.code,
                rank=int(value),
                other=earlier.code,
                other_cell=ctx.cell(earlier, "priority").a1,
                area=ctx.catalog.area(ind.area).name_vi,
            )


@rule(
    "R008",
    ERROR,
    "Mã VSDG không có trong danh mục",
    "Mã mục tiêu phát triển bền vững «{code}» không có trong danh mục mục tiêu VSDG (Nghị quyết 136/NQ-CP, Quyết "
    "định 622/QĐ-TTg). Hãy nhập đúng mã (ví dụ 1.1 hoặc 3.1.4), hoặc để trống nếu chỉ tiêu không gắn với mục tiêu "
    "nào.",
    "Unknown VSDG code",
    "The sustainable development code «{code}» is not in the VSDG list (Resolution 136/NQ-CP, Decision "
    "622/QĐ-TTg). Enter a listed code (e.g. 1.1 or 3.1.4), or leave it empty.",
    values=("code",),
)
def known_vsdg(ctx: Context) -> Iterator[Hit]:
    """A VSDG code is a goal, target or indicator of the catalog's list (vsdg.csv, from vsdg_targets.csv). A
    code typed with a decimal comma ("1,1") gets the listed code suggested."""
    codes = ctx.catalog.vsdg_codes
    if not codes:
        return
    for ind in ctx.indicators:
        raw = ctx.raw(ind, "vsdg")
        if is_blank(raw) or isinstance(raw, bool):
            continue
        code = vsdg_text(raw)
        if code in codes:
            continue
        dotted = code.replace(",", ".")
        suggestion = dotted if dotted in codes else None
        yield Hit.at(ctx.cell(ind, "vsdg"), ind.code, suggestion, code=code)


def vsdg_text(raw: object) -> str:
    """A VSDG code as typed: text as it is (trimmed, NFC), a number as Excel shows it (1.1, 16)."""
    if isinstance(raw, int | float):
        return str(int(raw)) if float(raw).is_integer() else f"{raw:g}"
    return unicodedata.normalize("NFC", str(raw)).strip()
