"""Units rated by the plan's formula (docs/rating.md), on the one standing: the worked
example of the docs, a returned product counting against its unit within the deadline, the
plan's own weights, and a unit head's own score with its working."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select

from bot.context import AppContext
from bot.report.digest import summary_text
from bot.report.summary import own_rating_text
from scheduler.plan import Plan
from scheduler.rating import rate_units, rating_of
from scheduler.rating_rules import RatingRules
from scheduler.standing import PlanStanding, classify_plan
from scheduler.windows import cycle_window
from scheduler.workcal import VN_ZONE, load_calendar
from store.enums import AssignmentRole, DeadlineKind, Review, Status
from store.reporting import AssignmentState, ReportingSnapshot, ReportRow, TaskRow, UnitRow
from tests.conftest import CALENDAR_PATH
from tests.report_semester import semester_plan

CUTOFF = date(2026, 6, 14)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=VN_ZONE).astimezone(UTC)


def _done(rid: int, day: date, review: str | None = "confirmed") -> ReportRow:
    return ReportRow(rid, Status.DONE, None, None, "xong", None, _at(day), Review(review) if review else None)


def _state(aid: int, stt: int, unit: str, role: str, due: date, last: ReportRow | None) -> AssignmentState:
    done = last if last is not None and last.status == "done" else None
    return AssignmentState(aid, stt, unit, AssignmentRole(role), "once", None, due, False, last, done, None)


def _standing(plan: Plan, states: tuple[AssignmentState, ...]) -> PlanStanding:
    tasks = tuple(
        TaskRow(stt, f"Nhiệm vụ {stt}", "", "", DeadlineKind.ONCE, None) for stt in sorted({a.task_stt for a in states})
    )
    units = tuple(UnitRow(u.code, u.name) for u in plan.units.values())
    snapshot = ReportingSnapshot(
        "Phường Thử Nghiệm", plan.code, _at(CUTOFF), _at(date(2025, 12, 15)), tasks, units, states
    )
    return classify_plan(plan, snapshot, cycle_window(plan.cycles[0], 2026), CUTOFF)


def _example(plan: Plan) -> PlanStanding:
    """VP leads 4 (done 3 days late) and 9 (overdue), coordinates 2 (done on time by KTHTDT)."""
    return _standing(
        plan,
        (
            _state(1, 4, "VP", "lead", date(2026, 5, 29), _done(1, date(2026, 6, 1))),
            _state(2, 9, "VP", "lead", date(2026, 5, 14), None),
            _state(3, 2, "KTHTDT", "lead", date(2026, 3, 31), _done(2, date(2026, 3, 20))),
            _state(4, 2, "VP", "coordinate", date(2026, 3, 31), None),
        ),
    )


def test_the_docs_worked_example_scores_50_and_passes() -> None:
    vp = rating_of(_example(semester_plan()), "VP")
    assert vp is not None
    assert [(i.task_label, i.role, i.mark) for i in vp.items] == [
        ("4", "lead", 0.85),
        ("9", "lead", 0.0),
        ("2", "coordinate", 1.0),
    ]
    assert vp.score == 50.0 and vp.grade == "pass"
    assert vp.items[0].periods[0].days_late == 3


def test_a_returned_product_counts_against_its_unit_within_the_deadline() -> None:
    plan = semester_plan()
    # /tralai records an "in progress" report by the office, marked returned.
    returned = ReportRow(
        1, Status.IN_PROGRESS, None, "thiếu chữ ký", None, None, _at(date(2026, 6, 1)), Review.RETURNED
    )
    standing = _standing(plan, (_state(1, 8, "KTHTDT", "lead", date(2026, 6, 30), returned),))
    unit = rating_of(standing, "KTHTDT")
    assert unit is not None and unit.score == 0.0 and unit.grade == "fail"
    assert unit.items[0].periods[0].why == "returned"
    # Still within the deadline and not returned: nothing to mark yet.
    waiting = _standing(plan, (_state(1, 8, "KTHTDT", "lead", date(2026, 6, 30), None),))
    assert (r := rating_of(waiting, "KTHTDT")) is not None and r.score is None and r.grade is None


def test_the_plans_weights_and_thresholds_decide() -> None:
    plan = semester_plan()
    plan.rating = RatingRules(coordinate_weight=0.0, late_per_day=0.1, late_floor=0.0, pass_from=80, good_from=80)
    vp = rating_of(_example(plan), "VP")
    assert vp is not None and [i.task_label for i in vp.items] == ["4", "9"]  # weight 0: left out
    assert vp.score == 35.0 and vp.grade == "fail"  # (0.7 + 0) / 2


def test_summary_ranks_units_and_a_head_sees_the_working() -> None:
    standing = _example(semester_plan())
    assert [r.code for r in rate_units(standing)] == ["KTHTDT", "VP"]
    summary = summary_text(standing, load_calendar(CALENDAR_PATH))
    assert "XẾP LOẠI ĐƠN VỊ (kỳ từ 15/12/2025)" in summary
    assert "1. KTHTDT: 100 điểm — Hoàn thành xuất sắc nhiệm vụ (1 nhiệm vụ được chấm)" in summary
    assert "2. VP: 50 điểm — Hoàn thành nhiệm vụ (3 nhiệm vụ được chấm)" in summary
    own = own_rating_text(standing, "VP")
    assert own.splitlines()[:2] == [
        "KẾT QUẢ XẾP LOẠI — Văn phòng HĐND và UBND phường",
        "Kỳ từ 15/12/2025 đến 14/06/2026: 50 điểm, Hoàn thành nhiệm vụ",
    ]
    assert "• NV 4 (chủ trì, hệ số 1): chậm 3 ngày → 0,85" in own
    assert "• NV 9 (chủ trì, hệ số 1): quá hạn chưa hoàn thành → 0" in own
    assert "• NV 2 (phối hợp, hệ số 0,3): theo kết quả của đơn vị chủ trì → 1" in own
    assert "Điểm = 100 × 1,15 / 2,3" in own
    assert own_rating_text(standing, "TTPVHCC", "Trung tâm Phục vụ hành chính công phường").startswith(
        "Trung tâm Phục vụ hành chính công phường chưa có nhiệm vụ"
    )


async def test_a_unit_heads_summary_is_their_own_units_score(ctx: AppContext) -> None:
    from bot.conversation.handle import Conversation
    from bot.report.summary import own_unit_summary
    from store.models import Unit
    from tests.helpers import linked, say

    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    await say(conv, head, "4 xong, CV 45/UBND-VHXH ngày 1/7/2026")
    async with ctx.db.read() as s:
        unit_id = await s.scalar(select(Unit.id).where(Unit.ward_id == ctx.ward_id, Unit.code == "VHXH"))
        assert unit_id is not None
        text = await own_unit_summary(s, ctx.plan, ctx.ward_id, unit_id, ctx.today(), ctx.calendar)
    assert text.startswith("KẾT QUẢ XẾP LOẠI — Phòng Văn hóa - Xã hội\nKỳ từ 15/12/2025 đến 22/06/2026: ")
    assert "• NV 1 (chủ trì, hệ số 1): quá hạn chưa hoàn thành → 0" in text
