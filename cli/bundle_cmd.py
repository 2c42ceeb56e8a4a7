"""`kehoach addin bundle`: the staff's offline installer of the validation button's Python side (docs/bundle.md).

The DPI gives python.org's Windows embeddable CPython zip; the bundle is that Python with win_amd64 wheels of
exactly what the button needs unpacked into its ``Lib\\site-packages``, laid out as the templates expect it under
``%LOCALAPPDATA%\\kehoach`` (``venv\\Scripts\\pythonw.exe``), and ``cai-dat.cmd``, which copies it there, runs the
add-in's self-check with the bundled Python and says in Vietnamese what it did. No administrator rights, no network.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any

import click
from kehoach.cli import exit_codes
from kehoach.cli.lang import text
from kehoach.cli.output import FORMAT_OPTION, emit_json, fail, say
from kehoach.workbook_templates.vba_project import BUNDLE_INSTALLER

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = "kehoach-nut-kiem-tra-win64.zip"
INSTALLER = BUNDLE_INSTALLER  # the name the templates' notice and the guide give
MANIFEST = "kehoach-bundle.json"
PYTHON_VERSIONS = ("3.11", "3.12", "3.13")  # requires-python >= 3.11; wheels of every dependency exist for these

# What the button needs is one list, pyproject's optional-dependency group ``addin`` (read from the kehoach
# wheel's metadata, i.e. pyproject.toml); pip resolves what those need for the chosen Windows Python. Added here:
# the names pip would leave out because it judges their markers on the building machine.
BUTTON_EXTRA = "addin"
WINDOWS_ONLY = (
    "pywin32",  # xlwings on Windows (COM): its marker platform_system == 'Windows'
    "colorama",  # click on Windows
    "tzdata",  # pandas on Windows
)


@dataclass(frozen=True)
class EmbeddablePython:
    path: Path
    tag: str  # "311"
    sha256: str

    @property
    def version(self) -> str:
        return f"{self.tag[0]}.{self.tag[1:]}"


def addin_layout() -> tuple[PureWindowsPath, PureWindowsPath]:
    """Where the templates look for the interpreter, relative to the add-in folder: (venv\\Scripts, pythonw.exe)."""
    from kehoach.workbook_templates.vba_project import ADDIN_HOME_WIN, INTERPRETER_WIN

    relative = PureWindowsPath(INTERPRETER_WIN).relative_to(PureWindowsPath(ADDIN_HOME_WIN))
    return relative.parent, PureWindowsPath(relative.name)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def inspect_python_zip(path: Path) -> EmbeddablePython:
    """The embeddable zip's Python version, or ValueError (in the command's language) when it is not one."""

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (OSError, zipfile.BadZipFile) as error:
        raise ValueError(
            text(f"không đọc được tệp zip {path}: {error}", f"cannot read the zip {path}: {error}")
        ) from error
    tags = [m.group(1) for n in names if (m := re.fullmatch(r"python(3\d+)\.dll", n))]
    if len(tags) != 1 or not {"python.exe", "pythonw.exe", f"python{tags[0]}._pth"} <= names:
        raise ValueError(
            text(
                f"{path.name} không phải là bản Python nhúng (embeddable) cho Windows của python.org: cần tệp "
                "python3XX.dll, python.exe, pythonw.exe và python3XX._pth ở gốc tệp zip",
                f"{path.name} is not python.org's embeddable Python for Windows: python3XX.dll, python.exe, "
                "pythonw.exe and python3XX._pth must be at the root of the zip",
            )
        )
    python = EmbeddablePython(path, tags[0], sha256(path))
    if python.version not in PYTHON_VERSIONS:
        versions = ", ".join(PYTHON_VERSIONS)
        raise ValueError(
            text(
                f"Python {python.version} chưa được hỗ trợ; dùng một trong: {versions}",
                f"Python {python.version} is not supported; use one of: {versions}",
            )
        )
    return python


def requirements(wheel: Path) -> list[str]:
    """The pip requirements of the bundle besides the kehoach wheel: the wheel's ``addin`` extra (xlwings at the
    VBA module's version among them) and WINDOWS_ONLY."""
    from kehoach.workbook_templates.vba_project import xlwings_version

    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        chosen = button_requirements(archive.read(metadata).decode("utf-8"))
    if f"xlwings=={xlwings_version()}" not in chosen:
        pin = f"xlwings=={xlwings_version()}"
        raise RuntimeError(
            text(
                f"nhóm «{BUTTON_EXTRA}» của kehoach phải ghim {pin}", f"kehoach's «{BUTTON_EXTRA}» extra must pin {pin}"
            )
        )
    return [*chosen, *WINDOWS_ONLY]


def button_requirements(metadata: str) -> list[str]:
    """The requirements of the ``addin`` extra in a distribution's METADATA text, without their markers."""
    chosen = []
    for line in metadata.splitlines():
        if line.startswith("Requires-Dist:"):
            spec, _, marker = line.partition(":")[2].strip().partition(";")
            if re.fullmatch(rf"""\s*extra\s*==\s*["']{BUTTON_EXTRA}["']\s*""", marker):
                chosen.append(spec.strip().replace(" ", ""))
    return chosen


def build_wheel(out: Path) -> Path:
    """kehoach's wheel, built from a copy of the source (the checkout stays clean, concurrent builds do not meet)."""
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="kehoach-wheel-") as tmp:
        source = Path(tmp) / "source"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(PROJECT_ROOT / name, source / name)
        for folder in pyproject["tool"]["setuptools"]["package-dir"].values():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(PROJECT_ROOT / folder, source / folder, ignore=ignore)
        isolation = ["--no-build-isolation"] if _build_backend_installed(pyproject) else []  # else pip fetches it
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", *isolation]
        _pip([*command, "--disable-pip-version-check", "-w", str(out), str(source)])
    (built,) = out.glob("kehoach-*.whl")
    return built


def _build_backend_installed(pyproject: dict[str, Any]) -> bool:
    """Whether this Python's setuptools meets pyproject's build requirement."""
    from importlib.metadata import PackageNotFoundError, version

    (requirement,) = (r for r in pyproject["build-system"]["requires"] if r.startswith("setuptools"))
    try:
        installed = tuple(int(part) for part in version("setuptools").split(".")[:1])
    except (PackageNotFoundError, ValueError):
        return False
    return installed >= (int(requirement.partition(">=")[2].split(".")[0]),)


def install_site_packages(
    site: Path, wheel: Path, python_version: str, constraint: Path | None = None, cache: Path | None = None
) -> dict[str, str]:
    """The win_amd64 wheels for ``python_version`` unpacked into ``site``: kehoach's wheel (without its declared
    dependencies) and requirements(wheel) with what they need; returns {distribution: version}."""
    platform = [
        "--platform", "win_amd64", "--python-version", python_version, "--implementation", "cp",
        "--only-binary=:all:", "--target", str(site), "--no-compile", "--disable-pip-version-check", "--no-input",
    ]  # fmt: skip
    extra = ["--cache-dir", str(cache)] if cache else []
    pip = [sys.executable, "-m", "pip", "install", "-q", *platform, *extra]
    report = site.parent / "pip-report.json"
    _pip([*pip, "--no-deps", str(wheel)])
    constraints = ["-c", str(constraint)] if constraint else []
    _pip([*pip, "--upgrade", "--report", str(report), *constraints, *requirements(wheel)])
    installed = json.loads(report.read_text(encoding="utf-8"))["install"]
    report.unlink()
    shutil.rmtree(site / "bin", ignore_errors=True)  # Linux launchers of console scripts, not Windows'
    packages = {item["metadata"]["name"]: item["metadata"]["version"] for item in installed}
    packages["kehoach"] = wheel.name.split("-")[1]
    return dict(sorted(packages.items(), key=lambda item: item[0].lower()))


def _pip(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode:
        detail = f"{result.returncode}): {result.stderr[-2000:]}"
        raise RuntimeError(text(f"pip không thành công (mã {detail}", f"pip failed (code {detail}"))


def pth_lines(tag: str) -> list[str]:
    """The ._pth of the bundled Python: the standard library, its folder, Lib\\site-packages; `import site` so that
    site processes pywin32.pth there (win32, win32\\lib, Pythonwin and its DLLs through pywin32_bootstrap)."""
    return [f"python{tag}.zip", ".", r"Lib\site-packages", "import site"]


def installer_script(tag: str) -> str:
    """cai-dat.cmd: UTF-8 (chcp 65001 before any non-ASCII line), CRLF line ends."""
    scripts, _ = addin_layout()
    venv = scripts.parts[0]
    lines = [
        "@echo off",
        "rem Cai phan Python cua nut Kiem tra du lieu (kehoach) cho nguoi dung nay. Khong can quyen quan tri.",
        "chcp 65001 >nul",
        "setlocal EnableExtensions",
        'set "NGUON=%~dp0"',
        'set "DICH=%LOCALAPPDATA%\\kehoach"',
        f'set "PYTHON=%DICH%\\{scripts}\\python.exe"',
        'set "NHAT_KY=%DICH%\\tu-kiem-tra.txt"',
        f'if not exist "%NGUON%{scripts}\\python{tag}.dll" goto chua_giai_nen',
        'if "%LOCALAPPDATA%"=="" goto khong_co_thu_muc',
        "echo Đang cài phần kiểm tra dữ liệu (Python) vào %DICH% ...",
        'if not exist "%DICH%" mkdir "%DICH%"',
        f'if exist "%DICH%\\{venv}" rmdir /s /q "%DICH%\\{venv}"',
        f'if exist "%DICH%\\{venv}" goto dang_dung',
        f'xcopy "%NGUON%{venv}" "%DICH%\\{venv}\\" /e /i /q /y /h >nul',
        "if errorlevel 1 goto khong_chep_duoc",
        f'copy /y "%NGUON%{MANIFEST}" "%DICH%\\{MANIFEST}" >nul',
        "echo Đang tự kiểm tra (nạp mọi mô-đun nút bấm cần, kiểm tra thử một biểu mẫu) ...",
        '"%PYTHON%" -m kehoach.cli.main addin check > "%NHAT_KY%" 2>&1',
        "if errorlevel 1 goto tu_kiem_tra_loi",
        "echo Đã cài xong. Tự kiểm tra: đạt. Nút «Kiểm tra dữ liệu» trong biểu mẫu dùng được trên máy này.",
        "echo Python của nút bấm: %DICH%\\" + str(scripts) + "\\pythonw.exe",
        "exit /b 0",
        "",
        ":chua_giai_nen",
        "echo Chưa giải nén: hãy giải nén cả tệp zip (chuột phải, «Extract All»), rồi chạy cai-dat.cmd trong thư mục "
        "đã giải nén.",
        "goto that_bai",
        ":khong_co_thu_muc",
        "echo Không biết thư mục LOCALAPPDATA của người dùng này: không cài được.",
        "goto that_bai",
        ":dang_dung",
        "echo Không xoá được bản cài cũ trong %DICH%\\" + venv + ": hãy đóng Excel rồi chạy lại cai-dat.cmd.",
        "goto that_bai",
        ":khong_chep_duoc",
        "echo Không chép được vào %DICH% (ổ đĩa đầy hoặc không có quyền ghi).",
        "goto that_bai",
        ":tu_kiem_tra_loi",
        'type "%NHAT_KY%"',
        "echo Đã chép vào %DICH% nhưng tự kiểm tra KHÔNG đạt (chi tiết ở trên và trong %NHAT_KY%).",
        "echo Hãy gửi tệp %NHAT_KY% cho Sở Kế hoạch và Đầu tư.",
        "goto that_bai",
        "",
        ":that_bai",
        "echo Cài đặt KHÔNG thành công.",
        "pause",
        "exit /b 1",
    ]
    return "\r\n".join(lines) + "\r\n"


def build_bundle(
    python: EmbeddablePython,
    out: Path,
    wheel: Path | None = None,
    constraint: Path | None = None,
    cache: Path | None = None,
) -> dict[str, object]:
    """The bundle zip at ``out``; returns its manifest."""
    scripts, _ = addin_layout()
    with tempfile.TemporaryDirectory(prefix="kehoach-bundle-") as tmp:
        root = Path(tmp) / "bundle"
        bin_dir = root.joinpath(*scripts.parts)
        bin_dir.mkdir(parents=True)
        with zipfile.ZipFile(python.path) as archive:
            archive.extractall(bin_dir)
        if wheel is None:
            wheel = build_wheel(Path(tmp) / "dist")
        site = bin_dir / "Lib" / "site-packages"
        packages = install_site_packages(site, wheel, python.version, constraint, cache)
        for dll in site.glob("xlwings*.dll"):  # where xlwings' VBA looks for it: beside pythonw.exe
            shutil.copy2(dll, bin_dir / dll.name)
        (bin_dir / f"python{python.tag}._pth").write_bytes(("\r\n".join(pth_lines(python.tag)) + "\r\n").encode())
        (root / INSTALLER).write_bytes(installer_script(python.tag).encode("utf-8"))
        manifest: dict[str, object] = {
            "python": python.version,
            "python_zip": python.path.name,
            "python_zip_sha256": python.sha256,
            "interpreter": str(PureWindowsPath("%LOCALAPPDATA%", "kehoach", scripts, "pythonw.exe")),
            "constraint": constraint.name if constraint else None,
            "packages": packages,
        }
        (root / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(root).as_posix())
        partial.replace(out)
    return manifest


@click.command("bundle")
@click.option(
    "--python-zip",
    "python_zip",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tệp Python nhúng cho Windows (64-bit) tải từ python.org, ví dụ python-3.12.10-embed-amd64.zip.",
)
@click.option("--sha256", "expected", help="Mã SHA-256 của tệp đó do python.org công bố: khác thì dừng.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Tệp zip gửi cán bộ.",
)
@click.option(
    "--wheel",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Gói kehoach (.whl) đưa vào. Mặc định: đóng gói từ mã nguồn của bản kehoach đang chạy lệnh.",
)
@click.option(
    "--constraint",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tệp ràng buộc phiên bản cho pip (-c). Mặc định: bản mới nhất hợp với phiên bản Python.",
)
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Thư mục đệm của pip.")
@FORMAT_OPTION
def bundle(
    python_zip: Path,
    expected: str | None,
    out: Path,
    wheel: Path | None,
    constraint: Path | None,
    cache_dir: Path | None,
    output_format: str,
) -> None:
    """Đóng gói bộ cài nút «Kiểm tra dữ liệu» cho máy cán bộ (Windows 64-bit, không cần mạng, không cần quyền quản trị).

    \b
    Gồm: bản Python nhúng của python.org, các gói win_amd64 đúng những gì nút bấm cần, và cai-dat.cmd (chép vào
    %LOCALAPPDATA%\\kehoach, tự kiểm tra, báo kết quả bằng tiếng Việt). Chạy được trên Linux hoặc Windows; cần mạng
    để tải các gói. Mã thoát: 0 thành công, 2 tệp Python không dùng được, sai mã SHA-256 hoặc không tải được gói.
    """
    try:
        python = inspect_python_zip(python_zip)
    except ValueError as error:
        fail(str(error), exit_codes.USAGE)
    if output_format != "json":
        say(text("Python {0} nhúng: {1}", "Embeddable Python {0}: {1}").format(python.version, python_zip.name))
        say(f"SHA-256: {python.sha256}")
    if expected and expected.strip().lower() != python.sha256:
        fail(
            text(
                f"mã SHA-256 của {python_zip.name} không khớp với {expected}: đừng dùng tệp này.",
                f"the SHA-256 of {python_zip.name} does not match {expected}: do not use this file.",
            ),
            exit_codes.USAGE,
        )
    try:
        manifest = build_bundle(python, out, wheel, constraint, cache_dir)
    except RuntimeError as error:
        fail(str(error), exit_codes.USAGE)
    size = out.stat().st_size
    if output_format == "json":
        emit_json({**manifest, "out": str(out), "size": size, "sha256_checked": bool(expected)})
        return
    packages = manifest["packages"]
    assert isinstance(packages, dict)
    listed = ", ".join(f"{name} {version}" for name, version in packages.items())
    say(text(f"Gói ({len(packages)}): ", f"Packages ({len(packages)}): ") + listed)
    say(
        text(
            f"Đã ghi {out} ({size / 1e6:.1f} MB). Cán bộ giải nén rồi chạy {INSTALLER}.",
            f"Wrote {out} ({size / 1e6:.1f} MB). Staff unzip it and run {INSTALLER}.",
        )
    )
    if not expected:
        say(
            text(
                "Chưa đối chiếu SHA-256: hãy so mã trên với mã python.org công bố cho tệp này (hoặc dùng --sha256).",
                "SHA-256 not checked: compare the code above with the one python.org publishes for this file "
                "(or use --sha256).",
            )
        )
