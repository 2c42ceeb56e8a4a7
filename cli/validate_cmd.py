"""`kehoach validate`: check filled workbooks and say what is wrong, where, and how to fix it."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

import click
from kehoach.cli import exit_codes
from kehoach.cli.output import FORMAT_OPTION, emit_json, say

if TYPE_CHECKING:
    from kehoach.validators.engine import Report

SEVERITY = {"vi": {"error": "lỗi", "warning": "cảnh báo"}, "en": {"error": "error", "warning": "warning"}}


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@FORMAT_OPTION
@click.option(
    "--annotate",
    "annotate_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Ghi vào thư mục này một bản sao của mỗi tệp, tô màu ô lỗi và có trang «Kết quả kiểm tra».",
)
@click.option(
    "--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True, help="Ngôn ngữ của thông báo."
)
def validate(files: tuple[Path, ...], output_format: str, annotate_dir: Path | None, lang: str) -> None:
    """Kiểm tra các tệp biểu mẫu đã điền (.xlsx, .xlsm).

    \b
    Mã thoát: 0 không có lỗi (có thể có cảnh báo), 1 có lỗi,
              2 có tệp không đọc được hoặc dùng lệnh sai.
    Tệp gốc không bao giờ bị sửa; macro trong tệp không bao giờ được chạy.
    """
    from kehoach.validators.engine import validate_path
    from kehoach.workbook_templates.catalog import CatalogError, load_catalog

    try:
        catalog = load_catalog()
    except CatalogError as error:
        say(f"Lỗi: {error}")
        raise SystemExit(exit_codes.USAGE) from None
    reports = []
    with click.progressbar(files, label="Đang kiểm tra", file=click.get_text_stream("stderr"), show_pos=True) as bar:
        for path in bar:
            report = validate_path(path, catalog)
            reports.append((path, report))
            if annotate_dir is not None and report.readable:
                from kehoach.validators.annotate import annotate  # openpyxl only when a marked copy is asked for

                annotate(path, report, annotate_dir, lang)
    if output_format == "json":
        emit_json({"files": [_file_json(path, report, lang) for path, report in reports]})
    else:
        for path, report in reports:
            _print_text(path, report, lang)
        _print_total(reports, lang)
    if any(not report.readable for _, report in reports):
        raise SystemExit(exit_codes.USAGE)
    if any(report.errors for _, report in reports):
        raise SystemExit(exit_codes.FINDINGS)


def _file_json(path: Path, report: Report, lang: str) -> dict:
    return {
        "path": str(path),
        "unit": report.unit,
        "template_version": report.template_version,
        "readable": report.readable,
        "errors": report.errors,
        "warnings": report.warnings,
        "findings": [f.as_dict(lang) for f in report.findings],
    }


def _print_text(path: Path, report: Report, lang: str) -> None:
    words = SEVERITY[lang]
    if lang == "vi":
        head = (
            f"{path.name} (đơn vị {report.unit or '?'}, phiên bản {report.template_version or '?'}): "
            f"{report.errors} lỗi, {report.warnings} cảnh báo"
        )
    else:
        head = (
            f"{path.name} (unit {report.unit or '?'}, version {report.template_version or '?'}): "
            f"{report.errors} errors, {report.warnings} warnings"
        )
    click.echo(head)
    for sheet, findings in groupby(report.findings, key=lambda f: f.sheet):
        click.echo(f"  {'Trang' if lang == 'vi' else 'Sheet'} «{sheet}»" if sheet else "  (tệp)")
        for f in findings:
            click.echo(f"    {f.cell or '-':>6}  {words[f.severity]:<9} {f.rule}  {f.message(lang)}")


def _print_total(reports: list[tuple[Path, Report]], lang: str) -> None:
    errors = sum(r.errors for _, r in reports)
    warnings = sum(r.warnings for _, r in reports)
    unreadable = sum(1 for _, r in reports if not r.readable)
    if lang == "vi":
        say(f"Tổng cộng: {len(reports)} tệp, {errors} lỗi, {warnings} cảnh báo, {unreadable} tệp không đọc được.")
    else:
        say(f"Total: {len(reports)} files, {errors} errors, {warnings} warnings, {unreadable} unreadable.")
