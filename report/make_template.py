"""Builds the default Word template ``templates/du-thao-bao-cao.docx`` (shipped; the DPI may edit a copy in
Word and pass it with ``kehoach report --template``). Run ``python -m kehoach.report.make_template`` after
changing this file; tests/test_report.py checks the shipped file is what this module writes.

The template's placeholders are docxtpl's Jinja tags: ``{{ x }}`` a value, ``{{r x }}`` a formatted text
(highlighted notes), ``{%p ... %}`` a paragraph-level loop or condition, ``{%tr ... %}`` a table-row loop.
The names the template may use are documented in docs/report.md.

Form of Nghị định 30/2020/NĐ-CP (Phụ lục I): A4, margins top/bottom 20 mm, left 30 mm, right 15 mm, Times New
Roman, body 14 pt, the motto block beside the issuing body, number and symbol, place and date, title,
recipients and signature.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from kehoach.report.draft import TEMPLATE

FONT = "Times New Roman"


def _font(style, size: float, bold: bool | None = None) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _para(container, text: str = "", *, bold=False, italic=False, size=None, align=None, style=None, indent=True):
    p = container.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    elif style is None and indent:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Cm(1)
    return p


def _tag(container, text: str):
    """A paragraph holding only a docxtpl paragraph tag (removed when rendered)."""
    return container.add_paragraph(text)


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _widths(table, widths) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def _cell(cell, text: str, *, bold=False, italic=False, size=None, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    p = cell.paragraphs[0]
    run = p.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    if size:
        run.font.size = Pt(size)
    p.alignment = align


def _add_line(cell, text: str, **kwargs) -> None:
    p = cell.add_paragraph()
    run = p.add_run(text)
    run.bold = kwargs.get("bold") or None
    run.italic = kwargs.get("italic") or None
    if kwargs.get("size"):
        run.font.size = Pt(kwargs["size"])
    p.alignment = kwargs.get("align", WD_ALIGN_PARAGRAPH.CENTER)


def _loop_table(doc, title: str, unit: str, headers: list[str], loop: str, cells: list[str], widths=None, size=11):
    """A "Biểu" table: header, column numbers, then a docxtpl row loop over ``loop`` ("r in rows")."""
    if title:
        _para(doc, title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    if unit:
        _para(doc, unit, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.RIGHT)
    table = doc.add_table(rows=5, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(headers):
        _cell(table.rows[0].cells[i], text, bold=True, size=size)
        _cell(table.rows[1].cells[i], f"({i + 1})", italic=True, size=size - 1)
    _cell(table.rows[2].cells[0], f"{{%tr for {loop} %}}", size=size)
    for i, text in enumerate(cells):
        align = WD_ALIGN_PARAGRAPH.LEFT if text.startswith("{{r") or "name" in text else WD_ALIGN_PARAGRAPH.CENTER
        _cell(table.rows[3].cells[i], text, size=size, align=align)
    _cell(table.rows[4].cells[0], "{%tr endfor %}", size=size)
    if widths:
        _widths(table, widths)
    repeat = OxmlElement("w:tblHeader")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    return table


def build(path: Path = TEMPLATE) -> Path:
    doc = Document()
    _font(doc.styles["Normal"], 14)
    doc.styles["Normal"].paragraph_format.space_after = Pt(6)
    for name, size in (("Heading 1", 14), ("Heading 2", 14), ("Heading 3", 14), ("Title", 14)):
        _font(doc.styles[name], size, bold=True)
        doc.styles[name].font.color.rgb = None
        doc.styles[name].paragraph_format.space_before = Pt(6)
    doc.styles["Heading 3"].font.italic = True
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    footer = section.footer.paragraphs[0]
    footer.text = "{{ footer }}"
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.runs[0].font.size = Pt(10)

    # The motto block beside the issuing body (Nghị định 30/2020, Phụ lục I, ô 1-4).
    header = doc.add_table(rows=1, cols=2)
    _no_borders(header)
    _widths(header, [6.8, 9.7])
    left, right = header.rows[0].cells
    _cell(left, "{{ parent_body }}", size=12)
    _add_line(left, "{{ issuing_body }}", bold=True, size=12)
    _add_line(left, "{{ number_line }}", size=13)
    _cell(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    _add_line(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13)
    _add_line(right, "{{ date_line }}", italic=True, size=14)
    _para(doc, "DỰ THẢO", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "{{ draft_line }}", italic=True, size=12, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{{ title }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{{ intro }}")
    _tag(doc, "{%p for note in notes %}")
    _para(doc, "{{r note }}")
    _tag(doc, "{%p endfor %}")

    # Part I
    doc.add_heading("{{ part1_heading }}", level=1)
    doc.add_heading("1. Kết quả thực hiện các chỉ tiêu chủ yếu", level=2)
    _para(doc, "{{ verdict_summary }}")
    _tag(doc, "{%p for group in verdict_groups %}")
    _para(doc, "{{r group.text }}")
    _tag(doc, "{%p endfor %}")
    _loop_table(
        doc,
        "Bảng 1. Kết quả thực hiện các chỉ tiêu chủ yếu giai đoạn 2016-2020",
        "",
        [
            "STT",
            "Chỉ tiêu",
            "Đơn vị tính",
            "Mục tiêu 2016-2020",
            "Ước TH 2020",
            "Giá trị so với mục tiêu",
            "% hoàn thành",
            "Đánh giá",
            "Tăng BQ 2011-2015",
            "Tăng BQ 2016-2020",
        ],
        "r in main_rows",
        [
            "{{ r.no }}",
            "{{ r.name }}",
            "{{ r.unit }}",
            "{{ r.target }}",
            "{{ r.estimate }}",
            "{{ r.judged }}",
            "{{ r.completion }}",
            "{{ r.verdict }}",
            "{{ r.growth_before }}",
            "{{ r.growth_now }}",
        ],
        [1.2, 4.4, 1.6, 1.8, 1.6, 1.8, 1.4, 1.4, 1.3, 1.3],
        size=10,
    )
    doc.add_heading("2. Các chỉ tiêu không đạt và nguyên nhân", level=2)
    _tag(doc, "{%p for m in missed %}")
    _para(doc, "{{r m }}")
    _tag(doc, "{%p endfor %}")
    doc.add_heading("3. Đánh giá theo từng lĩnh vực", level=2)
    _tag(doc, "{%p for area in eval_areas %}")
    doc.add_heading("{{ area.heading }}", level=3)
    _tag(doc, "{%p for e in area.entries %}")
    _para(doc, "{{r e }}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endfor %}")

    # Part II
    doc.add_heading("{{ part2_heading }}", level=1)
    doc.add_heading("1. Các chỉ tiêu chủ yếu đến năm 2025", level=2)
    _loop_table(
        doc,
        "Bảng 2. Mục tiêu chủ yếu giai đoạn 2021-2025",
        "",
        [
            "STT",
            "Chỉ tiêu",
            "Đơn vị tính",
            "Ước TH 2020 (đã đánh giá lại quy mô)",
            "Mục tiêu 2025",
            "Tăng BQ/năm 2021-2025",
        ],
        "r in plan_rows",
        ["{{ r.no }}", "{{ r.name }}", "{{ r.unit }}", "{{ r.base }}", "{{ r.target }}", "{{ r.growth }}"],
        [1.2, 6.3, 2, 2.5, 2.5, 2],
    )
    doc.add_heading("2. Các phương án tăng trưởng", level=2)
    _para(doc, "{{r scenario_text }}")
    _loop_table(
        doc,
        "Bảng 3. Các phương án tăng trưởng GRDP giai đoạn 2021-2025",
        "",
        [
            "Phương án",
            "Tăng GRDP BQ/năm (%)",
            "So với mục tiêu",
            "GRDP 2025 giá hiện hành (tỷ đồng)",
            "GRDP/người 2025 (triệu đồng)",
            "Cơ cấu 2025 (NLTS - CNXD - DV - thuế, %)",
        ],
        "s in scenario_rows",
        [
            "{{ s.name }}",
            "{{ s.growth }}",
            "{{ s.verdict }}",
            "{{ s.grdp }}",
            "{{ s.per_capita }}",
            "{{ s.structure }}",
        ],
        [3, 2, 2, 2.5, 2.5, 4.5],
        size=11,
    )
    doc.add_heading("3. Các cân đối lớn", level=2)
    _para(doc, "{{r balance_text }}")
    _loop_table(
        doc,
        "Bảng 4. Cân đối vốn đầu tư phát triển 2021-2025",
        "Đơn vị: tỷ đồng (giá hiện hành)",
        [
            "Phương án",
            "ICOR",
            "GRDP tăng thêm (giá so sánh 2010)",
            "Vốn đầu tư cần có",
            "Tổng vốn đầu tư kế hoạch (KT09)",
            "Chênh lệch",
        ],
        "b in investment_rows",
        ["{{ b.name }}", "{{ b.icor }}", "{{ b.increment }}", "{{ b.need }}", "{{ b.planned }}", "{{ b.gap }}"],
        [3.5, 1.5, 2.8, 2.8, 3, 2.5],
        size=11,
    )
    _loop_table(
        doc,
        "Bảng 5. Cân đối ngân sách, lao động và xuất khẩu 2021-2025",
        "",
        ["Nội dung", "Đơn vị tính", "Giá trị", "Ghi chú"],
        "b in other_rows",
        ["{{ b.label }}", "{{ b.unit }}", "{{ b.value }}", "{{r b.note }}"],
        [6.5, 2.5, 3, 4.5],
        size=11,
    )
    doc.add_heading("4. Kế hoạch đầu tư công trung hạn", level=2)
    _para(doc, "{{ projects_text }}")
    _tag(doc, "{%p for n in project_notes %}")
    _para(doc, "{{r n }}")
    _tag(doc, "{%p endfor %}")
    _loop_table(
        doc,
        "Bảng 6. Nhu cầu vốn đầu tư công 2021-2025 theo lĩnh vực",
        "Đơn vị: triệu đồng",
        [
            "Lĩnh vực",
            "Số dự án",
            "Chuyển tiếp",
            "Khởi công mới",
            "Tổng nhu cầu",
            "NS trung ương",
            "NS địa phương",
            "ODA",
            "Nguồn khác",
        ],
        "p in project_rows",
        [
            "{{ p.area }}",
            "{{ p.count }}",
            "{{ p.carried }}",
            "{{ p.new }}",
            "{{ p.total }}",
            "{{ p.central }}",
            "{{ p.local }}",
            "{{ p.oda }}",
            "{{ p.other }}",
        ],
        [3.4, 1.2, 1.5, 1.5, 2.2, 2, 2, 1.6, 1.6],
        size=10,
    )
    doc.add_heading("5. Nhiệm vụ và giải pháp theo từng lĩnh vực", level=2)
    _tag(doc, "{%p for area in plan_areas %}")
    doc.add_heading("{{ area.heading }}", level=3)
    _tag(doc, "{%p for e in area.entries %}")
    _para(doc, "{{r e }}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endfor %}")

    # Recipients and signature (Nghị định 30/2020, ô 9).
    sign = doc.add_table(rows=1, cols=2)
    _no_borders(sign)
    _widths(sign, [8, 8.5])
    left, right = sign.rows[0].cells
    _cell(left, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    _add_line(left, "{{r recipients }}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell(right, "{{ signer_title }}", bold=True, size=14)
    _add_line(right, "")
    _add_line(right, "{{ signer_name }}", bold=True, size=14)

    # Annexes, landscape.
    annex = doc.add_section(WD_SECTION.NEW_PAGE)
    annex.orientation = WD_ORIENT.LANDSCAPE
    annex.page_width, annex.page_height = Cm(29.7), Cm(21)
    annex.top_margin = annex.bottom_margin = Cm(1.5)
    annex.left_margin = annex.right_margin = Cm(1.5)
    _para(doc, "Biểu 1", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _loop_table(
        doc,
        "ĐÁNH GIÁ THỰC HIỆN CÁC CHỈ TIÊU KẾ HOẠCH 5 NĂM 2016-2020 (số liệu chưa đánh giá lại quy mô)",
        "{{ annex_note }}",
        [
            "STT",
            "Mã",
            "Chỉ tiêu",
            "Đơn vị tính",
            "TH 2015",
            "Ước TH 2020",
            "Mục tiêu 2016-2020",
            "Giá trị so với mục tiêu",
            "% hoàn thành",
            "Đánh giá",
            "Nguồn số liệu",
        ],
        "r in annex1_rows",
        [
            "{{ r.no }}",
            "{{ r.code }}",
            "{{ r.name }}",
            "{{ r.unit }}",
            "{{ r.actual_2015 }}",
            "{{ r.estimate }}",
            "{{ r.target }}",
            "{{ r.judged }}",
            "{{ r.completion }}",
            "{{ r.verdict }}",
            "{{r r.source }}",
        ],
        [1.2, 1.3, 6.8, 2, 2, 2, 2.2, 2.2, 1.6, 1.6, 3.8],
        size=10,
    )
    doc.add_page_break()
    _para(doc, "Biểu 2", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _loop_table(
        doc,
        "CÁC CHỈ TIÊU KẾ HOẠCH 5 NĂM 2021-2025 (số liệu đã đánh giá lại quy mô)",
        "{{ annex_note }}",
        [
            "STT",
            "Mã",
            "Chỉ tiêu",
            "Đơn vị tính",
            "Ước TH 2020 (đã đánh giá lại)",
            "KH 2021",
            "KH 2022",
            "KH 2023",
            "KH 2024",
            "KH 2025",
            "Mục tiêu 2025",
            "Tăng BQ 2021-2025",
            "Nguồn số liệu",
        ],
        "r in annex2_rows",
        [
            "{{ r.no }}",
            "{{ r.code }}",
            "{{ r.name }}",
            "{{ r.unit }}",
            "{{ r.base }}",
            "{{ r.p2021 }}",
            "{{ r.p2022 }}",
            "{{ r.p2023 }}",
            "{{ r.p2024 }}",
            "{{ r.p2025 }}",
            "{{ r.target }}",
            "{{ r.growth }}",
            "{{r r.source }}",
        ],
        [1.2, 1.3, 5.8, 1.8, 1.9, 1.6, 1.6, 1.6, 1.6, 1.6, 2, 1.5, 3],
        size=9,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.core_properties.title = "Dự thảo báo cáo kế hoạch 5 năm"
    doc.core_properties.author = "Sở Kế hoạch và Đầu tư"
    doc.save(path)
    return path


if __name__ == "__main__":
    print(build())
