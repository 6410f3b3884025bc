"""Recurrences ("hằng tháng, trước ngày 25"), ongoing work and conditions."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from scheduler.deadlines.dates import (
    _INCLUSIVE,
    _bounds_of,
    _check_month,
    _make_date,
    _parse_once,
    _parse_range,
    _year_span,
)
from scheduler.deadlines.rules import WEEKDAYS, DayInPeriod, DeadlineError, Ongoing, Recurring, _Ctx
from scheduler.periods import FRIDAY, Freq, period_start

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
            r"(?:dinh ky\s+)?(?:hang|moi)\s+(?:0?6|sau)\s+thang\s*(?:/\s*|\s)(?:mot|1)?\s*lan"
            r"|(?:0?6|sau)\s+thang\s*(?:/\s*|\s)(?:mot|1)?\s*lan"
            r"|dinh ky\s+(?:(?:moi|hang)\s+)?(?:0?6|sau)\s+thang(?:\s*(?:/\s*|\s)(?:mot|1)?\s*lan)?"
            r"|(?:hang|moi)\s+(?:0?6|sau)\s+thang"
            r"|(?:dinh ky\s+)?(?:hang|moi)\s+nua\s+nam|dinh ky\s+nua\s+nam"
        ),
    ),
    (
        "quarterly",
        re.compile(
            r"(?:dinh ky\s+)?(?:hang|moi)\s+quy|dinh ky\s+(?:theo\s+)?quy"
            r"|(?:dinh ky\s+)?(?:0?3|ba)\s+thang\s*(?:/\s*|\s)(?:mot|1)?\s*lan"
            r"|dinh ky\s+(?:0?3|ba)\s+thang(?:\s*(?:/\s*|\s)(?:mot|1)?\s*lan)?"
        ),
    ),
    ("monthly", re.compile(r"(?:dinh ky\s+)?(?:hang|moi)\s+thang|dinh ky\s+(?:theo\s+)?thang")),
    (
        "yearly",
        re.compile(r"(?:dinh ky\s+)?(?:hang|moi)\s+nam|dinh ky\s+(?:theo\s+)?nam|dinh ky\s+(?:12|1)\s+(?:thang|nam)"),
    ),
]

_QUALIFIER = r"(?P<q>truoc|cham nhat(?:\s+la)?(?:\s+(?:vao|den))?|han(?:\s+chot)?|vao|den(?:\s+het)?|trong)?\s*"
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
    day: DayInPeriod | None = None
    if (span := _year_span(clause, ctx)) or (span := _parse_range(clause, ctx)):
        parts.start, parts.end = span
    elif sm := _START.match(clause):
        parts.start = _parse_start(sm["what"], ctx)
    elif dm := _DAY_IN_PERIOD.match(clause):
        day = _day_in_period(freq, dm, ctx)
    elif wm := _WEEKDAY.match(clause):
        day = _weekday(freq, wm, ctx)
    elif freq == "yearly" and (yearly := _day_of_each_year(clause, ctx)) is not None:
        day = yearly
    elif (bounds := _bounds_of(_INCLUSIVE.sub("", clause, count=1), ctx)) is not None:
        parts.start, parts.end = bounds  # "Hằng tháng trong năm 2026"
    else:
        raise DeadlineError(f'Không hiểu "{clause}" trong thời hạn "{ctx.original}"')
    if day is not None and parts.day is not None:
        # "Trước ngày 15/6 và 15/12 hằng năm": two due days; one rule holds one, and keeping
        # the last would drop the first without a word.
        raise DeadlineError(f'Hai ngày hạn trong một kỳ lặp lại: "{ctx.original}" — mỗi ngày hạn cần ghi riêng')
    parts.day = day or parts.day


_YEAR_DIGITS = re.compile(r"\b\d{4}\b")
_PERIODICALLY = re.compile(r"^dinh ky\s+")


def _day_of_each_year(clause: str, ctx: _Ctx) -> DayInPeriod | None:
    """A period without a year inside a yearly recurrence is its place in every year:
    "Tháng 12 hằng năm" is due at the end of each December, not once in the plan's year."""
    if _YEAR_DIGITS.search(clause):
        return None
    # A year without 29/2, so that "tháng 2" ends on a day every year has.
    once = _parse_once(clause, replace(ctx, plan_year=_COMMON_YEAR))
    if once is None or once.due.year != _COMMON_YEAR:
        return None  # "trước tháng 1" would fall in the year before
    return DayInPeriod(day=once.due.day, month=once.due.month, strict=False)


_COMMON_YEAR = 2025


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
        # "định kỳ trước ngày 15 hàng tháng": "định kỳ" repeats what "hàng tháng" says.
        clause = _PERIODICALLY.sub("", clause.strip(" .:"))
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
_THE_YEAR = re.compile(r"^(?:trong|ca|quanh|suot)(?:\s+ca)?\s+nam(?:\s+nay)?$")
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
    if _THE_YEAR.match(rest):
        return Ongoing(start=None)  # "Thường xuyên trong năm": all through the plan's year
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
