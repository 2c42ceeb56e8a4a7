"""kehoach as it is installed, not as it runs from the repository: the wheel holds every package, module and data
file under the one namespace ``kehoach.*`` (nothing top-level that another distribution could shadow, such as
PyPI's ``validators``), and in a fresh virtual environment beside PyPI's ``validators``, and again without it,
``kehoach validate`` and the add-in's self-check work. Also the self-check itself, and the set-up script on an
interpreter that refuses pip (PEP 668) as a stock Debian or Ubuntu does.

The wheel is built once per session and the environment made once per module (pip installs from PyPI)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner
from kehoach.cli.addin_cmd import BUTTON_PACKAGES, plan
from kehoach.cli.main import kehoach
from kehoach.workbook_templates.vba_project import xlwings_version
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
FOLDERS = {folder: package for package, folder in SETUPTOOLS["package-dir"].items()}  # "cli" -> "kehoach.cli"
VERSION = PYPROJECT["project"]["version"]
DIST_INFO = f"kehoach-{VERSION}.dist-info"
# The data the package cannot work without, each at least once in the wheel (every other file is checked below).
DATA = (
    "kehoach/workbook_templates/catalog/units.csv",
    "kehoach/workbook_templates/catalog/indicators.csv",
    "kehoach/workbook_templates/catalog/template.toml",
    "kehoach/workbook_templates/texts/huong_dan.txt",
    "kehoach/workbook_templates/vba/KeHoach.bas",
    "kehoach/workbook_templates/vba/xlwings.bas",
    "kehoach/workbook_templates/vba/Dictionary.cls",
    "kehoach/samples/profile.csv",
    "kehoach/scenarios/defaults.csv",
    "kehoach/report/templates/du-thao-bao-cao.docx",
)


def _source_files() -> dict[str, Path]:
    """Every file of the mapped folders, by its name in the wheel: modules and data alike."""
    found = {}
    for folder, package in FOLDERS.items():
        for path in (REPO / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                found["/".join([*package.split("."), *path.relative_to(REPO / folder).parts])] = path
    return found


def _packages() -> set[str]:
    """Every package directory of the mapped folders (a folder with __init__.py), as a dotted name."""
    return {
        ".".join([*FOLDERS[folder].split("."), *init.parent.relative_to(REPO / folder).parts])
        for folder in FOLDERS
        for init in (REPO / folder).rglob("__init__.py")
    }


def _button_modules(files: Iterable[str]) -> set[str]:
    """The modules of the button's packages among wheel file names, as dotted names."""
    prefixes = tuple(package.replace(".", "/") + "/" for package in BUTTON_PACKAGES)
    return {
        name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        for name in files
        if name.endswith(".py") and name.startswith(prefixes)
    }


def _setuptools_builds_offline() -> bool:
    """Whether this interpreter's setuptools meets the build requirement, so pip needs nothing from PyPI."""
    try:
        installed = Version(importlib.metadata.version("setuptools"))
    except importlib.metadata.PackageNotFoundError:
        return False
    (requirement,) = (r for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools"))
    return installed >= Version(requirement.partition(">=")[2])


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of the working tree, built from a copy of what the build reads (the repository stays clean)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    for folder in FOLDERS:
        shutil.copytree(REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    isolation = ["--no-build-isolation"] if _setuptools_builds_offline() else []
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", *isolation]
    result = subprocess.run([*command, "-w", str(tmp / "dist"), str(source)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = (tmp / "dist").glob("kehoach-*.whl")
    return built


@pytest.fixture(scope="session")
def contents(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_mapping_covers_every_top_level_package_of_the_repository() -> None:
    top = {init.parent.name for init in REPO.glob("*/__init__.py")} - {"tests"}
    assert top == set(FOLDERS)
    assert all(package == f"kehoach.{folder}" for folder, package in FOLDERS.items())
    assert set(SETUPTOOLS["packages"]) == _packages()


def test_the_wheel_installs_one_top_level_name(wheel: Path, contents: set[str]) -> None:
    assert {name.split("/")[0] for name in contents} == {"kehoach", DIST_INFO}
    assert "kehoach/__init__.py" not in contents  # a namespace package: kehoach.* folders only
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read(f"{DIST_INFO}/top_level.txt").decode().split() == ["kehoach"]
        entry_points = archive.read(f"{DIST_INFO}/entry_points.txt").decode()
    assert "kehoach = kehoach.cli.main:main" in entry_points


def test_the_wheel_holds_every_package_module_and_data_file(contents: set[str]) -> None:
    packages = {package.replace(".", "/") + "/__init__.py" for package in _packages()}
    assert "kehoach/validators/rules/__init__.py" in packages
    assert packages - contents == set()
    files = set(_source_files())
    assert files - contents == set(), "files of the repository missing from the wheel"
    assert {name for name in contents if not name.startswith(DIST_INFO)} == files, "files in the wheel from elsewhere"
    assert set(DATA) <= contents
    for folder, suffix in (("catalog", ".csv"), ("vba", ".bas"), ("vba", ".cls"), ("texts", ".txt")):
        wanted = {n for n in files if n.startswith(f"kehoach/workbook_templates/{folder}/") and n.endswith(suffix)}
        assert wanted and wanted <= contents


# The add-in's self-check, here and when something it needs is missing.


def test_the_self_check_passes_here() -> None:
    result = CliRunner().invoke(kehoach, ["addin", "check", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and all(step["ok"] for step in report["steps"])
    assert set(report["steps"][1]["details"]["imported"]) == _button_modules(_source_files())
    assert report["steps"][0]["details"]["xlwings"] == xlwings_version()


_BLOCKED = """
import sys
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name == {name!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Blocker())
sys.argv = ["kehoach", "addin", "check"]
from kehoach.cli.main import main
main()
"""


@pytest.mark.parametrize("missing", ["kehoach.validators.rules", "kehoach.validators.schemas", "pandera", "xlwings"])
def test_the_self_check_fails_in_vietnamese_when_the_button_lacks_a_module(missing: str) -> None:
    """What a wheel without validators/rules/ did: the button failed on its first press, the check passed."""
    script = textwrap.dedent(_BLOCKED.format(name=missing))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO / "tests")
    assert result.returncode == 2, result.stderr
    assert "[LỖI]" in result.stderr and missing in result.stderr
    assert "Lỗi: nút «Kiểm tra dữ liệu» chưa dùng được" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_installation_ends_with_the_self_check() -> None:
    from pathlib import PureWindowsPath

    steps = plan(PureWindowsPath(r"C:\Users\a\AppData\Local\kehoach"), REPO, xlwings_version(), "python")
    assert steps[-1].command[1:] == ["-m", "kehoach.cli.main", "addin", "check"]


# The wheel in a fresh virtual environment, beside PyPI's validators and then without it.


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def _run(venv: Path, *command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A command of the environment, with no trace of the repository or of this interpreter's environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(_bin(venv, "")), env.get("PATH", "")])
    program = str(_bin(venv, str(command[0])))
    return subprocess.run([program, *map(str, command[1:])], capture_output=True, text=True, cwd=cwd, env=env)


def _pip(venv: Path, *args: str, cwd: Path) -> None:
    result = _run(venv, "python", "-m", "pip", "--disable-pip-version-check", *args, cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment (not sharing this one's packages) with PyPI's validators, then the wheel as the add-in
    installs it, dependencies from PyPI."""
    where = tmp_path_factory.mktemp("venv")
    result = subprocess.run([sys.executable, "-m", "venv", str(where / "env")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    env = where / "env"
    _pip(env, "install", "-q", "validators", cwd=where)
    _pip(env, "install", "-q", f"kehoach[addin] @ {wheel.as_uri()}", cwd=where)
    return env


@pytest.fixture(scope="module")
def workbooks(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A clean synthetic submission and an empty template, made by the installed kehoach."""
    out = tmp_path_factory.mktemp("installed-workbooks")
    sample = _run(
        venv, "kehoach", "sample", "--out", out, "--unit", "SKHDT", "--seed", "3", "--format", "json", cwd=out
    )
    assert sample.returncode == 0, sample.stderr
    (clean,) = (Path(item["path"]) for item in json.loads(sample.stdout)["samples"])
    built = _run(venv, "kehoach", "templates", "build", "--out", out / "mau", "--unit", "SKHDT", cwd=out)
    assert built.returncode == 0, built.stderr
    (empty,) = (out / "mau").glob("SKHDT_*.xlsm")
    return {"clean": clean, "empty": empty}


@pytest.fixture(scope="module", params=["beside PyPI's validators", "after uninstalling validators"])
def installed(request: pytest.FixtureRequest, venv: Path, workbooks: dict[str, Path]) -> Path:
    """The environment in each state; each state is made here, whatever order the tests run in."""
    if request.param == "beside PyPI's validators":
        _pip(venv, "install", "-q", "validators", cwd=venv)
    else:
        _pip(venv, "uninstall", "-y", "-q", "validators", cwd=venv)
    return venv


def test_pypi_validators_and_ours_live_side_by_side(installed: Path, request: pytest.FixtureRequest) -> None:
    beside = request.node.callspec.params["installed"] == "beside PyPI's validators"
    script = textwrap.dedent(
        f"""
        import importlib.util, sys
        import kehoach.validators.engine, kehoach.validators.rules
        assert kehoach.validators.engine.__file__.startswith(sys.prefix), kehoach.validators.engine.__file__
        spec = importlib.util.find_spec("validators")
        assert (spec is not None) == {beside}, spec
        if spec:
            import validators
            assert validators.email("so.khdt@travinh.gov.vn") is True
            assert not hasattr(validators, "engine")
        """
    )
    result = _run(installed, "python", "-c", script, cwd=installed.parent)
    assert result.returncode == 0, result.stderr


def test_kehoach_validate_works_installed(installed: Path, workbooks: dict[str, Path]) -> None:
    clean = _run(installed, "kehoach", "validate", workbooks["clean"], cwd=installed.parent)
    assert clean.returncode == 0, clean.stderr
    assert "0 lỗi, 0 cảnh báo" in clean.stdout
    empty = _run(installed, "kehoach", "validate", workbooks["empty"], "--format", "json", cwd=installed.parent)
    assert empty.returncode == 1, empty.stderr
    assert "Traceback" not in empty.stderr
    rules = {finding["rule"] for finding in json.loads(empty.stdout)["files"][0]["findings"]}
    assert rules and all(rule.startswith("C") for rule in rules), rules  # an empty template: only completeness


def test_the_add_in_self_check_passes_installed(installed: Path, contents: set[str]) -> None:
    result = _run(installed, "kehoach", "addin", "check", "--format", "json", cwd=installed.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"], report["steps"]
    assert set(report["steps"][1]["details"]["imported"]) == _button_modules(contents)
    assert {"kehoach", "xlwings", "pandera"} <= set(report["distributions"])
    text = _run(installed, "kehoach", "addin", "check", cwd=installed.parent)
    assert text.returncode == 0 and "Nút «Kiểm tra dữ liệu» dùng được" in text.stderr


# The set-up script on a system whose python3 refuses pip, as Debian 12 and Ubuntu 24.04 do (PEP 668).

_EXTERNALLY_MANAGED = """#!/usr/bin/env bash
echo "$*" >> "{log}"
if [ "$1" = -m ] && [ "$2" = pip ]; then
  echo "error: externally-managed-environment" >&2
  exit 1
fi
exec "{python}" "$@"
"""


def test_setup_installs_into_its_own_environment_when_the_system_python_refuses_pip(tmp_path: Path) -> None:
    """Only kehoach itself is installed (PIP_NO_DEPS): the dependencies are the wheel test's business."""
    log, shim, env_dir = tmp_path / "calls.log", tmp_path / "python3", tmp_path / "env"
    shim.write_text(_EXTERNALLY_MANAGED.format(log=log, python=sys.executable))
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env |= {"KEHOACH_PYTHON": str(shim), "KEHOACH_VENV": str(env_dir), "PIP_NO_DEPS": "1"}
    run = subprocess.run(["bash", "scripts/setup.sh"], cwd=REPO, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "đang tạo môi trường ảo" in run.stderr
    calls = log.read_text().splitlines()
    assert any(call.startswith("-m venv") for call in calls)
    assert not any(call.startswith("-m pip") for call in calls), calls
    assert _bin(env_dir, "kehoach").exists()
    version = "import importlib.metadata as m; print(m.version('kehoach'))"
    assert _run(env_dir, "python", "-c", version, cwd=tmp_path).stdout.strip() == VERSION
