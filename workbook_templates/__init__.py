"""The standard workbooks: the catalog (one source of truth), the layout, the Excel formulas and the builder."""
