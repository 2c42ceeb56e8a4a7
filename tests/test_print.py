"""The templates as a DPI officer prints them: each kind (a department, a district, the Statistics Office with its
GRDP sheet) filled with the sample, printed to PDF by LibreOffice and rendered to PNG pages, then measured.

What is checked, page by page: the sheet a page belongs to (its footer names it), A4 and the orientation set,
the page count against a bound computed from the sheet's own print setup, the page header (form number) and
the header rows on every page of a form, every part of the indicator table whole on its page with the code,
name and unit columns repeated. Cell by cell: no wrapped text taller than its row, the wrapped lines counted
with the advance widths of Liberation Serif (the metric twin of Times New Roman LibreOffice prints with),
independently of the builder's own estimate.
"""

from __future__ import annotations

import math
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from kehoach.samples.generate import generate_all
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import GROWTH_COLUMNS, GROWTH_MARK, GROWTH_NOTE, SIGNERS, build_workbook
from kehoach.workbook_templates.catalog import load_catalog
from openpyxl.utils import column_index_from_string, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from tests.support.libreoffice import soffice, to_pdf

pytestmark = pytest.mark.skipif(
    soffice() is None or not all(shutil.which(t) for t in ("pdftoppm", "pdftotext", "pdfinfo")),
    reason="needs LibreOffice and poppler-utils",
)

UNITS = {"department": "SKHDT", "district": "H844", "statistics": "CTK"}
FONTS = Path("/usr/share/fonts/truetype/liberation")
PORTRAIT = {L.INSTRUCTIONS, L.UNIT_INFO, L.EVALUATION, L.PLAN}
LINE_PITCH = 1.15  # a line of Times New Roman / Liberation Serif takes 1.15 times the font size
CELL_PADDING = 4  # points of a column's width that text cannot use (both sides)
POINTS_PER_INCH = 72


@dataclass
class Printed:
    book: openpyxl.Workbook  # cached values (as saved with the filling)
    pdf: Path
    pages: list[tuple[str, str, tuple[float, float]]]  # (sheet, text, (width, height)) per page
    pngs: list[Path]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Printed]:
    catalog = load_catalog()
    folder = tmp_path_factory.mktemp("print")
    fillings = generate_all(catalog, seed=2020, units=list(UNITS.values()))
    paths = [build_workbook(catalog, catalog.unit(c), folder / f"{c}.xlsx", fillings[c]) for c in UNITS.values()]
    pdfs = to_pdf(paths, folder / "pdf")
    result = {}
    for kind, path, pdf in zip(UNITS, paths, pdfs, strict=True):
        book = openpyxl.load_workbook(path, data_only=True)
        subprocess.run(["pdftoppm", "-png", "-r", "30", str(pdf), str(folder / kind)], check=True)
        pngs = sorted(folder.glob(f"{kind}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        result[kind] = Printed(book, pdf, _pages(pdf, book.sheetnames), pngs)
    return result


def _pages(pdf: Path, sheets: list[str]) -> list[tuple[str, str, tuple[float, float]]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True).stdout
    sizes = [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    pages = []
    for number, size in enumerate(sizes, start=1):
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        footer = [line for line in text.splitlines() if line.strip()][-1]
        # The footer: the unit, the sheet's name, "Trang p/n".
        names = [s for s in sheets if re.search(rf"\s{re.escape(s)}\s+Trang \d+/\d+\s*$", footer)]
        assert len(names) == 1, f"page {number}: footer {footer!r}"
        pages.append((names[0], text, size))
    return pages


def _pages_of(result: Printed, sheet: str) -> list[tuple[str, tuple[float, float]]]:
    return [(text, size) for name, text, size in result.pages if name == sheet]


# --- page geometry ------------------------------------------------------------------------------


def _column_points(ws: Worksheet, col: int) -> float:
    """A column's width in points: openpyxl keeps a run of equal columns (<col min max>) under its first."""
    dimension = next((d for d in ws.column_dimensions.values() if d.min and d.min <= col <= (d.max or d.min)), None)
    width = dimension.width if dimension is not None and dimension.width else 8.43
    if dimension is not None and dimension.hidden:
        return 0.0
    return round(width * 7) * 0.75  # the width read includes Excel's padding; 7 pixels a character


def _row_points(ws: Worksheet, row: int) -> float:
    dimension = ws.row_dimensions.get(row)
    if dimension is not None and dimension.hidden:
        return 0.0
    return dimension.height if dimension is not None and dimension.height else 15.0


def _print_area(ws: Worksheet) -> tuple[int, int, int, int]:
    area = ws.print_area
    if not area:
        return 1, 1, ws.max_column, ws.max_row
    ref = area[0] if isinstance(area, list) else area
    return range_boundaries(ref.split("!")[-1].replace("$", ""))


def _repeated_rows(ws: Worksheet) -> range:
    if not ws.print_title_rows:
        return range(0)
    first, last = ws.print_title_rows.replace("$", "").split(":")
    return range(int(first), int(last) + 1)


def _repeated_cols(ws: Worksheet) -> range:
    if not ws.print_title_cols:
        return range(0)
    first, last = ws.print_title_cols.replace("$", "").split(":")
    return range(column_index_from_string(first), column_index_from_string(last) + 1)


def _page_bound(ws: Worksheet) -> int:
    """The most pages a sheet should take: each printed part (between column breaks) gets as many pages as
    its rows fill at the sheet's scale, plus one for rows a page cannot split."""
    landscape = ws.page_setup.orientation == "landscape"
    width = (L.PAGE_HEIGHT if landscape else L.PAGE_WIDTH) * POINTS_PER_INCH
    height = (L.PAGE_WIDTH if landscape else L.PAGE_HEIGHT) * POINTS_PER_INCH
    width -= (ws.page_margins.left + ws.page_margins.right) * POINTS_PER_INCH
    height -= (ws.page_margins.top + ws.page_margins.bottom) * POINTS_PER_INCH
    min_col, min_row, max_col, max_row = _print_area(ws)
    breaks = sorted(b.id + 1 for b in ws.col_breaks.brk)
    starts = [min_col, *(b for b in breaks if min_col < b <= max_col)]
    ends = [*(b - 1 for b in starts[1:]), max_col]
    if ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage:
        repeated = sum(_column_points(ws, c) for c in _repeated_cols(ws))
        parts = [sum(_column_points(ws, c) for c in range(a, b + 1)) for a, b in zip(starts, ends, strict=True)]
        scale = min(1.0, width / max([parts[0], *(p + repeated for p in parts[1:])]))
    else:
        scale = (ws.page_setup.scale or 100) / 100
    titles = sum(_row_points(ws, r) for r in _repeated_rows(ws))
    body = sum(_row_points(ws, r) for r in range(min_row, max_row + 1) if r not in _repeated_rows(ws))
    per_part = math.ceil(body * scale / (height - titles * scale)) + 1
    return len(starts) * per_part


@pytest.mark.parametrize("kind", UNITS)
def test_each_sheet_prints_on_a4_in_its_orientation_within_its_page_bound(printed: dict, kind: str) -> None:
    result = printed[kind]
    assert len(result.pngs) == len(result.pages)
    for png, (sheet, _, (width, height)) in zip(result.pngs, result.pages, strict=True):
        assert sorted((round(width), round(height))) == [595, 842], sheet  # A4
        assert (width < height) == (sheet in PORTRAIT), sheet
        png_width, png_height = struct.unpack(">II", png.read_bytes()[16:24])
        assert (png_width < png_height) == (sheet in PORTRAIT), png.name
    counts = {s: len(_pages_of(result, s)) for s in result.book.sheetnames}
    expected = [L.INSTRUCTIONS, L.UNIT_INFO, L.INDICATORS, L.EVALUATION, L.PLAN, L.PROJECTS]
    expected += [L.GRDP] if kind == "statistics" else []
    assert [s for s in result.book.sheetnames if counts[s]] == expected
    for sheet in expected:
        assert 1 <= counts[sheet] <= _page_bound(result.book[sheet]), (sheet, counts[sheet])
    # The instructions two pages at most, the unit information one; a section sheet at most a page a section.
    assert counts[L.INSTRUCTIONS] <= 2 and counts[L.UNIT_INFO] == 1
    for sheet in (L.EVALUATION, L.PLAN):
        assert counts[sheet] <= sum(1 for s in L.sections() if s.sheet == sheet)


@pytest.mark.parametrize("kind", UNITS)
def test_every_part_of_the_indicator_table_prints_whole_with_its_header_and_label_columns(
    printed: dict, kind: str
) -> None:
    """The column numbers row (1), (2)... on a page tells which columns it prints: each page is one part of
    the table, whole, with the code, name and unit columns first; each part has as many pages."""
    result = printed[kind]
    columns = L.indicator_columns()
    parts = [{c + 1 for c in part} for part in L.indicator_print_parts(columns)]
    ws = result.book[L.INDICATORS]
    assert ws.print_title_rows == f"${L.GROUP_ROW + 1}:${L.NUMBER_ROW + 1}"
    assert ws.print_title_cols == "$A:$D"
    assert tuple(columns[c].key for c in range(4)) == L.INDICATOR_REPEAT_COLUMNS
    assert ws.page_setup.scale == L.indicator_print_scale(columns) >= 70  # 11-point text prints at 7.7 points or more
    seen = []
    for text, _ in _pages_of(result, L.INDICATORS):
        numbers = {int(n) for n in re.findall(r"\((\d+)\)", text) if int(n) <= len(columns)}
        assert numbers in parts, sorted(numbers)
        assert "Biểu số 01/" in text and "Đơn vị tính" in text and "Mã chỉ" in text
        seen.append(parts.index(numbers))
    # Parts in order, each on as many pages (or one fewer: a page with only the signature block's empty
    # rows is not printed).
    counts = [seen.count(part) for part in range(len(parts))]
    assert seen == sorted(seen) and max(counts) - min(counts) <= 1 and min(counts) >= 1, counts
    last_part = _pages_of(result, L.INDICATORS)[-1][0]
    assert all(title in last_part for _, title, _ in SIGNERS) and "năm 2020" in last_part


@pytest.mark.parametrize("kind", UNITS)
def test_forms_repeat_their_header_on_every_page(printed: dict, kind: str) -> None:
    result = printed[kind]
    forms = {L.PROJECTS: ("Biểu số 02/", "Tên dự án", "triệu đồng")}
    if kind == "statistics":
        forms[L.GRDP] = ("Biểu số 03/", "Chỉ tiêu", "Năm 2020")
    for sheet, needles in forms.items():
        pages = _pages_of(result, sheet)
        assert all(all(n in text for n in needles) for text, _ in pages), sheet
        assert all(title in pages[-1][0] for _, title, _ in SIGNERS), sheet


@pytest.mark.parametrize("kind", UNITS)
def test_numbers_print_as_read(printed: dict, kind: str) -> None:
    """Years without a thousands separator, the 2011-2015 growth at two decimals whatever the indicator's,
    the priority a whole number; the count indicators' growth explained under the table."""
    result = printed[kind]
    projects = "".join(text for text, _ in _pages_of(result, L.PROJECTS))
    assert re.search(r"\b202[1-5]\b", projects) and not re.search(r"\b2,0[12]\d\b", projects)
    ws = result.book[L.INDICATORS]
    columns = L.indicator_columns()
    col = {c.key: L.column_index(columns, c.key) + 1 for c in columns}
    for table_row in L.indicator_rows(load_catalog(), load_catalog().unit(UNITS[kind])):
        if table_row.indicator is None:
            continue
        row = table_row.row + 1
        assert ws.cell(row, col["growth_2011_2015"]).number_format.endswith(".00")
        assert ws.cell(row, col["priority"]).number_format == "0"
    for key in GROWTH_COLUMNS:
        header = ws.cell(L.HEADER_ROW + 1, col[key]).value
        assert header.endswith(GROWTH_MARK), header
    indicators = "".join(text for text, _ in _pages_of(result, L.INDICATORS))
    assert "Lũy kế (chỉ tiêu đếm): mức tăng cả" in " ".join(indicators.split())
    assert GROWTH_NOTE.startswith("(*)")


# --- wrapped text against row heights -----------------------------------------------------------


class _Font:
    """Advance widths of a TrueType font, in ems (the cmap format 4 subtable and hmtx)."""

    def __init__(self, path: Path):
        data = path.read_bytes()
        (count,) = struct.unpack_from(">H", data, 4)
        tables = {}
        for i in range(count):
            tag, _, offset, _ = struct.unpack_from(">4sIII", data, 12 + 16 * i)
            tables[tag.decode()] = offset
        (units,) = struct.unpack_from(">H", data, tables["head"] + 18)
        (metrics,) = struct.unpack_from(">H", data, tables["hhea"] + 34)
        advances = struct.unpack_from(f">{metrics * 2}H", data, tables["hmtx"])[::2]
        cmap = tables["cmap"]
        (subtables,) = struct.unpack_from(">H", data, cmap + 2)
        records = [struct.unpack_from(">HHI", data, cmap + 4 + 8 * i) for i in range(subtables)]
        sub = cmap + next(offset for platform, encoding, offset in records if (platform, encoding) == (3, 1))
        (segments_x2,) = struct.unpack_from(">H", data, sub + 6)
        segments = segments_x2 // 2
        ends = struct.unpack_from(f">{segments}H", data, sub + 14)
        starts = struct.unpack_from(f">{segments}H", data, sub + 16 + segments_x2)
        deltas = struct.unpack_from(f">{segments}h", data, sub + 16 + 2 * segments_x2)
        ranges_at = sub + 16 + 3 * segments_x2
        ranges = struct.unpack_from(f">{segments}H", data, ranges_at)
        self.widths: dict[int, float] = {}
        for i in range(segments):
            for code in range(starts[i], min(ends[i], 0xFFFE) + 1):
                if ranges[i] == 0:
                    glyph = (code + deltas[i]) & 0xFFFF
                else:
                    (glyph,) = struct.unpack_from(">H", data, ranges_at + 2 * i + ranges[i] + 2 * (code - starts[i]))
                    glyph = (glyph + deltas[i]) & 0xFFFF if glyph else 0
                self.widths[code] = advances[min(glyph, metrics - 1)] / units

    def width(self, text: str, size: float) -> float:
        return sum(self.widths.get(ord(c), 0.6) for c in text) * size

    def lines(self, text: str, size: float, room: float) -> int:
        """Lines of ``text`` wrapped greedily at spaces in ``room`` points, a word too long cut anywhere."""
        total = 0
        space = self.width(" ", size)
        for paragraph in text.split("\n"):
            total += 1
            used = 0.0
            for word in paragraph.split():
                width = self.width(word, size)
                if used and used + space + width <= room:
                    used += space + width
                    continue
                if used:
                    total += 1
                extra = max(0, math.ceil(width / room) - 1)
                total += extra
                used = width - extra * room
        return total


@cache
def _font(bold: bool) -> _Font:
    return _Font(FONTS / ("LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf"))


def _clipped(ws: Worksheet) -> list[tuple[str, int, float]]:
    """Wrapped cells whose text needs more height than their row (or merged rows) have."""
    merged = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}
    covered = {(row, col) for r in ws.merged_cells.ranges for row, col in r.cells} - set(merged)
    found = []
    for cells in ws.iter_rows():
        for cell in cells:
            text = cell.value
            if not isinstance(text, str) or not text.strip() or not cell.alignment.wrap_text:
                continue
            if (cell.row, cell.column) in covered or _row_points(ws, cell.row) == 0:
                continue
            span = merged.get((cell.row, cell.column))
            rows = range(cell.row, (span.max_row if span else cell.row) + 1)
            cols = range(cell.column, (span.max_col if span else cell.column) + 1)
            room = sum(_column_points(ws, c) for c in cols) - CELL_PADDING
            size = cell.font.sz or 11
            lines = _font(bool(cell.font.b)).lines(text, size, room)
            height = sum(_row_points(ws, r) for r in rows)
            if lines * size * LINE_PITCH > height:
                found.append((cell.coordinate, lines, height))
    return found


@pytest.mark.parametrize("kind", UNITS)
def test_no_wrapped_text_is_taller_than_its_row(printed: dict, kind: str) -> None:
    if not (FONTS / "LiberationSerif-Regular.ttf").exists():
        pytest.skip("needs the Liberation fonts (LibreOffice prints Times New Roman with them)")
    book = printed[kind].book
    clipped = {ws.title: _clipped(ws) for ws in book.worksheets if ws.sheet_state == "visible"}
    assert {sheet: cells for sheet, cells in clipped.items() if cells} == {}
    # The check sees the texts that matter: causes and notes the sample fills in, names, section texts.
    ws = book[L.INDICATORS]
    cause = L.column_index(L.indicator_columns(), "cause") + 1
    assert any(isinstance(ws.cell(r, cause).value, str) for r in range(L.FIRST_DATA_ROW + 1, ws.max_row + 1))
