"""How commands talk: human text on stderr, machine-readable JSON on stdout; both always writable, whatever
the console's or the pipe's code page (:func:`configure_streams`)."""

from __future__ import annotations

import codecs
import functools
import io
import json
import sys
import unicodedata
from collections.abc import Iterable
from itertools import combinations
from typing import Any, TextIO

import click

FORMAT_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: báo cáo cho người đọc; json: dữ liệu cho chương trình khác (ra stdout).",
)


_BASE = {"đ": "d", "Đ": "D"}  # letters without a decomposition; the others lose their marks through NFD


def configure_streams(streams: Iterable[TextIO | None] | None = None) -> None:
    """Make stdout and stderr unable to fail on any text the commands write.

    Piped or redirected (``> ket-qua.txt``, ``| findstr``, a script, a scheduled task), Python on Windows would
    encode in the ANSI code page (cp1258 on Vietnamese Windows, cp1252 elsewhere) and die on the first letter
    outside it: such streams are switched to UTF-8, which encodes everything (lone surrogates of undecodable file
    names become backslash escapes). A real console is left as Python opened it (on Windows it writes Unicode to
    the console) unless its encoding cannot hold Vietnamese (a legacy console code page, or
    PYTHONLEGACYWINDOWSSTDIO): then each letter is written as near as the code page allows, at worst without its
    diacritics (``Đã ghi`` -> ``Da ghi``), never with a traceback."""
    for stream in (sys.stdout, sys.stderr) if streams is None else streams:
        if not isinstance(stream, io.TextIOWrapper):  # None (pythonw), or a test's capture: nothing to fix
            continue
        try:
            console = stream.isatty()
        except (OSError, ValueError):
            continue
        if not console:
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
        elif not _is_utf(stream.encoding):
            stream.reconfigure(errors=fallback_errors(stream.encoding))


def _is_utf(encoding: str | None) -> bool:
    return codecs.lookup(encoding or "ascii").name.startswith("utf")


def fallback_errors(encoding: str) -> str:
    """The name of a codec error handler for ``encoding`` that writes the characters the code page lacks as close
    as it allows (cp1258 has base letters and combining tone marks; ASCII only the base letters), else ``?``.
    One handler per encoding: the error a charmap codec raises names "charmap", not its code page."""
    encoding = codecs.lookup(encoding).name
    name = f"kehoach-fallback-{encoding}"

    def handler(error: UnicodeError) -> tuple[str, int]:
        if not isinstance(error, UnicodeEncodeError):
            raise error
        return "".join(_nearest(char, encoding) for char in error.object[error.start : error.end]), error.end

    codecs.register_error(name, handler)
    return name


@functools.cache
def _nearest(char: str, encoding: str) -> str:
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = _BASE.get(decomposed[0], decomposed[0]), decomposed[1:]
    for size in range(len(marks), -1, -1):  # every mark, each composed or combining (cp1258: ê + dot below)
        for composed in combinations(marks, size):
            rest = "".join(mark for mark in marks if mark not in composed)
            candidate = unicodedata.normalize("NFC", base + "".join(composed)) + rest
            if _encodable(candidate, encoding):
                return candidate
    return base if _encodable(base, encoding) else "?"  # a letter half marked reads as another word: none


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


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
    """Stop the command with a message and an exit code, never a traceback. The prefix is in the command's
    language; commands give the message in it too (``lang.text(vi, en)``, ``lang.message(error)``)."""
    from kehoach.cli.lang import current

    say(f"{'Lỗi' if current() == 'vi' else 'Error'}: {message}")
    raise SystemExit(code)


def fail_to_write(error: OSError, path: object, what_vi: str, what_en: str) -> None:
    """Stop on a file that cannot be written. Windows' own words are English ("Access is denied", "Sharing
    violation"): its causes are said in Vietnamese, with what to do (winfiles.specific); any other keeps the
    system's words and the file."""
    from kehoach.cli import exit_codes
    from kehoach.cli.lang import text
    from kehoach.validators.winfiles import specific

    where = error.filename or path
    plain = f"{error.strerror or error} ({where})"
    reason = specific(error, where, writing=True) or plain
    fail(text(f"không ghi được {what_vi}: {reason}.", f"cannot write {what_en}: {plain}."), exit_codes.USAGE)
