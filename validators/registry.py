"""The rule registry: every rule has a stable code, a family, a severity, a short title and message
templates in Vietnamese and English. Codes are never reused; a retired code stays in RETIRED."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kehoach.validators.findings import SEVERITIES

if TYPE_CHECKING:
    from kehoach.validators.context import Context
    from kehoach.validators.findings import Finding

FAMILIES = {
    "X": "reading",
    "S": "structure",
    "T": "types",
    "R": "ranges",
    "C": "completeness",
    "P": "planning",
    "K": "consistency",
    "O": "outliers",
}
RETIRED: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title_vi: str
    message_vi: str
    title_en: str
    message_en: str
    check: Callable[[Context], Iterable[Finding]]

    @property
    def family(self) -> str:
        return FAMILIES[self.code[0]]

    @property
    def doc(self) -> str:
        return (self.check.__doc__ or "").strip()


REGISTRY: dict[str, Rule] = {}


def rule(
    code: str, severity: str, title_vi: str, message_vi: str, title_en: str, message_en: str
) -> Callable[[Callable[[Context], Iterable[Finding]]], Callable[[Context], Iterable[Finding]]]:
    """Register the decorated check function under ``code``; a code may be registered once."""

    def register(check: Callable[[Context], Iterable[Finding]]) -> Callable[[Context], Iterable[Finding]]:
        if code in REGISTRY or code in RETIRED:
            raise ValueError(f"rule code {code} is already used")
        if code[0] not in FAMILIES or severity not in SEVERITIES:
            raise ValueError(f"rule {code}: unknown family or severity")
        REGISTRY[code] = Rule(code, severity, title_vi, message_vi, title_en, message_en, check)
        return check

    return register


def all_rules() -> list[Rule]:
    """Every rule, loading the rule modules on first use."""
    from kehoach.validators import rules  # noqa: F401  (importing registers the rules)

    return sorted(REGISTRY.values(), key=lambda r: (list(FAMILIES).index(r.code[0]), r.code))
