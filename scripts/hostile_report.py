"""Build the hostile-input corpus and check every file in its own `kehoach validate` process; print a table
of input, outcome, message, time and peak memory (Markdown).

    python scripts/hostile_report.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(path: Path) -> tuple[int, float, float, dict]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "kehoach.cli.main", "validate", "--format", "json", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    out = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss / 1024, json.loads(out)["files"][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kehoach-hostile-") as scratch:
        directory = args.keep or Path(scratch)
        # Built in a child process: a child of a large parent starts with the parent's pages counted as its
        # own, which would hide the checks' real peak memory.
        build = (
            "import pickle, sys; from pathlib import Path; from kehoach.samples.hostile import build_corpus; "
            "from tests.support.libreoffice import convert; "
            "from kehoach.workbook_templates.catalog import load_catalog; "
            "sys.stdout.buffer.write(pickle.dumps(build_corpus(Path(sys.argv[1]), load_catalog(), convert)))"
        )
        done = subprocess.run([sys.executable, "-c", build, str(directory)], cwd=ROOT, capture_output=True, check=True)
        corpus = pickle.loads(done.stdout)
        print("| input | what | exit | findings | first message | time (s) | peak memory (MB) |")
        print("|---|---|---|---|---|---|---|")
        for item in corpus.items:
            code, seconds, peak, entry = measure(corpus.path(item))
            rules = sorted({f["rule"] for f in entry["findings"]})
            message = entry["findings"][0]["message"] if entry["findings"] else "(không có lỗi)"
            ok = "" if code == item.exit_code and set(item.rules) <= set(rules) else " **UNEXPECTED**"
            print(
                f"| {item.name} | {item.what} | {code}{ok} | {', '.join(rules) or '-'} | {message[:110]} | "
                f"{seconds:.2f} | {peak:.0f} |"
            )


if __name__ == "__main__":
    main()
