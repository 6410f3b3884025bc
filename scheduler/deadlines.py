"""Vietnamese deadline wording → deadline rules.

Our own small grammar, not a general date library: plans use quarters, "trước", Roman
numerals and recurrences that general parsers misread. Every phrase must be consumed
entirely; anything left over is an error, never a guess.

Semantics:
- "Trước D" is strict: the last day still on time is D − 1. "Trước tháng 6" is 31/5.
- "Chậm nhất D", "hạn D", "đến hết D", a bare date and a bare period mean the end of it.
- Recurrences due at the end of each period unless a day in the period is given
  ("trước ngày 15/12 hằng năm", "trước ngày 25 hằng tháng").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from scheduler.folding import fold
from scheduler.periods import Freq, month_end, period_start

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


class DeadlineError(ValueError):
    """The wording is not one we understand; the message is Vietnamese for the office."""


@dataclass(frozen=True)
class Once:
    due: date
    kind: Literal["once"] = "once"


@dataclass(frozen=True)
class DayInPeriod:
    """A due day inside each period: `month` is None for monthly recurrences."""

    day: int
    month: int | None
    strict: bool  # "trước ngày 25" → due on the 24th


@dataclass(frozen=True)
class Recurring:
    freq: Freq
    start: date
    day_in_period: DayInPeriod | None = None
    kind: Literal["recurring"] = "recurring"


@dataclass(frozen=True)
class Ongoing:
    start: date | None
    kind: Literal["ongoing"] = "ongoing"


@dataclass(frozen=True)
class Conditional:
    condition: str
    kind: Literal["conditional"] = "conditional"


DeadlineRule = Once | Recurring | Ongoing | Conditional


# --- periods -------------------------------------------------------------------------------

_YEAR = r"(?:nam\s+)?(?P<year>\d{4})"
_Q = r"(?P<q>iv|iii|ii|i|[1-4])"
_SEP = r"\s*[/.\-]\s*"

_DATE_NUMERIC = re.compile(rf"^(?:ngay\s+)?(?P<d>\d{{1,2}}){_SEP}(?P<m>\d{{1,2}})(?:{_SEP}(?P<y>\d{{4}}))?$")
_DATE_WORDS = re.compile(r"^(?:ngay\s+)?(?P<d>\d{1,2})\s+thang\s+(?P<m>\d{1,2})(?:\s+nam\s+(?P<y>\d{4}))?$")
_MONTH = re.compile(
    r"^(?:thang\s+(?P<m>\d{1,2})(?:(?:\s*/\s*|\s+nam\s+)(?P<y>\d{4}))?"
    r"|(?P<m2>\d{1,2})\s*/\s*(?P<y2>\d{4}))$"
)
_QUARTER = re.compile(rf"^quy\s+{_Q}(?:(?:\s*/\s*|\s+nam\s+)(?P<year>\d{{4}}))?$")
_HALF = re.compile(r"^(?:(?P<six>6|sau)\s+thang|nua)\s+(?P<which>dau|cuoi)\s+nam(?:\s+(?P<year>\d{4}))?$")
_YEAR_ONLY = re.compile(rf"^(?:cuoi\s+)?{_YEAR}$")
_YEAR_WORD = re.compile(r"^(?:cuoi\s+)?nam\s+nay$")


def _make_date(day: int, month: int, year: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DeadlineError(f'Ngày không hợp lệ: "{day}/{month}/{year}" trong "{text}"') from None


def _check_month(month: int, text: str) -> int:
    if not 1 <= month <= 12:
        raise DeadlineError(f'Tháng không hợp lệ: "{month}" trong "{text}"')
    return month


def parse_period(folded: str, plan_year: int, original: str) -> tuple[date, date] | None:
    """A date or calendar period in folded text → (first day, last day), or None."""
    s = folded.strip(" .,;")
    if m := _DATE_NUMERIC.match(s) or _DATE_WORDS.match(s):
        year = int(m["y"]) if m["y"] else plan_year
        month = _check_month(int(m["m"]), original)
        d = _make_date(int(m["d"]), month, year, original)
        return d, d
    if m := _MONTH.match(s):
        month = _check_month(int(m["m"] or m["m2"]), original)
        year_text = m["y"] or m["y2"]
        year = int(year_text) if year_text else plan_year
        return date(year, month, 1), month_end(year, month)
    if m := _QUARTER.match(s):
        q_text = m["q"]
        q = ROMAN[q_text] if q_text in ROMAN else int(q_text)
        year = int(m["year"]) if m["year"] else plan_year
        return date(year, 3 * q - 2, 1), month_end(year, 3 * q)
    if m := _HALF.match(s):
        year = int(m["year"]) if m["year"] else plan_year
        if m["which"] == "dau":
            return date(year, 1, 1), date(year, 6, 30)
        return date(year, 7, 1), date(year, 12, 31)
    if m := _YEAR_ONLY.match(s):
        year = int(m["year"])
        return date(year, 1, 1), date(year, 12, 31)
    if _YEAR_WORD.match(s):
        return date(plan_year, 1, 1), date(plan_year, 12, 31)
    return None


# --- once ------------------------------------------------------------------------------------

# Qualifiers before a date or period. "strict" ones mean "before the start of it".
_STRICT = re.compile(r"^(?:hoan thanh\s+)?truoc(?:\s+ngay)?\s+")
_INCLUSIVE = re.compile(
    r"^(?:hoan thanh\s+)?(?:cham nhat(?:\s+la)?(?:\s+vao)?(?:\s+ngay)?"
    r"|han(?:\s+chot)?(?:\s+la)?(?:\s*:)?(?:\s+ngay)?"
    r"|den(?:\s+het)?(?:\s+ngay)?|trong(?:\s+thoi gian)?|vao|xong)\s*"
)


def _parse_once(folded: str, plan_year: int, original: str) -> Once | None:
    s = folded
    strict = False
    if m := _STRICT.match(s):
        strict, s = True, s[m.end() :]
    elif m := _INCLUSIVE.match(s):
        s = s[m.end() :]
    elif s.startswith("hoan thanh "):
        s = s[len("hoan thanh ") :]
    bounds = parse_period(s, plan_year, original)
    if bounds is None:
        return None
    first, last = bounds
    return Once(due=first - timedelta(days=1) if strict else last)


# --- recurring -----------------------------------------------------------------------------

_FREQ_PATTERNS: list[tuple[Freq, re.Pattern[str]]] = [
    (
        "semiannual",
        re.compile(
            r"(?:dinh ky\s+)?(?:(?:hang|moi)\s+)?(?:6|sau)\s+thang\s+(?:mot|1)\s+lan"
            r"|dinh ky\s+(?:(?:moi|hang)\s+)?(?:6|sau)\s+thang|(?:hang|moi)\s+(?:6|sau)\s+thang"
            r"|(?:dinh ky\s+)?(?:hang|moi)\s+nua\s+nam|dinh ky\s+nua\s+nam"
        ),
    ),
    (
        "quarterly",
        re.compile(
            r"(?:dinh ky\s+)?(?:hang|moi)\s+quy|dinh ky\s+(?:theo\s+)?quy"
            r"|(?:dinh ky\s+)?(?:3|ba)\s+thang\s+(?:mot|1)\s+lan|dinh ky\s+(?:3|ba)\s+thang"
        ),
    ),
    ("monthly", re.compile(r"(?:dinh ky\s+)?(?:hang|moi)\s+thang|dinh ky\s+(?:theo\s+)?thang")),
    (
        "yearly",
        re.compile(r"(?:dinh ky\s+)?(?:hang|moi)\s+nam|dinh ky\s+(?:theo\s+)?nam|dinh ky\s+(?:12|1)\s+(?:thang|nam)"),
    ),
]

_START = re.compile(r"^(?:bat dau\s+)?(?:ke\s+)?tu\s+(?P<what>.+)$")
_DAY_IN_PERIOD = re.compile(
    r"^(?P<q>truoc|cham nhat(?:\s+la)?|han(?:\s+chot)?|vao|den(?:\s+het)?)?\s*(?:ngay\s+)?"
    r"(?P<d>\d{1,2})(?:(?:\s*/\s*|\s+thang\s+)(?P<m>\d{1,2}))?$"
)
_CLAUSE_SPLIT = re.compile(r"\s*[,;]\s*|\s+va\s+")


def _parse_start(what: str, plan_year: int, original: str) -> date:
    bounds = parse_period(what, plan_year, original)
    if bounds is None:
        raise DeadlineError(f'Không hiểu mốc bắt đầu "{what}" trong "{original}"')
    return bounds[0]


def _parse_recurring(folded: str, plan_year: int, default_start: date, original: str) -> Recurring | None:
    for freq, pattern in _FREQ_PATTERNS:
        m = pattern.search(folded)
        if m is None:
            continue
        rest = (folded[: m.start()] + " , " + folded[m.end() :]).strip()
        start: date | None = None
        day_in_period: DayInPeriod | None = None
        for clause in _CLAUSE_SPLIT.split(rest):
            clause = clause.strip(" .")
            if not clause:
                continue
            if sm := _START.match(clause):
                start = _parse_start(sm["what"], plan_year, original)
            elif dm := _DAY_IN_PERIOD.match(clause):
                day_in_period = _day_in_period(freq, dm, original)
            else:
                raise DeadlineError(f'Không hiểu "{clause}" trong thời hạn "{original}"')
        first = period_start(freq, start or default_start)
        return Recurring(freq=freq, start=first, day_in_period=day_in_period)
    return None


def _day_in_period(freq: Freq, m: re.Match[str], original: str) -> DayInPeriod:
    day, month = int(m["d"]), int(m["m"]) if m["m"] else None
    strict = (m["q"] or "") == "truoc"
    if freq == "monthly":
        if month is not None:
            raise DeadlineError(f'Hằng tháng nhưng lại ghi tháng cụ thể trong "{original}"')
    elif freq == "yearly":
        if month is None:
            raise DeadlineError(f'Thiếu tháng của ngày hạn hằng năm trong "{original}"')
        _check_month(month, original)
        _make_date(day, month, 2024, original)  # a leap year accepts 29/2 once a cycle
    else:
        # "trước ngày 15 hằng quý" could mean the first or the last month: ask, do not guess.
        raise DeadlineError(f'Ngày hạn trong kỳ quý/6 tháng chưa rõ tháng nào: "{original}"')
    if not 1 <= day <= 31:
        raise DeadlineError(f'Ngày không hợp lệ: "{day}" trong "{original}"')
    return DayInPeriod(day=day, month=month, strict=strict)


# --- ongoing and conditional ---------------------------------------------------------------

_ONGOING = re.compile(r"^(?:thuong xuyen|lien tuc)(?:\s*(?:,|va)?\s*(?:thuong xuyen|lien tuc))?")
_CONDITIONAL = re.compile(
    r"^(?:ngay\s+)?(?:sau khi|khi|ngay khi|theo)\s+"
    r"(?:co|nhan duoc|duoc|cap tren|yeu cau|huong dan|chi dao|van ban)"
)


def _parse_ongoing(folded: str, plan_year: int, original: str) -> Ongoing | None:
    m = _ONGOING.match(folded)
    if m is None:
        return None
    start: date | None = None
    for clause in _CLAUSE_SPLIT.split(folded[m.end() :]):
        clause = clause.strip(" .")
        if not clause:
            continue
        sm = _START.match(clause)
        if sm is None:
            raise DeadlineError(f'Không hiểu "{clause}" trong thời hạn "{original}"')
        start = _parse_start(sm["what"], plan_year, original)
    return Ongoing(start=start)


# --- entry point ---------------------------------------------------------------------------


def parse_deadline(text: str, plan_year: int, plan_date: date | None = None) -> DeadlineRule:
    """Parse one deadline phrase. `plan_year` fills dates written without a year; a
    recurrence without a start begins with the period containing `plan_date` (or 1/1)."""
    original = " ".join(text.split())
    folded = fold(original).rstrip(" .;")
    if not folded:
        raise DeadlineError("Thời hạn đang để trống")
    if _CONDITIONAL.match(folded):
        return Conditional(condition=original.rstrip(" ."))
    if (ongoing := _parse_ongoing(folded, plan_year, original)) is not None:
        return ongoing
    default_start = plan_date or date(plan_year, 1, 1)
    if (recurring := _parse_recurring(folded, plan_year, default_start, original)) is not None:
        return recurring
    if (once := _parse_once(folded, plan_year, original)) is not None:
        return once
    raise DeadlineError(f'Không hiểu thời hạn "{original}"')


def rule_to_json(rule: DeadlineRule) -> dict[str, object]:
    """The stable JSON shape printed by `nhacviec deadline --json`."""
    if isinstance(rule, Once):
        return {"kind": "once", "due": rule.due.isoformat()}
    if isinstance(rule, Recurring):
        out: dict[str, object] = {"kind": "recurring", "freq": rule.freq, "start": rule.start.isoformat()}
        if rule.day_in_period is not None:
            dip = rule.day_in_period
            out["day_in_period"] = {"day": dip.day, "month": dip.month, "before": dip.strict}
        return out
    if isinstance(rule, Ongoing):
        return {"kind": "ongoing", "start": rule.start.isoformat() if rule.start else None}
    return {"kind": "conditional", "condition": rule.condition}
