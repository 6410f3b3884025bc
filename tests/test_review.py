"""Done means a product: evidence, the office's confirmation or return, blockers told at once,
declines the office decides — through the conversation, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select

from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.conversation.recording import named_coordinators
from bot.report import build_standing
from bot.report.rows import Report, appendix_rows
from bot.texts import common as texts
from bot.texts.reminders import ReminderRenderer
from scheduler.clock import ManualClock
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from scheduler.plan import Plan
from scheduler.planner import plan_ward
from scheduler.standing import UnitStanding
from scheduler.windows import custom_window, live_window
from store.models import Assignment, Evidence, Occurrence, Reminder, Task, Unit
from tests.conftest import RecordingChannel, local
from tests.helpers import linked, say


@dataclass
class Ward:
    ctx: AppContext
    conv: Conversation
    channel: RecordingChannel
    dispatcher: Dispatcher
    head: str
    office: str

    async def tick(self) -> None:
        await self.dispatcher.tick()

    async def plan_and_tick(self) -> None:
        """What the running bot does on a new day: plan, then send what is due."""
        async with self.ctx.db.session() as s, s.begin():
            await plan_ward(
                s,
                self.ctx.settings.ward,
                self.ctx.plan,
                self.ctx.calendar,
                self.ctx.now(),
                blocked_notice=texts.blocked_notice,
            )
        await self.tick()

    def to(self, chat: str) -> list[str]:
        return self.channel.texts_to(chat)


async def _ward(ctx: AppContext) -> Ward:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    office = await linked(ctx, conv, "VHXH", role="office", name="Chánh Văn phòng")
    channel = RecordingChannel("console")
    dispatcher = Dispatcher(
        db=ctx.db,
        channels={"console": channel},
        renderer=ReminderRenderer(ctx.calendar),
        clock=ctx.clock,
        calendar=ctx.calendar,
        config=DispatcherConfig(worker="review"),
    )
    return Ward(ctx, conv, channel, dispatcher, head, office)


async def _assignment(ctx: AppContext, stt: int, unit: str = "VHXH") -> Assignment:
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


async def _standing(ctx: AppContext, stt: int, unit: str = "VHXH") -> UnitStanding:
    today = ctx.today()
    window = live_window(ctx.plan, today)
    async with ctx.db.session() as s:
        st = await build_standing(s, ctx.plan, ctx.ward_id, window, window.cutoff(today), ctx.calendar)
    return next(u for t in st.tasks for u in t.lead if u.task_stt == stt and u.unit_code == unit)


async def _evidence(ctx: AppContext) -> list[Evidence]:
    async with ctx.db.session() as s:
        return list(await s.scalars(select(Evidence).order_by(Evidence.id)))


async def test_done_without_a_product_is_asked_for_it_and_not_counted_until_it_comes(ctx: AppContext) -> None:
    w = await _ward(ctx)
    answer = (await say(w.conv, w.head, "4 xong"))[0]
    assert answer.splitlines()[0] == "Đã ghi nhận: Nhiệm vụ 4 — báo xong, chưa có sản phẩm."
    assert "Xin gửi sản phẩm (Công văn)" in answer  # the plan's "Sản phẩm" of task 4
    a = await _assignment(ctx, 4)
    assert (a.status, a.review) == ("done", "no_evidence")
    u = await _standing(ctx, 4)
    assert (u.standing, u.marker) == ("in_term", "no_product")

    # The answer to the question: a document number and date, without diacritics.
    answer = (await say(w.conv, w.head, "CV 45/UBND-VHXH ngay 20/6/2026"))[0]
    assert answer == (
        "Đã nhận sản phẩm của nhiệm vụ 4: văn bản số 45/UBND-VHXH ngày 20/06/2026. Văn phòng sẽ xem và xác nhận."
    )
    (ev,) = await _evidence(ctx)
    assert (ev.kind, ev.doc_number, ev.doc_date) == ("document", "45/UBND-VHXH", date(2026, 6, 20))
    assert (await _assignment(ctx, 4)).review == "pending"
    assert (await _standing(ctx, 4)).marker == "awaiting_confirmation"

    # The office hears once, at the end of the slot, with the evidence.
    await w.tick()
    assert not [t for t in w.to(w.office) if "SẢN PHẨM" in t]
    ctx.clock.advance(minutes=10)  # type: ignore[attr-defined]
    await w.tick()
    (notice,) = [t for t in w.to(w.office) if "SẢN PHẨM" in t]
    assert "NV 4 — Phòng Văn hóa - Xã hội" in notice and "45/UBND-VHXH ngày 20/06/2026" in notice


async def test_evidence_in_the_same_message_waits_for_the_office_and_counts_from_the_day_reported(
    ctx: AppContext, clock: ManualClock
) -> None:
    w = await _ward(ctx)
    answer = (await say(w.conv, w.head, "4: đã xong, Công văn số 45/UBND-VHXH ngày 22/6/2026"))[0]
    assert answer == (
        "Đã ghi nhận: Nhiệm vụ 4 — báo xong, kèm sản phẩm: văn bản số 45/UBND-VHXH ngày 22/06/2026. "
        "Văn phòng sẽ xem và xác nhận."
    )
    u = await _standing(ctx, 4)
    assert (u.standing, u.marker, u.completed_on) == ("in_term", "awaiting_confirmation", None)
    summary = (await say(w.conv, w.office, "/summary"))[0]
    assert "VHXH: Đang thực hiện trong hạn, hạn 30/06/2026 (chờ xác nhận)" in summary

    clock.current = local("2026-06-24T10:00")
    assert (await say(w.conv, w.office, "/xacnhan 4")) == [
        "Đã xác nhận: Nhiệm vụ 4 — Phòng Văn hóa - Xã hội hoàn thành ngày 22/06/2026 (ngày đơn vị báo xong)."
    ]
    u = await _standing(ctx, 4)
    assert (u.standing, u.completed_on, u.marker) == ("done_on_time", date(2026, 6, 22), None)
    await w.tick()
    assert any("Văn phòng đã xác nhận nhiệm vụ 4 hoàn thành (ngày hoàn thành: 22/06/2026)" in t for t in w.to(w.head))
    # Nothing left to confirm.
    assert (await say(w.conv, w.office, "/xacnhan 4")) == ["Nhiệm vụ 4 không có báo xong chờ xác nhận."]


async def test_a_confirmed_done_counts_without_the_office_when_the_plan_does_not_ask(ctx: AppContext) -> None:
    ctx.plan = replace(ctx.plan, confirm_done=False)  # the session's plan stays as it is
    w = await _ward(ctx)
    answer = (await say(w.conv, w.head, "4 xong https://nhichieu.gov.vn/cv45"))[0]
    assert answer == "Đã ghi nhận: Nhiệm vụ 4 — báo xong, kèm sản phẩm: https://nhichieu.gov.vn/cv45."
    assert (await _standing(ctx, 4)).standing == "done_on_time"


async def test_a_question_for_the_product_never_blocks_other_answers(ctx: AppContext) -> None:
    w = await _ward(ctx)
    await say(w.conv, w.head, "4 xong")
    assert (await say(w.conv, w.head, "7 đang làm 50%"))[0] == "Đã ghi nhận: Nhiệm vụ 7 — Đang thực hiện 50%."
    assert (await _assignment(ctx, 7)).status == "in_progress"
    assert (await say(w.conv, w.head, "ok"))[0] == texts.ASK_AGAIN
    # The product can still be given for task 4, named.
    assert (await say(w.conv, w.head, "4: KH số 12/KH-VHXH"))[0].startswith("Đã nhận sản phẩm của nhiệm vụ 4")


async def test_a_returned_task_is_open_again_the_unit_told_why_and_reminded(
    ctx: AppContext, clock: ManualClock
) -> None:
    w = await _ward(ctx)
    await say(w.conv, w.head, "4 xong, CV 45/UBND-VHXH ngày 22/6")
    assert (await say(w.conv, w.office, "/tralai 4")) == [
        texts_usage := "Cách dùng: /tralai N [đơn vị] LÝ_DO, ví dụ /tralai 4 VHXH thiếu số và ngày văn bản. "
        "N là số nhiệm vụ như kế hoạch ghi (3, hoặc II.3 ở kế hoạch có mục)."
    ]
    assert texts_usage
    reply = await say(w.conv, w.office, "/tralai 4 VHXH công văn chưa có chữ ký")
    assert reply == [
        "Đã trả lại nhiệm vụ 4 cho Phòng Văn hóa - Xã hội; đơn vị đã được báo lý do và tiếp tục được nhắc."
    ]
    a = await _assignment(ctx, 4)
    assert (a.status, a.review, a.note) == ("in_progress", "returned", "công văn chưa có chữ ký")
    await w.tick()
    (told,) = [t for t in w.to(w.head) if t.startswith("↩")]
    assert "Lý do: công văn chưa có chữ ký" in told and "Xin gửi sản phẩm (Công văn)" in told
    u = await _standing(ctx, 4)
    assert (u.standing, u.marker) == ("in_term", "returned")

    # Reminded again: the overdue nag the day after the deadline goes out (a done task's is skipped).
    clock.current = local("2026-07-01T08:00")
    await w.plan_and_tick()
    nags = [t for t in w.to(w.head) if "Quá hạn" in t or "Đã quá hạn" in t]
    assert nags and "Văn phòng đã trả lại: công văn chưa có chữ ký" in "\n".join(nags)
    assert (await _standing(ctx, 4)).standing == "overdue"


async def test_blocked_tells_the_office_at_once_nudges_the_named_coordinator_and_pauses_nags(
    ctx: AppContext, clock: ManualClock
) -> None:
    w = await _ward(ctx)
    vp = await linked(ctx, w.conv, "VP")
    answer = (await say(w.conv, w.head, "4 vướng: chờ Văn phòng gửi số liệu"))[0]
    assert answer == "Đã ghi nhận: Nhiệm vụ 4 — Vướng mắc. Ghi chú: chờ Văn phòng gửi số liệu."
    await w.tick()
    (told,) = [t for t in w.to(w.office) if t.startswith("⏸")]
    assert "Phòng Văn hóa - Xã hội báo vướng mắc: “chờ Văn phòng gửi số liệu”" in told
    assert "đã nhắc Văn phòng HĐND và UBND phường" in told
    (nudge,) = [t for t in w.to(vp) if "báo vướng" in t]
    assert "Đơn vị chủ trì Phòng Văn hóa - Xã hội báo vướng: “chờ Văn phòng gửi số liệu”" in nudge

    # Past the deadline: no nag to the blocked unit, and the office is not told twice.
    clock.current = local("2026-07-01T08:00")
    await w.plan_and_tick()
    assert not [t for t in w.to(w.head) if "quá hạn" in t.lower()]
    assert len([t for t in w.to(w.office) if "vướng" in t]) == 1
    async with ctx.db.session() as s:
        skipped = await s.scalar(
            select(Reminder.last_error).where(Reminder.kind == "overdue", Reminder.state == "skipped")
        )
    assert skipped and "vướng" in skipped

    # The office clears the blocker: the unit is told, and the next nag goes out.
    assert (await say(w.conv, w.office, "/gobo 4")) == [
        "Đã gỡ vướng nhiệm vụ 4 của Phòng Văn hóa - Xã hội; nhắc quá hạn tiếp tục theo lịch."
    ]
    await w.tick()
    assert any(t.startswith("Văn phòng đã gỡ vướng nhiệm vụ 4") for t in w.to(w.head))
    clock.current = local("2026-07-06T08:00")
    await w.plan_and_tick()
    assert [t for t in w.to(w.head) if "quá hạn" in t.lower()]
    assert (await say(w.conv, w.office, "/gobo 4"))[0] == "Nhiệm vụ 4 không có đơn vị nào báo vướng."


async def test_a_decline_goes_to_the_office_which_accepts_it(ctx: AppContext) -> None:
    w = await _ward(ctx)
    answer = (await say(w.conv, w.head, "4: khong thuoc chuc nang cua don vi"))[0]
    assert answer.startswith("Đã ghi nhận: Nhiệm vụ 4 — đơn vị đề nghị không thực hiện")
    await w.tick()
    (told,) = [t for t in w.to(w.office) if t.startswith("❓")]
    assert "/chapnhan 4 VHXH" in told and "khong thuoc chuc nang" in told
    u = await _standing(ctx, 4)
    assert (u.standing, u.marker) == ("in_term", "decline_pending")  # never a silent close

    assert (await say(w.conv, w.office, "/chapnhan 4"))[0].startswith("Cách dùng: /chapnhan N ĐƠN_VỊ")
    assert (await say(w.conv, w.office, "/chapnhan 4 VHXH")) == [
        "Đã chấp nhận: nhiệm vụ 4 không áp dụng với Phòng Văn hóa - Xã hội."
    ]
    assert (await _standing(ctx, 4)).standing == "not_applicable"
    await w.tick()
    assert any("Văn phòng chấp nhận đề nghị" in t for t in w.to(w.head))


async def test_a_decline_the_office_refuses_is_open_again_and_the_unit_told_why(ctx: AppContext) -> None:
    w = await _ward(ctx)
    await say(w.conv, w.head, "7: không phát sinh")
    assert (await say(w.conv, w.office, "/khongchapnhan 7 VHXH")) == [
        "Cách dùng: /khongchapnhan N ĐƠN_VỊ LÝ_DO, ví dụ /khongchapnhan 4 CA nhiệm vụ có giao. "
        "N là số nhiệm vụ như kế hoạch ghi (3, hoặc II.3 ở kế hoạch có mục)."
    ]
    reply = await say(w.conv, w.office, "/khongchapnhan 7 Phòng VHXH đơn vị có hội nghị phải báo cáo")
    assert reply == ["Đã không chấp nhận đề nghị của Phòng Văn hóa - Xã hội; nhiệm vụ 7 mở lại, đơn vị đã được báo."]
    a = await _assignment(ctx, 7)
    assert (a.status, a.review) == ("not_started", "returned")
    await w.tick()
    (told,) = [t for t in w.to(w.head) if t.startswith("Văn phòng không chấp nhận")]
    assert "Lý do: đơn vị có hội nghị phải báo cáo" in told
    assert (await _standing(ctx, 7)).marker == "returned"


async def test_review_commands_are_the_offices_listed_in_its_help_and_refused_to_units(ctx: AppContext) -> None:
    w = await _ward(ctx)
    for command in ("/xacnhan 4", "/tralai 4 thiếu", "/gobo 4", "/chapnhan 4 VHXH", "/khongchapnhan 4 VHXH x"):
        assert (await say(w.conv, w.head, command)) == [texts.OFFICE_ONLY]
    office_help = (await say(w.conv, w.office, "/help"))[0]
    for usage in ("/xacnhan N [ĐƠN_VỊ]", "/tralai N [ĐƠN_VỊ] LÝ_DO", "/gobo N [ĐƠN_VỊ]", "/chapnhan N ĐƠN_VỊ"):
        assert usage in office_help
    assert "/xacnhan" not in (await say(w.conv, w.head, "/help"))[0]
    assert (await say(w.conv, w.office, "/xacnhan"))[0].startswith("Cách dùng: /xacnhan N [đơn vị]")
    assert (await say(w.conv, w.office, "/xacnhan 99"))[
        0
    ] == "Không có nhiệm vụ 99. Gõ /summary để xem các nhiệm vụ của kế hoạch."


async def test_the_history_shows_the_return_and_the_confirmation(ctx: AppContext, clock: ManualClock) -> None:
    w = await _ward(ctx)
    await say(w.conv, w.head, "4 xong")
    clock.advance(minutes=20)
    await say(w.conv, w.head, "CV 45/UBND-VHXH ngày 22/6/2026")
    clock.current = local("2026-06-23T09:00")
    await say(w.conv, w.office, "/tralai 4 công văn chưa có chữ ký")
    clock.current = local("2026-06-25T14:00")
    await say(w.conv, w.head, "4: đã xong, CV 45/UBND-VHXH ngày 25/6/2026 (bản có chữ ký)")
    clock.current = local("2026-06-26T08:30")
    await say(w.conv, w.office, "/xacnhan 4")
    history = (await say(w.conv, w.office, "/summary 4"))[0]
    lines = history.splitlines()
    assert lines[3].endswith("→ Báo xong, chưa có sản phẩm")
    assert lines[4].endswith("→ Chờ xác nhận")
    assert "/tralai 4 công văn chưa có chữ ký" in lines[5] and lines[5].endswith("→ Văn phòng trả lại")
    assert lines[6].endswith("→ Chờ xác nhận")
    assert lines[7].startswith("26/06/2026 08:30") and lines[7].endswith("→ Văn phòng xác nhận hoàn thành")
    u = await _standing(ctx, 4)
    assert (u.standing, u.completed_on) == ("done_on_time", date(2026, 6, 25))
    print(history)  # shown in the report of this work (pytest -s)


async def _appendix_row(ctx: AppContext, stt: int) -> tuple[str, ...]:
    async with ctx.db.session() as s:
        window = custom_window(date(2026, 1, 1), date(2026, 6, 30))
        standing = await build_standing(s, ctx.plan, ctx.ward_id, window, ctx.today(), ctx.calendar)
    report = Report(ctx.plan, standing, ctx.calendar, ctx.today())
    return next(r.cells for r in appendix_rows(report) if r.cells[0] == str(stt))


async def test_the_export_shows_awaiting_confirmation_returned_and_confirmed_with_the_product(
    ctx: AppContext, clock: ManualClock
) -> None:
    w = await _ward(ctx)
    await say(w.conv, w.head, "4 xong, CV 45/UBND-VHXH ngày 22/6/2026")
    state, completed, product = (await _appendix_row(ctx, 4))[6:9]
    assert state == "Đang thực hiện trong hạn (hạn 30/06/2026) (chờ xác nhận)"
    assert completed == "" and product == "văn bản số 45/UBND-VHXH ngày 22/06/2026"

    await say(w.conv, w.office, "/tralai 4 thiếu chữ ký")
    assert (await _appendix_row(ctx, 4))[6] == "Đang thực hiện trong hạn (hạn 30/06/2026) (bị trả lại)"

    clock.current = local("2026-06-24T09:00")
    await say(w.conv, w.head, "4 xong, bản có chữ ký https://nhichieu.gov.vn/cv45")
    await say(w.conv, w.office, "/xacnhan 4")
    state, completed, product = (await _appendix_row(ctx, 4))[6:9]
    assert (state, completed) == ("Hoàn thành đúng hạn", "24/06/2026")
    assert product.endswith("https://nhichieu.gov.vn/cv45")


async def test_overdue_lists_a_done_past_its_deadline_until_the_office_confirms_it(
    ctx: AppContext, clock: ManualClock
) -> None:
    w = await _ward(ctx)
    clock.current = local("2026-07-02T09:00")
    await say(w.conv, w.head, "4 xong, CV 45/UBND-VHXH ngày 1/7/2026")
    assert "4. VHXH: hạn 30/06/2026" in (await say(w.conv, w.office, "/overdue"))[0]
    await say(w.conv, w.office, "/xacnhan 4")
    assert "4. VHXH" not in (await say(w.conv, w.office, "/overdue"))[0]
    assert (await _standing(ctx, 4)).standing == "done_late"


async def test_saying_done_again_does_not_undo_a_product_waiting_for_the_office(ctx: AppContext) -> None:
    w = await _ward(ctx)
    await say(w.conv, w.head, "4 xong, CV 45/UBND-VHXH ngày 22/6")
    assert (await say(w.conv, w.head, "4 xong")) == [
        "Nhiệm vụ 4 đã báo xong kèm sản phẩm, đang chờ Văn phòng xác nhận."
    ]
    assert (await _assignment(ctx, 4)).review == "pending"


def test_a_blockers_reason_names_a_coordinating_unit_by_name_alias_or_short_name(plan: Plan) -> None:
    codes = ["VHXH", "VP", "TTPVHCC", "TTDVSNC", "KTHTDT"]
    assert named_coordinators(plan, "chờ Văn phòng gửi số liệu", codes) == ["VP"]
    assert named_coordinators(plan, "cho van phong gui so lieu", codes) == ["VP"]
    assert named_coordinators(plan, "chờ Trung tâm Phục vụ hành chính công phường", codes) == ["TTPVHCC"]
    assert named_coordinators(plan, "chờ VP và phòng KTHTĐT", codes) == ["VP", "KTHTDT"]
    assert named_coordinators(plan, "chưa có kinh phí", codes) == []
    assert named_coordinators(plan, "chờ Văn phòng", ["VHXH"]) == []  # only the task's coordinators


async def test_a_blockers_reason_naming_a_document_is_the_reason_not_a_product(ctx: AppContext) -> None:
    w = await _ward(ctx)
    await say(w.conv, w.head, "7 xong")  # a task waiting for its product
    assert (await say(w.conv, w.head, "4 vướng"))[-1] == texts.ASK_REASON
    answer = (await say(w.conv, w.head, "chờ công văn 12/UBND-VP của Văn phòng"))[0]
    assert answer == "Đã ghi nhận: Nhiệm vụ 4 — Vướng mắc. Ghi chú: chờ công văn 12/UBND-VP của Văn phòng."
    assert await _evidence(ctx) == []


async def test_a_deputy_who_reported_done_is_told_why_the_office_returned_it(ctx: AppContext) -> None:
    w = await _ward(ctx)
    deputy = await linked(ctx, w.conv, "VHXH", role="deputy", chat_id="vhxh-deputy", name="Phó phòng")
    await say(w.conv, deputy, "4 xong, CV 45/UBND-VHXH ngày 22/6")
    await say(w.conv, w.office, "/tralai 4 VHXH công văn chưa có chữ ký")
    await w.tick()
    told = [t for t in w.to(deputy) if t.startswith("↩")]
    assert len(told) == 1 and "Lý do: công văn chưa có chữ ký" in told[0]
    assert len([t for t in w.to(w.head) if t.startswith("↩")]) == 1
