"""Load the catalog (units, task areas, indicators, GRDP sectors) and check it is coherent.

The catalog is data under ``catalog/``; see ``docs/catalog.md``. Everything else in kehoach reads it
through :func:`load_catalog`, so a new indicator or unit is a CSV row, not a code change.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

CATALOG_DIR = Path(__file__).with_name("catalog")

KINDS = ("level", "rate", "growth", "count")
DIRECTIONS = ("up", "down", "neutral")
# How a resolution states a target, and the indicator kinds each form fits (docs/catalog.md, "Target kinds").
TARGET_KINDS = {
    "end": ("level", "rate", "count"),  # the level reached in the end year
    "avg_growth": ("level", "growth"),  # average yearly growth over the period, %
    "avg_change": ("level", "rate"),  # average yearly change over the period, in the indicator's unit (points)
    "total": ("level",),  # sum of the five yearly values
    "annual_avg": ("level",),  # a yearly amount, judged on the average year
    "annual_each": ("level", "growth"),  # a yearly amount every year, judged on the weakest year
}
TARGET_KIND_LABELS = {
    "end": "Mức đạt năm cuối kỳ",
    "avg_growth": "Tăng bình quân %/năm",
    "avg_change": "Tăng (giảm) bình quân mỗi năm; giảm ghi số âm",
    "total": "Tổng cộng 5 năm",
    "annual_avg": "Bình quân mỗi năm",
    "annual_each": "Năm nào cũng đạt",
}
CAPS = ("xa", "communes", "districts")  # what a count of administrative units is capped by
GRDP_LINK_ROWS = ("growth.total", "current.total", "constant.total", "per_capita")  # besides share.<sector>
UNIT_KINDS = ("department", "agency", "district")
EXTRA_SHEETS = ("grdp",)

_INDICATOR_CODE = re.compile(r"^[A-Z]{2}\d{2}$")
_UNIT_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class CatalogError(ValueError):
    """The catalog data breaks one of the rules in docs/catalog.md."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Danh mục không hợp lệ:\n" + "\n".join(f"- {p}" for p in problems))
        # the problems name the catalog's rows and columns (docs/catalog.md), in Vietnamese
        self.message_en = "The catalog is not valid (docs/catalog.md):\n" + "\n".join(f"- {p}" for p in problems)


@dataclass(frozen=True)
class TemplateInfo:
    id: str
    version: str
    released: dt.date
    title: str
    province: str
    deadline: dt.date


@dataclass(frozen=True)
class Area:
    code: str
    order: int
    name_vi: str
    section: str


@dataclass(frozen=True)
class Unit:
    code: str
    name_vi: str
    slug: str
    kind: str
    areas: tuple[str, ...]
    extra_sheets: tuple[str, ...] = ()
    gso_code: str = ""
    communes: int | None = None  # commune-level units (xã, phường, thị trấn) in a district, 2020
    xa: int | None = None  # of which xã (rural communes)
    source: str = ""

    @property
    def is_district(self) -> bool:
        return self.kind == "district"

    @property
    def file_stem(self) -> str:
        return f"{self.code}_{self.slug}"


@dataclass(frozen=True)
class Indicator:
    code: str
    area: str
    name_vi: str
    unit: str
    kind: str
    direction: str
    district: bool
    aggregate: str
    min: float | None
    max: float | None
    decimals: int
    owners: tuple[str, ...]
    vsdg: str = ""
    target_2020_min: float | None = None
    target_2020_max: float | None = None
    target_kind: str = "end"
    revalued: bool = False  # depends on GRDP: the 2021-2025 plan starts from the revalued 2020 figure
    series_break: int | None = None  # first year of a new method: no change is computed across it
    cap: str = ""  # a count of administrative units: capped by the unit's xã, communes or districts
    whole: bool = False  # a count, or counted in whole things (communes, cases, households): whole numbers only
    source: str = ""

    @property
    def additive(self) -> bool:
        return self.aggregate == "sum"

    @property
    def target_label(self) -> str:
        """How the target is stated, as the template shows it (with the year a new method starts)."""
        label = TARGET_KIND_LABELS[self.target_kind]
        return label + (f"; chuỗi số liệu mới từ {self.series_break}" if self.series_break else "")

    @property
    def target_is_level(self) -> bool:
        """The target is a value of the indicator itself (an end-year or yearly level), not a growth, a change
        or a five-year total: the indicator's bounds apply to it."""
        return self.target_kind in ("end", "annual_avg", "annual_each")


@dataclass(frozen=True)
class GrdpSector:
    code: str
    order: int
    name_vi: str


@dataclass(frozen=True)
class Identity:
    """An accounting identity between indicators of one workbook, checked year by year:
    ``sum``: result = sum(terms); ``ratio``: result = terms[0] / terms[1]. ``result`` is a code or a number."""

    id: str
    kind: str
    result: str
    terms: tuple[str, ...]
    excluding: tuple[str, ...]  # shares taken out of the denominator (``sum`` of shares only)
    tolerance: float
    relative: bool
    label_vi: str

    @property
    def codes(self) -> tuple[str, ...]:
        return (*self.terms, *((self.result,) if not _is_number(self.result) else ()))


@dataclass(frozen=True)
class Chart:
    """A native chart of the master: ``line`` draws one indicator over ``keys`` (periods); ``stacked`` draws
    several indicators as stacked columns, one column per key."""

    id: str
    kind: str
    title_vi: str
    indicators: tuple[str, ...]
    keys: tuple[str, ...]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Catalog:
    template: TemplateInfo
    areas: tuple[Area, ...]
    units: tuple[Unit, ...]
    indicators: tuple[Indicator, ...]
    grdp_sectors: tuple[GrdpSector, ...]
    identities: tuple[Identity, ...] = ()
    charts: tuple[Chart, ...] = ()
    # Indicators the Statistics Office's GRDP sheet also computes: (indicator code, sheet row key after the basis)
    grdp_links: tuple[tuple[str, str], ...] = ()
    # VSDG goals, targets and indicators an indicator may name (a tuple, not a set: the catalog's repr is part of
    # the ledger's judge digest and must not depend on the process's hash seed)
    vsdg_codes: tuple[str, ...] = ()
    measures: dict[str, bool] = field(default_factory=dict)  # unit of measure -> counted in whole things
    _units_by_code: dict[str, Unit] = field(default_factory=dict, repr=False, compare=False)
    _indicators_by_code: dict[str, Indicator] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._units_by_code.update({u.code: u for u in self.units})
        self._indicators_by_code.update({i.code: i for i in self.indicators})

    def unit(self, code: str) -> Unit:
        return self._units_by_code[code]

    def has_unit(self, code: str) -> bool:
        return code in self._units_by_code

    def indicator(self, code: str) -> Indicator:
        return self._indicators_by_code[code]

    def has_indicator(self, code: str) -> bool:
        return code in self._indicators_by_code

    def area(self, code: str) -> Area:
        return next(a for a in self.areas if a.code == code)

    def indicators_for(self, unit: Unit) -> tuple[Indicator, ...]:
        """The indicators in a unit's table: those of its areas (districts: only those districts report),
        in area order, then catalog order."""
        order = {a.code: a.order for a in self.areas}
        chosen = [ind for ind in self.indicators if ind.area in unit.areas and (ind.district or not unit.is_district)]
        return tuple(sorted(chosen, key=lambda ind: order[ind.area]))

    @property
    def districts(self) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.is_district)

    def cap_for(self, indicator: Indicator, unit: Unit) -> int | None:
        """The most a count of administrative units can reach in ``unit``: its own xã, communes or (for the
        province's units) the province's totals; None where the indicator has no cap or the number is unknown."""
        if not indicator.cap:
            return None
        if indicator.cap == "districts":
            return None if unit.is_district else len(self.districts)
        scope = (unit,) if unit.is_district else self.districts
        numbers = [getattr(u, indicator.cap) for u in scope]
        return None if any(n is None for n in numbers) else sum(numbers)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            {k.strip(): unicodedata.normalize("NFC", (v or "").strip()) for k, v in row.items()}
            for row in csv.DictReader(handle)
        ]


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def _number(text: str) -> float | None:
    return float(text) if text else None


def _integer(text: str) -> int | None:
    return int(text) if text else None


def _load(directory: Path) -> Catalog:
    meta = tomllib.loads((directory / "template.toml").read_text(encoding="utf-8"))
    template = TemplateInfo(
        id=meta["id"],
        version=str(meta["version"]),
        released=meta["released"],
        title=meta["title"],
        province=meta["province"],
        deadline=meta["deadline"],
    )
    areas = tuple(Area(r["code"], int(r["order"]), r["name_vi"], r["section"]) for r in _rows(directory / "areas.csv"))
    units = tuple(
        Unit(
            code=r["code"],
            name_vi=r["name_vi"],
            slug=r["slug"],
            kind=r["kind"],
            areas=_split(r["areas"]),
            extra_sheets=_split(r.get("extra_sheets", "")),
            gso_code=r.get("gso_code", ""),
            communes=_integer(r.get("communes", "")),
            xa=_integer(r.get("xa", "")),
            source=r.get("source", ""),
        )
        for r in _rows(directory / "units.csv")
    )
    measures = {r["unit"]: r["whole"] == "yes" for r in _rows(directory / "measures.csv")}
    indicators = tuple(
        Indicator(
            code=r["code"],
            area=r["area"],
            name_vi=r["name_vi"],
            unit=r["unit"],
            kind=r["kind"],
            direction=r["direction"],
            district=r["district"] == "yes",
            aggregate=r["aggregate"] or "none",
            min=_number(r["min"]),
            max=_number(r["max"]),
            decimals=int(r["decimals"] or 0),
            owners=_split(r["owners"]),
            vsdg=r.get("vsdg", ""),
            target_2020_min=_number(r.get("target_2020_min", "")),
            target_2020_max=_number(r.get("target_2020_max", "")),
            target_kind=r.get("target_kind") or "end",
            revalued=r.get("revalued") == "yes",
            series_break=_integer(r.get("series_break", "")),
            cap=r.get("cap", ""),
            whole=r["kind"] == "count" or measures.get(r["unit"], False),
            source=r.get("source", ""),
        )
        for r in _rows(directory / "indicators.csv")
    )
    sectors = tuple(GrdpSector(r["code"], int(r["order"]), r["name_vi"]) for r in _rows(directory / "grdp_sectors.csv"))
    identities = tuple(
        Identity(
            r["id"],
            r["kind"],
            r["result"],
            _split(r["terms"]),
            _split(r.get("excluding", "")),
            float(r["tolerance"]),
            r["relative"] == "yes",
            r["label_vi"],
        )
        for r in _rows(directory / "identities.csv")
    )
    charts = tuple(
        Chart(r["id"], r["kind"], r["title_vi"], _split(r["indicators"]), _split(r["keys"]))
        for r in _rows(directory / "charts.csv")
    )
    return Catalog(
        vsdg_codes=tuple(r["code"] for r in _rows(directory / "vsdg.csv")),
        grdp_links=tuple((r["indicator"], r["grdp_row"]) for r in _rows(directory / "grdp_links.csv")),
        measures=measures,
        charts=charts,
        identities=identities,
        template=template,
        areas=tuple(sorted(areas, key=lambda a: a.order)),
        units=units,
        indicators=indicators,
        grdp_sectors=tuple(sorted(sectors, key=lambda s: s.order)),
    )


def check_catalog(catalog: Catalog) -> list[str]:
    """Every way the catalog breaks docs/catalog.md, as Vietnamese sentences (empty when coherent)."""
    problems: list[str] = []
    area_codes = {a.code for a in catalog.areas}
    unit_codes = [u.code for u in catalog.units]
    problems += [f"Mã đơn vị {c} bị trùng." for c in sorted({c for c in unit_codes if unit_codes.count(c) > 1})]
    codes = [i.code for i in catalog.indicators]
    problems += [f"Mã chỉ tiêu {c} bị trùng." for c in sorted({c for c in codes if codes.count(c) > 1})]
    for u in catalog.units:
        if not _UNIT_CODE.match(u.code):
            problems.append(f"Mã đơn vị «{u.code}» không đúng dạng (chữ in hoa, số, 2-12 ký tự).")
        if not _SLUG.match(u.slug):
            problems.append(f"Đơn vị {u.code}: slug «{u.slug}» chỉ được gồm chữ thường không dấu, số và '-'.")
        if u.kind not in UNIT_KINDS:
            problems.append(f"Đơn vị {u.code}: loại «{u.kind}» không thuộc {', '.join(UNIT_KINDS)}.")
        problems += [
            f"Đơn vị {u.code}: lĩnh vực «{a}» không có trong areas.csv." for a in u.areas if a not in area_codes
        ]
        problems += [
            f"Đơn vị {u.code}: trang thêm «{s}» không được hỗ trợ." for s in u.extra_sheets if s not in EXTRA_SHEETS
        ]
        if not catalog.indicators_for(u):
            problems.append(f"Đơn vị {u.code} không có chỉ tiêu nào để báo cáo.")
        if u.is_district and (u.communes is None or u.xa is None or u.xa > u.communes):
            problems.append(
                f"Đơn vị {u.code}: cần số đơn vị hành chính cấp xã (communes) và số xã (xa), xa ≤ communes."
            )
    for i in catalog.indicators:
        where = f"Chỉ tiêu {i.code}"
        if not _INDICATOR_CODE.match(i.code):
            problems.append(f"{where}: mã phải gồm 2 chữ in hoa và 2 chữ số.")
        if i.area not in area_codes:
            problems.append(f"{where}: lĩnh vực «{i.area}» không có trong areas.csv.")
        if i.kind not in KINDS:
            problems.append(f"{where}: loại «{i.kind}» không thuộc {', '.join(KINDS)}.")
        if i.target_kind not in TARGET_KINDS:
            problems.append(f"{where}: loại mục tiêu «{i.target_kind}» không thuộc {', '.join(TARGET_KINDS)}.")
        elif i.kind not in TARGET_KINDS[i.target_kind]:
            problems.append(f"{where}: loại mục tiêu {i.target_kind} không dùng được cho chỉ tiêu loại {i.kind}.")
        elif i.target_kind != "end" and i.direction == "neutral":
            problems.append(f"{where}: chỉ tiêu trung tính (neutral) chỉ có mục tiêu loại end.")
        if i.series_break is not None and not 2016 <= i.series_break <= 2020:
            problems.append(f"{where}: năm đổi phương pháp {i.series_break} phải trong khoảng 2016-2020.")
        if i.cap and (i.cap not in CAPS or i.kind not in ("count", "level") or not i.whole):
            problems.append(
                f"{where}: giới hạn «{i.cap}» chỉ dùng cho chỉ tiêu đếm đơn vị hành chính ({', '.join(CAPS)})."
            )
        if i.unit not in catalog.measures:
            problems.append(f"{where}: đơn vị tính «{i.unit}» chưa có trong measures.csv.")
        if i.whole and i.decimals != 0:
            problems.append(f"{where}: đơn vị tính «{i.unit}» đếm số nguyên, số chữ số thập phân phải là 0.")
        if i.vsdg and catalog.vsdg_codes and i.vsdg not in catalog.vsdg_codes:
            problems.append(f"{where}: mã VSDG «{i.vsdg}» không có trong vsdg.csv.")
        if i.direction not in DIRECTIONS:
            problems.append(f"{where}: chiều «{i.direction}» phải là up, down hoặc neutral.")
        if i.aggregate not in ("sum", "none"):
            problems.append(f"{where}: cách tổng hợp «{i.aggregate}» phải là sum hoặc none.")
        if i.additive and (i.kind not in ("level", "count") or not i.district):
            problems.append(f"{where}: chỉ cộng dồn (sum) được chỉ tiêu tuyệt đối hoặc đếm do huyện báo cáo.")
        if i.min is not None and i.max is not None and i.min > i.max:
            problems.append(f"{where}: cận dưới {i.min} lớn hơn cận trên {i.max}.")
        if i.kind == "rate" and i.unit == "%" and ((i.min or 0) < 0 or (i.max if i.max is not None else 101) > 100):
            problems.append(f"{where}: tỷ lệ (%) phải có cận trong khoảng 0-100.")
        if not 0 <= i.decimals <= 3:
            problems.append(f"{where}: số chữ số thập phân phải từ 0 đến 3.")
        if not i.owners:
            problems.append(f"{where}: chưa có đơn vị chủ trì.")
        for owner in i.owners:
            if owner not in unit_codes:
                problems.append(f"{where}: đơn vị chủ trì «{owner}» không có trong units.csv.")
            elif i.area not in catalog.unit(owner).areas:
                problems.append(f"{where}: đơn vị {owner} không báo cáo lĩnh vực {i.area}.")
        lo, hi = i.target_2020_min, i.target_2020_max
        if lo is not None and hi is not None and lo > hi:
            problems.append(f"{where}: mục tiêu 2020 tối thiểu {lo} lớn hơn tối đa {hi}.")
    for identity in catalog.identities:
        where = f"Đẳng thức {identity.id}"
        if identity.kind not in ("sum", "ratio") or (identity.kind == "ratio" and len(identity.terms) != 2):
            problems.append(f"{where}: loại «{identity.kind}» phải là sum hoặc ratio (ratio có đúng 2 số hạng).")
        problems += [
            f"{where}: chỉ tiêu «{c}» không có trong indicators.csv."
            for c in (*identity.codes, *identity.excluding)
            if c not in catalog._indicators_by_code
        ]
        if identity.excluding and identity.kind != "sum":
            problems.append(f"{where}: chỉ đẳng thức sum (tổng tỷ trọng) mới loại trừ được khỏi mẫu số.")
    sector_codes = {s.code for s in catalog.grdp_sectors}
    for code, grdp_row in catalog.grdp_links:
        if code not in catalog._indicators_by_code:
            problems.append(f"Liên kết GRDP: chỉ tiêu «{code}» không có trong indicators.csv.")
        role, _, sector = grdp_row.partition(".")
        if not (grdp_row in GRDP_LINK_ROWS or (role == "share" and sector in sector_codes)):
            problems.append(f"Liên kết GRDP: dòng «{grdp_row}» không có trên trang GRDP.")
    for chart in catalog.charts:
        if chart.kind not in ("line", "stacked"):
            problems.append(f"Biểu đồ {chart.id}: loại «{chart.kind}» phải là line hoặc stacked.")
        problems += [
            f"Biểu đồ {chart.id}: chỉ tiêu «{c}» không có trong indicators.csv."
            for c in chart.indicators
            if c not in catalog._indicators_by_code
        ]
    problems += [
        f"Lĩnh vực {a.code} chưa có chỉ tiêu nào."
        for a in catalog.areas
        if not any(i.area == a.code for i in catalog.indicators)
    ]
    return problems


def load_catalog(directory: Path | str | None = None) -> Catalog:
    """Load and check the catalog; raises :class:`CatalogError` listing every problem."""
    return _cached(Path(directory) if directory else CATALOG_DIR)


@cache
def _cached(directory: Path) -> Catalog:
    catalog = _load(directory)
    problems = check_catalog(catalog)
    if problems:
        raise CatalogError(problems)
    return catalog
