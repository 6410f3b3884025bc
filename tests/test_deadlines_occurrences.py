"""Occurrences, reminders, JSON and Vietnamese descriptions of the new deadline kinds."""

from __future__ import annotations

from datetime import date

from bot.texts.common import vn_date
from bot.texts.plan import describe_rule
from scheduler.deadlines import parse_deadline, rule_to_json
from scheduler.occurrences import Occurrence, expand
from scheduler.policy import ReminderPolicy
from scheduler.reminders import slots
from scheduler.workcal import WorkingCalendar
from store.enums import AssignmentRole

PLAN_START = date(2026, 1, 1)


def _expand(phrase: str, until: date, plan_start: date = PLAN_START) -> list[Occurrence]:
    return expand(parse_deadline(phrase, 2026), until=until, plan_start=plan_start)


def test_a_span_has_yearly_check_ins_and_its_final_due() -> None:
    occ = _expand("Giai đoạn 2026 – 2030", until=date(2031, 1, 1))
    assert [(o.key, o.due, o.checkin) for o in occ] == [
        ("2026", date(2026, 12, 31), True),
        ("2027", date(2027, 12, 31), True),
        ("2028", date(2028, 12, 31), True),
        ("2029", date(2029, 12, 31), True),
        ("end", date(2030, 12, 31), False),
    ]


def test_a_span_asks_only_from_the_plan_and_only_what_is_planned_so_far() -> None:
    occ = _expand("2024-2030", until=date(2027, 6, 1), plan_start=date(2026, 5, 1))
    assert [o.key for o in occ] == ["2026", "2027", "end"]


def test_a_span_ending_mid_year_has_no_check_in_on_or_after_its_end() -> None:
    occ = _expand("Từ tháng 10/2026 đến tháng 3/2027", until=date(2028, 1, 1))
    assert [(o.key, o.due, o.checkin) for o in occ] == [
        ("2026", date(2026, 12, 31), True),
        ("end", date(2027, 3, 31), False),
    ]


def test_a_list_of_adjacent_quarters_is_one_deadline() -> None:
    occ = _expand("Quý I, II/2027", until=date(2028, 1, 1))
    assert [(o.key, o.due, o.start) for o in occ] == [("end", date(2027, 6, 30), date(2027, 1, 1))]


def test_weekly_work_is_due_each_friday_with_iso_week_keys() -> None:
    occ = _expand("hằng tuần", until=date(2026, 1, 18))
    assert [(o.key, o.due) for o in occ] == [
        ("2026-W01", date(2026, 1, 2)),
        ("2026-W02", date(2026, 1, 9)),
        ("2026-W03", date(2026, 1, 16)),
    ]


def test_weekly_work_on_a_given_day_crosses_the_year_by_iso_weeks() -> None:
    rule = parse_deadline("Thứ Hai hằng tuần", 2026, plan_date=date(2026, 12, 20))
    occ = expand(rule, until=date(2027, 1, 10), plan_start=date(2026, 12, 20))
    assert [(o.key, o.due) for o in occ] == [
        ("2026-W52", date(2026, 12, 21)),
        ("2026-W53", date(2026, 12, 28)),
        ("2027-W01", date(2027, 1, 4)),
    ]


def test_weekly_work_before_a_day_is_due_the_day_before() -> None:
    occ = _expand("trước thứ Sáu hằng tuần", until=date(2026, 1, 4))
    assert [o.due for o in occ] == [date(2026, 1, 1)]


def test_milestones_are_one_occurrence_each_with_stable_keys_and_labels() -> None:
    occ = _expand("Ban hành kế hoạch trước 30/7/2026; hoàn thành trong quý IV/2026", until=date(2026, 1, 1))
    assert [(o.key, o.due, o.label) for o in occ] == [
        ("m1", date(2026, 7, 29), "Ban hành kế hoạch"),
        ("m2", date(2026, 12, 31), "hoàn thành"),
    ]


def test_separate_months_are_milestones() -> None:
    occ = _expand("Tháng 3, 6, 9/2026", until=date(2026, 1, 1))
    assert [(o.key, o.due) for o in occ] == [
        ("m1", date(2026, 3, 31)),
        ("m2", date(2026, 6, 30)),
        ("m3", date(2026, 9, 30)),
    ]


def test_a_day_of_the_following_month_or_year() -> None:
    monthly = _expand("trước ngày 10 của tháng kế tiếp", until=date(2026, 12, 31))
    assert (monthly[-1].key, monthly[-1].due) == ("2026-12", date(2027, 1, 9))
    yearly = _expand("trước ngày 20/01 của năm sau", until=date(2027, 12, 31))
    assert [(o.key, o.due) for o in yearly] == [("2026", date(2027, 1, 19)), ("2027", date(2028, 1, 19))]
    quarterly = _expand("Hằng quý, trước ngày 10 của tháng sau", until=date(2026, 12, 31))
    assert [o.due for o in quarterly] == [date(2026, 4, 9), date(2026, 7, 9), date(2026, 10, 9), date(2027, 1, 9)]


def test_a_bounded_recurrence_stops_at_its_end() -> None:
    occ = _expand("Hằng năm, giai đoạn 2026–2030", until=date(2040, 1, 1))
    assert [o.key for o in occ] == ["2026", "2027", "2028", "2029", "2030"]


# --- reminders -------------------------------------------------------------------------------


def _slots(occ: Occurrence, calendar: WorkingCalendar, policy: ReminderPolicy | None = None) -> list[tuple]:
    policy = policy or ReminderPolicy(before_working_days=(10, 3, 1))
    return [(s.kind, s.seq, s.day) for s in slots(occ, AssignmentRole.COORDINATE, policy, calendar, date(2026, 12, 31))]


def test_weekly_work_is_not_reminded_from_a_previous_week(calendar: WorkingCalendar) -> None:
    friday = _expand("hằng tuần", until=date(2026, 7, 12))[-1]  # week of Monday 6/7/2026
    assert _slots(friday, calendar) == [
        ("before", 3, date(2026, 7, 7)),
        ("before", 1, date(2026, 7, 9)),
        ("due", 0, date(2026, 7, 10)),
    ]
    monday = expand(
        parse_deadline("Thứ Hai hằng tuần", 2026, date(2026, 7, 6)), until=date(2026, 7, 12), plan_start=PLAN_START
    )[0]
    assert _slots(monday, calendar) == [("due", 0, date(2026, 7, 6))]


def test_span_check_ins_behave_like_ongoing_check_ins(calendar: WorkingCalendar) -> None:
    occ = _expand("2026-2030", until=date(2026, 12, 31))[0]
    assert occ.checkin
    [(kind, _, day)] = _slots(occ, calendar)
    assert kind == "checkin"
    assert date(2026, 12, 1) < day < date(2026, 12, 31)


def test_a_span_final_due_gets_ordinary_reminders(calendar: WorkingCalendar) -> None:
    occ = _expand("Tháng 10, 11/2026", until=date(2026, 12, 31))[-1]
    kinds = [k for k, _, _ in _slots(occ, calendar)]
    assert kinds == ["before", "before", "before", "due"]


# --- JSON and words --------------------------------------------------------------------------


def test_json_of_the_new_kinds() -> None:
    assert rule_to_json(parse_deadline("Giai đoạn 2026-2030", 2026)) == {
        "kind": "period",
        "start": "2026-01-01",
        "end": "2030-12-31",
        "due": "2030-12-31",
        "checkin": "yearly",
    }
    weekly = rule_to_json(parse_deadline("trước 16 giờ thứ Sáu hằng tuần", 2026))
    assert (weekly["freq"], weekly["day"], weekly["time"]) == ("weekly", 5, "16:00")
    monthly = rule_to_json(parse_deadline("chậm nhất ngày 10 hàng tháng", 2026))
    assert monthly["day"] == 10
    assert monthly["day_in_period"] == {"day": 10, "month": None, "before": False}
    steps = rule_to_json(parse_deadline("Ban hành kế hoạch trước 30/7/2026; hoàn thành trong quý IV/2026", 2026))
    assert steps == {
        "kind": "milestones",
        "milestones": ["2026-07-29", "2026-12-31"],
        "labels": ["Ban hành kế hoạch", "hoàn thành"],
        "due": "2026-12-31",
    }
    assert rule_to_json(parse_deadline("trước 11h00 ngày 5/8/2026", 2026)) == {
        "kind": "once",
        "due": "2026-08-05",
        "time": "11:00",
    }


def test_vietnamese_descriptions_read_naturally(calendar: WorkingCalendar) -> None:
    def describe(phrase: str) -> str:
        return describe_rule(parse_deadline(phrase, 2026), calendar)

    assert describe("Thứ Hai hằng tuần").startswith("Hằng tuần, vào Thứ Hai")
    assert describe("hằng tuần").startswith("Hằng tuần, hạn Thứ Sáu")
    assert describe("trước 16 giờ thứ Sáu hằng tuần").startswith("Hằng tuần, vào Thứ Sáu, trước 16:00")
    assert describe("Giai đoạn 2026-2030") == "Giai đoạn 2026–2030, hạn 31/12/2030, hỏi tiến độ hằng năm"
    assert describe("Tháng 10, 11/2026") == "Từ 01/10/2026 đến 30/11/2026, hạn 30/11/2026"
    # Dates go through the shared vn_date, whose format is decided in bot/texts/common.py.
    assert describe("Ban hành kế hoạch trước 30/7/2026; hoàn thành trong quý IV/2026") == (
        f"2 mốc: Ban hành kế hoạch, hạn {vn_date(date(2026, 7, 29))}; hoàn thành, hạn 31/12/2026"
    )
    assert describe("trước 11h00 ngày 5/8/2026") == f"một lần, hạn 11:00 ngày {vn_date(date(2026, 8, 5))}"
