"""Survey how the file reader treats real spreadsheets written by other tools: for every file under the given
folders, kehoach's reader (``kehoach.validators.engine.read_path``), python-calamine and openpyxl (read-only)
each read it, and the file is classed:

| class | meaning |
|---|---|
| ``ok`` | kehoach reads it, and so does calamine or openpyxl |
| ``over-refusal`` | an .xlsx/.xlsm/.xltx/.xltm kehoach refuses but calamine reads (calamine gives its values) |
| ``refused-openpyxl-only`` | kehoach and calamine fail, openpyxl reads it |
| ``refused-all`` | nobody reads it (broken, encrypted, not a workbook) |
| ``other-format`` | .xls/.xlsb/.ods/... : kehoach must refuse it with a message naming the format |
| ``kehoach-only`` | kehoach reads what neither reference reads |
| ``crash`` | kehoach raised, failed unexpectedly, timed out or killed its process: a defect |

The reader only reads the standard workbook's sheets (``layout.DATA_SHEETS``); a real file has other names, so by
default every worksheet of the file is treated as one of them (``--sheets all``), which is how the reader would
treat the file's sheets in a filled template. ``--sheets as-is`` surveys the reader unchanged.

Every file is read in a worker process with an address-space limit and a timeout; a worker that dies or hangs is
replaced. Usage::

    python scripts/survey_real_files.py DIR... [--format text|json] [--jobs N] [--timeout S] [--sheets all|as-is]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import resource
import selectors
import subprocess
import sys
import time
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

EXTENSIONS = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods", ".fods", ".numbers", ".xlam"}
OOXML = {".xlsx", ".xlsm", ".xltx", ".xltm"}
MEMORY_LIMIT = 3 << 30  # address space of a worker
CELL_SAMPLE = 2000  # cells compared between kehoach's grid and calamine's, per sheet
_SHEET_NAME = re.compile(rb"<(?:[\w.-]+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"")


# --- the worker: reads files named on stdin, one JSON line per stage on stdout -----------------------------------


_PROTOCOL: list = []  # the worker's channel to the parent: its original stdout, kept apart from what libraries print


def _emit(record: dict) -> None:
    channel = _PROTOCOL[0]
    channel.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    channel.flush()


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def producer(path: Path) -> dict:
    """Who wrote the file: docProps/app.xml's Application and AppVersion, core.xml's creator, and a guess."""
    facts = {"application": "", "app_version": "", "creator": "", "producer": ""}
    suffix = path.suffix.lower()
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())

            def text(part: str, tag: str) -> str:
                if part not in names or package.getinfo(part).file_size > 1 << 20:
                    return ""
                found = re.search(rb"<(?:\w+:)?" + tag.encode() + rb">([^<]*)<", package.read(part))
                return " ".join(html.unescape(found.group(1).decode("utf-8", "replace")).split()) if found else ""

            facts["application"] = text("docProps/app.xml", "Application")
            facts["app_version"] = text("docProps/app.xml", "AppVersion")
            facts["creator"] = text("docProps/core.xml", "creator")
            generator = text("meta.xml", "generator") if "meta.xml" in names else ""
            workbook = package.read("xl/workbook.xml")[:4096] if "xl/workbook.xml" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, NotImplementedError, RuntimeError):
        names, generator, workbook = set(), "", b""
    facts["producer"] = _guess_producer(facts, suffix, names, generator, workbook, path)
    return facts


def _guess_producer(facts: dict, suffix: str, names: set, generator: str, workbook: bytes, path: Path) -> str:
    application, creator = facts["application"], facts["creator"]
    if suffix in (".xls",):
        return "xls (BIFF)"
    if generator:
        return " ".join(generator.split()).split("/")[0]
    if creator.lower() == "openpyxl":
        return "openpyxl"
    if application:
        lowered = application.lower()
        for needle, name in (
            ("libreoffice", "LibreOffice"),
            ("openoffice", "OpenOffice"),
            ("wps", "WPS Office"),
            ("kingsoft", "WPS Office"),
            ("sheetjs", "SheetJS"),
            ("excelize", "excelize"),
            ("apache poi", "Apache POI"),
            ("phpspreadsheet", "PhpSpreadsheet"),
            ("phpexcel", "PHPExcel"),
            ("gnumeric", "Gnumeric"),
            ("numbers", "Apple Numbers"),
            ("google", "Google Sheets"),
            ("microsoft macintosh excel", "Microsoft Excel (Mac)"),
            ("microsoft excel", "Microsoft Excel"),
            ("microsoft office excel", "Microsoft Excel"),
        ):
            if needle in lowered:
                if name == "Microsoft Excel" and facts["app_version"].startswith("12.0000"):
                    return "Microsoft Excel 2007"  # also what XlsxWriter writes
                return name
        return application
    if not names:
        return "not a zip"
    if "xl/workbook.bin" in names:
        return "xlsb (no app.xml)"
    if b"<fileVersion" in workbook and b'appName="xl"' in workbook:
        return "Excel-like (no app.xml)"
    return "unknown (no app.xml)"


def _sheet_names(path: Path) -> list[str]:
    """The names of the file's worksheets (not chart, dialog or macro sheets), from workbook.xml and its relations;
    parsed here, not by calamine, which can abort the process on a broken file before kehoach has said a word."""
    from defusedxml import ElementTree

    try:
        with zipfile.ZipFile(path) as package:
            members = {n.replace("\\", "/"): n for n in package.namelist()}  # some zippers write backslashes

            def read(name: str) -> bytes:
                return package.read(members[name])

            part = "xl/workbook.xml"
            if part not in members:  # the main part is wherever the package's relations say
                for relation in ElementTree.fromstring(read("_rels/.rels")):
                    if relation.get("Type", "").endswith("/officeDocument"):
                        part = relation.get("Target", "").lstrip("/")
            folder, _, name = part.rpartition("/")
            workbook = ElementTree.fromstring(read(part))
            rels = ElementTree.fromstring(read(f"{folder}/_rels/{name}.rels".lstrip("/")))
    except Exception:  # the reader will say why it cannot read it
        return []
    kinds = {r.get("Id"): r.get("Type", "") for r in rels if r.tag.endswith("Relationship")}
    names = []
    for element in workbook.iter():
        if element.tag.rpartition("}")[2] != "sheet" or element.get("name") is None:
            continue
        ids = [value for key, value in element.attrib.items() if key.rpartition("}")[2] == "id"]
        if not ids or kinds.get(ids[0], "").endswith("/worksheet") or ids[0] not in kinds:
            names.append(element.get("name"))
    return names


def _kehoach(path: Path, sheets: str) -> dict:
    import unicodedata

    from kehoach.validators.engine import read_path
    from kehoach.validators.workbook import RawWorkbook
    from kehoach.workbook_templates import layout

    original = layout.DATA_SHEETS
    names = _sheet_names(path) if sheets == "all" else []
    if sheets == "all":
        layout.DATA_SHEETS = tuple(unicodedata.normalize("NFC", n) for n in names)
    started = time.perf_counter()
    try:
        book = read_path(path)
    except Exception as error:  # read_path promises never to raise
        return {"outcome": "raised", "reason": f"{type(error).__name__}: {error}", "seconds": 0.0}
    finally:
        layout.DATA_SHEETS = original
    seconds = round(time.perf_counter() - started, 3)
    if isinstance(book, RawWorkbook):
        grids = {name: grid for name, grid in book.sheets.items()}
        return {
            "outcome": "read",
            "sheets": len(grids),
            "cells": sum(sum(len(r) for r in g.rows) for g in grids.values()),
            "seconds": seconds,
            "mismatches": _compare_with_calamine(path, grids, names),
        }
    unexpected = book.reason_en.startswith("unexpected")
    return {
        "outcome": "unexpected" if unexpected else "refused",
        "reason": book.reason,
        "reason_en": book.reason_en,
        "seconds": seconds,
    }


def _compare_with_calamine(path: Path, grids: dict, names: list[str]) -> list[str]:
    """Cells (a sample) where kehoach's grid differs from python-calamine read directly; error values, which
    calamine reads as empty and kehoach fills in, are skipped."""
    import unicodedata

    import python_calamine
    from kehoach.validators.workbook import ExcelError, normalize

    differences = []
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in names:
            grid = grids.get(unicodedata.normalize("NFC", name))
            if grid is None:
                differences.append(f"{name}: sheet missing")
                continue
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            compared = 0
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    mine = grid.value(r, c)
                    if isinstance(mine, ExcelError):
                        continue
                    if normalize(value) != mine and not (value != value and mine != mine):  # NaN
                        differences.append(f"{name}!R{r + 1}C{c + 1}: {value!r} != {mine!r}")
                    compared += 1
                    if compared >= CELL_SAMPLE or len(differences) > 5:
                        break
                if compared >= CELL_SAMPLE or len(differences) > 5:
                    break
    except Exception as error:
        differences.append(f"comparison failed: {type(error).__name__}: {error}")
    return differences[:6]


def _calamine(path: Path) -> dict:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        cells = 0
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            cells += sum(len(r) for r in sheet.to_python(skip_empty_area=False))
        return {"outcome": "read", "sheets": len(book.sheet_names), "cells": cells}
    except BaseException as error:
        return {"outcome": "failed", "reason": f"{type(error).__name__}: {str(error)[:200]}"}


def _openpyxl(path: Path) -> dict:
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            cells = 0
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    cells += len(row)
                    if cells > 5_000_000:
                        break
            book.close()
        return {"outcome": "read", "cells": cells}
    except BaseException as error:
        return {"outcome": "failed", "reason": f"{type(error).__name__}: {str(error)[:200]}"}


def worker(sheets: str) -> None:
    import logging

    logging.disable(logging.CRITICAL)  # read_path logs the tracebacks of unexpected failures
    _PROTOCOL.append(os.fdopen(os.dup(1), "w", encoding="utf-8"))
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # anything printed (Python or native code) goes nowhere
    sys.stdout = sys.stderr
    _limit_memory()
    for line in sys.stdin:
        path = Path(line.rstrip("\n"))
        _emit({"stage": "producer", **producer(path)})
        _emit({"stage": "kehoach", **_kehoach(path, sheets)})
        _emit({"stage": "calamine", **_calamine(path)})
        _emit({"stage": "openpyxl", **_openpyxl(path)})
        _emit({"stage": "done"})


# --- the parent: hands files to workers, classes the results -------------------------------------------------------


class Worker:
    def __init__(self, sheets: str):
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", "--sheets", sheets],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.buffer = b""
        self.path: Path | None = None
        self.record: dict = {}
        self.started = 0.0

    def give(self, path: Path) -> None:
        self.path, self.record, self.started = path, {"file": str(path)}, time.monotonic()
        self.process.stdin.write(f"{path}\n".encode())
        self.process.stdin.flush()

    def lines(self) -> list[str] | None:
        """The complete lines the worker has written since the last call; None when it has died."""
        chunk = os.read(self.process.stdout.fileno(), 1 << 16)
        if not chunk:
            return None
        self.buffer += chunk
        *complete, self.buffer = self.buffer.split(b"\n")
        return [line.decode() for line in complete]

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


STAGES = ("producer", "kehoach", "calamine", "openpyxl")


def survey(files: list[Path], jobs: int, timeout: float, sheets: str) -> list[dict]:
    pending, results = list(reversed(files)), []
    selector = selectors.DefaultSelector()
    workers: list[Worker] = []

    def start() -> None:
        worker = Worker(sheets)
        workers.append(worker)
        selector.register(worker.process.stdout, selectors.EVENT_READ, worker)
        if pending:
            worker.give(pending.pop())

    def finish(worker: Worker, failure: str | None) -> None:
        record = worker.record
        for stage in STAGES:
            if stage not in record:
                record[stage] = {"outcome": failure or "missing"}
                failure = failure and "not run"
        results.append(classify(record))
        worker.path = None

    def retire(worker: Worker, failure: str) -> None:
        finish(worker, failure)
        selector.unregister(worker.process.stdout)
        worker.stop()
        workers.remove(worker)
        if pending:
            start()

    for _ in range(min(jobs, len(pending))):
        start()
    while workers:
        events = selector.select(timeout=1.0)
        for key, _ in events:
            worker = key.data
            lines = worker.lines()
            if lines is None:  # the process died: out of memory, abort, signal
                code = worker.process.wait()
                retire(worker, f"died (exit {code})")
                continue
            for line in lines:
                if not line.startswith('{"stage"'):
                    continue
                record = json.loads(line)
                stage = record.pop("stage")
                if stage != "done":
                    worker.record[stage] = record
                    continue
                finish(worker, None)
                if pending:
                    worker.give(pending.pop())
                else:
                    selector.unregister(worker.process.stdout)
                    worker.process.stdin.close()
                    worker.process.wait()
                    workers.remove(worker)
        for worker in list(workers):
            if worker.path is not None and time.monotonic() - worker.started > timeout:
                retire(worker, f"timeout ({timeout:g} s)")
    return sorted(results, key=lambda r: r["file"])


def classify(record: dict) -> dict:
    suffix = Path(record["file"]).suffix.lower()
    kehoach, calamine, pyxl = record["kehoach"], record["calamine"], record["openpyxl"]
    facts = record.get("producer", {})
    record["producer_name"] = facts.get("producer", "") or "?"
    if kehoach["outcome"] not in ("read", "refused"):
        verdict = "crash"
    elif suffix not in OOXML:
        verdict = "other-format"
    elif kehoach["outcome"] == "read":
        verdict = "ok" if "read" in (calamine["outcome"], pyxl["outcome"]) else "kehoach-only"
    elif calamine["outcome"] == "read":
        verdict = "over-refusal"
    elif pyxl["outcome"] == "read":
        verdict = "refused-openpyxl-only"
    else:
        verdict = "refused-all"
    record["class"] = verdict
    return record


def files_under(folders: list[str]) -> list[Path]:
    found = []
    for folder in folders:
        root = Path(folder)
        candidates = [root] if root.is_file() else root.rglob("*")
        found += [p for p in candidates if p.is_file() and p.suffix.lower() in EXTENSIONS]
    return sorted(set(found))


def _reason(part: dict) -> str:
    return part.get("reason_en") or part.get("reason") or ""


def report_text(results: list[dict]) -> str:
    lines = ["| file | producer | class | kehoach | calamine | openpyxl |", "|---|---|---|---|---|---|"]
    for r in results:
        k = r["kehoach"]
        kehoach = k["outcome"] + (f": {_reason(k)}" if k["outcome"] != "read" else "")
        if k.get("mismatches"):
            kehoach += f" (differs from calamine: {k['mismatches'][0]})"
        lines.append(
            f"| {r['file']} | {r['producer_name']} | {r['class']} | {kehoach} | {r['calamine']['outcome']} | "
            f"{r['openpyxl']['outcome']} |"
        )
    lines += ["", "Totals by class:"]
    lines += [f"  {n:5d}  {c}" for c, n in Counter(r["class"] for r in results).most_common()]
    lines += ["", "By producer (class counts):"]
    by_producer: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        by_producer[r["producer_name"]][r["class"]] += 1
    for name, counts in sorted(by_producer.items(), key=lambda item: -sum(item[1].values())):
        lines.append(f"  {sum(counts.values()):5d}  {name}: " + ", ".join(f"{c} {n}" for c, n in counts.most_common()))
    for verdict in ("over-refusal", "refused-openpyxl-only", "refused-all", "other-format", "crash"):
        reasons = Counter(_group(r) for r in results if r["class"] == verdict)
        if reasons:
            lines += ["", f"Reasons ({verdict}):"]
            lines += [f"  {n:5d}  {reason}" for reason, n in reasons.most_common()]
    mismatched = [r for r in results if r["kehoach"].get("mismatches")]
    lines += ["", f"Files read with cells differing from calamine's: {len(mismatched)}"]
    return "\n".join(lines)


def _group(record: dict) -> str:
    """The refusal reason without its file-specific details: the text in parentheses, sheet names, part names and
    cell references."""
    reason = _reason(record["kehoach"])
    if not reason:
        return record["kehoach"]["outcome"]
    reason = re.sub(r" \(.*\)$", "", reason)
    reason = re.sub(r"'[^']*'", "'…'", reason)
    reason = re.sub(r"(?<![\w/])[\w.\[\]-]+/[\w./\[\]-]*", "<part>", reason)
    return re.sub(r" at \$?[A-Z]+\$?[0-9]+\b", " at <cell>", reason)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", metavar="DIR")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds per file (all three readers)")
    parser.add_argument("--sheets", choices=("all", "as-is"), default="all")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.sheets)
        return 0
    if not args.folders:
        parser.error("give at least one folder or file")
    files = files_under(args.folders)
    results = survey(files, max(1, args.jobs), args.timeout, args.sheets)
    if args.format == "json":
        totals = Counter(r["class"] for r in results)
        json.dump({"files": results, "totals": dict(totals)}, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(report_text(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
