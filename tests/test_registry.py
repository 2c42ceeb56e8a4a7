"""The registry keeps every message renderable: templates name only declared values (checked when a rule
registers), and a broken rule (one that raises, or yields a hit without a value its message names) becomes one
internal-error finding on that file, its traceback in the log, while the other rules and files still run and
`merge` still writes the master."""

from __future__ import annotations

import ast
import copy
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from kehoach.master.merge import merge
from kehoach.samples.generate import generate_all, write_submission
from kehoach.validators import crashlog
from kehoach.validators.context import Context
from kehoach.validators.engine import validate_path
from kehoach.validators.findings import ERROR, WARNING, Hit
from kehoach.validators.registry import (
    INDICATOR,
    INTERNAL_ERROR,
    REGISTRY,
    all_rules,
    placeholders,
    reference,
    rule,
)
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.catalog import load_catalog
from kehoach.workbook_templates.filling import Filling

RAISING, INCOMPLETE = "O998", "O999"  # unused codes, registered only while a test needs them
VALIDATORS = Path(__file__).parents[1] / "validators"


def test_every_rule_names_only_its_declared_values() -> None:
    for registered in reference():
        declared = set(registered.values)
        assert len(declared) == len(registered.values) and INDICATOR not in declared, registered.code
        for template in (registered.message_vi, registered.message_en):
            assert placeholders(template) <= declared | {INDICATOR}, (registered.code, template)
        assert registered.placeholders == placeholders(registered.message_vi) | placeholders(registered.message_en)


def test_the_internal_error_code_is_reserved_and_documented() -> None:
    assert INTERNAL_ERROR.code not in REGISTRY and INTERNAL_ERROR in reference()
    assert INTERNAL_ERROR.severity == ERROR and INTERNAL_ERROR.doc
    with pytest.raises(ValueError, match="already used"):
        rule(INTERNAL_ERROR.code, ERROR, "t", "m", "t", "m")(_nothing)


def _nothing(ctx: Context) -> Iterator[Hit]:
    """Finds nothing."""
    yield from ()


@pytest.mark.parametrize(
    ("message_vi", "message_en", "problem"),
    [
        ("Giá trị {value} của {oops}.", "The value {value}.", "vi message names undeclared values"),
        ("Giá trị {value}.", "The value {value} of {oops}.", "en message names undeclared values"),
        ("Giá trị {value:.1f}.", "The value {value}.", "invalid placeholder"),
        ("Giá trị {value!r}.", "The value {value}.", "invalid placeholder"),
        ("Giá trị {}.", "The value {value}.", "invalid placeholder"),
        ("Giá trị {value.real}.", "The value {value}.", "invalid placeholder"),
        ("Giá trị {value.", "The value {value}.", "invalid"),
    ],
)
def test_a_template_naming_an_undeclared_value_is_refused(message_vi: str, message_en: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        rule("O997", WARNING, "Thử", message_vi, "Test", message_en, values=("value",))(_nothing)
    assert "O997" not in REGISTRY


@pytest.mark.parametrize(
    ("code", "severity", "values"),
    [("Z001", WARNING, ()), ("O1", WARNING, ()), ("O997", "fatal", ()), ("O997", WARNING, ("indicator",))],
)
def test_a_bad_code_severity_or_value_name_is_refused(code: str, severity: str, values: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        rule(code, severity, "Thử", "Thử {indicator}.", "Test", "Test {indicator}.", values=values)(_nothing)
    assert code not in REGISTRY


def test_a_registered_code_cannot_be_registered_again() -> None:
    with pytest.raises(ValueError, match="already used"):
        rule("C001", ERROR, "t", "m", "t", "m")(_nothing)


def test_no_core_module_imports_the_registry_back() -> None:
    """Rules import the decorator, the engine and the reference page read the registry; nothing the registry
    needs (findings, context, contract...) imports it, so there is no cycle."""
    allowed = {"engine.py", "rulesdoc.py"}
    importers = set()
    for path in VALIDATORS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "kehoach.validators.registry":
                importers.add(path.relative_to(VALIDATORS).as_posix())
    assert importers - allowed == {p for p in importers if p.startswith("rules/")}, importers


# --- broken rules ------------------------------------------------------------------------------------


@pytest.fixture
def broken_rules(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Two broken rules registered for the test's duration, on the CTK file only: one raises after a good hit,
    the other yields a hit without a value its message names. Yields the log folder."""
    logs = tmp_path / "logs"
    monkeypatch.setenv(crashlog.ENV_LOG_DIR, str(logs))
    all_rules()  # the real rules first: the broken ones join a complete registry

    @rule(RAISING, WARNING, "Hỏng", "Giá trị {value}.", "Broken", "Value {value}.", values=("value",))
    def raising(ctx: Context) -> Iterator[Hit]:
        """Raises on CTK, after a good hit."""
        if ctx.sub.unit_code == "CTK":
            yield Hit.on_sheet(L.INDICATORS, value=1)
            yield Hit.on_sheet(L.INDICATORS, value=1 / 0)

    @rule(
        INCOMPLETE, WARNING, "Hỏng", "Từ {low} đến {high}.", "Broken", "From {low} to {high}.", values=("low", "high")
    )
    def incomplete(ctx: Context) -> Iterator[Hit]:
        """Forgets a value on CTK."""
        if ctx.sub.unit_code == "CTK":
            yield Hit.on_sheet(L.INDICATORS, low=1)

    try:
        yield logs
    finally:
        del REGISTRY[RAISING], REGISTRY[INCOMPLETE]


@pytest.fixture(scope="module")
def fillings() -> dict[str, Filling]:
    return generate_all(load_catalog(), seed=11, units=["CTK", "SKHDT"])


def _with_a_mistake(fillings: dict[str, Filling], tmp_path: Path) -> Path:
    """CTK with a number typed as text (T001) and a missing 2020 estimate (C001)."""
    catalog = load_catalog()
    filling = copy.deepcopy(fillings["CTK"])
    filling.indicators["KT05"]["actual_2016"] = "1.234,5"
    filling.indicators["KT05"]["estimate_2020"] = None
    return build_workbook(catalog, catalog.unit("CTK"), tmp_path / "CTK.xlsx", filling)


def _tuples(findings: list) -> list[tuple]:
    return [(f.rule, f.severity, f.sheet, f.cell, f.indicator, f.message("vi"), f.message("en")) for f in findings]


def test_a_broken_rule_becomes_one_internal_error(
    fillings: dict[str, Filling], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    path = _with_a_mistake(fillings, tmp_path)
    before = validate_path(path).findings
    assert {"T001", "C001"} <= {f.rule for f in before}
    logs = request.getfixturevalue("broken_rules")

    after = validate_path(path).findings

    internal = [f for f in after if f.rule == INTERNAL_ERROR.code]
    assert _tuples([f for f in after if f.rule != INTERNAL_ERROR.code]) == _tuples(before)
    assert {f.values["rule"] for f in internal} == {RAISING, INCOMPLETE}  # the good hit before the crash is dropped
    log = logs / crashlog.LOG_NAME
    for finding in internal:
        assert (finding.severity, finding.sheet, finding.cell) == (ERROR, "", "")
        assert finding.values["log"] == str(log)
        message = finding.message("vi")
        assert message.startswith(f"Lỗi nội bộ của quy tắc {finding.values['rule']}: ")
        assert f"Chi tiết đã ghi vào {log}." in message and "Sở Kế hoạch và Đầu tư" in message
        assert finding.as_dict()["message"] == message
    raised = next(f for f in internal if f.values["rule"] == RAISING)
    assert raised.values["error"] == "ZeroDivisionError: division by zero"
    incomplete = next(f for f in internal if f.values["rule"] == INCOMPLETE)
    assert "missing ['high']" in incomplete.values["error"]
    text = log.read_text(encoding="utf-8")
    assert f"rule {RAISING} failed on 'CTK.xlsx'" in text and "Traceback" in text and "1 / 0" in text
    assert f"rule {INCOMPLETE} failed on 'CTK.xlsx'" in text and "Hit(sheet=" in text


def test_the_same_failure_is_logged_once_in_full(
    fillings: dict[str, Filling], tmp_path: Path, broken_rules: Path
) -> None:
    path = _with_a_mistake(fillings, tmp_path)
    validate_path(path)
    validate_path(path)
    text = (broken_rules / crashlog.LOG_NAME).read_text(encoding="utf-8")
    assert text.count(f"rule {RAISING} failed") == 2 and text.count(f"rule {INCOMPLETE} failed") == 2
    assert text.count("Traceback (most recent call last)") == 2  # once a rule


def test_merge_still_writes_the_master(fillings: dict[str, Filling], tmp_path: Path, broken_rules: Path) -> None:
    """Two files (checked in this process): the broken rules fail on CTK, which is rejected with X900; SKHDT is
    merged and the master is written."""
    catalog = load_catalog()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for code in ("CTK", "SKHDT"):
        write_submission(catalog, catalog.unit(code), fillings[code], inbox / f"{code}.xlsx")

    outcome = merge(inbox, tmp_path / "out" / "tong-hop.xlsx", catalog=catalog)

    assert outcome.master.is_file() and outcome.master.stat().st_size > 0
    assert set(outcome.consolidation.merged) == {"SKHDT"}
    assert [r.unit for r in outcome.consolidation.rejected] == ["CTK"]
    (ctk,) = (r for r in outcome.files if r.unit == "CTK")
    internal = [f for f in ctk.findings if f["rule"] == INTERNAL_ERROR.code]
    assert sorted(f["values"]["rule"] for f in internal) == [RAISING, INCOMPLETE]
    assert all(str(broken_rules / crashlog.LOG_NAME) in f["message"] for f in internal)


# --- the log ------------------------------------------------------------------------------------------


def test_the_log_folder_is_the_users(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(crashlog.ENV_LOG_DIR, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert crashlog.log_dir() == tmp_path / "state" / "kehoach"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/state")  # the spec ignores a relative path
    assert crashlog.log_dir() == Path.home() / ".local" / "state" / "kehoach"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "AppData" / "Local"))
    assert crashlog.log_dir() == tmp_path / "AppData" / "Local" / "kehoach" / "logs"
    monkeypatch.setenv(crashlog.ENV_LOG_DIR, str(tmp_path / "mine"))
    assert crashlog.log_dir() == tmp_path / "mine"


def _failure() -> ZeroDivisionError:
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError as error:
        return error


def test_an_unwritable_log_folder_falls_back(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(crashlog.ENV_LOG_DIR, str(blocker / "logs"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    fallback = tmp_path / "tmp" / "kehoach" / crashlog.LOG_NAME
    assert crashlog.record("x.xlsx", "O998", _failure()) == str(fallback)
    assert "ZeroDivisionError" in fallback.read_text(encoding="utf-8")

    monkeypatch.setattr(tempfile, "tempdir", str(blocker / "tmp"))
    assert crashlog.record("x.xlsx", "O998", _failure()) == crashlog.STDERR
    assert "rule O998 failed on 'x.xlsx'" in caplog.text and "ZeroDivisionError" in caplog.text
