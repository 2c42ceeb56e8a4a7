"""Synthetic Vietnamese text for sample submissions: names, contacts, qualitative sections, project names.
Plausible in form, invented in content."""

from __future__ import annotations

import datetime as dt
import random

from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import Unit, load_catalog

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Thạch", "Kim", "Sơn", "Dương")
MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Ngọc", "Hoàng")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hùng", "Lan", "Nam", "Phúc", "Sương", "Tâm", "Thảo", "Vũ")
CAUSES = (
    "Ảnh hưởng của hạn hán, xâm nhập mặn năm 2016 và 2020 làm giảm sản lượng và thu nhập.",
    "Dịch Covid-19 từ đầu năm 2020 làm nhiều hoạt động sản xuất, kinh doanh bị đình trệ.",
    "Nguồn vốn đầu tư bố trí chưa đủ so với nhu cầu; một số dự án chậm tiến độ.",
    "Mục tiêu đặt ra cao so với khả năng thực hiện; công tác phối hợp giữa các ngành còn hạn chế.",
)
SECTION_TEXT = {
    "eval_results": "Giai đoạn 2016-2020, {unit} đã tập trung thực hiện các nhiệm vụ được giao; phần lớn chỉ tiêu "
    "chủ yếu đạt và vượt mục tiêu Nghị quyết, góp phần vào tăng trưởng chung của tỉnh.",
    "eval_compare_2011_2015": "So với giai đoạn 2011-2015, kết quả thực hiện các chỉ tiêu chủ yếu của {unit} đều "
    "cao hơn; chất lượng tăng trưởng được cải thiện.",
    "eval_shortcomings": "Một số chỉ tiêu chưa đạt mục tiêu; nguồn lực đầu tư còn hạn chế; việc ứng dụng khoa học "
    "và công nghệ chưa đồng đều.",
    "eval_causes": "Nguyên nhân khách quan: thiên tai, biến đổi khí hậu, dịch bệnh. Nguyên nhân chủ quan: công tác "
    "phối hợp, tham mưu có lúc chưa kịp thời.",
    "eval_lessons": "Bám sát sự lãnh đạo của Tỉnh ủy, phát huy sức mạnh tổng hợp, đề cao trách nhiệm người đứng đầu.",
    "plan_context": "Giai đoạn 2021-2025 có nhiều thuận lợi đan xen khó khăn; dịch bệnh và biến đổi khí hậu diễn "
    "biến phức tạp.",
    "plan_objectives": "Phấn đấu hoàn thành các mục tiêu của {unit}, góp phần đưa Trà Vinh phát triển trong nhóm đầu "
    "vùng đồng bằng sông Cửu Long.",
    "plan_tasks": "1. Hoàn thiện cơ chế, chính sách. 2. Huy động và sử dụng hiệu quả nguồn lực. 3. Đẩy mạnh cải cách "
    "hành chính, chuyển đổi số.",
    "plan_solutions": "Tăng cường phối hợp giữa các ngành, các cấp; ưu tiên vốn cho các dự án trọng điểm; theo dõi, "
    "đánh giá định kỳ việc thực hiện kế hoạch.",
    "plan_mechanisms": "Đề xuất Trung ương hỗ trợ vốn cho các dự án ứng phó biến đổi khí hậu vùng ven biển.",
    "plan_sdg": "Lồng ghép các mục tiêu giảm nghèo, giáo dục, y tế và bảo vệ môi trường của Kế hoạch hành động quốc "
    "gia thực hiện Chương trình nghị sự 2030.",
}
PROJECT_KINDS = {
    "infrastructure": ("Nâng cấp đường tỉnh {n}", "Xây dựng cầu trên đường huyện {n}"),
    "agriculture": ("Hệ thống thủy lợi tiểu vùng {n}", "Kè chống sạt lở bờ sông đoạn {n}"),
    "education": ("Xây dựng trường THCS số {n}", "Nâng cấp trường mầm non số {n}"),
    "health": ("Nâng cấp trung tâm y tế khu vực {n}", "Xây dựng trạm y tế xã số {n}"),
    "environment": ("Bãi xử lý chất thải rắn cụm {n}", "Trạm quan trắc môi trường số {n}"),
    "marine": ("Nạo vét luồng cảng cá số {n}", "Khu neo đậu tránh trú bão số {n}"),
    "culture": ("Nhà văn hóa cộng đồng số {n}",),
    "information": ("Trung tâm dữ liệu dùng chung giai đoạn {n}",),
}


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def unit_info(unit: Unit, rng: random.Random) -> dict[str, object]:
    deadline = load_catalog().template.deadline
    return {
        "head": _person(rng),
        "preparer": _person(rng),
        "phone": f"0294 38{rng.randint(10000, 99999)}",
        "email": f"{unit.code.lower()}@travinh.gov.vn",
        "submitted_on": deadline - dt.timedelta(days=rng.randint(1, 20)),
        "revision": 1,
    }


def sections(unit: Unit) -> dict[str, str]:
    return {s.key: SECTION_TEXT[s.key].format(unit=unit.name_vi) for s in L.sections()}


def cause(rng: random.Random) -> str:
    return rng.choice(CAUSES)


def projects(unit: Unit, rng: random.Random) -> list[tuple[str, str]]:
    """(project name, area code) for 2 to 6 projects in the unit's areas."""
    areas = [a for a in unit.areas if a in PROJECT_KINDS] or ["infrastructure"]
    chosen = []
    for number in range(1, rng.randint(2, 6) + 1):
        area = rng.choice(areas)
        chosen.append((rng.choice(PROJECT_KINDS[area]).format(n=number), area))
    return chosen
