"""`kehoach merge`: the DPI's one command before the deadline."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from kehoach.cli.lang import current, message, text
from kehoach.cli.output import FORMAT_OPTION, emit_json, fail, fail_to_write, say
from kehoach.validators.registry import stored_message

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
    """Kiểm tra mọi tệp trong INBOX (kể cả thư mục con) và tổng hợp các tệp .xlsx/.xlsm vào tệp master.

    \b
    Mỗi tệp trong INBOX có đúng một kết quả: đã tổng hợp, bị loại (kèm các lỗi: có lỗi, không đọc được,
    tệp .xls/.ods) hoặc bỏ qua (kèm lý do: không phải sổ làm việc, dạng bảng tính khác, tệp khóa, tệp của
    chính lệnh tổng hợp...).
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
        label = "Đang kiểm tra và tổng hợp" if current() == "vi" else "Validating and merging"
        with click.progressbar(length=1, label=label, file=sys.stderr, show_pos=True) as bar:

            def progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            outcome = run_merge(
                inbox, master, deadline.date() if deadline else None, progress=progress, extra_sheets=(add_to_master,)
            )
    except MergeError as error:
        fail(message(error), error.code)
    except OSError as error:
        fail_to_write(error, master, "tệp tổng hợp", "the master")
    if output_format == "json":
        warn_stall(outcome)
        emit_json(summary(outcome, current()))
    else:
        print_outcome(outcome, current())


def summary(outcome: MergeOutcome, lang: str = "vi") -> dict:
    from kehoach.master.merge import file_outcomes

    result = outcome.consolidation
    files = file_outcomes(outcome, lang)
    return {
        # every file of the inbox, with its one outcome (merged, rejected, skipped), reason code and text
        "files": files,
        "files_by_outcome": {kind: sum(f["outcome"] == kind for f in files) for kind in OUTCOMES},
        "units_expected": len(result.expected),
        "units_received": len(result.received),
        "missing": result.missing,
        "rejected": [
            {
                "path": r.path,
                "unit": r.unit or None,
                "errors": r.errors,
                "reason": stored_message(r.findings[0], lang) if r.findings else "",
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
        say(text("Cảnh báo: ", "Warning: ") + outcome.stalled.message(current()))


OUTCOMES = ("merged", "rejected", "skipped")


TEXTS = {
    "vi": {
        "written": "Đã ghi tệp tổng hợp: {0}",
        "units": "  Đơn vị đã nộp: {0}/{1}; đã tổng hợp: {2}.",
        "checked": "  Tệp đã kiểm tra lần này: {0}; dùng lại kết quả cũ: {1}.",
        "inbox": "  Tệp trong thư mục nhận: {0} (đã tổng hợp {1}, bị loại {2}, bỏ qua {3}).",
        "missing": "  Chưa nộp ({0}): {1}",
        "late": "  Trễ hạn ({0}): {1}",
        "rejected": "  Bị loại: {0} ({1}, {2} lỗi) {3}",
        "superseded": "  Bản cũ không dùng: {0} (thay bằng {1})",
        "duplicate": "  Bản trùng: {0} (giống hệt {1})",
        "skipped": "  Bỏ qua: {0}: {1}",
        "changes": "  Thay đổi so với lần trước: {0} ô của {1}",
        "csv": "  Dạng dài cho thống kê: {0}",
    },
    "en": {
        "written": "Master written: {0}",
        "units": "  Units that sent a file: {0}/{1}; merged: {2}.",
        "checked": "  Files checked in this run: {0}; results reused: {1}.",
        "inbox": "  Files in the inbox: {0} (merged {1}, rejected {2}, skipped {3}).",
        "missing": "  Not received ({0}): {1}",
        "late": "  Late ({0}): {1}",
        "rejected": "  Rejected: {0} ({1}, {2} errors) {3}",
        "superseded": "  Older submission not used: {0} (replaced by {1})",
        "duplicate": "  Duplicate: {0} (the same as {1})",
        "skipped": "  Skipped: {0}: {1}",
        "changes": "  Changes since the last merge: {0} cells of {1}",
        "csv": "  Long format for statistics: {0}",
    },
}


def print_outcome(outcome: MergeOutcome, lang: str = "vi") -> None:
    from kehoach.master.merge import file_outcomes

    warn_stall(outcome)
    text = TEXTS[lang]
    result = outcome.consolidation
    files = file_outcomes(outcome, lang)
    count = {kind: sum(f["outcome"] == kind for f in files) for kind in OUTCOMES}
    lines = [
        text["written"].format(outcome.master),
        text["units"].format(len(result.received), len(result.expected), len(result.merged)),
        text["checked"].format(outcome.checked, outcome.reused),
        text["inbox"].format(len(files), count["merged"], count["rejected"], count["skipped"]),
    ]
    if result.missing:
        lines.append(text["missing"].format(len(result.missing), ", ".join(result.missing)))
    if result.late:
        lines.append(text["late"].format(len(result.late), ", ".join(r.unit for r in result.late)))
    for r in result.rejected:
        reason = stored_message(r.findings[0], lang) if r.findings else ""
        lines.append(text["rejected"].format(Path(r.path).name, r.unit or "?", r.errors, reason))
    for old, new in result.superseded:
        which = "duplicate" if old.fingerprint == new.fingerprint else "superseded"
        lines.append(text[which].format(Path(old.path).name, Path(new.path).name))
    for f in files:
        if f["outcome"] == "skipped" and f["reason"] not in ("superseded", "duplicate"):
            lines.append(text["skipped"].format(Path(str(f["path"])).name, f["message"]))
    if result.changes:
        units = sorted({c.unit for c in result.changes})
        lines.append(text["changes"].format(len(result.changes), ", ".join(units)))
    lines.append(text["csv"].format(outcome.csv))
    click.echo("\n".join(lines))
