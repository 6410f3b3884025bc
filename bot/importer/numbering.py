"""Task numbers as printed: I, II… (sections), A, B…, 1, 2…, 1.1, a), b)…"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["upper", "roman", "arabic", "dotted", "lower"]

# Depth of each kind in the usual Vietnamese outline: A > I > 1 > 1.1 > a.
LEVEL: dict[Kind, int] = {"upper": 0, "roman": 1, "arabic": 2, "dotted": 3, "lower": 4}

_ROMAN = re.compile(r"^(?=[IVXL])(L?X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}


@dataclass(frozen=True)
class Number:
    kind: Kind
    text: str  # as it will be written: "II", "3", "1.2", "a"

    @property
    def value(self) -> int | str:
        return int(self.text) if self.kind == "arabic" else self.text


def roman_text(value: int) -> str:
    """4 → "IV" (list numbers Word writes as Roman numerals)."""
    out = ""
    for number, letters in ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while value >= number:
            out, value = out + letters, value - number
    return out


def roman_value(text: str) -> int:
    total = 0
    for i, ch in enumerate(text):
        value = _ROMAN_VALUES[ch]
        nxt = _ROMAN_VALUES[text[i + 1]] if i + 1 < len(text) else 0
        total += -value if value < nxt else value
    return total


def parse_number(text: str, previous_upper: str | None = None) -> Number | None:
    """A printed number, or None for an empty or unreadable STT cell ("-", "*", "+")."""
    s = text.strip().strip("()[]").rstrip(".)/:-").strip()
    s = re.sub(r"^(?:phần|phan|mục|muc|chương|chuong)\s+", "", s, flags=re.IGNORECASE)
    if not s:
        return None
    if s.isdigit():
        return Number("arabic", str(int(s)))
    if re.fullmatch(r"\d{1,3}(?:\.\d{1,3})+", s):
        return Number("dotted", s)
    if re.fullmatch(r"[a-zđ]", s):
        return Number("lower", s)
    if re.fullmatch(r"[A-ZĐ]", s) and previous_upper is not None and _next_letter(previous_upper) == s:
        return Number("upper", s)  # A, B, C… even where C, D would read as Roman
    if _ROMAN.match(s):
        return Number("roman", s)
    if re.fullmatch(r"[A-ZĐ]", s):
        return Number("upper", s)
    return None


_LETTERS = "ABCDĐEFGHIKLMNOPQRSTUVXY"


def _next_letter(letter: str) -> str | None:
    i = _LETTERS.find(letter)
    return _LETTERS[i + 1] if 0 <= i < len(_LETTERS) - 1 else None


_PREFIX = re.compile(
    r"^\s*(?:(?:phần|mục|chương)\s+)?(?P<num>[IVXL]+|[A-ZĐ]|\d{1,3}(?:\.\d{1,3})*|[a-zđ])\s*[.):/-]\s*(?P<title>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)


def split_numbered_title(text: str) -> tuple[str, str] | None:
    """ "II. NHIỆM VỤ, GIẢI PHÁP" → ("II", "NHIỆM VỤ, GIẢI PHÁP"); None without a number."""
    m = _PREFIX.match(text)
    if m is None:
        return None
    return m["num"], " ".join(m["title"].split())
