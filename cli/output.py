"""How commands talk: human text on stderr, machine-readable JSON on stdout."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
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


def emit_json_list(key: str, items: Iterable[Any]) -> None:
    """``{key: [items...]}`` exactly as :func:`emit_json` writes it, each item written as it comes, so that
    memory never holds the whole list."""
    sys.stdout.write(f"{{\n  {json.dumps(key, ensure_ascii=False)}: [")
    first = True
    for item in items:
        text = json.dumps(item, ensure_ascii=False, indent=2, default=str).replace("\n", "\n    ")
        sys.stdout.write(("\n    " if first else ",\n    ") + text)
        sys.stdout.flush()
        first = False
    sys.stdout.write("]\n}\n" if first else "\n  ]\n}\n")


def fail(message: str, code: int) -> None:
    """Stop the command with a Vietnamese message and an exit code, never a traceback."""
    say(f"Lỗi: {message}")
    raise SystemExit(code)
