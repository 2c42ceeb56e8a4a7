"""`kehoach demo`: the whole process on synthetic data, from templates to the provincial master."""

from __future__ import annotations

from pathlib import Path

import click
from kehoach.cli.merge_cmd import print_outcome, summary
from kehoach.cli.output import FORMAT_OPTION, emit_json, say


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo"),
    show_default=True,
    help="Thư mục ghi toàn bộ kết quả minh họa.",
)
@click.option("--seed", type=int, default=2020, show_default=True, help="Hạt giống: cùng hạt giống cho cùng số liệu.")
@FORMAT_OPTION
def demo(out_dir: Path, seed: int, output_format: str) -> None:
    """Minh họa toàn bộ quy trình với số liệu giả lập.

    \b
    Tạo biểu mẫu cho mọi đơn vị (<out>/bieu-mau), một hộp thư các tệp đơn vị gửi về (<out>/hop-thu):
    vài tệp có lỗi, một đơn vị gửi lại bản sửa, một đơn vị nộp trễ, một tệp hỏng, một đơn vị chưa nộp;
    rồi kiểm tra và tổng hợp vào <out>/tong-hop.xlsx.
    Mã thoát: 0 thành công.
    """
    from kehoach.cli.lang import current
    from kehoach.samples.demo import run_demo

    vi = current() == "vi"
    say(f"Đang tạo biểu mẫu, số liệu mẫu và tổng hợp trong {out_dir} ..." if vi else f"Building in {out_dir} ...")
    result = run_demo(out_dir, seed)
    if output_format == "json":
        outcome = summary(result.outcome, current())
        emit_json(outcome | {"templates": str(result.templates), "inbox": str(result.inbox)})
        return
    if vi:
        click.echo(f"Biểu mẫu: {result.templates}\nHộp thư nhận tệp: {result.inbox}")
    else:
        click.echo(f"Templates: {result.templates}\nInbox: {result.inbox}")
    print_outcome(result.outcome, current())
    master = result.outcome.master
    click.echo(
        f"Bước tiếp: kehoach report {master} -o {out_dir / 'du-thao-bao-cao.docx'} (dự thảo báo cáo từ tệp tổng hợp)"
        if vi
        else f"Next: kehoach report {master} -o {out_dir / 'du-thao-bao-cao.docx'} (the draft report from the master)"
    )
