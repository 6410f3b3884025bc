"""Vietnamese deadline wording → deadline rules.

Our own small grammar, not a general date library: plans use quarters, "trước", Roman
numerals, spans of years and recurrences that general parsers misread. Every phrase must be
consumed entirely; anything left over is an error that names the words it could not place,
never a guess.

Semantics:
- "Trước D" is strict: the last day still on time is D − 1. "Trước tháng 6" is 31/5.
- "Chậm nhất D", "hạn D", "đến hết D", "cuối D", a bare date and a bare period mean the end
  of it.
- Descriptive words in front of the time ("Hoàn thành", "Thời gian thực hiện:", "Tiến độ:",
  "Thực hiện", "Xong") do not change its meaning.
- Recurrences are due at the end of each period (a week: its Friday) unless a day in the
  period is given ("trước ngày 15/12 hằng năm", "trước ngày 25 hằng tháng", "Thứ Hai hằng
  tuần") or a day in the following period ("trước ngày 10 của tháng sau", "trước ngày 20/01
  của năm sau").
- A span ("2026 – 2030", "Giai đoạn 2026-2030", "Đến năm 2030", "Từ tháng 4 đến tháng
  8/2026", "Quý I, II/2027") is a `Period`: due at its end, with yearly check-ins.
- Several dated clauses in one cell ("Ban hành kế hoạch trước 30/7/2026; hoàn thành trong
  quý IV/2026") are `Milestones`, each keeping its label words; a list of separate periods
  ("Tháng 3, 6, 9/2026") is milestones without labels.
- Events and other documents ("Sau khi …", "Theo kế hoạch của …", "Theo Quyết định số …")
  are conditional: no date until the office gives one.
- A clock time ("trước 16 giờ", "11h00") is kept on the rule; the day stays the due day.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from typing import Literal

from scheduler.folding import fold
from scheduler.periods import FRIDAY, Freq, month_end, period_start

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
WEEKDAYS = {
    "thu hai": 1, "thu 2": 1, "t2": 1,
    "thu ba": 2, "thu 3": 2, "t3": 2,
    "thu tu": 3, "thu 4": 3, "t4": 3,
    "thu nam": 4, "thu 5": 4, "t5": 4,
    "thu sau": 5, "thu 6": 5, "t6": 5,
    "thu bay": 6, "thu 7": 6, "t7": 6,
    "chu nhat": 7, "cn": 7,
}  # fmt: skip


class DeadlineError(ValueError):
    """The wording is not one we understand; the message is Vietnamese for the office."""


# --- rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Once:
    due: date
    time: time | None = None  # "trước 11h00 ngày 5/8/2026": the hour on the due day
    kind: Literal["once"] = "once"


@dataclass(frozen=True)
class DayInPeriod:
    """A due day inside each period.

    `day` is the day of the month, or the ISO weekday (1 = Thứ Hai) for weekly work;
    `month` is None unless yearly. With `next_period` the day falls after the period: in the
    month that follows it ("ngày 10 của tháng sau"), in the given month of the next year
    ("ngày 20/01 của năm sau"), or in the next week ("thứ Hai tuần sau").
    """

    day: int
    month: int | None
    strict: bool  # "trước ngày 25" → due on the 24th
    next_period: bool = False


@dataclass(frozen=True)
class Recurring:
    freq: Freq
    start: date
    day_in_period: DayInPeriod | None = None
    end: date | None = None  # "Hằng năm, giai đoạn 2026–2030": no period starts after it
    time: time | None = None
    kind: Literal["recurring"] = "recurring"


@dataclass(frozen=True)
class Period:
    """Work over a span ("Giai đoạn 2026–2030"): due at `end`, asked about every `checkin`."""

    start: date
    end: date
    checkin: Freq = "yearly"
    time: time | None = None
    kind: Literal["period"] = "period"


@dataclass(frozen=True)
class Milestone:
    label: str  # the cell's own words ("Ban hành kế hoạch"), "" when it has none
    due: date
    time: time | None = None


@dataclass(frozen=True)
class Milestones:
    """Several dated steps in one cell, in the cell's order; each is its own occurrence."""

    items: tuple[Milestone, ...]
    kind: Literal["milestones"] = "milestones"

    @property
    def due(self) -> date:
        return max(m.due for m in self.items)


@dataclass(frozen=True)
class Ongoing:
    start: date | None
    kind: Literal["ongoing"] = "ongoing"


@dataclass(frozen=True)
class Conditional:
    condition: str
    kind: Literal["conditional"] = "conditional"


DeadlineRule = Once | Recurring | Period | Milestones | Ongoing | Conditional


@dataclass(frozen=True)
class _Ctx:
    plan_year: int
    default_start: date  # a recurrence or "đến năm 2030" without a start begins here
    original: str  # the whole phrase, quoted in errors


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


# --- periods -------------------------------------------------------------------------------

_SEP = r"\s*[/.\-]\s*"

_DATE_NUMERIC = re.compile(rf"^(?:ngay\s+)?(?P<d>\d{{1,2}}){_SEP}(?P<m>\d{{1,2}})(?:{_SEP}(?P<y>\d{{4}}))?$")
_DATE_WORDS = re.compile(r"^(?:ngay\s+)?(?P<d>\d{1,2})\s+thang\s+(?P<m>\d{1,2})(?:,?\s+nam\s+(?P<y>\d{4}))?$")
_MONTH = re.compile(
    r"^(?:thang\s+(?P<m>\d{1,2})(?:(?:\s*[/.]\s*|\s+-\s+|,?\s+nam\s+)(?P<y>\d{4}))?"
    r"|(?P<m2>\d{1,2})\s*/\s*(?P<y2>\d{4}))$"
)
_QUARTER = re.compile(r"^quy\s+(?P<q>iv|iii|ii|i|\d)(?:(?:\s*/\s*|\s+-\s+|,?\s+nam\s+)(?P<year>\d{4}))?$")
_HALF = re.compile(r"^(?:(?P<six>6|sau)\s+thang|nua)\s+(?P<which>dau|cuoi)\s+(?:cua\s+)?nam(?:\s+(?P<year>\d{4}))?$")
_YEAR_ONLY = re.compile(r"^(?:nam\s+)?(?P<year>\d{4})$")
_YEAR_WORD = re.compile(r"^nam\s+nay$")
_END_OF = re.compile(r"^(?:(?:vao|den|truoc)\s+)?cuoi\s+(?P<what>(?:thang|quy|nam)\b.*)$")


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
        if not 1 <= q <= 4:
            raise DeadlineError(f'Quý không hợp lệ: "{q_text}" trong "{original}"')
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
_STRICT = re.compile(r"^truoc(?:\s+ngay)?\s+")
_INCLUSIVE = re.compile(
    r"^(?:cham nhat(?:\s+la)?(?:\s+(?:vao|trong))?(?:\s+ngay)?"
    r"|han(?:\s+chot)?(?:\s+la)?(?:\s*:)?(?:\s+ngay)?"
    r"|den(?:\s+het)?(?:\s+ngay)?|trong(?:\s+thoi gian)?|vao(?:\s+ngay)?|xong)\s*"
)


def _bounds_of(s: str, ctx: _Ctx) -> tuple[date, date] | None:
    """A single period, with "cuối" meaning the end of it."""
    if s in ("cuoi nam", "cuoi nam nay"):
        return parse_period("nam nay", ctx.plan_year, ctx.original)
    if m := _END_OF.match(s):
        bounds = parse_period(m["what"], ctx.plan_year, ctx.original)
        return None if bounds is None else (bounds[1], bounds[1])
    return parse_period(s, ctx.plan_year, ctx.original)


def _parse_once(s: str, ctx: _Ctx) -> Once | None:
    strict = False
    if _END_OF.match(s):
        pass  # "trước cuối tháng 8" is by the end of August, not before it starts
    elif m := _STRICT.match(s):
        strict, s = True, s[m.end() :]
    elif m := _INCLUSIVE.match(s):
        s = s[m.end() :]
    bounds = _bounds_of(s, ctx)
    if bounds is None:
        return None
    first, last = bounds
    return Once(due=first - timedelta(days=1) if strict else last)


# --- spans, ranges and lists ----------------------------------------------------------------

_YEAR_SPAN = re.compile(
    r"^(?:(?:trong|ca|suot)\s+)?(?:(?:giai doan|thoi ky|ca giai doan)\s+)?(?:tu\s+)?(?:nam\s+)?(?P<a>\d{4})"
    r"\s*(?:-|den|toi)\s*(?:het\s+)?(?:nam\s+)?(?P<b>\d{4})$"
)
_UNTIL_YEAR = re.compile(r"^(?:den|toi)(?:\s+het)?\s+(?:nam\s+)?(?P<b>\d{4})$")
_RANGE_SEP = re.compile(r"\s+-\s+|\s+(?:den|toi)(?:\s+het)?\s+")
_LIST_SEP = re.compile(r"\s*,\s*|\s+va\s+")
_UNIT_WORD = re.compile(r"^(thang|quy|ngay|nam)\s")
_BARE_DAY = re.compile(r"^(?:ngay\s+)?(\d{1,2})$")
_HAS_YEAR = re.compile(r"\b\d{4}\b")


def _year_span(s: str, ctx: _Ctx) -> tuple[date, date] | None:
    if m := _YEAR_SPAN.match(s):
        first, last = int(m["a"]), int(m["b"])
        if last < first:
            raise DeadlineError(f'Năm kết thúc {last} trước năm bắt đầu {first} trong "{ctx.original}"')
        return date(first, 1, 1), date(last, 12, 31)
    if m := _UNTIL_YEAR.match(s):
        end = date(int(m["b"]), 12, 31)
        if end < ctx.default_start:
            raise DeadlineError(f'Năm kết thúc {end.year} trước khi kế hoạch bắt đầu trong "{ctx.original}"')
        return ctx.default_start, end
    return None


def _with_year(ctx: _Ctx, year: int) -> _Ctx:
    return replace(ctx, plan_year=year)


def _items(parts: list[str], ctx: _Ctx, wrap: bool = False) -> list[tuple[date, date]] | None:
    """Parse range or list items right to left: the last one carries the year and month.
    With `wrap` (ranges only), a start after the end without a year of its own is taken in
    the year before ("Từ tháng 11 đến tháng 2/2027")."""
    last = _bounds_of(parts[-1], ctx)
    if last is None:
        unit = _UNIT_WORD.match(parts[0] + " ")
        last = _bounds_of(f"{unit[1]} {parts[-1]}", ctx) if unit else None
    if last is None:
        return None
    out = [last]
    for part in reversed(parts[:-1]):
        bounds = _borrowing(part, parts[0], out[0], ctx, wrap)
        if bounds is None:
            return None
        out.insert(0, bounds)
    return out


def _borrowing(part: str, first: str, following: tuple[date, date], ctx: _Ctx, wrap: bool) -> tuple[date, date] | None:
    part = part.strip()
    unit = _UNIT_WORD.match(first + " ")
    unit_word = unit[1] if unit else None
    if unit_word in (None, "ngay") and following[0] == following[1] and (day := _BARE_DAY.match(part)):
        # "từ ngày 1 đến ngày 15/8/2026": the day borrows the month and year that follow.
        d = _make_date(int(day[1]), following[0].month, following[0].year, ctx.original)
        return d, d
    explicit_year = _HAS_YEAR.search(part) is not None
    year = following[0].year
    candidates = [part]
    if unit_word and not _UNIT_WORD.match(part + " "):
        candidates.insert(0, f"{unit_word} {part}")  # "Tháng 3, 6, 9/2026": 6 is a month
    for candidate in candidates:
        bounds = _bounds_of(candidate, _with_year(ctx, year))
        if bounds is None:
            continue
        if wrap and bounds[0] > following[0] and not explicit_year:
            bounds = _bounds_of(candidate, _with_year(ctx, year - 1))
            assert bounds is not None
        return bounds
    return None


_SPAN_LEAD = re.compile(r"^(?:(?:trong|suot)\s+)?(?:(?:cac|2|3|4|hai|ba|bon)\s+)?(?:tu\s+)?")


def _parse_range(s: str, ctx: _Ctx) -> tuple[date, date] | None:
    """A range: "Từ tháng 4 đến tháng 8/2026", "tháng 4 - 8/2026", "từ 1/8 đến 15/8/2026"."""
    s = _SPAN_LEAD.sub("", s, count=1)
    for m in _RANGE_SEP.finditer(s):
        head, tail = s[: m.start()], s[m.end() :]
        if not head or not tail:
            continue
        items = _items([head, tail], ctx, wrap=True)
        if items is None:
            continue
        (first, _), (_, last) = items
        if last < first:
            raise DeadlineError(f'Thời điểm kết thúc trước thời điểm bắt đầu trong "{ctx.original}"')
        return first, last
    return None


def _parse_year_span(s: str, ctx: _Ctx) -> Period | None:
    bounds = _year_span(s, ctx)
    return None if bounds is None else Period(start=bounds[0], end=bounds[1])


def _parse_span(s: str, ctx: _Ctx) -> Period | Milestones | None:
    """Ranges and lists of periods, tried after single periods so that "tháng 8 - 2026"
    stays August."""
    if bounds := _parse_range(s, ctx):
        return Period(start=bounds[0], end=bounds[1])
    stripped = _SPAN_LEAD.sub("", s, count=1)
    parts = _LIST_SEP.split(stripped)
    if len(parts) < 2:
        return None
    items = _items(parts, ctx)
    if items is None:
        return None
    if any(b[0] <= a[1] for a, b in zip(items, items[1:], strict=False)):
        raise DeadlineError(f'Các mốc trong danh sách không theo thứ tự thời gian: "{ctx.original}"')
    contiguous = all(b[0] == a[1] + timedelta(days=1) for a, b in zip(items, items[1:], strict=False))
    if contiguous:
        return Period(start=items[0][0], end=items[-1][1])
    # Separate periods ("Tháng 3, 6, 9/2026") are separate deliveries.
    return Milestones(tuple(Milestone(label="", due=last) for _, last in items))


# --- recurring -----------------------------------------------------------------------------

_FREQ_PATTERNS: list[tuple[Freq, re.Pattern[str]]] = [
    (
        "weekly",
        re.compile(
            r"(?:(?:hang|moi)\s+)?tuan\s+(?:mot|1)\s+lan|(?:dinh ky\s+)?(?:hang|moi)\s+tuan|dinh ky\s+(?:theo\s+)?tuan"
        ),
    ),
    (
        "semiannual",
        re.compile(
            r"(?:dinh ky\s+)?(?:hang|moi)\s+(?:6|sau)\s+thang\s+(?:mot|1)\s+lan|(?:6|sau)\s+thang\s+(?:mot|1)\s+lan"
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

_QUALIFIER = r"(?P<q>truoc|cham nhat(?:\s+la)?(?:\s+vao)?|han(?:\s+chot)?|vao|den(?:\s+het)?|trong)?\s*"
_NEXT = r"(?:\s*,?\s+(?:cua\s+)?(?P<next>thang|quy|nam|tuan)\s+(?:ke tiep|tiep theo|sau|lien ke|lien sau|toi))?"
_START = re.compile(r"^(?:bat dau\s+)?(?:ke\s+)?(?:tu|bat dau)\s+(?P<what>.+)$")
_DAY_IN_PERIOD = re.compile(
    rf"^{_QUALIFIER}(?:ngay\s+)?(?P<d>\d{{1,2}})(?:(?:\s*/\s*|\s+thang\s+)(?P<m>\d{{1,2}}))?"
    rf"(?P<first>\s+(?:cua\s+)?thang dau(?:\s+tien)?(?:\s+cua)?\s+(?:quy|nam)\s+(?:ke tiep|tiep theo|sau))?{_NEXT}$"
)
_WEEKDAY = re.compile(
    rf"^{_QUALIFIER}(?:ngay\s+|vao\s+)?(?P<wd>{'|'.join(sorted(WEEKDAYS, key=len, reverse=True))})\b{_NEXT}$"
)
_CLAUSE_SPLIT = re.compile(r"\s*[,;]\s*|\s+va\s+")
_AND_FOLLOWING = re.compile(
    r"^(?:(?:bat dau\s+)?(?:ke\s+)?tu\s+)?(?P<what>.+?)\s+(?:va\s+(?:nhung|cac)\s+(?P<unit>nam|thang|quy|tuan)"
    r"\s+(?:tiep theo|sau(?: do)?|ke tiep)|tro di|tro ve sau)$"
)
_UNIT_FREQ: dict[str, Freq] = {"nam": "yearly", "quy": "quarterly", "thang": "monthly", "tuan": "weekly"}


def _parse_start(what: str, ctx: _Ctx) -> date:
    bounds = _bounds_of(what, ctx)
    if bounds is None:
        raise DeadlineError(f'Không hiểu mốc bắt đầu "{what}" trong "{ctx.original}"')
    return bounds[0]


@dataclass
class _RecurringParts:
    start: date | None = None
    end: date | None = None
    day: DayInPeriod | None = None


def _recurring_clause(clause: str, freq: Freq, parts: _RecurringParts, ctx: _Ctx) -> None:
    if (span := _year_span(clause, ctx)) or (span := _parse_range(clause, ctx)):
        parts.start, parts.end = span
    elif sm := _START.match(clause):
        parts.start = _parse_start(sm["what"], ctx)
    elif dm := _DAY_IN_PERIOD.match(clause):
        parts.day = _day_in_period(freq, dm, ctx)
    elif wm := _WEEKDAY.match(clause):
        parts.day = _weekday(freq, wm, ctx)
    elif (bounds := _bounds_of(_INCLUSIVE.sub("", clause, count=1), ctx)) is not None:
        parts.start, parts.end = bounds  # "Hằng tháng trong năm 2026"
    else:
        raise DeadlineError(f'Không hiểu "{clause}" trong thời hạn "{ctx.original}"')


def _parse_recurring(s: str, ctx: _Ctx) -> Recurring | None:
    if m := _AND_FOLLOWING.match(s):  # "năm 2026 và những năm tiếp theo", "từ 2026 trở đi"
        freq = _UNIT_FREQ[m["unit"] or "nam"]
        return Recurring(freq=freq, start=period_start(freq, _parse_start(m["what"], ctx)))
    found = _find_freq(s)
    if found is None:
        return None
    freq, rest = found
    parts = _RecurringParts()
    for clause in _CLAUSE_SPLIT.split(rest):
        clause = clause.strip(" .:")
        if clause:
            _recurring_clause(clause, freq, parts, ctx)
    first = period_start(freq, parts.start or ctx.default_start)
    if (
        freq == "weekly"
        and parts.start is None
        and first + timedelta(days=_weekly_offset(parts.day)) < ctx.default_start
    ):
        # The week of 1/1 begins in the previous year: start with the first week whose due
        # day is not already behind the plan.
        first += timedelta(days=7)
    if parts.end is not None and parts.end < first:
        raise DeadlineError(f'Kết thúc trước khi bắt đầu trong "{ctx.original}"')
    return Recurring(freq=freq, start=first, day_in_period=parts.day, end=parts.end)


def _weekly_offset(day: DayInPeriod | None) -> int:
    """Days from a week's Monday to its due day (Friday when no day is given)."""
    if day is None:
        return FRIDAY - 1
    return day.day - 1 + (7 if day.next_period else 0) - (1 if day.strict else 0)


def _find_freq(s: str) -> tuple[Freq, str] | None:
    """The frequency named in the phrase and the rest of it; a day in the following period
    names its frequency by itself ("trước ngày 10 của tháng sau" is monthly)."""
    for freq, pattern in _FREQ_PATTERNS:
        if m := pattern.search(s):
            return freq, (s[: m.start()] + " , " + s[m.end() :]).strip()
    for clause in _CLAUSE_SPLIT.split(s):
        clause = clause.strip(" .:")
        m = _DAY_IN_PERIOD.match(clause) or _WEEKDAY.match(clause)
        if m is None or not (m["next"] or ("first" in m.groupdict() and m["first"])):
            continue
        if m.re is _DAY_IN_PERIOD and not re.search(r"\bngay\b", clause):
            continue  # "2 tháng sau" is two months later, not the 2nd of next month
        if "first" in m.groupdict() and m["first"]:
            return ("quarterly" if "quy" in m["first"] else "yearly"), s
        return _UNIT_FREQ[m["next"]], s
    return None


def _day_in_period(freq: Freq, m: re.Match[str], ctx: _Ctx) -> DayInPeriod:
    original = ctx.original
    day, month = int(m["d"]), int(m["m"]) if m["m"] else None
    strict = (m["q"] or "") == "truoc"
    next_unit = "thang" if m["first"] else m["next"]
    if freq == "weekly":
        raise DeadlineError(f'Hằng tuần nhưng lại ghi ngày trong tháng: "{original}"')
    if next_unit == "tuan":
        raise DeadlineError(f'Ngày trong tháng nhưng lại ghi "tuần sau": "{original}"')
    if next_unit == "nam":
        # "trước ngày 20/01 của năm sau": the yearly occurrence is due early the next year.
        if freq != "yearly" or month is None:
            raise DeadlineError(f'"Năm sau" cần một kỳ hằng năm và ngày/tháng cụ thể: "{original}"')
    elif next_unit is not None:
        # The month right after the period: "Hằng quý, trước ngày 10 của tháng sau".
        if month is not None:
            raise DeadlineError(f'"Tháng sau" nhưng lại ghi tháng cụ thể trong "{original}"')
        if next_unit == "quy" and not m["first"]:
            raise DeadlineError(f'Ngày hạn trong quý sau chưa rõ tháng nào: "{original}"')
    elif freq == "monthly":
        if month is not None:
            raise DeadlineError(f'Hằng tháng nhưng lại ghi tháng cụ thể trong "{original}"')
    elif freq == "yearly":
        if month is None:
            raise DeadlineError(f'Thiếu tháng của ngày hạn hằng năm trong "{original}"')
    else:
        # "trước ngày 15 hằng quý" could mean the first or the last month: ask, do not guess.
        raise DeadlineError(f'Ngày hạn trong kỳ quý/6 tháng chưa rõ tháng nào: "{original}"')
    if month is not None:
        _check_month(month, original)
        _make_date(day, month, 2024, original)  # a leap year accepts 29/2 once a cycle
    if not 1 <= day <= 31:
        raise DeadlineError(f'Ngày không hợp lệ: "{day}" trong "{original}"')
    return DayInPeriod(day=day, month=month, strict=strict, next_period=next_unit is not None)


def _weekday(freq: Freq, m: re.Match[str], ctx: _Ctx) -> DayInPeriod:
    if freq != "weekly" or m["next"] not in (None, "tuan"):
        raise DeadlineError(f'Thứ trong tuần chỉ dùng cho việc hằng tuần: "{ctx.original}"')
    strict = (m["q"] or "") == "truoc"
    return DayInPeriod(day=WEEKDAYS[m["wd"]], month=None, strict=strict, next_period=m["next"] == "tuan")


# --- ongoing and conditional ---------------------------------------------------------------

_ONGOING = re.compile(
    r"^(?:thuong xuyen|lien tuc|hang ngay|moi ngay)(?:\s*(?:,|va)?\s*(?:thuong xuyen|lien tuc|hang ngay))*"
)
_EVENT_WORDS = (
    r"co|nhan duoc|duoc|cap tren|yeu cau|huong dan|chi dao|van ban|phe duyet|ban hanh|thanh pho|tinh|trung uong"
)
_CONDITIONAL = re.compile(
    r"^(?:"
    rf"(?:ngay\s+)?(?:khi|ngay khi)\s+(?:{_EVENT_WORDS})\b"
    r"|(?:ngay\s+)?sau khi\s+\S"
    r"|(?:(?:sau|trong(?:\s+vong)?|cham nhat)\s+)?\d{1,3}\s+ngay(?:\s+lam viec)?\s+"
    r"(?:ke\s+tu|sau khi|tu khi|tu ngay|sau ngay)\b"
    r"|(?:thuc hien\s+)?theo\s+(?:tien do|ke hoach|lo trinh|quyet dinh|thong bao|van ban|cong van|huong dan|chi dao"
    r"|yeu cau|quy dinh|thoi gian|thoi han|de an|chuong trinh|co|cap|nghi quyet|chi thi)\b"
    r")"
)


def _parse_ongoing(s: str, ctx: _Ctx) -> Ongoing | Recurring | None:
    m = _ONGOING.match(s)
    if m is None:
        return None
    rest = s[m.end() :].strip(" ,;")
    # "Thường xuyên hằng năm": the words say it is regular; the time is the recurrence.
    if rest and (recurring := _parse_recurring(rest, ctx)) is not None:
        return recurring
    start: date | None = None
    for clause in _CLAUSE_SPLIT.split(rest):
        clause = clause.strip(" .")
        if not clause:
            continue
        sm = _START.match(clause)
        if sm is None:
            raise DeadlineError(f'Không hiểu "{clause}" trong thời hạn "{ctx.original}"')
        start = _parse_start(sm["what"], ctx)
    return Ongoing(start=start)


# --- one phrase ----------------------------------------------------------------------------

Parser = Callable[[str, _Ctx], DeadlineRule | None]
# Year spans before single periods: "đến năm 2030" is a span, "đến hết ngày 30/9" a date.
_TIMED_PARSERS: list[Parser] = [_parse_ongoing, _parse_recurring, _parse_year_span, _parse_once, _parse_span]


_NAMES_A_DAY = re.compile(r"\d{1,2}\s*[/.\-]\s*\d{1,2}|\bngay\s+\d")


def _with_time(rule: DeadlineRule, at: time | None, rest: str, ctx: _Ctx) -> DeadlineRule:
    """A clock time belongs to a day: a date, or a day of each period. "2026, 10 giờ" has
    no day to hold it, so it is refused rather than pinned to 31/12."""
    if at is None:
        return rule
    if isinstance(rule, Once) and _NAMES_A_DAY.search(rest):
        return replace(rule, time=at)
    if isinstance(rule, Recurring) and rule.day_in_period is not None:
        return replace(rule, time=at)
    raise DeadlineError(f'Giờ {at:%H:%M} không gắn với một ngày cụ thể trong "{ctx.original}"')


def _parse_phrase(original: str, ctx: _Ctx) -> DeadlineRule | None:
    """One phrase, the whole of it, or None when no rule of the grammar places it."""
    s = _strip_descriptive(_normalise(fold(original)))
    if not s:
        return None
    if _CONDITIONAL.match(s):
        return Conditional(condition=original.rstrip(" ."))
    s, at = _extract_clock(s, ctx)
    s = _strip_descriptive(s)
    for parser in _TIMED_PARSERS:
        if (rule := parser(s, ctx)) is not None:
            return _with_time(rule, at, s, ctx)
    return None


def _parses(text: str, ctx: _Ctx) -> bool:
    try:
        return _parse_phrase(text, ctx) is not None
    except DeadlineError:
        return False


def _unplaced(original: str, ctx: _Ctx) -> str:
    """The words no rule could place: what is left around the longest part we understand."""
    words = original.split()
    for n in range(len(words) - 1, 0, -1):
        if _parses(" ".join(words[:n]), ctx):
            return " ".join(words[n:])
        if _parses(" ".join(words[len(words) - n :]), ctx):
            return " ".join(words[: len(words) - n])
    return original


# --- milestones ----------------------------------------------------------------------------

_MILESTONE_SPLIT = re.compile(r"\s*[;\n]\s*|\.\s+(?=\S)|\s*,\s*")
_DIGIT = re.compile(r"\d")


def _dated(text: str, ctx: _Ctx) -> tuple[date, time | None] | None:
    """The due day of a dated phrase (a date, a period or a span), or None."""
    try:
        rule = _parse_phrase(text, ctx)
    except DeadlineError:
        return None
    if isinstance(rule, Once):
        return rule.due, rule.time
    if isinstance(rule, Period):
        return rule.end, rule.time
    return None  # a recurrence or a condition is not one dated step


def _milestone(clause: str, ctx: _Ctx) -> Milestone | None:
    """A clause "<label words> <time>", "<label>: <time>" or "<time>: <label>"."""
    if ":" in clause:
        # A colon marks the label explicitly, so it may hold numbers ("Giai đoạn 1: 2026-2027").
        head, tail = (part.strip() for part in clause.split(":", 1))
        if head and tail and (found := _dated(tail, ctx)) and _dated(head, ctx) is None:
            return Milestone(label=head, due=found[0], time=found[1])
        if head and tail and (found := _dated(head, ctx)) and not _DIGIT.search(tail):
            return Milestone(label=tail, due=found[0], time=found[1])
    words = clause.split()
    for n in range(len(words)):
        if _DIGIT.search(" ".join(words[:n])):
            return None  # numbers in an unmarked label would be a date we failed to read
        if (found := _dated(" ".join(words[n:]), ctx)) is not None:
            return Milestone(label=_with_descriptive(words, n), due=found[0], time=found[1])
    return None


def _with_descriptive(words: list[str], n: int) -> str:
    """The label words, with the descriptive words that follow them ("hoàn thành"): in a
    milestone they tell one step from another, so they are kept rather than dropped."""
    m = _DESCRIPTIVE.match(fold(" ".join(words[n:])))
    if m is not None:
        n += len(m[0].split())
    return " ".join(words[:n]).strip(" :-")


def _parse_milestones(text: str, ctx: _Ctx) -> Milestones | None:
    clauses = [c for c in _MILESTONE_SPLIT.split(text.strip(" .;")) if c.strip(" .;")]
    if len(clauses) < 2:
        return None
    items: list[Milestone] = []
    for clause in clauses:
        item = _milestone(" ".join(clause.split()).strip(" .;"), ctx)
        if item is None:
            if not items:
                return None
            raise DeadlineError(f'Không hiểu mốc "{clause.strip()}" trong thời hạn "{ctx.original}"')
        items.append(item)
    return Milestones(tuple(items))


# --- entry point ---------------------------------------------------------------------------


def parse_deadline(text: str, plan_year: int, plan_date: date | None = None) -> DeadlineRule:
    """Parse one deadline phrase. `plan_year` fills dates written without a year; a
    recurrence or span without a start begins with the period containing `plan_date`
    (or 1/1)."""
    original = " ".join(text.split())
    if not original.strip(" .;"):
        raise DeadlineError("Thời hạn đang để trống")
    ctx = _Ctx(plan_year=plan_year, default_start=plan_date or date(plan_year, 1, 1), original=original)
    if (rule := _parse_phrase(original, ctx)) is not None:
        return rule
    # Cells from Word keep their line breaks: milestones are split on them before joining.
    if (milestones := _parse_milestones(text, ctx)) is not None:
        return milestones
    leftover = _unplaced(original, ctx)
    if leftover == original:
        raise DeadlineError(f'Không hiểu thời hạn "{original}"')
    raise DeadlineError(f'Không hiểu "{leftover}" trong thời hạn "{original}"')


def _clock(at: time) -> str:
    return f"{at:%H:%M}"


def rule_to_json(rule: DeadlineRule) -> dict[str, object]:
    """The stable JSON shape printed by `nhacviec deadline --json`.

    For weekly recurrences `day` is the ISO weekday (1 = Monday); otherwise the day of the
    month. `time` ("HH:MM") appears only when the wording gives a clock time.
    """
    out: dict[str, object]
    if isinstance(rule, Once):
        out = {"kind": "once", "due": rule.due.isoformat()}
    elif isinstance(rule, Recurring):
        out = {"kind": "recurring", "freq": rule.freq, "start": rule.start.isoformat()}
        if rule.day_in_period is not None:
            dip = rule.day_in_period
            out["day_in_period"] = {"day": dip.day, "month": dip.month, "before": dip.strict}
            if dip.next_period:
                out["day_in_period"] = {**out["day_in_period"], "next_period": True}  # type: ignore[dict-item]
            out["day"] = dip.day
        if rule.end is not None:
            out["end"] = rule.end.isoformat()
    elif isinstance(rule, Period):
        out = {
            "kind": "period",
            "start": rule.start.isoformat(),
            "end": rule.end.isoformat(),
            "due": rule.end.isoformat(),
            "checkin": rule.checkin,
        }
    elif isinstance(rule, Milestones):
        out = {
            "kind": "milestones",
            "milestones": [m.due.isoformat() for m in rule.items],
            "labels": [m.label for m in rule.items],
            "due": rule.due.isoformat(),
        }
        times = [_clock(m.time) if m.time else None for m in rule.items]
        if any(times):
            out["times"] = times
        return out
    elif isinstance(rule, Ongoing):
        return {"kind": "ongoing", "start": rule.start.isoformat() if rule.start else None}
    else:
        return {"kind": "conditional", "condition": rule.condition}
    if rule.time is not None:
        out["time"] = _clock(rule.time)
    return out
