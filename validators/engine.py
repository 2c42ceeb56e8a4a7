"""Validate a workbook: read it, locate its contract, run every registered rule, collect the findings.

One engine for the button in the workbook (a RawWorkbook built from live Excel), `kehoach validate` and
the merge (files). Rules yield hits; the engine stamps each with its rule's code, severity and message
templates. A rule that fails (raises, or yields a hit its templates cannot describe) becomes one internal-error
finding (X900) on that file, its traceback in the log (validators.crashlog); the other rules still run."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from kehoach.validators import crashlog
from kehoach.validators.context import Context
from kehoach.validators.contract import Submission, locate
from kehoach.validators.findings import ERROR, WARNING, Finding, Hit
from kehoach.validators.registry import INDICATOR, INTERNAL_ERROR, OLDER_FORMAT, Rule, all_rules
from kehoach.validators.workbook import FORMAT_NAMES, RawWorkbook, UnreadableWorkbook
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import Catalog, load_catalog

logger = logging.getLogger(__name__)
# Rules that need the .xlsx package, not only values: formula cells (S009, and K-rules' overwritten-formula
# hints degrade to "unknown"), macros (S011), external links and DDE (S012), merged input cells (S013: calamine
# reports an .ods file's merges not at all). On an .xls/.ods file they are not run and reported as not applicable.
PACKAGE_RULES = ("S009", "S011", "S012", "S013")
NOT_APPLICABLE = {
    "vi": "không áp dụng cho tệp .xls/.ods",
    "en": "not applicable to .xls/.ods files",
}


@dataclass
class Report:
    label: str
    findings: list[Finding] = field(default_factory=list)
    submission: Submission | None = None
    legacy: str = ""  # ".xls"/".ods": read from an older format (values only)

    @property
    def not_applicable(self) -> list[str]:
        """Rule codes not run: they need the .xlsx package."""
        return list(PACKAGE_RULES) if self.legacy else []

    @property
    def unit(self) -> str:
        return self.submission.unit_code if self.submission else ""

    @property
    def template_version(self) -> str:
        if self.submission is None:
            return ""
        value = self.submission.identity[L.NAME_TEMPLATE_VERSION][0]
        return "" if value is None else str(value)

    @property
    def readable(self) -> bool:
        return self.submission is not None

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def warnings(self) -> int:
        return self.count(WARNING)


def validate_book(book: RawWorkbook, catalog: Catalog | None = None) -> Report:
    catalog = catalog or load_catalog()
    submission = locate(book, catalog)
    report = _run(book.label, Context(submission, catalog), submission, skip=PACKAGE_RULES if book.legacy else ())
    if book.legacy:
        report.legacy = book.legacy
        hit = Hit.on_sheet("", format=FORMAT_NAMES[book.legacy], rules=", ".join(PACKAGE_RULES))
        report.findings.insert(0, stamp(OLDER_FORMAT, hit))
    return report


def validate_path(path: Path, catalog: Catalog | None = None) -> Report:
    """Validate a workbook file; an unreadable file gives a report with one X001 finding, never an exception."""
    return validate_read(Path(path).name, read_path(path), catalog or load_catalog())


def read_path(path: Path) -> RawWorkbook | UnreadableWorkbook:
    """The workbook in a file, or why it cannot be read: never an exception."""
    # Not imported by the button, which reads live Excel.
    from kehoach.validators.reader import read_workbook
    from kehoach.validators.winfiles import long_path, same_name

    path = long_path(same_name(Path(path)))  # the name in another Unicode form; over 260 chars
    try:
        return read_workbook(path)
    except UnreadableWorkbook as error:
        return error
    except Exception as error:
        logger.exception("unexpected failure reading %s", path)
        return UnreadableWorkbook(
            f"tệp có cấu trúc bất thường, không đọc được ({type(error).__name__})", f"unexpected {error!r}"
        )


def validate_read(label: str, book: RawWorkbook | UnreadableWorkbook, catalog: Catalog) -> Report:
    """The report on what :func:`read_path` returned."""
    if isinstance(book, UnreadableWorkbook):
        return _run(label, Context(None, catalog, book), None)
    return validate_book(book, catalog)


class HitError(Exception):
    """A rule yielded something its registration cannot turn into a finding."""

    def __init__(self, message: str, hit: object):
        super().__init__(message)
        self.hit = hit


def stamp(rule: Rule, hit: Hit) -> Finding:
    """The finding of ``hit``, with the code, severity and templates of ``rule``; HitError when the hit lacks
    a value the templates name, or gives one the rule does not declare."""
    if not isinstance(hit, Hit):
        raise HitError(f"yielded {type(hit).__name__}, not a Hit", hit)
    missing = rule.placeholders - hit.values.keys() - {INDICATOR}
    undeclared = hit.values.keys() - set(rule.values)
    if missing or undeclared:
        message = f"hit values {sorted(hit.values)}: missing {sorted(missing)}, undeclared {sorted(undeclared)}"
        raise HitError(message, hit)
    return Finding(
        rule=rule.code,
        severity=rule.severity,
        sheet=hit.sheet,
        cell=hit.cell,
        indicator=hit.indicator,
        values=dict(hit.values),
        suggestion=hit.suggestion,
        templates=(rule.message_vi, rule.message_en),
    )


def run_rule(rule: Rule, ctx: Context, label: str) -> list[Finding]:
    """The findings of one rule on one file; when the rule fails, one internal-error finding instead.

    The one broad ``except`` of the core: one broken rule never breaks a run (sqlfluff does the same)."""
    findings = []
    try:
        for hit in rule.check(ctx):
            findings.append(stamp(rule, hit))
    except Exception as error:
        detail = repr(error.hit)[:1000] if isinstance(error, HitError) else ""
        log = crashlog.record(label, rule.code, error, detail)
        text = " ".join(f"{type(error).__name__}: {error}".split())
        text = text if len(text) <= 200 else text[:199] + "…"
        return [stamp(INTERNAL_ERROR, Hit.on_sheet("", rule=rule.code, error=text, log=log))]
    return findings


def _run(label: str, ctx: Context, submission: Submission | None, skip: tuple[str, ...] = ()) -> Report:
    findings: list[Finding] = []
    for rule in all_rules():
        if (submission is None) != (rule.family == "reading") or rule.code in skip:
            continue
        findings.extend(run_rule(rule, ctx, label))
    findings.sort(key=Finding.sort_key)
    return Report(label, findings, submission)
