"""Ranges: the failure cases of the pandera value schema (validators.schemas), one rule per check."""

from __future__ import annotations

from collections.abc import Iterator

from kehoach.validators.context import Context, as_number
from kehoach.validators.findings import ERROR, WARNING, Hit
from kehoach.validators.registry import rule

VALUES = ("value", "low", "high", "unit")  # every range rule gives them all, whatever its message names


def _failures(ctx: Context, code: str, **extra: object) -> Iterator[Hit]:
    for cell in ctx.value_failures.get(code, []):
        indicator = cell.indicator
        values = {"value": as_number(cell.raw), **extra}
        if indicator is not None:
            values.update(low=indicator.min, high=indicator.max, unit=indicator.unit)
        yield Hit.at(cell.ref, indicator.code if indicator else "", **values)


@rule(
    "R001",
    ERROR,
    "Tỷ lệ ngoài khoảng 0-100",
    "Tỷ lệ {value}% nằm ngoài khoảng 0-100%. Hãy nhập tỷ lệ theo phần trăm (ví dụ 12,5 chứ không phải 0,125 hay 1250).",
    "Percentage outside 0-100",
    "The rate {value}% is outside 0-100%. Enter it in percent (12.5, not 0.125 or 1250).",
    values=VALUES,
)
def percent_range(ctx: Context) -> Iterator[Hit]:
    """Shares and rates in % lie within 0-100."""
    yield from _failures(ctx, "R001")


@rule(
    "R002",
    ERROR,
    "Số âm",
    "Giá trị {value} âm, nhưng chỉ tiêu này không thể âm. Hãy kiểm tra dấu của số liệu.",
    "Negative value",
    "The value {value} is negative but this quantity cannot be. Check the sign.",
    values=VALUES,
)
def non_negative(ctx: Context) -> Iterator[Hit]:
    """Absolute levels, counts and GRDP value added are not negative."""
    yield from _failures(ctx, "R002")


@rule(
    "R003",
    ERROR,
    "Số đếm không nguyên",
    "Giá trị {value} không phải số nguyên, nhưng chỉ tiêu đếm số {unit} phải là số nguyên.",
    "Count not a whole number",
    "The value {value} is not a whole number, but a count of {unit} must be.",
    values=VALUES,
)
def whole_count(ctx: Context) -> Iterator[Hit]:
    """Counts (communes, schools...) and every indicator whose unit of measure counts whole things (cases,
    households, supermarkets, people: measures.csv) are whole numbers, in every year, target and plan column."""
    yield from _failures(ctx, "R003")


@rule(
    "R004",
    WARNING,
    "Giá trị bất thường",
    "Giá trị {value} {unit} nằm ngoài khoảng hợp lý {low} - {high}. Hãy kiểm tra lại (đơn vị tính, số chữ số).",
    "Implausible value",
    "The value {value} {unit} is outside the plausible range {low} - {high}. Check the unit and the digits.",
    values=VALUES,
)
def plausible(ctx: Context) -> Iterator[Hit]:
    """Values within the catalog's plausible bounds (a warning: the bounds are wide but not law)."""
    yield from _failures(ctx, "R004")
