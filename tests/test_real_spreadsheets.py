"""Real spreadsheets written by many tools (Excel for Windows, Mac and Online, LibreOffice, WPS, ONLYOFFICE, Apache
POI, NPOI, openpyxl, Gnumeric, Hancell, ...), taken from the public test corpora of spreadsheet libraries
(tests/data/real/MANIFEST.csv gives each file's producer, source and licence). Every file is either read, with
the same cell values as python-calamine's, or refused with the reason the manifest names; never an exception.

The reader reads only the standard workbook's sheets (layout.DATA_SHEETS); these files have other sheet names, so
each test treats the file's worksheets as ours, which is how the reader would treat them in a filled template.

A manifest row with a ``known_issue`` is a file the reader refuses though it should read it (an over-refusal,
scripts/survey_real_files.py): its test is an expected failure, strict, so it fails once the reader is fixed and
the mark (the manifest's ``known_issue``) must then be removed.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest
import python_calamine
from kehoach.validators.engine import read_path
from kehoach.validators.workbook import ExcelError, RawWorkbook, UnreadableWorkbook, a1, normalize
from kehoach.workbook_templates import layout

DATA = Path(__file__).parent / "data" / "real"
MANIFEST = DATA / "MANIFEST.csv"
LICENCES = {"MIT", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0", "MPL-2.0", "CC0-1.0", "public-domain"}
COLUMNS = ["file", "producer", "source_repo", "source_path", "licence", "expect", "known_issue", "feature"]
SAMPLE_ROWS, SAMPLE_COLUMNS = 300, 60  # the cells compared with calamine's, from A1
MAX_BYTES = 3 * 1024 * 1024


def _manifest() -> list[dict[str, str]]:
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


ROWS = _manifest()


def _cases() -> list:
    cases = []
    for row in ROWS:
        marks = []
        if row["known_issue"]:
            marks.append(pytest.mark.xfail(strict=True, reason=f"over-refusal: {row['known_issue']}"))
        cases.append(pytest.param(row, id=row["file"], marks=marks))
    return cases


def _worksheets(path: Path) -> list[str]:
    """The file's worksheet names (not chart or macro sheets), as calamine lists them; none if it cannot open it."""
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception:
        return []
    return [s.name for s in book.sheets_metadata if s.typ == python_calamine.SheetTypeEnum.WorkSheet]


def _read_as_template(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], object]:
    names = _worksheets(path)
    monkeypatch.setattr(layout, "DATA_SHEETS", tuple(unicodedata.normalize("NFC", n) for n in names))
    return names, read_path(path)


@pytest.mark.parametrize("row", _cases())
def test_real_file_is_read_like_calamine_or_refused_as_listed(
    row: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = DATA / row["file"]
    names, book = _read_as_template(path, monkeypatch)
    assert isinstance(book, RawWorkbook | UnreadableWorkbook)
    if isinstance(book, UnreadableWorkbook):
        assert not book.reason_en.startswith("unexpected"), f"the reader failed: {book.reason_en}"
        assert book.reason and book.reason_en
    if row["expect"] != "read":
        expected = row["expect"].removeprefix("refuse:")
        assert isinstance(book, UnreadableWorkbook), f"read, but the manifest expects a refusal ({expected})"
        assert expected in book.reason or expected in book.reason_en, (book.reason, book.reason_en)
        return
    assert isinstance(book, RawWorkbook), f"refused: {book.reason} ({book.reason_en})"
    assert names, "the file has no worksheet"
    assert set(book.sheets) == {unicodedata.normalize("NFC", n) for n in names}
    first = names[0]
    grid = book.sheets[unicodedata.normalize("NFC", first)]
    reference = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(first)
    expected_rows = reference.to_python(skip_empty_area=False)
    filled = 0
    for r, cells in enumerate(expected_rows[:SAMPLE_ROWS]):
        for c, value in enumerate(cells[:SAMPLE_COLUMNS]):
            mine = grid.value(r, c)
            if isinstance(mine, ExcelError):  # calamine reads an error value as empty; the reader fills it in
                assert value == "", f"{first}!{a1(r, c)}"
                continue
            assert mine == normalize(value), f"{first}!{a1(r, c)}: {mine!r} != calamine's {value!r}"
            filled += normalize(value) is not None
    assert filled, f"nothing compared: the first sheet, {first!r}, has no value in its first cells"


def test_the_manifest_lists_every_file_once_with_a_clean_licence() -> None:
    assert ROWS and list(ROWS[0]) == COLUMNS
    listed = [row["file"] for row in ROWS]
    assert len(listed) == len(set(listed))
    on_disk = {p.name for p in DATA.iterdir() if p.name != MANIFEST.name}
    assert on_disk == set(listed)
    for row in ROWS:
        assert row["licence"] in LICENCES, row["file"]
        assert row["source_repo"].startswith("https://github.com/") and row["source_path"], row["file"]
        assert re.fullmatch(r"read|refuse:.+", row["expect"]), row["file"]
        assert not row["known_issue"] or row["expect"] == "read", f"{row['file']}: a known issue is a file to read"
    assert sum((DATA / name).stat().st_size for name in listed) <= MAX_BYTES


def test_the_corpus_is_not_vacuous() -> None:
    """Many producers' files read, and several refused for a stated reason."""
    read = [row for row in ROWS if row["expect"] == "read" and not row["known_issue"]]
    assert len(read) >= 25
    assert len({row["producer"].split(" ")[0] for row in read}) >= 8
    assert sum(row["expect"].startswith("refuse:") for row in ROWS) >= 8
