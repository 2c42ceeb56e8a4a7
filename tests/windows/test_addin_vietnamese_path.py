"""The button's interpreter in a user folder with Vietnamese letters (issue 16, part 3), as far as it can be run
without Excel: under the Windows harness, with LOCALAPPDATA in a folder named «Nguyễn Văn An» (the harness's
CPython linked there as ``kehoach\\venv\\Scripts``), the calls the two VBA modules make, through the same COM
objects: the templates' pinned INTERPRETER_WIN expanded by WScript.Shell (xlwings.bas ExpandEnvironmentStrings),
checked by Scripting.FileSystemObject (KeHoach.bas PythonInstalled), then the command line xlwings.bas
ExecuteWindows builds, run as WScript.Shell.Run runs it (CreateProcess of ``cmd.exe /C ...``): the interpreter
starts in its folder, xlwings prepares sys.path and the button's module imports.

Not covered: VBA's own GetAttr, with which xlwings.bas checks the interpreter again before the command (no VBA
runtime here); Excel itself. docs/huong-dan-su-dung.md (section 7) states the limit.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from kehoach.workbook_templates.vba_project import INTERPRETER_WIN, conf_rows

from tests.windows.conftest import WindowsPython, has_locale, winpath

USER = "Nguyễn Văn An"

# Run by the harness's python.exe: the VBA side's steps, each with the COM object or the process call it uses.
PROBE = r"""
import json, os, subprocess, sys
import win32com.client

local, pinned, out = sys.argv[1], sys.argv[2], sys.argv[3]
os.environ["LOCALAPPDATA"] = local
shell = win32com.client.Dispatch("WScript.Shell")
python_win = shell.ExpandEnvironmentStrings(pinned).rstrip("\0")  # Wine's wshom counts the terminating null
exists = win32com.client.Dispatch("Scripting.FileSystemObject").FileExists(python_win)
python_dir = python_win.rsplit("\\", 1)[0]
temp_dir = shell.ExpandEnvironmentStrings("%TEMP%").rstrip("\0")
log = os.path.join(os.path.dirname(out), "xlwings.log")
command = (
    "import kehoach.xl_addin, sys, os; "
    "open(r'" + out + "', 'w', encoding='utf-8').write(sys.executable + chr(10) + os.getcwd() + chr(10) + "
    "str(callable(kehoach.xl_addin.validate)))"
)
# xlwings.bas ExecuteWindows, with PYTHONPATH as the sheet pins it (empty) and no conda
line = (
    "cmd.exe /C " + python_win[:2] + ' & cd "' + python_dir + '" & '
    + '"' + python_win + '" -B -c "import xlwings.utils;xlwings.utils.prepare_sys_path(\\"\\"); ' + command + '" '
    + ' --wb="CTK_cuc-thong-ke.xlsm" --from_xl=1 --app="C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE"'
    + ' --hwnd="1234" 2> "' + log + '" '
)
code = subprocess.run(line).returncode
print(json.dumps({"python_win": python_win, "exists": exists, "temp": temp_dir, "code": code}))
"""


@pytest.fixture
def user_folder(windows: WindowsPython, tmp_path: Path) -> Path:
    if not has_locale(windows.env):
        pytest.skip("vi_VN.UTF-8 is missing: Wine cannot name a file with Vietnamese letters")
    local = tmp_path / "Users" / USER / "AppData" / "Local"
    venv = local / "kehoach" / "venv"
    venv.mkdir(parents=True)
    (venv / "Scripts").symlink_to(windows.python.parent, target_is_directory=True)
    return local


def test_the_pinned_interpreter_runs_from_a_vietnamese_user_folder(
    windows: WindowsPython, user_folder: Path, tmp_path: Path
) -> None:
    settings = dict(conf_rows())
    assert settings["INTERPRETER_WIN"] == INTERPRETER_WIN and settings["PYTHONPATH"] == ""
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    out = tmp_path / "out.txt"
    run = windows.run(str(probe), winpath(user_folder), INTERPRETER_WIN, winpath(out), timeout=300)
    assert run.code == 0, run.describe()
    done = json.loads(run.out().strip().splitlines()[-1])
    expected = winpath(user_folder) + r"\kehoach\venv\Scripts\pythonw.exe"
    assert done["python_win"] == expected and USER in done["python_win"]
    assert done["exists"] is True
    assert done["code"] == 0, (tmp_path / "xlwings.log").read_text(encoding="utf-8", errors="replace")
    executable, cwd, imported = out.read_text(encoding="utf-8").split("\n")
    assert executable == expected
    assert cwd == expected.rsplit("\\", 1)[0]
    assert imported == "True"


def test_the_folder_name_survives_only_in_unicode_apis(windows: WindowsPython, user_folder: Path) -> None:
    """Why the templates avoid VBA's Environ and Dir: in the ANSI code page of Vietnamese Windows (cp1258) the
    user's name is not representable as typed (ễ has no single cp1258 character)."""
    with pytest.raises(UnicodeEncodeError):
        USER.encode("cp1258")
    assert subprocess.list2cmdline([winpath(user_folder)]).count(USER) == 1
