"""The rule reference (docs/rules.md), generated from the registry so that it cannot drift."""

from __future__ import annotations

from kehoach.validators.registry import FAMILIES, all_rules

SEVERITY_VI = {"error": "lỗi (chặn tổng hợp)", "warning": "cảnh báo"}


def render_markdown() -> str:
    lines = [
        "# Validation rules",
        "",
        "Generated from the rule registry (`python -m validators.rulesdoc > docs/rules.md`); a test fails when",
        "this page and the registry disagree. An `error` blocks the merge; a `warning` does not. Codes are",
        "stable and never reused.",
        "",
    ]
    for letter, family in FAMILIES.items():
        rules = [r for r in all_rules() if r.code.startswith(letter)]
        if not rules:
            continue
        lines += [
            f"## {letter}: {family}",
            "",
            "| code | severity | title | what it checks | message (vi) |",
            "|---|---|---|---|---|",
        ]
        for rule in rules:
            doc = " ".join(rule.doc.split())
            lines.append(
                f"| {rule.code} | {rule.severity} | {rule.title_vi} / {rule.title_en} | {doc} | {rule.message_vi} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_markdown(), end="")
