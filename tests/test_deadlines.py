from datetime import date

import pytest

from scheduler.deadlines import (
    Conditional,
    DeadlineError,
    Recurring,
    parse_deadline,
    rule_to_json,
)
from tests.deadline_phrases import FAMILIES, SEED_PHRASES


@pytest.mark.parametrize(("phrase", "expected"), SEED_PHRASES + FAMILIES)
def test_it_understands_plan_deadline_wording(phrase: str, expected: object) -> None:
    assert parse_deadline(phrase, plan_year=2026) == expected


@pytest.mark.parametrize(("phrase", "expected"), SEED_PHRASES + FAMILIES)
def test_it_reads_phrases_without_diacritics_the_same(phrase: str, expected: object) -> None:
    from scheduler.folding import fold

    rule = parse_deadline(fold(phrase), plan_year=2026)
    assert rule_to_json(rule)["kind"] == rule_to_json(expected)["kind"]  # type: ignore[arg-type]
    if not isinstance(expected, Conditional):
        assert rule == expected


@pytest.mark.parametrize(
    "phrase",
    [
        "31/2/2026",
        "Trước 30/2/2026",
        "tháng 13/2026",
        "quý 5/2026",
        "quý V/2026",
        "sớm",
        "càng sớm càng tốt",
        "Trước 10/5/2026 hoặc muộn hơn",
        "Hằng năm, bắt đầu từ hôm qua",
        "trước ngày 15 hằng quý",
        "trước ngày 15 hằng năm",
        "Thường xuyên, khi rảnh",
        "",
        "   ",
        "10/5/2026 10/6/2026",
    ],
)
def test_it_refuses_wording_it_does_not_understand(phrase: str) -> None:
    with pytest.raises(DeadlineError):
        parse_deadline(phrase, plan_year=2026)


def test_before_a_date_means_the_day_before() -> None:
    assert rule_to_json(parse_deadline("Trước 10/5/2026", 2026)) == {"kind": "once", "due": "2026-05-09"}


def test_a_recurrence_without_start_begins_with_the_plan_period() -> None:
    rule = parse_deadline("Hằng quý", 2026, plan_date=date(2026, 5, 5))
    assert rule == Recurring("quarterly", date(2026, 4, 1))


def test_the_error_quotes_the_wording() -> None:
    with pytest.raises(DeadlineError, match="càng sớm càng tốt"):
        parse_deadline("càng sớm càng tốt", 2026)
