"""The rule reference (docs/rules.md), generated from the registry so that it cannot drift."""

from __future__ import annotations

from kehoach.validators.registry import FAMILIES, reference

SEVERITY_VI = {"error": "lỗi (chặn tổng hợp)", "warning": "cảnh báo"}


def render_markdown() -> str:
    lines = [
        "# Validation rules",
        "",
        "Generated from the rule registry (`python -m kehoach.validators.rulesdoc > docs/rules.md`); a test fails",
        "when this page and the registry disagree. An `error` blocks the merge; a `warning` does not. Codes are",
        "stable and never reused. A rule yields hits; the engine gives each its code, severity and message. The",
        "values are what a finding's `values` may hold (JSON output); a message names only those and `indicator`,",
        "which the registry checks when a rule registers. A rule that fails on a file becomes finding X900 there.",
        "",
    ]
    every = reference()
    for letter, family in FAMILIES.items():
        rules = [r for r in every if r.code.startswith(letter)]
        if not rules:
            continue
        lines += [
            f"## {letter}: {family}",
            "",
            "| code | severity | title | what it checks | values | message (vi) |",
            "|---|---|---|---|---|---|",
        ]
        for rule in rules:
            doc = " ".join(rule.doc.split())
            values = ", ".join(f"`{v}`" for v in rule.values)
            title = f"{rule.title_vi} / {rule.title_en}"
            lines.append(f"| {rule.code} | {rule.severity} | {title} | {doc} | {values} | {rule.message_vi} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_markdown(), end="")
