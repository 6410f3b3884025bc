import asyncio
from datetime import date, timedelta

from sqlalchemy import func, select

from bot.actions.people import create_person, issue_link_code
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.messages import InboundMessage as BotInbound
from bot.texts.reminders import ReminderRenderer
from scheduler.clock import ManualClock
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from store.models import Assignment, InboundMessage, Occurrence, Reminder, StatusReport, Task, Unit
from tests.conftest import RecordingChannel
from tests.helpers import linked, say


async def _status(ctx: AppContext, stt: int, unit: str) -> tuple[str, int | None, str | None]:
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
        return a.status, a.percent, a.note


async def test_an_unlinked_chat_only_gets_instructions_to_link(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    for text in ("/summary", "đã xong", "/tasks", "xin chào"):
        replies = await say(conv, "stranger", text)
        assert len(replies) == 1 and "/start 123456" in replies[0] and "TỔNG HỢP" not in replies[0]


async def test_linking_welcomes_by_unit_and_lists_open_tasks(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    async with ctx.db.session() as s, s.begin():
        person = await create_person(s, ctx.ward_id, "Nguyễn Văn A", "head", "TTPVHCC", ctx.now())
        code = await issue_link_code(s, person, ctx.now(), timedelta(hours=1))
    welcome = (await say(conv, "c1", f"/start {code.code}"))[0]
    assert "Nguyễn Văn A" in welcome and "Trung tâm Phục vụ hành chính công phường" in welcome
    assert "11. Thực hiện việc xử lý thủ tục hành chính" in welcome
    # single use: another chat cannot reuse it
    assert "Mã liên kết này đã được dùng" in (await say(conv, "c2", f"/start {code.code}"))[0]


async def test_an_expired_code_is_refused_and_guessing_is_throttled(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    async with ctx.db.session() as s, s.begin():
        person = await create_person(s, ctx.ward_id, "B", "head", "VP", ctx.now())
        code = await issue_link_code(s, person, ctx.now(), timedelta(hours=1))
    clock.advance(hours=2)
    assert "hết hạn" in (await say(conv, "c3", f"LIENKET {code.code}"))[0]
    # An expired code is no guess: five wrong codes after it, then the chat waits.
    for guess in range(5):
        assert "không đúng" in (await say(conv, "c3", f"/start {guess:06d}"))[0]
    assert "quá nhiều lần" in (await say(conv, "c3", "/start 999999"))[0]


async def test_free_text_with_one_open_task_attaches_to_it(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "TTDVSNC")
    # TTDVSNC has several tasks; make it one by reporting all but task 7 as not applicable.
    replies = await say(conv, chat, "/tasks")
    numbers = [int(line.split(".")[0]) for line in replies[0].splitlines()[1:]]
    assert 7 in numbers and len(numbers) > 1  # several tasks, or the test proves nothing
    for n in numbers:
        if n != 7:
            await say(conv, chat, f"{n}: không phát sinh")
    assert (await say(conv, chat, "dang lam 50%")) == ["Đã ghi nhận: Nhiệm vụ 7 — Đang thực hiện 50%."]
    assert await _status(ctx, 7, "TTDVSNC") == ("in_progress", 50, None)


async def test_several_open_tasks_make_the_bot_ask_which(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    ask = (await say(conv, chat, "vướng: chưa có hướng dẫn"))[0]
    assert ask.startswith("Nhiệm vụ số mấy?")
    assert (await say(conv, chat, "4"))[0].startswith("Đã ghi nhận: Nhiệm vụ 4 — Vướng mắc")
    assert await _status(ctx, 4, "VHXH") == ("blocked", None, "chưa có hướng dẫn")


async def test_numbered_and_command_forms_always_work(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    assert (await say(conv, chat, "3: đã xong"))[0].splitlines()[
        0
    ] == "Đã ghi nhận: Nhiệm vụ 3 — báo xong, chưa có sản phẩm."
    assert (await say(conv, chat, "/status 4 đang làm 80%"))[0] == "Đã ghi nhận: Nhiệm vụ 4 — Đang thực hiện 80%."
    assert (await say(conv, chat, "13 dg lam"))[0].startswith("Đã ghi nhận: Nhiệm vụ 13 — Đang thực hiện")
    assert "không thuộc đơn vị" in (await say(conv, chat, "/status 99 xong"))[0]


async def test_a_task_number_that_is_not_the_units_is_never_filed_under_another_task(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "TTDVSNC")
    replies = await say(conv, chat, "/tasks")
    numbers = [int(line.split(".")[0]) for line in replies[0].splitlines()[1:]]
    for n in numbers:
        if n != 7:
            await say(conv, chat, f"{n}: không phát sinh")
    # One open task left (7): "11: đã xong" must not close task 7.
    assert 11 not in numbers
    assert "không thuộc đơn vị" in (await say(conv, chat, "11: đã xong"))[0]
    assert await _status(ctx, 7, "TTDVSNC") == ("not_started", None, None)


async def test_an_unparseable_reply_gets_a_polite_question_and_changes_nothing(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    assert "chưa hiểu" in (await say(conv, chat, "ok"))[0]
    assert "chưa hiểu" in (await say(conv, chat, "4: dạ"))[0]
    async with ctx.db.session() as s:
        assert await s.scalar(select(func.count(StatusReport.id))) == 0


async def test_the_same_inbound_message_delivered_twice_is_stored_once(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    first = await say(conv, chat, "4: đã xong", message_id="dup-1")
    second = await say(conv, chat, "4: đã xong", message_id="dup-1")
    assert first and second == []
    async with ctx.db.session() as s:
        assert await s.scalar(select(func.count(InboundMessage.id)).where(InboundMessage.message_id == "dup-1")) == 1
        assert await s.scalar(select(func.count(StatusReport.id))) == 1


async def test_a_stored_message_answered_by_two_workers_at_once_is_answered_once(ctx: AppContext) -> None:
    # The live answer and the resumer (or a held answer retried): the one that marks the
    # message answered first keeps its work; the other finds it marked and undoes its own.
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    msg = BotInbound("console", chat, "both-1", "4: đang làm 50%")
    inbound_id = await conv.store(msg)
    assert inbound_id is not None
    answers = await asyncio.gather(conv.interpret(msg, inbound_id), conv.interpret(msg, inbound_id))
    assert sorted(bool(a) for a in answers) == [False, True]
    async with ctx.db.session() as s:
        assert await s.scalar(select(func.count(StatusReport.id)).where(StatusReport.inbound_id == inbound_id)) == 1
        row = await s.get(InboundMessage, inbound_id)
        assert row is not None and row.outcome == "text" and row.processed_at is not None


async def test_every_inbound_message_is_kept_raw_with_its_outcome(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    await say(conv, "nobody", "xin chào")
    async with ctx.db.session() as s:
        row = await s.scalar(select(InboundMessage).where(InboundMessage.chat_id == "nobody"))
        assert row is not None and row.text == "xin chào" and row.outcome == "unlinked" and row.raw


async def test_a_reply_to_a_reminder_and_a_button_press_attach_to_its_task(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    channel = RecordingChannel()
    d = Dispatcher(
        db=ctx.db,
        channels={"console": channel},
        renderer=ReminderRenderer(ctx.calendar),
        clock=ctx.clock,
        calendar=ctx.calendar,
        config=DispatcherConfig(worker="w"),
    )
    from bot.actions.tasks import queue_manual_reminder

    async with ctx.db.session() as s, s.begin():
        await queue_manual_reminder(s, ctx.ward_id, 13, "VHXH", clock.now(), clock.now().date())
    assert (await d.tick()).sent == 1
    # RecordingChannel numbers messages from 1: the reminder's id is its position.
    message_id = next(str(i) for i, (c, m) in enumerate(channel.sent, 1) if c == chat and "Nhiệm vụ 13" in m.text)
    assert (await say(conv, chat, "xong rồi", reply_to=message_id))[0].splitlines()[
        0
    ] == "Đã ghi nhận: Nhiệm vụ 13 — báo xong, chưa có sản phẩm."
    button = channel.sent[-1][1].buttons[1]
    replies = await say(conv, chat, "", callback=button.data)
    assert replies[0] == "Đã ghi nhận: Nhiệm vụ 13 — Đang thực hiện."
    assert "bao nhiêu phần trăm" in replies[1]
    assert (await say(conv, chat, "70"))[0] == "Đã ghi nhận: Nhiệm vụ 13 — Đang thực hiện 70%."


async def test_a_blocked_button_asks_for_the_reason(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    async with ctx.db.session() as s:
        aid = await s.scalar(
            select(Assignment.id)
            .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
            .join(Task, Occurrence.task_id == Task.id)
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(Task.stt == 4, Unit.code == "VHXH")
        )
    replies = await say(conv, chat, "", callback=f"st:{aid}:blocked")
    assert "Vướng mắc gì" in replies[1]
    await say(conv, chat, "thiếu kinh phí in ấn")
    assert await _status(ctx, 4, "VHXH") == ("blocked", None, "thiếu kinh phí in ấn")


async def test_the_office_summary_contains_reported_statuses(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    office = await linked(ctx, conv, "VHXH", role="office", chat_id="office")
    await say(conv, head, "4: đang làm 60%")
    summary = (await say(conv, office, "/summary"))[0]
    # Item 7 of issue 9: the standing's wording ("đơn vị chưa báo cáo", not "im lặng").
    assert "TỔNG HỢP TIẾN ĐỘ" in summary and "VHXH: Đang thực hiện trong hạn, hạn 30/06/2026, 60%" in summary
    assert "ĐƠN VỊ CHƯA BÁO CÁO TRONG KỲ" in summary and "TTPVHCC — " in summary
    overdue = (await say(conv, office, "/overdue"))[0]
    assert "1. VHXH: hạn 08/05/2026" in overdue


async def test_a_unit_head_is_told_politely_that_office_commands_are_for_the_office(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VP")
    for command in ("/overdue", "/remind 4", "/activate 15 30/9/2026"):
        assert (await say(conv, head, command)) == [
            "Xin lỗi, lệnh này dành cho văn phòng theo dõi kế hoạch (Phòng Văn hóa - Xã hội)."
        ]


async def test_a_unit_heads_summary_is_their_own_units_score_and_why(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VP")
    (answer,) = await say(conv, head, "/summary")
    assert "Văn phòng" in answer and "điểm" in answer.lower()
    assert "THEO ĐƠN VỊ CHỦ TRÌ" not in answer  # not the office's whole-ward summary


async def test_the_office_activates_a_conditional_task_and_nudges(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office", chat_id="office")
    assert "Đã kích hoạt nhiệm vụ 15, hạn 10/07/2026" in (await say(conv, office, "/activate 15 10/7/2026"))[0]
    # Only VHXH has someone linked (its office staff); the other four units are named.
    assert "cho 1 đơn vị; chưa có người nhận: " in (await say(conv, office, "/remind 15"))[0]
    await linked(ctx, conv, "VP")
    assert "nhiệm vụ 4 cho 1 đơn vị." in (await say(conv, office, "/remind 4 Văn phòng HĐND và UBND phường"))[0]
    async with ctx.db.session() as s:
        kinds = set(
            await s.scalars(
                select(Reminder.kind)
                .join(Assignment, Reminder.assignment_id == Assignment.id)
                .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
                .join(Task, Occurrence.task_id == Task.id)
                .where(Task.stt == 15)
            )
        )
    assert {"manual", "before", "due"} <= kinds
    assert "Cách dùng" in (await say(conv, office, "/activate 15 31/2/2026"))[0]
    assert "đã có thời hạn" in (await say(conv, office, "/activate 4 30/9/2026"))[0]


async def test_unknown_commands_and_help(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VP")
    assert "Không có lệnh /foo" in (await say(conv, head, "/foo"))[0]
    help_text = (await say(conv, head, "/help"))[0]
    assert "/tasks" in help_text and "/summary" in help_text  # a unit's own score
    assert "/overdue" not in help_text and "/remind" not in help_text


async def test_a_plan_without_sections_keeps_plain_numbers_everywhere(ctx: AppContext, clock: ManualClock) -> None:
    from bot.report import build_standing
    from bot.report.rows import Report, appendix_rows
    from bot.texts.plan import plan_text, schedule_text
    from scheduler.reminders import plan_reminders
    from scheduler.windows import custom_window

    async with ctx.db.session() as s:
        labels = list(await s.scalars(select(Task.label).order_by(Task.stt)))
    assert labels == [str(n) for n in range(1, 20)]
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    channel = RecordingChannel()
    channel.supports_buttons = False
    d = Dispatcher(
        db=ctx.db,
        channels={"console": channel},
        renderer=ReminderRenderer(ctx.calendar),
        clock=ctx.clock,
        calendar=ctx.calendar,
        config=DispatcherConfig(worker="w"),
    )
    from bot.actions.tasks import queue_manual_reminder

    async with ctx.db.session() as s, s.begin():
        await queue_manual_reminder(s, ctx.ward_id, "13", "VHXH", clock.now(), ctx.today())
    await d.tick()
    reminder = channel.texts_to(chat)[-1]
    assert "Nhiệm vụ 13 (chủ trì)" in reminder and reminder.endswith(
        "Trả lời: 13 xong / 13 đang làm 50% / 13 vướng <lý do>"
    )
    assert (await say(conv, chat, "nv 13 xong"))[0].splitlines()[
        0
    ] == "Đã ghi nhận: Nhiệm vụ 13 — báo xong, chưa có sản phẩm."
    ask = (await say(conv, chat, "vướng: chưa có hướng dẫn"))[0]
    assert ask.startswith("Nhiệm vụ số mấy? Đơn vị đang có các nhiệm vụ: 1, 2, 3, 4,") and ", 13," not in ask

    assert "\n   4. " in plan_text(ctx.plan, ctx.calendar) and "\n  I. " not in plan_text(ctx.plan, ctx.calendar)
    rows = plan_reminders(ctx.plan, ctx.calendar, ctx.today(), ctx.today())
    assert all(f" NV {r.task_stt:<6} " in line for r, line in zip(rows, schedule_text(rows).splitlines(), strict=False))
    async with ctx.db.session() as s:
        window = custom_window(date(2026, 1, 1), date(2026, 6, 30))
        standing = await build_standing(s, ctx.plan, ctx.ward_id, window, ctx.today(), ctx.calendar)
    cells = [r.cells[0] for r in appendix_rows(Report(ctx.plan, standing, ctx.calendar, ctx.today()))]
    assert cells and all(c.isdigit() for c in cells)  # no section rows, plain numbers


async def test_numbers_inside_a_reply_are_not_task_numbers(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "TTDVSNC")
    replies = await say(conv, chat, "/tasks")
    numbers = [int(line.split(".")[0]) for line in replies[0].splitlines()[1:]]
    for n in numbers:
        if n != 7:
            await say(conv, chat, f"{n}: không phát sinh")
    # Tasks 2, 30 and 50 are not what these mean: the one open task (7) gets the report.
    for text in ("50% xong", "2 ngày nữa xong", "30/6 xong"):
        assert (await say(conv, chat, text))[0].startswith("Đã ghi nhận: Nhiệm vụ 7 — "), text


async def test_several_answers_in_one_line_are_each_recorded_with_one_confirmation(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    (answer,) = await say(conv, chat, "1 xong; 4 đang làm 50%, 7 vướng: chờ hướng dẫn")
    assert answer.splitlines() == [
        'Đã ghi nhận: Nhiệm vụ 1 — báo xong, chưa có sản phẩm (xin gửi: "1: số, ngày văn bản", đường link hoặc ảnh).',
        "Đã ghi nhận: Nhiệm vụ 4 — Đang thực hiện 50%.",
        "Đã ghi nhận: Nhiệm vụ 7 — Vướng mắc. Ghi chú: chờ hướng dẫn.",
    ]
    assert await _status(ctx, 1, "VHXH") == ("done", None, None)
    assert await _status(ctx, 4, "VHXH") == ("in_progress", 50, None)
    assert await _status(ctx, 7, "VHXH") == ("blocked", None, "chờ hướng dẫn")


async def test_a_list_of_tasks_shares_one_answer_also_without_diacritics(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    (answer,) = await say(conv, chat, "6, 7 xong")
    assert answer.count("báo xong, chưa có sản phẩm") == 2
    (answer,) = await say(conv, chat, "3 dang lam 20%; 4 vuong: cho y kien lanh dao")
    assert "Nhiệm vụ 3 — Đang thực hiện 20%" in answer and "Nhiệm vụ 4 — Vướng mắc" in answer
    assert await _status(ctx, 6, "VHXH") == ("done", None, None)


async def test_in_a_list_a_task_that_is_not_the_units_is_refused_and_the_others_recorded(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    (answer,) = await say(conv, chat, "4 xong; 15 xong")
    assert "Nhiệm vụ 4 — báo xong, chưa có sản phẩm" in answer
    assert "Nhiệm vụ số 15 không thuộc đơn vị" in answer or "Nhiệm vụ 15 không thuộc đơn vị" in answer


async def test_a_comma_inside_a_reason_does_not_start_another_answer(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    (answer,) = await say(conv, chat, "4 vướng: chờ văn bản số 5, 6 tháng nay chưa có")
    assert answer == "Đã ghi nhận: Nhiệm vụ 4 — Vướng mắc. Ghi chú: chờ văn bản số 5, 6 tháng nay chưa có."


async def test_a_done_the_bot_is_not_sure_of_is_asked_before_anything_is_recorded(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    question = "Nhiệm vụ 4 đã hoàn thành hẳn chưa ạ? 1 = đã xong, 2 = chưa xong"
    assert (await say(conv, chat, "4: cơ bản hoàn thành"))[0] == question
    assert await _status(ctx, 4, "VHXH") == ("not_started", None, None)
    assert (await say(conv, chat, "chưa"))[0].startswith("Đã ghi nhận: Nhiệm vụ 4 — Đang thực hiện")
    assert (await say(conv, chat, "4: co ban xong"))[0].startswith("Nhiệm vụ 4 đã hoàn thành hẳn chưa")
    assert (await say(conv, chat, "có"))[0].startswith("Đã ghi nhận: Nhiệm vụ 4 — báo xong")
    assert (await _status(ctx, 4, "VHXH"))[0] == "done"
    # The numbered answers work too (Zalo has no buttons): 2 = not yet, 1 = done.
    assert (await say(conv, chat, "4: cơ bản hoàn thành"))[0].startswith("Nhiệm vụ 4 đã hoàn thành hẳn chưa")
    assert (await say(conv, chat, "2"))[0].startswith("Đã ghi nhận: Nhiệm vụ 4 — Đang thực hiện")
    assert (await say(conv, chat, "4: co ban xong"))[0].startswith("Nhiệm vụ 4 đã hoàn thành hẳn chưa")
    assert (await say(conv, chat, "1"))[0].startswith("Đã ghi nhận: Nhiệm vụ 4")


async def test_several_answers_in_one_line_are_each_read_on_their_own(ctx: AppContext) -> None:
    """The issue's line: task 1 is not a decline, and 3, 6 and 8 are not dropped."""
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    (answer,) = await say(conv, chat, "1 xong; 3 dang lam 40%; 6 vuong cho huong dan cua thanh pho; 8 k phat sinh")
    lines = answer.splitlines()
    assert lines[0].startswith("Đã ghi nhận: Nhiệm vụ 1 — báo xong"), answer
    assert lines[1] == "Đã ghi nhận: Nhiệm vụ 3 — Đang thực hiện 40%.", answer
    assert lines[2].startswith("Đã ghi nhận: Nhiệm vụ 6 — Vướng mắc"), answer
    assert lines[3].startswith("Đã ghi nhận: Nhiệm vụ 8 — đơn vị đề nghị không thực hiện"), answer
    assert (await _status(ctx, 3, "VHXH"))[:2] == ("in_progress", 40)
    (later,) = await say(conv, chat, "17 18 xong")
    assert "Nhiệm vụ 17" in later and "Nhiệm vụ 18" in later and "số mấy" not in later
