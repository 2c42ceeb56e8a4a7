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

from kehoach.scenarios.model import Scenario

DEFAULTS = Path(__file__).with_name("defaults.csv")
SERIES = {
    "growth": "tốc độ tăng giá trị tăng thêm (giá so sánh 2010)",
    "price": "tốc độ tăng chỉ số giảm phát",
    "population": "tốc độ tăng dân số",
}
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")  # a scenario key names rows of the scenario sheet


class AssumptionError(ValueError):
    """The assumptions file is unusable; ``problems`` are Vietnamese sentences."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Tệp giả định không dùng được:\n" + "\n".join(f"- {p}" for p in problems))


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
        raise AssumptionError([f"không đọc được tệp «{path}» ({error})."]) from error
    year_columns = [f"y{y}" for y in years]
    missing = [c for c in ("scenario", "name_vi", "series", "sector", *year_columns) if c not in header]
    if missing:
        raise AssumptionError([f"tệp «{path.name}» thiếu cột: {', '.join(missing)} (xem docs/scenarios.md)."])
    problems: list[str] = []
    series: dict[tuple[str, str, str], tuple[float, ...]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    names: dict[str, str] = {}
    sources: dict[str, dict[tuple[str, str], str]] = {}
    for number, raw in enumerate(rows, start=2):  # line 1 is the header
        row = {k: unicodedata.normalize("NFC", (v or "").strip()) for k, v in raw.items() if k}
        key, kind, sector = row["scenario"], row["series"], row["sector"]
        where = f"dòng {number}"
        if not _KEY.match(key):
            problems.append(f"{where}: mã phương án «{key}» chỉ gồm chữ thường không dấu, số và dấu _ (ví dụ base).")
            continue
        if kind not in SERIES:
            problems.append(f"{where}: loại «{kind}» không hợp lệ (chỉ nhận {', '.join(SERIES)}).")
            continue
        if kind == "population":
            sector = ""
        elif sector not in sectors:
            problems.append(f"{where}: khu vực «{sector}» không có trong danh mục ({', '.join(sectors)}).")
            continue
        if (key, kind, sector) in seen:
            problems.append(f"{where}: trùng với dòng {seen[key, kind, sector]} ({key}, {kind}, {sector or '-'}).")
            continue
        seen[key, kind, sector] = number
        values = [_rate(row[c], f"{where}, cột {c}", problems) for c in year_columns]
        if all(v is not None for v in values):
            series[key, kind, sector] = tuple(values)  # type: ignore[arg-type]
        names.setdefault(key, row["name_vi"] or key)
        sources.setdefault(key, {})[kind, sector] = row.get("source", "")
    for key in names:
        for kind in SERIES:
            for sector in [""] if kind == "population" else sectors:
                if (key, kind, sector) not in seen:
                    label = SERIES[kind] + (f" khu vực «{sector}»" if sector else "")
                    problems.append(f"phương án «{key}» thiếu dòng {label}.")
    if not names and not problems:
        problems.append(f"tệp «{path.name}» không có phương án nào.")
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


def _rate(text: str, where: str, problems: list[str]) -> float | None:
    """A yearly growth rate in percent, as typed: a decimal point, no % sign; above -100 so levels stay positive."""
    try:
        value = float(text)
    except ValueError:
        problems.append(f"{where}: «{text}» không phải là số (dùng dấu chấm thập phân, không ghi %).")
        return None
    if not math.isfinite(value) or value <= -100:
        problems.append(f"{where}: tốc độ tăng {text} không hợp lệ (phải là số lớn hơn -100).")
        return None
    return value
