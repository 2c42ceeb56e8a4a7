"""«Đánh giá và nhiệm vụ»: the narrative sections of every merged unit, grouped by task area and section, each
with the unit named, text wrapped in rows Excel can show whole (a long section is cut at paragraph, then word
boundaries into rows of at most MAX_LINES lines). Readable back by column A: ``t:<area>|<section>|<unit>|<joint>``, the
joint saying whether the row starts the section (``first``), a new paragraph (``para``) or continues one
(``wrap``)."""

from __future__ import annotations

from kehoach.master.sheets.base import A4, Writer, page
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.styles import LINE_HEIGHT, text_lines

SHEET = "Đánh giá và nhiệm vụ"
FIRST_DATA_ROW = 3
TEXT_PREFIX = "t:"
FIRST, PARA, WRAP = "first", "para", "wrap"
UNIT_COL, TEXT_COL = 1, 2
UNIT_WIDTH, TEXT_WIDTH = 18, 105
MAX_LINES = 25  # 25 lines of 15 points: under Excel's 409-point row


def chunks(text: str) -> list[tuple[str, str]]:
    """(joint, piece): paragraphs, each cut at words into pieces of at most MAX_LINES lines."""
    out: list[tuple[str, str]] = []
    for paragraph in text.split("\n"):
        words, piece = paragraph.split(" "), ""
        joint = FIRST if not out else PARA
        for word in words:
            candidate = f"{piece} {word}" if piece else word
            if piece and text_lines(candidate, TEXT_WIDTH) > MAX_LINES:
                out.append((joint, piece))
                joint, piece = WRAP, word
            else:
                piece = candidate
        out.append((joint, piece))
    return out


def write_sheet(w: Writer) -> None:
    st = w.st
    ws = w.book.add_worksheet(SHEET)
    page(ws, A4)
    ws.set_portrait()
    ws.set_column(0, 0, 10, None, {"hidden": True})
    ws.set_column(UNIT_COL, UNIT_COL, UNIT_WIDTH)
    ws.set_column(TEXT_COL, TEXT_COL, TEXT_WIDTH)
    ws.write_string(
        0, UNIT_COL, "ĐÁNH GIÁ THỰC HIỆN 2016-2020 VÀ NHIỆM VỤ, GIẢI PHÁP 2021-2025 CỦA CÁC ĐƠN VỊ", st.title
    )
    ws.write_string(
        1,
        UNIT_COL,
        f"Tổng hợp ngày {w.plan.made_at:%d/%m/%Y}: nội dung do các đơn vị viết, để biên tập vào báo cáo",
        st.subtitle,
    )
    ws.write_string(FIRST_DATA_ROW - 1, UNIT_COL, "Đơn vị", st.header)
    ws.write_string(FIRST_DATA_ROW - 1, TEXT_COL, "Nội dung", st.header)
    ws.repeat_rows(FIRST_DATA_ROW - 1)
    ws.freeze_panes(FIRST_DATA_ROW, 0)
    headings = {s.key: s.heading_vi for s in L.sections()}
    names = {u.code: u.name_vi for u in w.catalog.units}
    areas = {a.code: a.name_vi for a in w.catalog.areas}
    text_fmt = w.book.add_format({**st.base, "text_wrap": True, "valign": "top", "border": 1})
    unit_fmt = w.book.add_format({**st.base, "text_wrap": True, "valign": "top", "border": 1, "bold": True})
    row, area, section, area_number, section_number = FIRST_DATA_ROW, None, None, 0, 0
    for entry in w.plan.texts:
        if entry.area != area:
            area, section, area_number, section_number = entry.area, None, area_number + 1, 0
            heading = f"{L.roman(area_number)}. {areas.get(area, area)}"
            ws.merge_range(row, UNIT_COL, row, TEXT_COL, heading, st.area_wrap)
            ws.set_row(row, LINE_HEIGHT * text_lines(heading, UNIT_WIDTH + TEXT_WIDTH))
            row += 1
        if entry.section != section:
            section, section_number = entry.section, section_number + 1
            ws.merge_range(row, UNIT_COL, row, TEXT_COL, f"{section_number}. {headings.get(section, section)}", st.bold)
            row += 1
        name = names.get(entry.unit, entry.unit)
        for joint, piece in chunks(entry.text):
            ws.write_string(row, 0, f"{TEXT_PREFIX}{entry.area}|{entry.section}|{entry.unit}|{joint}", st.key)
            ws.write_string(row, UNIT_COL, name if joint == FIRST else "", unit_fmt)
            ws.write_string(row, TEXT_COL, piece, text_fmt)
            lines = max(text_lines(piece, TEXT_WIDTH), text_lines(name, UNIT_WIDTH) if joint == FIRST else 1)
            ws.set_row(row, LINE_HEIGHT * lines + 3)
            row += 1
    ws.print_area(0, UNIT_COL, max(row - 1, FIRST_DATA_ROW), TEXT_COL)
    ws.fit_to_pages(1, 0)
