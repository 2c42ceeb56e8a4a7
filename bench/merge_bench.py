"""Benchmark `kehoach validate` and `kehoach merge` against what a user would otherwise do, in one run.

For each inbox size (40 = the province; 1,000 and 5,000 = many resubmissions, as on deadline day or across
provinces) it measures, each in its own process, wall time and peak memory of:
  - calamine floor: python-calamine reading every cell of every workbook, in as many worker processes as the
    merge starts (no tool can read faster);
  - pandas: `pandas.read_excel(sheet_name=None, engine="openpyxl")` of every workbook, concatenated
    (what an analyst would write);
  - datamaps: the UK DfT's tool importing every workbook into a master through a datamap CSV of our
    template's input cells (skipped above --datamaps-max files: it is slow);
  - kehoach merge, cold (empty ledger) and warm (ledger kept, nothing changed);
  - kehoach validate on one workbook and on 40.
Then ratios, the read / validate / write split of the merge, and the scaling exponent. First, unless
--no-button, it runs bench/button.py: the validation button's path, stage by stage.

    python bench/merge_bench.py [--sizes 40,1000,5000] [--datamaps-max 1000] [--no-button]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kehoach.samples.generate import generate_all, write_submission  # noqa: E402
from kehoach.samples.inject import resaved_project  # noqa: E402
from kehoach.workbook_templates import layout as L  # noqa: E402
from kehoach.workbook_templates.catalog import load_catalog  # noqa: E402

MEASURE = textwrap.dedent("""
    import json, resource, subprocess, sys, time
    started = time.perf_counter()
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True, env=None)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "code": done.returncode, "stdout": done.stdout,
                      "stderr": done.stderr[-2000:]}))
""")
CALAMINE = textwrap.dedent("""
    import json, os, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from pathlib import Path
    from python_calamine import CalamineWorkbook

    def read(path):
        started = time.process_time()
        book = CalamineWorkbook.from_path(path)
        cells = sum(len(row) for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python())
        return cells, time.process_time() - started

    paths = [str(p) for p in sorted(Path(sys.argv[1]).glob("*.xls*"))]
    workers = min(os.cpu_count() or 1, len(paths))  # as many as kehoach merge starts
    with ProcessPoolExecutor(workers) as pool:
        done = list(pool.map(read, paths, chunksize=max(1, len(paths) // (8 * workers))))
    print(json.dumps({"cells": sum(c for c, _ in done), "read_cpu": sum(s for _, s in done)}))
""")
PANDAS = textwrap.dedent("""
    import sys
    from pathlib import Path
    import pandas as pd
    frames = []
    for path in sorted(Path(sys.argv[1]).glob("*.xls*")):
        for name, frame in pd.read_excel(path, sheet_name=None, engine="openpyxl", header=None).items():
            frames.append(frame.assign(source=path.name, sheet=name))
    print(len(pd.concat(frames, ignore_index=True)))
""")


def measure(command: list[str], env: dict[str, str] | None = None) -> dict:
    """Wall time and peak memory (largest process of the tree) of a command, in a fresh wrapper process."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, cwd=ROOT, env=env, check=True
    )
    result = json.loads(done.stdout)
    if result["code"] not in (0, 1):
        raise RuntimeError(f"{command[:3]} failed: {result['stderr']}")
    return result


def make_inbox(directory: Path, size: int, seed: int = 2020) -> Path:
    """``size`` distinct submissions: the 36 units' clean files, then resubmissions of them, each with its own
    revision number (the zip is rewritten with that one cell changed). Each carries its own bytes of the
    template's macro project, as files saved by Excel do, so macros are compared module by module."""
    catalog = load_catalog()
    base = directory / "base"
    base.mkdir(parents=True)
    fillings = generate_all(catalog, seed)
    originals = [
        write_submission(catalog, catalog.unit(code), f, base / f"{code}.xlsm") for code, f in fillings.items()
    ]
    inbox = directory / f"inbox-{size}"
    inbox.mkdir()
    revision_row = L.INFO_FIRST_ROW + [f.key for f in L.unit_fields()].index("revision")
    revision_cell = L.a1(revision_row, L.INFO_VALUE_COL).encode()
    projects = [resaved_project(reserved) for reserved in range(2, 256)]
    for n in range(size):
        source = originals[n % len(originals)]
        target = inbox / f"{n:05d}_{source.name}"
        revision = n // len(originals) + 1 if n >= len(originals) else None
        _rewrite(source, target, revision_cell, revision, projects[n % len(projects)])
        stamp = source.stat().st_mtime + n
        os.utime(target, (stamp, stamp))
    shutil.rmtree(base)
    return inbox


def _rewrite(source: Path, target: Path, cell: bytes, revision: int | None, project: bytes) -> None:
    with zipfile.ZipFile(source) as package:
        parts = [(info.filename, package.read(info)) for info in package.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, data in parts:
            if name == "xl/vbaProject.bin":
                data = project
            if name == "xl/worksheets/sheet2.xml" and revision is not None:
                start = data.find(b'<c r="' + cell + b'"')
                value = data.find(b"<v>", start)
                data = data[: value + 3] + str(revision).encode() + data[data.find(b"</v>", value) :]
            package.writestr(name, data)
    target.write_bytes(buffer.getvalue())


def datamap(path: Path) -> Path:
    """A datamap CSV of the input cells of the indicator table (rows as far as the longest unit's table)."""
    catalog = load_catalog()
    rows = max(len(L.indicator_rows(catalog, u)) for u in catalog.units)
    columns = [c for c in L.indicator_columns() if c.role == "input" and c.type in ("number", "integer")]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["cell_key", "template_sheet", "cellreference", "type"])
        for row in range(L.FIRST_DATA_ROW, L.FIRST_DATA_ROW + rows):
            for column in columns:
                writer.writerow([f"r{row}_{column.key}", L.INDICATORS, L.indicator_cell(column.key, row), "NUMBER"])
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="40,1000,5000")
    parser.add_argument("--datamaps-max", type=int, default=1000)
    parser.add_argument("--no-button", action="store_true", help="skip bench/button.py")
    args = parser.parse_args()
    if not args.no_button:
        subprocess.run([sys.executable, str(ROOT / "bench" / "button.py")], check=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows, cold = [], {}
    with tempfile.TemporaryDirectory(prefix="kehoach-bench-") as scratch:
        work = Path(scratch)
        kehoach = [sys.executable, "-m", "kehoach.cli.main"]
        for size in sizes:
            inbox = make_inbox(work / f"n{size}", size)
            figures: dict[str, dict] = {}
            figures["pandas read_excel"] = measure([sys.executable, "-c", PANDAS, str(inbox)])
            if size <= args.datamaps_max and shutil.which("datamaps"):
                home = work / f"home{size}"
                home.mkdir()
                figures["datamaps"] = measure(
                    [
                        "datamaps",
                        "import",
                        "templates",
                        "-m",
                        "--datamap",
                        str(datamap(work / "datamap.csv")),
                        "--inputdir",
                        str(inbox),
                    ],
                    env={**os.environ, "HOME": str(home)},
                )
            master = work / f"out{size}" / "master.xlsx"
            # The floor is read just before and just after the cold merge, and the read ratio uses their mean:
            # this machine's speed drifts by up to 10% over minutes, and pandas and datamaps take minutes.
            figures["calamine floor"] = measure([sys.executable, "-c", CALAMINE, str(inbox)])
            figures["kehoach merge (cold)"] = measure(
                [*kehoach, "merge", str(inbox), "-o", str(master), "--format", "json"]
            )
            floor_after = measure([sys.executable, "-c", CALAMINE, str(inbox)])
            figures["kehoach merge (warm)"] = measure(
                [*kehoach, "merge", str(inbox), "-o", str(master), "--format", "json"]
            )
            if size == sizes[0]:
                files = sorted(inbox.glob("*.xls*"))
                figures["kehoach validate 1 file"] = measure([*kehoach, "validate", str(files[0])])
                figures["kehoach validate 40 files"] = measure([*kehoach, "validate", *map(str, files[:40])])
            split = json.loads(figures["kehoach merge (cold)"]["stdout"])["timings"]
            split["floors"] = [json.loads(f["stdout"])["read_cpu"] for f in (figures["calamine floor"], floor_after)]
            cold[size] = figures["kehoach merge (cold)"]["seconds"]
            rows.append((size, figures, split))
    _report(rows, cold)


def _report(rows: list, cold: dict[int, float]) -> None:
    print(f"{'files':>6}  {'tool':<28} {'seconds':>9} {'vs merge':>9} {'peak MB':>8}")
    for size, figures, split in rows:
        reference = figures["kehoach merge (cold)"]["seconds"]
        for tool, figure in figures.items():
            ratio = figure["seconds"] / reference
            print(f"{size:>6}  {tool:<28} {figure['seconds']:>9.2f} {ratio:>8.2f}x {figure['peak_mb']:>8.0f}")
        floor = sum(split["floors"]) / 2
        print(
            f"{'':>6}  merge split, CPU s summed over workers: read {split['read']:.2f} ({split['read'] / floor:.2f}x "
            f"the calamine floor's {floor:.2f}, mean of {split['floors'][0]:.2f} just before the merge and "
            f"{split['floors'][1]:.2f} just after), validate {split['validate']:.2f}, extract {split['extract']:.2f}; "
            f"wall s: checking {split['check_wall']:.2f}, consolidate {split['consolidate']:.2f}, "
            f"write master {split['write']:.2f}"
        )
        for tool in ("pandas read_excel", "datamaps"):
            if tool in figures:
                print(f"{'':>6}  kehoach merge is {figures[tool]['seconds'] / reference:.1f}x faster than {tool}")
    if len(cold) > 1:
        xs = [math.log(n) for n in cold]
        ys = [math.log(t) for t in cold.values()]
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
            (x - mean_x) ** 2 for x in xs
        )
        print(f"scaling of the cold merge: time ~ files^{slope:.2f} over {sorted(cold)}")


if __name__ == "__main__":
    main()
