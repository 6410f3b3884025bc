"""Deadline wording of real plans, one table per family (plan year 2026, no issue date).

Every accepted phrase is also read without diacritics; the tables are in
tests/deadline_phrases.py (bench/deadline_coverage.py prints the understood/refused counts).
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.deadlines import (
    Conditional,
    DayInPeriod,
    DeadlineError,
    DeadlineRule,
    Milestone,
    Milestones,
    Once,
    Period,
    Recurring,
    parse_deadline,
)
from tests.deadline_phrases import (
    ACCEPTED,
    DAYS_AND_WEEKS,
    DESCRIPTIVE,
    EVENTS,
    MILESTONES,
    REFUSED,
    SPANS,
    SPELLINGS,
    Y,
    strip_marks,
)


def _ids(rows: list[tuple[str, DeadlineRule]]) -> list[str]:
    return [p for p, _ in rows]


@pytest.mark.parametrize(("phrase", "expected"), DESCRIPTIVE, ids=_ids(DESCRIPTIVE))
def test_descriptive_words_around_the_time(phrase: str, expected: DeadlineRule) -> None:
    assert parse_deadline(phrase, Y) == expected
    assert parse_deadline(strip_marks(phrase), Y) == expected


@pytest.mark.parametrize(("phrase", "expected"), SPANS, ids=_ids(SPANS))
def test_spans_ranges_and_lists(phrase: str, expected: DeadlineRule) -> None:
    assert parse_deadline(phrase, Y) == expected
    assert parse_deadline(strip_marks(phrase), Y) == expected


@pytest.mark.parametrize(("phrase", "expected"), DAYS_AND_WEEKS, ids=_ids(DAYS_AND_WEEKS))
def test_a_day_inside_each_period_and_weekly_work(phrase: str, expected: DeadlineRule) -> None:
    assert parse_deadline(phrase, Y) == expected
    assert parse_deadline(strip_marks(phrase), Y) == expected


def _marks_stripped_labels(rule: DeadlineRule) -> DeadlineRule:
    assert isinstance(rule, Milestones)
    return Milestones(tuple(Milestone(strip_marks(m.label), m.due, m.time) for m in rule.items))


@pytest.mark.parametrize(("phrase", "expected"), MILESTONES, ids=_ids(MILESTONES))
def test_several_milestones_in_one_cell_keep_their_labels(phrase: str, expected: DeadlineRule) -> None:
    assert parse_deadline(phrase, Y) == expected
    assert parse_deadline(strip_marks(phrase), Y) == _marks_stripped_labels(expected)


@pytest.mark.parametrize("phrase", EVENTS)
def test_events_and_other_documents_wait_for_a_date(phrase: str) -> None:
    assert parse_deadline(phrase, Y) == Conditional(phrase)
    assert parse_deadline(strip_marks(phrase), Y) == Conditional(strip_marks(phrase))


@pytest.mark.parametrize(("phrase", "expected"), SPELLINGS, ids=_ids(SPELLINGS))
def test_spellings_dots_dashes_and_clock_times(phrase: str, expected: DeadlineRule) -> None:
    assert parse_deadline(phrase, Y) == expected
    assert parse_deadline(strip_marks(phrase), Y) == expected


@pytest.mark.parametrize("phrase", REFUSED)
def test_it_refuses_what_it_cannot_place(phrase: str) -> None:
    with pytest.raises(DeadlineError):
        parse_deadline(phrase, Y)
    with pytest.raises(DeadlineError):
        parse_deadline(strip_marks(phrase), Y)


@pytest.mark.parametrize(
    ("phrase", "words"),
    [
        ("Trước 10/5/2026 hoặc muộn hơn", '"hoặc muộn hơn"'),
        ("Ban hành kế hoạch trước 30/7/2026", '"Ban hành kế hoạch"'),
        ("10/5/2026 10/6/2026", '"10/6/2026"'),
        ("Giai đoạn 2026-2030 nếu có kinh phí", '"nếu có kinh phí"'),
        ("Ban hành kế hoạch trước 30/7/2026; sớm nhất có thể", '"sớm nhất có thể"'),
        ("2030-2026", "2026 trước năm bắt đầu 2030"),
        ("quý 5/2026", 'Quý không hợp lệ: "5"'),
    ],
)
def test_the_error_names_the_words_it_could_not_place(phrase: str, words: str) -> None:
    with pytest.raises(DeadlineError) as err:
        parse_deadline(phrase, Y)
    assert words in str(err.value)


def test_a_span_without_start_begins_with_the_plan() -> None:
    rule = parse_deadline("Đến năm 2030", 2026, plan_date=date(2026, 3, 5))
    assert rule == Period(date(2026, 3, 5), date(2030, 12, 31))


def test_weekly_work_begins_with_the_week_of_the_plan() -> None:
    rule = parse_deadline("Thứ Hai hằng tuần", 2026, plan_date=date(2026, 7, 8))  # a Wednesday
    assert rule == Recurring("weekly", date(2026, 7, 13), DayInPeriod(1, None, False))


# --- the descriptive words never change a time's meaning ----------------------------------

DESCRIPTIVE_WORDS = ["Hoàn thành", "Thời gian thực hiện:", "Thực hiện", "Tiến độ:", "Thời gian hoàn thành:"]
ONCE_OR_PERIOD = [(p, r) for p, r in ACCEPTED if isinstance(r, Once | Period)]


@given(
    row=st.sampled_from(ONCE_OR_PERIOD),
    words=st.lists(st.sampled_from(DESCRIPTIVE_WORDS), min_size=1, max_size=2),
    marks=st.booleans(),
)
def test_descriptive_words_in_front_keep_the_meaning(
    row: tuple[str, DeadlineRule], words: list[str], marks: bool
) -> None:
    phrase, expected = row
    text = " ".join([*words, phrase])
    assert parse_deadline(text if marks else strip_marks(text), Y) == expected
