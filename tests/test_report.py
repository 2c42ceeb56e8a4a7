"""The draft report: built from the demo's merged master (read back with master.read.read_plan), opened with
python-docx and through LibreOffice, its figures checked against the master's province table read
independently (openpyxl, by the sheet's hidden keys) and against the plan's rows."""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn
from kehoach.cli.main import kehoach
from kehoach.master.read import read_plan
from kehoach.master.sheets import province
from kehoach.report import draft as D
from kehoach.report.pdf import to_pdf
from kehoach.samples import demo
from kehoach.scenarios.assumptions import load_scenarios
from kehoach.scenarios.model import Base
from kehoach.validators.numbers import parse_vi_number
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import load_catalog

from tests.support import libreoffice

MISSING, REJECTED = (demo.MISSING,), (demo.REJECTED[0],)
BASE = Base(
    2020,
    {"agri": 14851.56, "industry": 18512.68, "services": 19449.76, "taxes": 1667.12},
    {"agri": 20949.59, "industry": 26113.97, "services": 27435.81, "taxes": 2351.64},
    1025.49,
    "CTK_cuc-thong-ke.xlsx",
)


@pytest.fixture(scope="module")
def master(demo_run) -> Path:
    return demo_run.outcome.master


@pytest.fixture(scope="module")
def plan(master):
    return read_plan(master, load_catalog())


@pytest.fixture(scope="module")
def drafted(plan, tmp_path_factory) -> Path:
    scenarios = D.Scenarios(BASE, load_scenarios(list(BASE.constant), L.YEARS_PLAN))
    out = tmp_path_factory.mktemp("report") / "du-thao.docx"
    return D.render(D.build_context(plan, scenarios), out)


@pytest.fixture(scope="module")
def document(drafted):
    return docx.Document(str(drafted))


def _text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def _table(document, first_headers: tuple[str, ...]):
    for table in document.tables:
        if tuple(c.text for c in table.rows[0].cells[: len(first_headers)]) == first_headers:
            return table
    raise AssertionError(f"no table with headers {first_headers}")


def _number(text: str) -> float | None:
    parsed = parse_vi_number(text)
    return None if parsed is None else parsed.value


def test_vietnamese_numbers() -> None:
    assert D.vi_number(1234.5, 1) == "1.234,5"
    assert D.vi_number(1234567.891, 2) == "1.234.567,89"
    assert D.vi_number(22000, 0) == "22.000"
    assert D.vi_number(5.0, 2) == "5"
    assert D.vi_number(-0.001, 2) == "0"
    assert D.vi_number(None) == ""


def test_document_form(document) -> None:
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert round(section.left_margin.cm, 1) == 3.0 and round(section.top_margin.cm, 1) == 2.0
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size.pt in (13, 14)
    motto = document.tables[0].rows[0].cells[1].text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in motto and "Độc lập - Tự do - Hạnh phúc" in motto
    issuer = document.tables[0].rows[0].cells[0].text
    assert "SỞ KẾ HOẠCH VÀ ĐẦU TƯ" in issuer and "/BC-SKHĐT" in issuer
    assert "ngày" in motto and "Trà Vinh" in motto
    text = _text(document)
    assert "DỰ THẢO" in text and "BÁO CÁO" in text
    signature = document.tables[-3].rows[0].cells  # before the two annex tables
    assert "Nơi nhận" in signature[0].text and "GIÁM ĐỐC" in signature[1].text
    assert "{{" not in text and "{%" not in text


def test_main_table_equals_the_plan(document, plan) -> None:
    table = _table(document, ("STT", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu 2016-2020"))
    rows = table.rows[2:]
    main = [r for r in plan.rows if r.indicator.target_2020_min is not None or r.indicator.target_2020_max is not None]
    assert len(rows) == len(main) > 5
    for row, expected in zip(rows, main, strict=True):
        cells = [c.text for c in row.cells]
        code = re.search(r"\(([A-Z]{2}\d{2})\)$", cells[1]).group(1)
        assert code == expected.indicator.code
        v, d = expected.values, expected.indicator.decimals
        if expected.status == "missing":
            assert cells[3:7] == ["", "", "", ""] and cells[7] == "Thiếu số liệu"
            continue
        target = [_number(part) for part in cells[3].split(" - ")]
        assert target[0] == pytest.approx(round(v["target_2020"], d))
        if v.get("target_2020_max") not in (None, v["target_2020"]):
            assert target[1] == pytest.approx(round(v["target_2020_max"], d))
        assert _number(cells[4]) == pytest.approx(round(v["estimate_2020"], d))
        assert _number(cells[5]) == pytest.approx(round(v["judged_2020"], d))
        assert _number(cells[6]) == pytest.approx(round(v["completion_2020"], 2))
        assert cells[7] == v["evaluation_2020"]
        if v.get("growth_2011_2015") is not None:
            assert _number(cells[8]) == pytest.approx(round(v["growth_2011_2015"], 2))


def _master_table(master: Path) -> dict[str, dict[str, object]]:
    """The province table as the master holds it, by indicator code and column key (not through read_plan)."""
    import openpyxl

    ws = openpyxl.load_workbook(master, read_only=True, data_only=True)[province.SHEET]
    rows = list(ws.iter_rows(values_only=True))
    keys = rows[province.KEY_ROW]
    return {
        row[0]: {k: v for k, v in zip(keys, row, strict=False) if k}
        for row in rows[province.FIRST_DATA_ROW :]
        if row and row[0] and not str(row[0]).startswith(province.AREA_PREFIX)
    }


def test_main_table_equals_the_master_read_independently(document, master) -> None:
    catalog = load_catalog()
    table = _master_table(master)
    rows = _table(document, ("STT", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu 2016-2020")).rows[2:]
    assert len(rows) > 5
    for row in rows:
        cells = [c.text for c in row.cells]
        code = re.search(r"\(([A-Z]{2}\d{2})\)$", cells[1]).group(1)
        values, decimals = table[code], catalog.indicator(code).decimals
        for cell, key, places in (
            (4, "estimate_2020", decimals),
            (5, "judged_2020", decimals),
            (6, "completion_2020", 2),
        ):
            expected = values.get(key)
            if isinstance(expected, int | float):
                assert _number(cells[cell]) == pytest.approx(round(expected, places)), (code, key)
            else:
                assert cells[cell] == "", (code, key)
        assert cells[7] == (values.get("evaluation_2020") or cells[7]), code


def test_verdict_counts_equal_the_master(document, master) -> None:
    counts = Counter(v.get("evaluation_2020") for v in _master_table(master).values())
    text = _text(document)
    assert (
        f"{counts['Vượt']} chỉ tiêu vượt, {counts['Đạt']} chỉ tiêu đạt và {counts['Không đạt']} chỉ tiêu không đạt"
        in text
    )


def test_verdict_counts_and_lists(document, plan) -> None:
    counts = Counter(r.values.get("evaluation_2020") for r in plan.rows)
    text = _text(document)
    assert (
        f"{counts['Vượt']} chỉ tiêu vượt, {counts['Đạt']} chỉ tiêu đạt và {counts['Không đạt']} chỉ tiêu không đạt"
        in text
    )
    for heading, verdict in (("Vượt mục tiêu", "Vượt"), ("Đạt mục tiêu", "Đạt"), ("Không đạt mục tiêu", "Không đạt")):
        [paragraph] = [p.text for p in document.paragraphs if p.text.startswith(f"{heading}: ")]
        assert paragraph.startswith(f"{heading}: {counts[verdict]} chỉ tiêu")
        listed = set(re.findall(r"\b([A-Z]{2}\d{2}) ", paragraph))
        assert listed == {r.indicator.code for r in plan.rows if r.values.get("evaluation_2020") == verdict}


def test_every_missed_indicator_is_listed_with_its_cause(document, plan) -> None:
    missed = [r for r in plan.rows if r.values.get("evaluation_2020") == "Không đạt"]
    assert missed
    paragraphs = [p.text for p in document.paragraphs]
    for row in missed:
        found = [p for p in paragraphs if p.startswith(f"- {row.indicator.code} {row.indicator.name_vi}: ")]
        assert len(found) == 1, row.indicator.code
        assert row.values["cause"].strip() in found[0]


def test_every_task_area_has_a_heading_in_both_parts(document, plan) -> None:
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 3"]
    for area in plan.catalog.areas:
        assert headings.count(f"{area.order}. {area.name_vi}") == 2, area.code


def test_units_texts_are_marked_with_their_unit(document, plan) -> None:
    text = _text(document)
    entry = next(t for t in plan.texts if t.section == "plan_tasks")
    unit = plan.catalog.unit(entry.unit).name_vi
    assert f"Nhiệm vụ chủ yếu ({unit}): {entry.text.strip()}" in text


def _highlighted(document) -> str:
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    return "".join(r.text for r in runs if _shade(r) == D.HIGHLIGHT)


def _shade(run) -> str | None:
    properties = run._r.rPr
    shading = properties.find(qn("w:shd")) if properties is not None else None
    return None if shading is None else shading.get(qn("w:fill"))


def test_what_the_master_lacks_is_a_visible_note(document, plan) -> None:
    highlighted = _highlighted(document)
    catalog = plan.catalog
    for code in (*MISSING, *REJECTED):
        assert catalog.unit(code).name_vi in highlighted
    # Areas no unit wrote about, and the substituted and missing rows, are flagged, not left blank.
    assert "Chưa có đơn vị nào gửi nội dung cho lĩnh vực này" in highlighted
    for row in plan.rows:
        if row.status != "lead":
            assert row.indicator.code in highlighted


def test_annexes_match_the_province_table(document, plan) -> None:
    annex1 = _table(document, ("STT", "Mã", "Chỉ tiêu", "Đơn vị tính", "TH 2015"))
    annex2 = _table(document, ("STT", "Mã", "Chỉ tiêu", "Đơn vị tính", "Ước TH 2020 (đã đánh giá lại)"))
    for table in (annex1, annex2):
        assert [r.cells[1].text for r in table.rows[2:]] == [r.indicator.code for r in plan.rows]
    for row, expected in zip(annex2.rows[2:], plan.rows, strict=True):
        value = expected.values.get("plan_2025")
        cell = row.cells[9].text
        assert (
            (cell == "") if value is None else _number(cell) == pytest.approx(round(value, expected.indicator.decimals))
        )


def test_scenarios_balances_and_projects(document, plan) -> None:
    scenario_table = _table(document, ("Phương án", "Tăng GRDP BQ/năm (%)"))
    names = [r.cells[0].text for r in scenario_table.rows[2:]]
    assert names == [s.name_vi for s in load_scenarios(list(BASE.constant), L.YEARS_PLAN)]
    assert {r.cells[2].text for r in scenario_table.rows[2:]} <= {"Vượt", "Đạt", "Không đạt"}
    investment = _table(document, ("Phương án", "ICOR"))
    assert len(investment.rows) == 2 + len(names)
    projects = _table(document, ("Lĩnh vực", "Số dự án"))
    total = projects.rows[-1].cells
    assert total[0].text == "Tổng cộng" and _number(total[1].text) == len(plan.projects)
    need = sum(p.values["need_total"] for p in plan.projects)
    assert _number(total[4].text) == pytest.approx(round(need))
    carried = sum(p.values.get("status") == "Chuyển tiếp" for p in plan.projects)
    assert _number(total[2].text) == carried


def test_without_a_statistics_base_the_draft_says_so(plan, tmp_path) -> None:
    context = D.build_context(plan, D.Scenarios(None, problem="chưa có báo cáo của Cục Thống kê"))
    document = docx.Document(str(D.render(context, tmp_path / "d.docx")))
    assert "Chưa lập được phương án tăng trưởng: chưa có báo cáo của Cục Thống kê" in _highlighted(document)


def test_a_suspected_duplicate_project_is_noted(plan, tmp_path) -> None:
    import dataclasses

    first, *rest = plan.projects
    doubled = dataclasses.replace(plan, projects=(dataclasses.replace(first, duplicate_of="STC:7"), *rest))
    context = D.build_context(doubled, D.Scenarios(None, problem="x"))
    document = docx.Document(str(D.render(context, tmp_path / "d.docx")))
    assert f"Dự án «{first.values['project']}»" in _highlighted(document) and "STC:7" in _highlighted(document)


def test_a_template_of_the_dpi(plan, tmp_path) -> None:
    own = docx.Document()
    own.add_paragraph("Số chỉ tiêu không đạt: {{ verdict_counts['Không đạt'] }}")
    own.add_paragraph("{%p for area in plan_areas %}")
    own.add_paragraph("{{ area.heading }}")
    own.add_paragraph("{%p endfor %}")
    own.save(tmp_path / "mau.docx")
    context = D.build_context(plan, D.Scenarios(None, problem="x"))
    out = docx.Document(str(D.render(context, tmp_path / "out.docx", tmp_path / "mau.docx")))
    missed = sum(r.values.get("evaluation_2020") == "Không đạt" for r in plan.rows)
    assert out.paragraphs[0].text == f"Số chỉ tiêu không đạt: {missed}"
    assert len(out.paragraphs) == 1 + len(plan.catalog.areas)


def _png_ink(path: Path) -> int:
    """Bytes of a PNG's decoded scanlines that are neither white nor a filter's zero: 0 for a blank page."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            chunks.append(data[pos + 8 : pos + 8 + length])
        pos += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    return sum(1 for b in raw if b not in (0, 255))


@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice not installed")
def test_through_libreoffice_the_pages_are_not_blank(drafted, tmp_path) -> None:
    pdf = to_pdf(drafted, tmp_path / "du-thao.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == 3
    for page in pages:
        assert _png_ink(page) > 2000, page.name
    text = subprocess.run(["pdftotext", "-l", "2", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "DỰ THẢO" in text and "Độc lập - Tự do - Hạnh phúc" in text


def test_cli_report_with_pdf(master, tmp_path) -> None:
    """The command end to end on the demo's master: its scenarios come from the Statistics Office's figures the
    master merged."""
    out = tmp_path / "du-thao-bao-cao.docx"
    args = ["report", str(master), "-o", str(out)]
    if libreoffice.soffice() is not None:
        args.append("--pdf")
    result = CliRunner().invoke(kehoach, args)
    assert result.exit_code == 0, result.output
    assert out.is_file() and "Đã ghi dự thảo báo cáo" in result.output
    assert "Cảnh báo" not in result.output
    if libreoffice.soffice() is not None:
        assert out.with_suffix(".pdf").is_file()


def test_cli_report_refusals(tmp_path) -> None:
    runner = CliRunner()
    result = runner.invoke(kehoach, ["report", str(tmp_path / "khong-co.xlsx")])
    assert result.exit_code == 2 and "không tìm thấy tệp tổng hợp" in result.output
    master = tmp_path / "m.xlsx"
    master.write_bytes(b"x")
    result = runner.invoke(kehoach, ["report", str(master), "--template", str(tmp_path / "khong.docx")])
    assert result.exit_code == 2 and "không tìm thấy mẫu Word" in result.output
    result = runner.invoke(kehoach, ["report", str(master), "-o", str(tmp_path / "a.pdf")])
    assert result.exit_code == 2 and ".docx" in result.output


def test_pdf_without_libreoffice_says_what_to_do(tmp_path, monkeypatch) -> None:
    from kehoach.report import pdf

    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(pdf.PdfError, match="LibreOffice"):
        pdf.to_pdf(tmp_path / "x.docx")


def test_the_shipped_template_is_what_make_template_builds(tmp_path) -> None:
    import zipfile

    from kehoach.report import make_template

    built = make_template.build(tmp_path / "mau.docx")
    with zipfile.ZipFile(built) as new, zipfile.ZipFile(make_template.TEMPLATE) as shipped:
        for part in ("word/document.xml", "word/styles.xml", "word/footer1.xml"):
            assert new.read(part) == shipped.read(part), part


def test_a_broken_template_is_refused(master, tmp_path) -> None:
    broken = docx.Document()
    broken.add_paragraph("{% for x in %}")
    broken.save(tmp_path / "hong.docx")
    result = CliRunner().invoke(
        kehoach, ["report", str(master), "--template", str(tmp_path / "hong.docx"), "-o", str(tmp_path / "d.docx")]
    )
    assert result.exit_code == 2 and "hong.docx" in result.output and "ô giữ chỗ không hợp lệ" in result.output
