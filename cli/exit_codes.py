"""Exit codes shared by every command (documented in README.md)."""

OK = 0
FINDINGS = 1  # validation found errors (warnings alone give OK)
USAGE = 2  # bad usage, unknown unit, unreadable input, invalid catalog
