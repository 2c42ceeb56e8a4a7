"""Types: a number where a number belongs. Text that reads as a number gets the number suggested."""

from __future__ import annotations

import math
from collections.abc import Iterator

from kehoach.validators.context import MAX_MAGNITUDE, Context, NumericCell, is_blank, is_date
from kehoach.validators.findings import ERROR, Hit
from kehoach.validators.numbers import parse_vi_number
from kehoach.validators.registry import rule
from kehoach.validators.workbook import ExcelError


def _indicator(cell: NumericCell) -> str:
    return cell.indicator.code if cell.indicator else ""


@rule(
    "T001",
    ERROR,
    "Số nhập dạng chữ",
    "Ô chứa chữ «{text}» thay vì số; có thể là {parsed}. Hãy nhập lại dạng số (không dấu chấm ngăn cách "
    "hàng nghìn, không ký hiệu % hay đơn vị).",
    "Number typed as text",
    "The cell holds the text «{text}» instead of a number; probably {parsed}. Re-enter it as a number.",
    values=("text", "parsed"),
)
def number_as_text(ctx: Context) -> Iterator[Hit]:
    """Numbers typed as text, Vietnamese style ("1.234,5", "12,5%", "15 tỷ"): the parsed value is suggested."""
    for cell in ctx.numeric_cells():
        if isinstance(cell.raw, str) and not is_blank(cell.raw):
            parsed = parse_vi_number(cell.raw)
            if parsed is not None:
                yield Hit.at(cell.ref, _indicator(cell), parsed.value, text=cell.raw, parsed=parsed.value)


@rule(
    "T002",
    ERROR,
    "Chữ trong ô số",
    "Ô chứa chữ «{text}» nhưng cột này chỉ nhận số. Hãy nhập số, hoặc để trống và ghi giải thích ở cột «Ghi chú».",
    "Text in a numeric cell",
    "The cell holds the text «{text}» but only numbers belong here. Enter a number, or leave it empty.",
    values=("text",),
)
def text_in_number(ctx: Context) -> Iterator[Hit]:
    """Text that is not a number, in a cell where a number belongs."""
    for cell in ctx.numeric_cells():
        if isinstance(cell.raw, str) and not is_blank(cell.raw) and parse_vi_number(cell.raw) is None:
            yield Hit.at(cell.ref, _indicator(cell), text=cell.raw)


@rule(
    "T003",
    ERROR,
    "Ngày tháng trong ô số",
    "Ô chứa ngày tháng ({text}) thay vì số: Excel đã hiểu số vừa nhập là ngày. Hãy định dạng ô là số và nhập lại.",
    "Date in a numeric cell",
    "The cell holds a date ({text}) instead of a number. Format the cell as a number and re-enter the value.",
    values=("text",),
)
def date_in_number(ctx: Context) -> Iterator[Hit]:
    """Dates (Excel turns "1/5" into 1 May) in a numeric cell."""
    for cell in ctx.numeric_cells():
        if is_date(cell.raw):
            yield Hit.at(cell.ref, _indicator(cell), text=str(cell.raw))


@rule(
    "T004",
    ERROR,
    "Giá trị đúng/sai trong ô số",
    "Ô chứa giá trị {text} (đúng/sai) thay vì số. Hãy nhập số.",
    "Boolean in a numeric cell",
    "The cell holds {text} (TRUE/FALSE) instead of a number. Enter a number.",
    values=("text",),
)
def boolean_in_number(ctx: Context) -> Iterator[Hit]:
    """TRUE/FALSE in a numeric cell."""
    for cell in ctx.numeric_cells():
        if isinstance(cell.raw, bool):
            yield Hit.at(cell.ref, _indicator(cell), text="TRUE" if cell.raw else "FALSE")


@rule(
    "T005",
    ERROR,
    "Ô báo lỗi công thức",
    "Ô hiện lỗi {error}: có thể ô chứa công thức sai hoặc tham chiếu đến ô đã xóa. Hãy nhập số trực tiếp.",
    "Error value",
    "The cell shows the error {error}: a broken formula or reference. Enter the number directly.",
    values=("error",),
)
def error_value(ctx: Context) -> Iterator[Hit]:
    """Excel error values (#REF!, #DIV/0!, #VALUE! ...) in an input cell."""
    for cell in ctx.numeric_cells():
        if isinstance(cell.raw, ExcelError):
            yield Hit.at(cell.ref, _indicator(cell), error=cell.raw.text)


@rule(
    "T006",
    ERROR,
    "Số không hợp lệ",
    "Ô chứa số {text} không hợp lệ (quá lớn hoặc không xác định). Hãy kiểm tra lại số liệu.",
    "Invalid number",
    "The cell holds an invalid number {text} (too large or undefined). Check the value.",
    values=("text",),
)
def invalid_number(ctx: Context) -> Iterator[Hit]:
    """Numbers that are not finite or of an absurd magnitude (above 10^15)."""
    for cell in ctx.numeric_cells():
        raw = cell.raw
        number = isinstance(raw, int | float) and not isinstance(raw, bool)
        if number and (not math.isfinite(raw) or abs(raw) > MAX_MAGNITUDE):
            yield Hit.at(cell.ref, _indicator(cell), text=repr(raw))
