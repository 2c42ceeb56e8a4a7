"""Precision and recall of the validator on generated submissions with injected mistakes.

Recall: the share of injected mistakes reported with the expected rule at the expected cell; and, for a
broken identity, at any of its cells (one equation cannot tell which of its cells is wrong).
Precision: the share of findings that stand at an injected cell (a finding elsewhere is a false alarm,
such as a cascade from one mistake to a neighbouring cell). Clean submissions are checked too: any finding
on them is a false alarm.
"""

from __future__ import annotations

import copy
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kehoach.samples.generate import generate_all
from kehoach.samples.inject import REWRITES, Injection, Injector, NotApplicable
from kehoach.validators.engine import validate_path
from kehoach.validators.registry import all_rules
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.catalog import Catalog

# Each alone in its file: a structural mistake hides the others, an edit of the file drops formula results.
ALONE = {"S001", "S002", "S010"} | REWRITES


@dataclass
class Measurement:
    injected: Counter = field(default_factory=Counter)  # by rule
    recalled: Counter = field(default_factory=Counter)  # reported at the injected cell
    recalled_identity: Counter = field(default_factory=Counter)  # reported at a cell of the broken identity
    findings: int = 0
    findings_at_injected_cells: int = 0
    clean_files: int = 0
    clean_findings: int = 0
    files: int = 0
    misses: list[tuple[Injection, list[tuple[str, str, str]]]] = field(default_factory=list)
    false_alarms: Counter = field(default_factory=Counter)  # by rule

    @property
    def recall(self) -> float:
        return sum(self.recalled.values()) / max(sum(self.injected.values()), 1)

    @property
    def recall_identity(self) -> float:
        return sum(self.recalled_identity.values()) / max(sum(self.injected.values()), 1)

    @property
    def precision(self) -> float:
        return self.findings_at_injected_cells / max(self.findings, 1)


def measure(catalog: Catalog, workdir: Path, target: int, per_file: int = 5, seed: int = 1) -> Measurement:
    """Inject about ``target`` mistakes in files of ``per_file`` mistakes each (structural ones alone)."""
    rng = random.Random(seed)
    codes = [r.code for r in all_rules() if r.code != "X001"]
    result = Measurement()
    workdir.mkdir(parents=True, exist_ok=True)
    while sum(result.injected.values()) < target:
        fillings = generate_all(catalog, seed=rng.randrange(10**6))
        unit = rng.choice(list(catalog.units))
        clean = build_workbook(catalog, unit, workdir / f"clean_{result.files}.xlsx", fillings[unit.code])
        result.clean_files += 1
        result.clean_findings += len(validate_path(clean, catalog).findings)
        injector = Injector(catalog, unit, copy.deepcopy(fillings[unit.code]), rng)
        injections: list[Injection] = []
        for code in rng.sample(codes, len(codes)):
            if len(injections) == per_file or (injections and code in ALONE):
                continue
            try:
                injections.append(injector.inject(code))
            except NotApplicable:
                continue
            if code in ALONE:
                break
        path = injector.write(workdir / f"injected_{result.files}.xlsx")
        result.files += 1
        _score(result, injections, [(f.rule, f.sheet, f.cell) for f in validate_path(path, catalog).findings])
    return result


def _score(result: Measurement, injections: list[Injection], found: list[tuple[str, str, str]]) -> None:
    places = {(i.sheet, c) for i in injections for c in (i.cell, *i.related)}
    for injection in injections:
        result.injected[injection.rule] += 1
        cells = {injection.cell, *injection.related}
        if (injection.rule, injection.sheet, injection.cell) in found:
            result.recalled[injection.rule] += 1
        else:
            result.misses.append((injection, found))
        if any(rule == injection.rule and sheet == injection.sheet and cell in cells for rule, sheet, cell in found):
            result.recalled_identity[injection.rule] += 1
    result.findings += len(found)
    for rule, sheet, cell in found:
        if (sheet, cell) in places:
            result.findings_at_injected_cells += 1
        else:
            result.false_alarms[rule] += 1


def report(result: Measurement) -> str:
    lines = [f"{'rule':<6} {'injected':>8} {'at cell':>8} {'recall':>7} {'in identity':>12}"]
    for code in sorted(result.injected):
        injected, recalled = result.injected[code], result.recalled[code]
        lines.append(
            f"{code:<6} {injected:>8} {recalled:>8} {recalled / injected:>7.1%} "
            f"{result.recalled_identity[code] / injected:>12.1%}"
        )
    lines += [
        f"files with mistakes: {result.files}, mistakes injected: {sum(result.injected.values())}",
        f"recall at the injected cell: {result.recall:.2%}, at a cell of the broken identity: "
        f"{result.recall_identity:.2%}",
        f"precision: {result.precision:.2%} "
        f"({result.findings_at_injected_cells} of {result.findings} findings at an injected cell)",
        f"false alarms by rule: {dict(result.false_alarms)}",
        f"clean files: {result.clean_files}, findings on them: {result.clean_findings}",
    ]
    return "\n".join(lines)
