"""Sums of shares state whether product taxes are in the denominator, as the target was set (identities.csv
``excluding``), and rule K001 checks each form. Hand-computed: industry 30 % and services 40 % of a GRDP whose
product taxes are 5 %: of the whole GRDP they are 30 + 40 = 70 %; of the value added without taxes they are
70 / (100 - 5) * 100 = 73.684...%, which the sheet's two decimals show as 73.68."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from kehoach.validators.engine import validate_path
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.catalog import Catalog, load_catalog
from kehoach.workbook_templates.filling import Filling

from tests.conftest import catalog_with_test_unit

SHARES = {"KT04": 25.0, "KT05": 30.0, "KT06": 40.0, "KT07": 5.0}


def _catalog(tmp_path: Path, excluding: str) -> Catalog:
    """The catalog with a TEST unit; with ``excluding``, a copy whose KT08 identity leaves those shares out of
    the denominator (a new directory: catalogs are cached by directory)."""
    catalog = catalog_with_test_unit(tmp_path)
    if not excluding:
        return catalog
    directory = shutil.copytree(tmp_path / "catalog", tmp_path / "catalog_excluding")
    path = directory / "identities.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["id"] == "non_agri_share":
            row["excluding"] = excluding
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return load_catalog(directory)


def _k001_on_kt08(catalog: Catalog, tmp_path: Path, kt08: float) -> list:
    filling = Filling()
    for code, share in {**SHARES, "KT08": kt08}.items():
        filling.indicators[code] = {"actual_2016": share}
    path = build_workbook(catalog, catalog.unit("TEST"), tmp_path / f"TEST_{kt08}.xlsx", filling)
    row = next(
        r.row for r in L.indicator_rows(catalog, catalog.unit("TEST")) if r.indicator and r.indicator.code == "KT08"
    )
    return [
        f
        for f in validate_path(path, catalog).findings
        if f.rule == "K001" and f.cell == L.indicator_cell("actual_2016", row)
    ]


@pytest.mark.parametrize(
    ("excluding", "kt08", "fires"),
    [("", 70.0, False), ("", 73.68, True), ("KT07", 73.68, False), ("KT07", 70.0, True)],
)
def test_share_sum_with_and_without_taxes(tmp_path: Path, excluding: str, kt08: float, fires: bool) -> None:
    found = _k001_on_kt08(_catalog(tmp_path, excluding), tmp_path, kt08)
    assert bool(found) == fires
    if fires:
        expected = 73.68 if excluding else 70.0
        assert found[0].values["suggested"] == expected


def test_the_catalog_states_its_denominator() -> None:
    identity = next(i for i in load_catalog().identities if i.id == "non_agri_share")
    assert identity.excluding == ()  # the 2016-2020 target (70 %, TV16-02) is of the whole GRDP
    assert "gồm cả thuế sản phẩm" in load_catalog().indicator("KT08").name_vi
