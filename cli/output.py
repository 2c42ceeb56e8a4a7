"""How commands talk: human text on stderr, machine-readable JSON on stdout."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

FORMAT_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: báo cáo cho người đọc; json: dữ liệu cho chương trình khác (ra stdout).",
)


def say(message: str) -> None:
    click.echo(message, err=True)


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def fail(message: str, code: int) -> None:
    """Stop the command with a Vietnamese message and an exit code, never a traceback."""
    say(f"Lỗi: {message}")
    raise SystemExit(code)
