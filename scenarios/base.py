"""The scenarios' starting point: the Statistics Office's 2020 value added by sector at current and constant
2010 prices (revalued basis) and the 2020 population, read from its submission, or, given a merged master,
from the submission that master merged (found through the master's ledger).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path

from kehoach.master.extract import FileResult, process_file
from kehoach.master.ledger import Ledger, ledger_path
from kehoach.scenarios.model import Base, Note
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import Catalog

BASE_YEAR = L.YEARS_PAST[-1]
BASIS = "revalued"  # plans for 2021-2025 start from the figures after GSO's revaluation (Chỉ thị 18/CT-TTg)
PRICES = {"current": "giá hiện hành", "constant": "giá so sánh 2010"}
POPULATION = "population"


class BaseError(Exception):
    """No usable base year; ``message`` is a Vietnamese sentence saying what to do, ``message_en`` English."""

    def __init__(self, message: str, message_en: str | None = None):
        super().__init__(message)
        self.message, self.message_en = message, message_en


def statistics_units(catalog: Catalog) -> tuple[str, ...]:
    """The units whose workbook has the GRDP sheet: the Statistics Office."""
    return tuple(u.code for u in catalog.units if "grdp" in u.extra_sheets)


def merged_statistics(catalog: Catalog, merged: Mapping[str, FileResult]) -> FileResult | None:
    """The Statistics Office's submission among those a merge kept, if any."""
    return next((merged[code] for code in statistics_units(catalog) if code in merged), None)


def base_from_result(result: FileResult, catalog: Catalog, source: str) -> Base:
    """The base year from the GRDP values a submission carries; :class:`BaseError` names every 2020 cell
    that is empty or not positive."""
    values = {(key, year): (value, cell) for key, year, value, cell in result.grdp}
    sectors = {s.code: s.name_vi for s in catalog.grdp_sectors}
    wanted = {POPULATION: "Dân số trung bình"}
    for price, price_vi in PRICES.items():
        wanted |= {f"{BASIS}.{price}.{code}": f"GRDP {price_vi} - {name}" for code, name in sectors.items()}
    missing, invalid, invalid_en = [], [], []
    for key, label in wanted.items():
        found = values.get((key, BASE_YEAR))
        if found is None:
            missing.append(f"«{label}»")
        elif found[0] <= 0:
            invalid.append(f"ô {found[1]} «{label}» = {found[0]:g}")
            invalid_en.append(f"cell {found[1]} «{label}» = {found[0]:g}")
    where = f"trang «{L.GRDP}» của «{Path(result.path).name}»"
    where_en = f"sheet «{L.GRDP}» of «{Path(result.path).name}»"
    if missing:
        raise BaseError(
            f"{where} chưa có số năm {BASE_YEAR} (số liệu đã đánh giá lại quy mô) của: {'; '.join(missing)}. "
            "Cục Thống kê cần điền đủ các ô này.",
            f"{where_en} has no {BASE_YEAR} figure (revalued) for: {'; '.join(missing)}. "
            "The Statistics Office must fill these cells.",
        )
    if invalid:
        raise BaseError(
            f"{where} có số năm {BASE_YEAR} không hợp lệ (phải lớn hơn 0): {'; '.join(invalid)}.",
            f"{where_en} has invalid {BASE_YEAR} figures (they must be above 0): {'; '.join(invalid_en)}.",
        )

    def series(price: str) -> dict[str, float]:
        return {code: values[f"{BASIS}.{price}.{code}", BASE_YEAR][0] for code in sectors}

    return Base(BASE_YEAR, series("constant"), series("current"), values[POPULATION, BASE_YEAR][0], source)


def load_base(path: Path, catalog: Catalog) -> tuple[Base, list[Note]]:
    """The base year from a Statistics Office workbook or a merged master, with Vietnamese warnings for the
    reader; :class:`BaseError` when neither gives one."""
    if not path.is_file():
        raise BaseError(f"không tìm thấy tệp «{path}».", f"file «{path}» not found.")
    result = process_file(path, catalog)
    if not result.readable:
        finding = result.findings[0] if result.findings else {}
        reason, reason_en = finding.get("message", ""), finding.get("values", {}).get("reason_en")
        english = f"«{path.name}»: the file cannot be read" + (f": {reason_en}." if reason_en else ".")
        raise BaseError(f"«{path.name}»: {reason}", english)
    if not result.unit:
        return base_from_master(path, catalog), []
    if not result.grdp:
        raise BaseError(
            f"«{path.name}» là báo cáo của đơn vị {result.unit}, không có trang «{L.GRDP}». "
            "Hãy dùng tệp của Cục Thống kê hoặc tệp tổng hợp (kehoach merge).",
            f"«{path.name}» is the report of unit {result.unit}, without sheet «{L.GRDP}». "
            "Use the Statistics Office's file or a master (kehoach merge).",
        )
    warnings = []
    if result.errors:
        warnings.append(
            Note(
                f"tệp «{path.name}» có {result.errors} lỗi khi kiểm tra (xem bằng kehoach validate); "
                "phương án dùng số liệu như đang có trong tệp.",
                f"file «{path.name}» has {result.errors} errors (see kehoach validate); "
                "the scenarios use its figures as they are.",
            )
        )
    return base_from_result(result, catalog, path.name), warnings


def base_from_master(path: Path, catalog: Catalog) -> Base:
    """The base year of a merged master: the Statistics Office's submission it merged, through its ledger."""
    ledger_file = ledger_path(path)
    if not ledger_file.is_file():
        raise BaseError(
            f"«{path.name}» không phải biểu mẫu của Cục Thống kê (không có trang «{L.GRDP}»), cũng không phải "
            f"tệp tổng hợp có sổ theo dõi «{ledger_file.name}» bên cạnh.",
            f"«{path.name}» is neither the Statistics Office's workbook (it has no sheet «{L.GRDP}») nor a master "
            f"with its ledger «{ledger_file.name}» beside it.",
        )
    try:
        with Ledger(ledger_file) as ledger:
            merged = {unit: r for unit, fp in ledger.previously_merged().items() if (r := ledger.result(fp))}
    except sqlite3.Error as error:
        raise BaseError(
            f"không đọc được sổ theo dõi «{ledger_file.name}» ({error}).",
            f"cannot read the ledger «{ledger_file.name}» ({error}).",
        ) from error
    statistics = merged_statistics(catalog, merged)
    if statistics is None:
        raise BaseError(
            f"tệp tổng hợp «{path.name}» chưa có báo cáo của Cục Thống kê (chưa nộp hoặc bị loại khi tổng hợp). "
            "Hãy tổng hợp lại khi đã nhận được tệp hợp lệ, hoặc dùng trực tiếp tệp của Cục Thống kê.",
            f"the master «{path.name}» has no report of the Statistics Office (not sent, or rejected by the merge). "
            "Merge again once a valid file has arrived, or use the Statistics Office's file directly.",
        )
    return base_from_result(statistics, catalog, f"{Path(statistics.path).name}, đã tổng hợp vào {path.name}")
