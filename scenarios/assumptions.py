"""The scenarios' assumptions as data: a CSV with one row per scenario, series and sector, one column per plan
year. ``defaults.csv`` ships illustrative low, base and high scenarios for the DPI to edit (or to replace
with ``kehoach scenarios --assumptions FILE``); its columns are described in docs/scenarios.md.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from kehoach.scenarios.model import Note, Scenario

DEFAULTS = Path(__file__).with_name("defaults.csv")
SERIES = {
    "growth": "tốc độ tăng giá trị tăng thêm (giá so sánh 2010)",
    "price": "tốc độ tăng chỉ số giảm phát",
    "population": "tốc độ tăng dân số",
}
SERIES_EN = {
    "growth": "growth of value added (constant 2010 prices)",
    "price": "growth of the deflator",
    "population": "population growth",
}
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")  # a scenario key names rows of the scenario sheet


class AssumptionError(ValueError):
    """The assumptions file is unusable; ``problems`` are Vietnamese sentences (each a :class:`Note` with its
    English), ``message_en`` the message in English."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Tệp giả định không dùng được:\n" + "\n".join(f"- {p}" for p in problems))
        english = [getattr(p, "message_en", p) for p in problems]
        self.message_en = "The assumptions file is unusable:\n" + "\n".join(f"- {p}" for p in english)


def load_scenarios(sectors: Sequence[str], years: Sequence[int], path: Path | None = None) -> tuple[Scenario, ...]:
    """The scenarios of ``path`` (default: the shipped illustrative ones), in file order; raises
    :class:`AssumptionError` listing every problem."""
    path = path or DEFAULTS
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = reader.fieldnames or []
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise AssumptionError(
            [Note(f"không đọc được tệp «{path}» ({error}).", f"cannot read «{path}» ({error}).")]
        ) from error
    year_columns = [f"y{y}" for y in years]
    missing = [c for c in ("scenario", "name_vi", "series", "sector", *year_columns) if c not in header]
    if missing:
        columns = ", ".join(missing)
        raise AssumptionError(
            [
                Note(
                    f"tệp «{path.name}» thiếu cột: {columns} (xem docs/scenarios.md).",
                    f"«{path.name}» lacks columns: {columns} (see docs/scenarios.md).",
                )
            ]
        )
    problems: list[str] = []
    series: dict[tuple[str, str, str], tuple[float, ...]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    names: dict[str, str] = {}
    sources: dict[str, dict[tuple[str, str], str]] = {}
    for number, raw in enumerate(rows, start=2):  # line 1 is the header
        row = {k: unicodedata.normalize("NFC", (v or "").strip()) for k, v in raw.items() if k}
        key, kind, sector = row["scenario"], row["series"], row["sector"]
        where, where_en = f"dòng {number}", f"line {number}"
        if not _KEY.match(key):
            problems.append(
                Note(
                    f"{where}: mã phương án «{key}» chỉ gồm chữ thường không dấu, số và dấu _ (ví dụ base).",
                    f"{where_en}: a scenario key «{key}» has only lowercase ASCII letters, digits and _ (e.g. base).",
                )
            )
            continue
        if kind not in SERIES:
            kinds = ", ".join(SERIES)
            problems.append(
                Note(
                    f"{where}: loại «{kind}» không hợp lệ (chỉ nhận {kinds}).",
                    f"{where_en}: series «{kind}» is not valid (only {kinds}).",
                )
            )
            continue
        if kind == "population":
            sector = ""
        elif sector not in sectors:
            known = ", ".join(sectors)
            problems.append(
                Note(
                    f"{where}: khu vực «{sector}» không có trong danh mục ({known}).",
                    f"{where_en}: sector «{sector}» is not in the catalog ({known}).",
                )
            )
            continue
        if (key, kind, sector) in seen:
            same = f"{seen[key, kind, sector]} ({key}, {kind}, {sector or '-'})"
            problems.append(Note(f"{where}: trùng với dòng {same}.", f"{where_en}: the same as line {same}."))
            continue
        seen[key, kind, sector] = number
        values = [_rate(row[c], (f"{where}, cột {c}", f"{where_en}, column {c}"), problems) for c in year_columns]
        if all(v is not None for v in values):
            series[key, kind, sector] = tuple(values)  # type: ignore[arg-type]
        names.setdefault(key, row["name_vi"] or key)
        sources.setdefault(key, {})[kind, sector] = row.get("source", "")
    for key in names:
        for kind in SERIES:
            for sector in [""] if kind == "population" else sectors:
                if (key, kind, sector) not in seen:
                    label = SERIES[kind] + (f" khu vực «{sector}»" if sector else "")
                    label_en = SERIES_EN[kind] + (f" of sector «{sector}»" if sector else "")
                    problems.append(
                        Note(f"phương án «{key}» thiếu dòng {label}.", f"scenario «{key}» lacks the line {label_en}.")
                    )
    if not names and not problems:
        problems.append(Note(f"tệp «{path.name}» không có phương án nào.", f"«{path.name}» has no scenario."))
    if problems:
        raise AssumptionError(problems)
    return tuple(
        Scenario(
            key,
            name,
            growth={s: series[key, "growth", s] for s in sectors},
            price={s: series[key, "price", s] for s in sectors},
            population=series[key, "population", ""],
            sources=sources[key],
        )
        for key, name in names.items()
    )


def _rate(text: str, place: tuple[str, str], problems: list[str]) -> float | None:
    """A yearly growth rate in percent, as typed: a decimal point, no % sign; above -100 so levels stay positive.
    ``place``: where, in Vietnamese and in English."""
    where, where_en = place
    try:
        value = float(text)
    except ValueError:
        problems.append(
            Note(
                f"{where}: «{text}» không phải là số (dùng dấu chấm thập phân, không ghi %).",
                f"{where_en}: «{text}» is not a number (use a decimal point, no %).",
            )
        )
        return None
    if not math.isfinite(value) or value <= -100:
        problems.append(
            Note(
                f"{where}: tốc độ tăng {text} không hợp lệ (phải là số lớn hơn -100).",
                f"{where_en}: growth rate {text} is not valid (it must be a number above -100).",
            )
        )
        return None
    return value
