"""The validation engine: read a filled workbook, locate it by its contract, run the registered rules."""
