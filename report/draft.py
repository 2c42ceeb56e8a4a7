"""The draft report's content from the province's plan (kehoach.master.plan.ProvincePlan), the growth
scenarios and the major balances, rendered into the Word template with docxtpl.

Everything the template shows comes from here as text, numbers already written the Vietnamese way
(1.234,5); whatever the plan lacks becomes a highlighted note, never an empty place.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kehoach.master.plan import LEAD, MISSING, ProvincePlan, ProvinceRow
from kehoach.scenarios import balances as B
from kehoach.scenarios.model import DIRECTIVE_TARGET, Base, Projection, Scenario, Target, project
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.derived import as_number
from kehoach.workbook_templates.formulas import CARRIED, EXCEEDED, MET, NEW, NOT_MET

TEMPLATE = Path(__file__).resolve().parent / "templates" / "du-thao-bao-cao.docx"
VERDICTS = (EXCEEDED, MET, NOT_MET)
HIGHLIGHT = "FFFF00"  # docxtpl writes it as the run's shading (w:shd), which Word and LibreOffice show
PROJECT_SOURCES = ("need_central", "need_local", "need_oda", "need_other")


def vi_number(value: object, decimals: int = 2) -> str:
    """1234.5 -> "1.234,5" at ``decimals`` (trailing zeros after the comma dropped); "" for no number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "" if value is None else str(value)
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _range(low: object, high: object, decimals: int) -> str:
    if low is None and high is None:
        return ""
    if low is None or high is None or low == high:
        return vi_number(low if low is not None else high, decimals)
    return f"{vi_number(low, decimals)} - {vi_number(high, decimals)}"


def main_indicators(plan: ProvincePlan) -> list[ProvinceRow]:
    """The main indicators: those whose 2016-2020 target the province's resolution states (the catalog carries
    it), in catalog order."""
    return [r for r in plan.rows if r.indicator.target_2020_min is not None or r.indicator.target_2020_max is not None]


def verdict_counts(plan: ProvincePlan) -> dict[str, int]:
    counts = Counter(r.values.get("evaluation_2020") for r in plan.rows)
    return {v: counts.get(v, 0) for v in VERDICTS}


@dataclass(frozen=True)
class Scenarios:
    """The growth scenarios and what the balances assume, or why there are none."""

    base: Base | None
    scenarios: Sequence[Scenario] = ()
    target: Target = DIRECTIVE_TARGET
    icor: float | None = None
    problem: str = ""  # why there is no base, in Vietnamese

    @property
    def projections(self) -> list[Projection]:
        return [project(self.base, s) for s in self.scenarios] if self.base else []


def build_context(plan: ProvincePlan, scenarios: Scenarios, today: dt.date | None = None) -> dict:
    from docxtpl import RichText

    catalog = plan.catalog
    today = today or dt.date.today()
    units = {u.code: u for u in catalog.units}
    areas = sorted(catalog.areas, key=lambda a: a.order)
    section_names = {s.key: s.heading_vi for s in L.sections()}

    def unit_name(code: str | None) -> str:
        return units[code].name_vi if code in units else (code or "")

    def note(text: str) -> RichText:
        rt = RichText()
        rt.add("[Cần bổ sung] ", bold=True, highlight=HIGHLIGHT)
        rt.add(text, highlight=HIGHLIGHT)
        return rt

    def plain(text: str) -> RichText:
        rt = RichText()
        rt.add(text)
        return rt

    def source(row: ProvinceRow) -> RichText:
        if row.status == LEAD:
            return plain(row.source_unit or "")
        return note(row.status_vi or ("Thiếu số liệu" if row.status == MISSING else row.status))

    notes = []
    if plan.missing_units:
        notes.append(note("Chưa nhận được báo cáo của: " + "; ".join(unit_name(u) for u in plan.missing_units) + "."))
    if plan.rejected_units:
        notes.append(
            note(
                "Báo cáo bị loại khi tổng hợp (có lỗi), chưa được sử dụng: "
                + "; ".join(unit_name(u) for u in plan.rejected_units)
                + "."
            )
        )
    substituted = [r for r in plan.rows if r.status not in (LEAD, MISSING)]
    if substituted:
        notes.append(
            note(
                f"{len(substituted)} chỉ tiêu lấy số liệu của đơn vị khác thay đơn vị chủ trì: "
                + "; ".join(f"{r.indicator.code} ({r.status_vi})" for r in substituted)
                + "."
            )
        )
    absent = [r for r in plan.rows if r.status == MISSING]
    if absent:
        notes.append(
            note(f"{len(absent)} chỉ tiêu chưa có số liệu: " + "; ".join(r.indicator.code for r in absent) + ".")
        )

    # Part I: verdicts
    counts = verdict_counts(plan)
    judged = sum(counts.values())
    groups = []
    for verdict, heading in ((EXCEEDED, "Vượt mục tiêu"), (MET, "Đạt mục tiêu"), (NOT_MET, "Không đạt mục tiêu")):
        rows = [r for r in plan.rows if r.values.get("evaluation_2020") == verdict]
        rt = RichText()
        rt.add(f"{heading}: {len(rows)} chỉ tiêu", bold=True, italic=True)
        rt.add(" (" + "; ".join(f"{r.indicator.code} {r.indicator.name_vi}" for r in rows) + ")." if rows else ".")
        groups.append({"heading": heading, "count": len(rows), "codes": [r.indicator.code for r in rows], "text": rt})
    summary = (
        f"Trong {len(plan.rows)} chỉ tiêu kế hoạch, {judged} chỉ tiêu có mục tiêu và số liệu để đánh giá: "
        f"{counts[EXCEEDED]} chỉ tiêu vượt, {counts[MET]} chỉ tiêu đạt và {counts[NOT_MET]} chỉ tiêu không đạt "
        "mục tiêu giai đoạn 2016-2020 (theo số liệu chưa đánh giá lại quy mô nền kinh tế)."
    )

    def main_row(no: int, row: ProvinceRow) -> dict:
        ind, v = row.indicator, row.values
        d = ind.decimals
        return {
            "no": str(no),
            "code": ind.code,
            "name": f"{ind.name_vi} ({ind.code})",
            "unit": ind.unit,
            "target": _range(v.get("target_2020"), v.get("target_2020_max"), d),
            "estimate": vi_number(v.get("estimate_2020"), d),
            "judged": vi_number(v.get("judged_2020"), d),
            "completion": vi_number(v.get("completion_2020"), 2),
            "verdict": v.get("evaluation_2020") or ("Thiếu số liệu" if row.status == MISSING else ""),
            "growth_before": vi_number(v.get("growth_2011_2015"), 2),
            "growth_now": vi_number(v.get("growth_2016_2020"), 2),
        }

    main = main_indicators(plan)
    missed = []
    for row in plan.rows:
        if row.values.get("evaluation_2020") != NOT_MET:
            continue
        rt = RichText()
        rt.add(f"- {row.indicator.code} {row.indicator.name_vi}: ", bold=True)
        cause = str(row.values.get("cause") or "").strip()
        if cause:
            rt.add(f"{cause} ({unit_name(row.source_unit)})")
        else:
            rt.add(f"[Cần bổ sung] {unit_name(row.source_unit)} chưa ghi nguyên nhân.", highlight=HIGHLIGHT)
        missed.append(rt)
    if not missed:
        missed.append(plain("Không có chỉ tiêu nào không đạt mục tiêu."))

    def area_texts(keys: Sequence[str]) -> list[dict]:
        out = []
        for area in areas:
            entries = []
            reporting = [u for u in catalog.units if u.areas and u.areas[0] == area.code]
            for key in keys:
                for t in (t for t in plan.texts if t.area == area.code and t.section == key):
                    rt = RichText()
                    rt.add(f"{section_names.get(key, key)} ({unit_name(t.unit)}): ", bold=True, italic=True)
                    rt.add(t.text.strip())
                    entries.append(rt)
            lacking = [u.code for u in reporting if u.code in plan.missing_units or u.code in plan.rejected_units]
            if lacking:
                entries.append(
                    note(
                        "Chưa có nội dung của: "
                        + "; ".join(
                            f"{unit_name(u)} ({'bị loại khi tổng hợp' if u in plan.rejected_units else 'chưa nộp'})"
                            for u in lacking
                        )
                        + "."
                    )
                )
            if not entries:
                entries.append(note("Chưa có đơn vị nào gửi nội dung cho lĩnh vực này; Sở Kế hoạch và Đầu tư bổ sung."))
            out.append({"code": area.code, "heading": f"{area.order}. {area.name_vi}", "entries": entries})
        return out

    eval_keys = [s.key for s in L.sections() if s.key.startswith("eval_")]
    plan_keys = [s.key for s in L.sections() if s.key.startswith("plan_")]

    # Part II
    def plan_row(no: int, row: ProvinceRow) -> dict:
        ind, v = row.indicator, row.values
        base = v.get("estimate_2020_revalued") if ind.revalued else v.get("estimate_2020")
        return {
            "no": str(no),
            "code": ind.code,
            "name": f"{ind.name_vi} ({ind.code})",
            "unit": ind.unit,
            "base": vi_number(base, ind.decimals),
            "target": _range(v.get("target_2025"), v.get("target_2025_max"), ind.decimals),
            "growth": vi_number(v.get("growth_2021_2025"), 2),
        }

    figures = B.figures_from_plan(plan)
    projections = scenarios.projections
    target = scenarios.target
    goal = vi_number(target.low, 2) + (f"-{vi_number(target.high, 2)}" if target.high is not None else "")
    sector_order = [s.code for s in catalog.grdp_sectors]
    scenario_rows, investment_rows, other_rows = [], [], []
    if projections:
        for p in projections:
            last = p.years[-1]
            scenario_rows.append(
                {
                    "name": p.scenario.name_vi,
                    "growth": vi_number(p.average_growth, 2),
                    "verdict": p.verdict(target) or "",
                    "grdp": vi_number(p.current_total[last], 1),
                    "per_capita": vi_number(p.per_capita[last], 1),
                    "structure": " - ".join(vi_number(p.structure[s][last], 1) for s in sector_order),
                }
            )
            inv = B.investment_balance(p, B.icor_for(p.scenario, scenarios.icor), figures)
            investment_rows.append(
                {
                    "name": p.scenario.name_vi,
                    "icor": vi_number(inv.icor, 2),
                    "increment": vi_number(sum(inv.increment_constant.values()), 1),
                    "need": vi_number(inv.need_total, 1),
                    "planned": vi_number(inv.planned_total, 1),
                    "gap": vi_number(inv.gap, 1),
                }
            )
        reached = [p.scenario.name_vi for p in projections if p.verdict(target) in (MET, EXCEEDED)]
        scenario_text = plain(
            f"Từ số liệu GRDP năm 2020 của Cục Thống kê (đã đánh giá lại quy mô; {scenarios.base.source}), "
            f"{len(projections)} phương án tăng trưởng được xây dựng. Mục tiêu tăng trưởng GRDP bình quân "
            f"{goal} %/năm: "
            + (
                f"đạt hoặc vượt ở {', '.join(reached).lower()}."
                if reached
                else "không phương án nào đạt; cần xem lại giả định hoặc mục tiêu."
            )
            + " Tốc độ tăng của các phương án là giả định để Sở Kế hoạch và Đầu tư và Cục Thống kê điều chỉnh "
            "(bảng tính «Phương án tăng trưởng», «Cân đối lớn» của lệnh kehoach scenarios)."
        )
        base_projection = next((p for p in projections if p.scenario.key == "base"), projections[0])
        other = B.other_balances(base_projection, figures)
        name = base_projection.scenario.name_vi.lower()
        missing_figure = "chưa có số liệu kế hoạch"
        other_rows = [
            {
                "label": "Tổng thu NSNN trên địa bàn 2021-2025 (TC01)",
                "unit": "tỷ đồng",
                "value": vi_number(other.revenue_total, 1),
                "note": plain("") if other.revenue_total is not None else note(missing_figure),
            },
            {
                "label": "Tổng chi ngân sách địa phương 2021-2025 (TC03)",
                "unit": "tỷ đồng",
                "value": vi_number(other.spending_total, 1),
                "note": plain("") if other.spending_total is not None else note(missing_figure),
            },
            {
                "label": "Thu NSNN trên địa bàn − chi ngân sách địa phương",
                "unit": "tỷ đồng",
                "value": vi_number(other.budget_gap, 1),
                "note": plain("số âm: chi vượt thu trên địa bàn, cần bổ sung từ ngân sách trung ương"),
            },
            {
                "label": f"Lực lượng lao động tăng thêm 2021-2025 ({name})",
                "unit": "nghìn người",
                "value": vi_number(other.labour_increase, 1),
                "note": plain(f"dân số × tỷ lệ tham gia {vi_number(B.PARTICIPATION, 1)} % (giả định)"),
            },
            {
                "label": "Số lao động được tạo việc làm mới 2021-2025 (LD03)",
                "unit": "nghìn người",
                "value": vi_number(None if other.jobs_total is None else other.jobs_total / 1000, 1),
                "note": plain("") if other.jobs_total is not None else note(missing_figure),
            },
            {
                "label": "Kim ngạch xuất khẩu năm 2025 (TM02)",
                "unit": "triệu USD",
                "value": vi_number(other.exports_2025, 1),
                "note": plain(f"tăng BQ {vi_number(other.exports_growth, 2)} %/năm")
                if other.exports_growth is not None
                else note(missing_figure),
            },
            {
                "label": f"Xuất khẩu so với GRDP năm 2025 ({name})",
                "unit": "%",
                "value": vi_number(other.exports_share_2025, 1),
                "note": plain(f"tỷ giá {vi_number(B.EXCHANGE_RATE, 0)} đồng/USD (giả định)"),
            },
        ]
        balance_text = plain(
            "Vốn đầu tư cần có = ICOR × GRDP tăng thêm (giá so sánh 2010), quy ra giá hiện hành bằng chỉ số giảm phát "
            "GRDP của từng phương án; so với tổng vốn đầu tư phát triển toàn xã hội theo kế hoạch (KT09). "
            + (
                f"Nhu cầu vốn đầu tư công của các dự án đề xuất: {vi_number(figures.public_investment, 1)} tỷ đồng."
                if figures.public_investment is not None
                else ""
            )
        )
    else:
        scenario_text = note(f"Chưa lập được phương án tăng trưởng: {scenarios.problem}")
        balance_text = note("Chưa tính được các cân đối lớn vì chưa có phương án tăng trưởng.")

    # Public investment
    by_area: dict[str, dict] = {}
    for entry in plan.projects:
        v = entry.values
        area = str(v.get("area") or "Chưa ghi lĩnh vực")
        acc = by_area.setdefault(
            area, {"count": 0, "carried": 0, "new": 0, "total": 0.0, **dict.fromkeys(PROJECT_SOURCES, 0.0)}
        )
        acc["count"] += 1
        acc["carried"] += v.get("status") == CARRIED
        acc["new"] += v.get("status") == NEW
        acc["total"] += as_number(v.get("need_total")) or 0.0
        for key in PROJECT_SOURCES:
            acc[key] += as_number(v.get(key)) or 0.0
    totals = {k: sum(a[k] for a in by_area.values()) for k in ("count", "carried", "new", "total", *PROJECT_SOURCES)}

    def project_row(area: str, a: dict) -> dict:
        return {
            "area": area,
            "count": vi_number(a["count"], 0),
            "carried": vi_number(a["carried"], 0),
            "new": vi_number(a["new"], 0),
            "total": vi_number(a["total"], 0),
            "central": vi_number(a["need_central"], 0),
            "local": vi_number(a["need_local"], 0),
            "oda": vi_number(a["need_oda"], 0),
            "other": vi_number(a["need_other"], 0),
        }

    project_rows = [project_row(area, a) for area, a in sorted(by_area.items())]
    if plan.projects:
        project_rows.append(project_row("Tổng cộng", totals))
    projects_text = (
        f"Các đơn vị đề xuất {totals['count']} dự án đầu tư công giai đoạn 2021-2025 "
        f"({totals['carried']} dự án chuyển tiếp, {totals['new']} dự án khởi công mới), tổng nhu cầu vốn "
        f"{vi_number(totals['total'], 0)} triệu đồng."
        if plan.projects
        else "Chưa có dự án đầu tư công nào được đề xuất."
    )

    def annex1(no: int, row: ProvinceRow) -> dict:
        out = main_row(no, row)
        out["name"] = row.indicator.name_vi
        out["actual_2015"] = vi_number(row.values.get("actual_2015"), row.indicator.decimals)
        out["source"] = source(row)
        return out

    def annex2(no: int, row: ProvinceRow) -> dict:
        out = plan_row(no, row)
        out["name"] = row.indicator.name_vi
        for year in L.YEARS_PLAN:
            out[f"p{year}"] = vi_number(row.values.get(f"plan_{year}"), row.indicator.decimals)
        out["source"] = source(row)
        return out

    made = plan.made_at
    return {
        "parent_body": f"UBND {catalog.template.province.upper()}",
        "issuing_body": "SỞ KẾ HOẠCH VÀ ĐẦU TƯ",
        "number_line": "Số:       /BC-SKHĐT",
        "date_line": f"{_place(catalog.template.province)}, ngày     tháng {today.month:02d} năm {today.year}",
        "draft_line": f"(Dự thảo lập ngày {today.strftime('%d/%m/%Y')} từ tệp tổng hợp ngày "
        f"{made.strftime('%d/%m/%Y %H:%M')}; để lấy ý kiến)",
        "title": "Đánh giá tình hình thực hiện Kế hoạch phát triển kinh tế - xã hội 5 năm 2016-2020 và xây dựng "
        "Kế hoạch phát triển kinh tế - xã hội 5 năm 2021-2025",
        "intro": "Thực hiện Chỉ thị của Chủ tịch Ủy ban nhân dân tỉnh về xây dựng Kế hoạch phát triển kinh tế - xã hội "
        f"5 năm 2021-2025, trên cơ sở báo cáo của {len(plan.merged_units)} sở, ban, ngành, địa phương, Sở Kế hoạch "
        "và Đầu tư tổng hợp, báo cáo như sau:",
        "notes": notes,
        "part1_heading": "I. ĐÁNH GIÁ TÌNH HÌNH THỰC HIỆN KẾ HOẠCH 5 NĂM 2016-2020",
        "part2_heading": "II. KẾ HOẠCH PHÁT TRIỂN KINH TẾ - XÃ HỘI 5 NĂM 2021-2025",
        "verdict_summary": summary,
        "verdict_counts": counts,
        "verdict_groups": groups,
        "main_rows": [main_row(i, r) for i, r in enumerate(main, 1)],
        "missed": missed,
        "eval_areas": area_texts(eval_keys),
        "plan_rows": [plan_row(i, r) for i, r in enumerate(main, 1)],
        "scenario_text": scenario_text,
        "scenario_rows": scenario_rows,
        "balance_text": balance_text,
        "investment_rows": investment_rows,
        "other_rows": other_rows,
        "projects_text": projects_text,
        "project_notes": [
            note(
                f"Dự án «{e.values.get('project', '')}» của {unit_name(e.unit)} có thể trùng với dự án "
                f"{e.duplicate_of} (cả hai đang được cộng vào nhu cầu vốn); cần xác minh."
            )
            for e in plan.projects
            if e.duplicate_of
        ],
        "project_rows": project_rows,
        "plan_areas": area_texts(plan_keys),
        "recipients": note(
            "- UBND tỉnh (b/c);\n- Các sở, ban, ngành tỉnh;\n- UBND các huyện, thị xã, thành phố;\n- Lưu: VT."
        ),
        "signer_title": "GIÁM ĐỐC",
        "signer_name": "",
        "annex_note": "Số liệu của đơn vị chủ trì chỉ tiêu; ô tô vàng: lấy từ đơn vị khác hoặc thiếu số liệu.",
        "annex1_rows": [annex1(i, r) for i, r in enumerate(plan.rows, 1)],
        "annex2_rows": [annex2(i, r) for i, r in enumerate(plan.rows, 1)],
        "footer": "Dự thảo - để lấy ý kiến",
    }


def _place(province: str) -> str:
    return province.removeprefix("tỉnh ").removeprefix("Tỉnh ").strip() or province


def render(context: dict, out: Path, template: Path | None = None) -> Path:
    """Render ``context`` into the template (the shipped one by default) and save it to ``out``."""
    from docxtpl import DocxTemplate

    doc = DocxTemplate(str(template or TEMPLATE))
    doc.render(context, autoescape=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    doc.save(str(tmp))
    tmp.replace(out)
    return out
