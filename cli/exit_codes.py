"""Exit codes shared by every command (documented in README.md)."""

OK = 0
FINDINGS = 1  # validation found errors (warnings alone give OK)
USAGE = 2  # bad usage, unknown unit, unreadable input, invalid catalog
BUSY = 3  # the master is open in Excel/LibreOffice, or another merge into it is running (merge)
