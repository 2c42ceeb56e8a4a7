"""`kehoach scenarios`: growth scenarios 2021-2025 from the Statistics Office's 2020 GRDP."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from kehoach.cli import exit_codes
from kehoach.cli.lang import message, text
from kehoach.cli.output import FORMAT_OPTION, emit_json, fail, fail_to_write, say

if TYPE_CHECKING:
    from kehoach.scenarios.model import Base, Projection, Target

DEFAULT_OUTPUT = Path("phuong-an-tang-truong.xlsx")
VERDICT_EN = {"Vượt": "above", "Đạt": "meets", "Không đạt": "below"}


@click.command("scenarios")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Bảng tính phương án sẽ ghi (mặc định {DEFAULT_OUTPUT} trong thư mục hiện tại; "
    "với --format json chỉ ghi khi có -o).",
)
@click.option(
    "--assumptions",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Tệp CSV giả định tốc độ tăng của các phương án (mặc định: giả định minh họa đi kèm; "
    "cột và cách sửa: docs/scenarios.md).",
)
@click.option(
    "--target",
    default=None,
    help="Mục tiêu tăng GRDP bình quân/năm (%): một mức (9) hoặc một khoảng (9-10). Mặc định: 9-10 theo Chỉ thị.",
)
@click.option(
    "--icor",
    type=float,
    default=None,
    help="Hệ số ICOR cho mọi phương án trong trang «Cân đối lớn» (mặc định: giả định minh họa từng phương án).",
)
@FORMAT_OPTION
def scenarios(
    source: Path,
    output: Path | None,
    assumptions: Path | None,
    target: str | None,
    icor: float | None,
    output_format: str,
) -> None:
    """Lập các phương án tăng trưởng 2021-2025 (thấp, cơ sở, cao) từ GRDP năm 2020 của Cục Thống kê.

    \b
    SOURCE là tệp của Cục Thống kê (có trang «GRDP») hoặc tệp tổng hợp của `kehoach merge` (khi đó
    số liệu lấy từ tệp Cục Thống kê đã được tổng hợp, qua sổ theo dõi <tên>.ledger.sqlite bên cạnh).
    Bảng tính ghi ra có trang «Phương án tăng trưởng»: mọi kết quả là công thức Excel, sửa tốc độ tăng ở
    ô màu vàng thì GRDP, tốc độ tăng, cơ cấu, đóng góp và GRDP bình quân đầu người tự tính lại.
    Trang «Cân đối lớn»: vốn đầu tư cần có theo ICOR so với tổng vốn đầu tư kế hoạch, thu - chi ngân sách,
    lao động - việc làm, xuất khẩu (số kế hoạch lấy từ tệp tổng hợp khi SOURCE là tệp tổng hợp).
    --format json: các số liệu ra stdout (docs/scenarios.md).
    Mã thoát: 0 thành công; 2 dùng lệnh sai, không đọc được tệp, thiếu số liệu năm 2020,
              tệp giả định sai hoặc không ghi được bảng tính.
    """
    from kehoach.scenarios.assumptions import AssumptionError, load_scenarios
    from kehoach.scenarios.base import BaseError, load_base
    from kehoach.scenarios.model import DIRECTIVE_TARGET, project
    from kehoach.scenarios.sheet import write_scenario_workbook
    from kehoach.workbook_templates import layout as L
    from kehoach.workbook_templates.catalog import CatalogError, load_catalog

    goal = parse_target(target) if target is not None else DIRECTIVE_TARGET
    try:
        catalog = load_catalog()
        base, warnings = load_base(source, catalog)
        plans = load_scenarios(base.sectors, L.YEARS_PLAN, assumptions)
    except (CatalogError, BaseError, AssumptionError) as error:
        fail(message(error), exit_codes.USAGE)
    for warning in warnings:
        say(text("Cảnh báo: ", "Warning: ") + message(warning))
    written = output if output is not None or output_format == "json" else DEFAULT_OUTPUT
    if written is not None:
        try:
            write_scenario_workbook(written, catalog, base, plans, goal, _plan_figures(source, catalog), icor)
        except OSError as error:
            fail_to_write(error, written, "bảng tính", "the workbook")
    projections = [project(base, plan) for plan in plans]
    if output_format == "json":
        emit_json(summary(base, projections, goal, written))
    else:
        print_summary(projections, goal, written, {s.code: s.name_vi for s in catalog.grdp_sectors})


def _plan_figures(source: Path, catalog: object) -> object:
    """The plan's figures for the major balances when SOURCE is a master (it has a ledger beside it); None
    otherwise: the balance sheet's plan cells stay empty."""
    from kehoach.master.ledger import ledger_path
    from kehoach.master.read import MasterReadError, read_plan
    from kehoach.scenarios.balances import figures_from_plan

    if not ledger_path(source).is_file():
        return None
    try:
        return figures_from_plan(read_plan(source, catalog))
    except MasterReadError as error:  # a master it cannot read: the balances still show the need
        say(
            text(
                f"Cảnh báo: không lấy được số liệu kế hoạch từ tệp tổng hợp ({error}); các ô kế hoạch để trống.",
                f"Warning: the plan's figures could not be read from the master ({message(error)}); "
                "the plan cells are left empty.",
            )
        )
        return None


def parse_target(text: str) -> Target:
    """The target typed as "9", "9-10" or "9,5 - 10 %"; a message and exit 2 otherwise."""
    from kehoach.cli.lang import text as lang_text
    from kehoach.scenarios.model import Target
    from kehoach.validators.numbers import parse_vi_number

    parts = [parse_vi_number(part.replace("%", "")) for part in text.split("-")]
    if not 1 <= len(parts) <= 2 or any(p is None for p in parts):
        fail(
            lang_text(
                f"mục tiêu «{text}» không hợp lệ: ghi một mức (9) hoặc một khoảng (9-10), đơn vị %/năm.",
                f"target «{text}» is not valid: give one rate (9) or a range (9-10), in %/year.",
            ),
            exit_codes.USAGE,
        )
    values = [p.value for p in parts if p is not None]
    low, high = values[0], values[1] if len(values) == 2 else None
    if high is not None and high < low:
        fail(
            lang_text(
                f"mục tiêu «{text}»: mức cao nhỏ hơn mức thấp.", f"target «{text}»: the high end is below the low."
            ),
            exit_codes.USAGE,
        )
    return Target(low, high)


def summary(base: Base, projections: list[Projection], target: Target, workbook: Path | None) -> dict:
    """The JSON of `--format json` (documented in docs/scenarios.md)."""
    from kehoach.scenarios.model import required_growth

    def series(values: dict[int, float | None], years: tuple[int, ...]) -> list[float | None]:
        return [values[y] for y in years]

    out = []
    for p in projections:
        years = p.plan_years
        out.append(
            {
                "name": p.scenario.key,
                "name_vi": p.scenario.name_vi,
                "years": list(years),
                "grdp_growth": series(p.growth, years),
                "average_growth": p.average_growth,
                "verdict": p.verdict(target),
                "structure": {s: series(v, years) for s, v in p.structure.items()},
                "contributions": {s: series(v, years) for s, v in p.contributions.items()},
                "grdp_per_capita": series(p.per_capita, years),
                "grdp_constant": series(p.constant_total, years),
                "grdp_current": series(p.current_total, years),
                "population": series(p.population, years),
                "required_growth": {
                    s: series(required_growth(base, p.scenario, s, target.low), years) for s in base.sectors
                },
            }
        )
    return {
        "base": {
            "year": base.year,
            "source": base.source,
            "constant": dict(base.constant),
            "current": dict(base.current),
            "population": base.population,
        },
        "target": {"low": target.low, "high": target.high},
        "scenarios": out,
        "workbook": str(workbook) if workbook else None,
    }


def print_summary(
    projections: list[Projection], target: Target, workbook: Path | None, sector_names: dict[str, str]
) -> None:
    from kehoach.cli.lang import current
    from kehoach.validators.numbers import format_number

    def number(value: float | None) -> str:
        return "?" if value is None else format_number(round(value, 2), current())

    goal = number(target.low) + (f"-{number(target.high)}" if target.high is not None else "")
    lines = (
        [text(f"Đã ghi bảng tính phương án: {workbook}", f"Scenario workbook written: {workbook}")] if workbook else []
    )
    for p in projections:
        last = p.years[-1]
        if current() == "en":
            structure = "; ".join(f"«{sector_names[s]}» {number(v[last])} %" for s, v in p.structure.items())
            verdict = VERDICT_EN.get(p.verdict(target) or "", "?")
            lines += [
                f"Scenario {p.scenario.key} «{p.scenario.name_vi}»: average GRDP growth {number(p.average_growth)} "
                f"%/year ({verdict} the target of {goal} %/year).",
                f"  Year {last}: GRDP {number(p.current_total[last])} billion dong (current prices), per capita "
                f"{number(p.per_capita[last])} million dong.",
                f"  Economic structure in {last}: {structure}.",
            ]
            continue
        structure = "; ".join(f"{sector_names[s]} {number(v[last])} %" for s, v in p.structure.items())
        lines += [
            f"{p.scenario.name_vi}: GRDP tăng bình quân {number(p.average_growth)} %/năm "
            f"({p.verdict(target)} mục tiêu {goal} %/năm).",
            f"  Năm {last}: GRDP {number(p.current_total[last])} tỷ đồng (giá hiện hành), bình quân đầu người "
            f"{number(p.per_capita[last])} triệu đồng/người.",
            f"  Cơ cấu kinh tế năm {last}: {structure}.",
        ]
    click.echo("\n".join(lines))
