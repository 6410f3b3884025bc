"""Issue 11: people managed from chat (/moi, /danhsach, /huy), deputies and /vang, /hoanlai,
and heads addressed by their title."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app.service import make_dispatcher
from bot.channels.console import choices, ensure_console_person
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.texts.common import HOW_TO_LINK, OFFICE_ONLY
from bot.texts.reminders import ReminderRenderer
from scheduler.clock import ManualClock
from scheduler.dispatcher import Dispatcher
from scheduler.plan import PlanError, load_plan
from scheduler.planner import plan_ward
from scheduler.titles import derive_head_title
from store.models import Person, Reminder, StatusReport
from store.queries import current_assignments
from tests.conftest import PLAN_PATH, RecordingChannel, local
from tests.helpers import linked, say

CODE = re.compile(r"Mã liên kết: (\d{6})")


def dispatcher(ctx: AppContext, channel: RecordingChannel) -> Dispatcher:
    """The running bot's dispatcher (plan titles, remind_deputies), on one recording channel."""
    return make_dispatcher(ctx, {channel.name: channel})


async def _person(ctx: AppContext, name: str) -> Person | None:
    async with ctx.db.session() as s:
        return await s.scalar(select(Person).where(Person.name == name))


# --- /moi ------------------------------------------------------------------------------------


async def test_the_office_adds_a_deputy_whose_code_links_a_new_chat(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office")
    (answer,) = await say(conv, office, "/moi VHXH cấp phó Nguyễn Văn Bình")
    code = CODE.search(answer)
    assert code is not None, answer
    # Expiry in the ward's zone: the settings' 72 h after 22/06/2026 07:00 (+07).
    assert "hết hạn 25/06/2026 07:00" in answer
    assert "cấp phó / đầu mối của Phòng Văn hóa - Xã hội" in answer
    assert "t.me" not in answer and f"/start {code[1]}" in answer  # no bot username known
    (welcome,) = await say(conv, "binh", f"/start {code[1]}")
    assert welcome.startswith("Xin chào Nguyễn Văn Bình!")
    assert "vai trò: cấp phó / đầu mối của Phòng Văn hóa - Xã hội" in welcome
    person = await _person(ctx, "Nguyễn Văn Bình")
    assert person is not None and person.role == "deputy"
    # A deputy answers for the unit.
    (confirm,) = await say(conv, "binh", "4 đang làm 50%")
    assert "50%" in confirm and "4" in confirm


async def test_moi_gives_the_telegram_deep_link_when_the_bot_username_is_known(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office")
    ctx.telegram_username = "nhacviec_nc_bot"
    (answer,) = await say(conv, office, "/moi UBND trưởng Lãnh Duy Tiên")
    code = CODE.search(answer)
    assert code is not None
    assert f"https://t.me/nhacviec_nc_bot?start={code[1]}" in answer
    assert "Chủ tịch UBND phường" in answer  # the head by title


async def test_a_unit_head_and_a_stranger_are_refused_moi(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VP")
    assert await say(conv, head, "/moi VP phó Trần Văn C") == [OFFICE_ONLY]
    assert await say(conv, "nguoi-la", "/moi VP phó Trần Văn C") == [HOW_TO_LINK]
    assert await _person(ctx, "Trần Văn C") is None


async def test_moi_without_a_role_or_a_name_answers_its_usage(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office")
    for bad in ("/moi", "/moi VHXH", "/moi VHXH phó", "/moi XYZ phó An", "/moi VHXH giám sát An"):
        (answer,) = await say(conv, office, bad)
        assert answer.startswith("Cách dùng: /moi ĐƠN_VỊ VAI_TRÒ HỌ_TÊN"), (bad, answer)


# --- /danhsach, /huy ---------------------------------------------------------------------------


async def test_danhsach_lists_each_units_people_with_channels_last_answer_and_unreachable(
    ctx: AppContext, clock: ManualClock
) -> None:
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office", name="Văn phòng A")
    head = await linked(ctx, conv, "VP", name="Chánh VP B")
    await say(conv, head, "4 đang làm 30%")
    await say(conv, office, "/moi VP đầu mối Phạm D")  # code not used yet
    await linked(ctx, conv, "TTPVHCC", name="Giám đốc E")
    async with ctx.db.session() as s, s.begin():
        e = await s.scalar(select(Person).where(Person.name == "Giám đốc E"))
        assert e is not None
        from store.models import ChatIdentity

        chat = await s.scalar(select(ChatIdentity).where(ChatIdentity.person_id == e.id))
        assert chat is not None
        chat.unreachable_at = clock.now()
    await say(conv, head, "/vang 30/06/2026")
    (answer,) = await say(conv, office, "/danhsach")
    assert "VP — Văn phòng HĐND và UBND phường" in answer
    assert (
        "• Chánh VP B — Chánh Văn phòng HĐND và UBND phường; bảng điều khiển; "
        "trả lời gần nhất 22/06/2026; vắng đến hết 30/06/2026"
    ) in answer
    assert "• Phạm D — cấp phó / đầu mối của Văn phòng HĐND và UBND phường; chưa liên kết (mã chưa dùng)" in answer
    assert (
        "• Giám đốc E — Giám đốc Trung tâm Phục vụ hành chính công phường; ⚠ không liên lạc được qua bảng điều khiển;"
        in answer
    )
    assert "KTHTDT — Phòng Kinh tế, Hạ tầng và Đô thị\n• chưa có ai" in answer


async def test_huy_unlinks_a_person_who_then_neither_acts_nor_receives_and_keeps_the_history(
    ctx: AppContext, clock: ManualClock
) -> None:
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office")
    head = await linked(ctx, conv, "VHXH", name="Lê Thị Hoa")
    await say(conv, head, "4 đang làm 30%")
    (answer,) = await say(conv, office, "/huy le thi hoa")
    assert answer.startswith("Đã hủy liên kết Lê Thị Hoa (Trưởng phòng Văn hóa - Xã hội, Phòng Văn hóa - Xã hội)")
    assert await say(conv, head, "4 xong") == [HOW_TO_LINK]
    async with ctx.db.session() as s:
        reports = await s.scalar(select(func.count(StatusReport.id)).where(StatusReport.status == "in_progress"))
        views = await current_assignments(s, ctx.ward_id, ctx.today())
    assert reports == 1
    assert next(v for v in views if v.task_stt == 4 and v.unit_code == "VHXH").status == "in_progress"
    channel = RecordingChannel()
    clock.current = local("2026-06-25T08:00")
    await dispatcher(ctx, channel).tick()
    assert channel.texts_to(head) == []
    # The roster no longer lists them.
    (roster,) = await say(conv, office, "/danhsach")
    assert "Lê Thị Hoa" not in roster


async def test_huy_with_several_matches_lists_them_and_unlinks_nobody(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office")
    await linked(ctx, conv, "VP", name="Nguyễn Văn An", chat_id="an-vp")
    await linked(ctx, conv, "KTHTDT", name="Nguyễn Văn An", chat_id="an-kt")
    (answer,) = await say(conv, office, "/huy Nguyễn Văn An")
    assert answer.startswith("Có nhiều người khớp")
    assert "VP — Nguyễn Văn An" in answer and "KTHTDT — Nguyễn Văn An" in answer
    (done,) = await say(conv, office, "/huy KTHTDT trưởng")
    assert done.startswith("Đã hủy liên kết Nguyễn Văn An (Trưởng phòng Kinh tế, Hạ tầng và Đô thị")
    assert (await say(conv, "an-vp", "/tasks"))[0].startswith("Nhiệm vụ đang mở")
    assert await say(conv, office, "/huy Không Có Ai") == [
        'Không có ai tên "Không Có Ai" đang liên kết. Gõ /danhsach để xem danh sách.'
    ]


# --- deputies, /vang --------------------------------------------------------------------------


async def test_a_deputy_receives_while_the_head_is_away_and_not_after(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    deputy = await linked(ctx, conv, "VHXH", role="deputy")
    channel = RecordingChannel()
    d = dispatcher(ctx, channel)
    (answer,) = await say(conv, head, "/vang 30/06/2026")
    assert "vắng đến hết ngày 30/06/2026" in answer and "Người VHXH" in answer
    clock.current = local("2026-06-25T08:00")
    await d.tick()
    assert len(channel.texts_to(head)) == 1 and len(channel.texts_to(deputy)) == 1
    # 01/07: back (the away day has passed): the head alone gets the overdue nag of task 4.
    clock.current = local("2026-07-01T08:00")
    await d.tick()
    assert len(channel.texts_to(head)) == 2 and len(channel.texts_to(deputy)) == 1


async def test_vang_het_ends_the_absence_at_once(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    deputy = await linked(ctx, conv, "VHXH", role="deputy")
    await say(conv, head, "/vang 30/06/2026")
    assert (await say(conv, head, "/vang het"))[0].startswith("Đã ghi nhận anh/chị đã về")
    channel = RecordingChannel()
    clock.current = local("2026-06-25T08:00")
    await dispatcher(ctx, channel).tick()
    assert len(channel.texts_to(head)) == 1 and channel.texts_to(deputy) == []


async def test_vang_is_the_heads_and_takes_a_date_from_today(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    deputy = await linked(ctx, conv, "VHXH", role="deputy")
    head = await linked(ctx, conv, "VP")
    assert await say(conv, deputy, "/vang 30/06/2026") == ["Xin lỗi, lệnh này dành cho thủ trưởng đơn vị."]
    assert await say(conv, head, "/vang 21/06/2026") == ["Ngày về phải từ hôm nay trở đi (dạng dd/mm/yyyy)."]
    assert (await say(conv, head, "/vang mai"))[0].startswith("Cách dùng: /vang")
    assert (await say(conv, head, "/vang 31/02/2026"))[0].startswith("Cách dùng: /vang")


async def test_a_unit_with_only_a_deputy_linked_is_reminded_through_the_deputy(
    ctx: AppContext, clock: ManualClock
) -> None:
    conv = Conversation(ctx)
    deputy = await linked(ctx, conv, "VHXH", role="deputy")
    channel = RecordingChannel()
    clock.current = local("2026-06-25T08:00")
    stats = await dispatcher(ctx, channel).tick()
    (message,) = channel.texts_to(deputy)
    assert "Nhắc việc ngày 25/06/2026 — Phòng Văn hóa - Xã hội" in message
    assert stats.sent >= 8  # every VHXH row of the morning, none "nobody linked"


async def test_the_plan_may_send_a_units_reminders_to_its_deputies_too(
    ctx: AppContext, clock: ManualClock, tmp_path: Path
) -> None:
    text = PLAN_PATH.read_text(encoding="utf-8").replace(
        '  - code: VHXH\n    name: "Phòng Văn hóa - Xã hội"\n',
        '  - code: VHXH\n    name: "Phòng Văn hóa - Xã hội"\n    remind_deputies: true\n',
    )
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    ctx.plan = load_plan(path)
    ctx.wards[ctx.ward_id] = dataclasses.replace(ctx.wards[ctx.ward_id], plan=ctx.plan)
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    deputy = await linked(ctx, conv, "VHXH", role="deputy")
    vp_deputy = await linked(ctx, conv, "VP", role="deputy", chat_id="vp-deputy")
    vp_head = await linked(ctx, conv, "VP")
    channel = RecordingChannel()
    clock.current = local("2026-06-25T08:00")
    await dispatcher(ctx, channel).tick()
    assert len(channel.texts_to(head)) == 1 and len(channel.texts_to(deputy)) == 1
    # VP does not say so: its head alone.
    assert len(channel.texts_to(vp_head)) == 1 and channel.texts_to(vp_deputy) == []


def test_remind_deputies_must_be_true_or_false(tmp_path: Path) -> None:
    text = PLAN_PATH.read_text(encoding="utf-8").replace(
        "  coordinating_unit: VHXH\n", '  coordinating_unit: VHXH\n  remind_deputies: "thỉnh thoảng"\n'
    )
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as raised:
        load_plan(path)
    assert "remind_deputies" in str(raised.value) and "phải là true (có) hoặc false (không)" in str(raised.value)


# --- /hoanlai ---------------------------------------------------------------------------------


async def _pending_of_task4(ctx: AppContext) -> list[tuple[str, str]]:
    """(kind, local time) of VHXH's pending reminders of task 4 still to come."""
    async with ctx.db.session() as s:
        views = await current_assignments(s, ctx.ward_id, ctx.today())
        aid = next(v.id for v in views if v.task_stt == 4 and v.unit_code == "VHXH")
        rows = await s.scalars(
            select(Reminder)
            .where(
                Reminder.assignment_id == aid,
                Reminder.state == "pending",
                Reminder.due_at > ctx.now(),
                Reminder.kind != "escalate",  # leadership's, not the unit's reminder
            )
            .order_by(Reminder.due_at)
        )
        return [(r.kind, f"{r.due_at.astimezone(ctx.calendar.zone):%d/%m %H:%M}") for r in rows]


async def _replan(ctx: AppContext) -> None:
    async with ctx.db.session() as s, s.begin():
        await plan_ward(s, ctx.settings.ward, ctx.plan, ctx.calendar, ctx.now())


async def test_hoanlai_moves_the_next_reminder_and_planning_does_not_bring_it_back(
    ctx: AppContext, clock: ManualClock
) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    assert (await _pending_of_task4(ctx))[0] == ("before", "25/06 08:00")
    (answer,) = await say(conv, head, "/hoanlai 4 2 ngày làm việc")
    assert answer == "Đã hoãn: lời nhắc tiếp theo của nhiệm vụ 4 sẽ gửi lúc 29/06/2026 08:00."
    await _replan(ctx)
    assert (await _pending_of_task4(ctx))[:2] == [("before", "29/06 08:00"), ("due", "30/06 08:00")]
    channel = RecordingChannel()
    d = dispatcher(ctx, channel)
    clock.current = local("2026-06-25T08:00")
    await _replan(ctx)
    await d.tick()
    assert all("NV 4 " not in t and "Nhiệm vụ 4 " not in t for t in channel.texts_to(head))
    clock.current = local("2026-06-29T08:00")
    await d.tick()
    assert any("Nhiệm vụ 4 " in t or "NV 4 " in t for t in channel.texts_to(head))


async def test_hoanlai_never_moves_a_reminder_past_the_deadline(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    (answer,) = await say(conv, head, "/hoanlai 4 5")
    assert answer == (
        "Đã hoãn: lời nhắc tiếp theo của nhiệm vụ 4 sẽ gửi lúc 30/06/2026 08:00. "
        "Không hoãn quá thời hạn: bot sẽ nhắc vào ngày đến hạn 30/06/2026."
    )
    # The due day's own reminder is the next one; nothing before it, nothing moved past it.
    assert (await _pending_of_task4(ctx))[0] == ("due", "30/06 08:00")
    (again,) = await say(conv, head, "/hoanlai 4")
    assert again.startswith("Lời nhắc tiếp theo của nhiệm vụ 4 đã vào ngày đến hạn 30/06/2026")
    assert (await _pending_of_task4(ctx))[0] == ("due", "30/06 08:00")


async def test_hoanlai_of_an_overdue_task_pushes_the_next_nag(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    clock.current = local("2026-07-01T07:00")
    (answer,) = await say(conv, head, "/hoanlai 4 4")
    # The first nag (01/07) + 4 working days: Tuesday 07/07; the nag of 06/07 gives way.
    assert answer == "Đã hoãn: lần nhắc quá hạn tiếp theo của nhiệm vụ 4 sẽ gửi lúc 07/07/2026 08:00."
    pending = await _pending_of_task4(ctx)
    assert pending[0] == ("overdue", "07/07 08:00")
    assert not any(at in ("01/07 08:00", "06/07 08:00") for _, at in pending)


async def test_hoanlai_is_for_the_units_own_tasks_and_reads_its_arguments(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    office = await linked(ctx, conv, "VP", role="office")
    assert (await say(conv, head, "/hoanlai"))[0].startswith("Cách dùng: /hoanlai N")
    assert (await say(conv, head, "/hoanlai 4 30"))[0].startswith("Cách dùng: /hoanlai N")
    assert (await say(conv, head, "/hoanlai 4 ba"))[0].startswith("Cách dùng: /hoanlai N")
    assert await say(conv, office, "/hoanlai 4") == ["Xin lỗi, lệnh này dành cho lãnh đạo đơn vị được giao nhiệm vụ."]
    assert await say(conv, head, "/hoanlai 9999") != []
    assert (await _pending_of_task4(ctx))[0] == ("before", "25/06 08:00")


# --- titles -------------------------------------------------------------------------------------


def test_a_heads_title_is_derived_from_the_unit_name() -> None:
    assert derive_head_title("Ủy ban nhân dân phường") == "Chủ tịch UBND phường"
    assert derive_head_title("Văn phòng HĐND và UBND phường") == "Chánh Văn phòng HĐND và UBND phường"
    assert derive_head_title("Trung tâm Dịch vụ sự nghiệp công") == "Giám đốc Trung tâm Dịch vụ sự nghiệp công"
    assert derive_head_title("Phòng Văn hóa - Xã hội") == "Trưởng phòng Văn hóa - Xã hội"
    assert derive_head_title("Công an phường") == "Trưởng Công an phường"
    assert derive_head_title("Hội Liên hiệp Phụ nữ") == "Thủ trưởng Hội Liên hiệp Phụ nữ"


def test_the_plan_may_state_a_heads_title_and_a_group_may_not(tmp_path: Path) -> None:
    text = PLAN_PATH.read_text(encoding="utf-8")
    stated = text.replace(
        '    aliases: ["UBND phường"]\n', '    aliases: ["UBND phường"]\n    head_title: "Chủ tịch UBND"\n'
    )
    path = tmp_path / "plan.yaml"
    path.write_text(stated, encoding="utf-8")
    plan = load_plan(path)
    assert plan.units["UBND"].title == "Chủ tịch UBND"
    assert plan.units["VP"].title == "Chánh Văn phòng HĐND và UBND phường"
    grouped = text.replace("    members: [VHXH,", '    head_title: "Trưởng"\n    members: [VHXH,')
    path.write_text(grouped, encoding="utf-8")
    with pytest.raises(PlanError, match="không có thủ trưởng riêng"):
        load_plan(path)


async def test_reminders_welcome_and_escalation_address_the_head_by_title(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    async with ctx.db.session() as s, s.begin():
        from bot.actions.people import create_person, issue_link_code

        person = await create_person(s, ctx.ward_id, "Lãnh Duy Tiên", "head", "UBND", ctx.now())
        code = await issue_link_code(s, person, ctx.now(), timedelta(hours=1))
    (welcome,) = await say(conv, "chu-tich", f"/start {code.code}")
    assert "vai trò: Chủ tịch UBND phường" in welcome
    channel = RecordingChannel()
    clock.current = local("2026-06-25T08:00")
    await dispatcher(ctx, channel).tick()
    (group,) = channel.texts_to(head)
    assert group.split("\n")[1] == "Kính gửi Trưởng phòng Văn hóa - Xã hội,"
    async with ctx.db.session() as s:
        view = next(v for v in await current_assignments(s, ctx.ward_id, ctx.today()) if v.unit_code == "VHXH")
    renderer = ReminderRenderer(ctx.calendar, titles=lambda _ward, code, name: ctx.plan.head_title(code, name))
    assert "Người chịu trách nhiệm: Trưởng phòng Văn hóa - Xã hội" in renderer.escalation(view, ctx.today()).text
    single = renderer.reminder("due", view, ctx.today(), [], buttons=False).text
    assert single.split("\n")[1] == "Kính gửi Trưởng phòng Văn hóa - Xã hội,"


async def test_the_console_asks_who_you_are_by_title(ctx: AppContext) -> None:
    labels = [label for _, _, label in choices(ctx)]
    assert "Chủ tịch UBND phường (UBND)" in labels
    assert "Trưởng phòng Văn hóa - Xã hội (VHXH)" in labels
    assert not any("Trưởng Ủy ban" in label or "Trưởng Phòng" in label for label in labels)
    identity = await ensure_console_person(ctx, "UBND", "head")
    assert identity.display_name == "Chủ tịch UBND phường"


def test_the_cli_link_issues_a_deputys_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from bot.cli.main import main

    monkeypatch.setenv("NHACVIEC_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    assert main(["link", "--unit", "VHXH", "--role", "deputy", "--name", "Đỗ Văn G", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["role"] == "deputy" and re.fullmatch(r"\d{6}", out["code"])
    assert main(["link", "--unit", "VHXH", "--role", "deputy", "--name", "Đỗ Văn G"]) == 0
    assert "(cấp phó / đầu mối, VHXH)" in capsys.readouterr().out


async def test_moi_on_telegram_answers_with_the_deep_link_of_the_bot_getme_named(ctx: AppContext) -> None:
    from bot.actions.people import create_person, issue_link_code
    from bot.channels.telegram.app import TelegramBot
    from tests.fakes.server import serve
    from tests.fakes.telegram_api import FakeTelegram
    from tests.fakes.waiting import until
    from tests.helpers import replies_sent

    fake = FakeTelegram()
    server = await serve(fake.app())
    bot = TelegramBot(fake.token, f"{server.url}/bot", Conversation(ctx), poll_timeout=1, chat_interval=0.01)
    try:
        async with bot.running(), replies_sent(ctx, {"telegram": bot.channel}):
            # What run_messengers does once getMe has answered.
            ctx.telegram_username = bot.username()
            async with ctx.db.session() as s, s.begin():
                person = await create_person(s, ctx.ward_id, "Văn phòng A", "office", "VHXH", ctx.now())
                code = await issue_link_code(s, person, ctx.now(), timedelta(hours=1))
            fake.push_text(7001, f"/start {code.code}")
            await until(lambda: len(fake.texts_to(7001)) == 1, what="welcome")
            fake.push_text(7001, "/moi TTDVSNC trưởng Hoàng Văn K")
            await until(lambda: len(fake.texts_to(7001)) == 2, what="the code")
            answer = fake.texts_to(7001)[-1]
    finally:
        await server.stop()
    new_code = CODE.search(answer)
    assert new_code is not None, answer
    assert f"https://t.me/{ctx.telegram_username}?start={new_code[1]}" in answer
    assert ctx.telegram_username and "Giám đốc Trung tâm Dịch vụ sự nghiệp công" in answer


async def test_a_heads_moment_is_one_message_even_when_it_spans_a_full_batch(
    ctx: AppContext, clock: ManualClock
) -> None:
    """The figures of bench/head_messages.py: with every head linked, more rows fall due at
    08:00 than a batch holds; each head still gets one message."""
    from scheduler.dispatcher import DispatcherConfig

    conv = Conversation(ctx)
    heads = [await linked(ctx, conv, code) for code in ("VHXH", "VP", "TTPVHCC", "TTDVSNC", "KTHTDT")]
    channel = RecordingChannel()
    d = Dispatcher(
        db=ctx.db,
        channels={channel.name: channel},
        renderer=ReminderRenderer(ctx.calendar),
        clock=ctx.clock,
        calendar=ctx.calendar,
        config=DispatcherConfig(worker="w", batch=3),
    )
    clock.current = local("2026-06-25T08:00")
    stats = await d.tick()
    assert stats.sent >= 15
    assert [len(channel.texts_to(h)) for h in heads] == [1] * len(heads)
