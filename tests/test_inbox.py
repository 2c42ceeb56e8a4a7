"""Every file of the inbox accounted for (issue 14 part 5): the demo inbox plus what a DPI really receives, real
files made by LibreOffice (.xls, .ods, .docx, .pdf), a picture, random bytes, a corrupt .xls, lock files, a copy,
the master's own files. Each file appears once in `merge`'s JSON with its outcome and reason; .xls/.ods carrying
the standard workbook are read for their values (findings reported, rules that need the package not applicable)
and refused with the instruction to save as .xlsx; the inputs are never modified."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import struct
import zlib
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from kehoach.cli.main import kehoach
from kehoach.master.merge import SKIP_REASONS, discover, inventory
from kehoach.samples import demo
from kehoach.samples.generate import generate_all, write_submission
from kehoach.validators.engine import PACKAGE_RULES, validate_path
from kehoach.validators.reader import read_workbook
from kehoach.workbook_templates.catalog import load_catalog

from tests.support.libreoffice import convert, soffice

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice is needed to make real .xls/.ods files")

INSTRUCTION = "Mở tệp bằng Excel, chọn Tệp > Lưu thành… > Sổ làm việc Excel (.xlsx) rồi gửi lại"


def _png(path: Path) -> Path:
    """A real 4x4 PNG picture (a photo of a form is what some units send)."""
    raw = b"".join(b"\x00" + bytes([200, 30, 30] * 4) for _ in range(4))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )
    return path


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo inbox (36 files: merged, rejected, superseded, a broken one) and 17 more, in a sub-folder too."""
    out = tmp_path_factory.mktemp("inbox")
    run = demo.run_demo(out, seed=7)
    inbox = run.inbox
    (run.outcome.master.parent / "tong-hop.xlsx").unlink()
    catalog = load_catalog()
    work = out / "work"
    work.mkdir()
    # BDBP, the unit the demo leaves missing, sends the standard workbook saved as Excel 97-2003 (.xls)
    bdbp = write_submission(catalog, catalog.unit("BDBP"), generate_all(catalog, 7)["BDBP"], work / "BDBP_bdbp.xlsx")
    (xls,) = convert([bdbp], inbox, "xls")
    older = inbox / "cu"
    older.mkdir()
    (_ods,) = convert([inbox / "SCT_so-cong-thuong.xlsx"], older, "ods")  # SCT also sends an .ods copy
    letter = work / "cong-van.txt"
    letter.write_text("Công văn gửi kèm biểu mẫu kế hoạch 2021-2025\n", encoding="utf-8")
    convert([letter], inbox, "docx")
    convert([letter], inbox, "pdf")
    (inbox / "hong_SGTVT.xls").write_bytes(xls.read_bytes()[:5000])  # a corrupt .xls: a download cut short
    _png(inbox / "anh-chup-bieu-mau.png")
    (inbox / "du-lieu.bin").write_bytes(random.Random(1).randbytes(3000))
    (inbox / "ghi-chu").write_bytes(b"khong co duoi")
    (inbox / "~$SYT_so-y-te.xlsx").write_bytes(bytes(165))
    (inbox / ".~lock.SXD_so-xay-dung.xlsx#").write_text(",may-tinh,2020", encoding="utf-8")
    (inbox / "Thumbs.db").write_bytes(bytes(10))
    (inbox / "bao-cao.csv").write_text("chi_tieu,gia_tri\nKT01,7\n", encoding="utf-8")
    copies = inbox / "ban-sao"
    copies.mkdir()
    shutil.copy2(inbox / "SKHCN_so-khoa-hoc-va-cong-nghe.xlsx", copies / "SKHCN (1).xlsx")
    return inbox


def _digests(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _merge_json(inbox: Path, master: Path, *extra: str) -> dict:
    result = CliRunner().invoke(kehoach, ["merge", str(inbox), "-o", str(master), "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def merged(inbox: Path) -> tuple[dict, dict[str, str], dict[str, str]]:
    """Two merges with the master written inside the inbox: the second meets the master's own files."""
    before = _digests(inbox)
    _merge_json(inbox, inbox / "tong-hop.xlsx")
    inputs_after = {path: digest for path, digest in _digests(inbox).items() if path in before}
    return _merge_json(inbox, inbox / "tong-hop.xlsx"), before, inputs_after


def test_every_file_of_the_inbox_has_exactly_one_outcome(inbox: Path, merged: tuple) -> None:
    summary, _before, _after = merged
    # every file there was when the second merge began (its backup of the master came after)
    on_disk = sorted(str(p) for p in inbox.rglob("*") if p.is_file() and p.name != "tong-hop.bak.xlsx")
    listed = [f["path"] for f in summary["files"]]
    assert sorted(listed) == on_disk
    assert len(listed) == len(set(listed))
    for entry in summary["files"]:
        assert entry["outcome"] in ("merged", "rejected", "skipped")
        assert entry["reason"] and entry["message"], entry
    assert summary["files_by_outcome"] == dict(Counter(f["outcome"] for f in summary["files"]))


def test_outcomes_by_reason(inbox: Path, merged: tuple) -> None:
    summary = merged[0]
    by_name = {Path(f["path"]).name: f for f in summary["files"]}
    reasons = Counter((f["outcome"], f["reason"]) for f in summary["files"])
    assert reasons == {
        ("merged", "merged"): 33,
        ("merged", "merged_late"): 1,  # the demo's late unit
        ("rejected", "errors"): 1,  # the demo's SYT
        ("rejected", "unreadable"): 2,  # the demo's broken file, the cut .xls
        ("rejected", "older_format"): 2,  # BDBP's .xls, SCT's .ods
        ("skipped", "superseded"): 1,  # SNNPTNT's first revision
        ("skipped", "duplicate"): 1,  # the copy of SKHCN
        ("skipped", "not_workbook"): 5,  # .docx, .pdf, .png, random bytes, no suffix
        ("skipped", "other_format"): 1,  # .csv
        ("skipped", "lock_file"): 2,  # ~$..., .~lock...#
        ("skipped", "system_file"): 1,  # Thumbs.db
        ("skipped", "master_file"): 4,  # master, CSV, ledger, the merge's lock (no backup before a second write)
    }
    assert by_name["cong-van.pdf"]["message"].startswith("tệp PDF, không phải sổ làm việc Excel")
    assert by_name["cong-van.docx"]["message"].startswith("văn bản Word")
    assert by_name["anh-chup-bieu-mau.png"]["message"].startswith("hình ảnh")
    xls = by_name["BDBP_bdbp.xls"]
    assert xls["unit"] == "BDBP" and xls["errors"] == 1 and xls["first_error"]["rule"] == "X002"
    assert INSTRUCTION in xls["first_error"]["message"] and INSTRUCTION.lower() in xls["message"].lower()
    assert by_name["hong_SGTVT.xls"]["first_error"]["rule"] == "X001"
    assert by_name["SKHCN_so-khoa-hoc-va-cong-nghe.xlsx"]["outcome"] != by_name["SKHCN (1).xlsx"]["outcome"]
    assert "BDBP" not in summary["missing"]  # received, and refused: the unit is told why
    assert "BDBP" not in summary["merged"] and summary["merged"]["SCT"].endswith(".xlsx")


def test_the_inputs_are_never_modified(merged: tuple) -> None:
    _summary, before, after = merged
    assert after == before


def test_the_console_lists_every_skipped_file(inbox: Path, merged: tuple) -> None:
    # the third merge: the backup of the master is now there too
    result = CliRunner().invoke(kehoach, ["merge", str(inbox), "-o", str(inbox / "tong-hop.xlsx")])
    assert result.exit_code == 0, result.output
    assert "Tệp trong thư mục nhận: 55 (đã tổng hợp 34, bị loại 5, bỏ qua 16)." in result.output
    for name in ("cong-van.pdf", "cong-van.docx", "anh-chup-bieu-mau.png", "bao-cao.csv", "BDBP_bdbp.xls"):
        assert name in result.output
    english = CliRunner().invoke(kehoach, ["merge", str(inbox), "-o", str(inbox / "tong-hop.xlsx"), "--lang", "en"])
    assert "Files in the inbox: 55 (merged 34, rejected 5, skipped 16)." in english.output
    assert "a PDF file, not an Excel workbook" in english.output


def test_legacy_files_are_validated_on_their_values(inbox: Path) -> None:
    """The .xls and .ods carry the standard workbook: read with calamine, the same findings as their .xlsx but
    X002, the package's rules not applicable (never a false pass nor a crash)."""
    original = validate_path(inbox / "SCT_so-cong-thuong.xlsx")
    for path in (inbox / "BDBP_bdbp.xls", inbox / "cu" / "SCT_so-cong-thuong.ods"):
        report = validate_path(path)
        assert report.readable and report.legacy == path.suffix
        assert report.not_applicable == list(PACKAGE_RULES)
        assert report.findings[0].rule == "X002" and INSTRUCTION in report.findings[0].message("vi")
        assert not {f.rule for f in report.findings} & set(PACKAGE_RULES)
    ods = validate_path(inbox / "cu" / "SCT_so-cong-thuong.ods")
    assert [f.rule for f in ods.findings if f.rule != "X002"] == [f.rule for f in original.findings]


def test_a_legacy_file_on_the_validate_command(inbox: Path) -> None:
    path = inbox / "BDBP_bdbp.xls"
    result = CliRunner().invoke(kehoach, ["validate", str(path)])
    assert result.exit_code == 1
    assert "X002" in result.stdout and "không áp dụng cho tệp .xls/.ods" in result.stdout
    data = json.loads(CliRunner().invoke(kehoach, ["validate", str(path), "--format", "json"]).stdout)["files"][0]
    assert data["format"] == ".xls" and data["not_applicable"] == list(PACKAGE_RULES)
    marked = CliRunner().invoke(kehoach, ["validate", str(path), "--annotate", str(inbox.parent / "to-mau")])
    assert marked.exit_code == 1 and "không tạo bản tô màu cho tệp .xls/.ods" in marked.stderr
    english = CliRunner().invoke(kehoach, ["validate", str(path), "--lang", "en"])
    assert "not applicable to .xls/.ods files" in english.stdout and "File > Save As" in english.stdout


def test_a_corrupt_xls_is_unreadable_with_the_instruction(inbox: Path) -> None:
    with pytest.raises(Exception) as refused:
        read_workbook(inbox / "hong_SGTVT.xls")
    assert "Excel 97-2003 (.xls) bị hỏng" in refused.value.reason  # type: ignore[attr-defined]
    assert "Lưu thành" in refused.value.reason  # type: ignore[attr-defined]


def test_discover_still_lists_what_is_read(inbox: Path) -> None:
    master = inbox.parent / "elsewhere.xlsx"
    read, skipped = inventory(inbox, master)
    assert discover(inbox, master) == read
    assert {p.suffix for p in read} == {".xlsx", ".xls", ".ods"}
    assert all(s.reason in SKIP_REASONS for s in skipped)


def test_a_sheet_too_large_in_an_xls_or_ods_is_refused_before_calamine_reads_it(tmp_path: Path) -> None:
    """One value at IV65536: calamine would allocate 16 million cells (a gigabyte) for a 70 KB .ods. The extent
    is measured from the records (.xls) or the XML with its repeats (.ods) first, and refused."""
    table = tmp_path / "bang-lon.csv"
    table.write_text("1\n" * 65535 + "," * 255 + "x\n", encoding="utf-8")
    for target in ("xls", "ods"):
        (converted,) = convert([table], tmp_path, target)
        with pytest.raises(Exception, match=r"'bang-lon' quá lớn \(65\.536 dòng × 256 cột\)"):
            read_workbook(converted)
        report = validate_path(converted)
        assert [f.rule for f in report.findings] == ["X001"]
