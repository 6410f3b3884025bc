""" "sai" / "không phải" within 10 minutes takes back what the bot just recorded (issue 23,
Build item 3): the reports are marked, never deleted, every count follows, the bot asks
again with numbered answers (Zalo too); later, or once the office confirmed, it stays."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta

import httpx
from sqlalchemy import func, select

from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.desk.app import desk_app
from bot.reading.answers import read_restatement
from bot.reading.result import ParsedReply
from bot.report import build_standing
from scheduler.clock import ManualClock
from scheduler.standing import PlanStanding
from scheduler.windows import live_window
from store import progress
from store.desk import desk_history
from store.models import Assignment, Occurrence, Reminder, StatusReport, Task, Unit
from store.reporting import load_snapshot
from store.statuses import record_status
from tests.desk_support import log_in, two_wards
from tests.helpers import linked, say

ASKED_AGAIN = (
    "Xin lỗi, tôi đã hiểu sai. Đã hủy ghi nhận vừa rồi của nhiệm vụ 4. "
    "Nhiệm vụ 4 anh/chị đang ở trạng thái nào ạ? 1 = đã xong, 2 = đang làm, 3 = vướng"
)


async def _assignment(ctx: AppContext, stt: int, unit: str) -> Assignment:
    async with ctx.db.session() as s:
        a = await s.scalar(
            select(Assignment)
            .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
            .join(Task, Occurrence.task_id == Task.id)
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(Task.stt == stt, Unit.code == unit)
            .order_by(Occurrence.due)
        )
        assert a is not None
        return a


async def _standing(ctx: AppContext) -> PlanStanding:
    today = ctx.today()
    window = live_window(ctx.plan, today)
    async with ctx.db.read() as s:
        return await build_standing(s, ctx.plan, ctx.ward_id, window, window.cutoff(today), ctx.calendar)


async def _reports(ctx: AppContext, stt: int, unit: str) -> list[StatusReport]:
    a = await _assignment(ctx, stt, unit)
    async with ctx.db.session() as s:
        return list(await s.scalars(select(StatusReport).where(StatusReport.assignment_id == a.id)))


async def test_sai_within_ten_minutes_undoes_the_record_and_asks_again(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    office = await linked(ctx, conv, "VP", role="office", name="Văn phòng")
    await say(conv, chat, "4 đang làm 30%")
    before = await _assignment(ctx, 4, "VHXH")
    summary_before = (await say(conv, office, "/summary"))[0]
    standing_before = await _standing(ctx)
    # The unit meant another task, or "xong r" was a slip: it says so at once.
    assert (await say(conv, chat, "4 xong r"))[0].startswith("Đã ghi nhận: Nhiệm vụ 4 — báo xong")
    assert (await _assignment(ctx, 4, "VHXH")).status == "done"
    clock.advance(minutes=9)
    assert await say(conv, chat, "sai") == [ASKED_AGAIN]
    after = await _assignment(ctx, 4, "VHXH")
    assert (after.status, after.percent, after.note, after.done_at) == ("in_progress", 30, None, None)
    assert (after.last_report_id, after.run_report_id, after.status_at) == (
        before.last_report_id,
        before.run_report_id,
        before.status_at,
    )
    # One truth: the standing the summary, the export and the desk read is as before.
    assert await _standing(ctx) == standing_before
    assert (await say(conv, office, "/summary"))[0] == summary_before
    # Nothing deleted: the taken-back report stays in the history, marked.
    reports = await _reports(ctx, 4, "VHXH")
    assert [(r.status, r.retracted_at is not None) for r in reports] == [("in_progress", False), ("done", True)]
    history = (await say(conv, office, "/summary 4"))[0]
    assert history.splitlines()[-1].endswith(
        "Người VHXH: “4 xong r” → Báo xong, chưa có sản phẩm (đã rút lại lúc 07:09 22/06/2026)"
    )
    async with ctx.db.read() as s:
        task_id = await s.scalar(select(Task.id).where(Task.ward_id == ctx.ward_id, Task.stt == 4))
        assert task_id is not None
        desk = await desk_history(s, ctx.ward_id, task_id)
    assert [row.retracted_at is not None for row in desk] == [True, False]
    # The numbered answer records what the unit says now.
    assert (await say(conv, chat, "2 60%"))[0] == "Đã ghi nhận: Nhiệm vụ 4 — Đang thực hiện 60%."
    assert (await _assignment(ctx, 4, "VHXH")).percent == 60


async def test_after_ten_minutes_the_report_stays_and_the_unit_is_told_how_to_correct_it(
    ctx: AppContext, clock: ManualClock
) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    await say(conv, chat, "4 vướng: chờ kinh phí")
    clock.advance(minutes=11)
    (answer,) = await say(conv, chat, "sai rồi")
    assert answer.startswith("Ghi nhận nhiệm vụ 4 lúc 07:00 22/06/2026 đã quá 10 phút")
    assert "báo cáo mới sẽ thay cho báo cáo cũ" in answer
    assert (await _assignment(ctx, 4, "VHXH")).status == "blocked"
    assert [r.retracted_at for r in await _reports(ctx, 4, "VHXH")] == [None]


async def test_a_message_with_several_tasks_is_undone_as_a_whole(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    await linked(ctx, conv, "VP", role="office", name="Văn phòng")
    await say(conv, chat, "3 đang làm 20%")
    await say(conv, chat, "1 xong; 3 dang lam 40%; 6 vuong cho huong dan cua thanh pho")
    (answer,) = await say(conv, chat, "không phải")
    assert answer.startswith("Xin lỗi, tôi đã hiểu sai. Đã hủy ghi nhận vừa rồi của nhiệm vụ 1, 3 và 6.")
    assert "Xin báo lại từng nhiệm vụ" in answer
    assert (await _assignment(ctx, 1, "VHXH")).status == "not_started"
    three = await _assignment(ctx, 3, "VHXH")
    assert (three.status, three.percent) == ("in_progress", 20)
    six = await _assignment(ctx, 6, "VHXH")
    assert (six.status, six.blocked_report_id) == ("not_started", None)
    # The office was told of the blocker at once, and now that it was taken back.
    async with ctx.db.read() as s:
        bodies = list(await s.scalars(select(Reminder.body).where(Reminder.key.like("retract:%"))))
    assert bodies and all(b and "đã rút lại báo cáo vừa gửi" in b and "Nhiệm vụ 6: Vướng mắc" in b for b in bodies)


async def test_a_confirmed_product_is_not_undone(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    office = await linked(ctx, conv, "VP", role="office", name="Văn phòng")
    await say(conv, chat, "4 xong, CV 45/UBND-VHXH ngày 20/6/2026")
    assert (await say(conv, office, "/xacnhan 4 VHXH"))[0]
    assert (await _assignment(ctx, 4, "VHXH")).review == "confirmed"
    (answer,) = await say(conv, chat, "sai")
    assert answer.startswith("Văn phòng đã xác nhận sản phẩm của nhiệm vụ 4, nên không thể hủy")
    a = await _assignment(ctx, 4, "VHXH")
    assert (a.status, a.review) == ("done", "confirmed")
    assert all(r.retracted_at is None for r in await _reports(ctx, 4, "VHXH"))


async def test_on_zalo_the_question_is_answered_with_a_number(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH", channel="zalo", chat_id="zalo-vhxh")
    await say(conv, chat, "4 xong", channel="zalo")
    assert await say(conv, chat, "ko phai", channel="zalo") == [ASKED_AGAIN]
    recorded, asked = await say(conv, chat, "3", channel="zalo")
    assert recorded == "Đã ghi nhận: Nhiệm vụ 4 — Vướng mắc."
    assert asked.startswith("Vướng mắc gì ạ?")
    assert (await say(conv, chat, "chờ hướng dẫn của thành phố", channel="zalo"))[0].startswith(
        "Đã ghi nhận: Nhiệm vụ 4 — Vướng mắc. Ghi chú: chờ hướng dẫn của thành phố"
    )


async def test_sai_twice_does_not_reach_further_back(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    await say(conv, chat, "4 đang làm 30%")
    await say(conv, chat, "4 vướng: chờ kinh phí")
    assert await say(conv, chat, "sai") == [ASKED_AGAIN]
    (again,) = await say(conv, chat, "nhầm rồi")
    assert again.startswith("Ghi nhận vừa rồi đã được hủy.")
    a = await _assignment(ctx, 4, "VHXH")
    assert (a.status, a.percent) == ("in_progress", 30)


async def test_sai_with_nothing_recorded_says_so(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    assert (await say(conv, chat, "sai"))[0].startswith("Chưa có ghi nhận nào của anh/chị để hủy.")


async def test_khong_phai_still_answers_the_done_question(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    assert (await say(conv, chat, "4: cơ bản hoàn thành"))[0].startswith("Nhiệm vụ 4 đã hoàn thành hẳn chưa")
    assert (await say(conv, chat, "không phải"))[0].startswith("Đã ghi nhận: Nhiệm vụ 4 — Đang thực hiện")


def test_the_numbered_answers_read_back() -> None:
    assert read_restatement("1") == ParsedReply("done")
    assert read_restatement("1 = đã xong") == ParsedReply("done")
    assert read_restatement("2, 60 %") == ParsedReply("in_progress", 60)
    assert read_restatement("3: chờ kinh phí") == ParsedReply("blocked", None, "chờ kinh phí")
    assert read_restatement("3 vướng: chờ hướng dẫn") == ParsedReply("blocked", None, "chờ hướng dẫn")
    for other in ("30/6 xong", "10 xong", "2 xong", "xong", "1 xong r"):
        assert read_restatement(other) is None, other


# --- the store: what is taken back is out of the pointers and of every standing ------------


def _expected(
    history: list[tuple[int, str, datetime]], checkin: bool, cutoff: datetime | None = None
) -> tuple[int | None, int | None, int | None]:
    """The latest report, the start of the completing run it ends and the latest blocker,
    read off the history the slow, obvious way."""
    seen = sorted((r for r in history if cutoff is None or r[2] <= cutoff), key=lambda r: (r[2], r[0]))
    blocked = [r[0] for r in seen if r[1] == "blocked"]
    run = None
    for rid, status, _ in reversed(seen):
        if not progress.completes(status, checkin):
            break
        run = rid
    return (seen[-1][0] if seen else None), run, (blocked[-1] if blocked else None)


async def test_retracted_reports_are_left_out_of_the_pointers_and_of_an_earlier_standing(
    ctx: AppContext, clock: ManualClock
) -> None:
    rng = random.Random(23)
    base = clock.now()
    async with ctx.db.read() as s:
        rows = (
            await s.execute(
                select(Occurrence.checkin, Assignment.id)
                .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
                .join(Task, Occurrence.task_id == Task.id)
                .where(Task.ward_id == ctx.ward_id)
                .order_by(Assignment.id)
            )
        ).all()
    picked: dict[bool, int] = {}
    for checkin, aid in rows:
        picked.setdefault(bool(checkin), aid)
    kept: dict[int, tuple[bool, list[tuple[int, str, datetime]]]] = {}
    for checkin, aid in picked.items():
        history: list[tuple[int, str, datetime]] = []
        for n in range(20):
            status = rng.choice(("done", "in_progress", "blocked", "not_started"))
            at = base + timedelta(hours=5 * n)
            async with ctx.db.session() as s, s.begin():
                await record_status(s, aid, None, None, status, None, None, at)
                rid = await s.scalar(select(func.max(StatusReport.id)))
            history.append((int(rid or 0), status, at))
        taken = set(rng.sample([r[0] for r in history], 7))
        async with ctx.db.session() as s, s.begin():
            for report in await s.scalars(select(StatusReport).where(StatusReport.id.in_(taken))):
                report.retracted_at = base
            await progress.rebuild_now(s, [aid])
        kept[aid] = (checkin, [r for r in history if r[0] not in taken])
        async with ctx.db.read() as s:
            a = await s.get(Assignment, aid)
            assert a is not None
            assert (a.last_report_id, a.run_report_id, a.blocked_report_id) == _expected(kept[aid][1], checkin)
    for cutoff in (base + timedelta(days=1), base + timedelta(days=2), base + timedelta(days=30)):
        async with ctx.db.read() as s:
            snap = await load_snapshot(
                s,
                ctx.ward_id,
                cutoff=cutoff,
                since=base - timedelta(days=1),
                started_by=date(2100, 1, 1),
                periods_from=date(2000, 1, 1),
                completing=progress.COMPLETES_DEADLINE,
                checkin_completing=progress.COMPLETES_CHECKIN,
            )
        got = {state.assignment_id: state for state in snap.assignments}
        for aid, (checkin, history) in kept.items():
            state = got[aid]
            ids = (
                state.last.id if state.last else None,
                state.completing.id if state.completing else None,
                state.last_blocked.id if state.last_blocked else None,
            )
            assert ids == _expected(history, checkin, cutoff), (checkin, cutoff)


async def test_the_desk_shows_the_report_taken_back_and_counts_without_it(ctx: AppContext) -> None:
    wards = await two_wards(ctx)  # VHXH reported task 4 done with its document
    conv = Conversation(ctx)
    app = desk_app(ctx, secret=b"k" * 32)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://desk.test") as client:
        await log_in(client, ctx, wards.office_a)
        before = _cell((await client.get("/")).text, "4", "VHXH")
        assert (await say(conv, wards.chat_vhxh, "sai"))[0].startswith("Xin lỗi, tôi đã hiểu sai.")
        after = _cell((await client.get("/")).text, "4", "VHXH")
        page = (await client.get("/nhiem-vu/4")).text
    # A done waits for the office (in progress until confirmed); taken back, nothing was said.
    assert (before, after) == ("in_progress", "not_started"), (before, after)
    assert "đã rút lại" in page


def _cell(html: str, task: str, unit: str) -> str:
    m = re.search(rf'data-task="{task}" data-unit="{unit}" data-standing="([^"]*)"', html)
    assert m, "no such cell on the matrix"
    return m[1]
