"""Every command speaks one language (issue 14 part 6): Vietnamese by default, click's own texts included
("Usage:", "Show this message and exit.", "Missing option", "No such option", "Error:"), and English throughout
with ``--lang en`` (or KEHOACH_LANG=en), wherever ``--lang`` is typed."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner
from kehoach.cli import lang
from kehoach.cli.main import kehoach

# Click's English: none of it may show in Vietnamese output.
CLICK_ENGLISH = (
    "Usage:",
    "Options:",
    "Commands:",
    "Show this message and exit",
    "Show the version",
    "Missing option",
    "Missing argument",
    "No such option",
    "No such command",
    "Error:",
    "for help",
    "[OPTIONS]",
    "COMMAND [ARGS]",
    "default:",
    "required]",
    "DIRECTORY",
    "INTEGER",
)
# Vietnamese: none of it in English output (names of sheets and buttons in «» are names, and not in this list).
VIETNAMESE = ("Cách dùng", "Tùy chọn", "Lệnh:", "Hiện hướng dẫn", "Thiếu", "Không có", "Lỗi:", "Gõ '", "mặc định")
VIETNAMESE_WORDS = re.compile(r"(?<![«\w])(của|và|tệp|không|được|đơn vị)(?!\w)")


def _paths(command: click.Command, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            found += _paths(sub, (*prefix, name))
    return found


COMMANDS = _paths(kehoach)


def _run(*args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(kehoach, list(args), env=env)
    assert result.exit_code in (0, 2), (args, result.output, result.exception)
    return result.output


def _no_english(text: str) -> None:
    leaked = [word for word in CLICK_ENGLISH if word in text]
    assert not leaked, (leaked, text)


def _no_vietnamese(text: str) -> None:
    leaked = [word for word in VIETNAMESE if word in text] + VIETNAMESE_WORDS.findall(text)
    assert not leaked, (leaked, text)


@pytest.fixture(autouse=True)
def _back_to_vietnamese():
    yield
    lang.choose("vi", kehoach)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "kehoach")
def test_help_and_usage_errors_in_vietnamese(path: tuple[str, ...]) -> None:
    text = _run(*path, "--help")
    assert "Cách dùng: kehoach" in text and "Hiện hướng dẫn này rồi thoát." in text
    _no_english(text)
    error = _run(*path, "--khong-co")
    assert "Lỗi: Không có tùy chọn '--khong-co'." in error and "để xem hướng dẫn" in error
    _no_english(error)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "kehoach")
def test_help_and_usage_errors_in_english(path: tuple[str, ...]) -> None:
    text = _run(*path, "--help", "--lang", "en")
    assert "Usage: kehoach" in text and "Show this message and exit." in text
    _no_vietnamese(text)
    error = _run(*path, "--lang", "en", "--no-such")
    assert "Error: No such option '--no-such'." in error and "for help" in error
    _no_vietnamese(error)


def test_missing_option_and_argument_in_both_languages() -> None:
    vi = _run("merge", "hop-thu")
    assert "Lỗi: Thiếu tùy chọn '-o' / '--output'." in vi
    _no_english(vi)
    en = _run("merge", "hop-thu", "--lang=en")
    assert "Error: Missing option '-o' / '--output'." in en
    _no_vietnamese(en)
    assert "Lỗi: Thiếu tham số 'FILES...'." in _run("validate")
    assert "Error: Missing argument 'FILES...'." in _run("validate", env={"KEHOACH_LANG": "en"})
    assert "Lỗi: Không có lệnh 'gop'." in _run("gop")
    assert "Error: No such command 'gop'." in _run("--lang", "en", "gop")
    choice = _run("validate", "x.xlsx", "--format", "xml")
    assert "Giá trị không hợp lệ cho '--format': 'xml' không phải một trong 'text', 'json'." in choice


def test_the_language_is_the_command_lines() -> None:
    assert lang.from_args(["merge", "--lang", "en"], {}) == "en"
    assert lang.from_args(["--lang=en", "merge"], {}) == "en"
    assert lang.from_args(["merge"], {"KEHOACH_LANG": "en"}) == "en"
    assert lang.from_args(["merge", "--lang", "vi"], {"KEHOACH_LANG": "en"}) == "vi"
    assert lang.from_args(["validate", "--", "--lang", "en"], {}) == "vi"  # after --, file names
    assert lang.from_args(["merge", "--lang", "fr"], {}) == "vi"


def test_every_command_has_english_help() -> None:
    from kehoach.cli.help_en import COMMANDS as ENGLISH

    assert {" ".join(("kehoach", *p)) for p in COMMANDS} == set(ENGLISH)
