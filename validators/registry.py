"""The rule registry: every rule has a stable code, a family, a severity, a short title, message templates in
Vietnamese and English, and the names of the values its hits give. Codes are never reused: a retired code
stays in RETIRED, and the internal-error code is reserved.

A rule is a function of the context that yields :class:`~kehoach.validators.findings.Hit` objects; the engine
stamps them into findings. Registration refuses a template that names a value the rule does not declare, so
a message can always be rendered from a hit the engine accepted."""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kehoach.validators.findings import ERROR, SEVERITIES, Finding, Hit

if TYPE_CHECKING:
    from kehoach.validators.context import Context

FAMILIES = {
    "X": "reading",
    "S": "structure",
    "T": "types",
    "R": "ranges",
    "C": "completeness",
    "P": "planning",
    "K": "consistency",
    "D": "projects",
    "O": "outliers",
}
RETIRED: frozenset[str] = frozenset({"K005"})  # K005: a project period outside 2021-2025 (now normal)
INDICATOR = "indicator"  # every template may name the hit's indicator code
CODE = re.compile(r"[A-Z][0-9]{3}")
NAME = re.compile(r"[a-z][a-z0-9_]*")

Check = Callable[["Context"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title_vi: str
    message_vi: str
    title_en: str
    message_en: str
    values: tuple[str, ...]  # the names of the values a hit of this rule may give
    check: Check | None  # None for the internal error, which the engine reports itself
    placeholders: frozenset[str] = frozenset()  # the names the two templates use (values and indicator)
    about: str = ""  # what it reports, for a rule without a check function

    @property
    def family(self) -> str:
        return FAMILIES[self.code[0]]

    @property
    def doc(self) -> str:
        text = self.about if self.check is None else self.check.__doc__
        return (text or "").strip()


def placeholders(template: str) -> set[str]:
    """The names a message template uses; ValueError for anything but a plain ``{name}`` (no position, no
    attribute or index, no conversion, no format spec: the findings' formatter writes every value itself)."""
    names = set()
    for _text, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if not NAME.fullmatch(name) or spec or conversion:
            raise ValueError(f"placeholder {name!r} (conversion {conversion!r}, format {spec!r})")
        names.add(name)
    return names


def make_rule(
    code: str,
    severity: str,
    title_vi: str,
    message_vi: str,
    title_en: str,
    message_en: str,
    values: Iterable[str] = (),
    check: Check | None = None,
    about: str = "",
) -> Rule:
    """A rule whose code, severity and templates are checked: ValueError when a template names a value the
    rule does not declare (``indicator`` is always there)."""
    values = tuple(values)
    if not CODE.fullmatch(code) or code[0] not in FAMILIES:
        raise ValueError(f"rule {code}: a code is a family letter ({', '.join(FAMILIES)}) and three digits")
    if severity not in SEVERITIES:
        raise ValueError(f"rule {code}: unknown severity {severity!r}")
    if not (title_vi and message_vi and title_en and message_en):
        raise ValueError(f"rule {code}: titles and messages in both languages are required")
    bad = [v for v in values if not NAME.fullmatch(v) or v == INDICATOR]
    if bad or len(set(values)) != len(values):
        raise ValueError(f"rule {code}: value names must be distinct lower-case names other than indicator: {values}")
    used: set[str] = set()
    for lang, template in (("vi", message_vi), ("en", message_en)):
        try:
            names = placeholders(template)
        except ValueError as error:
            raise ValueError(f"rule {code}: the {lang} message has an invalid {error}") from None
        undeclared = sorted(names - set(values) - {INDICATOR})
        if undeclared:
            raise ValueError(f"rule {code}: the {lang} message names undeclared values {undeclared}")
        used |= names
    return Rule(code, severity, title_vi, message_vi, title_en, message_en, values, check, frozenset(used), about)


INTERNAL_ERROR = make_rule(
    "X900",
    ERROR,
    "Lỗi nội bộ của quy tắc kiểm tra",
    "Lỗi nội bộ của quy tắc {rule}: {error}. Các quy tắc khác vẫn chạy. Chi tiết đã ghi vào {log}. Hãy gửi tệp "
    "này cho Sở Kế hoạch và Đầu tư.",
    "Internal error of a rule",
    "Internal error of rule {rule}: {error}. The other rules still ran. Details were written to {log}. Please "
    "send this file to the Department of Planning and Investment.",
    values=("rule", "error", "log"),
    about="A rule failed on this file (it raised, or gave a hit its message cannot describe): its findings on "
    "this file are replaced by this one, the other rules and files still run, and the traceback is written to "
    "the log (`KEHOACH_LOG_DIR`; otherwise `%LOCALAPPDATA%\\kehoach\\logs` on Windows, "
    "`$XDG_STATE_HOME/kehoach` or `~/.local/state/kehoach` elsewhere). An error: the file is not merged until "
    "the rule is fixed.",
)
OLDER_FORMAT = make_rule(
    "X002",
    ERROR,
    "Tệp định dạng cũ (.xls/.ods)",
    "Tệp là định dạng {format}, không phải Sổ làm việc Excel (.xlsx): đã đọc và kiểm tra số liệu, nhưng không "
    "kiểm tra được công thức, macro, tên định nghĩa và liên kết ngoài (các quy tắc {rules} không áp dụng cho tệp "
    ".xls/.ods), nên tệp không được tổng hợp. Mở tệp bằng Excel, chọn Tệp > Lưu thành… > Sổ làm việc Excel "
    "(.xlsx) rồi gửi lại.",
    "Older file format (.xls/.ods)",
    "The file is in the {format} format, not an Excel Workbook (.xlsx): its values were read and checked, but its "
    "formulas, macros, defined names and external links cannot be (rules {rules} do not apply to .xls/.ods "
    "files), so it is not merged. Open it in Excel, choose File > Save As… > Excel Workbook (.xlsx) and send it "
    "again.",
    values=("format", "rules"),
    about="The file is an Excel 97-2003 workbook (.xls) or an OpenDocument spreadsheet (.ods). Its values are "
    "read with python-calamine (no macro is ever run, the file is never modified) and every rule that needs only "
    "values runs on them; the rules that need the .xlsx package (formulas, macros, defined names, links: "
    "`PACKAGE_RULES` in validators/engine.py) are reported as not applicable. An error: such a file is never "
    "merged, its findings are listed so that the sender fixes everything in one round, with the instruction to "
    "save it as .xlsx.",
)
RESERVED = frozenset({INTERNAL_ERROR.code, OLDER_FORMAT.code})

REGISTRY: dict[str, Rule] = {}


def rule(code: str, severity: str, *texts: str, values: Iterable[str] = ()) -> Callable[[Check], Check]:
    """Register the decorated check function under ``code``; a code may be registered once. ``texts`` are
    make_rule's titles and messages (title_vi, message_vi, title_en, message_en); ``values`` names what the
    rule's hits give; every placeholder of both templates must be one of them or ``indicator``."""

    def register(check: Check) -> Check:
        if code in REGISTRY or code in RETIRED or code in RESERVED:
            raise ValueError(f"rule code {code} is already used")
        REGISTRY[code] = make_rule(code, severity, *texts, values=values, check=check)
        return check

    return register


def _order(rule: Rule) -> tuple[int, str]:
    return list(FAMILIES).index(rule.code[0]), rule.code


def all_rules() -> list[Rule]:
    """Every rule the engine runs, loading the rule modules on first use."""
    from kehoach.validators import rules  # noqa: F401  (importing registers the rules)

    return sorted(REGISTRY.values(), key=_order)


def reference() -> list[Rule]:
    """Every code a finding can carry: the rules and the internal error (the rule reference lists them)."""
    return sorted([*all_rules(), INTERNAL_ERROR, OLDER_FORMAT], key=_order)


def stored_message(finding: Mapping[str, Any], lang: str) -> str:
    """A finding kept as a dict (the ledger, FileResult.findings) in ``lang``: the ledger keeps its message in
    Vietnamese; the English is made again from its rule's template and values (the Vietnamese words when the rule
    is an older version's or its values no longer fit the template)."""
    if lang == "vi":
        return finding["message"]
    rule = {r.code: r for r in reference()}.get(finding["rule"])
    if rule is None:
        return finding["message"]
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in finding.get("values", {}).items()}
    made = Finding(
        rule.code,
        rule.severity,
        indicator=finding.get("indicator", ""),
        values=values,
        templates=(rule.message_vi, rule.message_en),
    )
    try:
        return made.message("en")
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        return finding["message"]
