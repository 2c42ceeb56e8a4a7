"""The master workbook's sheets, one module each, over the shared writer in ``base``."""
