"""Consistency: accounting identities between cells. When one fails, the finding names the one cell most
likely wrong (validators.errorlocate), with the value that would make everything agree."""

from __future__ import annotations

from collections.abc import Iterator

from kehoach.validators.context import PAST_KEYS, PLAN_KEYS, Context, as_number
from kehoach.validators.contract import CellRef
from kehoach.validators.errorlocate import Equation, locate
from kehoach.validators.findings import ERROR, WARNING, Hit
from kehoach.validators.registry import rule
from kehoach.workbook_templates import derived
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.formulas import SOURCES

SHARE_TOLERANCE = 0.1  # percentage points
MONEY_TOLERANCE = 0.5  # million đồng: rounding of typed amounts


def _located(
    ctx: Context,
    equations: list[tuple[Equation, dict[str, object]]],
    values: dict[CellRef, float],
    indicators: dict[CellRef, str],
) -> Iterator[Hit]:
    """One finding per suspect cell; the message describes the first identity its change repairs."""
    details = {id(equation): info for equation, info in equations}

    def admissible(cell: CellRef, value: float) -> bool:
        if cell not in indicators:
            return value >= 0
        indicator = ctx.catalog.indicator(indicators[cell])
        return (indicator.min is None or value >= indicator.min) and (indicator.max is None or value <= indicator.max)

    def overwritten(cell: CellRef) -> bool:
        return ctx.sub.book.sheets[cell.sheet].has_formula(cell.row, cell.col) is False and cell.sheet == L.GRDP

    keys = {col: key for key, col in ctx.sub.indicators.columns.items()} if ctx.sub.indicators else {}
    series = (*PAST_KEYS, *PLAN_KEYS)

    def expected(cell: CellRef) -> float | None:
        """The mean of the cell's neighbouring years in its own row (None off the indicator table)."""
        key = keys.get(cell.col) if cell in indicators else None
        if key not in series:
            return None
        indicator = ctx.catalog.indicator(indicators[cell])
        position = series.index(key)
        near = [ctx.number(indicator, series[p]) for p in (position - 1, position + 1) if 0 <= p < len(series)]
        near = [n for n in near if n is not None]
        return sum(near) / len(near) if near else None

    for suspect in locate([e for e, _ in equations], values, admissible, overwritten, expected):
        equation = suspect.fixes[0]
        left, right = equation.sides(values)
        yield Hit.at(
            suspect.cell,
            indicators.get(suspect.cell, ""),
            suspect.suggested,
            left=left,
            right=right,
            typed=suspect.typed,
            suggested=suspect.suggested,
            **details[id(equation)],
        )


@rule(
    "K001",
    ERROR,
    "Tổng không khớp",
    "{label} ({column}): {left} so với tổng {right}. Ô này có khả năng sai nhất: đang là {typed}, để khớp cần là "
    "{suggested}.",
    "Sum does not add up",
    "{label} ({column}): {left} against the sum {right}. This cell is the most likely wrong: it holds {typed}; "
    "{suggested} would make it add up.",
    values=("label", "column", "left", "right", "typed", "suggested"),
)
def sums_add_up(ctx: Context) -> Iterator[Hit]:
    """Shares of GRDP sum to 100 % (within 0.1 point), and the catalog's sum identities hold, year by year
    (indicator table); the GRDP sheet's sector shares sum to 100 %. A sum of shares whose target left product
    taxes out of the denominator (identities.csv ``excluding``) is checked as a share of the rest."""
    yield from _shares_of_the_rest(ctx)
    equations, values, indicators = _identity_equations(ctx, "sum")
    sectors = [s.code for s in ctx.catalog.grdp_sectors]
    for basis, _title in L.GRDP_BASES:
        for year in L.YEARS_PAST:
            cells = [ctx.grdp_cell(f"{basis}.share.{s}", year) for s in sectors]
            numbers = [ctx.grdp_number(f"{basis}.share.{s}", year) for s in sectors]
            if any(c is None for c in cells) or any(n is None for n in numbers):
                continue
            values.update(zip(cells, numbers, strict=True))
            equation = Equation("sum", tuple(cells), None, 100.0, SHARE_TOLERANCE)
            equations.append((equation, {"label": "Cơ cấu kinh tế trên trang GRDP", "column": f"{basis}, {year}"}))
    yield from _located(ctx, equations, values, indicators)


def _shares_of_the_rest(ctx: Context) -> Iterator[Hit]:
    """result = sum(terms) / (100 - sum(excluding)) * 100, year by year; the hit is at the result's cell."""
    labels = {c.key: c.header_vi for c in L.indicator_columns()}
    present = {i.code: i for i in ctx.indicators}
    for identity in ctx.catalog.identities:
        codes = (*identity.terms, *identity.excluding, identity.result)
        if not identity.excluding or any(code not in present for code in codes):
            continue
        result = present[identity.result]
        for key in (*PAST_KEYS, *PLAN_KEYS):
            if not ctx.has_column(key):
                continue
            terms = [ctx.number(present[c], key) for c in identity.terms]
            excluded = [ctx.number(present[c], key) for c in identity.excluding]
            typed = ctx.number(result, key)
            if typed is None or any(n is None for n in (*terms, *excluded)) or sum(excluded) >= 100:  # type: ignore[arg-type]
                continue
            expected = sum(terms) / (100 - sum(excluded)) * 100  # type: ignore[arg-type]
            if abs(typed - expected) > identity.tolerance:
                suggested = round(expected, result.decimals)
                yield Hit.at(
                    ctx.cell(result, key),
                    result.code,
                    suggested,
                    label=identity.label_vi,
                    column=labels[key],
                    left=typed,
                    right=expected,
                    typed=typed,
                    suggested=suggested,
                )


def _identity_equations(
    ctx: Context, kind: str
) -> tuple[list[tuple[Equation, dict[str, object]]], dict[CellRef, float], dict[CellRef, str]]:
    labels = {c.key: c.header_vi for c in L.indicator_columns()}
    present = {i.code: i for i in ctx.indicators}
    equations: list[tuple[Equation, dict[str, object]]] = []
    values: dict[CellRef, float] = {}
    indicators: dict[CellRef, str] = {}
    for identity in ctx.catalog.identities:
        if identity.kind != kind or identity.excluding or any(code not in present for code in identity.codes):
            continue
        result_code = None if identity.result not in present else identity.result
        for key in (*PAST_KEYS, *PLAN_KEYS):
            if not ctx.has_column(key):
                continue
            codes = [*identity.terms, *([result_code] if result_code else [])]
            numbers = [ctx.number(present[c], key) for c in codes]
            if any(n is None for n in numbers):
                continue
            cells = [ctx.cell(present[c], key) for c in codes]
            values.update(zip(cells, numbers, strict=True))
            indicators.update(zip(cells, codes, strict=True))
            terms = tuple(cells[: len(identity.terms)])
            result = cells[-1] if result_code else None
            constant = 0.0 if result_code else float(identity.result)
            equation = Equation(kind, terms, result, constant, identity.tolerance, identity.relative)
            equations.append((equation, {"label": identity.label_vi, "column": labels[key]}))
    return equations, values, indicators


@rule(
    "K002",
    ERROR,
    "Đóng góp không khớp tốc độ tăng",
    "Tổng đóng góp của các khu vực ({right} điểm %) không bằng tốc độ tăng GRDP ({left}%) năm {year} ({basis}). "
    "Ô này có khả năng sai nhất: đang là {typed}, để khớp cần là {suggested}.",
    "Contributions do not add up to growth",
    "Sector contributions ({right} points) do not add up to GRDP growth ({left}%) in {year} ({basis}). This cell "
    "is the most likely wrong: it holds {typed}; {suggested} would fix it.",
    values=("year", "basis", "left", "right", "typed", "suggested"),
)
def contributions_add_up(ctx: Context) -> Iterator[Hit]:
    """On the GRDP sheet, sector contributions to growth sum to GRDP growth, year by year (0.1 point)."""
    sectors = [s.code for s in ctx.catalog.grdp_sectors]
    equations, values = [], {}
    for basis, _title in L.GRDP_BASES:
        for year in L.YEARS_PAST[1:]:
            keys = [f"{basis}.contribution.{s}" for s in sectors] + [f"{basis}.growth.total"]
            cells = [ctx.grdp_cell(k, year) for k in keys]
            numbers = [ctx.grdp_number(k, year) for k in keys]
            if any(c is None for c in cells) or any(n is None for n in numbers):
                continue
            values.update(zip(cells, numbers, strict=True))
            equation = Equation("sum", tuple(cells[:-1]), cells[-1], 0.0, SHARE_TOLERANCE)
            equations.append((equation, {"year": str(year), "basis": basis}))
    yield from _located(ctx, equations, values, {})


@rule(
    "K003",
    ERROR,
    "Tỷ số không khớp",
    "{label} ({column}): {left} so với {right} tính từ các chỉ tiêu thành phần. Ô này có khả năng sai nhất: đang là "
    "{typed}, để khớp cần là {suggested}.",
    "Ratio does not agree",
    "{label} ({column}): {left} against {right} computed from its parts. This cell is the most likely wrong: it "
    "holds {typed}; {suggested} would make it agree.",
    values=("label", "column", "left", "right", "typed", "suggested"),
)
def ratios_agree(ctx: Context) -> Iterator[Hit]:
    """The catalog's ratio identities hold year by year (GRDP per capita = GRDP / population, within 2 %)."""
    equations, values, indicators = _identity_equations(ctx, "ratio")
    yield from _located(ctx, equations, values, indicators)


@rule(
    "K004",
    ERROR,
    "Nguồn vốn không khớp tổng nhu cầu vốn",
    "Dự án «{project}»: nhu cầu vốn 2021-2025 là {left} triệu đồng nhưng cộng các nguồn vốn là {right}. Ô này có "
    "khả năng sai nhất: đang là {typed}, để khớp cần là {suggested}.",
    "Capital sources do not add up",
    "Project «{project}»: the 2021-2025 need is {left} million đồng but its sources add up to {right}. This cell "
    "is the most likely wrong: it holds {typed}; {suggested} would fix it.",
    values=("project", "left", "right", "typed", "suggested"),
)
def sources_add_up(ctx: Context) -> Iterator[Hit]:
    """Each public-investment project's 2021-2025 capital need by source (central budget, local budget, ODA,
    other) sums to its 2021-2025 need in total (within 0.5 million đồng)."""
    table = ctx.sub.projects
    if table is None:
        return
    sources = list(SOURCES)
    for row_key, row in ctx.sub.project_rows.items():
        if row_key == L.PROJECT_TOTAL_KEY or any(k not in table.columns for k in [*sources, "need_total"]):
            continue
        need = as_number(table.value(row, "need_total"))
        amounts = {k: as_number(table.value(row, k)) for k in sources}
        if need is None or all(v is None for v in amounts.values()):
            continue
        cells = [table.cell(row, k) for k in sources]
        values = {c: amounts[k] or 0.0 for c, k in zip(cells, sources, strict=True)}
        values[table.cell(row, "need_total")] = need
        equation = Equation("sum", tuple(cells), table.cell(row, "need_total"), 0.0, MONEY_TOLERANCE)
        project = table.value(row, "project") or row_key
        yield from _located(ctx, [(equation, {"project": project})], values, {})


@rule(
    "K006",
    WARNING,
    "Nhầm số liệu trước và sau đánh giá lại",
    "GRDP năm {year} theo số liệu đã đánh giá lại ({revalued} tỷ đồng) giống hệt số liệu chưa đánh giá lại "
    "({old} tỷ đồng) ở mọi khu vực: có thể đã chép nhầm một bộ số liệu sang bộ kia.",
    "Old and revalued series mixed up",
    "GRDP in {year} on the revalued basis ({revalued}) is identical to the old basis ({old}) in every sector: one "
    "series may have been copied over the other.",
    values=("year", "revalued", "old"),
)
def bases_not_mixed(ctx: Context) -> Iterator[Hit]:
    """On the GRDP sheet, the revalued series is not an identical copy of the old one. (Revaluation moved a
    province's GRDP either way: the sum of the provinces was reconciled with the national figure, so many
    provinces' GRDP fell; Trà Vinh's per capita went from about 65 to about 61 million in 2020.)"""
    sectors = [s.code for s in ctx.catalog.grdp_sectors]
    for price in ("current", "constant"):
        for year in L.YEARS_PAST:
            old = [ctx.grdp_number(f"old.{price}.{s}", year) for s in sectors]
            new = [ctx.grdp_number(f"revalued.{price}.{s}", year) for s in sectors]
            if any(v is None for v in old + new):
                continue
            if new == old:
                yield Hit.at(
                    ctx.grdp_cell(f"revalued.{price}.{sectors[0]}", year),
                    year=str(year),
                    revalued=sum(new),
                    old=sum(old),
                )


@rule(
    "K007",
    ERROR,
    "Biểu chỉ tiêu và trang GRDP không khớp",
    "Chỉ tiêu «{name}» năm {year} ({basis}) là {value} ở ô này, nhưng trang GRDP tính ra {sheet_value} (ô "
    "{grdp_cell} trang GRDP). Hai nơi cùng một số liệu phải khớp; hãy sửa nơi sai.",
    "Indicator table and GRDP sheet disagree",
    "«{name}» in {year} ({basis}) is {value} here but the GRDP sheet computes {sheet_value} (cell {grdp_cell} of "
    "the GRDP sheet). The same figure must agree in both places.",
    values=("name", "year", "basis", "value", "sheet_value", "grdp_cell"),
)
def table_matches_grdp_sheet(ctx: Context) -> Iterator[Hit]:
    """In the Statistics Office's workbook, the indicators its GRDP sheet also computes (catalog grdp_links.csv:
    GRDP growth, GRDP at current prices, per capita, the sector shares) agree with the sheet year by year, within
    the rounding of the indicator's decimals: 2015-2020 on the old basis, and the revalued 2020 figure on the
    revalued basis. The sheet's values are recomputed from its inputs, never read from its formulas."""
    if ctx.sub.grdp is None or not ctx.catalog.grdp_links:
        return
    sectors = [s.code for s in ctx.catalog.grdp_sectors]
    inputs = {
        row.key: {year: ctx.grdp_number(row.key, year) for year in L.YEARS_PAST}
        for row in L.grdp_rows(ctx.catalog)
        if row.role == "input"
    }
    computed = derived.grdp_derived(inputs, sectors, [b for b, _ in L.GRDP_BASES], L.YEARS_PAST)
    present = {i.code: i for i in ctx.indicators}
    columns = [(key, year, "old") for key, year in zip(PAST_KEYS, L.YEARS_PAST, strict=True)]
    columns.append(("estimate_2020_revalued", L.YEARS_PAST[-1], "revalued"))
    for code, grdp_row in ctx.catalog.grdp_links:
        indicator = present.get(code)
        if indicator is None:
            continue
        for key, year, basis in columns:
            if not ctx.has_column(key) or not L.takes_input(indicator, key):
                continue
            value, sheet_value = ctx.number(indicator, key), computed[f"{basis}.{grdp_row}"].get(year)
            if value is None or sheet_value is None:
                continue
            if abs(value - sheet_value) > 0.5 * 10 ** (-indicator.decimals) + 1e-9 * abs(sheet_value):
                yield Hit.at(
                    ctx.cell(indicator, key),
                    code,
                    round(sheet_value, indicator.decimals),
                    name=indicator.name_vi,
                    year=str(year),
                    basis="chưa đánh giá lại" if basis == "old" else "đã đánh giá lại",
                    value=value,
                    sheet_value=sheet_value,
                    grdp_cell=ctx.grdp_cell(f"{basis}.{grdp_row}", year).a1,
                )
