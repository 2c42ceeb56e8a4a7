"""Publishing the draft for comment: the comment form an organisation, community or business fills
(``kehoach consult form``), and the gathering of every returned form by section (``kehoach consult merge``).

The form's sheet «Góp ý» keeps a hidden key in column A of each row (``kh_consult_form`` in A1, the sender's
fields ``sender.<key>``, the draft's sections ``section.<id>``); the merge finds rows by these keys, so a form
whose rows were moved or hidden still reads. Files are read with the validator's safe reader: a broken file,
or a workbook that is not a comment form, is listed with the reason and the others are gathered (as
``kehoach merge`` does with a bad submission).
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from kehoach.workbook_templates.catalog import Catalog

SHEET = "Góp ý"
MARKER = "kh_consult_form"
FORM_VERSION = "1"
SUFFIXES = (".xlsx", ".xlsm")
SENDER_FIELDS = (
    ("name", "Tên cơ quan, tổ chức, doanh nghiệp hoặc cá nhân góp ý"),
    ("kind", "Loại (cơ quan nhà nước; tổ chức chính trị - xã hội; doanh nghiệp; cộng đồng dân cư; cá nhân)"),
    ("address", "Địa chỉ"),
    ("contact", "Người liên hệ, điện thoại, thư điện tử"),
    ("date", "Ngày góp ý"),
)
KINDS = ("Cơ quan nhà nước", "Tổ chức chính trị - xã hội", "Doanh nghiệp", "Cộng đồng dân cư", "Cá nhân", "Khác")
OK, UNREADABLE, FOREIGN, EMPTY = "ok", "unreadable", "foreign", "empty"
STATUS_VI = {
    OK: "Đã tổng hợp",
    UNREADABLE: "Không đọc được",
    FOREIGN: "Không phải phiếu góp ý",
    EMPTY: "Phiếu chưa có ý kiến",
}


@dataclass(frozen=True)
class Section:
    id: str  # "I.1", "II.5.economy", "annex.1", "other"
    title: str


def draft_sections(catalog: Catalog) -> tuple[Section, ...]:
    """The draft report's sections, as the shipped template numbers them (report/make_template.py)."""
    areas = sorted(catalog.areas, key=lambda a: a.order)
    return (
        Section("general", "Ý kiến chung về dự thảo"),
        Section("I.1", "I.1. Kết quả thực hiện các chỉ tiêu chủ yếu 2016-2020"),
        Section("I.2", "I.2. Các chỉ tiêu không đạt và nguyên nhân"),
        *(Section(f"I.3.{a.code}", f"I.3.{a.order}. Đánh giá 2016-2020: {a.name_vi}") for a in areas),
        Section("II.1", "II.1. Các chỉ tiêu chủ yếu đến năm 2025"),
        Section("II.2", "II.2. Các phương án tăng trưởng"),
        Section("II.3", "II.3. Các cân đối lớn"),
        Section("II.4", "II.4. Kế hoạch đầu tư công trung hạn"),
        *(Section(f"II.5.{a.code}", f"II.5.{a.order}. Nhiệm vụ, giải pháp 2021-2025: {a.name_vi}") for a in areas),
        Section("annex.1", "Biểu 1. Đánh giá thực hiện các chỉ tiêu 2016-2020"),
        Section("annex.2", "Biểu 2. Các chỉ tiêu kế hoạch 2021-2025"),
        Section("other", "Nội dung khác"),
    )


def _book(buffer: io.BytesIO) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(
        buffer, {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    )


def _save(buffer: io.BytesIO, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(path)
    return path


def write_form(path: Path, catalog: Catalog) -> Path:
    """The blank comment form."""
    buffer = io.BytesIO()
    book = _book(buffer)
    try:
        font = {"font_name": "Times New Roman", "font_size": 12, "valign": "top"}
        title = book.add_format({**font, "bold": True, "font_size": 14, "align": "center"})
        italic = book.add_format({**font, "italic": True, "text_wrap": True})
        key = book.add_format({**font, "font_size": 8, "font_color": "#808080"})
        header = book.add_format(
            {**font, "bold": True, "border": 1, "bg_color": "#D9E1F2", "text_wrap": True, "align": "center"}
        )
        label = book.add_format({**font, "border": 1, "text_wrap": True})
        bold_label = book.add_format({**font, "border": 1, "text_wrap": True, "bold": True})
        entry = book.add_format({**font, "border": 1, "text_wrap": True, "bg_color": "#FFF2CC", "locked": False})
        ws = book.add_worksheet(SHEET)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_column(0, 0, 14, key, {"hidden": True})
        ws.set_column(1, 1, 50)
        ws.set_column(2, 3, 60)
        ws.write_string(0, 0, MARKER, key)
        ws.write_string(0, 1, FORM_VERSION, key)
        ws.set_row(0, None, None, {"hidden": True})
        ws.merge_range(
            1, 1, 1, 3, "PHIẾU GÓP Ý DỰ THẢO BÁO CÁO KẾ HOẠCH PHÁT TRIỂN KINH TẾ - XÃ HỘI 5 NĂM 2021-2025", title
        )
        ws.merge_range(
            2,
            1,
            2,
            3,
            f"{catalog.template.province}. Ghi ý kiến vào các ô màu vàng (mỗi mục của dự thảo một dòng; để trống mục "
            "không góp ý), lưu tệp và gửi về Sở Kế hoạch và Đầu tư. Không đổi tên trang, không xóa cột A (ẩn).",
            italic,
        )
        ws.set_row(2, 36)
        row = 4
        ws.merge_range(row, 1, row, 3, "THÔNG TIN NGƯỜI GÓP Ý", header)
        for field_key, text in SENDER_FIELDS:
            row += 1
            ws.write_string(row, 0, f"sender.{field_key}", key)
            ws.write_string(row, 1, text, bold_label)
            ws.merge_range(row, 2, row, 3, "", entry)
            if field_key == "kind":
                ws.data_validation(row, 2, row, 2, {"validate": "list", "source": list(KINDS), "error_type": "warning"})
        row += 2
        for col, text in enumerate(("Mục của dự thảo", "Ý kiến góp ý", "Đề xuất sửa đổi, bổ sung"), start=1):
            ws.write_string(row, col, text, header)
        ws.write_string(row, 0, "header", key)
        ws.repeat_rows(row)
        for section in draft_sections(catalog):
            row += 1
            ws.write_string(row, 0, f"section.{section.id}", key)
            ws.write_string(row, 1, section.title, label)
            ws.write_blank(row, 2, None, entry)
            ws.write_blank(row, 3, None, entry)
            ws.set_row(row, 45)
        ws.protect("", {"format_rows": True, "format_columns": True})
    finally:
        book.close()
    return _save(buffer, path)


@dataclass
class Comment:
    section: str
    title: str
    comment: str
    proposal: str
    sender: str
    kind: str
    file: str


@dataclass
class FileOutcome:
    path: str
    status: str
    reason: str = ""
    sender: str = ""
    comments: int = 0
    reason_en: str = ""  # ``reason`` in English, for the command's messages


@dataclass
class Gathered:
    comments: list[Comment] = field(default_factory=list)
    files: list[FileOutcome] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        status = Counter(f.status for f in self.files)
        return {
            "files": len(self.files),
            "forms": status[OK] + status[EMPTY],
            "with_comments": status[OK],
            "empty": status[EMPTY],
            "unreadable": status[UNREADABLE],
            "foreign": status[FOREIGN],
            "comments": len(self.comments),
        }


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def discover(inbox: Path, output: Path | None = None) -> list[Path]:
    """Every .xlsx/.xlsm under the inbox, recursively, without lock files, hidden files and the output."""
    skip = output.resolve() if output is not None else None
    return sorted(
        p
        for p in inbox.rglob("*")
        if p.suffix.lower() in SUFFIXES and p.is_file() and not p.name.startswith(("~$", ".")) and p.resolve() != skip
    )


def read_form(path: Path, catalog: Catalog) -> tuple[FileOutcome, list[Comment]]:
    from kehoach.validators.engine import read_path
    from kehoach.validators.workbook import UnreadableWorkbook

    # The validator's reader checks the package first (size, zip bombs, encryption, a disguised file) and
    # never raises; it reads only the templates' sheets, so the form's sheet is then read with openpyxl.
    book = read_path(path)
    if isinstance(book, UnreadableWorkbook):
        return FileOutcome(str(path), UNREADABLE, book.reason, reason_en=book.reason_en), []
    try:
        grid = _form_sheet(path)
    except Exception as error:
        return FileOutcome(
            str(path),
            UNREADABLE,
            f"tệp có cấu trúc bất thường, không đọc được ({type(error).__name__})",
            reason_en=f"the file has an unusual structure and cannot be read ({type(error).__name__})",
        ), []
    if grid is None or _text(grid.value(0, 0)) != MARKER:
        return FileOutcome(
            str(path),
            FOREIGN,
            f"không có trang «{SHEET}» của phiếu góp ý",
            reason_en=f"no comment form sheet «{SHEET}»",
        ), []
    titles = {s.id: s.title for s in draft_sections(catalog)}
    sender: dict[str, str] = {}
    comments = []
    for row in range(len(grid.rows)):
        key = _text(grid.value(row, 0))
        if key.startswith("sender."):
            sender[key.removeprefix("sender.")] = _text(grid.value(row, 2))
        elif key.startswith("section."):
            section = key.removeprefix("section.")
            comment, proposal = _text(grid.value(row, 2)), _text(grid.value(row, 3))
            if comment or proposal:
                title = titles.get(section) or _text(grid.value(row, 1)) or section
                comments.append(Comment(section, title, comment, proposal, "", "", path.name))
    name = sender.get("name") or "(không ghi tên)"
    for c in comments:
        c.sender, c.kind = name, sender.get("kind", "")
    status = OK if comments else EMPTY
    return FileOutcome(
        str(path),
        status,
        "" if comments else "phiếu không có ý kiến nào",
        name,
        len(comments),
        "" if comments else "the form has no comment",
    ), comments


class _Grid:
    def __init__(self, rows: list[tuple]):
        self.rows = rows

    def value(self, row: int, col: int) -> object:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return None


def _form_sheet(path: Path) -> _Grid | None:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        name = next((n for n in book.sheetnames if unicodedata.normalize("NFC", n) == SHEET), None)
        if name is None:
            return None
        return _Grid([tuple(r) for r in book[name].iter_rows(max_col=4, values_only=True)])
    finally:
        book.close()


def gather(inbox: Path, catalog: Catalog, output: Path | None = None, progress: Callable | None = None) -> Gathered:
    out = Gathered()
    paths = discover(inbox, output)
    order = {s.id: i for i, s in enumerate(draft_sections(catalog))}
    for done, path in enumerate(paths, 1):
        outcome, comments = read_form(path, catalog)
        out.files.append(outcome)
        out.comments += comments
        if progress:
            progress(done, len(paths))
    out.comments.sort(key=lambda c: (order.get(c.section, len(order)), c.sender, c.file))
    return out


def write_summary(path: Path, gathered: Gathered, catalog: Catalog) -> Path:
    """The gathered comments: one row per comment (filterable), the count by section, and every file's status."""
    buffer = io.BytesIO()
    book = _book(buffer)
    try:
        font = {"font_name": "Times New Roman", "font_size": 12, "valign": "top"}
        title = book.add_format({**font, "bold": True, "font_size": 14})
        header = book.add_format(
            {**font, "bold": True, "border": 1, "bg_color": "#D9E1F2", "text_wrap": True, "align": "center"}
        )
        cell = book.add_format({**font, "border": 1, "text_wrap": True})
        flagged = book.add_format({**font, "border": 1, "text_wrap": True, "bg_color": "#FFFF00"})

        ws = book.add_worksheet("Góp ý theo mục")
        ws.write_string(0, 0, "TỔNG HỢP Ý KIẾN GÓP Ý DỰ THẢO BÁO CÁO KẾ HOẠCH 5 NĂM 2021-2025", title)
        headers = ("STT", "Mã mục", "Mục của dự thảo", "Người góp ý", "Loại", "Ý kiến góp ý", "Đề xuất sửa đổi", "Tệp")
        widths = (6, 14, 45, 30, 18, 60, 50, 30)
        for col, (text, width) in enumerate(zip(headers, widths, strict=True)):
            ws.write_string(2, col, text, header)
            ws.set_column(col, col, width)
        for i, c in enumerate(gathered.comments, 1):
            for col, value in enumerate((i, c.section, c.title, c.sender, c.kind, c.comment, c.proposal, c.file)):
                if isinstance(value, int):
                    ws.write_number(2 + i, col, value, cell)
                else:
                    ws.write_string(2 + i, col, value, cell)
        last = 2 + max(len(gathered.comments), 1)
        ws.autofilter(2, 0, last, len(headers) - 1)
        ws.freeze_panes(3, 0)

        counts = book.add_worksheet("Số ý kiến")
        counts.write_string(0, 0, "SỐ Ý KIẾN THEO MỤC CỦA DỰ THẢO", title)
        for col, (text, width) in enumerate(zip(("Mã mục", "Mục của dự thảo", "Số ý kiến"), (14, 70, 12), strict=True)):
            counts.write_string(2, col, text, header)
            counts.set_column(col, col, width)
        tally = Counter(c.section for c in gathered.comments)
        sections = draft_sections(catalog)
        for i, s in enumerate(sections, 3):
            counts.write_string(i, 0, s.id, cell)
            counts.write_string(i, 1, s.title, cell)
            rows = f"$B$4:$B${last + 1}"
            counts.write_formula(i, 2, f"=COUNTIF('Góp ý theo mục'!{rows},A{i + 1})", cell, tally.get(s.id, 0))
        end = 3 + len(sections)
        counts.write_string(end, 1, "Tổng số ý kiến", header)
        counts.write_formula(end, 2, f"=SUM(C4:C{end})", header, len(gathered.comments))

        files = book.add_worksheet("Tệp đã nhận")
        files.write_string(0, 0, "CÁC TỆP ĐÃ NHẬN", title)
        numbers = gathered.counts()
        files.write_string(
            1,
            0,
            f"{numbers['files']} tệp: {numbers['with_comments']} phiếu có ý kiến, {numbers['empty']} phiếu trống, "
            f"{numbers['unreadable']} tệp không đọc được, {numbers['foreign']} tệp không phải phiếu góp ý; "
            f"{numbers['comments']} ý kiến.",
        )
        for col, (text, width) in enumerate(
            zip(("Tệp", "Tình trạng", "Người góp ý", "Số ý kiến", "Lý do"), (50, 24, 30, 10, 60), strict=True)
        ):
            files.write_string(3, col, text, header)
            files.set_column(col, col, width)
        for i, f in enumerate(gathered.files, 4):
            fmt = cell if f.status == OK else flagged
            files.write_string(i, 0, f.path, fmt)
            files.write_string(i, 1, STATUS_VI[f.status], fmt)
            files.write_string(i, 2, f.sender, fmt)
            files.write_number(i, 3, f.comments, fmt)
            files.write_string(i, 4, f.reason, fmt)
        files.autofilter(3, 0, 3 + max(len(gathered.files), 1), 4)
    finally:
        book.close()
    return _save(buffer, path)
