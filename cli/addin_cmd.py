"""`kehoach addin install`: the Python side of the validation button on a staff member's Windows machine.

The templates' hidden ``xlwings.conf`` sheet names the interpreter the buttons start; this command creates
it: a virtual environment in the per-user folder (no administrator rights), with kehoach and the xlwings
version whose VBA module the templates carry. On other systems it says what it would do and changes nothing.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import os
import pkgutil
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Any

import click
from kehoach.cli import exit_codes
from kehoach.cli.bundle_cmd import PROJECT_ROOT, addin_layout, bundle
from kehoach.cli.lang import current, text
from kehoach.cli.output import FORMAT_OPTION, emit_json, fail, say


@dataclass(frozen=True)
class Step:
    what: str  # in Vietnamese, for the person installing
    command: list[str]


@click.group()
def addin() -> None:
    """Nút «Kiểm tra dữ liệu» trong biểu mẫu: phần Python trên máy cán bộ."""


addin.add_command(bundle)


@addin.command("install")
@click.option(
    "--source",
    type=click.Path(exists=True, path_type=Path),
    help="Gói kehoach cần cài: tệp .whl do Sở gửi, hoặc thư mục mã nguồn. Mặc định: thư mục mã nguồn của "
    "bản kehoach đang chạy lệnh này.",
)
@click.option("--dry-run", is_flag=True, help="Chỉ liệt kê các bước, không thực hiện.")
@FORMAT_OPTION
def install(source: Path | None, dry_run: bool, output_format: str) -> None:
    """Cài phần Python cho nút kiểm tra dữ liệu trong biểu mẫu (máy Windows, không cần quyền quản trị).

    \b
    Tạo môi trường Python riêng tại %LOCALAPPDATA%\\kehoach\\venv (đúng nơi biểu mẫu tìm đến) và cài
    kehoach cùng xlwings đúng phiên bản của mô-đun VBA trong biểu mẫu. Trên hệ điều hành khác: chỉ giải
    thích các bước sẽ làm. Mã thoát: 0 thành công, 2 không cài được (xem thông báo).
    """
    from kehoach.workbook_templates.vba_project import ADDIN_HOME_WIN, INTERPRETER_WIN, xlwings_version

    windows = sys.platform == "win32"
    if source is None and not (PROJECT_ROOT / "pyproject.toml").exists():
        fail(
            text(
                "bản kehoach này không kèm mã nguồn: hãy chỉ ra gói cần cài bằng --source <tệp .whl>.",
                "this kehoach has no source tree: name the package to install with --source <file .whl>.",
            ),
            exit_codes.USAGE,
        )
    package = (source or PROJECT_ROOT).resolve()
    home = PureWindowsPath(os.path.expandvars(ADDIN_HOME_WIN) if windows else ADDIN_HOME_WIN)
    steps = plan(home, package, xlwings_version(), sys.executable if windows else "python")
    perform = windows and not dry_run
    if perform:
        for step in steps:
            say(f"- {step.what}")
            result = subprocess.run(step.command, check=False)
            if result.returncode:
                fail(
                    text(
                        f"bước «{step.what}» không thành công (mã {result.returncode}).",
                        f"step «{step.what}» failed (code {result.returncode}).",
                    ),
                    exit_codes.USAGE,
                )
    if output_format == "json":
        emit_json(
            {
                "performed": perform,
                "home": str(home),
                "interpreter": INTERPRETER_WIN,
                "steps": [asdict(step) for step in steps],
            }
        )
        return
    if perform:
        say(
            text(
                f"Đã cài xong phần Python của nút kiểm tra dữ liệu vào {home}.",
                f"The Python part of the data check button is installed in {home}.",
            )
        )
    else:
        if windows:
            intro = text("Các bước sẽ thực hiện", "The steps it would take")
        else:
            intro = text(
                "Lệnh này chỉ cài trên Windows. Trên máy Windows, nó sẽ",
                "This command installs on Windows only. On a Windows machine it would",
            )
        say(f"{intro}:")
        for number, step in enumerate(steps, start=1):
            say(f"  {number}. {step.what}\n     {subprocess.list2cmdline(step.command)}")
    say(
        text(
            "Tiếp theo: mở biểu mẫu trong Excel, cho phép macro (xem «Hướng dẫn sử dụng», mục 3), "
            "rồi bấm nút «Kiểm tra dữ liệu».",
            "Next: open the template in Excel, enable macros (see «Hướng dẫn sử dụng», section 3), "
            "then press the «Kiểm tra dữ liệu» button.",
        )
    )


def plan(home: PureWindowsPath, package: Path, xlwings: str, python: str) -> list[Step]:
    """The installation, step by step: ``home`` is the add-in folder, ``python`` the interpreter that creates
    the virtual environment."""
    scripts, _ = addin_layout()  # venv\Scripts, as the templates expect it
    venv = home / scripts.parts[0]
    python_venv = str(home / scripts / "python.exe")
    target = f"{package}[addin]" if package.is_dir() else f"kehoach[addin] @ {package.as_uri()}"
    pip = [python_venv, "-m", "pip", "install", "--disable-pip-version-check", target, f"xlwings=={xlwings}"]
    check = [python_venv, "-m", "kehoach.cli.main", "addin", "check"]
    return [
        Step(
            text(f"Tạo môi trường Python riêng tại {venv}", f"Create a private Python environment in {venv}"),
            [python, "-m", "venv", "--clear", str(venv)],
        ),
        Step(
            text(
                f"Cài kehoach và xlwings {xlwings} (phiên bản của mô-đun VBA trong biểu mẫu)",
                f"Install kehoach and xlwings {xlwings} (the version of the templates' VBA module)",
            ),
            pip,
        ),
        Step(
            text(
                "Tự kiểm tra: nạp mọi mô-đun nút bấm cần và kiểm tra thử một biểu mẫu",
                "Self-check: import every module the button needs and check an empty template",
            ),
            check,
        ),
    ]


# What the buttons import: the add-in and the rule modules the engine loads (every module in these packages is
# imported by the self-check); the rest of validators and workbook_templates comes in through their imports.
# The template builder, the file reader's macro scan, the merge and the report are the DPI's, not the button's.
BUTTON_PACKAGES = ("kehoach.xl_addin", "kehoach.validators.rules")
_COMMAND = re.compile(r'^Private Const (\w+)_COMMAND As String = "(.*)"$', re.M)


@dataclass
class CheckStep:
    what: str  # in the command's language
    ok: bool = True
    problem: str = ""  # in the command's language, with the error's type and text
    details: dict[str, Any] = field(default_factory=dict)


@addin.command("check")
@FORMAT_OPTION
def check(output_format: str) -> None:
    """Tự kiểm tra phần Python của nút «Kiểm tra dữ liệu» trong môi trường đang chạy lệnh này.

    \b
    Nạp xlwings (đúng phiên bản của mô-đun VBA trong biểu mẫu) và mọi mô-đun kehoach nút bấm có thể cần,
    kiểm tra lệnh Python mà nút bấm chạy, rồi kiểm tra thử một biểu mẫu trống bằng chính bộ kiểm tra của
    nút bấm (không cần Excel). `kehoach addin install` chạy lệnh này sau khi cài.
    Mã thoát: 0 nút bấm dùng được, 2 còn thiếu hoặc hỏng một thành phần (xem thông báo).
    """
    steps = self_check()
    ok = all(step.ok for step in steps)
    if output_format == "json":
        emit_json(
            {
                "ok": ok,
                "python": sys.executable,
                "steps": [asdict(step) for step in steps],
                "modules": sorted(name for name in sys.modules if name.startswith("kehoach.")),
                "distributions": _distributions(),
            }
        )
    else:
        for step in steps:
            mark = text("[đạt]", "[ok]") if step.ok else text("[LỖI]", "[FAILED]")
            say(f"{mark} {step.what}" + ("" if step.ok else f": {step.problem}"))
    if not ok:
        fail(
            text(
                "nút «Kiểm tra dữ liệu» chưa dùng được. Hãy cài lại: chạy lại tệp cai-dat.cmd của bộ cài, "
                "hoặc lệnh «kehoach addin install».",
                "the «Kiểm tra dữ liệu» button does not work yet. Install again: run the installer's "
                "cai-dat.cmd again, or «kehoach addin install».",
            ),
            exit_codes.USAGE,
        )
    if output_format != "json":
        say(
            text(
                "Nút «Kiểm tra dữ liệu» dùng được trên máy này.", "The «Kiểm tra dữ liệu» button works on this machine."
            )
        )


def self_check() -> list[CheckStep]:
    """Every step, in order; a step that fails says why and the others still run where they can."""
    steps = []
    for what, run in _CHECKS:
        step = CheckStep(text(what, CHECKS_EN.get(run.__name__, what)))
        try:
            step.details = run() or {}
        except BaseException as error:  # an import can raise anything, SystemExit included
            if isinstance(error, KeyboardInterrupt):
                raise
            step.ok, step.problem = False, f"{type(error).__name__}: {error}"
        steps.append(step)
    return steps


def _check_xlwings() -> dict[str, Any]:
    import xlwings
    from kehoach.workbook_templates.vba_project import xlwings_version

    wanted = xlwings_version()
    if xlwings.__version__ != wanted:
        raise RuntimeError(
            text(
                f"máy có xlwings {xlwings.__version__}, mô-đun VBA của biểu mẫu cần xlwings {wanted}",
                f"this machine has xlwings {xlwings.__version__}, the templates' VBA module needs xlwings {wanted}",
            )
        )
    return {"xlwings": xlwings.__version__}


def _check_modules() -> dict[str, Any]:
    """Import every module of the button's packages, found where they are installed (nothing listed by hand)."""
    imported, broken = [], []
    for package_name in BUTTON_PACKAGES:
        package = importlib.import_module(package_name)
        imported.append(package_name)
        for module in pkgutil.walk_packages(package.__path__, package_name + ".", onerror=broken.append):
            try:
                importlib.import_module(module.name)
                imported.append(module.name)
            except Exception as error:
                broken.append(f"{module.name} ({type(error).__name__}: {error})")
    if broken:
        raise ImportError(text("không nạp được ", "cannot import ") + ", ".join(broken))
    return {"imported": imported}


def _check_entry_points() -> dict[str, Any]:
    """The Python the buttons run (RunPython in KeHoach.bas): its imports run and the functions it calls exist;
    none is called, as that needs the workbook that pressed the button."""
    from kehoach.workbook_templates.vba_project import VBA_DIR

    commands = dict(_COMMAND.findall((VBA_DIR / "KeHoach.bas").read_text(encoding="utf-8")))
    if not commands:
        raise RuntimeError(
            text(
                "mô-đun VBA KeHoach.bas không có lệnh Python nào cho nút bấm",
                "the VBA module KeHoach.bas has no Python command for the buttons",
            )
        )
    for command in commands.values():
        namespace: dict[str, Any] = {}
        for statement in ast.parse(command).body:
            if isinstance(statement, ast.Import | ast.ImportFrom):
                exec(compile(ast.Module([statement], []), "KeHoach.bas", "exec"), namespace)
            elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                target = eval(compile(ast.Expression(statement.value.func), "KeHoach.bas", "eval"), namespace)
                if not callable(target):
                    name = ast.unparse(statement.value.func)
                    raise TypeError(text(f"«{name}» không phải là hàm", f"«{name}» is not a function"))
    return {"commands": commands}


def _check_workbook() -> dict[str, Any]:
    """A unit's empty template, built and read as files are, then checked as the button checks a live workbook:
    the data sheets and the defined names through the engine, and the marks the button would write."""
    import xlwings  # noqa: F401  (the button imports it before anything else)
    from kehoach.validators.engine import validate_book
    from kehoach.validators.marks import checked_fingerprint, marks_for
    from kehoach.validators.reader import read_workbook
    from kehoach.validators.registry import all_rules
    from kehoach.validators.workbook import RawWorkbook
    from kehoach.workbook_templates import layout as L
    from kehoach.workbook_templates.builder import build_workbook
    from kehoach.workbook_templates.catalog import load_catalog
    from kehoach.xl_addin import excel  # noqa: F401  (what the button runs; its imports must all work)

    catalog = load_catalog()
    unit = catalog.units[0]
    with tempfile.TemporaryDirectory(prefix="kehoach-addin-check-") as tmp:
        # .xlsx: the same sheets without the VBA project, whose writer (pyOpenVBA) is the DPI's, not the button's
        read = read_workbook(build_workbook(catalog, unit, Path(tmp) / f"{unit.code}.xlsx"))
    live = RawWorkbook(read.label, {n: g for n, g in read.sheets.items() if n in L.DATA_SHEETS}, read.names)
    report = validate_book(live, catalog)
    if not report.readable:
        found = "; ".join(finding.message(current()) for finding in report.findings)
        raise RuntimeError(
            text(
                f"bộ kiểm tra không nhận ra biểu mẫu trống: {found}",
                f"the checker does not recognise an empty template: {found}",
            )
        )
    marks = marks_for(report, dt.datetime.now().replace(microsecond=0))
    checked_fingerprint(report.submission)
    return {
        "unit": unit.code,
        "rules": len(all_rules()),
        "errors": report.errors,
        "warnings": report.warnings,
        "marked_cells": len(marks.cells),
    }


_CHECKS: tuple[tuple[str, Callable[[], dict[str, Any] | None]], ...] = (
    ("xlwings đúng phiên bản của mô-đun VBA trong biểu mẫu", _check_xlwings),
    ("nạp mọi mô-đun kehoach của nút bấm (" + ", ".join(BUTTON_PACKAGES) + ")", _check_modules),
    ("lệnh Python của các nút bấm (KeHoach.bas)", _check_entry_points),
    ("kiểm tra thử một biểu mẫu trống bằng bộ kiểm tra của nút bấm", _check_workbook),
)
CHECKS_EN = {
    "_check_xlwings": "xlwings in the version of the templates' VBA module",
    "_check_modules": "import every kehoach module of the button (" + ", ".join(BUTTON_PACKAGES) + ")",
    "_check_entry_points": "the buttons' Python commands (KeHoach.bas)",
    "_check_workbook": "check an empty template with the button's checker",
}


def _distributions() -> dict[str, str]:
    """The installed distributions the loaded modules come from, with their versions."""
    from importlib.metadata import packages_distributions, version

    loaded = {name.partition(".")[0] for name in sys.modules}
    found = {dist for top, dists in packages_distributions().items() if top in loaded for dist in dists}
    return {dist: version(dist) for dist in sorted(found, key=str.lower)}
