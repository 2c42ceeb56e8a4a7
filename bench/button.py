"""How long one press of «Kiểm tra dữ liệu» takes on the Python side, on the largest workbook (the Statistics
Office's, CTK, filled, with a few mistakes), through xlwings' remote engine.

    python bench/button.py [--runs 5] [--python LABEL=PATH ...]

With ``--python`` (repeatable) the same payload is pressed with each interpreter, in turn, in the same run: e.g.
a venv holding only pyproject's addin group (what the staff bundle carries) with the kehoach wheel of one commit,
and another with the wheel of a later commit, for a before/after. Without it, this Python (the development venv:
its extra test packages change the timings, e.g. pandera imports hypothesis when it is installed).

Each run is a fresh process, as RunPython starts one per press. Stages, from the moment the process is
started: interpreter start; import (what the RunPython command line imports before our entry point: xlwings,
which loads numpy and pandas when they are installed, and xl_addin, which loads nothing heavy); read (attach
to the workbook, one bulk read per sheet); validate (the engine, with the rule modules and pandera loaded on
first use); write (cell marks, stamp, report sheet). Building the JSON payload is Excel's part, not counted.
The target is under 1.5 s in total.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("interpreter start", "import", "read", "validate", "write")
MISTAKES = ("T001", "C001", "P003", "K001", "O001")
TARGET = 1.5
# Modules a press should not need: the template builder and what only the DPI's commands use.
WATCHED = ("kehoach.workbook_templates.builder", "xlsxwriter.workbook", "openpyxl", "pyopenvba", "hypothesis")


def child(payload: Path, started: float) -> None:
    """One button press; prints the stage times as JSON."""
    marks = {"interpreter start": time.time() - started}
    begin = time.perf_counter()
    import xlwings as xw

    middle = time.perf_counter()
    from kehoach import xl_addin  # noqa: F401  (what the RunPython command imports)

    marks["import"] = time.perf_counter() - begin
    detail = {"of which xl_addin": time.perf_counter() - middle}
    data = json.loads(payload.read_text(encoding="utf-8"))  # Excel's part: not timed
    begin = time.perf_counter()
    from kehoach.xl_addin.excel import read_book, write_check

    book = xw.Book(json=data)
    raw = read_book(book)
    marks["read"] = time.perf_counter() - begin
    begin = time.perf_counter()
    from kehoach.validators.engine import validate_book
    from kehoach.workbook_templates.catalog import load_catalog

    report = validate_book(raw, load_catalog())
    marks["validate"] = time.perf_counter() - begin
    begin = time.perf_counter()
    write_check(book, report, dt.datetime.now())
    actions = book.json()["actions"]
    marks["write"] = time.perf_counter() - begin
    loaded = sorted(m for m in WATCHED if m in sys.modules)
    result = {"stages": marks, "detail": detail, "findings": len(report.findings), "actions": len(actions)}
    print(json.dumps(result | {"loaded": loaded}))


def workbook(folder: Path) -> Path:
    """The CTK workbook, filled, with one mistake of each of a few families, as a remote-engine payload."""
    sys.path.insert(0, str(ROOT))
    from kehoach.samples.generate import generate_all
    from kehoach.samples.inject import Injector
    from kehoach.workbook_templates.catalog import load_catalog

    from tests.support.xlremote import payload

    catalog = load_catalog()
    filling = generate_all(catalog, seed=2020, units=["CTK"])["CTK"]
    injector = Injector(catalog, catalog.unit("CTK"), copy.deepcopy(filling), random.Random(1))
    for code in MISTAKES:
        injector.inject(code)
    path = injector.write(folder / "CTK.xlsm")
    target = folder / "payload.json"
    target.write_text(json.dumps(payload(path), ensure_ascii=False, default=str), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", action="append", default=[], help="LABEL=PATH of an interpreter to time")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--started", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.started)
        return
    pythons = [tuple(item.split("=", 1)) for item in args.python] or [("this Python", sys.executable)]
    with tempfile.TemporaryDirectory(prefix="kehoach-bench-") as folder:
        payload = workbook(Path(folder))
        results = {label: press(python, payload, args.runs) for label, python in pythons}
    for label, runs in results.items():
        report(label, runs, args.runs)


def press(python: str, payload: Path, count: int) -> list[dict]:
    """``count`` presses, each a fresh process of ``python`` (outside the checkout, so that the kehoach it has
    installed is the one timed, except for this Python, which uses the checkout)."""
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial"}
    env.pop("PYTHONPATH", None)
    if python == sys.executable:
        env["PYTHONPATH"] = str(ROOT)
    runs = []
    for _ in range(count):
        command = [python, __file__, "--child", str(payload), "--started", str(time.time())]
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=True, cwd=payload.parent)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return runs


def report(label: str, runs: list[dict], count: int) -> None:
    print(f"{label}: one press of «Kiểm tra dữ liệu» on CTK ({runs[0]['findings']} findings), median of {count} runs:")
    medians = {stage: statistics.median(r["stages"][stage] for r in runs) for stage in STAGES}
    for stage in STAGES:
        print(f"  {stage:<18} {medians[stage]:6.3f} s")
        if stage == "import":
            light = statistics.median(r["detail"]["of which xl_addin"] for r in runs)
            print(f"    {'of which xl_addin':<16} {light:6.3f} s  (the rest is xlwings, with numpy and pandas)")
    total = statistics.median(sum(r["stages"].values()) for r in runs)
    print(f"  {'total':<18} {total:6.3f} s  (target < {TARGET} s: {'met' if total < TARGET else 'NOT met'})")
    modules = runs[0].get("loaded")
    if modules is not None:
        print(f"  loaded, of the modules a press should not need: {', '.join(modules) or 'none'}")


if __name__ == "__main__":
    main()
