"""Deadline phrases of real plans and how each is read (plan year 2026, no issue date): the
seed phrases and families of tests/test_deadlines.py, the tables by family of
tests/test_deadlines_wording.py; shared with tests/test_deadlines_reading.py and
bench/deadline_coverage.py.
"""

from __future__ import annotations

import unicodedata
from datetime import date, time

from scheduler.deadlines import (
    Conditional,
    DayInPeriod,
    DeadlineRule,
    Milestone,
    Milestones,
    Once,
    Ongoing,
    Period,
    Recurring,
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

Y = 2026
JAN1 = date(2026, 1, 1)


def strip_marks(text: str) -> str:
    """What a phone keyboard without Vietnamese input types: no marks, đ → d."""
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def years(a: int, b: int) -> Period:
    return Period(date(a, 1, 1), date(b, 12, 31))


def span(a: date, b: date) -> Period:
    return Period(a, b)


def monthly(dip: DayInPeriod | None = None, **kw: object) -> Recurring:
    return Recurring("monthly", kw.pop("start", JAN1), dip, **kw)  # type: ignore[arg-type]


def weekly(start: date, dip: DayInPeriod | None = None, at: time | None = None) -> Recurring:
    return Recurring("weekly", start, dip, time=at)


def steps(*items: tuple[str, date]) -> Milestones:
    return Milestones(tuple(Milestone(label, due) for label, due in items))


DESCRIPTIVE: list[tuple[str, DeadlineRule]] = [
    ("Hoàn thành trong tháng 9/2026", Once(date(2026, 9, 30))),
    ("Thời gian thực hiện: quý III/2026", Once(date(2026, 9, 30))),
    ("Xong trước ngày 15/8/2026", Once(date(2026, 8, 14))),
    ("Thực hiện trong năm 2027", Once(date(2027, 12, 31))),
    ("Thường xuyên hằng năm", Recurring("yearly", JAN1)),
    ("Tiến độ: tháng 10/2026", Once(date(2026, 10, 31))),
    ("Thời gian hoàn thành: 30/6/2026", Once(date(2026, 6, 30))),
    ("Thời hạn hoàn thành: trước 15/9/2026", Once(date(2026, 9, 14))),
    ("Tiến độ thực hiện: Quý IV/2026", Once(date(2026, 12, 31))),
    ("Hoàn thành trước ngày 30/11/2026", Once(date(2026, 11, 29))),
    ("Thực hiện xong trong quý II/2026", Once(date(2026, 6, 30))),
    ("Triển khai thực hiện trong năm 2026", Once(date(2026, 12, 31))),
    ("Tổ chức thực hiện trong tháng 12/2026", Once(date(2026, 12, 31))),
    ("Dự kiến: tháng 11/2026", Once(date(2026, 11, 30))),
    ("Thời gian: Quý I/2027", Once(date(2027, 3, 31))),
    ("Thời gian thực hiện: Năm 2026", Once(date(2026, 12, 31))),
    ("Hoàn thành chậm nhất ngày 20/12/2026", Once(date(2026, 12, 20))),
    ("Thực hiện thường xuyên", Ongoing(None)),
    ("Thực hiện hằng năm", Recurring("yearly", JAN1)),
    ("Thường xuyên hàng tháng", monthly()),
    ("Thường xuyên, hằng quý", Recurring("quarterly", JAN1)),
    ("Hoàn thành: Quý III năm 2026", Once(date(2026, 9, 30))),
    ("Tiến độ - tháng 9/2026", Once(date(2026, 9, 30))),
    ("Thời gian thực hiện: Giai đoạn 2026-2030", years(2026, 2030)),
    ("Tiến độ hoàn thành: trong tháng 7/2026", Once(date(2026, 7, 31))),
]

SPANS: list[tuple[str, DeadlineRule]] = [
    ("2026 – 2030", years(2026, 2030)),
    ("2026 — 2030", years(2026, 2030)),
    ("2026-2030", years(2026, 2030)),
    ("2026 - 2030", years(2026, 2030)),
    ("Giai đoạn 2026-2030", years(2026, 2030)),
    ("Giai đoạn 2026 – 2030", years(2026, 2030)),
    ("giai đoạn 2026 - 2030", years(2026, 2030)),
    ("Năm 2026 - 2027", years(2026, 2027)),
    ("Năm 2026-2030", years(2026, 2030)),
    ("Năm 2026 - năm 2028", years(2026, 2028)),
    ("Đến năm 2030", years(2026, 2030)),
    ("Đến hết năm 2030", years(2026, 2030)),
    ("đến 2030", years(2026, 2030)),
    ("Tới năm 2028", years(2026, 2028)),
    ("Từ năm 2026 đến năm 2030", years(2026, 2030)),
    ("Từ 2026 đến 2030", years(2026, 2030)),
    ("2026 đến 2030", years(2026, 2030)),
    ("Trong giai đoạn 2026-2030", years(2026, 2030)),
    ("Cả giai đoạn 2026 - 2030", years(2026, 2030)),
    ("Thời kỳ 2026-2030", years(2026, 2030)),
    ("Từ năm 2026 đến hết năm 2027", years(2026, 2027)),
    # ranges: due at the end of the last one
    ("Từ tháng 4 đến tháng 8/2026", span(date(2026, 4, 1), date(2026, 8, 31))),
    ("Từ tháng 4/2026 đến tháng 8/2026", span(date(2026, 4, 1), date(2026, 8, 31))),
    ("tháng 4 - 8/2026", span(date(2026, 4, 1), date(2026, 8, 31))),
    ("Tháng 4 – tháng 8/2026", span(date(2026, 4, 1), date(2026, 8, 31))),
    ("tháng 4-8/2026", span(date(2026, 4, 1), date(2026, 8, 31))),
    ("Từ quý II đến quý IV/2026", span(date(2026, 4, 1), date(2026, 12, 31))),
    ("Quý II – Quý III/2026", span(date(2026, 4, 1), date(2026, 9, 30))),
    ("Từ tháng 11 đến tháng 2/2027", span(date(2026, 11, 1), date(2027, 2, 28))),
    ("Từ ngày 1 đến ngày 15/8/2026", span(date(2026, 8, 1), date(2026, 8, 15))),
    ("Từ 1/8 đến 15/8/2026", span(date(2026, 8, 1), date(2026, 8, 15))),
    ("từ 01/8/2026 đến 31/8/2026", span(date(2026, 8, 1), date(2026, 8, 31))),
    ("Từ tháng 10/2026 đến tháng 3/2027", span(date(2026, 10, 1), date(2027, 3, 31))),
    ("Từ quý IV/2026 đến quý II/2027", span(date(2026, 10, 1), date(2027, 6, 30))),
    # lists of adjacent periods
    ("Quý I, II/2027", span(date(2027, 1, 1), date(2027, 6, 30))),
    ("Quý I và II/2027", span(date(2027, 1, 1), date(2027, 6, 30))),
    ("Quý I, Quý II năm 2027", span(date(2027, 1, 1), date(2027, 6, 30))),
    ("Quý I và Quý II năm 2027", span(date(2027, 1, 1), date(2027, 6, 30))),
    ("Tháng 10, 11/2026", span(date(2026, 10, 1), date(2026, 11, 30))),
    ("Tháng 10 và tháng 11/2026", span(date(2026, 10, 1), date(2026, 11, 30))),
    ("Các tháng 10, 11, 12/2026", span(date(2026, 10, 1), date(2026, 12, 31))),
    ("Trong quý III, IV/2026", span(date(2026, 7, 1), date(2026, 12, 31))),
    ("Năm 2026, 2027", years(2026, 2027)),
    ("6 tháng đầu năm và 6 tháng cuối năm 2026", years(2026, 2026)),
    # lists of separate periods: one delivery each
    ("Tháng 3, 6, 9/2026", steps(("", date(2026, 3, 31)), ("", date(2026, 6, 30)), ("", date(2026, 9, 30)))),
    ("Quý I, III/2027", steps(("", date(2027, 3, 31)), ("", date(2027, 9, 30)))),
    ("tháng 6 và tháng 12/2026", steps(("", date(2026, 6, 30)), ("", date(2026, 12, 31)))),
    ("ngày 5, 20/8/2026", steps(("", date(2026, 8, 5)), ("", date(2026, 8, 20)))),
]

WEEK1 = date(2025, 12, 29)  # the ISO week of 1/1/2026
WEEK2 = date(2026, 1, 5)  # first week whose Monday or Wednesday is not before 1/1/2026

DAYS_AND_WEEKS: list[tuple[str, DeadlineRule]] = [
    ("chậm nhất ngày 10 hàng tháng", monthly(DayInPeriod(10, None, False))),
    ("trước 28 hằng tháng", monthly(DayInPeriod(28, None, True))),
    ("Trước ngày 5 hàng tháng", monthly(DayInPeriod(5, None, True))),
    ("Hằng tháng, trước ngày 25", monthly(DayInPeriod(25, None, True))),
    ("vào ngày 15 hằng tháng", monthly(DayInPeriod(15, None, False))),
    ("Ngày 20 hằng tháng", monthly(DayInPeriod(20, None, False))),
    ("hạn chót ngày 3 hằng tháng", monthly(DayInPeriod(3, None, False))),
    ("Định kỳ hằng tháng, chậm nhất ngày 22", monthly(DayInPeriod(22, None, False))),
    ("Thứ Hai hằng tuần", weekly(WEEK2, DayInPeriod(1, None, False))),
    ("hằng tuần", weekly(WEEK1)),
    ("hàng tuần", weekly(WEEK1)),
    ("Định kỳ hằng tuần", weekly(WEEK1)),
    ("mỗi tuần một lần", weekly(WEEK1)),
    ("Thứ Sáu hàng tuần", weekly(WEEK1, DayInPeriod(5, None, False))),
    ("trước thứ Sáu hằng tuần", weekly(WEEK1, DayInPeriod(5, None, True))),
    ("Thứ 2 hằng tuần", weekly(WEEK2, DayInPeriod(1, None, False))),
    ("vào thứ Năm hằng tuần", weekly(WEEK1, DayInPeriod(4, None, False))),
    ("Hằng tuần, vào thứ Tư", weekly(WEEK2, DayInPeriod(3, None, False))),
    ("Hằng tuần, trước thứ Hai tuần sau", weekly(WEEK1, DayInPeriod(1, None, True, next_period=True))),
    ("Chậm nhất thứ Sáu hằng tuần", weekly(WEEK1, DayInPeriod(5, None, False))),
    ("trước 16 giờ thứ Sáu hằng tuần", weekly(WEEK1, DayInPeriod(5, None, False), time(16, 0))),
    ("16h00 thứ Sáu hằng tuần", weekly(WEEK1, DayInPeriod(5, None, False), time(16, 0))),
    ("Hằng tuần, từ tháng 7/2026", weekly(date(2026, 6, 29))),
    # a day in the following period
    ("trước ngày 10 của tháng kế tiếp", monthly(DayInPeriod(10, None, True, next_period=True))),
    ("trước ngày 10 tháng sau", monthly(DayInPeriod(10, None, True, next_period=True))),
    ("trước ngày 10 của tháng tiếp theo", monthly(DayInPeriod(10, None, True, next_period=True))),
    ("Hằng tháng, trước ngày 5 của tháng sau", monthly(DayInPeriod(5, None, True, next_period=True))),
    ("chậm nhất ngày 10 tháng kế tiếp", monthly(DayInPeriod(10, None, False, next_period=True))),
    ("trước ngày 20/01 của năm sau", Recurring("yearly", JAN1, DayInPeriod(20, 1, True, next_period=True))),
    ("Hằng năm, trước ngày 15/01 năm sau", Recurring("yearly", JAN1, DayInPeriod(15, 1, True, next_period=True))),
    (
        "Hằng quý, trước ngày 10 của tháng sau",
        Recurring("quarterly", JAN1, DayInPeriod(10, None, True, next_period=True)),
    ),
    (
        "trước ngày 15 tháng đầu quý sau",
        Recurring("quarterly", JAN1, DayInPeriod(15, None, True, next_period=True)),
    ),
    (
        "Định kỳ 6 tháng, trước ngày 10 của tháng sau",
        Recurring("semiannual", JAN1, DayInPeriod(10, None, True, next_period=True)),
    ),
    # "and the following years", bounded recurrences
    ("năm 2026 và những năm tiếp theo", Recurring("yearly", JAN1)),
    ("Năm 2026 và các năm tiếp theo", Recurring("yearly", JAN1)),
    ("Từ năm 2026 trở đi", Recurring("yearly", JAN1)),
    ("Từ năm 2027 và những năm tiếp theo", Recurring("yearly", date(2027, 1, 1))),
    ("Tháng 7/2026 và các tháng tiếp theo", monthly(start=date(2026, 7, 1))),
    ("Quý III/2026 và các quý tiếp theo", Recurring("quarterly", date(2026, 7, 1))),
    ("Hằng năm, giai đoạn 2026–2030", Recurring("yearly", JAN1, end=date(2030, 12, 31))),
    ("Hằng năm (2026 - 2030)", Recurring("yearly", JAN1, end=date(2030, 12, 31))),
    ("Giai đoạn 2026-2030, hằng năm", Recurring("yearly", JAN1, end=date(2030, 12, 31))),
    ("Hằng quý trong năm 2026", Recurring("quarterly", JAN1, end=date(2026, 12, 31))),
    (
        "Hằng tháng, từ tháng 7/2026 đến tháng 12/2026",
        monthly(start=date(2026, 7, 1), end=date(2026, 12, 31)),
    ),
]

MILESTONES: list[tuple[str, DeadlineRule]] = [
    (
        "Ban hành kế hoạch trước 30/7/2026; hoàn thành trong quý IV/2026",
        steps(("Ban hành kế hoạch", date(2026, 7, 29)), ("hoàn thành", date(2026, 12, 31))),
    ),
    (
        "Ban hành kế hoạch trước 30/7/2026, hoàn thành trong quý IV/2026",
        steps(("Ban hành kế hoạch", date(2026, 7, 29)), ("hoàn thành", date(2026, 12, 31))),
    ),
    (
        "Xây dựng dự thảo: tháng 6/2026; Trình phê duyệt: quý III/2026",
        steps(("Xây dựng dự thảo", date(2026, 6, 30)), ("Trình phê duyệt", date(2026, 9, 30))),
    ),
    (
        "Khảo sát trong quý II/2026; báo cáo kết quả trước 15/12/2026",
        steps(("Khảo sát", date(2026, 6, 30)), ("báo cáo kết quả", date(2026, 12, 14))),
    ),
    (
        "Ban hành kế hoạch: Quý I/2027\nTổ chức thực hiện: 2027-2030",
        steps(("Ban hành kế hoạch", date(2027, 3, 31)), ("Tổ chức thực hiện", date(2030, 12, 31))),
    ),
    (
        "Quý II/2026: hoàn thành dự thảo\nQuý IV/2026: trình phê duyệt",
        steps(("hoàn thành dự thảo", date(2026, 6, 30)), ("trình phê duyệt", date(2026, 12, 31))),
    ),
    (
        "Giai đoạn 1: 2026-2027; giai đoạn 2: 2028-2030",
        steps(("Giai đoạn 1", date(2027, 12, 31)), ("giai đoạn 2", date(2030, 12, 31))),
    ),
    (
        "Bước 1: trước 30/6/2026; Bước 2: trước 30/9/2026",
        steps(("Bước 1", date(2026, 6, 29)), ("Bước 2", date(2026, 9, 29))),
    ),
    (
        "Sơ kết: tháng 6/2028; Tổng kết: tháng 12/2030",
        steps(("Sơ kết", date(2028, 6, 30)), ("Tổng kết", date(2030, 12, 31))),
    ),
    (
        "Lập danh sách trong tháng 8/2026. Tổ chức lớp tập huấn trong quý IV/2026",
        steps(("Lập danh sách", date(2026, 8, 31)), ("Tổ chức lớp tập huấn", date(2026, 12, 31))),
    ),
    (
        "Nộp hồ sơ trước 11h00 ngày 5/8/2026; công bố kết quả ngày 20/8/2026",
        Milestones(
            (Milestone("Nộp hồ sơ", date(2026, 8, 5), time(11, 0)), Milestone("công bố kết quả", date(2026, 8, 20)))
        ),
    ),
    (
        "Hoàn thành dự thảo trước 15/9/2026; trình HĐND trong kỳ họp cuối năm 2026",
        steps(("Hoàn thành dự thảo", date(2026, 9, 14)), ("trình HĐND trong kỳ họp", date(2026, 12, 31))),
    ),
    (
        "Tháng 6/2026: ban hành kế hoạch; tháng 12/2026: sơ kết",
        steps(("ban hành kế hoạch", date(2026, 6, 30)), ("sơ kết", date(2026, 12, 31))),
    ),
]

EVENTS: list[str] = [
    "Sau 30 ngày kể từ khi có hướng dẫn",
    "Ngay sau khi được phê duyệt",
    "Theo tiến độ của thành phố",
    "Theo kế hoạch của UBND thành phố",
    "Theo Quyết định số 1234/QĐ-UBND ngày 15/8/2026",
    "Theo Quyết định số …",
    "Sau khi Đề án được phê duyệt",
    "Trong vòng 15 ngày kể từ ngày nhận được văn bản",
    "Theo lộ trình của Trung ương",
    "Theo hướng dẫn của Sở Văn hóa và Thể thao",
    "Theo thông báo của thành phố",
    "Theo yêu cầu",
    "Khi được phê duyệt",
    "Thực hiện theo kế hoạch của thành phố",
    "Theo chỉ đạo của UBND phường",
    "30 ngày làm việc kể từ khi có quyết định",
    "Theo Chương trình của Thành ủy",
    "Theo Nghị quyết của HĐND phường",
    "Khi có văn bản hướng dẫn",
    "Theo quy định",
    "Sau khi UBND thành phố ban hành kế hoạch",
    "Tiến độ: theo kế hoạch của thành phố",
]

SPELLINGS: list[tuple[str, DeadlineRule]] = [
    ("Quí III/2026", Once(date(2026, 9, 30))),
    ("quí 3 năm 2026", Once(date(2026, 9, 30))),
    ("Q3/2026", Once(date(2026, 9, 30))),
    ("Q4/2026", Once(date(2026, 12, 31))),
    ("q1/2027", Once(date(2027, 3, 31))),
    ("Quý III - 2026", Once(date(2026, 9, 30))),
    ("Quý III – 2026", Once(date(2026, 9, 30))),
    ("Quý 3/2026", Once(date(2026, 9, 30))),
    ("15.8.2026", Once(date(2026, 8, 15))),
    ("trước 15.8.2026", Once(date(2026, 8, 14))),
    ("ngày 05 tháng 8 năm 2026", Once(date(2026, 8, 5))),
    ("Ngày 05 tháng 08 năm 2026", Once(date(2026, 8, 5))),
    ("ngày 5 tháng 8, năm 2026", Once(date(2026, 8, 5))),
    ("Tháng 08/2026", Once(date(2026, 8, 31))),
    ("tháng 8 - 2026", Once(date(2026, 8, 31))),
    ("Cuối tháng 8/2026", Once(date(2026, 8, 31))),
    ("cuối quý III/2026", Once(date(2026, 9, 30))),
    ("Cuối năm 2026", Once(date(2026, 12, 31))),
    ("cuối năm", Once(date(2026, 12, 31))),
    ("Trước cuối tháng 8/2026", Once(date(2026, 8, 31))),
    ("Đến cuối tháng 10/2026", Once(date(2026, 10, 31))),
    ("trước 11h00 ngày 5/8/2026", Once(date(2026, 8, 5), time(11, 0))),
    ("trước 16 giờ ngày 30/9/2026", Once(date(2026, 9, 30), time(16, 0))),
    ("16h30 ngày 10/10/2026", Once(date(2026, 10, 10), time(16, 30))),
    ("lúc 8 giờ 30 ngày 2/11/2026", Once(date(2026, 11, 2), time(8, 30))),
    ("Trước 17h ngày 15/12/2026", Once(date(2026, 12, 15), time(17, 0))),
    ("ngày 20/11/2026, trước 16:00", Once(date(2026, 11, 20), time(16, 0))),
    ("Chậm nhất 10 giờ 00 phút ngày 01/9/2026", Once(date(2026, 9, 1), time(10, 0))),
    ("đến hết ngày 30–9–2026", Once(date(2026, 9, 30))),
    ("hạn chót: 20.07.2026", Once(date(2026, 7, 20))),
    ("Vào ngày 2/9/2026", Once(date(2026, 9, 2))),
    ("Chậm nhất trong tháng 7/2026", Once(date(2026, 7, 31))),
    ("Quý IV năm 2026", Once(date(2026, 12, 31))),
    ("Trong Quý I năm 2027", Once(date(2027, 3, 31))),
    ("6 tháng đầu năm 2027", Once(date(2027, 6, 30))),
    ("Nửa cuối năm 2026", Once(date(2026, 12, 31))),
    ("Năm 2026 - 2026", years(2026, 2026)),
]

ACCEPTED: list[tuple[str, DeadlineRule]] = DESCRIPTIVE + SPANS + DAYS_AND_WEEKS + MILESTONES + SPELLINGS

REFUSED: list[str] = [
    "31/2/2026",
    "Trước 30/2/2026",
    "tháng 13/2026",
    "quý 5/2026",
    "quý V/2026",
    "Q5/2026",
    "2030-2026",
    "Giai đoạn 2030 – 2026",
    "Từ năm 2030 đến năm 2026",
    "Từ tháng 8/2026 đến tháng 4/2026",
    "Tháng 11, 10/2026",
    "trước 25 giờ ngày 5/8/2026",
    "16h75 ngày 5/8/2026",
    "càng sớm càng tốt",
    "sớm",
    "asdf qwer",
    "Trước 10/5/2026 hoặc muộn hơn",
    "10/5/2026 10/6/2026",
    "Ban hành kế hoạch trước 30/7/2026",
    "trước ngày 15 hằng quý",
    "trước ngày 15 hằng năm",
    "Thứ Hai hằng tháng",
    "ngày 10 hằng tuần",
    "trước ngày 10 của quý sau",
    "Hằng tháng, trước ngày 10/1 của năm sau",
    "Thường xuyên, khi rảnh",
    "Thường xuyên lúc 16h",
    "đầu tháng 8/2026",
    "giữa năm 2026",
    "Ban hành kế hoạch trước 30/7/2026; sớm nhất có thể",
    "Hằng năm, bắt đầu từ hôm qua",
    "trước ngày 31/2 hằng năm",
    "Ngày 32 hằng tháng",
    "Đến năm 2020",
    "Hoàn thành",
    "Thời gian thực hiện:",
    "2 tháng sau",  # two months later, not the 2nd of next month
    "ngày 2026",
    "Năm 2026, 10 giờ",  # a clock time needs a day
]
