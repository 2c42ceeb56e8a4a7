"""Put one known mistake into a clean sample submission and say where the validator must report it.

Each injection targets one rule and returns the (rule, sheet, cell) the finding must carry. Value mistakes
change the filling (the builder then writes a workbook as Excel would save it); structural mistakes edit the
built file afterwards with openpyxl, as a person editing the workbook would. Mistakes are typing slips
where they can be (a digit changed, a digit dropped), as people make them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.catalog import Catalog, Indicator, Unit
from kehoach.workbook_templates.filling import ExcelError, Filling
from kehoach.workbook_templates.formulas import CARRIED, NEW, SOURCES
from openpyxl.worksheet.worksheet import Worksheet

PAST = ("actual_2015", "actual_2016", "actual_2017", "actual_2018", "actual_2019", "estimate_2020")
PLANS = tuple(f"plan_{y}" for y in L.YEARS_PLAN)
# Mistakes made by editing the built file: saving with openpyxl drops the stored results of formulas (as any
# program other than Excel may), so such a mistake is best alone in its file.
REWRITES = frozenset({"S003", "S004", "S005", "S006", "S007", "S008", "S011", "S012", "S013"})
FOREIGN_MACRO = 'Attribute VB_Name = "TuDong"\r\nSub Auto_Open()\r\n    Shell "calc.exe"\r\nEnd Sub\r\n'


def insert_like_excel(sheet: Worksheet, row: int | None = None, col: int | None = None, amount: int = 1) -> None:
    """Insert rows before 1-based ``row`` or columns before ``col`` as Excel does: merged cells move with
    them (openpyxl leaves them in place)."""
    if row is not None:
        sheet.insert_rows(row, amount)
    if col is not None:
        sheet.insert_cols(col, amount)
    for merged in list(sheet.merged_cells.ranges):
        merged.shift(
            col_shift=amount if col is not None and merged.min_col >= col else 0,
            row_shift=amount if row is not None and merged.min_row >= row else 0,
        )


def delete_row_like_excel(sheet: Worksheet, row: int) -> None:
    """Delete 1-based ``row`` as Excel does: merged cells below it move up with their rows."""
    sheet.delete_rows(row)
    for merged in list(sheet.merged_cells.ranges):
        if merged.min_row > row:
            merged.shift(row_shift=-1)


class NotApplicable(Exception):
    """This unit's workbook has no cell where the mistake can be made."""


@dataclass(frozen=True)
class Injection:
    rule: str
    sheet: str
    cell: str  # A1, or "" for a finding about the whole sheet
    indicator: str = ""
    note: str = ""
    # For a broken identity: its other cells. One equation cannot tell which of its cells is wrong; the
    # validator names the most likely one, which may be another cell of the same identity.
    related: tuple[str, ...] = ()


@dataclass
class Injector:
    catalog: Catalog
    unit: Unit
    filling: Filling
    rng: random.Random
    edits: list[Callable[[openpyxl.Workbook], None]] = field(default_factory=list)
    macro_module: str | None = None  # a module added to the workbook's macros (written as .xlsm)
    used: set[str] = field(default_factory=set)  # indicators already touched: one mistake per indicator

    # --- choosing a target ---------------------------------------------------------------------------

    def _rows(self) -> dict[str, int]:
        return {r.indicator.code: r.row for r in L.indicator_rows(self.catalog, self.unit) if r.indicator}

    def _pick(self, test: Callable[[Indicator], bool]) -> Indicator:
        """An untouched indicator of the unit that passes ``test`` and is in no identity (so that one mistake
        makes one finding)."""
        in_identities = {c for i in self.catalog.identities for c in i.codes}
        choices = [
            i
            for i in self.catalog.indicators_for(self.unit)
            if i.code not in self.used and i.code not in in_identities and test(i)
        ]
        if not choices:
            raise NotApplicable
        chosen = self.rng.choice(choices)
        self.used.add(chosen.code)
        return chosen

    def _at(self, rule: str, indicator: Indicator, key: str, note: str) -> Injection:
        return Injection(rule, L.INDICATORS, L.indicator_cell(key, self._rows()[indicator.code]), indicator.code, note)

    def _row(self, indicator: Indicator) -> dict[str, object]:
        return self.filling.indicators[indicator.code]

    def _slip(self, value: float, decimals: int, least: float = 0.0) -> float:
        """``value`` with one digit of its whole part typed wrong (never the same value, never a change of
        sign), changing it by at least the fraction ``least``: a slip large enough to matter."""
        text = f"{value:.{decimals}f}"
        whole = text.split(".")[0]
        positions = [i for i, ch in enumerate(whole) if ch.isdigit()]
        for _ in range(50):
            i = self.rng.choice(positions)
            digit = self.rng.choice([d for d in "0123456789" if d != text[i]])
            if i == 0 and digit == "0":
                continue
            slipped = float(text[:i] + digit + text[i + 1 :])
            if slipped != value and abs(slipped - value) > least * abs(value):
                return slipped
        raise NotApplicable

    # --- the mistakes, by rule --------------------------------------------------------------------------

    def inject(self, rule: str) -> Injection:
        return getattr(self, f"_{rule.lower()}")()

    def _t001(self) -> Injection:
        ind = self._pick(lambda i: i.kind == "level")
        value = self._row(ind)["actual_2018"]
        self._row(ind)["actual_2018"] = f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
        return self._at("T001", ind, "actual_2018", "số nhập dạng chữ kiểu Việt Nam")

    def _t002(self) -> Injection:
        ind = self._pick(lambda i: True)
        self._row(ind)["actual_2016"] = "chưa có số liệu"
        return self._at("T002", ind, "actual_2016", "chữ trong ô số")

    def _t003(self) -> Injection:
        ind = self._pick(lambda i: True)
        self._row(ind)["actual_2017"] = dt.date(2020, 5, 1)
        return self._at("T003", ind, "actual_2017", "ngày tháng trong ô số")

    def _t004(self) -> Injection:
        ind = self._pick(lambda i: True)
        self._row(ind)["actual_2019"] = True
        return self._at("T004", ind, "actual_2019", "giá trị đúng/sai")

    def _t005(self) -> Injection:
        ind = self._pick(lambda i: True)
        self._row(ind)["actual_2016"] = ExcelError("#DIV/0!")
        return self._at("T005", ind, "actual_2016", "lỗi #DIV/0!")

    def _t006(self) -> Injection:
        ind = self._pick(lambda i: True)
        self._row(ind)["actual_2015"] = 1e20
        return self._at("T006", ind, "actual_2015", "số khổng lồ")

    def _r001(self) -> Injection:
        ind = self._pick(lambda i: i.kind == "rate" and i.unit == "%" and float(self._row(i)["actual_2018"]) > 1)
        self._row(ind)["actual_2018"] = float(self._row(ind)["actual_2018"]) * 100  # typed per ten-thousand
        return self._at("R001", ind, "actual_2018", "tỷ lệ nhập nhầm thang")

    def _r002(self) -> Injection:
        ind = self._pick(lambda i: i.kind == "level" and (i.min or 0) >= 0)
        self._row(ind)["actual_2018"] = -abs(float(self._row(ind)["actual_2018"])) - 1
        return self._at("R002", ind, "actual_2018", "số âm")

    def _r003(self) -> Injection:
        ind = self._pick(lambda i: i.whole)  # communes, but also cases, households...
        self._row(ind)["actual_2019"] = float(self._row(ind)["actual_2019"]) - 0.5
        return self._at("R003", ind, "actual_2019", "số đếm lẻ")

    def _r005(self) -> Injection:
        """The province's (or a made-up) count typed where the unit's own belongs: more communes than it has."""
        cap = {i.code: self.catalog.cap_for(i, self.unit) for i in self.catalog.indicators_for(self.unit)}
        ind = self._pick(lambda i: cap[i.code] is not None)
        self._row(ind)["plan_2025"] = float(cap[ind.code] + self.rng.randint(1, 5))
        return self._at("R005", ind, "plan_2025", "vượt số xã của đơn vị")

    def _r006(self) -> Injection:
        ind = self._pick(lambda i: True)
        self._row(ind)["priority"] = float(self._row(ind)["priority"]) + 0.5
        return self._at("R006", ind, "priority", "thứ tự ưu tiên lẻ")

    def _r007(self) -> Injection:
        """Two indicators of one task area given the same priority rank: reported at the later row."""
        rows = self._rows()
        first = self._pick(lambda i: sum(j.area == i.area for j in self.catalog.indicators_for(self.unit)) > 1)
        second = self._pick(lambda i: i.area == first.area and rows[i.code] > rows[first.code])
        self._row(second)["priority"] = self._row(first)["priority"]
        return self._at("R007", second, "priority", f"trùng thứ tự ưu tiên với {first.code}")

    def _r008(self) -> Injection:
        ind = self._pick(lambda i: True)
        self._row(ind)["vsdg"] = self.rng.choice(("18.1", "1.9", "VSDG 3", "3.1.9"))
        return self._at("R008", ind, "vsdg", "mã VSDG không có trong danh mục")

    def _r004(self) -> Injection:
        ind = self._pick(lambda i: i.kind == "level" and i.max is not None)
        self._row(ind)["actual_2018"] = float(ind.max) * 3 + 1
        return self._at("R004", ind, "actual_2018", "vượt cận hợp lý")

    def _blank(self, rule: str, key: str) -> Injection:
        ind = self._pick(lambda i: True)
        self._row(ind)[key] = None
        if key == "target_2020":
            self._row(ind).pop("target_2020_max", None)
            self._row(ind).pop("cause", None)
            self._row(ind)["note"] = None
        return self._at(rule, ind, key, f"bỏ trống {key}")

    def _c001(self) -> Injection:
        return self._blank("C001", "estimate_2020")

    def _c002(self) -> Injection:
        return self._blank("C002", "target_2020")

    def _c003(self) -> Injection:
        return self._blank("C003", "target_2025")

    def _c004(self) -> Injection:
        return self._blank("C004", self.rng.choice(PLANS))

    def _c005(self) -> Injection:
        key = self.rng.choice(("head", "preparer", "phone"))
        self.filling.info[key] = None
        offset = [f.key for f in L.unit_fields()].index(key)
        return Injection("C005", L.UNIT_INFO, L.a1(L.INFO_FIRST_ROW + offset, L.INFO_VALUE_COL), note=key)

    def _c006(self) -> Injection:
        sheet_sections = [s for s in L.sections() if s.required]
        section = self.rng.choice(sheet_sections)
        self.filling.sections[section.key] = ""
        offset = [s.key for s in L.sections() if s.sheet == section.sheet].index(section.key)
        return Injection("C006", section.sheet, L.a1(L.INFO_FIRST_ROW + offset, L.INFO_VALUE_COL), note=section.key)

    def _p001(self) -> Injection:
        ind = self._pick(
            lambda i: (
                i.kind == "level"
                and i.direction != "neutral"  # a neutral indicator is never judged
                and i.target_2020_min is None
                and i.target_2020_max is None
                and not i.cap  # a target above the unit's own communes would be another mistake (R005)
            )
        )
        row = self._row(ind)
        estimate = float(row["estimate_2020"])
        if estimate <= 0:
            raise NotApplicable
        target = estimate * 1.25 + 1 if ind.direction == "up" else estimate * 0.75
        row["target_2020"] = float(round(target)) if ind.whole else round(target, 2)
        row.pop("target_2020_max", None)
        row["cause"] = None
        return self._at("P001", ind, "cause", "không đạt, thiếu nguyên nhân")

    def _p002(self) -> Injection:
        # not a capped count: a slip above the cap is R005's
        ind = self._pick(lambda i: i.kind in ("level", "count") and i.target_kind == "end" and not i.cap)
        row = self._row(ind)
        row["target_2025"] = self._slip(float(row["target_2025"]), 0 if ind.kind == "count" else ind.decimals)
        return self._at("P002", ind, "plan_2025", "mục tiêu 2025 khác kế hoạch 2025")

    def _p003(self) -> Injection:
        ind = self._pick(lambda i: i.kind == "level" and i.direction == "up" and float(self._row(i)["plan_2022"]) > 0)
        row = self._row(ind)
        before = float(row["plan_2022"])
        row["plan_2023"] = float(min(round(before * 0.8), before - 1)) if ind.whole else round(before * 0.8, 2)
        return self._at("P003", ind, "plan_2023", "kế hoạch giảm")

    def _p004(self) -> Injection:
        ind = self._pick(lambda i: i.kind == "count" and float(self._row(i)["actual_2017"]) >= 3)
        row = self._row(ind)
        row["actual_2018"] = float(row["actual_2017"]) - 2
        return self._at("P004", ind, "actual_2018", "số lũy kế giảm")

    def _p005(self) -> Injection:
        ind = self._pick(
            lambda i: (
                i.kind == "rate"
                and i.direction == "down"
                and i.target_kind == "end"
                and float(self._row(i)["estimate_2020"]) > 0
            )
        )
        row = self._row(ind)
        for key in PLANS:
            row[key] = row["estimate_2020"]
        row["target_2025"] = row["estimate_2020"]
        return self._at("P005", ind, "target_2025", "tỷ lệ cần giảm nhưng giữ nguyên")

    def _p006(self) -> Injection:
        ind = self._pick(lambda i: i.kind != "growth")
        row = self._row(ind)
        row["target_2025_max"] = float(row["target_2025"]) - 1
        return self._at("P006", ind, "target_2025_max", "khoảng mục tiêu ngược")

    def _p007(self) -> Injection:
        ind = self._pick(lambda i: i.target_kind != "end")
        row = self._row(ind)
        shift = 3 if ind.target_kind in ("avg_growth", "avg_change") else abs(float(row["target_2025_max"])) * 0.2 + 1
        row["target_2025"] = float(row["target_2025"]) + shift
        row["target_2025_max"] = float(row["target_2025_max"]) + shift
        return self._at("P007", ind, "judged_2025", "kế hoạch từng năm không khớp mục tiêu")

    def _identity_cell(self, rule: str, kind: str) -> Injection:
        """A digit slip in one member of one of the catalog's identities."""
        identities = [
            i
            for i in self.catalog.identities
            if i.kind == kind and all(c in self.filling.indicators and c not in self.used for c in i.codes)
        ]
        if not identities:
            raise NotApplicable
        identity = self.rng.choice(identities)
        code = self.rng.choice(identity.codes)
        self.used.update(identity.codes)
        ind = self.catalog.indicator(code)
        key = self.rng.choice(PAST[1:])
        row = self._row(ind)
        row[key] = self._slip(float(row[key]), 2, least=3 * identity.tolerance if identity.relative else 0.0)
        rows = self._rows()
        related = tuple(L.indicator_cell(key, rows[c]) for c in identity.codes if c != code)
        injection = self._at(rule, ind, key, f"gõ nhầm một chữ số ({identity.id})")
        return Injection(**{**injection.__dict__, "related": related})

    def _k001(self) -> Injection:
        return self._identity_cell("K001", "sum")

    def _k002(self) -> Injection:
        if "grdp" not in self.unit.extra_sheets:
            raise NotApplicable
        sector = self.rng.choice([s.code for s in self.catalog.grdp_sectors])
        year = self.rng.choice(L.YEARS_PAST[1:])
        key = f"revalued.contribution.{sector}"
        self.filling.overwritten[key, f"y{year}"] = 7.5
        row = L.grdp_row_numbers(self.catalog)[key]
        return Injection("K002", L.GRDP, L.a1(row, L.grdp_year_col(year)), note="ghi đè ô đóng góp")

    def _k003(self) -> Injection:
        return self._identity_cell("K003", "ratio")

    def _project(self, test: Callable[[dict[str, object]], bool] = lambda p: True) -> tuple[int, dict[str, object]]:
        candidates = [i for i, p in enumerate(self.filling.projects) if f"project:{i}" not in self.used and test(p)]
        if not candidates:
            raise NotApplicable
        index = self.rng.choice(candidates)
        self.used.add(f"project:{index}")
        return index, self.filling.projects[index]

    def _project_at(self, rule: str, index: int, key: str, note: str = "") -> Injection:
        return Injection(rule, L.PROJECTS, L.project_cell(key, L.PROJECT_FIRST_ROW + index), note=note)

    def _k004(self) -> Injection:
        index, project = self._project()
        keys = ("need_total", *SOURCES)
        key = self.rng.choice([k for k in keys[:3] if project[k]])
        project[key] = self._slip(float(project[key]), 0)
        row = L.PROJECT_FIRST_ROW + index
        related = tuple(L.project_cell(k, row) for k in keys if k != key)
        return Injection("K004", L.PROJECTS, L.project_cell(key, row), note="gõ nhầm vốn", related=related)

    def _d001(self) -> Injection:
        index, project = self._project(lambda p: p["status"] == CARRIED and p["allocated_2020"])
        forgotten = float(project["allocated_2020"])  # the need taken from the total, the allocation forgotten
        project["need_total"] = float(project["need_total"]) + forgotten
        project["need_local"] = float(project["need_local"]) + forgotten
        return self._project_at("D001", index, "need_total", "quên trừ vốn đã bố trí")

    def _d002(self) -> Injection:
        index, project = self._project(lambda p: p["status"] == CARRIED and p["allocated_2020"])
        project["allocated_2020"] = float(project["allocated_2020"]) * 10  # a zero too many
        return self._project_at("D002", index, "allocated_2020", "thừa một chữ số 0")

    def _d003(self) -> Injection:
        index, project = self._project(lambda p: p["status"] == NEW)
        project["start_year"] = 2019
        return self._project_at("D003", index, "start_year", "dự án mới khởi công trước 2021")

    def _d004(self) -> Injection:
        """A carried-over project labelled as new: its figures agree (the need is what remains), the label not."""
        index, project = self._project(lambda p: p["status"] == NEW)
        allocated = float(round(float(project["total"]) * 0.1, -2))
        largest = max(SOURCES, key=lambda k: float(project[k] or 0))
        project["allocated_2020"] = allocated
        project["need_total"] = float(project["need_total"]) - allocated
        project[largest] = float(project[largest]) - allocated
        return self._project_at("D004", index, "allocated_2020", "dự án đã có vốn ghi là khởi công mới")

    def _d005(self) -> Injection:
        index, project = self._project(lambda p: p["status"] == CARRIED)
        project["start_year"] = 2021
        return self._project_at("D005", index, "start_year", "dự án chuyển tiếp khởi công 2021")

    def _d006(self) -> Injection:
        index, project = self._project()
        project["end_year"] = int(project["start_year"]) - 1
        return self._project_at("D006", index, "end_year", "hoàn thành trước khởi công")

    def _d007(self) -> Injection:
        index, project = self._project()
        project["end_year"] = int(f"{project['end_year']}5")  # a digit too many
        return self._project_at("D007", index, "end_year", "năm gõ thừa chữ số")

    def _d008(self) -> Injection:
        index, project = self._project()
        project["priority"] = float(project["priority"]) + 0.5
        return self._project_at("D008", index, "priority", "thứ tự ưu tiên lẻ")

    def _d009(self) -> Injection:
        untouched = [i for i in range(len(self.filling.projects)) if f"project:{i}" not in self.used]
        if len(untouched) < 2:
            raise NotApplicable
        first, later = sorted(self.rng.sample(untouched, 2))
        self.used.update({f"project:{first}", f"project:{later}"})
        self.filling.projects[later]["priority"] = self.filling.projects[first]["priority"]
        return self._project_at("D009", later, "priority", "trùng thứ tự ưu tiên")

    def _d010(self) -> Injection:
        index, project = self._project()
        project["group"] = f"Nhóm {project['group']}"
        return self._project_at("D010", index, "group", "gõ tay ngoài danh sách")

    def _d011(self) -> Injection:
        index, project = self._project()
        project["group"] = None
        return self._project_at("D011", index, "group", "bỏ trống nhóm dự án")

    def _k006(self) -> Injection:
        if "grdp" not in self.unit.extra_sheets:
            raise NotApplicable
        year = self.rng.choice(L.YEARS_PAST)
        for sector in self.catalog.grdp_sectors:
            old = self.filling.grdp[f"old.current.{sector.code}"][year]
            self.filling.grdp[f"revalued.current.{sector.code}"][year] = old
        first = self.catalog.grdp_sectors[0].code
        row = L.grdp_row_numbers(self.catalog)[f"revalued.current.{first}"]
        return Injection("K006", L.GRDP, L.a1(row, L.grdp_year_col(year)), note="chép số chưa đánh giá lại")

    def _k007(self) -> Injection:
        """The indicator table parts from the GRDP sheet: a year of GRDP growth, or the revalued 2020 GRDP."""
        if "grdp" not in self.unit.extra_sheets:
            raise NotApplicable
        code, key = self.rng.choice([("KT01", "actual_2017"), ("KT03", "estimate_2020_revalued")])
        if code in self.used or code not in self.filling.indicators:
            raise NotApplicable
        self.used.add(code)
        ind = self.catalog.indicator(code)
        row = self._row(ind)
        row[key] = round(float(row[key]) * 1.1 + 1, 2)
        return self._at("K007", ind, key, "lệch với trang GRDP")

    def _o001(self) -> Injection:
        ind = self._pick(
            lambda i: i.kind == "level" and i.max is not None and float(self._row(i)["actual_2017"]) * 10 <= i.max
        )
        row = self._row(ind)
        row["actual_2017"] = float(row["actual_2017"]) * 10  # a zero too many
        return self._at("O001", ind, "actual_2017", "thừa một chữ số 0")

    # structural mistakes: edits of the built file

    def _s001(self) -> Injection:
        self.filling.info["template_id"] = "BIEU-MAU-CU"
        return Injection("S001", L.UNIT_INFO, self._info_cell("template_id"), note="mã biểu mẫu khác")

    def _s002(self) -> Injection:
        self.filling.info["template_version"] = "0.9"
        return Injection("S002", L.UNIT_INFO, self._info_cell("template_version"), note="phiên bản cũ")

    def _s010(self) -> Injection:
        self.filling.info["unit_code"] = "SXYZ"
        return Injection("S010", L.UNIT_INFO, self._info_cell("unit_code"), note="mã đơn vị lạ")

    def _info_cell(self, key: str) -> str:
        offset = [f.key for f in L.unit_fields()].index(key)
        return L.a1(L.INFO_FIRST_ROW + offset, L.INFO_VALUE_COL)

    def _s003(self) -> Injection:
        sheet = self.rng.choice([L.EVALUATION, L.PLAN, L.PROJECTS])
        self.edits.append(lambda book: book.remove(book[sheet]))
        return Injection("S003", sheet, "", note="xóa trang")

    def _s004(self) -> Injection:
        key = self.rng.choice([c.key for c in L.indicator_columns() if c.key not in ("code",)])
        col = L.column_index(L.indicator_columns(), key)
        self.edits.append(
            lambda book: setattr(book[L.INDICATORS].cell(row=L.KEY_ROW + 1, column=col + 1), "value", None)
        )
        return Injection("S004", L.INDICATORS, "", note=f"xóa khóa cột {key}")

    def _s005(self) -> Injection:
        ind = self._pick(lambda i: True)
        row = self._rows()[ind.code]
        self.edits.append(lambda book: delete_row_like_excel(book[L.INDICATORS], row + 1))
        return Injection("S005", L.INDICATORS, "", ind.code, "xóa dòng chỉ tiêu")

    def _last_row(self) -> int:
        return max(self._rows().values())

    def _s006(self) -> Injection:
        ind = self._pick(lambda i: True)
        row = self._last_row() + 2
        col = L.column_index(L.indicator_columns(), "code")
        self.edits.append(lambda book: book[L.INDICATORS].cell(row=row + 1, column=col + 1, value=ind.code))
        return Injection("S006", L.INDICATORS, L.a1(row, col), ind.code, "dòng trùng")

    def _s007(self) -> Injection:
        ind = self._pick(lambda i: True)
        row, far = self._rows()[ind.code], len(L.indicator_columns()) + 3

        def move(book: openpyxl.Workbook) -> None:
            sheet = book[L.INDICATORS]
            sheet.cell(row=row + 1, column=far + 1, value=ind.code)
            sheet.cell(row=row + 1, column=L.column_index(L.indicator_columns(), "code") + 1).value = None

        self.edits.append(move)
        return Injection("S007", L.INDICATORS, L.a1(row, far), ind.code, "mã chuyển ra ngoài bảng")

    def _s008(self) -> Injection:
        row = self._last_row() + 3
        col = L.column_index(L.indicator_columns(), "code")
        self.edits.append(lambda book: book[L.INDICATORS].cell(row=row + 1, column=col + 1, value="ZZ99"))
        return Injection("S008", L.INDICATORS, L.a1(row, col), note="mã lạ")

    def _s011(self) -> Injection:
        self.macro_module = FOREIGN_MACRO
        return Injection("S011", "", "", note="thêm module macro lạ")

    def _s012(self) -> Injection:
        ind = self._pick(lambda i: True)
        row, col = self._rows()[ind.code], L.column_index(L.indicator_columns(), "note")
        self.edits.append(
            lambda book: setattr(book[L.INDICATORS].cell(row=row + 1, column=col + 1), "value", "=cmd|' /C calc'!A0")
        )
        return self._at("S012", ind, "note", "công thức DDE")

    def _s013(self) -> Injection:
        ind = self._pick(lambda i: True)
        row = self._rows()[ind.code] + 1
        first = L.column_index(L.indicator_columns(), "actual_2016") + 1
        self.edits.append(
            lambda book: book[L.INDICATORS].merge_cells(
                start_row=row, start_column=first, end_row=row, end_column=first + 1
            )
        )
        return self._at("S013", ind, "actual_2016", "gộp ô nhập liệu")

    def _s009(self) -> Injection:
        ind = self._pick(lambda i: True)
        key = self.rng.choice([c.key for c in L.indicator_columns() if c.role == "formula"])
        self.filling.overwritten[ind.code, key] = 12.34
        return self._at("S009", ind, key, "ghi đè công thức")

    def _x001(self) -> Injection:
        raise NotApplicable  # an unreadable file is not a mistake in a workbook (see the hostile corpus)

    # --- output --------------------------------------------------------------------------------------

    def write(self, path: Path) -> Path:
        """Build the workbook with the mistakes; a macro mistake needs a macro-enabled file (.xlsm)."""
        if self.macro_module is not None:
            path = path.with_suffix(".xlsm")
        build_workbook(self.catalog, self.unit, path, self.filling)
        if self.edits:
            book = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
            for edit in self.edits:
                edit(book)
            book.save(path)
        if self.macro_module is not None:
            from pyopenvba import ExcelFile

            book = ExcelFile(path)
            try:
                book.vba_project().add_module("TuDong", self.macro_module)
                book.save()
            finally:
                book.close()
        return path


def resaved_project(reserved: int) -> bytes:
    """The template's macro project as a save by Excel leaves it: other bytes, the same modules. (Here the byte
    MS-OVBA 2.3.4.1 leaves free, Reserved3, is set to ``reserved``; Excel rewrites far more.)"""
    from kehoach.workbook_templates.vba_project import vba_project
    from pyopenvba.cfb import CFB

    cfb = CFB.from_bytes(vba_project())
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", b"\xcc\x61\xff\xff\x00" + bytes([reserved]) + b"\x00")
    return cfb.to_bytes()
