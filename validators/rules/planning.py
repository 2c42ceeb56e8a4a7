"""Planning logic: evaluations, targets and yearly plan paths that make sense together.

Computed values are recomputed from the typed inputs (workbook_templates.derived): a computed cell's stored
value is never trusted."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from kehoach.validators.context import PAST_KEYS, PLAN_KEYS, Context, is_blank
from kehoach.validators.findings import ERROR, WARNING, Hit
from kehoach.validators.registry import rule
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import Indicator
from kehoach.workbook_templates.formulas import NOT_MET

GROWTH_TOLERANCE = 0.05  # percentage points: a planned average growth this close to its target meets it


def _tolerance(indicator: Indicator, reference: float) -> float:
    """Rounding tolerance: half a unit of the last shown decimal, or a millionth of the value."""
    return max(0.5 * 10 ** (-indicator.decimals), abs(reference) * 1e-6)


def _target_range(low: float, high: float | None) -> tuple[float, float | tuple[float, float]]:
    """The upper bound of a 2025 target, and the target as messages show it (a value, or a range). A reversed
    range counts as its lower bound; P006 reports it."""
    upper = high if high is not None and high >= low else low
    return upper, low if upper == low else (low, upper)


@rule(
    "P001",
    ERROR,
    "Chỉ tiêu không đạt chưa có nguyên nhân",
    "Chỉ tiêu «{name}» không đạt mục tiêu 2016-2020 (thực hiện {value}, mục tiêu {target}) nhưng chưa ghi nguyên "
    "nhân. Hãy ghi nguyên nhân vào ô này.",
    "Unmet target without a cause",
    "«{name}» missed its 2016-2020 target (actual {value}, target {target}) but no cause is given. Write it here.",
    values=("name", "value", "target"),
)
def unmet_without_cause(ctx: Context) -> Iterator[Hit]:
    """An indicator that did not meet its 2016-2020 target states the cause. The verdict is the template's own
    (the same expression as the «Đánh giá» column: the value its target kind judges, at the indicator's
    declared decimals); a neutral indicator is never judged."""
    if not ctx.has_column("cause"):
        return
    for ind in ctx.indicators:
        row = ctx.row(ind)
        computed = ctx.computed(ind)
        if computed["evaluation_2020"] == NOT_MET and is_blank(ctx.raw(ind, "cause")):
            value = computed["judged_2020"]
            low, high = row["target_2020"], row["target_2020_max"]
            target = low if high is None else (low, high)
            yield Hit.at(ctx.cell(ind, "cause"), ind.code, name=ind.name_vi, value=value, target=target)


@rule(
    "P002",
    ERROR,
    "Kế hoạch 2025 khác mục tiêu 2025",
    "Kế hoạch năm 2025 ({plan}) khác mục tiêu đến năm 2025 ({target}) của chỉ tiêu «{name}». Kế hoạch năm cuối "
    "phải bằng mục tiêu.",
    "2025 plan differs from the 2025 target",
    "The 2025 plan ({plan}) differs from the 2025 target ({target}) of «{name}»; they must agree.",
    values=("name", "plan", "target"),
)
def plan_meets_target(ctx: Context) -> Iterator[Hit]:
    """The 2025 plan value equals an end-year 2025 target (within rounding; within the range for a range
    target). Targets of other kinds are judged on the whole yearly plan (P007)."""
    for ind in ctx.indicators:
        if ind.target_kind != "end":
            continue
        row = ctx.row(ind)
        plan, low, high = row["plan_2025"], row["target_2025"], row["target_2025_max"]
        if plan is None or low is None:
            continue
        upper, target = _target_range(low, high)
        tolerance = _tolerance(ind, low)
        if plan < low - tolerance or plan > upper + tolerance:
            suggestion = min(max(plan, low), upper)
            yield Hit.at(ctx.cell(ind, "plan_2025"), ind.code, suggestion, name=ind.name_vi, plan=plan, target=target)


@rule(
    "P003",
    WARNING,
    "Kế hoạch đi ngược hướng",
    "Kế hoạch năm {year} ({value}) {word} năm trước ({previous}) trong khi chỉ tiêu «{name}» cần {goal}. Hãy "
    "kiểm tra lại, hoặc ghi lý do ở cột «Ghi chú».",
    "Plan path goes the wrong way",
    "The {year} plan ({value}) {word_en} the year before ({previous}) while «{name}» should {goal_en}.",
    values=("name", "year", "value", "previous", "word", "goal", "word_en", "goal_en"),
)
def plan_direction(ctx: Context) -> Iterator[Hit]:
    """A yearly plan path 2021-2025 heads towards the target: it does not fall for a higher-is-better indicator
    (nor rise for a lower-is-better one), unless a note explains. A neutral indicator has no right way."""
    for ind in ctx.indicators:
        judged = ind.kind in ("level", "rate") and ind.direction in ("up", "down")
        if not judged or not is_blank(ctx.raw(ind, "note")):
            continue
        row = ctx.row(ind)
        keys = PLAN_KEYS  # not from the 2020 estimate: it is on the old basis, the plan on the revalued one
        for previous_key, key in itertools.pairwise(keys):
            previous, value = row[previous_key], row[key]
            if previous is None or value is None:
                continue
            wrong = (
                value < previous - _tolerance(ind, previous)
                if ind.direction == "up"
                else (value > previous + _tolerance(ind, previous))
            )
            if wrong:
                up = ind.direction == "up"
                yield Hit.at(
                    ctx.cell(ind, key),
                    ind.code,
                    name=ind.name_vi,
                    year=key[-4:],
                    value=value,
                    previous=previous,
                    word="thấp hơn" if up else "cao hơn",
                    goal="tăng" if up else "giảm",
                    word_en="is below" if up else "is above",
                    goal_en="rise" if up else "fall",
                )


@rule(
    "P004",
    ERROR,
    "Số lũy kế bị giảm",
    "Số lũy kế {value} ({column}) nhỏ hơn số trước đó {previous}: chỉ tiêu lũy kế «{name}» không được giảm. Hãy "
    "sửa số liệu, hoặc ghi lý do ở cột «Ghi chú».",
    "Cumulative count decreases",
    "The cumulative count {value} ({column}) is below the previous {previous}; «{name}» cannot decrease.",
    values=("name", "value", "previous", "column"),
)
def count_never_decreases(ctx: Context) -> Iterator[Hit]:
    """Cumulative counts never decrease over 2015-2025, unless a note explains."""
    labels = {c.key: c.header_vi for c in L.indicator_columns()}
    for ind in ctx.indicators:
        if ind.kind != "count" or not is_blank(ctx.raw(ind, "note")):
            continue
        row = ctx.row(ind)
        series = [(k, row[k]) for k in (*PAST_KEYS, *PLAN_KEYS) if row[k] is not None]
        for (_, previous), (key, value) in itertools.pairwise(series):
            if value < previous:
                yield Hit.at(
                    ctx.cell(ind, key),
                    ind.code,
                    previous,
                    name=ind.name_vi,
                    value=value,
                    previous=previous,
                    column=labels[key],
                )


@rule(
    "P005",
    WARNING,
    "Tỷ lệ cần giảm nhưng không giảm",
    "Mục tiêu 2025 ({target}) không thấp hơn ước thực hiện 2020 ({estimate}) trong khi tỷ lệ «{name}» càng thấp "
    "càng tốt.",
    "Lower-is-better rate not planned to fall",
    "The 2025 target ({target}) is not below the 2020 estimate ({estimate}) though «{name}» should fall.",
    values=("name", "target", "estimate"),
)
def bad_rate_falls(ctx: Context) -> Iterator[Hit]:
    """A lower-is-better rate (infant mortality...) with an end-year target is planned to fall by 2025."""
    for ind in ctx.indicators:
        if ind.kind != "rate" or ind.direction != "down" or ind.target_kind != "end":
            continue
        row = ctx.row(ind)
        target, estimate = row["target_2025"], row["estimate_2020"]
        if target is not None and estimate is not None and estimate > 0 and target >= estimate:
            yield Hit.at(ctx.cell(ind, "target_2025"), ind.code, name=ind.name_vi, target=target, estimate=estimate)


@rule(
    "P006",
    ERROR,
    "Khoảng mục tiêu ngược",
    "Cận trên {high} nhỏ hơn cận dưới {low} của khoảng mục tiêu. Hãy nhập cận dưới ở cột mục tiêu, cận trên ở cột này.",
    "Target range reversed",
    "The upper bound {high} is below the lower bound {low} of the target range.",
    values=("low", "high"),
)
def range_ordered(ctx: Context) -> Iterator[Hit]:
    """A target range has its minimum first: min <= max."""
    for ind in ctx.indicators:
        row = ctx.row(ind)
        for low_key in ("target_2020", "target_2025"):
            low, high = row[low_key], row[f"{low_key}_max"]
            if low is not None and high is not None and high < low:
                yield Hit.at(ctx.cell(ind, f"{low_key}_max"), ind.code, low=low, high=high)


@rule(
    "P007",
    ERROR,
    "Kế hoạch từng năm không khớp mục tiêu 2025",
    "Theo kế hoạch từng năm 2021-2025, «{how}» của chỉ tiêu «{name}» là {value}, không khớp mục tiêu {target}. "
    "Hãy điều chỉnh kế hoạch từng năm hoặc mục tiêu.",
    "The yearly plan does not match the 2025 target",
    "By the yearly plan 2021-2025, «{how}» of «{name}» is {value}, which does not match the target {target}.",
    values=("name", "how", "value", "target"),
)
def plan_matches_target(ctx: Context) -> Iterator[Hit]:
    """A target that is not an end-year level is met by the yearly plan as the target kind judges it (the
    «Kế hoạch so với mục tiêu 2025» column): the average growth (geometric mean of a growth rate's yearly plan,
    or the growth of a level from the 2020 base, revalued where the indicator depends on GRDP), the average
    yearly change, the five-year total, the average year or the weakest year lies within the target."""
    if not ctx.has_column("judged_2025"):
        return
    for ind in ctx.indicators:
        if ind.target_kind == "end":
            continue
        row = ctx.row(ind)
        value, low, high = ctx.computed(ind)["judged_2025"], row["target_2025"], row["target_2025_max"]
        if not isinstance(value, float) or low is None or (high is not None and high < low):
            continue  # a reversed range is P006's
        upper, target = _target_range(low, high)
        tolerance = GROWTH_TOLERANCE if ind.target_kind == "avg_growth" else _tolerance(ind, low)
        if value < low - tolerance or value > upper + tolerance:
            how = ind.target_label.lower()
            yield Hit.at(ctx.cell(ind, "judged_2025"), ind.code, name=ind.name_vi, how=how, value=value, target=target)
