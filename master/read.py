"""Read the province's plan back from a master workbook (python-calamine): the province table, the projects and
the texts, by the hidden keys the writer put there (a row of column keys, column A of row keys), never by the
visible labels the DPI may edit. Computed columns come as the values cached in the file: the writer's, or the
ones Excel or LibreOffice stored when the DPI saved it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import python_calamine
from kehoach.master.plan import STATUSES, ProjectEntry, ProvincePlan, ProvinceRow, TextEntry
from kehoach.master.sheets import projects as P
from kehoach.master.sheets import province as V
from kehoach.master.sheets import texts as T
from kehoach.validators.winfiles import long_path
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import Catalog


class MasterReadError(ValueError):
    """The file is not a master this version wrote (a sheet or its keys missing); the message is Vietnamese,
    ``message_en`` English."""

    def __init__(self, message: str, message_en: str | None = None):
        super().__init__(message)
        self.message_en = message_en


def _rows(book: python_calamine.CalamineWorkbook, name: str) -> list[list[object]]:
    if name not in book.sheet_names:
        raise MasterReadError(f"tệp tổng hợp không có trang «{name}».", f"the master has no sheet «{name}».")
    return book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def _cell(rows: list[list[object]], row: int, col: int) -> object:
    if row >= len(rows) or col >= len(rows[row]):
        return None
    value = rows[row][col]
    if value == "" or value is None:
        return None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _keyed(rows: list[list[object]], key_row: int, first_row: int) -> tuple[dict[str, int], list[tuple[str, int]]]:
    if key_row >= len(rows):
        raise MasterReadError("tệp tổng hợp thiếu hàng khóa cột.", "the master lacks its row of column keys.")
    columns = {str(k): i for i, k in enumerate(rows[key_row]) if isinstance(k, str) and k}
    keyed = [
        (str(r[0]), i) for i, r in enumerate(rows[first_row:], start=first_row) if r and isinstance(r[0], str) and r[0]
    ]
    return columns, keyed


def _units(text: object, name: str) -> tuple[str, ...]:
    for part in str(text or "").split(";"):
        key, _, value = part.partition("=")
        if key == name:
            return tuple(u for u in value.split(",") if u)
    return ()


def read_plan(path: Path, catalog: Catalog) -> ProvincePlan:
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(long_path(path)))
    except (OSError, python_calamine.CalamineError) as error:
        raise MasterReadError(
            f"không mở được tệp như một sổ Excel ({error}).",
            f"the file cannot be opened as an Excel workbook ({error}).",
        ) from error
    rows = _rows(book, V.SHEET)
    columns, keyed = _keyed(rows, V.KEY_ROW, V.FIRST_DATA_ROW)
    made_at = dt.datetime.fromisoformat(str(_cell(rows, V.META_MADE_AT, 0)))
    value_keys = [c.key for c in L.indicator_value_columns()]
    text_keys = {c.key for c in L.indicator_value_columns() if c.type not in ("number", "integer")}
    province = []
    for key, r in keyed:
        if key.startswith(V.AREA_PREFIX) or not catalog.has_indicator(key):
            continue
        values = {}
        for k in value_keys:
            value = _cell(rows, r, columns[k])
            if value is None:
                continue
            values[k] = str(value) if k in text_keys else value
        status = str(_cell(rows, r, columns["status"]) or "")
        source = _cell(rows, r, columns["source_unit"])
        if status not in STATUSES:
            raise MasterReadError(
                f"dòng {r + 1} của trang «{V.SHEET}» có mã tình trạng lạ «{status}».",
                f"row {r + 1} of sheet «{V.SHEET}» has an unknown status code «{status}».",
            )
        province.append(
            ProvinceRow(
                catalog.indicator(key),
                values,
                str(source) if source else None,
                status,
                str(_cell(rows, r, columns["status_vi"]) or ""),
            )
        )
    return ProvincePlan(
        catalog=catalog,
        made_at=made_at,
        rows=tuple(province),
        texts=tuple(_texts(book)),
        projects=tuple(_projects(book)),
        merged_units=_units(_cell(rows, V.META_UNITS, 0), "merged"),
        rejected_units=_units(_cell(rows, V.META_OTHERS, 0), "rejected"),
        missing_units=_units(_cell(rows, V.META_OTHERS, 0), "missing"),
    )


def _projects(book: python_calamine.CalamineWorkbook) -> list[ProjectEntry]:
    rows = _rows(book, P.SHEET)
    columns, keyed = _keyed(rows, P.KEY_ROW, P.FIRST_DATA_ROW)
    kinds = [c.key for c in L.project_columns()]
    out = []
    for key, r in keyed:
        if not key.startswith(P.PROJECT_PREFIX):
            continue
        unit, _, project_row = key[len(P.PROJECT_PREFIX) :].partition(":")
        values: dict[str, object] = {"row": project_row}
        for k in kinds:
            value = _cell(rows, r, columns[k])
            if value is not None:
                values[k] = value
        duplicate = _cell(rows, r, columns[P.DUPLICATE_KEY])
        out.append(ProjectEntry(unit, values, str(duplicate) if duplicate else None))
    return out


def _texts(book: python_calamine.CalamineWorkbook) -> list[TextEntry]:
    rows = _rows(book, T.SHEET)
    out: list[list[str]] = []  # [area, section, unit, text]
    for r in rows[T.FIRST_DATA_ROW :]:
        key = r[0] if r else None
        if not isinstance(key, str) or not key.startswith(T.TEXT_PREFIX):
            continue
        area, section, unit, joint = key[len(T.TEXT_PREFIX) :].split("|")
        text = r[T.TEXT_COL] if len(r) > T.TEXT_COL and isinstance(r[T.TEXT_COL], str) else ""
        if out and out[-1][:3] == [area, section, unit] and joint != T.FIRST:
            out[-1][3] += (" " if joint == T.WRAP else "\n") + text
        else:
            out.append([area, section, unit, text])
    return [TextEntry(*entry) for entry in out]
