"""The expression layer: what each node renders and computes, and, for random expressions over random cells,
that ``evaluate`` gives what LibreOffice computes from the rendered formula."""

from __future__ import annotations

import math
import random
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from kehoach.workbook_templates import expr as X
from kehoach.workbook_templates.expr import AND, COUNT, EMPTY, IF, ISNUMBER, ROUND, ROUNDDOWN, SUM, Num, Ref

from tests.support.libreoffice import recalculate

a, b, c, d = Ref("a"), Ref("b"), Ref("c"), Ref("d")


def test_rendering_keeps_the_tree() -> None:
    assert ((a + b) * c).excel() == "(a+b)*c"
    assert (a + b * c).excel() == "a+b*c"
    assert (a - (b - c)).excel() == "a-(b-c)"
    assert (a - b - c).excel() == "a-b-c"
    assert (a + (b + c)).excel() == "a+(b+c)"  # floating-point addition is not associative
    assert ((a / b) ** (Num(1) / 5)).excel() == "(a/b)^(1/5)"
    assert (a * Num(-1)).excel() == "a*(-1)"
    assert IF(a.ge(b + 1), "Đạt", EMPTY).excel(str.upper) == 'IF(A>=B+1,"Đạt","")'
    assert X.Text('say "hi"').excel() == '"say ""hi"""'
    assert SUM(X.Range(("x1", "x2", "x3"))).excel() == "SUM(x1:x3)"


def test_isnumber_accepts_numbers_only() -> None:
    check = ISNUMBER(a)
    assert check.evaluate({"a": 1.5}) is True
    assert check.evaluate({"a": 0}) is True
    for value in (None, "12", "", True, float("nan")):
        assert check.evaluate({"a": value}) is False, value


def test_guards_and_empty_results() -> None:
    ratio = X.guarded(a / b * 100, [a, b], nonzero=[b])
    assert ratio.evaluate({"a": 1, "b": 4}) == 25.0
    assert ratio.evaluate({"a": 1, "b": 0}) == ""
    assert ratio.evaluate({"a": "1", "b": 4}) == ""
    assert ratio.evaluate({"b": 4}) == ""
    assert X.result(ratio.evaluate({"b": 4})) is None


def test_arithmetic_errors_are_raised() -> None:
    with pytest.raises(X.ExcelError):
        (a / b).evaluate({"a": 1, "b": 0})
    with pytest.raises(X.ExcelError):
        (a + b).evaluate({"a": "x", "b": 1})
    assert (a + b).evaluate({"a": "12", "b": 1}) == 13.0  # a text that is plainly a number is one
    assert ISNUMBER(a / b).evaluate({"a": 1, "b": 0}) is False  # ISNUMBER of an error is FALSE
    with pytest.raises(X.ExcelError):
        (a ** Num(0.5)).evaluate({"a": -4})
    assert (a + b).evaluate({"a": None, "b": 2}) == 2.0  # an empty cell is 0 in arithmetic
    assert IF(a.gt(0), "x", (a / b)).evaluate({"a": 1, "b": 0}) == "x"  # IF evaluates one branch only


def test_count_and_sum_take_numbers_only() -> None:
    cells = [a, b, c, d]
    values = {"a": 1.0, "b": "2", "c": None, "d": 4.5}
    assert COUNT(*cells).evaluate(values) == 2
    assert SUM(*cells).evaluate(values) == 5.5
    assert SUM(X.Range(("a", "b", "c", "d"))).evaluate(values) == 5.5


def test_round_as_the_spreadsheets() -> None:
    # Half away from zero on 15 significant digits: 2.675 and 8.495 are a hair below in binary, and still
    # round up, as in Excel and LibreOffice; negative halves go away from zero.
    cases = {(2.675, 2): 2.68, (8.495, 2): 8.5, (-2.5, 0): -3.0, (8.499999999999996, 2): 8.5, (1234.5, -2): 1200.0}
    for (value, digits), expected in cases.items():
        assert ROUND(a, digits).evaluate({"a": value}) == expected, value
    assert ROUNDDOWN(a, 2).evaluate({"a": 99.9999}) == 99.99
    assert ROUNDDOWN(a, 2).evaluate({"a": -1.239}) == -1.23
    assert ROUNDDOWN(a, 2).evaluate({"a": 100.0}) == 100.0


def test_comparisons_across_types() -> None:
    assert a.gt(b).evaluate({"a": "abc", "b": 1e9}) is True  # text sorts after numbers
    assert a.eq(b).evaluate({"a": None, "b": 0}) is True
    assert a.eq(b).evaluate({"a": None, "b": ""}) is True
    assert AND(a.ge(1), b.lt(2)).evaluate({"a": 1, "b": 1.999}) is True


# --- random expressions against LibreOffice --------------------------------------------------------------

KEYS = ("a", "b", "c", "d")
SAMPLES = 400


def _cell_value(rng: random.Random) -> object:
    roll = rng.random()
    if roll < 0.08:
        return None
    if roll < 0.14:
        return rng.choice(["abc", "12", " "])
    if roll < 0.22:
        return rng.choice([0.0, 2.675, 8.495, -2.5, 8.5, 1.005, 100.0])
    return round(rng.uniform(-20, 20), rng.choice([0, 1, 2, 3]))


def _number(rng: random.Random, depth: int) -> X.Expr:
    refs = [Ref(k) for k in KEYS]
    if depth == 0:
        return rng.choice(refs) if rng.random() < 0.8 else Num(rng.choice([0, 1, 2, 5, 100, 0.5, -3]))
    kind = rng.choice(["op", "op", "op", "if", "round", "rounddown", "sum", "count", "pow", "leaf"])
    if kind == "op":
        op = rng.choice(["+", "-", "*", "/"])
        return X.Op(op, _number(rng, depth - 1), _number(rng, depth - 1))
    if kind == "if":
        return IF(_condition(rng, depth - 1), _number(rng, depth - 1), rng.choice([EMPTY, _number(rng, depth - 1)]))
    if kind in ("round", "rounddown"):
        return (ROUND if kind == "round" else ROUNDDOWN)(_number(rng, depth - 1), rng.choice([0, 1, 2, 3]))
    if kind == "sum":
        return SUM(*rng.sample(refs, k=rng.randint(1, 4)))
    if kind == "count":
        return COUNT(*rng.sample(refs, k=rng.randint(1, 4)))
    if kind == "pow":
        return _number(rng, depth - 1) ** Num(rng.choice([2, 0.5]))
    return _number(rng, 0)


def _condition(rng: random.Random, depth: int) -> X.Expr:
    kind = rng.choice(["compare", "compare", "and", "isnumber"])
    if kind == "compare" or depth == 0:
        op = rng.choice([">", ">=", "<", "<=", "=", "<>"])
        return X.Compare(op, _number(rng, max(depth - 1, 0)), _number(rng, max(depth - 1, 0)))
    if kind == "and":
        return AND(_condition(rng, depth - 1), _condition(rng, depth - 1))
    return ISNUMBER(_number(rng, depth - 1))


def _python(expression: X.Expr, values: dict[str, object]) -> object:
    try:
        return X.shown(expression, values)
    except X.ExcelError:
        return "#ERROR"


def _libreoffice(value: object) -> object:
    if isinstance(value, str) and (value.startswith("#") or value.startswith("Err:")):
        return "#ERROR"
    return value


def _same(actual: object, expected: object) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual == expected
    if isinstance(expected, float) and isinstance(actual, int | float):
        return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)
    if expected == "":
        return actual in ("", None)
    return actual == expected


def test_random_expressions_evaluate_as_libreoffice(tmp_path: Path) -> None:
    rng = random.Random(20200710)
    cases = []
    path = tmp_path / "expressions.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("E")
    for row in range(SAMPLES):
        values = {k: _cell_value(rng) for k in KEYS}
        expression = _condition(rng, 2) if rng.random() < 0.15 else _number(rng, rng.randint(1, 3))
        for col, key in enumerate(KEYS):
            value = values[key]
            if isinstance(value, str):
                sheet.write_string(row, col, value)
            elif value is not None:
                sheet.write_number(row, col, value)
        formula = expression.excel(lambda key, r=row: f"{'ABCD'[KEYS.index(key)]}{r + 1}")
        sheet.write_formula(row, len(KEYS), "=" + formula)
        cases.append((formula, values, _python(expression, values)))
    book.close()
    (recalculated,) = recalculate([path], tmp_path / "recalc")
    shown = openpyxl.load_workbook(recalculated, data_only=True)["E"]
    mismatches = [
        (formula, values, expected, actual)
        for row, (formula, values, expected) in enumerate(cases)
        if not _same(actual := _libreoffice(shown.cell(row=row + 1, column=len(KEYS) + 1).value), expected)
    ]
    assert not mismatches, mismatches[:10]
