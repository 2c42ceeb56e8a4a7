"""The button's environment is lean (issue 16, part 2): pyproject's optional-dependency group ``addin`` is all the
button needs on a staff PC. A fresh venv with exactly that group and kehoach's wheel (without its dependencies),
as the bundle carries them, runs the button on a real filled workbook through xlwings' remote engine and finds
what the full environment finds, and its self-check passes; the button imports neither the template builder nor
any dependency that only the DPI's commands need."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest
from kehoach.cli import bundle_cmd
from kehoach.samples.generate import generate_all
from kehoach.samples.inject import Injector
from kehoach.workbook_templates.catalog import load_catalog
from kehoach.xl_addin import excel

from tests.support.xlremote import open_payload, payload

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
BUTTON = PYPROJECT["project"]["optional-dependencies"]["addin"]
# Module names of what only the DPI's commands need: the template's VBA, the macro scan of received files and
# its decryption, openpyxl (annotate, the merge), the report.
DPI_ONLY = ("pyopenvba", "oletools", "msoffcrypto", "cryptography", "openpyxl", "docxtpl", "docx")
MISTAKES = ("T001", "C001", "P003", "K001", "O001")

# The button as RunPython runs it, on a remote-engine payload: prints the findings and the modules it loaded.
CHILD = """
import json, sys
import xlwings as xw
from kehoach import xl_addin
book = xw.Book(json=json.loads(open(sys.argv[1], encoding="utf-8").read()))
report = xl_addin.validate_book(book)
actions = book.json()["actions"]
print(json.dumps({
    "findings": sorted((f.rule, f.sheet, f.cell) for f in report.findings),
    "actions": len(actions),
    "modules": sorted(sys.modules),
}))
"""


def test_the_button_group_is_what_the_bundle_reads() -> None:
    metadata = "\n".join(
        ["Name: kehoach", *(f"Requires-Dist: {r}" for r in PYPROJECT["project"]["dependencies"])]
        + [f'Requires-Dist: {r}; extra == "addin"' for r in BUTTON]
        + ['Requires-Dist: pytest>=8; extra == "test"']
    )
    assert bundle_cmd.button_requirements(metadata) == [r.replace(" ", "") for r in BUTTON]
    names = {r.split("=")[0].split(">")[0].lower() for r in BUTTON}
    assert not names & {"pyopenvba", "oletools", "msoffcrypto-tool", "openpyxl", "docxtpl"}


@pytest.fixture(scope="module")
def workbook_payload(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list[str]]]:
    """The Statistics Office's workbook (the largest), filled with a few mistakes, as a remote-engine payload,
    and what the button finds in it in the full environment."""
    folder = tmp_path_factory.mktemp("lean-book")
    catalog = load_catalog()
    filling = generate_all(catalog, seed=2020, units=["CTK"])["CTK"]
    injector = Injector(catalog, catalog.unit("CTK"), copy.deepcopy(filling), random.Random(1))
    for code in MISTAKES:
        injector.inject(code)
    data = payload(injector.write(folder / "CTK.xlsm"))
    target = folder / "payload.json"
    target.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    report = excel.check(open_payload(json.loads(target.read_text(encoding="utf-8"))), dt.datetime(2020, 7, 10))
    return target, [list(f) for f in sorted((f.rule, f.sheet, f.cell) for f in report.findings)]


@pytest.fixture(scope="module")
def lean_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the ``addin`` group and kehoach's wheel without its dependencies, nothing else."""
    root = tmp_path_factory.mktemp("lean-venv")
    venv.create(root / "venv", with_pip=True)
    python = root / "venv" / "bin" / "python"
    wheel = bundle_cmd.build_wheel(root / "dist")
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    for command in ([*pip, *BUTTON], [*pip, "--no-deps", str(wheel)]):
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode:
            if os.environ.get("CI") != "true" and "Could not" in result.stderr:
                pytest.skip(f"the button's packages cannot be installed here: {result.stderr[-300:]}")
            pytest.fail(result.stderr[-2000:])
    return python


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return env | {"XLWINGS_LICENSE_KEY": "noncommercial", "PYTHONIOENCODING": "utf-8"}


def test_the_lean_venv_lacks_what_only_the_dpi_needs(lean_python: Path) -> None:
    code = f"import importlib.util as u; print([m for m in {DPI_ONLY!r} if u.find_spec(m)])"
    result = subprocess.run([str(lean_python), "-c", code], capture_output=True, text=True, env=_clean_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_button_runs_in_the_lean_venv(
    lean_python: Path, workbook_payload: tuple[Path, list[list[str]]], tmp_path: Path
) -> None:
    path, expected = workbook_payload
    result = subprocess.run(
        [str(lean_python), "-c", CHILD, str(path)], capture_output=True, text=True, env=_clean_env(), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    done = json.loads(result.stdout.strip().splitlines()[-1])
    assert done["findings"] == expected
    assert {code for code, _, _ in expected} >= {"T001", "C001"}
    assert done["actions"] > 0
    assert "kehoach.workbook_templates.builder" not in done["modules"]
    assert not {m.partition(".")[0] for m in done["modules"]} & set(DPI_ONLY)


def test_the_self_check_passes_in_the_lean_venv(lean_python: Path, tmp_path: Path) -> None:
    command = [str(lean_python), "-m", "kehoach.cli.main", "addin", "check", "--format", "json"]
    result = subprocess.run(command, capture_output=True, text=True, env=_clean_env(), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    done = json.loads(result.stdout)
    assert done["ok"]
    assert "kehoach.workbook_templates.vba_project" in done["modules"]  # read for the entry points, no VBA built


def test_the_button_in_the_full_environment_does_not_load_the_builder(
    workbook_payload: tuple[Path, list[list[str]]], tmp_path: Path
) -> None:
    path, _ = workbook_payload
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, env=_clean_env(), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    modules = json.loads(result.stdout.strip().splitlines()[-1])["modules"]
    assert "kehoach.workbook_templates.builder" not in modules
    # xlwings imports cryptography when it is installed (its licence code); the lean venv shows it is not needed
    assert not {m.partition(".")[0] for m in modules} & (set(DPI_ONLY) - {"cryptography"})
