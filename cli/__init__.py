"""The `kehoach` command line: a click group that only wires the commands (one module each)."""
