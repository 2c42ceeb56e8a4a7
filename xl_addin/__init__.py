"""The validation button inside the workbook: the only package that imports xlwings."""
