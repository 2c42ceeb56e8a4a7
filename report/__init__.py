"""The DPI's documents from the master: the draft report (Word, from a docxtpl template), its PDF, and the
comment form for publishing the draft (kehoach report, kehoach consult)."""
