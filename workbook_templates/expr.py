"""Small spreadsheet expressions: one definition of a computed cell gives both its Excel formula and its value
in Python.

An expression is a tree of nodes. ``expr.excel(ref)`` renders the formula text (without the leading "="),
``ref(key)`` giving the address of the cell named ``key``; ``expr.evaluate(values)`` computes what Excel (and
LibreOffice) show, ``values[key]`` being the cell's value (a number, a text, a boolean, or None for an empty
cell). Only what the templates use is implemented, with the spreadsheet's semantics:

- ISNUMBER accepts numbers only (not text that looks like one, not booleans, not empty cells, not errors);
- COUNT, SUM, MIN and MAX over references see numbers only;
- arithmetic reads an empty cell as 0 and a text that is plainly a number ("12") as that number, refuses any
  other text (#VALUE!), and a zero divisor, a non-real power or an
  overflow is an error (#DIV/0!, #NUM!): ``evaluate`` raises ``ExcelError`` where the sheet would show one;
- IF evaluates only the branch it takes; a formula whose result is the text "" shows an empty cell;
- ROUND rounds half away from zero and ROUNDDOWN towards zero, both on the value's 15 significant digits, as
  the spreadsheets do (so 8.495 typed in a cell rounds to 8.50, although its binary value is a hair below).

Operators build nodes: ``a + b``, ``a - b``, ``a * b``, ``a / b``, ``a ** b`` (Excel's ``^``); comparisons are
``a.gt(b)``, ``a.ge(b)``, ``a.lt(b)``, ``a.le(b)``, ``a.eq(b)``, ``a.ne(b)``. Python numbers mix in as numbers.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

Ref_ = Callable[[str], str]
SIGNIFICANT_DIGITS = 15


class ExcelError(ArithmeticError):
    """The expression gives an error value in the sheet (#VALUE!, #DIV/0!, #NUM!)."""


def is_number(value: object) -> bool:
    """What ISNUMBER accepts: a finite number that is not a boolean."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


_NUMERIC_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _number(value: object) -> float:
    """A value as arithmetic reads it: empty is 0, TRUE is 1, a text that is plainly a number is that number
    ("12"), any other text is an error (ISNUMBER still refuses all text)."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if is_number(value):
        return float(value)  # type: ignore[arg-type]
    if isinstance(value, str) and _NUMERIC_TEXT.fullmatch(value):
        return _finite(float(value))
    raise ExcelError("#VALUE!")


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ExcelError("#NUM!")
    return value


def _truth(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if is_number(value):
        return value != 0
    raise ExcelError("#VALUE!")


def excel_round(value: float, digits: int, down: bool = False) -> float:
    """ROUND (half away from zero) or ROUNDDOWN (towards zero) to ``digits`` decimals, as the spreadsheets do:
    on the value's 15 significant digits."""
    if value == 0:
        return 0.0
    exact = Decimal(f"{value:.{SIGNIFICANT_DIGITS}g}")
    return float(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_DOWN if down else ROUND_HALF_UP))


def _operator(symbol: str, compare: bool = False, reflected: bool = False) -> Callable[[Expr, object], Expr]:
    """The method building ``self symbol other`` (``other symbol self`` when ``reflected``): an arithmetic
    node, or a comparison."""

    def method(self: Expr, other: object) -> Expr:
        left, right = (lift(other), self) if reflected else (self, lift(other))
        return (Compare if compare else Op)(symbol, left, right)

    return method


class Expr:
    """A node. Subclasses render (``excel``) and compute (``evaluate``) themselves."""

    precedence = 9  # atoms; operators below

    def excel(self, ref: Ref_ = str) -> str:
        raise NotImplementedError

    def evaluate(self, values: Mapping[str, object]) -> object:
        raise NotImplementedError

    __add__, __radd__ = _operator("+"), _operator("+", reflected=True)
    __sub__, __rsub__ = _operator("-"), _operator("-", reflected=True)
    __mul__, __rmul__ = _operator("*"), _operator("*", reflected=True)
    __truediv__, __rtruediv__ = _operator("/"), _operator("/", reflected=True)
    __pow__ = _operator("^")
    gt, ge, lt = _operator(">", compare=True), _operator(">=", compare=True), _operator("<", compare=True)
    le, eq, ne = _operator("<=", compare=True), _operator("=", compare=True), _operator("<>", compare=True)


def lift(value: object) -> Expr:
    if isinstance(value, Expr):
        return value
    if isinstance(value, str):
        return Text(value)
    if is_number(value):
        return Num(value)  # type: ignore[arg-type]
    raise TypeError(value)


@dataclass(frozen=True, eq=False)
class Ref(Expr):
    """The cell named ``key``."""

    key: str

    def excel(self, ref: Ref_ = str) -> str:
        return ref(self.key)

    def evaluate(self, values: Mapping[str, object]) -> object:
        value = values.get(self.key)
        if isinstance(value, float) and not math.isfinite(value):
            return None  # no cell holds one: read as no number, as the reader does
        return value


@dataclass(frozen=True, eq=False)
class Range(Expr):
    """Contiguous cells, rendered ``first:last``; ``cells`` names all of them, in order."""

    cells: tuple[str, ...]

    def excel(self, ref: Ref_ = str) -> str:
        return f"{ref(self.cells[0])}:{ref(self.cells[-1])}"

    def evaluate(self, values: Mapping[str, object]) -> object:
        return [values.get(k) for k in self.cells]


@dataclass(frozen=True, eq=False)
class Num(Expr):
    value: float

    def excel(self, ref: Ref_ = str) -> str:
        whole = float(self.value).is_integer()
        text = str(int(self.value)) if whole else repr(float(self.value))
        return f"({text})" if self.value < 0 else text

    def evaluate(self, values: Mapping[str, object]) -> object:
        return float(self.value)


@dataclass(frozen=True, eq=False)
class Text(Expr):
    value: str

    def excel(self, ref: Ref_ = str) -> str:
        return '"' + self.value.replace('"', '""') + '"'

    def evaluate(self, values: Mapping[str, object]) -> object:
        return self.value


EMPTY = Text("")

_PRECEDENCE = {"^": 5, "*": 4, "/": 4, "+": 3, "-": 3}


@dataclass(frozen=True, eq=False)
class Op(Expr):
    """A binary arithmetic operator. Rendered with the parentheses the tree needs, so that the spreadsheet
    parses the text into the same tree (a right operand of equal precedence keeps its parentheses: the
    floating-point result depends on the order)."""

    op: str
    left: Expr
    right: Expr

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return _PRECEDENCE[self.op]

    def excel(self, ref: Ref_ = str) -> str:
        left, right = self.left.excel(ref), self.right.excel(ref)
        if self.left.precedence < self.precedence:
            left = f"({left})"
        if self.right.precedence <= self.precedence:
            right = f"({right})"
        return f"{left}{self.op}{right}"

    def evaluate(self, values: Mapping[str, object]) -> object:
        a, b = _number(self.left.evaluate(values)), _number(self.right.evaluate(values))
        if self.op == "+":
            return _finite(a + b)
        if self.op == "-":
            return _finite(a - b)
        if self.op == "*":
            return _finite(a * b)
        if self.op == "/":
            if b == 0:
                raise ExcelError("#DIV/0!")
            return _finite(a / b)
        if (a == 0 and b <= 0) or (a < 0 and not float(b).is_integer()):
            raise ExcelError("#NUM!" if a < 0 or b < 0 else "#DIV/0!")
        try:
            return _finite(a**b)
        except OverflowError as error:
            raise ExcelError("#NUM!") from error


_COMPARISONS = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    "<>": operator.ne,
}


def _order(value: object) -> tuple[int, object]:
    """Excel's ordering across types: numbers < text < booleans; an empty cell is 0 or ""."""
    if isinstance(value, bool):
        return 2, value
    if isinstance(value, str):
        return 1, value.casefold()
    return 0, _number(value)


@dataclass(frozen=True, eq=False)
class Compare(Expr):
    op: str
    left: Expr
    right: Expr
    precedence = 1

    def excel(self, ref: Ref_ = str) -> str:
        left, right = self.left.excel(ref), self.right.excel(ref)
        if self.left.precedence <= self.precedence:
            left = f"({left})"
        if self.right.precedence <= self.precedence:
            right = f"({right})"
        return f"{left}{self.op}{right}"

    def evaluate(self, values: Mapping[str, object]) -> object:
        a, b = self.left.evaluate(values), self.right.evaluate(values)
        if a is None:
            a = "" if isinstance(b, str) else 0.0
        if b is None:
            b = "" if isinstance(a, str) else 0.0
        return _COMPARISONS[self.op](_order(a), _order(b))


@dataclass(frozen=True, eq=False)
class Function(Expr):
    """A function call: IF, AND, ISNUMBER, COUNT, SUM, MIN, MAX, ROUND, ROUNDDOWN."""

    name: str
    args: tuple[Expr, ...]

    def excel(self, ref: Ref_ = str) -> str:
        return f"{self.name}({','.join(a.excel(ref) for a in self.args)})"

    def evaluate(self, values: Mapping[str, object]) -> object:
        name, args = self.name, self.args
        if name == "IF":
            branch = args[1] if _truth(args[0].evaluate(values)) else args[2]
            return branch.evaluate(values)  # an empty cell stays empty here (ISNUMBER sees it); ``shown`` gives 0
        if name == "AND":
            return all([_truth(a.evaluate(values)) for a in args])
        if name == "ISNUMBER":
            try:
                return is_number(args[0].evaluate(values))
            except ExcelError:
                return False  # ISNUMBER of an error value is FALSE, not the error
        if name in _AGGREGATES:
            items: list[object] = []
            for a in args:
                value = a.evaluate(values)
                items.extend(value if isinstance(value, list) else [value])
            numbers = [float(v) for v in items if is_number(v)]  # type: ignore[arg-type]
            return _AGGREGATES[name](numbers)
        if name in ("ROUND", "ROUNDDOWN"):
            value, digits = _number(args[0].evaluate(values)), int(_number(args[1].evaluate(values)))
            return excel_round(value, digits, down=name == "ROUNDDOWN")
        raise ValueError(name)


# Over references these take numbers only (text, booleans and empty cells are skipped); MIN and MAX of no
# number are 0.
_AGGREGATES: dict[str, Callable[[list[float]], float]] = {
    "COUNT": lambda numbers: float(len(numbers)),
    "SUM": lambda numbers: _finite(sum(numbers)),
    "MIN": lambda numbers: min(numbers, default=0.0),
    "MAX": lambda numbers: max(numbers, default=0.0),
}


def IF(condition: Expr, then: object, otherwise: object) -> Expr:
    return Function("IF", (condition, lift(then), lift(otherwise)))


def AND(*conditions: Expr) -> Expr:
    return Function("AND", tuple(conditions))


def ISNUMBER(value: Expr) -> Expr:
    return Function("ISNUMBER", (value,))


def COUNT(*cells: Expr) -> Expr:
    return Function("COUNT", tuple(cells))


def SUM(*cells: Expr) -> Expr:
    return Function("SUM", tuple(cells))


def MIN(*cells: Expr) -> Expr:
    return Function("MIN", tuple(cells))


def MAX(*cells: Expr) -> Expr:
    return Function("MAX", tuple(cells))


def ROUND(value: Expr, digits: int) -> Expr:
    return Function("ROUND", (value, Num(digits)))


def ROUNDDOWN(value: Expr, digits: int) -> Expr:
    return Function("ROUNDDOWN", (value, Num(digits)))


def guarded(expr: Expr, numbers: Sequence[Expr], positive: Sequence[Expr] = (), nonzero: Sequence[Expr] = ()) -> Expr:
    """``expr`` when every cell of ``numbers`` holds a number and the sign conditions hold, else ""."""
    conditions = [c.gt(0) for c in positive] + [c.ne(0) for c in nonzero]
    inner = IF(AND(*conditions), expr, EMPTY) if conditions else expr
    return IF(AND(*(ISNUMBER(c) for c in numbers)), inner, EMPTY)


def shown(expression: Expr, values: Mapping[str, object]) -> object:
    """What a cell holding ``expression`` as its formula shows: a formula never shows an empty cell, so a bare
    reference to an empty cell shows 0 (raises ExcelError where the cell shows an error)."""
    value = expression.evaluate(values)
    return 0.0 if value is None else value


def result(value: object) -> object:
    """A formula's result as the rest of the code holds it: None for an empty cell ("")."""
    return None if value == "" else value
