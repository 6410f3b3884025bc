"""How much room report text needs when printed: column widths shared by content, and the
lines a wrapped cell takes, so rows are written tall enough.

LibreOffice does not fit the height of rows written by openpyxl to their wrapped text (Excel
does only when it recalculates), so a row left at the default height prints its text over
the next row. Widths are in spreadsheet character units (the width of "0" in the default
font, ~7 px); Times New Roman text of 11 pt (Liberation Serif, its metric twin, where it is
not installed) is narrower than that: counting fewer characters a line than fit, and a line
higher than LibreOffice's (~12.7 pt), errs towards rows a little taller than needed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

LINE_POINTS = 15.0  # one line of 11 pt Times New Roman in a spreadsheet row (Excel's default)
ROW_PADDING = 3.0
# Measured on LibreOffice 7.4 prints of the seed plan: a column of w units holds ~1.45 (w - 1)
# characters of Vietnamese text a line (31.6 units: 44); 1.3 keeps a margin for other renderers.
CHARS_PER_UNIT = 1.3


def chars_per_line(width: float, font_pt: float = 11) -> int:
    """Characters of `font_pt` text that fit on one line of a column `width` units wide."""
    return max(1, math.floor((width - 1.0) * CHARS_PER_UNIT * 11 / font_pt))


def wrapped_lines(text: str, per_line: int) -> int:
    """Lines `text` takes wrapped at word boundaries, `per_line` characters a line (a word
    longer than a line is broken)."""
    total = 0
    for paragraph in str(text).split("\n"):
        lines, used = 1, 0
        for word in paragraph.split():
            size = len(word)
            if used and used + 1 + size <= per_line:
                used += 1 + size
            elif not used and size <= per_line:
                used = size
            else:
                if used:
                    lines += 1
                lines += (size - 1) // per_line
                used = size % per_line or per_line
        total += lines
    return total


def row_points(cells: Sequence[tuple[object, float]], font_pt: float = 11) -> float:
    """The height (points) a row needs for its tallest wrapped cell; (value, width) pairs."""
    texts = [(str(value), width) for value, width in cells if value not in (None, "")]
    lines = max((wrapped_lines(text, chars_per_line(width, font_pt)) for text, width in texts), default=1)
    return lines * LINE_POINTS * font_pt / 11 + ROW_PADDING


def content_widths(
    columns: Sequence[Sequence[str]],
    total: float,
    *,
    minimum: Sequence[float],
    widest: int,
    per_line: Callable[[float], int] = chars_per_line,
    step: float = 1.0,
    lookahead: int = 20,
) -> tuple[float, ...]:
    """Share `total` width among columns (each `columns[i]` the texts of column i, row by
    row) so the table is as short as it can be: from each column's `minimum`, width goes
    where it saves the most lines over all rows per unit of width (a row is as tall as its
    tallest cell); what saves nothing is shared by the columns' text lengths.
    The column `widest` (the task's content) ends the widest. `per_line(width)` is how many
    characters a line of that width holds; a column is widened by up to `lookahead` steps
    at once (kept small: the search is steps × lookahead × columns row heights)."""
    widths = list(minimum)
    cache: dict[tuple[int, int], list[int]] = {}

    def lines(i: int, width: float) -> list[int]:
        key = (i, per_line(width))
        if key not in cache:
            cache[key] = [wrapped_lines(text, key[1]) for text in columns[i]]
        return cache[key]

    def height(ws: Sequence[float]) -> int:
        return sum(map(max, zip(*(lines(i, w) for i, w in enumerate(ws)), strict=True)))

    spare = total - sum(widths)
    current = height(widths)
    while spare >= step:
        # The widening that saves the most lines per unit of width, looking past widths that
        # save nothing yet (a name needs a whole line more before it stops wrapping).
        best: tuple[float, int, int] = (0.0, 0, 0)
        for i in range(len(widths)):
            for k in range(1, min(int(spare / step + 1e-9), lookahead) + 1):
                trial = [*widths]
                trial[i] += k * step
                gain = current - height(trial)
                if gain / k > best[0]:
                    best = (gain / k, i, k)
        rate, i, k = best
        if rate <= 0:
            break
        widths[i] += k * step
        spare -= k * step
        current = height(widths)
    demand = [math.sqrt(sum(len(t) for t in texts) / max(len(texts), 1) + 1) for texts in columns]
    widths = [w + spare * d / sum(demand) for w, d in zip(widths, demand, strict=True)]
    top = max(w for i, w in enumerate(widths) if i != widest)
    if widths[widest] <= top:
        # Take the difference from the others in proportion to what they got, so the total stays.
        need = top + step - widths[widest]
        others = sum(w - m for i, (w, m) in enumerate(zip(widths, minimum, strict=True)) if i != widest)
        for i in range(len(widths)):
            if i != widest and others > 0:
                widths[i] -= need * (widths[i] - minimum[i]) / others
        widths[widest] += need
    return tuple(round(w, 2) for w in widths)
