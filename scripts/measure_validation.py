"""Measure the validator's precision and recall on generated submissions with injected mistakes.

python scripts/measure_validation.py [--errors 600] [--per-file 5] [--seed 1]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from kehoach.samples.measure import measure, report
from kehoach.workbook_templates.catalog import load_catalog


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", type=int, default=600)
    parser.add_argument("--per-file", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kehoach-measure-") as workdir:
        result = measure(load_catalog(), Path(workdir), args.errors, args.per_file, args.seed)
    print(report(result))
    for injection, found in result.misses[:20]:
        print("missed:", injection, "found:", found[:6])
    print(f"time: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
