"""`kehoach merge`: the DPI's one command before the deadline."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from kehoach.cli import exit_codes
from kehoach.cli.output import FORMAT_OPTION, emit_json, fail, say

if TYPE_CHECKING:
    from kehoach.master.merge import MergeOutcome


@click.command("merge")
@click.argument("inbox", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "master",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Tệp tổng hợp (master) sẽ ghi, ví dụ tong-hop.xlsx.",
)
@click.option(
    "--deadline",
    type=click.DateTime(formats=["%Y-%m-%d", "%d/%m/%Y"]),
    default=None,
    help="Hạn nộp (mặc định theo biểu mẫu: 2020-07-10); tệp nhận sau ngày này là trễ hạn.",
)
@FORMAT_OPTION
def merge(inbox: Path, master: Path, deadline: dt.datetime | None, output_format: str) -> None:
    """Kiểm tra mọi tệp .xlsx/.xlsm trong INBOX (kể cả thư mục con) và tổng hợp vào tệp master.

    \b
    Bên cạnh tệp master: <tên>.csv (dạng dài cho thống kê), <tên>.bak.xlsx (bản trước),
    <tên>.ledger.sqlite (sổ theo dõi các tệp đã nhận). Lần chạy sau chỉ đọc lại tệp mới hoặc đã sửa
    (mọi tệp, nếu danh mục, phiên bản biểu mẫu, quy tắc kiểm tra hoặc phiên bản công cụ đã thay đổi).
    Mã thoát: 0 đã ghi tệp master; 2 dùng lệnh sai hoặc thư mục không dùng được;
              3 tệp master đang mở hoặc đang có lần tổng hợp khác.
    """
    from kehoach.master.merge import MergeError
    from kehoach.master.merge import merge as run_merge
    from kehoach.scenarios.sheet import add_to_master

    try:
        with click.progressbar(length=1, label="Đang kiểm tra và tổng hợp", file=sys.stderr, show_pos=True) as bar:

            def progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            outcome = run_merge(
                inbox, master, deadline.date() if deadline else None, progress=progress, extra_sheets=(add_to_master,)
            )
    except MergeError as error:
        fail(error.message, error.code)
    except OSError as error:
        # Windows' own words are English ("Access is denied", "Sharing violation"): its causes are said in
        # Vietnamese, with what to do (winfiles.explain); any other keeps the system's words and the file.
        from kehoach.validators.winfiles import specific

        where = error.filename or master
        reason = specific(error, where, writing=True) or f"{error.strerror or error} ({where})"
        fail(f"không ghi được tệp tổng hợp: {reason}.", exit_codes.USAGE)
    if output_format == "json":
        warn_stall(outcome)
        emit_json(summary(outcome))
    else:
        print_outcome(outcome)


def summary(outcome: MergeOutcome) -> dict:
    result = outcome.consolidation
    return {
        "units_expected": len(result.expected),
        "units_received": len(result.received),
        "missing": result.missing,
        "rejected": [
            {
                "path": r.path,
                "unit": r.unit or None,
                "errors": r.errors,
                "reason": r.findings[0]["message"] if r.findings else "",
            }
            for r in result.rejected
        ],
        "superseded": [{"path": old.path, "unit": old.unit, "by": new.path} for old, new in result.superseded],
        "late": [{"unit": r.unit, "path": r.path} for r in result.late],
        "findings": {
            "errors": sum(r.errors for r in outcome.files),
            "warnings": sum(r.warnings for r in outcome.files),
        },
        "merged": {unit: r.path for unit, r in sorted(result.merged.items())},
        "changes": [
            {
                "unit": c.unit,
                "sheet": c.sheet,
                "cell": c.cell,
                "indicator": c.indicator,
                "key": c.key,
                "old": c.old,
                "new": c.new,
            }
            for c in result.changes
        ],
        "timings": {stage: round(seconds, 3) for stage, seconds in outcome.timings.items()},
        "files_checked": outcome.checked,
        "files_reused": outcome.reused,
        "master": str(outcome.master),
        "csv": str(outcome.csv),
        "stalled_workers": outcome.stalled.as_dict() if outcome.stalled else None,
    }


def warn_stall(outcome: MergeOutcome) -> None:
    """Workers that stalled were stopped and their files checked in process: the master is complete, but the
    user is told (stderr), and the JSON summary says which files (``stalled_workers``)."""
    if outcome.stalled:
        say(f"Cảnh báo: {outcome.stalled.message()}")


def print_outcome(outcome: MergeOutcome) -> None:
    warn_stall(outcome)
    result = outcome.consolidation
    lines = [
        f"Đã ghi tệp tổng hợp: {outcome.master}",
        f"  Đơn vị đã nộp: {len(result.received)}/{len(result.expected)}; đã tổng hợp: {len(result.merged)}.",
        f"  Tệp đã kiểm tra lần này: {outcome.checked}; dùng lại kết quả cũ: {outcome.reused}.",
    ]
    if result.missing:
        lines.append(f"  Chưa nộp ({len(result.missing)}): {', '.join(result.missing)}")
    if result.late:
        lines.append(f"  Trễ hạn ({len(result.late)}): {', '.join(r.unit for r in result.late)}")
    for r in result.rejected:
        reason = r.findings[0]["message"] if r.findings else ""
        lines.append(f"  Bị loại: {Path(r.path).name} ({r.unit or '?'}, {r.errors} lỗi) {reason}")
    for old, new in result.superseded:
        lines.append(f"  Bản cũ không dùng: {Path(old.path).name} (thay bằng {Path(new.path).name})")
    if result.changes:
        units = sorted({c.unit for c in result.changes})
        lines.append(f"  Thay đổi so với lần trước: {len(result.changes)} ô của {', '.join(units)}")
    lines.append(f"  Dạng dài cho thống kê: {outcome.csv}")
    click.echo("\n".join(lines))
