"""Every command's output survives any code page: piped or redirected it is UTF-8 (as on Windows, where Python
would otherwise encode in the ANSI code page, cp1258 or cp1252, and die on the first Vietnamese letter); on a
console that cannot show Vietnamese the letters lose their marks, never raise. The CSV that Excel opens keeps its
UTF-8 byte order mark.

Linux stands in for Windows' piped output: ``-X utf8=0`` with ``PYTHONIOENCODING=cp1252`` gives the same cp1252
stdout and stderr (tests/windows runs the real thing); the locale is C.UTF-8 so that file names stay Unicode, as on
Windows, or C (ASCII everywhere) with ASCII file names."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from kehoach.cli.main import kehoach
from kehoach.cli.output import configure_streams

REPO = Path(__file__).resolve().parents[1]
TEXT = "Đã ghi tệp tổng hợp: Kiểm tra ỨNG đơn vị"


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ma-hoa") / "hộp thư"  # a Vietnamese folder name: paths are printed too
    result = CliRunner().invoke(kehoach, ["sample", "--out", str(out), "--unit", "CTK", "--seed", "5"])
    assert result.exit_code == 0, result.output
    return out


def _ansi(
    *args: str, stdout: int | io.BufferedWriter = subprocess.PIPE, locale: str = "C.UTF-8"
) -> subprocess.CompletedProcess[bytes]:
    """`kehoach ARGS` as its console script runs it, with stdout and stderr in cp1252, as Windows pipes them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LC_", "LANG"))}
    env.update(PYTHONIOENCODING="cp1252", LC_ALL=locale, LANG=locale)
    command = [sys.executable, "-X", "utf8=0", "-m", "kehoach.cli.main", *args]
    return subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, env=env, cwd=REPO, timeout=600)


def _clean(run: subprocess.CompletedProcess[bytes]) -> str:
    stderr = run.stderr.decode("utf-8")  # strict: the messages arrive as UTF-8
    assert "Traceback" not in stderr and "UnicodeEncodeError" not in stderr, stderr
    assert "\\u" not in stderr, stderr  # no backslash escapes instead of letters
    return stderr


def test_validate_text_piped_in_cp1252_is_utf8(inbox: Path) -> None:
    [path] = inbox.glob("*.xlsx")
    run = _ansi("validate", str(path))
    stderr = _clean(run)
    assert run.returncode == 0, stderr
    out = run.stdout.decode("utf-8")
    assert f"{path.name} (đơn vị CTK, phiên bản " in out and "): 0 lỗi, 0 cảnh báo" in out and "Tổng cộng: 1 tệp" in out


def test_validate_json_redirected_to_a_file_is_utf8(inbox: Path, tmp_path: Path) -> None:
    [path] = inbox.glob("*.xlsx")
    target = tmp_path / "ket-qua.json"
    with target.open("wb") as handle:
        run = _ansi("validate", str(path), "--format", "json", stdout=handle)
    _clean(run)
    assert run.returncode == 0
    data = json.loads(target.read_bytes().decode("utf-8"))
    [entry] = data["files"]
    assert entry["path"] == str(path) and entry["errors"] == 0


def test_merge_piped_in_cp1252_and_its_csv_has_a_byte_order_mark(inbox: Path, tmp_path: Path) -> None:
    master = tmp_path / "tổng hợp.xlsx"
    run = _ansi("merge", str(inbox), "-o", str(master))
    stderr = _clean(run)
    assert run.returncode == 0, stderr
    assert f"Đã ghi tệp tổng hợp: {master}" in run.stdout.decode("utf-8")
    assert "Đang kiểm tra và tổng hợp" in stderr
    csv = master.with_suffix(".csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with it
    assert "Cục Thống kê" in csv.decode("utf-8-sig")


def test_usage_errors_piped_in_cp1252_are_utf8(tmp_path: Path) -> None:
    run = _ansi("merge", str(tmp_path / "khong-co"), "-o", str(tmp_path / "m.xlsx"), locale="C")
    stderr = _clean(run)
    assert run.returncode == 2
    assert "Lỗi: không tìm thấy thư mục nhận tệp «" in stderr


class _Console(io.BytesIO):
    def isatty(self) -> bool:
        return True


def _write(encoding: str, console: bool, text: str = TEXT) -> bytes:
    raw = _Console() if console else io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding, errors="strict")
    configure_streams([stream, None])
    stream.write(text)
    stream.flush()
    return raw.getvalue()


@pytest.mark.parametrize("encoding", ["cp1258", "cp1252", "ascii", "cp437"])
def test_pipes_and_files_are_switched_to_utf8(encoding: str) -> None:
    assert _write(encoding, console=False).decode("utf-8") == TEXT
    assert _write(encoding, console=False, text="\udcff") == b"\\udcff"  # an undecodable file name: no error


def test_a_legacy_vietnamese_console_shows_every_letter() -> None:
    """cp1258 has base letters and combining tone marks: each letter is rebuilt from them."""
    written = _write("cp1258", console=True).decode("cp1258")
    assert written != TEXT and __import__("unicodedata").normalize("NFC", written) == TEXT


@pytest.mark.parametrize(("encoding", "expected"), [("ascii", "Da ghi tep tong hop: Kiem tra UNG don vi")])
def test_a_console_that_cannot_show_vietnamese_gets_letters_without_marks(encoding: str, expected: str) -> None:
    assert _write(encoding, console=True).decode(encoding) == expected
    assert _write("cp437", console=True, text="tổng ✓").decode("cp437") == "tong ?"


def test_a_unicode_console_is_left_alone() -> None:
    assert _write("utf-8", console=True).decode("utf-8") == TEXT
