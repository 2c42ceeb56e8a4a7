"""The staff bundle installed as a staff member installs it (issue 17 item 5): unzipped, its cai-dat.cmd run by Wine's
cmd with LOCALAPPDATA pointed at a temporary folder; the self-test of the bundled Python must pass there and the
interpreter must be where the templates look for it.

The bundle is built with the Wine harness's pins (scripts/windows/requirements-wine.txt: numpy 1.26.4 and others,
Wine 8's gaps), and the harness's bcryptprimitives.dll shim is put beside python.exe (Wine lacks ProcessPrng): both
for Wine only, a real bundle has neither."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path, PureWindowsPath

import pytest
from kehoach.cli import bundle_cmd
from kehoach.workbook_templates.vba_project import ADDIN_HOME_WIN, INTERPRETER_WIN

from tests.test_bundle import build
from tests.windows.conftest import WindowsPython, winpath

REPO = Path(__file__).resolve().parents[2]
PINS = REPO / "scripts" / "windows" / "requirements-wine.txt"


@pytest.fixture(scope="module")
def unzipped(windows: WindowsPython, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("bundle-wine")
    build(tmp / bundle_cmd.DEFAULT_OUT, "--constraint", str(PINS))
    with zipfile.ZipFile(tmp / bundle_cmd.DEFAULT_OUT) as archive:
        archive.extractall(tmp / "bo-cai")
    return tmp / "bo-cai"


def run_installer(windows: WindowsPython, bundle: Path, localappdata: Path) -> tuple[int | None, str]:
    """cai-dat.cmd under `wine cmd /c`, through a wrapper that sets LOCALAPPDATA (Wine sets its own otherwise)."""
    wrapper = localappdata.parent / "chay.cmd"
    wrapper.write_bytes(
        (
            f'@set "LOCALAPPDATA={winpath(localappdata)}"\r\n'
            f'@call "{winpath(bundle / bundle_cmd.INSTALLER)}"\r\n'
            "@exit /b %errorlevel%\r\n"
        ).encode()
    )
    env = {k: v for k, v in windows.env.items() if k not in {"PYTHONPYCACHEPREFIX", "KEHOACH_SOURCE"}}
    code, out, _ = windows.wine_run(["cmd", "/c", winpath(wrapper)], env, stderr=subprocess.STDOUT)
    return code, out.decode("utf-8", "replace")


def test_the_installer_installs_and_its_self_test_passes(
    windows: WindowsPython, unzipped: Path, tmp_path: Path
) -> None:
    scripts, _ = bundle_cmd.addin_layout()
    shutil.copy2(windows.python.parent / "bcryptprimitives.dll", unzipped.joinpath(*scripts.parts))  # Wine only
    localappdata = tmp_path / "Local"
    localappdata.mkdir()
    code, out = run_installer(windows, unzipped, localappdata)
    assert code == 0, out
    assert "Đã cài xong. Tự kiểm tra: đạt." in out
    assert "pause" not in out.lower() and "Press any key" not in out
    home = localappdata / "kehoach"
    relative = PureWindowsPath(INTERPRETER_WIN).relative_to(PureWindowsPath(ADDIN_HOME_WIN))
    assert home.joinpath(*relative.parts).is_file()  # %LOCALAPPDATA%\kehoach\venv\Scripts\pythonw.exe
    assert (home / bundle_cmd.MANIFEST).is_file()
    log = (home / "tu-kiem-tra.txt").read_text(encoding="utf-8")
    assert log.count("[đạt]") == 4 and "[LỖI]" not in log, log
    assert "Nút «Kiểm tra dữ liệu» dùng được trên máy này." in log
    # Run again over the first installation: the old one is replaced.
    code, out = run_installer(windows, unzipped, localappdata)
    assert code == 0, out


def test_a_failed_self_test_is_said_and_exits_1(windows: WindowsPython, unzipped: Path, tmp_path: Path) -> None:
    """Without Wine's shim the Rust extensions do not load: the installer's failure path, as a broken PC shows it."""
    broken = tmp_path / "broken"
    shutil.copytree(unzipped, broken)
    scripts, _ = bundle_cmd.addin_layout()
    (broken.joinpath(*scripts.parts) / "bcryptprimitives.dll").unlink(missing_ok=True)
    localappdata = tmp_path / "Local"
    localappdata.mkdir()
    code, out = run_installer(windows, broken, localappdata)
    assert code == 1, out
    assert "tự kiểm tra KHÔNG đạt" in out
    assert "Cài đặt KHÔNG thành công." in out
    assert "[LỖI]" in (localappdata / "kehoach" / "tu-kiem-tra.txt").read_text(encoding="utf-8")
