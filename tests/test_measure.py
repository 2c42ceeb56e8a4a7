"""The validator finds injected mistakes where they are, and nothing on clean submissions (a small run of
scripts/measure_validation.py; the closing notes report the large one)."""

from __future__ import annotations

from pathlib import Path

from kehoach.samples.measure import measure
from kehoach.workbook_templates.catalog import load_catalog


def test_precision_and_recall_on_injected_mistakes(tmp_path: Path) -> None:
    result = measure(load_catalog(), tmp_path, target=80, per_file=5, seed=3)
    assert sum(result.injected.values()) >= 80
    assert result.clean_findings == 0
    assert result.precision >= 0.99
    assert result.recall_identity >= 0.98
    assert result.recall >= 0.95
