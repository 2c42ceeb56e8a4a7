"""The catalog is coherent, covers what the directive asks, and a broken row is refused with a message."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from kehoach.workbook_templates.catalog import CatalogError, load_catalog

from tests.conftest import append_row


def test_catalog_covers_the_directive() -> None:
    catalog = load_catalog()
    assert len(catalog.areas) == 19
    assert len(catalog.indicators) >= 80
    per_area = Counter(i.area for i in catalog.indicators)
    assert all(per_area[a.code] >= 3 for a in catalog.areas), per_area
    assert set(Counter(i.kind for i in catalog.indicators)) == {"level", "rate", "growth", "count"}
    kinds = Counter(u.kind for u in catalog.units)
    assert kinds["district"] == 9
    assert kinds["department"] + kinds["agency"] >= 22
    for code in ("SKHDT", "CTK", "BQLKKT", "CA", "BCHQS"):
        assert catalog.has_unit(code)
    assert catalog.unit("CTK").extra_sheets == ("grdp",)
    assert any(i.additive for i in catalog.indicators)


def test_every_unit_has_indicators_and_every_indicator_a_reporting_unit() -> None:
    catalog = load_catalog()
    reported = {i.code for u in catalog.units for i in catalog.indicators_for(u)}
    assert reported == {i.code for i in catalog.indicators}
    for unit in catalog.districts:
        assert all(i.district for i in catalog.indicators_for(unit))


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"code": "KT01"}, "Mã chỉ tiêu KT01 bị trùng"),
        ({"code": "ZZ01", "kind": "ratio"}, "loại «ratio»"),
        ({"code": "ZZ02", "min": "10", "max": "1"}, "cận dưới 10.0 lớn hơn cận trên 1.0"),
        ({"code": "ZZ03", "owners": "NOPE"}, "đơn vị chủ trì «NOPE»"),
        ({"code": "ZZ04", "aggregate": "sum", "kind": "rate"}, "chỉ cộng dồn (sum)"),
        ({"code": "ZZ05", "area": "space"}, "lĩnh vực «space»"),
        ({"code": "ZZ06", "direction": "flat"}, "chiều «flat» phải là up, down hoặc neutral"),
    ],
)
def test_a_broken_indicator_row_is_refused(catalog_copy: Path, row: dict, message: str) -> None:
    good = {
        "code": "ZZ00",
        "area": "economy",
        "name_vi": "Thử",
        "unit": "%",
        "kind": "rate",
        "direction": "up",
        "district": "no",
        "aggregate": "none",
        "min": "0",
        "max": "100",
        "decimals": "1",
        "owners": "SKHDT",
    }
    append_row(catalog_copy / "indicators.csv", {**good, **row})
    with pytest.raises(CatalogError) as raised:
        load_catalog(catalog_copy)
    assert message in str(raised.value)


def test_a_good_new_row_is_accepted(catalog_copy: Path) -> None:
    append_row(
        catalog_copy / "indicators.csv",
        {
            "code": "KT99",
            "area": "economy",
            "name_vi": "Chỉ tiêu mới",
            "unit": "tỷ đồng",
            "kind": "level",
            "direction": "up",
            "district": "no",
            "aggregate": "none",
            "min": "0",
            "max": "",
            "decimals": "1",
            "owners": "SKHDT",
        },
    )
    assert load_catalog(catalog_copy).indicator("KT99").name_vi == "Chỉ tiêu mới"


def test_neutral_indicators_are_neither_better_up_nor_down() -> None:
    """Population and the shares of GRDP's parts other than the restructuring goal itself are not judged:
    higher is not better, nor lower (docs/catalog.md)."""
    catalog = load_catalog()
    neutral = {i.code for i in catalog.indicators if i.direction == "neutral"}
    assert neutral == {"YT01", "KT05", "KT06", "KT07"}
    assert {i.direction for i in catalog.indicators} == {"up", "down", "neutral"}
    # the restructuring goal keeps its direction: agriculture's share down, industry and services' share up
    assert (catalog.indicator("KT04").direction, catalog.indicator("KT08").direction) == ("down", "up")
