"""What a rule reports: where (sheet, cell, indicator), what (rule code, severity, values) and the message
rendered from the rule's template in Vietnamese or English."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

from kehoach.validators.numbers import format_number
from kehoach.validators.workbook import rowcol

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
