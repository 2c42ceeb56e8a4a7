"""Shared fixtures: a catalog copy that tests may change."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from kehoach.samples.generate import generate_all
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.catalog import CATALOG_DIR, Catalog, load_catalog


@pytest.fixture(scope="module")
def skhdt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A filled SKHDT workbook as kehoach builds it, for tests that read it or rewrite parts of a copy."""
    catalog = load_catalog()
    filling = generate_all(catalog, seed=5, units=["SKHDT"])["SKHDT"]
    return build_workbook(catalog, catalog.unit("SKHDT"), tmp_path_factory.mktemp("skhdt") / "SKHDT.xlsx", filling)


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A private copy of the catalog directory, for tests that add rows to it."""
    target = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, target)
    return target


def append_row(path: Path, row: dict[str, str]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=header).writerow(row)


def catalog_with_test_unit(directory: Path, extra_sheets: str = "") -> Catalog:
    """A copy of the catalog under ``directory`` with a unit TEST reporting on every task area (and on
    ``extra_sheets``, e.g. "grdp"), so that one workbook holds every indicator."""
    target = directory / "catalog"
    shutil.copytree(CATALOG_DIR, target)
    append_row(
        target / "units.csv",
        {
            "code": "TEST",
            "name_vi": "Đơn vị thử",
            "slug": "don-vi-thu",
            "kind": "department",
            "areas": ";".join(a.code for a in load_catalog().areas),
            "extra_sheets": extra_sheets,
            "source": "test",
        },
    )
    return load_catalog(target)
