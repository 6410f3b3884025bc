"""The natural order of task labels: 2 before 10, II.3 before II.10, IV before IX.

Labels are text ("10", "II.3", "II.1.a"); sorted as text "10" comes before "2". Every list
of tasks people read (the digest, /summary, /overdue, the export, the rating's working) is
ordered by `natural_key`, so one plan reads in one order everywhere.
"""

from __future__ import annotations

import re

from store.labels import label_key

_ROMAN = re.compile(r"^m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_RUNS = re.compile(r"\d+|[a-z]+")

NaturalKey = tuple[tuple[int, int, str], ...]


def _roman(text: str) -> int | None:
    """ "iv" → 4; None when the letters are not a Roman numeral."""
    if not text or not _ROMAN.match(text):
        return None
    total = 0
    for i, ch in enumerate(text):
        value = _VALUES[ch]
        following = _VALUES[text[i + 1]] if i + 1 < len(text) else 0
        total += -value if value < following else value
    return total


def natural_key(label: str) -> NaturalKey:
    """A sort key for a task label. Numbers compare as numbers; a first part that is a Roman
    numeral (a section, "II") compares as its value; other letters ("a", "b") as text, after
    numbers of the same place."""
    parts: list[tuple[int, int, str]] = []
    for i, part in enumerate(label_key(label).split(".")):
        for run in _RUNS.findall(part):
            if run.isdigit():
                parts.append((0, int(run), ""))
            elif i == 0 and (value := _roman(run)) is not None:
                parts.append((0, value, ""))
            else:
                parts.append((1, 0, run))
    return tuple(parts)
