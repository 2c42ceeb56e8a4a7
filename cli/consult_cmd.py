"""`kehoach consult`: the comment form for the published draft, and the gathering of returned forms."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from kehoach.cli import exit_codes
from kehoach.cli.lang import text
from kehoach.cli.output import FORMAT_OPTION, emit_json, fail, fail_to_write, say


@click.group("consult")
def consult() -> None:
    """Lấy ý kiến góp ý dự thảo: phiếu góp ý (form) và tổng hợp các phiếu đã nhận (merge)."""


@consult.command("form")
@click.option(
    "--out",
    "-o",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("phieu-gop-y.xlsx"),
    show_default=True,
    help="Tệp phiếu góp ý (.xlsx) sẽ ghi.",
)
def form(output: Path) -> None:
    """Ghi phiếu góp ý: các mục của dự thảo báo cáo, ô ghi ý kiến và đề xuất, thông tin người góp ý.

    \b
    Mã thoát: 0 đã ghi; 2 không ghi được tệp.
    """
    from kehoach.report.consult import write_form
    from kehoach.workbook_templates.catalog import load_catalog

    try:
        write_form(output, load_catalog())
    except OSError as error:
        fail_to_write(error, output, "phiếu góp ý", "the comment form")
    say(text(f"Đã ghi phiếu góp ý: {output}", f"Comment form written: {output}"))


@consult.command("merge")
@click.argument("inbox", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("tong-hop-gop-y.xlsx"),
    show_default=True,
    help="Bảng tổng hợp ý kiến (.xlsx) sẽ ghi.",
)
@FORMAT_OPTION
def merge(inbox: Path, output: Path, output_format: str) -> None:
    """Tổng hợp mọi phiếu góp ý (.xlsx/.xlsm) trong INBOX (kể cả thư mục con) theo từng mục của dự thảo.

    \b
    Bảng tổng hợp có: mọi ý kiến (người góp ý, tệp; lọc được), số ý kiến theo mục, và danh sách tệp đã nhận
    (tệp hỏng hoặc không phải phiếu góp ý được ghi rõ lý do và bỏ qua, như kehoach merge).
    Mã thoát: 0 đã ghi bảng tổng hợp; 2 thư mục không dùng được hoặc không ghi được tệp.
    """
    from kehoach.report.consult import EMPTY, FOREIGN, OK, STATUS_VI, UNREADABLE, gather, write_summary

    STATUS_EN = {OK: "Merged", UNREADABLE: "Cannot be read", FOREIGN: "Not a comment form", EMPTY: "No comment"}
    from kehoach.workbook_templates.catalog import load_catalog

    if not inbox.is_dir():
        fail(text(f"không tìm thấy thư mục «{inbox}».", f"folder «{inbox}» not found."), exit_codes.USAGE)
    catalog = load_catalog()
    with click.progressbar(
        length=1, label=text("Đang đọc các phiếu góp ý", "Reading the comment forms"), file=sys.stderr, show_pos=True
    ) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        gathered = gather(inbox, catalog, output, progress)
    try:
        write_summary(output, gathered, catalog)
    except OSError as error:
        fail_to_write(error, output, "bảng tổng hợp", "the summary")
    counts = gathered.counts()
    if output_format == "json":
        emit_json(
            {
                "counts": counts,
                "files": [
                    {"path": f.path, "status": f.status, "reason": f.reason, "sender": f.sender, "comments": f.comments}
                    for f in gathered.files
                ],
                "output": str(output),
            }
        )
        return
    for f in gathered.files:
        if f.status != OK:
            status = text(STATUS_VI[f.status], STATUS_EN[f.status])
            say(f"{Path(f.path).name}: {status} - {text(f.reason, f.reason_en or f.reason)}")
    say(
        text(
            f"Đã ghi {output}: {counts['comments']} ý kiến từ {counts['with_comments']} phiếu; {counts['empty']} "
            f"phiếu trống, {counts['unreadable']} tệp không đọc được, {counts['foreign']} tệp không phải phiếu góp ý.",
            f"Wrote {output}: {counts['comments']} comments from {counts['with_comments']} forms; {counts['empty']} "
            f"empty forms, {counts['unreadable']} unreadable files, {counts['foreign']} files that are not comment "
            "forms.",
        )
    )
