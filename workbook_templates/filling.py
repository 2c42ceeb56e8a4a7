"""What a unit typed into its workbook, independent of where it sits: the builder writes it (sample
submissions, test fixtures), the reader gives it back."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExcelError:
    """An error value shown in a cell, such as #DIV/0! or #REF! (from a formula typed into an input cell)."""

    text: str
    formula: str = "1/0"


@dataclass
class Filling:
    info: dict[str, object] = field(default_factory=dict)  # unit-information field key -> value
    indicators: dict[str, dict[str, object]] = field(default_factory=dict)  # code -> column key -> value
    sections: dict[str, str] = field(default_factory=dict)  # section key -> text
    projects: list[dict[str, object]] = field(default_factory=list)  # one dict of column key -> value per project
    grdp: dict[str, dict[int, object]] = field(default_factory=dict)  # GRDP row key -> year -> value
    # Computed cells that hold a typed constant instead of their formula: (indicator code, column key) or
    # (GRDP row key, "y<year>") -> value.
    overwritten: dict[tuple[str, str], object] = field(default_factory=dict)
