from datetime import date

import pytest

from scheduler.deadlines import (
    Conditional,
    DayInPeriod,
    DeadlineError,
    Once,
    Ongoing,
    Recurring,
    parse_deadline,
    rule_to_json,
)

SEED_PHRASES = [
    ("Trước 10/5/2026", Once(date(2026, 5, 9))),
    ("Thường xuyên", Ongoing(None)),
    ("Hàng năm, bắt đầu từ 2026", Recurring("yearly", date(2026, 1, 1))),
    ("Quý II/2026", Once(date(2026, 6, 30))),
    ("Hàng năm, từ năm 2026", Recurring("yearly", date(2026, 1, 1))),
    ("Quý IV/2026", Once(date(2026, 12, 31))),
    ("Thường xuyên, từ năm 2026", Ongoing(date(2026, 1, 1))),
    ("Năm 2026", Once(date(2026, 12, 31))),
    (
        "Sau khi có hướng dẫn của Bộ Khoa học & Công nghệ và thành phố.",
        Conditional("Sau khi có hướng dẫn của Bộ Khoa học & Công nghệ và thành phố"),
    ),
]

FAMILIES = [
    # exact dates, with and without qualifiers and years
    ("10/5/2026", Once(date(2026, 5, 10))),
    ("trước ngày 10/5/2026", Once(date(2026, 5, 9))),
    ("truoc 1/1/2027", Once(date(2026, 12, 31))),
    ("chậm nhất 15/6/2026", Once(date(2026, 6, 15))),
    ("Chậm nhất ngày 15/6", Once(date(2026, 6, 15))),
    ("hạn 20/7", Once(date(2026, 7, 20))),
    ("Hạn chót: 20/07/2026", Once(date(2026, 7, 20))),
    ("trước 10/5", Once(date(2026, 5, 9))),
    ("ngày 10 tháng 6 năm 2026", Once(date(2026, 6, 10))),
    ("trước ngày 10 tháng 6", Once(date(2026, 6, 9))),
    ("đến hết ngày 30-9-2026", Once(date(2026, 9, 30))),
    # months
    ("tháng 6/2026", Once(date(2026, 6, 30))),
    ("Trong tháng 6", Once(date(2026, 6, 30))),
    ("tháng 2 năm 2028", Once(date(2028, 2, 29))),
    ("trước tháng 6/2026", Once(date(2026, 5, 31))),
    # quarters, Roman or Arabic
    ("quý 2 năm 2026", Once(date(2026, 6, 30))),
    ("Quý 3/2026", Once(date(2026, 9, 30))),
    ("quy iv/2026", Once(date(2026, 12, 31))),
    ("trong quý I", Once(date(2026, 3, 31))),
    ("Hoàn thành trong Quý III/2026", Once(date(2026, 9, 30))),
    # half-years and years
    ("6 tháng đầu năm", Once(date(2026, 6, 30))),
    ("6 tháng cuối năm 2027", Once(date(2027, 12, 31))),
    ("nam 2027", Once(date(2027, 12, 31))),
    ("Trong năm 2026", Once(date(2026, 12, 31))),
    # recurrences
    ("Hằng năm", Recurring("yearly", date(2026, 1, 1))),
    ("hang nam, bat dau tu 2027", Recurring("yearly", date(2027, 1, 1))),
    ("Hằng quý", Recurring("quarterly", date(2026, 1, 1))),
    ("định kỳ hằng quý, từ quý III/2026", Recurring("quarterly", date(2026, 7, 1))),
    ("Hằng tháng", Recurring("monthly", date(2026, 1, 1))),
    ("Định kỳ 6 tháng", Recurring("semiannual", date(2026, 1, 1))),
    ("định kỳ 6 tháng, bắt đầu từ tháng 7/2026", Recurring("semiannual", date(2026, 7, 1))),
    (
        "trước ngày 15/12 hằng năm",
        Recurring("yearly", date(2026, 1, 1), DayInPeriod(15, 12, strict=True)),
    ),
    (
        "Trước ngày 10 tháng 6 hằng năm",
        Recurring("yearly", date(2026, 1, 1), DayInPeriod(10, 6, strict=True)),
    ),
    ("trước ngày 25 hằng tháng", Recurring("monthly", date(2026, 1, 1), DayInPeriod(25, None, True))),
    ("Hằng tháng, chậm nhất ngày 5", Recurring("monthly", date(2026, 1, 1), DayInPeriod(5, None, False))),
    # ongoing
    ("thuong xuyen", Ongoing(None)),
    ("Thường xuyên, liên tục", Ongoing(None)),
    ("Thường xuyên, bắt đầu từ tháng 7/2026", Ongoing(date(2026, 7, 1))),
    # conditional
    ("Khi có yêu cầu", Conditional("Khi có yêu cầu")),
    ("sau khi co huong dan cua thanh pho", Conditional("sau khi co huong dan cua thanh pho")),
    ("Theo yêu cầu của UBND thành phố", Conditional("Theo yêu cầu của UBND thành phố")),
]


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
