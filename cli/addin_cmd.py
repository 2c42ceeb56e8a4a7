"""`kehoach addin install`: the Python side of the validation button on a staff member's Windows machine.

The templates' hidden ``xlwings.conf`` sheet names the interpreter the buttons start; this command creates
it: a virtual environment in the per-user folder (no administrator rights), with kehoach and the xlwings
version whose VBA module the templates carry. On other systems it says what it would do and changes nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path, PureWindowsPath

import click
from kehoach.cli import exit_codes
from kehoach.cli.output import FORMAT_OPTION, emit_json, fail, say

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Step:
    what: str  # in Vietnamese, for the person installing
    command: list[str]


@click.group()
def addin() -> None:
    """Nút «Kiểm tra dữ liệu» trong biểu mẫu: phần Python trên máy cán bộ."""


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
        fail("bản kehoach này không kèm mã nguồn: hãy chỉ ra gói cần cài bằng --source <tệp .whl>.", exit_codes.USAGE)
    package = (source or PROJECT_ROOT).resolve()
    home = PureWindowsPath(os.path.expandvars(ADDIN_HOME_WIN) if windows else ADDIN_HOME_WIN)
    steps = plan(home, package, xlwings_version(), sys.executable if windows else "python")
    perform = windows and not dry_run
    if perform:
        for step in steps:
            say(f"- {step.what}")
            result = subprocess.run(step.command, check=False)
            if result.returncode:
                fail(f"bước «{step.what}» không thành công (mã {result.returncode}).", exit_codes.USAGE)
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
        say(f"Đã cài xong phần Python của nút kiểm tra dữ liệu vào {home}.")
    else:
        intro = "Các bước sẽ thực hiện" if windows else "Lệnh này chỉ cài trên Windows. Trên máy Windows, nó sẽ"
        say(f"{intro}:")
        for number, step in enumerate(steps, start=1):
            say(f"  {number}. {step.what}\n     {subprocess.list2cmdline(step.command)}")
    say(
        "Tiếp theo: mở biểu mẫu trong Excel, cho phép macro (xem «Hướng dẫn sử dụng», mục 3), "
        "rồi bấm nút «Kiểm tra dữ liệu»."
    )


def plan(home: PureWindowsPath, package: Path, xlwings: str, python: str) -> list[Step]:
    """The installation, step by step: ``home`` is the add-in folder, ``python`` the interpreter that creates
    the virtual environment."""
    venv = home / "venv"
    python_venv = str(venv / "Scripts" / "python.exe")
    target = f"{package}[addin]" if package.is_dir() else f"kehoach[addin] @ {package.as_uri()}"
    pip = [python_venv, "-m", "pip", "install", "--disable-pip-version-check", target, f"xlwings=={xlwings}"]
    check = [python_venv, "-c", "import kehoach.xl_addin, xlwings, kehoach.validators.engine"]
    return [
        Step(f"Tạo môi trường Python riêng tại {venv}", [python, "-m", "venv", "--clear", str(venv)]),
        Step(f"Cài kehoach và xlwings {xlwings} (phiên bản của mô-đun VBA trong biểu mẫu)", pip),
        Step("Kiểm tra: nạp được phần kiểm tra của nút bấm", check),
    ]
