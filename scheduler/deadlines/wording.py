"""Spelling, descriptive words and clock times: what is done to a phrase before the grammar."""

from __future__ import annotations

import re
from datetime import time

from scheduler.deadlines.rules import DeadlineError, _Ctx

# --- spelling ------------------------------------------------------------------------------

_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SPELLINGS: list[tuple[re.Pattern[str], str]] = [
    (_DASHES, "-"),  # en and em dashes are hyphens
    (re.compile(r"\s+-\s*|\s*-\s+|(?<=\d{4})-(?=\d{4})"), " - "),  # a spaced or year dash separates
    (re.compile(r"\b(thang|quy)\s+(\w+)-(?=\w)"), r"\1 \2 - "),  # "tháng 4-8/2026"; a date "30-9-2026" stays
    (re.compile(r"\bqui\b"), "quy"),
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

_CLOCK = re.compile(
    r"(?:,\s*)?(?:\b(?:truoc|cham nhat|vao luc|luc|vao|den)\s+)?"
    r"\b(?P<h>\d{1,2})\s*(?:h(?=\d|\b)|gio\b|g(?=\d)|:(?=\d{2}))\s*(?P<min>\d{2})?(?:\s*phut\b)?(?:\s*,)?"
)


def _extract_clock(s: str, ctx: _Ctx) -> tuple[str, time | None]:
    m = _CLOCK.search(s)
    if m is None:
        return s, None
    hour, minute = int(m["h"]), int(m["min"] or 0)
    if hour > 23 or minute > 59:
        raise DeadlineError(f'Giờ không hợp lệ: "{m[0].strip(" ,")}" trong "{ctx.original}"')
    rest = (s[: m.start()] + " " + s[m.end() :]).strip(" ,")
    return " ".join(rest.split()), time(hour, minute)
