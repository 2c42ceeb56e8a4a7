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


# Indicators of every target kind and direction the catalog itself does not use yet (test rows, area economy).
TARGET_KIND_CASES = (
    ("ZA01", "level", "up", "annual_each"),
    ("ZA02", "level", "down", "annual_each"),
    ("ZA03", "growth", "up", "annual_each"),
    ("ZA04", "level", "down", "avg_growth"),
    ("ZA05", "level", "up", "avg_change"),
    ("ZA06", "rate", "up", "avg_change"),
    ("ZA07", "level", "down", "total"),
    ("ZA08", "level", "down", "annual_avg"),
    ("ZA09", "growth", "down", "avg_growth"),
)


def catalog_with_test_unit(directory: Path, extra_sheets: str = "", every_target_kind: bool = False) -> Catalog:
    """A copy of the catalog under ``directory`` with a unit TEST reporting on every task area (and on
    ``extra_sheets``, e.g. "grdp"), so that one workbook holds every indicator; with ``every_target_kind``,
    also the TARGET_KIND_CASES indicators."""
    target = directory / "catalog"
    shutil.copytree(CATALOG_DIR, target)
    for code, kind, direction, target_kind in TARGET_KIND_CASES if every_target_kind else ():
        append_row(
            target / "indicators.csv",
            {
                "code": code,
                "area": "economy",
                "name_vi": f"Chỉ tiêu thử {kind} {direction} {target_kind}",
                "unit": "%" if kind != "level" else "tỷ đồng",
                "kind": kind,
                "direction": direction,
                "district": "no",
                "aggregate": "none",
                "min": "0" if kind == "rate" else "",
                "max": "100" if kind == "rate" else "",
                "decimals": "2",
                "owners": "CTK",
                "target_kind": target_kind,
                "revalued": "no",
                "source": "test",
            },
        )
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


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory):
    """The demo (36 templates, an inbox with a missing, a late and a rejected unit, and the merged master), run
    once for the tests that read the master or build documents from it."""
    from kehoach.samples import demo

    return demo.run_demo(tmp_path_factory.mktemp("demo"), seed=7)
