"""Numbers as Vietnamese staff type and read them.

Vietnamese writes 1.234,5 (dot for thousands, comma for decimals); staff often type numbers as text, with
a percent sign or a unit ("15 tỷ"). :func:`parse_vi_number` recovers the intended value so a finding can
suggest it; :func:`format_vi` writes numbers back the Vietnamese way in messages.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

# Multipliers of written-out magnitudes, relative to the unit the cell expects is unknown: the suggestion
# keeps the number as typed and names the word, so staff decide ("15 tỷ" in a tỷ đồng column is 15).
_UNIT_WORDS = (
    "nghìn tỷ",
    "ngàn tỷ",
    "tỷ đồng",
    "triệu đồng",
    "tỷ",
    "triệu",
    "nghìn",
    "ngàn",
    "đồng",
    "usd",
    "ha",
    "tấn",
    "người",
    "xã",
    "%",
)
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$|^[+-]?\d+(\.\d+)?$|^[+-]?(\d{1,3}(,\d{3})+)(\.\d+)?$")


@dataclass(frozen=True)
class ParsedText:
    value: float
    unit_word: str = ""  # the unit or % that was typed with the number


def normalize_text(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\u00a0", " ").strip()


def parse_vi_number(text: str) -> ParsedText | None:
    """The number a person meant by ``text``, or None when it is not a number.

    Accepts Vietnamese (1.234,5), plain (1234.5) and English (1,234.5) groupings, a trailing % or unit word.
    An ambiguous "1.234" is read the Vietnamese way (one thousand two hundred thirty-four).
    """
    cleaned = normalize_text(text).lower()
    unit = ""
    for word in _UNIT_WORDS:
        if cleaned.endswith(word):
            unit, cleaned = word, cleaned[: -len(word)].strip()
            break
    cleaned = cleaned.replace(" ", "")
    if not cleaned or not _NUMBER.match(cleaned):
        return None
    if re.match(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$", cleaned):
        number = float(cleaned.replace(".", "").replace(",", "."))
    elif "," in cleaned:
        number = float(cleaned.replace(",", ""))
    else:
        number = float(cleaned)
    return ParsedText(number, unit) if math.isfinite(number) else None


def format_number(value: object, lang: str = "vi") -> str:
    """1234.5 -> "1.234,5" (vi) or "1,234.5" (en), at most 4 significant decimals; other values as text."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return str(value)
    decimals = 0 if float(value).is_integer() else min(4, max(1, 6 - len(str(int(abs(value))))))
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".") if lang == "vi" else text
