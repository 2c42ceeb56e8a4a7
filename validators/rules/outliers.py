"""Outliers: a year that jumps far outside the indicator's own 2015-2020 history (a warning)."""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterator

from kehoach.validators.context import PAST_KEYS, Context
from kehoach.validators.findings import WARNING, Hit
from kehoach.validators.registry import rule
from kehoach.workbook_templates import layout as L

MAD_FACTOR = 6.0  # how many robust deviations make a jump an outlier
MIN_LEVEL_JUMP = math.log(1.5)  # and never less than +50 % / -33 % beyond the usual change of a level
MIN_RATE_JUMP = 8.0  # or 8 percentage points beyond the usual change of a rate


def _changes(kind: str, series: list[float]) -> list[float] | None:
    if kind == "level":
        if any(v <= 0 for v in series):
            return None
        return [math.log(b / a) for a, b in itertools.pairwise(series)]
    return [b - a for a, b in itertools.pairwise(series)]


@rule(
    "O001",
    WARNING,
    "Số liệu đột biến",
    "Số liệu {column} ({value}) thay đổi đột ngột so với các năm khác của chỉ tiêu «{name}» (năm trước {previous}). "
    "Hãy kiểm tra lại (có thể thừa hoặc thiếu chữ số, nhầm đơn vị).",
    "Sudden jump",
    "The {column} value ({value}) jumps far from the other years of «{name}» (year before: {previous}). Check it.",
    values=("name", "column", "value", "previous"),
)
def sudden_jump(ctx: Context) -> Iterator[Hit]:
    """A yearly actual far outside the indicator's own history: a change between years more than six robust
    deviations (and at least +50 % for levels, 8 points for rates) away from the median change. When a value
    jumps away and back, the value in between is the one named. A change by one whole thing (a district's
    3 fires becoming 2) is never a jump."""
    labels = {c.key: c.header_vi for c in L.indicator_columns()}
    for ind in ctx.indicators:
        if ind.kind not in ("level", "rate"):
            continue
        row = ctx.row(ind)
        series = [row[k] for k in PAST_KEYS]
        if any(v is None for v in series):
            continue
        changes = _changes(ind.kind, series)
        if not changes:
            continue
        median = statistics.median(changes)
        spread = 1.4826 * statistics.median(abs(c - median) for c in changes)
        floor = MIN_LEVEL_JUMP if ind.kind == "level" else MIN_RATE_JUMP
        limit = max(MAD_FACTOR * spread, floor)
        ones = [ind.whole and abs(b - a) <= 1 for a, b in itertools.pairwise(series)]
        jumps = [
            c - median if abs(c - median) > limit and not one else 0.0 for c, one in zip(changes, ones, strict=True)
        ]
        flagged, skip = [], False
        for index, jump in enumerate(jumps):
            if skip or not jump:
                skip = False
                continue
            following = jumps[index + 1] if index + 1 < len(jumps) else 0.0
            skip = bool(following) and math.copysign(1, following) != math.copysign(1, jump)
            flagged.append(index + 1)  # the value the jump lands on (away and back: the one in between)
        for position in flagged:
            key = PAST_KEYS[position]
            yield Hit.at(
                ctx.cell(ind, key),
                ind.code,
                name=ind.name_vi,
                column=labels[key],
                value=series[position],
                previous=series[position - 1],
            )
