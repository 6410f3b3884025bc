"""One phrase, the whole of it: the strict grammar behind `parse_deadline`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, time

from scheduler.deadlines.dates import _parse_once, _parse_span, _parse_year_span
from scheduler.deadlines.recurring import _CONDITIONAL, _parse_ongoing, _parse_recurring
from scheduler.deadlines.rules import (
    Conditional,
    DeadlineError,
    DeadlineRule,
    Milestone,
    Milestones,
    Once,
    Period,
    Recurring,
    _Ctx,
)
from scheduler.deadlines.wording import (
    _DESCRIPTIVE,
    _extract_clock,
    _normalise,
    _strip_descriptive,
    number_words_to_digits,
)
from scheduler.folding import fold

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
    if isinstance(rule, Period) and _NAMES_A_DAY.search(rest):
        return replace(rule, time=at)  # "đến 17 giờ 00, ngày 01/02/2026": the hour of the last day
    raise DeadlineError(f'Giờ {at:%H:%M} không gắn với một ngày cụ thể trong "{ctx.original}"')


def _parse_phrase(original: str, ctx: _Ctx) -> DeadlineRule | None:
    """One phrase, the whole of it, or None when no rule of the grammar places it."""
    s = _strip_descriptive(_normalise(fold(number_words_to_digits(original))))
    if not s:
        return None
    if _CONDITIONAL.match(s):
        # "Thực hiện theo quy định, hoàn thành trước 30/6/2026": a clause with its own
        # time says when; the condition's words alone do not make the whole cell conditional.
        if any(_has_time(clause, ctx) for clause in _CLAUSES.split(s)[1:]):
            return None
        return Conditional(condition=original.rstrip(" ."))
    return _timed(s, ctx)


_CLAUSES = re.compile(r"\s*[,;]\s*")


def _timed(s: str, ctx: _Ctx) -> DeadlineRule | None:
    """The timed grammar (everything but conditions) on normalised text."""
    s, at = _extract_clock(s, ctx)
    s = _strip_descriptive(s)
    for parser in _TIMED_PARSERS:
        if (rule := parser(s, ctx)) is not None:
            return _with_time(rule, at, s, ctx)
    return None


def _has_time(clause: str, ctx: _Ctx) -> bool:
    try:
        return _timed(clause, ctx) is not None
    except DeadlineError:
        return False


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

# A numbered step starts a milestone even without a separator ("Đợt 1 … Đợt 2 …").
_MILESTONE_SPLIT = re.compile(
    r"\s*[;\n]\s*|\.\s+(?=\S)|\s*,\s*|\s+(?=(?:đợt|dot|lần|giai đoạn)\s+\d{1,2}\b(?!\s*[-–/]))", re.IGNORECASE
)
_DIGIT = re.compile(r"\d")
# A step's own number ("Đợt 1", "Giai đoạn 2", "Lần 3") is a name, not a date.
_STEP_NUMBER = re.compile(r"\b(?:dot|lan|giai doan|buoc|ky|phan)\s+(?:\d{1,2}|[ivx]{1,4})\b")


def _names_a_number(label: str) -> bool:
    return _DIGIT.search(_STEP_NUMBER.sub("", fold(label))) is not None


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
        if _names_a_number(" ".join(words[:n])):
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


_YEAR = re.compile(r"\b\d{4}\b")
_STRONG_SPLIT = re.compile(r"[;\n]|\.\s+\S")
_COMMA = re.compile(r"\s*,\s*")


def _shares_a_year(text: str) -> bool:
    """ "… Quý I, Quý II năm 2027": a comma-separated part without a year before one with a
    year is a list sharing that year, not a step in the plan's year."""
    parts = [p for p in _COMMA.split(text) if p.strip()]
    return any(
        _YEAR.search(a) is None and _YEAR.search(b) is not None and ";" not in a and "\n" not in a
        for a, b in zip(parts, parts[1:], strict=False)
    )


def _parse_milestones(text: str, ctx: _Ctx) -> Milestones | None:
    clauses = [c for c in _MILESTONE_SPLIT.split(text.strip(" .;")) if c.strip(" .;")]
    if len(clauses) < 2 or _shares_a_year(text.strip(" .;")):
        return None
    items: list[Milestone] = []
    for clause in clauses:
        item = _milestone(" ".join(clause.split()).strip(" .;"), ctx)
        if item is None:
            if not items:
                return None
            raise DeadlineError(f'Không hiểu mốc "{clause.strip()}" trong thời hạn "{ctx.original}"')
        items.append(item)
    if any(not item.label for item in items[1:]) and not _STRONG_SPLIT.search(text.strip(" .;")):
        return None  # "Ban hành kế hoạch năm 2026, 2027": one list of years, not two steps
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
    if (rule := _whole(text, original, ctx)) is not None:
        return rule
    leftover = _unplaced(original, ctx)
    if leftover == original:
        raise DeadlineError(f'Không hiểu thời hạn "{original}"')
    raise DeadlineError(f'Không hiểu "{leftover}" trong thời hạn "{original}"')


def _whole(text: str, original: str, ctx: _Ctx) -> DeadlineRule | None:
    if (rule := _parse_phrase(original, ctx)) is not None:
        return rule
    # Cells from Word keep their line breaks: milestones are split on them before joining.
    return _parse_milestones(text, ctx)


def try_parse(text: str, plan_year: int, plan_date: date | None = None) -> DeadlineRule | None:
    """`parse_deadline` without the error message: None when the grammar cannot place the
    phrase. For searching many stretches of a cell, where naming the unplaced words (a
    search of its own) would cost more than the reading."""
    original = " ".join(text.split())
    if not original.strip(" .;"):
        return None
    ctx = _Ctx(plan_year=plan_year, default_start=plan_date or date(plan_year, 1, 1), original=original)
    try:
        return _whole(text, original, ctx)
    except (ValueError, OverflowError):  # DeadlineError, or a date the calendar cannot hold
        return None
