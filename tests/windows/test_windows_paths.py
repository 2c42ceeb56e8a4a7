"""Windows realities under the harness (issue 17 item 4): Vietnamese user folders with spaces and OneDrive names,
names in NFC and NFD, paths over 260 characters, files held open by Excel (pywin32's CreateFile with a share mode
that denies writing, in another Windows process), read-only files and OneDrive placeholders.

The harness's locale (vi_VN.UTF-8), without which Wine cannot map non-ASCII file names ("Invalid name", WinError
123) nor command lines, is compiled by build-harness.sh when the system lacks it (LOCPATH in env.sh); where it
cannot be, the fixture ``vwin`` falls back to C.UTF-8 (code page cp1252). Children print UTF-8
(PYTHONIOENCODING), so that these tests do not depend on the console encoding fix.

The merge (master/merge.py) finds an inbox typed in the other Unicode form, walks and writes paths over 260
characters in the extended form, and refuses a master held open by Excel (exit 3) or read-only (exit 2) before
any work, leaving no temporary file.
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.windows.conftest import Run, WindowsPython, has_locale, winpath

UNITS = ("CTK", "SKHDT", "H844", "SYT")
USER = "Nguyễn Văn A"
ONEDRIVE = "OneDrive - Sở Kế hoạch và Đầu tư"
FILE_SHARE_READ = 1
HOLD = """
import sys
import pywin32_bootstrap  # noqa: F401 (python311._pth skips pywin32.pth)
import win32file
share = int(sys.argv[2])
access = win32file.GENERIC_READ | win32file.GENERIC_WRITE
handle = win32file.CreateFile(sys.argv[1], access, share, None, win32file.OPEN_EXISTING, 0, None)
print("held", flush=True)
sys.stdin.read()
handle.Close()
"""


def ok(run: Run, code: int = 0) -> None:
    assert run.code is not None, f"timed out (hang): {run.describe()}"
    assert run.code == code, run.describe()
    assert b"Traceback" not in run.stderr, run.describe()


def err(run: Run) -> str:
    return run.stderr.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def vwin(windows: WindowsPython) -> WindowsPython:
    """The harness with a Unix locale that can name Vietnamese files, and UTF-8 output."""
    env = dict(windows.env, PYTHONIOENCODING="utf-8")
    if not has_locale(env):  # no locale sources: UTF-8 names, Western code page
        env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8")
    return WindowsPython(windows.wine, windows.python, env)


@pytest.fixture(scope="module")
def home(vwin: WindowsPython, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """C:\\Users\\Nguyễn Văn A\\OneDrive - Sở Kế hoạch và Đầu tư\\Tài liệu\\Hộp thư, sampled by the Windows tool."""
    inbox = tmp_path_factory.mktemp("users") / "Users" / USER / ONEDRIVE / "Tài liệu" / "Hộp thư"
    run = vwin.kehoach("sample", "--out", winpath(inbox), *[a for u in UNITS for a in ("--unit", u)])
    ok(run)
    assert len(list(inbox.glob("*.xlsx"))) == len(UNITS), err(run)
    return inbox


def fresh_inbox(home: Path, where: Path) -> Path:
    """A copy of the sampled inbox, its files renamed with Vietnamese words and spaces (one name in NFD)."""
    where.mkdir(parents=True, exist_ok=True)
    for index, source in enumerate(sorted(home.glob("*.xlsx"))):
        name = f"Báo cáo kế hoạch {source.stem.split('_')[0]} lần 1.xlsx"
        if index == 1:
            name = unicodedata.normalize("NFD", name)
        shutil.copy2(source, where / name)
    return where


@contextmanager
def held(vwin: WindowsPython, path: Path, share: int) -> Iterator[None]:
    """``path`` opened for reading and writing by another Windows process with ``share`` as its share mode, as
    Excel holds a workbook it has open (FILE_SHARE_READ), or with no sharing at all (0)."""
    command = [vwin.wine, str(vwin.python), "-c", HOLD, winpath(path), str(share)]
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=vwin.env
    ) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        line = holder.stdout.readline()
        assert line.strip() == b"held", (line, holder.stderr.read() if holder.stderr else b"")
        try:
            yield
        finally:
            holder.communicate(b"", timeout=60)


def merged_json(run: Run) -> dict:
    return json.loads(run.stdout.decode("utf-8"))


# Vietnamese folders, spaces, OneDrive, NFC and NFD


def test_sample_and_merge_in_a_vietnamese_onedrive_user_folder(vwin: WindowsPython, home: Path, tmp_path: Path) -> None:
    inbox = fresh_inbox(home, tmp_path / USER / ONEDRIVE / "Hộp thư đến")
    master = tmp_path / USER / ONEDRIVE / "Tổng hợp" / "tổng hợp toàn tỉnh 2021.xlsx"
    run = vwin.kehoach("merge", winpath(inbox), "-o", winpath(master), "--format", "json")
    ok(run)
    summary = merged_json(run)
    assert sorted(summary["merged"]) == sorted(UNITS) and not summary["rejected"]
    assert master.is_file() and master.with_suffix(".csv").is_file()
    assert master.with_name(master.stem + ".ledger.sqlite").is_file()
    again = vwin.kehoach("merge", winpath(inbox), "-o", winpath(master), "--format", "json")
    ok(again)  # the ledger knows every file under its Vietnamese name
    assert merged_json(again)["files_reused"] == len(UNITS)
    assert master.with_name(f"{master.stem}.bak.xlsx").is_file()


def test_a_file_named_in_nfd_is_found_when_typed_in_nfc(vwin: WindowsPython, home: Path, tmp_path: Path) -> None:
    """A name decomposed (a Mac, Unikey's «Unicode tổ hợp») typed precomposed: Windows calls them two names."""
    folder = unicodedata.normalize("NFD", "Hộp thư Sở Y tế")
    decomposed = tmp_path / folder / unicodedata.normalize("NFD", "Báo cáo Sở Y tế.xlsx")
    decomposed.parent.mkdir()
    shutil.copy2(next(home.glob("SYT_*.xlsx")), decomposed)
    typed = winpath(tmp_path) + "\\Hộp thư Sở Y tế\\Báo cáo Sở Y tế.xlsx"  # NFC, as typed
    run = vwin.kehoach("validate", typed, "--format", "json")
    ok(run)
    [report] = json.loads(run.stdout.decode("utf-8"))["files"]
    assert report["readable"] and report["unit"] == "SYT"


def test_an_inbox_named_in_nfd_is_found_when_typed_in_nfc(vwin: WindowsPython, home: Path, tmp_path: Path) -> None:
    fresh_inbox(home, tmp_path / unicodedata.normalize("NFD", "Hộp thư"))
    typed = winpath(tmp_path) + "\\Hộp thư"  # NFC
    run = vwin.kehoach("merge", typed, "-o", winpath(tmp_path / "th.xlsx"), "--format", "json")
    ok(run)


# Paths over 260 characters


def long_folder(root: Path) -> Path:
    folder = root / USER / ONEDRIVE
    for part in range(3):
        folder = folder / f"Kế hoạch phát triển kinh tế - xã hội 5 năm 2021-2025, phần {part}"
    assert len(winpath(folder)) > 260
    return folder


def test_sample_and_validate_over_260_characters(vwin: WindowsPython, tmp_path: Path) -> None:
    folder = long_folder(tmp_path)
    run = vwin.kehoach("sample", "--out", winpath(folder), "--unit", "SKHDT", "--format", "json")
    ok(run)
    [entry] = merged_json(run)["samples"]
    assert not entry["path"].startswith("\\\\?\\") and len(entry["path"]) > 290
    [made] = folder.glob("SKHDT_*.xlsx")
    validated = vwin.kehoach("validate", winpath(made), "--format", "json")
    ok(validated)
    assert json.loads(validated.stdout.decode("utf-8"))["files"][0]["unit"] == "SKHDT"


def test_long_paths_take_the_extended_form(vwin: WindowsPython, tmp_path: Path) -> None:
    """Without LongPathsEnabled Windows refuses paths of 260 characters or more, unless they are written
    \\\\?\\C:\\...: the tool writes long paths so, and the extended form works (Wine, too, takes it)."""
    folder = long_folder(tmp_path)
    run = vwin.run(
        "-c",
        "import sys; from pathlib import Path; from kehoach.validators.winfiles import long_path, plain\n"
        "p = long_path(Path(sys.argv[1]) / 'a.txt'); short = long_path(Path(sys.argv[2]))\n"
        "p.parent.mkdir(parents=True); p.write_text('x'); print(str(p)[:4], str(short)[:4], p.read_text(), "
        "plain(p) == sys.argv[1] + '\\\\a.txt')",
        winpath(folder),
        winpath(tmp_path),
    )
    ok(run)
    assert run.out().split() == ["\\\\?\\", "Z:\\t", "x", "True"]


def test_what_to_do_when_windows_refuses_a_long_path(vwin: WindowsPython) -> None:
    run = vwin.run(
        "-c",
        "from kehoach.validators.winfiles import explain\n"
        "p = 'C:\\\\Users\\\\A\\\\' + 'x' * 300 + '.xlsx'\n"
        "print(explain(FileNotFoundError(2, 'The system cannot find the path specified', p)))\n"
        "print(explain(OSError(22, 'The filename or extension is too long', p, 206)))",
    )
    ok(run)
    lines = run.out().splitlines()
    assert len(lines) == 2 and all("vượt giới hạn 260 ký tự" in line and "LongPathsEnabled" in line for line in lines)


def test_merge_over_260_characters(vwin: WindowsPython, home: Path, tmp_path: Path) -> None:
    inbox = fresh_inbox(home, long_folder(tmp_path) / "Hộp thư")
    master = inbox.parent / "Tổng hợp" / "tổng hợp toàn tỉnh Trà Vinh năm 2021.xlsx"
    run = vwin.kehoach("merge", winpath(inbox), "-o", winpath(master), "--format", "json")
    ok(run)
    assert master.is_file()


# Files held open by Excel


@pytest.fixture
def merged_once(vwin: WindowsPython, home: Path, tmp_path: Path) -> tuple[Path, Path]:
    inbox = fresh_inbox(home, tmp_path / "Hộp thư")
    master = tmp_path / "Tổng hợp" / "tổng hợp.xlsx"
    ok(vwin.kehoach("merge", winpath(inbox), "-o", winpath(master), "--format", "json"))
    return inbox, master


def test_the_tool_sees_a_master_held_by_excel(vwin: WindowsPython, merged_once: tuple[Path, Path]) -> None:
    _, master = merged_once
    probe = (
        "import sys; from pathlib import Path; from kehoach.validators.winfiles import master_problem\n"
        "print(master_problem(Path(sys.argv[1])))"
    )
    with held(vwin, master, FILE_SHARE_READ):
        run = vwin.run("-c", probe, winpath(master))
    ok(run)
    assert "đang được mở trong Excel" in run.out() and run.out().rstrip().endswith("3)")
    free = vwin.run("-c", probe, winpath(master))
    assert free.out().strip() == "None"


def test_merge_into_a_master_open_in_excel_exits_3(vwin: WindowsPython, merged_once: tuple[Path, Path]) -> None:
    inbox, master = merged_once
    with held(vwin, master, FILE_SHARE_READ):
        run = vwin.kehoach("merge", winpath(inbox), "-o", winpath(master), "--format", "json")
    assert run.code == 3, run.describe()
    assert "đang được mở trong Excel" in err(run)
    assert not list(master.parent.glob("*.tmp"))


@pytest.mark.parametrize("share", [FILE_SHARE_READ, 0], ids=["excel-share-read", "no-sharing"])
def test_a_submission_open_in_excel(vwin: WindowsPython, home: Path, tmp_path: Path, share: int) -> None:
    """Excel shares an open workbook for reading: it is read. With no sharing at all it cannot be: the file is
    refused with a message naming Excel, the others are merged, never a traceback."""
    inbox = fresh_inbox(home, tmp_path / "Hộp thư")
    target = sorted(inbox.glob("*.xlsx"))[0]
    with held(vwin, target, share):
        validated = vwin.kehoach("validate", winpath(target), "--format", "json")
        run = vwin.kehoach("merge", winpath(inbox), "-o", winpath(tmp_path / "tổng hợp.xlsx"), "--format", "json")
    ok(run)
    summary = merged_json(run)
    [report] = json.loads(validated.stdout.decode("utf-8"))["files"]
    if share:
        ok(validated)
        assert len(summary["merged"]) == len(UNITS)
        return
    ok(validated, code=2)
    assert "đang được mở trong Excel" in report["findings"][0]["message"]
    [rejected] = summary["rejected"]
    assert Path(rejected["path"].replace("\\", "/")).name == target.name
    assert "đang được mở trong Excel" in rejected["reason"]
    assert len(summary["merged"]) == len(UNITS) - 1
    again = vwin.kehoach("merge", winpath(inbox), "-o", winpath(tmp_path / "tổng hợp.xlsx"), "--format", "json")
    ok(again)  # closed: read and merged, not remembered as unreadable
    assert len(merged_json(again)["merged"]) == len(UNITS)


# Read-only files


def test_a_read_only_submission_is_read(vwin: WindowsPython, home: Path, tmp_path: Path) -> None:
    inbox = fresh_inbox(home, tmp_path / "Hộp thư")
    for path in inbox.glob("*.xlsx"):
        path.chmod(stat.S_IREAD)  # Windows sees FILE_ATTRIBUTE_READONLY
    try:
        attrs = vwin.run("-c", "import os,sys; print(os.stat(sys.argv[1]).st_file_attributes & 1)", winpath(path))
        assert attrs.out().strip() == "1"
        run = vwin.kehoach("merge", winpath(inbox), "-o", winpath(tmp_path / "tổng hợp.xlsx"), "--format", "json")
        ok(run)
        assert len(merged_json(run)["merged"]) == len(UNITS)
    finally:
        for path in inbox.glob("*.xlsx"):
            path.chmod(0o644)


def test_the_tool_sees_a_read_only_master(vwin: WindowsPython, merged_once: tuple[Path, Path]) -> None:
    """Windows refuses to replace a read-only file (MoveFileEx: access denied; Wine replaces it): the merge must
    say so before its work, not after."""
    _, master = merged_once
    master.chmod(stat.S_IREAD)
    try:
        run = vwin.run(
            "-c",
            "import sys; from pathlib import Path; from kehoach.validators.winfiles import master_problem\n"
            "print(master_problem(Path(sys.argv[1])))",
            winpath(master),
        )
    finally:
        master.chmod(0o644)
    ok(run)
    assert "Chỉ đọc (Read-only)" in run.out() and run.out().rstrip().endswith("2)")


def test_merge_refuses_a_read_only_master(vwin: WindowsPython, merged_once: tuple[Path, Path]) -> None:
    inbox, master = merged_once
    master.chmod(stat.S_IREAD)
    try:
        run = vwin.kehoach("merge", winpath(inbox), "-o", winpath(master), "--format", "json")
    finally:
        master.chmod(0o644)
    assert run.code == 2 and "Chỉ đọc" in err(run), run.describe()


# OneDrive placeholders


def test_a_onedrive_placeholder_that_cannot_be_fetched(vwin: WindowsPython, home: Path, tmp_path: Path) -> None:
    """Opening a cloud placeholder while OneDrive is not running or offline fails with ERROR_CLOUD_FILE_* (362,
    388...). Wine has no cloud files: the open is made to fail so, in the Windows Python, through the reader."""
    inbox = fresh_inbox(home, tmp_path / ONEDRIVE / "Hộp thư")
    target = sorted(inbox.glob("*.xlsx"))[0]
    script = (
        "import io, sys, json, pathlib\n"
        "from kehoach.validators.engine import validate_path\n"
        "from kehoach.master.extract import fingerprint\n"
        "real = pathlib.Path.open\n"
        "def cloud(self, *a, **k):\n"
        "    if self.name == pathlib.Path(sys.argv[1]).name:\n"
        "        raise OSError(22, 'The cloud file provider is not running', str(self), 362)\n"
        "    return real(self, *a, **k)\n"
        "pathlib.Path.open = cloud\n"
        "report = validate_path(pathlib.Path(sys.argv[1]))\n"
        "print(json.dumps([fingerprint(pathlib.Path(sys.argv[1]))[0], [f.message('vi') for f in report.findings]],"
        " ensure_ascii=True))"
    )
    run = vwin.run("-c", script, winpath(target))
    ok(run)
    mark, messages = json.loads(run.out())
    assert mark == "!"  # not an exception: the merge goes on and refuses the file with the reason
    assert len(messages) == 1 and "OneDrive" in messages[0] and "Always keep on this device" in messages[0]
