"""The start of tracking (issue 24, item 2): a bot first started on 22/06 does not call May's
period of recurring work overdue nor nag for it; such a period shows "Trước khi theo dõi",
the office may still record it; one-off deadlines are judged as ever; a difficulty reported
is a report for its period; "0/2 kỳ" names both missing periods."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import select

from bot.report import build_standing
from bot.report.digest import summary_text
from bot.report.summary import overdue_list
from scheduler.plan import Plan, load_plan
from scheduler.planner import plan_ward
from scheduler.standing import PlanStanding, UnitStanding
from scheduler.windows import live_window
from scheduler.workcal import VN_ZONE, WorkingCalendar, load_calendar
from store.db import Database
from store.models import Assignment, Occurrence, Reminder, Task, Unit
from store.statuses import record_status
from tests.conftest import PRODUCTION_CALENDAR_PATH, PRODUCTION_PLAN_PATH

FIRST_DAY = datetime(2026, 6, 22, 8, 0, tzinfo=VN_ZONE)


async def _serve(db: Database, plan: Plan, calendar: WorkingCalendar) -> int:
    async with db.session() as s, s.begin():
        return (await plan_ward(s, "seed", plan, calendar, FIRST_DAY)).ward_id


async def _standing(db: Database, plan: Plan, calendar: WorkingCalendar, ward_id: int, day: date) -> PlanStanding:
    window = live_window(plan, day)
    async with db.read() as s:
        return await build_standing(s, plan, ward_id, window, window.cutoff(day), calendar)


def _unit(st: PlanStanding, stt: int, code: str) -> UnitStanding:
    return next(u for u in st.leads() if u.task_stt == stt and u.unit_code == code)


async def test_a_bot_started_on_22_06_neither_counts_nor_nags_mays_period(db: Database) -> None:
    plan, calendar = load_plan(PRODUCTION_PLAN_PATH), load_calendar(PRODUCTION_CALENDAR_PATH)
    ward_id = await _serve(db, plan, calendar)
    st = await _standing(db, plan, calendar, ward_id, date(2026, 6, 22))
    vp = _unit(st, 2, "VP")  # "Thường xuyên": monthly check-ins from May
    assert [(o.key, o.standing) for o in vp.occurrences][:2] == [("2026-05", "before_tracking"), ("2026-06", "in_term")]
    assert vp.standing == "in_term" and vp.periods() == (0, 1)
    # A one-off deadline missed before the bot started is still overdue (task 1, due 08/05).
    assert _unit(st, 1, "VHXH").standing == "overdue"
    assert {(u.task_stt, u.unit_code) for u in st.overdue()} == {(1, "VHXH")}
    text = summary_text(st, calendar)
    assert "quá hạn, chưa báo cáo tháng 5/2026" not in text and "tháng 5/2026" not in text
    assert overdue_list(st, calendar).splitlines()[1:] == ["1. VHXH: hạn 08/05/2026"]
    async with db.read() as s:
        nags = (
            await s.execute(
                select(Occurrence.key, Reminder.kind)
                .join(Assignment, Reminder.assignment_id == Assignment.id)
                .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
                .where(Reminder.ward_id == ward_id, Reminder.kind.in_(("overdue", "escalate")))
            )
        ).all()
    assert not [key for key, _ in nags if key == "2026-05"]
    assert [kind for key, kind in nags if key == "once"]  # task 1's overdue nag is planned


async def test_the_office_may_still_record_a_period_before_tracking(db: Database) -> None:
    plan, calendar = load_plan(PRODUCTION_PLAN_PATH), load_calendar(PRODUCTION_CALENDAR_PATH)
    ward_id = await _serve(db, plan, calendar)
    async with db.session() as s, s.begin():
        aid = await s.scalar(
            select(Assignment.id)
            .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
            .join(Task, Occurrence.task_id == Task.id)
            .join(Unit, Assignment.unit_id == Unit.id)
            .where(Task.ward_id == ward_id, Task.stt == 2, Unit.code == "VP", Occurrence.key == "2026-05")
        )
        assert aid is not None
        await record_status(s, aid, None, None, "in_progress", 40, None, datetime(2026, 5, 30, 9, tzinfo=VN_ZONE))
    vp = _unit(await _standing(db, plan, calendar, ward_id, date(2026, 6, 22)), 2, "VP")
    assert vp.occurrences[0].standing == "done_on_time" and vp.periods() == (1, 2)


async def test_an_explicit_start_of_tracking_and_a_blocker_is_a_report(db: Database) -> None:
    plan, calendar = load_plan(PRODUCTION_PLAN_PATH), load_calendar(PRODUCTION_CALENDAR_PATH)
    plan = replace(plan, tracking_from=date(2026, 5, 1))  # the plan says May is tracked
    ward_id = await _serve(db, plan, calendar)
    async with db.session() as s, s.begin():
        rows = (
            await s.execute(
                select(Assignment.id, Occurrence.key)
                .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
                .join(Task, Occurrence.task_id == Task.id)
                .join(Unit, Assignment.unit_id == Unit.id)
                .where(Task.ward_id == ward_id, Task.stt == 10, Unit.code == "VP")
            )
        ).all()
        june = next(aid for aid, key in rows if key == "2026-06")
        note = "chưa có hướng dẫn của thành phố"
        await record_status(s, june, None, None, "blocked", None, note, datetime(2026, 6, 25, 9, tzinfo=VN_ZONE))
    st = await _standing(db, plan, calendar, ward_id, date(2026, 7, 10))
    vp = _unit(st, 10, "VP")
    states = {o.key: o.standing for o in vp.occurrences}
    assert states["2026-05"] == "overdue" and states["2026-06"] == "done_on_time"  # the blocker reported June
    text = summary_text(st, calendar)
    line = next(x for x in text.splitlines() if x.startswith("   VP: ") and "1/3 kỳ" in x)
    assert "(chưa báo cáo: tháng 5/2026, tháng 7/2026)" in line  # both missing periods named


def test_a_period_of_recurring_work_asks_for_its_product_like_one_off_work() -> None:
    """Issue 24, item 3 (the standing's half): "19 ht r" on a check-in period waits for the
    office's review of the period's product; a product returned is redone first."""
    from scheduler.standing import classify_occurrence
    from store.enums import AssignmentRole, Review, Status
    from store.reporting import AssignmentState, ReportRow

    def period(status: str, review: str | None) -> str:
        said = ReportRow(
            1, Status(status), None, None, "19 ht r", None, datetime(2026, 6, 20, 9, tzinfo=VN_ZONE),
            Review(review) if review else None,
        )  # fmt: skip
        completing = said if status in ("done", "in_progress") else None
        a = AssignmentState(
            1,
            19,
            "VHXH",
            AssignmentRole.LEAD,
            "2026-06",
            date(2026, 6, 1),
            date(2026, 6, 30),
            True,
            said,
            completing,
            None,
        )
        occ = classify_occurrence(a, date(2026, 6, 25))
        return f"{occ.standing}/{occ.marker}"

    assert period("done", "no_evidence") == "in_term/no_product"
    assert period("done", "pending") == "in_term/awaiting_confirmation"
    assert period("done", "confirmed") == "done_on_time/None"
    assert period("in_progress", "returned") == "in_term/returned"
    assert period("in_progress", None) == "done_on_time/None"  # the work went on: reported
    assert period("blocked", None) == "done_on_time/None"  # a difficulty is a report
