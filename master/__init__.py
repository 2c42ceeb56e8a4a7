"""Consolidation: validated submissions merged into the provincial master workbook, with a ledger."""
