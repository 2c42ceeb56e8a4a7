"""Publishing for comment: the comment form and the gathering of an inbox of good, empty, broken and foreign
files."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from kehoach.cli.main import kehoach
from kehoach.report import consult as C
from kehoach.workbook_templates.catalog import load_catalog


@pytest.fixture(scope="module")
def form(tmp_path_factory) -> Path:
    return C.write_form(tmp_path_factory.mktemp("form") / "phieu-gop-y.xlsx", load_catalog())


def _fill(form: Path, out: Path, sender: dict[str, str], comments: dict[str, tuple[str, str]]) -> Path:
    book = openpyxl.load_workbook(form)
    ws = book[C.SHEET]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    for key, value in sender.items():
        ws.cell(rows[f"sender.{key}"], 3).value = value
    for section, (comment, proposal) in comments.items():
        ws.cell(rows[f"section.{section}"], 3).value = comment
        ws.cell(rows[f"section.{section}"], 4).value = proposal
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def test_the_form_lists_every_section_of_the_draft(form) -> None:
    catalog = load_catalog()
    ws = openpyxl.load_workbook(form)[C.SHEET]
    keys = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert keys[0] == C.MARKER
    sections = [k.removeprefix("section.") for k in keys if k and k.startswith("section.")]
    assert sections == [s.id for s in C.draft_sections(catalog)]
    for area in catalog.areas:
        assert f"I.3.{area.code}" in sections and f"II.5.{area.code}" in sections
    assert [k for k in keys if k and k.startswith("sender.")] == [f"sender.{k}" for k, _ in C.SENDER_FIELDS]


@pytest.fixture
def inbox(form, tmp_path) -> Path:
    inbox = tmp_path / "gop-y"
    _fill(
        form,
        inbox / "hoi-nong-dan.xlsx",
        {"name": "Hội Nông dân tỉnh", "kind": "Tổ chức chính trị - xã hội"},
        {
            "I.2": ("Nêu rõ hơn nguyên nhân chủ quan.", ""),
            "II.5.agriculture": ("Bổ sung liên kết chuỗi.", "Thêm giải pháp"),
        },
    )
    _fill(
        form,
        inbox / "con-doi" / "doanh-nghiep-a.xlsx",
        {"name": "Công ty TNHH A", "kind": "Doanh nghiệp"},
        {"II.4": ("Ưu tiên đường tỉnh 915.", ""), "I.2": ("", "Sửa số liệu KT09")},
    )
    _fill(form, inbox / "phieu-trong.xlsx", {"name": "Ấp Ba"}, {})
    (inbox / "hong.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    foreign = openpyxl.Workbook()
    foreign.active["A1"] = "Bảng lương"
    foreign.save(inbox / "khac.xlsx")
    (inbox / "~$hoi-nong-dan.xlsx").write_bytes(b"lock")
    (inbox / "ghi-chu.txt").write_text("không phải bảng tính", encoding="utf-8")
    return inbox


def test_gather_counts_good_broken_and_foreign_files(inbox) -> None:
    gathered = C.gather(inbox, load_catalog())
    assert gathered.counts() == {
        "files": 5,
        "forms": 3,
        "with_comments": 2,
        "empty": 1,
        "unreadable": 1,
        "foreign": 1,
        "comments": 4,
    }
    status = {Path(f.path).name: f.status for f in gathered.files}
    assert status == {
        "hoi-nong-dan.xlsx": C.OK,
        "doanh-nghiep-a.xlsx": C.OK,
        "phieu-trong.xlsx": C.EMPTY,
        "hong.xlsx": C.UNREADABLE,
        "khac.xlsx": C.FOREIGN,
    }
    assert all(f.reason for f in gathered.files if f.status != C.OK)
    # By section in the draft's order, each with its sender and file.
    assert [(c.section, c.sender, c.file) for c in gathered.comments] == [
        ("I.2", "Công ty TNHH A", "doanh-nghiep-a.xlsx"),
        ("I.2", "Hội Nông dân tỉnh", "hoi-nong-dan.xlsx"),
        ("II.4", "Công ty TNHH A", "doanh-nghiep-a.xlsx"),
        ("II.5.agriculture", "Hội Nông dân tỉnh", "hoi-nong-dan.xlsx"),
    ]
    assert gathered.comments[0].proposal == "Sửa số liệu KT09" and gathered.comments[0].kind == "Doanh nghiệp"


def test_cli_form_and_merge(inbox, tmp_path) -> None:
    runner = CliRunner()
    blank = tmp_path / "phieu.xlsx"
    result = runner.invoke(kehoach, ["consult", "form", "--out", str(blank)])
    assert result.exit_code == 0 and blank.is_file()
    out = inbox / "tong-hop-gop-y.xlsx"  # written into the inbox: never read back as a form
    result = runner.invoke(kehoach, ["consult", "merge", str(inbox), "-o", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"]["comments"] == 4 and report["counts"]["files"] == 5
    book = openpyxl.load_workbook(out)
    comments = book["Góp ý theo mục"]
    assert comments.auto_filter.ref
    assert [comments.cell(r, 2).value for r in range(4, 8)] == ["I.2", "I.2", "II.4", "II.5.agriculture"]
    counts = openpyxl.load_workbook(out, data_only=True)["Số ý kiến"]
    tally = {counts.cell(r, 1).value: counts.cell(r, 3).value for r in range(4, counts.max_row + 1)}
    assert tally["I.2"] == 2 and tally["II.4"] == 1 and tally["general"] == 0
    assert tally[None] == 4  # the total row
    files = book["Tệp đã nhận"]
    assert {files.cell(r, 2).value for r in range(5, 10)} == set(C.STATUS_VI.values())
    again = runner.invoke(kehoach, ["consult", "merge", str(inbox), "-o", str(out), "--format", "json"])
    assert json.loads(again.stdout)["counts"]["files"] == 5


def test_cli_merge_without_inbox(tmp_path) -> None:
    result = CliRunner().invoke(kehoach, ["consult", "merge", str(tmp_path / "khong-co")])
    assert result.exit_code == 2 and "không tìm thấy thư mục" in result.output
