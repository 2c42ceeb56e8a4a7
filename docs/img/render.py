"""Render the pictures of docs/huong-dan-su-dung.md with LibreOffice (PDF, then pdftoppm to PNG).

    python docs/img/render.py

The template pictures come from a built template (CTK), the checked ones from the same workbook filled with
synthetic figures and a few typical mistakes, checked by the button through xlwings' remote engine (as in
tests/test_addin.py). Buttons are form controls Excel does not print, so the copy rendered here has them
made printable; notes are not printed either: the pictures show the fills and the report sheet.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
RESOLUTION = 100  # dots per inch of the PNGs


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    from kehoach import xl_addin
    from kehoach.samples.generate import generate_all
    from kehoach.workbook_templates.builder import build_workbook
    from kehoach.workbook_templates.catalog import load_catalog

    from tests.support.libreoffice import to_pdf
    from tests.support.xlremote import open_book, replay

    catalog = load_catalog()
    unit = catalog.unit("CTK")
    with tempfile.TemporaryDirectory(prefix="kehoach-img-") as folder:
        tmp = Path(folder)
        template = _printable_buttons(build_workbook(catalog, unit, tmp / "template.xlsm"), tmp / "bieu-mau.xlsm")
        filling = _with_mistakes(copy.deepcopy(generate_all(catalog, seed=2020, units=["CTK"])["CTK"]))
        filled = build_workbook(catalog, unit, tmp / "da-dien.xlsm", filling)
        book = open_book(filled)
        xl_addin.validate_book(book, dt.datetime(2020, 7, 10, 9, 30))
        checked = tmp / "da-kiem-tra.xlsx"
        replay(book.json()["actions"], filled, checked)
        blank, marked = to_pdf([template, checked], tmp / "pdf")
        _png(blank, "BIỂU CHỈ TIÊU KẾ HOẠCH", OUT / "bieu-mau-chi-tieu.png", height=3.6)
        _png(marked, "BIỂU CHỈ TIÊU KẾ HOẠCH", OUT / "da-kiem-tra-chi-tieu.png", height=4.2)
        _png(marked, "KẾT QUẢ KIỂM TRA DỮ LIỆU", OUT / "da-kiem-tra-ket-qua.png", height=3.0)
        _png(marked, "THÔNG TIN ĐƠN VỊ BÁO CÁO", OUT / "da-kiem-tra-dau.png", height=3.3)


def _with_mistakes(filling):  # type: ignore[no-untyped-def]
    """Typical slips in the first rows of the table, where the picture shows them."""
    rows = list(filling.indicators.values())
    rows[0]["actual_2018"] = "1.234,5"  # a number typed as Vietnamese text
    rows[1]["estimate_2020"] = None  # a required figure left empty
    rows[2]["actual_2017"] = float(rows[2]["actual_2017"]) * 10  # a zero too many
    filling.info["phone"] = None
    return filling


def _printable_buttons(source: Path, target: Path) -> Path:
    """A copy whose buttons print, so that the PDF shows them."""
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copied:
        for item in package.infolist():
            data = package.read(item.filename)
            if item.filename.endswith(".vml"):
                data = data.replace(b"<x:PrintObject>False</x:PrintObject>", b"")
            copied.writestr(item, data)
    return target


def _png(pdf: Path, title: str, target: Path, height: float) -> None:
    """The top ``height`` inches of the first page whose first line has ``title``, as a PNG."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
    for page in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True
        ).stdout
        if title in text.lstrip().split("\n", 1)[0]:  # a form's first line is its page header, with the title
            break
    else:
        raise SystemExit(f"no page of {pdf.name} begins with {title}")
    width = 8.27 if "THÔNG TIN" in title or "KẾT QUẢ" in title else 11.69  # A4, portrait or landscape
    command = ["pdftoppm", "-png", "-singlefile", "-r", str(RESOLUTION), "-f", str(page), "-l", str(page)]
    command += ["-x", "0", "-y", "0", "-W", str(int(width * RESOLUTION)), "-H", str(int(height * RESOLUTION))]
    subprocess.run([*command, str(pdf), str(target.with_suffix(""))], check=True)


if __name__ == "__main__":
    main()
