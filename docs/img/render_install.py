"""Render the pictures of the bundle's installation steps in docs/huong-dan-su-dung.md (section 2a) with
LibreOffice (HTML to PDF, then pdftoppm to PNG).

    python docs/img/render_install.py

No Windows is involved: the pictures are drawn from the real texts. The folder picture lists the top of the
unzipped bundle (cli/bundle_cmd.py: the installer, the manifest and the venv folder); the window picture shows
what cai-dat.cmd echoes on success (cli/bundle_cmd.py installer_script), for a user folder with Vietnamese
letters, under the title cmd.exe gives the window.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
RESOLUTION = 110
WIDTH = 900  # pixels: the text column of an A4 page at RESOLUTION, with its left margin
USER_HOME = "C:\\Users\\Nguyễn Văn An\\AppData\\Local"

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<table width="100%" cellpadding="6" cellspacing="0" border="1">
<tr><td bgcolor="#f0f0f0"><font face="DejaVu Sans" size="2">{title}</font></td></tr>
<tr><td bgcolor="{background}"><font face="{font}" color="{colour}" size="2">{text}</font></td></tr>
</table></body></html>
"""


def success_lines() -> list[str]:
    """The lines cai-dat.cmd echoes when it installs and the self-check passes, in order."""
    sys.path.insert(0, str(ROOT))
    from kehoach.cli.bundle_cmd import installer_script

    shown = []
    for line in installer_script("311").split("\r\n"):
        if line == "exit /b 0":
            break
        if line.startswith("echo "):
            shown.append(line.removeprefix("echo ").replace("%DICH%", USER_HOME + "\\kehoach"))
    return shown


def folder_lines() -> list[str]:
    from kehoach.cli.bundle_cmd import INSTALLER, MANIFEST, addin_layout

    scripts, _ = addin_layout()
    return [
        "kehoach-nut-kiem-tra-win64  (thư mục đã giải nén)",
        "",
        f"    [thư mục]  {scripts.parts[0]}",
        f"    [tệp]      {INSTALLER}   ← bấm đúp vào tệp này",
        f"    [tệp]      {MANIFEST}",
    ]


def render(name: str, title: str, lines: list[str], console: bool) -> Path:
    text = "<br>".join(html.escape(line).replace("  ", "&nbsp;&nbsp;") or "&nbsp;" for line in lines)
    page = PAGE.format(
        background="#0c0c0c" if console else "#ffffff",
        colour="#cccccc" if console else "#000000",
        font="Liberation Mono" if console else "DejaVu Sans",
        title=html.escape(title),
        text=text,
    )
    with tempfile.TemporaryDirectory(prefix="kehoach-img-") as tmp:
        source = Path(tmp) / f"{name}.html"
        source.write_text(page, encoding="utf-8")
        profile = Path(tmp) / "profile"
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--infilter=HTML (StarWriter)",
             "--convert-to", "pdf:writer_pdf_Export", "--outdir", tmp, str(source)],
            check=True, capture_output=True,
        )  # fmt: skip
        target = OUT / name
        height = 110 + 26 * (len(lines) + sum(len(line) // 70 for line in lines))
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                str(RESOLUTION),
                "-singlefile",
                "-x",
                "0",
                "-y",
                "0",
                "-W",
                str(WIDTH),
                "-H",
                str(height),
                str(Path(tmp) / f"{name}.pdf"),
                str(target),
            ],
            check=True,
        )
    return target.with_suffix(".png")


def main() -> None:
    lines = success_lines()
    assert any(re.search("Đã cài xong", line) for line in lines), lines
    print(render("cai-dat-xong", "C:\\Windows\\system32\\cmd.exe", lines, console=True))
    print(render("cai-dat-thu-muc", "File Explorer", folder_lines(), console=False))


if __name__ == "__main__":
    main()
