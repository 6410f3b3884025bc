"""Dates, calendar periods, one-off deadlines, year spans, ranges and lists."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from scheduler.deadlines.rules import ROMAN, DeadlineError, Milestone, Milestones, Once, Period, _Ctx
from scheduler.periods import month_end

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
    r"^(?:cham nhat(?:\s+la)?(?:\s+(?:vao|trong|den(?:\s+het)?))?(?:\s+ngay)?"
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


_SPAN_LEAD = re.compile(
    r"^(?:(?:trong|suot)\s+)?(?:khoang\s+)?(?:thoi gian\s+)?(?:(?:cac|2|3|4|hai|ba|bon)\s+)?(?:tu\s+)?"
)


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
