"""Shared fixtures: a catalog copy that tests may change."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from kehoach.workbook_templates.catalog import CATALOG_DIR


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
