"""Cell formats of the standard workbook: one place for fonts, fills and number formats.

Input cells are pale yellow and unlocked; computed cells are grey, italic and locked, so staff can tell at a
glance what they type and what Excel computes.
"""

from __future__ import annotations

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

FONT = "Times New Roman"
INPUT_FILL = "#FFF8DC"
COMPUTED_FILL = "#E7E6E6"
HEADER_FILL = "#DDEBF7"
AREA_FILL = "#F2F2F2"
ERROR_FILL = "#FF9999"  # marks written by the validation button / --annotate
WARNING_FILL = "#FFC000"  # amber: told apart at a glance from the pale input fill, on screen and on paper
LINK_COLOUR = "#0563C1"  # links of the report sheet to the marked cells
# Times New Roman 11 (Liberation Serif measured): Vietnamese text averages 4.7 to 5 points a character, and a
# column of width w has about 5.25 w points inside its padding; less, for words that end a line early and
# capitals (no text of the sample then needs more lines than estimated).
CHARS_PER_WIDTH = 0.95
LINE_HEIGHT = 15  # points, a line of 11-point text


def text_lines(text: object, width: float) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` characters wide: words are laid greedily on
    lines of ``width * CHARS_PER_WIDTH`` characters, a word longer than a line is cut, each newline starts a
    line. Excel does not grow a row to fit text a program wrote: the builder sizes rows from this."""
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    lines = 0
    for paragraph in str(text).split("\n"):
        used = 0
        lines += 1
        for word in paragraph.split():
            if used and used + 1 + len(word) <= per_line:
                used += 1 + len(word)
                continue
            if used:
                lines += 1
            extra, used = divmod(len(word), per_line)
            if used == 0 and extra:
                extra, used = extra - 1, per_line
            lines += extra
    return lines


def number_format(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


class Styles:
    """Formats created once per workbook and reused (XlsxWriter wants one Format object per style)."""

    def __init__(self, workbook: Workbook):
        self._workbook = workbook
        self._cache: dict[tuple, Format] = {}
        self.base = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
        self.title = self._cached(bold=True, font_size=14)
        self.subtitle = self._cached(italic=True)
        self.text = self._cached(text_wrap=True)
        self.bold = self._cached(bold=True)
        self.legend_input = self._cached(bg_color=INPUT_FILL, border=1, italic=True)
        self.legend_computed = self._cached(bg_color=COMPUTED_FILL, border=1, italic=True)
        self.header = self._cached(bold=True, text_wrap=True, align="center", border=1, bg_color=HEADER_FILL)
        self.column_number = self._cached(italic=True, align="center", border=1, font_size=9)
        self.key = self._cached(font_size=8, font_color="#808080")
        self.label = self._cached(border=1, text_wrap=True)
        self.label_center = self._cached(border=1, align="center", text_wrap=True)
        self.area = self._cached(bold=True, border=1, bg_color=AREA_FILL, text_wrap=False)
        self.area_wrap = self._cached(bold=True, border=1, bg_color=AREA_FILL, text_wrap=True)
        self.guidance = self._cached(italic=True, font_color="#595959", text_wrap=True, border=1, valign="top")
        self.heading = self._cached(bold=True, text_wrap=True, border=1, valign="top", bg_color=HEADER_FILL)
        self.input_text = self._cached(bg_color=INPUT_FILL, border=1, text_wrap=True, locked=False, valign="top")
        self.input_cell = self._cached(bg_color=INPUT_FILL, border=1, text_wrap=True, locked=False)
        self.input_date = self._cached(bg_color=INPUT_FILL, border=1, locked=False, num_format="dd/mm/yyyy")
        self.computed_text = self._cached(bg_color=COMPUTED_FILL, border=1, italic=True, align="center")
        # Text format: Excel would read a fingerprint made of digits (or digits and one "e") as a number.
        self.stamp = self._cached(bg_color=COMPUTED_FILL, border=1, italic=True, align="center", num_format="@")
        self.fixed = self._cached(border=1, bold=True, bg_color=AREA_FILL)
        self.footnote = self._cached(italic=True, font_size=10, text_wrap=True, valign="top")
        self.signature = self._cached(bold=True, align="center", valign="top", text_wrap=True)

    def _cached(self, **props) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._workbook.add_format({**self.base, **props})
        return self._cache[key]

    def input_number(self, decimals: int) -> Format:
        return self._cached(bg_color=INPUT_FILL, border=1, locked=False, num_format=number_format(decimals))

    def input_whole(self) -> Format:
        """A year or a rank: digits only, no thousands separator ("2021", not "2,021")."""
        return self._cached(bg_color=INPUT_FILL, border=1, locked=False, num_format="0", align="center")

    def computed_number(self, decimals: int = 2, bold: bool = False) -> Format:
        return self._cached(
            bg_color=COMPUTED_FILL, border=1, italic=True, num_format=number_format(decimals), bold=bold
        )

    def fixed_number(self, decimals: int, bold: bool = False) -> Format:
        return self._cached(border=1, num_format=number_format(decimals), bold=bold)
