"""Growth scenarios 2021-2025: the GRDP path implied by each sector's growth, built by the Statistics Office
and the DPI from the 2020 base (see docs/scenarios.md)."""
