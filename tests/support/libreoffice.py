"""LibreOffice headless as a second spreadsheet engine: recalculate workbooks and render them to PDF.

LibreOffice keeps the cached values of an .xlsx unless told to recalculate on load, so each call runs with
a private profile whose registry sets OOXMLRecalcMode to 0 (always). Files it writes are for checking
only; nothing it rewrote is ever shipped.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(paths: Sequence[Path], out_dir: Path, target: str, timeout: float = 300) -> list[Path]:
    """Convert each file with LibreOffice to ``target`` (a --convert-to filter, e.g. "ods", "xls:MS Excel 97")."""
    binary = soffice()
    if binary is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(REGISTRY, encoding="utf-8")
        command = [
            binary,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            *map(str, paths),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    extension = target.split(":")[0]
    outputs = [out_dir / f"{Path(p).stem}.{extension}" for p in paths]
    missing = [p for p in outputs if not p.exists()]
    if result.returncode or missing:
        raise RuntimeError(f"soffice failed ({result.returncode}): {result.stderr or result.stdout}; missing {missing}")
    return outputs


def recalculate(paths: Sequence[Path], out_dir: Path, timeout: float = 300) -> list[Path]:
    """Open each workbook in LibreOffice, recalculate every formula and save it as .xlsx in ``out_dir``."""
    return convert(paths, out_dir, "xlsx:Calc MS Excel 2007 XML", timeout)


def to_pdf(paths: Sequence[Path], out_dir: Path, timeout: float = 300) -> list[Path]:
    return convert(paths, out_dir, "pdf", timeout)
