"""Which cell is most likely wrong when accounting identities fail (in the spirit of errorlocate and the
Fellegi-Holt principle): the one whose change fixes the most failing identities without breaking others,
preferring a change that looks like a typing slip (one digit, two swapped digits, a misplaced decimal
point), then the smallest relative change."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

Cell = Hashable


@dataclass(frozen=True)
class Equation:
    """``result = sum(terms)`` (kind "sum") or ``result = terms[0] / terms[1]`` (kind "ratio"). ``result`` is a
    cell, or None with ``constant`` the fixed right-hand side (shares summing to 100)."""

    kind: str
    terms: tuple[Cell, ...]
    result: Cell | None
    constant: float = 0.0
    tolerance: float = 0.0
    relative: bool = False

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (*self.terms, *((self.result,) if self.result is not None else ()))

    def sides(self, values: dict[Cell, float]) -> tuple[float, float]:
        """(left, right): the result (or constant), and what the terms give."""
        left = values[self.result] if self.result is not None else self.constant
        if self.kind == "sum":
            return left, math.fsum(values[c] for c in self.terms)
        numerator, denominator = (values[c] for c in self.terms)
        return left, numerator / denominator if denominator else math.inf

    def holds(self, values: dict[Cell, float]) -> bool:
        left, right = self.sides(values)
        allowed = self.tolerance * (abs(right) if self.relative else 1)
        return abs(left - right) <= allowed

    def solve(self, cell: Cell, values: dict[Cell, float]) -> float | None:
        """The value of ``cell`` that makes the equation hold exactly, all else unchanged."""
        left, right = self.sides(values)
        if self.kind == "sum":
            if cell == self.result:
                return right
            return values[cell] + (left - right)
        numerator, denominator = (values[c] for c in self.terms)
        if cell == self.result:
            return right if denominator else None
        if cell == self.terms[0]:
            return left * denominator
        return numerator / left if left else None


def looks_like_typo(typed: float, intended: float) -> bool:
    """One digit wrong, two adjacent digits swapped, a digit added or lost, or the decimal point moved,
    comparing at the precision the value was typed with."""
    decimals = _decimals(typed)
    intended = round(intended, decimals)
    if typed == intended or typed == 0 or intended == 0:
        return False
    ratio = abs(typed / intended)
    if any(math.isclose(ratio, 10.0**k, rel_tol=1e-6) for k in (-3, -2, -1, 1, 2, 3)):
        return True
    return _damerau(_digits(typed, decimals), _digits(intended, decimals)) == 1


def _zeros(value: float) -> int:
    """Trailing zeros of the whole part (people plan in round amounts): 155500 -> 2, 0 or a fraction -> 0."""
    whole = round(value)
    if whole == 0 or not math.isclose(value, whole, abs_tol=1e-9):
        return 0
    text = str(abs(whole))
    return len(text) - len(text.rstrip("0"))


def _decimals(value: float) -> int:
    text = f"{abs(value):.6f}".rstrip("0")
    return len(text.split(".")[1])


def _digits(value: float, decimals: int) -> str:
    return f"{abs(value):.{decimals}f}".replace(".", "")


def _damerau(a: str, b: str) -> int:
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


@dataclass(frozen=True)
class Suspect:
    cell: Cell
    typed: float
    suggested: float
    fixes: tuple[Equation, ...]  # the failing equations this change repairs


def locate(
    equations: Sequence[Equation],
    values: dict[Cell, float],
    admissible: Callable[[Cell, float], bool] | None = None,
    unreliable: Callable[[Cell], bool] | None = None,
    expected: Callable[[Cell], float | None] | None = None,
) -> list[Suspect]:
    """The fewest cells to change so that every equation holds, chosen greedily; each with its value.
    ``admissible(cell, value)`` says whether a suggested value is possible at all (not negative, within
    bounds): a possible value is preferred to an impossible one. ``unreliable(cell)`` marks cells already
    known to be suspect (a computed cell typed over), preferred first. ``expected(cell)`` is what the cell's
    own history suggests (its neighbouring years): a change towards it is preferred. Then a change that
    undoes a typing slip, then one that leaves a round amount, then the smallest relative change."""
    values = dict(values)
    suspects: list[Suspect] = []
    while True:
        failing = [e for e in equations if not e.holds(values)]
        if not failing:
            return suspects
        best, best_score = None, None
        for cell in dict.fromkeys(c for e in failing for c in e.cells):
            equation = next(e for e in failing if cell in e.cells)
            suggested = equation.solve(cell, values)
            if suggested is None or not math.isfinite(suggested):
                continue
            trial = {**values, cell: suggested}
            fixed = tuple(e for e in failing if e.holds(trial))
            broken = sum(1 for e in equations if e not in failing and not e.holds(trial))
            change = abs(suggested - values[cell]) / max(abs(values[cell]), abs(suggested), 1e-12)
            possible = admissible is None or admissible(cell, suggested)
            suspect = unreliable is not None and unreliable(cell)
            guess = expected(cell) if expected is not None else None
            toward = guess is not None and abs(suggested - guess) < abs(values[cell] - guess)
            score = (
                len(fixed) - broken,
                suspect,
                possible,
                toward,
                looks_like_typo(values[cell], suggested),
                _zeros(suggested) - _zeros(values[cell]),
                -change,
            )
            if best_score is None or score > best_score:
                best, best_score = Suspect(cell, values[cell], suggested, fixed), score
        if best is None or not best.fixes:
            return suspects
        suspects.append(best)
        values[best.cell] = best.suggested
