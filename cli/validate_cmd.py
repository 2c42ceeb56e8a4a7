"""`kehoach validate`: check filled workbooks and say what is wrong, where, and how to fix it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

import click
from kehoach.cli import exit_codes
from kehoach.cli.lang import current
from kehoach.cli.output import FORMAT_OPTION, emit_json_list, fail, say

if TYPE_CHECKING:
    from kehoach.validators.engine import Report

_FILE = {"vi": "tệp", "en": "file"}
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
def validate(files: tuple[Path, ...], output_format: str, annotate_dir: Path | None) -> None:
    """Kiểm tra các tệp biểu mẫu đã điền (.xlsx, .xlsm; tệp .xls, .ods được đọc số liệu và bị từ chối, quy tắc X002).

    \b
    Mã thoát: 0 không có lỗi (có thể có cảnh báo), 1 có lỗi,
              2 có tệp không đọc được hoặc dùng lệnh sai.
    Tệp gốc không bao giờ bị sửa; macro trong tệp không bao giờ được chạy.
    """
    from kehoach.cli.lang import message as lang_message
    from kehoach.validators.engine import validate_path
    from kehoach.workbook_templates.catalog import CatalogError, load_catalog

    lang = current()  # --lang, read before click parsed the command line (cli/lang.py)
    try:
        catalog = load_catalog()
    except CatalogError as error:
        fail(lang_message(error), exit_codes.USAGE)
    totals = Totals()

    def checked() -> Iterator[tuple[Path, Report]]:
        """Each file's report as soon as it is validated; the caller prints it and lets it go, so memory holds
        one workbook at a time however many files are given."""
        for path in files:
            report = validate_path(path, catalog)
            if annotate_dir is not None and report.readable and report.legacy:
                say(  # a marked copy is written with openpyxl, which reads only .xlsx/.xlsm
                    f"{path.name}: không tạo bản tô màu cho tệp .xls/.ods."
                    if lang == "vi"
                    else f"{path.name}: no marked copy of an .xls/.ods file."
                )
            elif annotate_dir is not None and report.readable:
                from kehoach.validators.annotate import annotate  # openpyxl only when a marked copy is asked for

                annotate(path, report, annotate_dir, lang)
            totals.add(report)
            yield path, report

    if output_format == "json":
        label = "Đang kiểm tra" if lang == "vi" else "Validating"
        with click.progressbar(checked(), length=len(files), label=label, file=sys.stderr, show_pos=True) as bar:
            emit_json_list("files", (_file_json(path, report, lang) for path, report in bar))
    else:  # each file's block is its progress
        for path, report in checked():
            _print_text(path, report, lang)
        _print_total(totals, lang)
    if totals.unreadable:
        raise SystemExit(exit_codes.USAGE)
    if totals.errors:
        raise SystemExit(exit_codes.FINDINGS)


@dataclass
class Totals:
    files: int = 0
    errors: int = 0
    warnings: int = 0
    unreadable: int = 0

    def add(self, report: Report) -> None:
        self.files += 1
        self.errors += report.errors
        self.warnings += report.warnings
        self.unreadable += not report.readable


def _file_json(path: Path, report: Report, lang: str) -> dict:
    return {
        "path": str(path),
        "unit": report.unit,
        "template_version": report.template_version,
        "readable": report.readable,
        "errors": report.errors,
        "warnings": report.warnings,
        "findings": [f.as_dict(lang) for f in report.findings],
        # .xls/.ods: the format, and the rules that need the .xlsx package and were not run on it
        "format": report.legacy or Path(path).suffix.lower(),
        "not_applicable": report.not_applicable,
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
        click.echo(f"  {'Trang' if lang == 'vi' else 'Sheet'} «{sheet}»" if sheet else f"  ({_FILE[lang]})")
        for f in findings:
            click.echo(f"    {f.cell or '-':>6}  {words[f.severity]:<9} {f.rule}  {f.message(lang)}")
    if report.not_applicable:
        from kehoach.validators.engine import NOT_APPLICABLE

        click.echo(f"  {', '.join(report.not_applicable)}: {NOT_APPLICABLE[lang]}")


def _print_total(totals: Totals, lang: str) -> None:
    """The summary line, on the same stream as the files' blocks (stdout): the report is one piece."""
    if lang == "vi":
        click.echo(
            f"Tổng cộng: {totals.files} tệp, {totals.errors} lỗi, {totals.warnings} cảnh báo, "
            f"{totals.unreadable} tệp không đọc được."
        )
    else:
        click.echo(
            f"Total: {totals.files} files, {totals.errors} errors, {totals.warnings} warnings, "
            f"{totals.unreadable} unreadable."
        )
