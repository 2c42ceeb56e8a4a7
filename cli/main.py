"""Entry point of the `kehoach` command."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click
from kehoach.cli import lang
from kehoach.cli.addin_cmd import addin
from kehoach.cli.consult_cmd import consult
from kehoach.cli.demo_cmd import demo
from kehoach.cli.merge_cmd import merge
from kehoach.cli.output import configure_streams
from kehoach.cli.report_cmd import report
from kehoach.cli.sample_cmd import sample
from kehoach.cli.scenarios_cmd import scenarios
from kehoach.cli.templates_cmd import templates
from kehoach.cli.validate_cmd import validate

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class KehoachGroup(click.Group):
    """The command's group: the language is chosen from the command line before click parses it, so that
    click's own texts (usage errors included) and every help are in it (:mod:`kehoach.cli.lang`)."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **options: Any) -> Any:
        lang.choose(lang.from_args(sys.argv[1:] if args is None else args), self)
        try:
            return super().main(args, *rest, **options)
        finally:  # a run in English leaves nothing English behind (tests run many commands in one process)
            lang.choose("vi", self)


@click.group(cls=KehoachGroup, context_settings=CONTEXT)
@click.version_option(package_name="kehoach", message="kehoach %(version)s")
def kehoach() -> None:
    """Công cụ xây dựng kế hoạch phát triển kinh tế - xã hội 5 năm 2021-2025 tỉnh Trà Vinh.

    \b
    Mã thoát (exit code) của mọi lệnh:
      0  thành công (chỉ có cảnh báo thì vẫn là 0)
      1  dữ liệu có lỗi
      2  dùng lệnh sai, không đọc được tệp, danh mục không hợp lệ
      3  tệp tổng hợp đang mở trong Excel/LibreOffice, hoặc đang có lần tổng hợp khác (merge)
    """


kehoach.add_command(templates)
kehoach.add_command(addin)
kehoach.add_command(validate)
kehoach.add_command(sample)
kehoach.add_command(merge)
kehoach.add_command(demo)
kehoach.add_command(scenarios)
kehoach.add_command(report)
kehoach.add_command(consult)


def _every(command: click.Command) -> list[click.Command]:
    subs = command.commands.values() if isinstance(command, click.Group) else []
    return [command, *(c for sub in subs for c in _every(sub))]


for _command in _every(kehoach):
    lang.lang_option(_command)  # --lang on every command: the same words wherever it is typed


def main() -> None:
    configure_streams()  # before any output: UTF-8 when piped or redirected, never an encoding error
    kehoach(prog_name="kehoach")


if __name__ == "__main__":
    main()
