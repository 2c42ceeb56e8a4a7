"""A corpus of broken, foreign and hostile input files, generated (not committed): what some forty senders
may send the DPI. Each item says what the validator must answer: its exit code and the rules it must report.

Files that only LibreOffice can make (.xls, .ods, a workbook saved by Calc) need a converter, passed in as
``convert(paths, out_dir, target)`` (tests/support/libreoffice.py provides it).
"""

from __future__ import annotations

import copy
import io
import random
import re
import shutil
import struct
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from kehoach.samples.generate import generate_all, write_submission
from kehoach.samples.inject import Injector, insert_like_excel
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import Catalog, Unit
from kehoach.workbook_templates.filling import Filling

Converter = Callable[[Sequence[Path], Path, str], list[Path]]
GIB = 1 << 30
INDICATOR_PART = "xl/worksheets/sheet3.xml"  # the indicator table: the part every reader must inflate


@dataclass(frozen=True)
class Item:
    name: str
    what: str  # what the file is, in English, for the report
    exit_code: int  # of `kehoach validate` on it alone
    rules: tuple[str, ...] = ()  # rules that must be reported
    merged: bool = False  # whether `kehoach merge` must merge it


@dataclass
class Corpus:
    directory: Path
    items: list[Item] = field(default_factory=list)

    def path(self, item: Item) -> Path:
        return self.directory / item.name


def build_corpus(
    directory: Path,
    catalog: Catalog,
    convert: Converter | None = None,
    bomb_bytes: int = 2 * GIB,
    huge_rows: int = 1_000_000,
) -> Corpus:
    directory.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(directory)
    fillings = generate_all(catalog, seed=99, units=["SKHDT", "SCT", "H844"])
    unit = catalog.unit("SKHDT")
    good = write_submission(catalog, unit, fillings["SKHDT"], directory / "_good.xlsx")
    data = good.read_bytes()

    def add(
        name: str,
        what: str,
        exit_code: int,
        rules: tuple[str, ...] = (),
        merged: bool = False,
        content: bytes | None = None,
    ) -> Path:
        path = directory / name
        if content is not None:
            path.write_bytes(content)
        corpus.items.append(Item(name, what, exit_code, rules, merged))
        return path

    add("empty.xlsx", "an empty file (0 bytes)", 2, ("X001",), content=b"")
    add("not-a-zip.xlsx", "plain text named .xlsx", 2, ("X001",), content="Báo cáo đính kèm".encode())
    add("truncated.xlsx", "the first half of a good workbook", 2, ("X001",), content=data[: len(data) // 2])
    add(
        "corrupted.xlsx",
        "a good workbook with bytes overwritten in the middle",
        2,
        ("X001",),
        content=data[:4000] + bytes(64) + data[4064:],
    )
    add(
        "zip-bomb.xlsx",
        f"a sheet that inflates to {bomb_bytes // GIB or bomb_bytes} GiB, sizes declared honestly",
        2,
        ("X001",),
        content=_bomb(data, bomb_bytes, lie=False),
    )
    add(
        "zip-bomb-lying.xlsx",
        "the same bomb whose zip headers claim a small size",
        2,
        ("X001",),
        content=_bomb(data, bomb_bytes, lie=True),
    )
    add(
        "zip-bomb-lying-strings.xlsx",
        "the lying bomb in the shared strings, a part only calamine reads",
        2,
        ("X001",),
        content=_bomb(data, bomb_bytes, lie=True, target="xl/sharedStrings.xml"),
    )
    add(
        "million-rows.xlsx",
        f"an indicator sheet with {huge_rows:,} rows",
        2,
        ("X001",),
        content=_huge_sheet(data, huge_rows),
    )
    add(
        "far-cell.xlsx",
        "one cell at XFD1048576, its reference in single quotes (a reader holding the sheet as one rectangle "
        "would ask for 512 GB)",
        2,
        ("X001",),
        content=_replace_part(
            data,
            INDICATOR_PART,
            lambda x: x.replace(b"</sheetData>", b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row></sheetData>"),
        ),
    )
    add(
        "doctype-xxe.xlsx",
        "workbook.xml with a DOCTYPE and an external entity (XXE)",
        2,
        ("X001",),
        content=_replace_part(
            data,
            "xl/workbook.xml",
            lambda x: (
                b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + x.split(b"?>", 1)[1]
            ),
        ),
    )
    add(
        "billion-laughs.xlsx",
        "sharedStrings.xml with billion-laughs entity expansion",
        2,
        ("X001",),
        content=_replace_part(data, "xl/sharedStrings.xml", lambda x: _LAUGHS + x.split(b"?>", 1)[1]),
    )
    add(
        "shared-strings-count.xlsx",
        "sharedStrings.xml declaring 4,000,000,000 strings (calamine reserves room for them before reading any: "
        "96 GB, and the process aborts)",
        2,
        ("X001",),
        content=_replace_part(
            data, "xl/sharedStrings.xml", lambda x: re.sub(rb'uniqueCount="[0-9]+"', b'uniqueCount="4000000000"', x)
        ),
    )
    add(
        "many-merges.xlsx",
        "an indicator sheet with 3,900,000 merged ranges, in 300 KB (calamine hands them to Python as tuples: "
        "1 GB of memory)",
        2,
        ("X001",),
        content=_replace_part(data, INDICATOR_PART, lambda x: _merges(x, 3_900_000)),
    )
    add("encrypted.xlsx", "a password-encrypted workbook", 2, ("X001",), content=_encrypted(data))
    _value_items(add, catalog, unit, fillings["SKHDT"], directory)
    _structure_items(add, catalog, fillings, directory)
    add(
        "external-link.xlsx",
        "a workbook with a link to another workbook",
        0,
        ("S012",),
        merged=True,
        content=_external_link(data),
    )
    if convert is not None:
        _converted_items(add, convert, good, directory)
    good.unlink()
    return corpus


_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]>"
)


def _value_items(add: Callable, catalog: Catalog, unit: Unit, filling: Filling, directory: Path) -> None:
    """Odd values typed into numeric cells, injection text in text fields, odd Unicode in codes."""
    for rule, name, what in (
        ("T002", "text-in-number.xlsx", "text in a numeric cell"),
        ("T003", "date-in-number.xlsx", "a date in a numeric cell"),
        ("T004", "boolean-in-number.xlsx", "TRUE in a numeric cell"),
        ("T005", "error-value.xlsx", "#DIV/0! in a numeric cell"),
        ("T006", "huge-number.xlsx", "1e20 in a numeric cell"),
        ("T001", "vietnamese-number-text.xlsx", "1.234,5 typed as text"),
        ("S013", "merged-input-cells.xlsx", "merged cells over input cells"),
        ("S012", "dde-formula.xlsx", "a DDE formula in a note cell"),
        ("S011", "foreign-macro.xlsm", "macros that differ from the template's (never run)"),
    ):
        injector = Injector(catalog, unit, copy.deepcopy(filling), random.Random(rule))
        injector.inject(rule)
        path = add(name, what, 1 if rule.startswith("T") else 0, (rule,), merged=not rule.startswith("T"))
        injector.write(path)
    nonfinite = add("nan-inf.xlsx", "NaN and inf written into numeric cells", 1, ("T006",))
    write_submission(catalog, unit, filling, nonfinite)
    nonfinite.write_bytes(_nan_inf(nonfinite.read_bytes(), catalog, unit))
    payloads = ['=HYPERLINK("http://example.invalid","bấm")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)"]
    injected = copy.deepcopy(filling)
    for n, code in enumerate(list(injected.indicators)):
        injected.indicators[code]["note"] = payloads[n % len(payloads)]
    for key in list(injected.sections):
        injected.sections[key] = payloads[0]
    for project in injected.projects:
        project["project"] = payloads[1]
    injected.info.update(head=payloads[2], preparer=payloads[3], email=payloads[0])
    write_submission(
        catalog, unit, injected, add("formula-injection.xlsx", "formula-like text in every text field", 0, merged=True)
    )
    odd = copy.deepcopy(filling)
    odd.info["unit_code"] = " skhdt\u00a0"
    path = add("nfd-and-spaces.xlsx", "NFD Vietnamese sheet names and stray spaces in codes", 0, merged=True)
    write_submission(catalog, unit, odd, path)
    book = openpyxl.load_workbook(path)
    sheet = book[L.INDICATORS]
    for row in sheet.iter_rows(min_row=L.FIRST_DATA_ROW + 1, max_col=1):
        if row[0].value and len(row[0].value) == 4:
            row[0].value = f"  {row[0].value.lower()} "
    sheet.title = unicodedata.normalize("NFD", L.INDICATORS)
    book.save(path)


def _structure_items(add: Callable, catalog: Catalog, fillings: dict, directory: Path) -> None:
    for rule, name, what in (
        ("S002", "other-version.xlsx", "a template of another version"),
        ("S003", "deleted-sheet.xlsx", "a sheet deleted"),
        ("S004", "deleted-key-column.xlsx", "a column key deleted"),
        ("S005", "deleted-row.xlsx", "an indicator row deleted"),
    ):
        unit = catalog.unit("SCT")
        injector = Injector(catalog, unit, copy.deepcopy(fillings["SCT"]), random.Random(rule))
        injector.inject(rule)
        injector.write(add(name, what, 1, (rule,)))
    write_submission(
        catalog,
        catalog.unit("SCT"),
        fillings["SCT"],
        add("SKHDT_but-another-unit.xlsx", "named after SKHDT, carrying SCT's workbook", 0, merged=True),
    )
    reordered = add(
        "reordered-sheets-inserted-rows-columns.xlsx",
        "sheets reordered, blank rows and a column inserted",
        0,
        merged=True,
    )
    write_submission(catalog, catalog.unit("H844"), fillings["H844"], reordered)
    book = openpyxl.load_workbook(reordered)
    book.move_sheet(L.INDICATORS, offset=-2)
    sheet = book[L.INDICATORS]
    insert_like_excel(sheet, row=L.FIRST_DATA_ROW + 2, amount=3)
    insert_like_excel(sheet, col=3)
    book.save(reordered)


def _converted_items(add: Callable, convert: Converter, good: Path, directory: Path) -> None:
    work = directory / "_convert"
    (xls,) = convert([good], work, "xls:MS Excel 97")
    shutil.move(xls, add("old-xls-renamed.xlsx", "an .xls (Excel 97) renamed .xlsx: read, refused", 1, ("X002",)))
    (ods,) = convert([good], work, "ods")
    shutil.move(ods, add("ods-renamed.xlsx", "an .ods (OpenDocument) renamed .xlsx: read, refused", 1, ("X002",)))
    (calc,) = convert([good], work, "xlsx:Calc MS Excel 2007 XML")
    shutil.move(calc, add("saved-by-libreoffice.xlsx", "the good workbook saved by LibreOffice Calc", 0, merged=True))
    shutil.rmtree(work)


def _parts(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return [(info, package.read(info)) for info in package.infolist()]


def _zip(parts: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts:
            package.writestr(name, content)
    return buffer.getvalue()


def _replace_part(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    return _zip([(i.filename, change(c) if i.filename == name else c) for i, c in _parts(data)])


def _bomb(data: bytes, size: int, lie: bool, target: str = INDICATOR_PART) -> bytes:
    """Replace a part (the indicator sheet) with a deflate stream of ``size`` bytes of XML padding; ``lie`` patches
    the zip headers to claim 10 KiB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for info, content in _parts(data):
            if info.filename != target:
                package.writestr(info.filename, content)
                continue
            info = zipfile.ZipInfo(target)
            info.compress_type = zipfile.ZIP_DEFLATED
            with package.open(info, "w", force_zip64=True) as stream:
                chunk = b" " * (64 << 20)
                for _ in range(size // len(chunk)):
                    stream.write(chunk)
    out = bytearray(buffer.getvalue())
    if lie:
        _claim_size(out, target, 10 * 1024)
    return bytes(out)


def _claim_size(data: bytearray, name: str, size: int) -> None:
    """Patch the uncompressed size of ``name`` in its central directory entry (zip64 extra field included)."""
    encoded = name.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len, extra_len = struct.unpack_from("<HH", data, at + 28)
        if data[at + 46 : at + 46 + name_len] == encoded:
            struct.pack_into("<I", data, at + 24, size)
            extra = at + 46 + name_len
            end = extra + extra_len
            while extra + 4 <= end:
                tag, length = struct.unpack_from("<HH", data, extra)
                if tag == 1:
                    struct.pack_into("<Q", data, extra + 4, size)
                extra += 4 + length
            return
        at = data.find(b"PK\x01\x02", at + 4)


def _huge_sheet(data: bytes, rows: int) -> bytes:
    target = INDICATOR_PART
    body = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, rows + 1))
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.'
        b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + body + b"</sheetData></worksheet>"
    )
    return _replace_part(data, target, lambda _: sheet)


def _merges(xml: bytes, count: int) -> bytes:
    """The sheet with its merged ranges replaced by ``count`` of them."""
    xml = re.sub(rb"<mergeCells\b[^>]*>.*?</mergeCells>", b"", xml, flags=re.S)
    merges = b'<mergeCells count="%d">' % count + b'<mergeCell ref="A1:B2"/>' * count + b"</mergeCells>"
    return xml.replace(b"</sheetData>", b"</sheetData>" + merges, 1)


def _encrypted(data: bytes) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("matkhau", out)
    return out.getvalue()


def _nan_inf(data: bytes, catalog: Catalog, unit: Unit) -> bytes:
    """Write NaN and INF as the stored values of two input cells (Excel never does; a crafted file can)."""
    rows = {r.indicator.code: r.row for r in L.indicator_rows(catalog, unit) if r.indicator}
    first, second = list(rows)[:2]
    cells = [L.indicator_cell("actual_2016", rows[first]), L.indicator_cell("actual_2017", rows[second])]
    target = INDICATOR_PART

    def change(xml: bytes) -> bytes:
        for cell, text in zip(cells, (b"NaN", b"INF"), strict=True):
            start = xml.find(b'<c r="%s"' % cell.encode())
            value = xml.find(b"<v>", start)
            end = xml.find(b"</v>", value)
            xml = xml[: value + 3] + text + xml[end:]
        return xml

    return _replace_part(data, target, change)


def _external_link(data: bytes) -> bytes:
    parts = [(i.filename, c) for i, c in _parts(data)]
    rels = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
        b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
        b'Target="file:///C:/Users/Public/so-lieu-khac.xlsx" TargetMode="External"/></Relationships>'
    )
    link = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><externalLink xmlns="http://schemas.'
        b'openxmlformats.org/spreadsheetml/2006/main"><externalBook xmlns:r="http://schemas.openxmlformats.'
        b'org/officeDocument/2006/relationships" r:id="rId1"/></externalLink>'
    )
    parts += [("xl/externalLinks/externalLink1.xml", link), ("xl/externalLinks/_rels/externalLink1.xml.rels", rels)]
    return _zip(parts)
