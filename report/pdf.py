"""The draft as PDF for the portal, through LibreOffice headless when it is installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


class PdfError(Exception):
    """No PDF; ``message`` is a Vietnamese sentence saying why and what to do, ``message_en`` English."""

    def __init__(self, message: str, message_en: str | None = None):
        super().__init__(message)
        self.message, self.message_en = message, message_en


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: Path, pdf: Path | None = None, timeout: float = 300) -> Path:
    """Convert ``docx`` to ``pdf`` (default: beside it, same name) with a private LibreOffice profile, so that
    a LibreOffice the user has open does not block the conversion."""
    binary = soffice()
    if binary is None:
        raise PdfError(
            "không tìm thấy LibreOffice (soffice) để chuyển sang PDF. Cài LibreOffice, hoặc mở tệp .docx bằng "
            "Word và chọn File > Save As > PDF.",
            "LibreOffice (soffice) was not found to convert to PDF. Install LibreOffice, or open the .docx in Word "
            "and choose File > Save As > PDF.",
        )
    pdf = pdf or docx.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="kehoach-pdf-") as work:
        profile, out_dir = Path(work) / "profile", Path(work) / "out"
        out_dir.mkdir()
        command = [
            binary,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(docx),
        ]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as error:
            raise PdfError(
                f"LibreOffice không chuyển xong sang PDF sau {timeout:g} giây.",
                f"LibreOffice did not finish converting to PDF in {timeout:g} seconds.",
            ) from error
        produced = out_dir / f"{docx.stem}.pdf"
        if result.returncode or not produced.is_file():
            detail = (result.stderr or result.stdout).strip().splitlines()
            more = f" ({detail[-1]})" if detail else ""
            raise PdfError(
                f"LibreOffice không chuyển được sang PDF{more}.", f"LibreOffice could not convert to PDF{more}."
            )
        pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(produced), pdf)
    return pdf
