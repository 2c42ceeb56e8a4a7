"""Excel data validations (the input message and the refusal of text in a number cell), gathered so that the cells
sharing one validation are written as one element over all their ranges, as Excel itself saves them. One element
a cell made the indicator sheet's XML five times larger, and every reader of every submission parses it."""

from __future__ import annotations

import json
from itertools import groupby

from xlsxwriter.utility import xl_range
from xlsxwriter.worksheet import Worksheet


class Validations:
    def __init__(self) -> None:
        self._cells: dict[tuple[str, str], tuple[Worksheet, dict, list[tuple[int, int]]]] = {}

    def add(self, ws: Worksheet, row: int, col: int, options: dict) -> None:
        key = (ws.name, json.dumps(options, sort_keys=True, default=str))
        self._cells.setdefault(key, (ws, options, []))[2].append((row, col))

    def write(self) -> None:
        """Write every validation gathered; call once, before the workbook is closed."""
        for ws, options, cells in self._cells.values():
            ranges = _ranges(cells)
            ws.data_validation(*ranges[0], {**options, "multi_range": " ".join(xl_range(*r) for r in ranges)})
        self._cells.clear()


def _ranges(cells: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Runs of consecutive rows in each column, as (first row, col, last row, col)."""
    ranges = []
    for col, in_col in groupby(sorted(cells, key=lambda rc: (rc[1], rc[0])), key=lambda rc: rc[1]):
        rows = [row for row, _col in in_col]
        start = rows[0]
        for before, after in zip(rows, [*rows[1:], None], strict=True):
            if after != before + 1:
                ranges.append((start, col, before, col))
                start = after
    return ranges
