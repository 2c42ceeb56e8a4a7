"""What a rule finds and what is reported.

A rule yields :class:`Hit` objects: where (sheet, cell), about which indicator, the values its message needs
and the value that would fix the cell. It never names its own code, severity or message: the engine stamps
each hit into a :class:`Finding` with the code, severity and message templates of the rule's registration.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kehoach.validators.numbers import format_number
from kehoach.validators.workbook import rowcol

if TYPE_CHECKING:
    from kehoach.validators.contract import CellRef

ERROR, WARNING = "error", "warning"
SEVERITIES = (ERROR, WARNING)


class _Formatter(string.Formatter):
    """Numbers in messages are written the reader's way (1.234,5 in Vietnamese)."""

    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec:
            return super().format_field(value, format_spec)
        if value is None:
            return "(trống)" if self.lang == "vi" else "(empty)"
        if isinstance(value, tuple):  # a range
            return " - ".join(format_number(v, self.lang) for v in value)
        return format_number(value, self.lang)


@dataclass(frozen=True)
class Hit:
    """One thing a rule found. ``cell`` is an A1 address on ``sheet``; without a cell the hit is about the
    whole sheet, or about the whole workbook when ``sheet`` is empty too."""

    sheet: str = ""
    cell: str = ""
    indicator: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)  # what the message templates name
    suggestion: Any = None  # the value that would fix the cell, when one is known

    @classmethod
    def at(cls, ref: CellRef | None, /, indicator: str = "", suggestion: Any = None, **values: Any) -> Hit:
        """A hit at a cell (at the workbook when ``ref`` is None: a defined name that points nowhere)."""
        if ref is None:
            return cls(indicator=indicator, values=values, suggestion=suggestion)
        return cls(ref.sheet, ref.a1, indicator, values, suggestion)

    @classmethod
    def on_sheet(cls, sheet: str, /, indicator: str = "", **values: Any) -> Hit:
        """A hit about a whole sheet, or about the whole workbook when ``sheet`` is empty."""
        return cls(sheet, "", indicator, values)


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    sheet: str = ""
    cell: str = ""  # A1 address, empty for a workbook-level finding
    indicator: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    suggestion: Any = None  # the value that would fix the cell, when one is known
    templates: tuple[str, str] = ("", "")  # (vi, en) message templates of the rule

    def message(self, lang: str = "vi") -> str:
        template = self.templates[0] if lang == "vi" else self.templates[1]
        return _Formatter(lang).format(template, **{"indicator": self.indicator, **self.values})

    def sort_key(self) -> tuple:
        position = rowcol(self.cell) if self.cell else (-1, -1)
        return (self.sheet, position, self.rule)

    def as_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "indicator": self.indicator,
            "message": self.message(lang),
            "values": {k: _plain(v) for k, v in self.values.items()},
            "suggestion": self.suggestion,
        }


def _plain(value: Any) -> Any:
    """A value as JSON can hold it."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
