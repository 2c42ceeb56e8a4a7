"""Reading: a file that cannot be opened safely is itself a finding, never a crash."""

from __future__ import annotations

from collections.abc import Iterator

from kehoach.validators.context import Context
from kehoach.validators.findings import ERROR, Hit
from kehoach.validators.registry import rule


@rule(
    "X001",
    ERROR,
    "Không đọc được tệp",
    "Không đọc được tệp: {reason}.",
    "Unreadable file",
    "The file cannot be read: {reason_en}.",
    values=("reason", "reason_en"),
)
def unreadable(ctx: Context) -> Iterator[Hit]:
    """The file opens as an .xlsx/.xlsm workbook within the size limits (see validators.reader)."""
    if ctx.read_error is not None:
        yield Hit.on_sheet("", reason=ctx.read_error.reason, reason_en=ctx.read_error.reason_en)
