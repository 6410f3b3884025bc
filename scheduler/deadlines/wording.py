"""Spelling, descriptive words and clock times: what is done to a phrase before the grammar."""

from __future__ import annotations

import re
import unicodedata
from datetime import time

from scheduler.deadlines.rules import DeadlineError, _Ctx

# --- spelling ------------------------------------------------------------------------------

_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SPELLINGS: list[tuple[re.Pattern[str], str]] = [
    (_DASHES, "-"),  # en and em dashes are hyphens
    (re.compile(r"\bqui\b"), "quy"),  # "Quí IV-2025", before the dash rule that needs "quy"
    (re.compile(r"\s+-\s*|\s*-\s+|(?<=\d{4})-(?=\d{4})"), " - "),  # a spaced or year dash separates
    (re.compile(r"\b(thang|quy)\s+(\w+)-(?=\w)"), r"\1 \2 - "),  # "tháng 4-8/2026"; a date "30-9-2026" stays
    (re.compile(r"\bq\s*\.?\s*(iv|iii|ii|i|[1-4])\b"), r"quy \1"),  # "Q3/2026"
    (re.compile(r"\s*[()]\s*"), ", "),  # "Hằng năm (từ 2026)" reads as a clause
    (re.compile(r"\s*,(?:\s*,)*\s*"), ", "),
]


def _normalise(folded: str) -> str:
    s = folded
    for pattern, repl in _SPELLINGS:
        s = pattern.sub(repl, s)
    return " ".join(s.split()).strip(" .,;:")


# Descriptive words in front of the time: they say what happens, not when.
_DESCRIPTIVE = re.compile(
    r"^(?:(?:thoi gian|thoi han|tien do)(?:\s+(?:thuc hien|hoan thanh|trien khai|thuc hien xong))?"
    r"|(?:to chuc\s+)?thuc hien(?:\s+xong)?|hoan thanh|trien khai(?:\s+thuc hien)?|xong|du kien|ket thuc)"
    r"(?:\s*:\s*|\s+-\s+|\s+)"
)


def _strip_descriptive(s: str) -> str:
    while (m := _DESCRIPTIVE.match(s)) and m.end() < len(s):
        s = s[m.end() :].lstrip(" :-")
    return s


# --- clock times ---------------------------------------------------------------------------

_HOUR = r"(?P<{h}>\d{{1,2}})\s*(?:h(?=\d|\b)|gio\b|g(?=\d)|:(?=\d{{2}}))\s*(?P<{m}>\d{{2}})?(?:\s*phut\b)?"
_CLOCK = re.compile(
    r"(?:,\s*)?(?:\b(?P<q>truoc|cham nhat|vao luc|luc|vao|den)\s+)?\b" + _HOUR.format(h="h", m="min") + r"(?:\s*,)?"
)
# "Từ 20 giờ 15 phút - 20 giờ 45 phút ngày 23 tháng 1": a slot on one day, due when it ends.
_CLOCK_RANGE = re.compile(
    r"(?:,\s*)?(?:\b(?:tu|vao|luc)\s+)?\b"
    + _HOUR.format(h="h0", m="min0")
    + r"\s*(?:-|\bden\b|\btoi\b)\s*"
    + _HOUR.format(h="h", m="min")
    + r"(?:\s*,)?"
)


def _extract_clock(s: str, ctx: _Ctx) -> tuple[str, time | None]:
    m = _CLOCK_RANGE.search(s) or _CLOCK.search(s)
    if m is None:
        return s, None
    hour, minute = int(m["h"]), int(m["min"] or 0)
    if hour > 23 or minute > 59 or ("h0" in m.groupdict() and (int(m["h0"]) > 23 or int(m["min0"] or 0) > 59)):
        raise DeadlineError(f'Giờ không hợp lệ: "{m[0].strip(" ,")}" trong "{ctx.original}"')
    # "từ ngày 17/12/2025 đến 17 giờ 00, ngày 01/02/2026": the "đến" belongs to the range,
    # not to the hour; dropping it would leave two dates and make the start a deadline.
    keep = " den " if m.groupdict().get("q") == "den" and s[: m.start()].strip(" ,") else " "
    rest = (s[: m.start()] + keep + s[m.end() :]).strip(" ,")
    return " ".join(rest.split()), time(hour, minute)


# --- number words --------------------------------------------------------------------------

# Month and day numbers written out ("tháng Mười Hai", "ngày hai mươi lăm"). Read before
# folding: without marks "sáu" (six) and "sau" (after, "tháng sau") are one word.
# Unmarked forms only where no other word shares them ("sau" is "after", "nam" "south").
_UNITS = {"một": 1, "mot": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "bon": 4, "tư": 4, "năm": 5, "lăm": 5,
          "lam": 5, "sáu": 6, "bảy": 7, "bay": 7, "tám": 8, "tam": 8, "chín": 9, "chin": 9}  # fmt: skip
_NAMED_MONTHS = {"giêng": 1, "gieng": 1, "chạp": 12, "chap": 12}
_TENS = {"mười", "muoi"}
_UNIT_AFTER_TEN = r"(?:một|mot|mốt|hai|ba|bốn|bon|tư|lăm|lam|năm|sáu|bảy|bay|tám|tam|chín|chin)"
_NUMBER_WORDS = re.compile(
    r"\b(?P<unit>tháng|thang|ngày|ngay)\s+(?P<n>giêng|gieng|chạp|chap"
    rf"|(?:mười|muoi)(?:\s+{_UNIT_AFTER_TEN})?"
    rf"|(?:hai|ba)\s+(?:mươi|muoi)(?:\s+{_UNIT_AFTER_TEN})?"
    r"|một|mot|hai|ba|bốn|bon|tư|sáu|bảy|bay|tám|tam|chín|chin)\b",
    re.IGNORECASE,
)


def _number_value(words: str) -> int:
    parts = words.lower().split()
    if parts[0] in _NAMED_MONTHS:
        return _NAMED_MONTHS[parts[0]]
    if parts[0] in _TENS:
        return 10 + (_UNITS[parts[1]] if len(parts) > 1 else 0)
    if len(parts) >= 2 and parts[1] in ("mươi", "muoi"):
        return 10 * _UNITS[parts[0]] + (_UNITS[parts[2]] if len(parts) > 2 else 0)
    return _UNITS[parts[0]]


def number_words_to_digits(text: str) -> str:
    """ "tháng Mười Hai" → "tháng 12"; only after "tháng"/"ngày", where a word is a number
    ("năm" alone stays: "tháng năm 2026" is too easily "the month, the year 2026")."""
    text = unicodedata.normalize("NFC", text)
    return _NUMBER_WORDS.sub(lambda m: f"{m['unit']} {_number_value(m['n'])}", text)
