"""Issue 14 part 6: with ``--lang en`` every message a command writes is English (names of files, units and
sheets, quoted «…», stay as they are); without it the Vietnamese texts are unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from kehoach.cli import lang
from kehoach.cli.main import kehoach

# Letters only Vietnamese uses (English and file paths of ASCII have none of them).
VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")


@pytest.fixture(autouse=True)
def _back_to_vietnamese():
    yield
    lang.choose("vi", kehoach)


def run(*args: object, code: int = 0) -> str:
    result = CliRunner().invoke(kehoach, [str(a) for a in args])
    assert result.exit_code == code, (args, result.output, result.exception)
    return result.output


def english(text: str, *paths: Path) -> str:
    """``text`` has no Vietnamese letter once quoted names and the given paths are taken out."""
    bare = re.sub(r"«[^»]*»", "", text)
    for path in sorted(map(str, paths), key=len, reverse=True):
        bare = bare.replace(path, "")
    assert not VIETNAMESE_LETTERS.search(bare), (VIETNAMESE_LETTERS.findall(bare), text)
    return text


def both(*args: object, code: int = 0, paths: tuple[Path, ...] = ()) -> tuple[str, str]:
    vi = run(*args, code=code)
    en = english(run(*args, "--lang", "en", code=code), *paths)
    return vi, en


def test_sample(tmp_path: Path) -> None:
    vi, en = both("sample", "--out", tmp_path / "vi", "--unit", "SKHDT", paths=(tmp_path,))
    assert "Đã tạo 1 tệp mẫu trong" in vi and "Wrote 1 sample files in" in en
    vi, en = both("sample", "--out", tmp_path, "--unit", "XYZ", code=2)
    assert "Lỗi: không có đơn vị mã XYZ trong danh mục." in vi and "Error: no unit XYZ in the catalog." in en


def test_templates_build(tmp_path: Path) -> None:
    vi, en = both("templates", "build", "--out", tmp_path, "--unit", "SKHDT", paths=(tmp_path,))
    assert "Đã tạo 1 biểu mẫu trong" in vi and "Built 1 templates in" in en
    vi, en = both("templates", "build", "--out", tmp_path, "--unit", "XYZ", code=2)
    assert "không có đơn vị mã XYZ trong danh mục." in vi and "no unit XYZ in the catalog." in en


def test_consult(tmp_path: Path) -> None:
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    vi, en = both("consult", "form", "-o", inbox / "phieu.xlsx", paths=(tmp_path,))
    assert "Đã ghi phiếu góp ý:" in vi and "Comment form written:" in en
    (inbox / "khac.xlsx").write_bytes(b"not a workbook")
    out = tmp_path / "tong-hop.xlsx"
    vi, en = both("consult", "merge", inbox, "-o", out, paths=(tmp_path,))
    assert "phiếu trống" in vi and "Không đọc được" in vi
    assert "empty forms" in en and "Cannot be read" in en
    vi, en = both("consult", "merge", tmp_path / "khong-co", code=2, paths=(tmp_path,))
    assert "không tìm thấy thư mục" in vi and "not found" in en


def test_merge_errors(tmp_path: Path) -> None:
    master = tmp_path / "tong-hop.xlsx"
    vi, en = both("merge", tmp_path / "khong-co", "-o", master, code=2, paths=(tmp_path,))
    assert "không tìm thấy thư mục nhận tệp" in vi and "inbox folder" in en
    empty = tmp_path / "trong"
    empty.mkdir()
    (empty / "ghi-chu.txt").write_text("x")
    vi, en = both("merge", empty, "-o", master, code=2, paths=(tmp_path,))
    assert "không có tệp .xlsx, .xlsm, .xls hoặc .ods nào; 1 tệp khác" in vi and "has no .xlsx" in en
    inbox = tmp_path / "hop-thu"
    run("sample", "--out", inbox, "--unit", "SKHDT")
    (tmp_path / f"~${master.name}").write_bytes(b"")  # Excel's lock file: the master is open
    vi, en = both("merge", inbox, "-o", master, code=3, paths=(tmp_path,))
    assert "đang được mở trong Excel" in vi and "is open in Excel" in en


@pytest.fixture(scope="module")
def ctk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ctk")
    run("sample", "--out", folder, "--unit", "CTK")
    return next(folder.glob("*.xlsx"))


def test_scenarios(ctk: Path, tmp_path: Path) -> None:
    out = tmp_path / "pa.xlsx"
    vi, en = both("scenarios", ctk, "-o", out, paths=(tmp_path, ctk))
    assert "Đã ghi bảng tính phương án:" in vi and "GRDP tăng bình quân" in vi
    assert "Scenario workbook written:" in en and "average GRDP growth" in en
    vi, en = both("scenarios", tmp_path / "khong-co.xlsx", code=2, paths=(tmp_path,))
    assert "không tìm thấy tệp" in vi and "not found" in en
    vi, en = both("scenarios", ctk, "-o", out, "--target", "x", code=2, paths=(tmp_path, ctk))
    assert "mục tiêu «x» không hợp lệ" in vi and "target «x» is not valid" in en
    bad = tmp_path / "gia-dinh.csv"
    bad.write_text("scenario,name_vi\n", encoding="utf-8")
    vi, en = both("scenarios", ctk, "-o", out, "--assumptions", bad, code=2, paths=(tmp_path, ctk))
    assert "Tệp giả định không dùng được" in vi and "The assumptions file is unusable" in en


def test_report(ctk: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    (inbox / ctk.name).write_bytes(ctk.read_bytes())
    master = tmp_path / "tong-hop.xlsx"
    vi = run("merge", inbox, "-o", master)
    assert "Đã ghi tệp tổng hợp" in vi
    english(run("merge", inbox, "-o", master, "--lang", "en"), tmp_path)
    vi, en = both("report", master, "-o", tmp_path / "du-thao.docx", paths=(tmp_path,))
    assert "Đã ghi dự thảo báo cáo:" in vi and "Draft report written:" in en
    vi, en = both("report", tmp_path / "khong-co.xlsx", code=2, paths=(tmp_path,))
    assert "không tìm thấy tệp tổng hợp" in vi and "master «" in en
    vi, en = both("report", master, "-o", tmp_path / "du-thao.pdf", code=2, paths=(tmp_path,))
    assert "phải có đuôi .docx" in vi and "must end in .docx" in en
    vi, en = both("report", ctk, "-o", tmp_path / "du-thao.docx", code=2, paths=(tmp_path, ctk))
    assert "không đọc được tệp tổng hợp" in vi and "cannot read the master" in en


def test_addin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vi, en = both("addin", "check")
    assert "[đạt]" in vi and "dùng được trên máy này" in vi
    assert "[ok]" in en and "button works on this machine" in en
    vi, en = both("addin", "install", "--dry-run", "--source", tmp_path, paths=(tmp_path,))
    assert "Tiếp theo: mở biểu mẫu" in vi and "Next: open the template" in en
    bad = tmp_path / "python.zip"
    bad.write_bytes(b"not a zip")
    vi, en = both("addin", "bundle", "--python-zip", bad, "--out", tmp_path / "b.zip", code=2, paths=(tmp_path,))
    assert "không đọc được tệp zip" in vi and "cannot read the zip" in en
    from kehoach.cli import addin_cmd

    def broken() -> None:
        raise RuntimeError(lang.text("hỏng", "broken"))

    monkeypatch.setattr(addin_cmd, "_CHECKS", (("kiem-tra", broken),))
    vi, en = both("addin", "check", code=2)
    assert "[LỖI] kiem-tra: RuntimeError: hỏng" in vi and "chưa dùng được" in vi
    assert "[FAILED]" in en and "does not work yet" in en


def test_merge_rejected_and_skipped_in_english(tmp_path: Path) -> None:
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    (inbox / "hong.xlsx").write_bytes(b"not a workbook")
    (inbox / "ghi-chu.txt").write_text("x")
    master = tmp_path / "tong-hop.xlsx"
    vi, en = both("merge", inbox, "-o", master, paths=(tmp_path,))
    assert "Bị loại: hong.xlsx" in vi and "Bỏ qua: ghi-chu.txt" in vi
    assert "Rejected: hong.xlsx" in en and "Skipped: ghi-chu.txt" in en


def test_a_read_only_master_refused_in_both_languages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kehoach.master import merge as merging

    vi_reason = "tệp tổng hợp «tong-hop.xlsx» đang đặt thuộc tính Chỉ đọc (Read-only) nên không thay được."
    monkeypatch.setattr(merging, "_master_problem", lambda _master: (vi_reason, merging.USAGE))
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    (inbox / "hong.xlsx").write_bytes(b"not a workbook")
    vi, en = both("merge", inbox, "-o", tmp_path / "tong-hop.xlsx", code=2, paths=(tmp_path,))
    assert vi_reason in vi and "is Read-only and cannot be replaced" in en


def test_merge_json_gives_the_first_error_in_the_chosen_language(tmp_path: Path) -> None:
    """The JSON's per-file list and its rejected list say the same finding in the same language."""
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    (inbox / "hong.xlsx").write_bytes(b"not a workbook")
    (inbox / "ghi-chu.txt").write_text("x")
    master = tmp_path / "tong-hop.xlsx"
    for language in ("vi", "en"):
        args = ["merge", str(inbox), "-o", str(master), "--format", "json", "--lang", language]
        summary = json.loads(CliRunner().invoke(kehoach, args).stdout)
        [entry] = [f for f in summary["files"] if f["outcome"] == "rejected"]
        [rejected] = summary["rejected"]
        assert entry["first_error"]["message"] == rejected["reason"]
        if language == "en":
            english(entry["first_error"]["message"], tmp_path)
