"""`kehoach report`: the DPI's draft report (Word, and PDF for the portal) from the master."""

from __future__ import annotations

from pathlib import Path

import click
from kehoach.cli import exit_codes
from kehoach.cli.lang import message, text
from kehoach.cli.output import fail, fail_to_write, say

DEFAULT_OUTPUT = Path("du-thao-bao-cao.docx")


@click.command("report")
@click.argument("master", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_OUTPUT,
    show_default=True,
    help="Tệp Word (.docx) dự thảo báo cáo sẽ ghi.",
)
@click.option(
    "--template",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Mẫu Word (.docx) có các ô giữ chỗ của Sở (mặc định: mẫu đi kèm; cách sửa: docs/report.md).",
)
@click.option(
    "--pdf", is_flag=True, help="Ghi thêm bản PDF cạnh tệp Word (cần LibreOffice) để đăng lên cổng thông tin."
)
@click.option(
    "--assumptions",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Tệp CSV giả định của các phương án tăng trưởng (như kehoach scenarios).",
)
@click.option("--target", default=None, help="Mục tiêu tăng GRDP bình quân/năm (%), mặc định 9-10.")
@click.option(
    "--icor", type=float, default=None, help="Hệ số ICOR cho mọi phương án (mặc định: giả định từng phương án)."
)
def report(
    master: Path,
    output: Path,
    template: Path | None,
    pdf: bool,
    assumptions: Path | None,
    target: str | None,
    icor: float | None,
) -> None:
    """Lập dự thảo Báo cáo đánh giá thực hiện Kế hoạch 5 năm 2016-2020 và Kế hoạch 5 năm 2021-2025 (Word).

    \b
    MASTER là tệp tổng hợp của `kehoach merge`. Dự thảo theo thể thức Nghị định 30/2020/NĐ-CP: phần I
    đánh giá 2016-2020 (số chỉ tiêu vượt, đạt, không đạt; nguyên nhân; đánh giá của từng lĩnh vực), phần II
    kế hoạch 2021-2025 (mục tiêu, phương án tăng trưởng, cân đối lớn, đầu tư công, nhiệm vụ và giải pháp),
    các biểu phụ lục. Nội dung còn thiếu được đánh dấu vàng «[Cần bổ sung]».
    --pdf: ghi thêm bản PDF (LibreOffice).
    Mã thoát: 0 đã ghi dự thảo; 2 dùng lệnh sai, không đọc được tệp tổng hợp hoặc mẫu, không ghi được tệp,
              không chuyển được sang PDF.
    """
    from kehoach.cli.scenarios_cmd import parse_target
    from kehoach.report.draft import build_context, render
    from kehoach.scenarios.model import DIRECTIVE_TARGET
    from kehoach.workbook_templates.catalog import CatalogError, load_catalog

    if not master.is_file():
        fail(text(f"không tìm thấy tệp tổng hợp «{master}».", f"master «{master}» not found."), exit_codes.USAGE)
    if template is not None and not template.is_file():
        fail(text(f"không tìm thấy mẫu Word «{template}».", f"Word template «{template}» not found."), exit_codes.USAGE)
    if output.suffix.lower() != ".docx":
        fail(
            text(f"tệp dự thảo «{output}» phải có đuôi .docx.", f"the draft «{output}» must end in .docx."),
            exit_codes.USAGE,
        )
    goal = parse_target(target) if target is not None else DIRECTIVE_TARGET
    try:
        catalog = load_catalog()
    except CatalogError as error:
        fail(message(error), exit_codes.USAGE)
    plan = _read_plan(master, catalog)
    scenarios = _scenarios(master, catalog, assumptions, goal, icor)
    if scenarios.problem:
        say(
            text(
                f"Cảnh báo: chưa lập được phương án tăng trưởng ({scenarios.problem}); dự thảo ghi rõ chỗ thiếu.",
                f"Warning: no growth scenarios ({message(scenarios.problem)}); the draft says what is missing.",
            )
        )
    context = build_context(plan, scenarios)
    try:
        render(context, output, template)
    except OSError as error:
        fail_to_write(error, output, "dự thảo", "the draft")
    except Exception as error:  # a template the DPI edited may hold a broken placeholder
        fail(
            text(
                f"mẫu Word «{template or 'mặc định'}» có ô giữ chỗ không hợp lệ ({type(error).__name__}: {error}). "
                "Xem docs/report.md.",
                f"the Word template «{template or 'default'}» has an invalid placeholder "
                f"({type(error).__name__}: {error}). See docs/report.md.",
            ),
            exit_codes.USAGE,
        )
    say(text(f"Đã ghi dự thảo báo cáo: {output}", f"Draft report written: {output}"))
    if pdf:
        from kehoach.report.pdf import PdfError, to_pdf

        try:
            written = to_pdf(output)
        except PdfError as error:
            fail(message(error), exit_codes.USAGE)
        say(text(f"Đã ghi bản PDF: {written}", f"PDF written: {written}"))


def _read_plan(master: Path, catalog: object) -> object:
    """The province's plan as the master holds it."""
    from kehoach.master.read import MasterReadError, read_plan

    try:
        return read_plan(master, catalog)  # type: ignore[arg-type]
    except MasterReadError as error:
        fail(
            text(
                f"không đọc được tệp tổng hợp «{master.name}»: {error}",
                f"cannot read the master «{master.name}»: {message(error)}",
            ),
            exit_codes.USAGE,
        )


def _scenarios(master: Path, catalog: object, assumptions: Path | None, goal: object, icor: float | None) -> object:
    from kehoach.report.draft import Scenarios
    from kehoach.scenarios.assumptions import AssumptionError, load_scenarios
    from kehoach.scenarios.base import BaseError, base_from_master
    from kehoach.scenarios.model import Note
    from kehoach.workbook_templates import layout as L

    try:
        base = base_from_master(master, catalog)  # type: ignore[arg-type]  # MASTER is a master: no need to validate it
    except BaseError as error:
        problem = Note(error.message, error.message_en or error.message)  # the draft writes it in Vietnamese
        return Scenarios(None, target=goal, problem=problem)  # type: ignore[arg-type]
    try:
        plans = load_scenarios(base.sectors, L.YEARS_PLAN, assumptions)
    except AssumptionError as error:
        fail(message(error), exit_codes.USAGE)
    return Scenarios(base, plans, goal, icor)  # type: ignore[arg-type]
