"""The end-to-end demonstration: templates, an inbox of synthetic submissions as the DPI would receive them
(a few mistakes, a correction, a late file, a broken file, a unit that never sent anything), and the merge.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from kehoach.master.merge import MergeOutcome, merge
from kehoach.samples.generate import generate_all, mark_received, write_submission
from kehoach.samples.inject import Injection, Injector
from kehoach.scenarios.sheet import add_to_master
from kehoach.workbook_templates.builder import build_all
from kehoach.workbook_templates.catalog import Catalog, load_catalog

MISSING = "BDBP"  # never sends a file
LATE = ("H849", dt.datetime(2020, 7, 13, 9, 15))  # sends after the deadline
CORRECTED = ("SNNPTNT", ("T001", "K004", "P002"))  # first file with errors, then a corrected revision 2
REJECTED = ("SYT", ("C001", "R001", "P006"))  # only a file with errors
WARNED = ("SKHDT", ("O001",))  # a warning only: merged
BROKEN = "bao-cao-cu.xlsx"  # an old .xls renamed


@dataclass
class Demo:
    templates: Path
    inbox: Path
    outcome: MergeOutcome
    injected: dict[str, list[Injection]]


def run_demo(out: Path, seed: int = 2020, catalog: Catalog | None = None) -> Demo:
    catalog = catalog or load_catalog()
    templates, inbox = out / "bieu-mau", out / "hop-thu"
    build_all(templates, catalog=catalog)
    inbox.mkdir(parents=True, exist_ok=True)
    fillings = generate_all(catalog, seed)
    rng = random.Random(seed)
    injected: dict[str, list[Injection]] = {}
    for unit in catalog.units:
        if unit.code == MISSING:
            continue
        filling = fillings[unit.code]
        name = f"{unit.file_stem}.xlsx"
        if unit.code in (CORRECTED[0], REJECTED[0], WARNED[0]):
            codes = dict((CORRECTED, REJECTED, WARNED))[unit.code]
            injector = Injector(catalog, unit, copy.deepcopy(filling), rng)
            injected[unit.code] = [injector.inject(code) for code in codes]
            first = inbox / ("lan-1_" + name if unit.code == CORRECTED[0] else name)
            mark_received(injector.write(first), filling)
            if unit.code != CORRECTED[0]:
                continue
            filling.info["revision"] = 2
            filling.info["submitted_on"] = filling.info["submitted_on"] + dt.timedelta(days=1)  # type: ignore[operator]
            name = "lan-2_" + name
        received = LATE[1] if unit.code == LATE[0] else None
        write_submission(catalog, unit, filling, inbox / name, received)
    (inbox / BROKEN).write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    outcome = merge(inbox, out / "tong-hop.xlsx", catalog=catalog, extra_sheets=(add_to_master,))
    return Demo(templates, inbox, outcome, injected)
