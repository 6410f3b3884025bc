"""How much of the work a reply says is done: "40%", "tám mươi phần trăm", "hai phần ba",
"một nửa", "8/12 tổ", "3 trên 5 báo cáo".

A figure after "đạt" or "tỷ lệ" is a target's result ("tỷ lệ bao phủ đạt 92%"), not the
share of the task that is done: a done word beside it wins. "X/Y" is a count only where a
date cannot be meant: after "được", "đạt", "khoảng" or a completion ("xong 1/3 rồi": a third,
the safe reading, not 1 March), or before a counted noun ("8/12 tổ"); after "ngày", "trước",
"hạn"… it is a day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    "khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5, "nham": 5,
    "sau": 6, "bay": 7, "tam": 8, "chin": 9,
}  # fmt: skip
_DENOMINATORS = {"hai": 2, "ba": 3, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10}
_WORD = r"(?:khong|mot|hai|ba|bon|tu|nam|lam|nham|sau|bay|tam|chin|muoi|tram)"
_PERCENT_DIGITS = re.compile(r"(?<![\d/.,])(\d{1,3})(?:%| phan tram\b)")
_PERCENT_WORDS = re.compile(rf"\b((?:{_WORD} ){{1,3}})phan tram\b")
_FRACTION = re.compile(rf"\b((?:{_WORD} ){{1,2}}|\d{{1,2}} )phan ({_WORD}|\d{{1,2}})\b")
_HALF = re.compile(r"\bnuah\b")
_SLASH = re.compile(r"(?<![\d/])(\d{1,4})/(\d{1,4})(?![\d/])")
_OF = re.compile(r"(?<![\d/])(\d{1,4}) (?:tren|trong)(?: tong so| so| tong)? (\d{1,4})\b")
_TARGET_BEFORE = re.compile(r"\b(?:dat|ty le|ti le)(?: \S+){0,3} $")
_DATE_BEFORE = re.compile(r"\b(?:ngay|truoc|sau|tu|den|hom|han|vao|luc|thang)(?: \S+)? $")
# After a completion a count is the safe reading: "xong 1/3 rồi" is a third, not 1 March.
_COUNT_BEFORE = re.compile(r"\b(?:duoc|dat|khoang|gan|hon|chung|tam|moi|xong|hoan thanh|gui|nop|lam)(?: \S+)? $")
_NOT_A_NOUN = frozenset("roi a anh chi em nhe nha oi , . ; : ! ? nay".split())


@dataclass(frozen=True)
class Amount:
    percent: int  # 0..100
    target: bool  # a target's result ("đạt 96%"), not the share of the task done
    whole: bool  # a count of all of them ("5/5 tổ")
    start: int  # where it is in the text


def words_number(words: list[str]) -> int | None:
    """ "tám mươi lăm" → 85, "bảy lăm" → 75, "một trăm" → 100; None if not a number."""
    if words and words[-1] == "tram":
        return 100 if words[:-1] in ([], ["mot"]) else None
    if not words or any(w not in _UNITS and w != "muoi" for w in words):
        return None
    if words[0] == "muoi":
        return 10 + (_UNITS.get(words[1], -99) if len(words) == 2 else 0) if len(words) <= 2 else None
    tens = _UNITS[words[0]]
    rest = words[1:]
    if rest[:1] == ["muoi"]:
        rest = rest[1:]
    elif not rest:
        return tens
    if len(rest) > 1 or tens < 1:
        return None
    unit = _UNITS.get(rest[0], 0) if rest else 0
    return tens * 10 + (1 if rest == ["mot"] else unit)


def _number(text: str) -> int | None:
    text = text.strip()
    if text.isdigit():
        return int(text)
    words = text.split()
    for size in range(len(words), 0, -1):  # "khoảng tám mươi" → the longest tail that is a number
        if (value := words_number(words[-size:])) is not None:
            return value
    return None


def _ratio(part: int, whole: int) -> int | None:
    if whole <= 0 or part > whole:
        return None
    return int(100 * part / whole + 0.5)


def _is_count(text: str, m: re.Match[str]) -> bool:
    before, after = text[: m.start()], text[m.end() :].split()
    if _DATE_BEFORE.search(before):
        return False
    if after and after[0] not in _NOT_A_NOUN and not after[0].isdigit():
        return True  # "8/12 tổ dân phố"
    return bool(_COUNT_BEFORE.search(before))


def _candidates(text: str) -> list[tuple[int, int | None, bool]]:
    """(where, percent, whole count) of every figure in the text."""
    found: list[tuple[int, int | None, bool]] = []
    for m in _PERCENT_DIGITS.finditer(text):
        found.append((m.start(), int(m[1]), False))
    for m in _PERCENT_WORDS.finditer(text):
        found.append((m.start(), _number(m[1]), False))
    for m in _FRACTION.finditer(text):
        part, whole = _number(m[1]), _DENOMINATORS.get(m[2]) or (int(m[2]) if m[2].isdigit() else None)
        if part is not None and whole is not None and whole != 100:
            found.append((m.start(), _ratio(part, whole), False))
    for m in _HALF.finditer(text):
        found.append((m.start(), 50, False))
    for pattern in (_SLASH, _OF):
        for m in pattern.finditer(text):
            if pattern is _OF or _is_count(text, m):
                part, whole = int(m[1]), int(m[2])
                found.append((m.start(), _ratio(part, whole), part == whole and whole > 0))
    return sorted(found, key=lambda c: c[0])


def amount(text: str) -> Amount | None:
    """The first figure of the (normalised) text that is a share of work, if any."""
    for start, percent, whole in _candidates(text):
        if percent is None or not 0 <= percent <= 100:
            continue
        return Amount(percent, bool(_TARGET_BEFORE.search(text[:start])), whole, start)
    return None
