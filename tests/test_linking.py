"""Linking and identity: a code links one chat, once, in a private chat; only the person
who linked a chat acts through it; wrong codes are throttled per chat and from anywhere.
On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from bot.actions.people import LINK_FAILURE_LIMIT, LINK_FLOOD_CHATS, create_person, issue_link_code
from bot.channels.zalo.app import parse_update
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.messages import InboundMessage
from bot.texts import common as texts
from scheduler.clock import ManualClock
from store.db import Database
from store.models import Assignment, ChatIdentity, LinkCode, LinkFailure
from store.models import InboundMessage as InboundRow
from store.queries import current_assignments
from tests.helpers import linked

_n = 0


async def _code(ctx: AppContext, unit: str = "VP", role: str = "head", ttl: timedelta = timedelta(hours=1)) -> str:
    async with ctx.db.session() as s, s.begin():
        person = await create_person(s, ctx.ward_id, f"Người {unit}", role, unit, ctx.now())
        return (await issue_link_code(s, person, ctx.now(), ttl)).code


async def _say(
    conv: Conversation,
    chat_id: str,
    text: str,
    *,
    sender: str | None = None,
    private: bool = True,
    channel: str = "telegram",
    callback: str | None = None,
) -> list[str]:
    global _n
    _n += 1
    msg = InboundMessage(
        channel=channel,
        chat_id=chat_id,
        message_id=f"l{_n}",
        text=text,
        sender_id=sender if sender is not None else chat_id,
        sender_name="Ai đó",
        callback_data=callback,
        private=private,
    )
    return [r.text for r in await conv.handle(msg, buttons=True)]


async def _identities(ctx: AppContext) -> list[ChatIdentity]:
    async with ctx.db.session() as s:
        return list(await s.scalars(select(ChatIdentity).order_by(ChatIdentity.id)))


# --- one code, one chat ----------------------------------------------------------------------


async def test_a_code_sent_to_two_workers_at_the_same_moment_links_one_chat(ctx: AppContext) -> None:
    """Two workers (two engines, two connection pools) get the same code from two chats at
    once, twenty times over: each code links exactly one chat."""
    other = Database(ctx.db.url)
    try:
        ctx_b = AppContext(other, ctx.settings, ctx.plan, ctx.calendar, ctx.clock, ctx.ward_id)
        worker_a, worker_b = Conversation(ctx), Conversation(ctx_b)
        rounds = 20
        for i in range(rounds):
            code = await _code(ctx, "VP")
            a, b = await asyncio.gather(
                _say(worker_a, f"a{i}", f"/start {code}"), _say(worker_b, f"b{i}", f"/start {code}")
            )
            welcomed = [r for r in (a, b) if r and r[0].startswith("Xin chào Người VP")]
            refused = [r for r in (a, b) if r == [texts.LINK_CODE_USED]]
            assert (len(welcomed), len(refused)) == (1, 1), (a, b)
        identities = await _identities(ctx)
        assert len(identities) == rounds
        async with ctx.db.session() as s:
            used = list(await s.scalars(select(LinkCode.used_by_identity_id)))
        assert sorted(u for u in used if u is not None) == sorted(i.id for i in identities)
    finally:
        await other.dispose()


async def test_a_code_links_once_and_an_expired_code_not_at_all(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    code = await _code(ctx)
    assert (await _say(conv, "100", f"/start {code}"))[0].startswith("Xin chào")
    assert await _say(conv, "200", f"LIENKET {code}") == [texts.LINK_CODE_USED]
    late = await _code(ctx, "KTHTDT", ttl=timedelta(minutes=30))
    clock.advance(minutes=31)
    assert await _say(conv, "300", late) == [texts.LINK_CODE_EXPIRED]
    assert [(i.chat_id, i.sender_id) for i in await _identities(ctx)] == [("100", "100")]
    # Neither is a guess: nothing is counted against the two chats or anyone.
    assert await _failures(ctx) == []


# --- private chats only ------------------------------------------------------------------------


async def test_a_code_sent_in_a_group_is_refused_politely_and_links_nothing(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    code = await _code(ctx)
    for text in (f"/start {code}", f"LIENKET {code}", code):
        assert await _say(conv, "-500", text, sender="7", private=False) == [texts.LINK_IN_GROUP]
    assert await _identities(ctx) == []
    async with ctx.db.session() as s:
        assert await s.scalar(select(func.count(LinkFailure.id))) == 0  # not a wrong code either
    # The same code still works where it belongs: the person's private chat with the bot.
    assert (await _say(conv, "7", f"/start {code}", sender="7"))[0].startswith("Xin chào")


async def test_an_unlinked_group_is_answered_only_when_it_speaks_to_the_bot(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    assert await _say(conv, "-600", "Chiều nay họp lúc 3 giờ nhé", sender="8", private=False) == []
    assert await _say(conv, "-600", "/tasks", sender="8", private=False) == [texts.HOW_TO_LINK_IN_GROUP]


# --- only the person who linked a chat acts through it ------------------------------------------


async def _assignment_of(ctx: AppContext, unit_code: str) -> int:
    async with ctx.db.session() as s:
        unit_id = next(u for u in (await _units(ctx)) if u[1] == unit_code)[0]
        views = await current_assignments(s, ctx.ward_id, ctx.today(), unit_id)
        return views[0].id


async def _units(ctx: AppContext) -> list[tuple[int, str]]:
    from store.models import Unit

    async with ctx.db.session() as s:
        return [(u.id, u.code) for u in await s.scalars(select(Unit).where(Unit.ward_id == ctx.ward_id))]


async def test_another_sender_in_a_linked_chat_is_a_stranger(ctx: AppContext) -> None:
    """Zalo or a shared device: the chat is linked, but the message is someone else's. They
    get only how to link — no tasks, no status, no button."""
    conv = Conversation(ctx)
    code = await _code(ctx, "VHXH")
    assert (await _say(conv, "chat-1", f"/start {code}", sender="owner", channel="zalo"))[0].startswith("Xin chào")
    assignment = await _assignment_of(ctx, "VHXH")
    for text in ("/tasks", "4: đã xong", "/summary"):
        assert await _say(conv, "chat-1", text, sender="intruder", channel="zalo") == [texts.HOW_TO_LINK]
    pressed = await _say(conv, "chat-1", "", sender="intruder", channel="zalo", callback=f"st:{assignment}:done")
    assert pressed == [texts.HOW_TO_LINK]
    async with ctx.db.session() as s:
        status = await s.scalar(select(Assignment.status).where(Assignment.id == assignment))
        outcomes = list(await s.scalars(select(InboundRow.outcome).order_by(InboundRow.id)))
    assert status == "not_started"
    assert outcomes[-4:] == ["unlinked"] * 4
    # The person who linked it is still themselves.
    assert "Đã ghi nhận" in (await _say(conv, "chat-1", "4: đã xong", sender="owner", channel="zalo"))[0]


async def test_in_a_group_linked_before_senders_were_recorded_nobody_acts_as_the_person(
    ctx: AppContext,
) -> None:
    """A group linked by an older version (no sender on record): every member used to act as
    the person. Now nobody does until the person links again in a private chat; a private
    chat linked that way records its owner at the first message."""
    conv = Conversation(ctx)
    await linked(ctx, conv, "VP", channel="telegram", chat_id="-700")
    await linked(ctx, conv, "VHXH", channel="telegram", chat_id="900")
    async with ctx.db.session() as s, s.begin():
        await s.execute(update(ChatIdentity).values(sender_id=None))
    for member in ("1", "2"):
        assert await _say(conv, "-700", "/tasks", sender=member, private=False) == [texts.HOW_TO_LINK_IN_GROUP]
    assert await _say(conv, "-700", "đã xong", sender="1", private=False) == []
    assert (await _say(conv, "900", "/tasks", sender="900")) != [texts.HOW_TO_LINK]
    owner = {i.chat_id: i.sender_id for i in await _identities(ctx)}
    assert owner == {"-700": None, "900": "900"}
    assert await _say(conv, "900", "/tasks", sender="901") == [texts.HOW_TO_LINK]


# --- wrong codes -------------------------------------------------------------------------------


async def test_wrong_codes_are_throttled_per_chat(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    code = await _code(ctx)
    for i in range(LINK_FAILURE_LIMIT):
        assert await _say(conv, "42", f"{i:06d}") == [texts.LINK_BAD_CODE]
    # Even the right code is not tried now: guessing must not pay.
    assert await _say(conv, "42", code) == [texts.LINK_THROTTLED]
    assert (await _say(conv, "43", code))[0].startswith("Xin chào")  # another chat is not held up
    clock.advance(minutes=16)
    assert await _say(conv, "42", "999999") == [texts.LINK_BAD_CODE]


async def test_wrong_codes_from_many_chats_pause_linking_for_everyone(ctx: AppContext, clock: ManualClock) -> None:
    """A guesser spreading tries over many chats (each try a different code, so no code ever
    collects failures) is held by the brake on wrong codes from many chats."""
    conv = Conversation(ctx)
    code = await _code(ctx)
    for i in range(LINK_FLOOD_CHATS - 1):
        assert await _say(conv, f"guess-{i}", f"{i:06d}") == [texts.LINK_BAD_CODE]
    # One chat fewer than a flood: linking is still open (checked with a used-up code,
    # which is not a guess and so adds nothing).
    other = await _code(ctx, "VHXH")
    assert (await _say(conv, "early", other))[0].startswith("Xin chào")
    assert await _say(conv, "guess-last", "999998") == [texts.LINK_BAD_CODE]
    assert await _say(conv, "honest", code) == [
        "Hệ thống đang tạm ngừng nhận mã liên kết vì có quá nhiều mã sai được gửi đến. Xin thử lại sau 15 phút."
    ]
    assert [i.chat_id for i in await _identities(ctx)] == ["early"]
    clock.advance(minutes=15, seconds=1)
    assert (await _say(conv, "honest", code))[0].startswith("Xin chào")


async def test_the_same_wrong_code_sent_again_is_not_another_guess(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    for _ in range(LINK_FAILURE_LIMIT + 3):
        assert await _say(conv, "typo", "123450") == [texts.LINK_BAD_CODE]
    code = await _code(ctx)
    assert (await _say(conv, "typo", code))[0].startswith("Xin chào")


# --- nobody locks linking for everyone (issue 25) ----------------------------------------------


async def _failures(ctx: AppContext) -> list[tuple[str, str | None]]:
    async with ctx.db.session() as s:
        return [(f.chat_id, f.code) for f in await s.scalars(select(LinkFailure).order_by(LinkFailure.id))]


async def _two_workers(ctx: AppContext) -> tuple[Conversation, Conversation, Database]:
    """Two conversations on two engines, as two worker processes would be."""
    other = Database(ctx.db.url)
    ctx_b = AppContext(other, ctx.settings, ctx.plan, ctx.calendar, ctx.clock, ctx.ward_id)
    return Conversation(ctx), Conversation(ctx_b), other


async def test_one_valid_code_sent_forty_times_at_once_links_once_and_locks_nobody_out(ctx: AppContext) -> None:
    """The same message delivered forty times at once (a client resending, or forty taps):
    one link, the other copies told the chat is linked; no wrong code is counted, so the
    next person's valid code links at once."""
    worker_a, worker_b, other = await _two_workers(ctx)
    try:
        code = await _code(ctx, "VP")
        answers = await asyncio.gather(
            *(_say(worker_a if i % 2 else worker_b, "racer", f"/start {code}") for i in range(40))
        )
    finally:
        await other.dispose()
    firsts = [a[0] for a in answers]
    # A copy that came in after the link was committed is a linked chat's /start (the
    # welcome again); one that raced it is told it is linked. Nothing else.
    assert all(f.startswith("Xin chào Người VP") or f == texts.LINK_ALREADY_LINKED for f in firsts), set(firsts)
    assert texts.LINK_ALREADY_LINKED == "Tài khoản của bạn đã được liên kết bằng mã này; không cần gửi lại mã."
    assert [i.chat_id for i in await _identities(ctx)] == ["racer"]
    assert await _failures(ctx) == []
    conv = Conversation(ctx)
    assert (await _say(conv, "next-person", await _code(ctx, "VHXH")))[0].startswith("Xin chào Người VHXH")


async def test_forty_chats_racing_one_valid_code_link_one_and_lock_nobody_out(ctx: AppContext) -> None:
    """A code posted where forty people saw it: one chat links, the other thirty-nine are
    told the code was used (and to tell the office), and that is no flood of wrong codes."""
    worker_a, worker_b, other = await _two_workers(ctx)
    try:
        code = await _code(ctx, "VP")
        answers = await asyncio.gather(
            *(_say(worker_a if i % 2 else worker_b, f"chat-{i}", f"/start {code}") for i in range(40))
        )
    finally:
        await other.dispose()
    welcomed = [a for a in answers if a[0].startswith("Xin chào Người VP")]
    used = [a for a in answers if a == [texts.LINK_CODE_USED]]
    assert (len(welcomed), len(used)) == (1, 39)
    assert used[0] == [
        "Mã liên kết này đã được dùng. Nếu không phải bạn đã dùng mã, xin báo văn phòng để kiểm tra và cấp mã mới."
    ]
    assert len(await _identities(ctx)) == 1 and await _failures(ctx) == []
    conv = Conversation(ctx)
    assert (await _say(conv, "next-person", await _code(ctx, "VHXH")))[0].startswith("Xin chào Người VHXH")


async def test_thirty_wrong_codes_at_once_from_one_chat_hold_that_chat_only(ctx: AppContext) -> None:
    """Thirty different wrong codes sent all at once from one chat: the chat's tries are
    taken one at a time, so it gets its five and is then held; another chat's valid code
    still links."""
    worker_a, worker_b, other = await _two_workers(ctx)
    try:
        answers = await asyncio.gather(
            *(_say(worker_a if i % 2 else worker_b, "guesser", f"{100000 + i:06d}") for i in range(30))
        )
    finally:
        await other.dispose()
    firsts = [a[0] for a in answers]
    assert firsts.count(texts.LINK_BAD_CODE) == LINK_FAILURE_LIMIT
    assert firsts.count("Bạn đã nhập sai mã quá nhiều lần. Xin thử lại sau 15 phút.") == 30 - LINK_FAILURE_LIMIT
    assert len(await _failures(ctx)) == LINK_FAILURE_LIMIT
    conv = Conversation(ctx)
    assert (await _say(conv, "honest", await _code(ctx)))[0].startswith("Xin chào")


async def test_old_wrong_codes_are_pruned_when_a_new_one_is_recorded(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    for i in range(3):
        await _say(conv, f"c{i}", "000000")
    clock.advance(minutes=20)
    await _say(conv, "c9", "000001")
    async with ctx.db.session() as s:
        rows = list(await s.scalars(select(LinkFailure.chat_id)))
    assert rows == ["c9"]


# --- adapters say what kind of chat it is --------------------------------------------------------


def _zalo(chat: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_name": "message.text.received",
        "message": {"from": {"id": "u1", "display_name": "A"}, "chat": chat, "message_id": "m1", "text": "123456"},
    }


def test_zalo_updates_say_whether_the_chat_is_private() -> None:
    assert parse_update(_zalo({"id": "c1", "chat_type": "PRIVATE"})).private  # type: ignore[union-attr]
    assert parse_update(_zalo({"id": "c1"})).private  # type: ignore[union-attr]
    assert not parse_update(_zalo({"id": "g1", "chat_type": "GROUP"})).private  # type: ignore[union-attr]


async def test_telegram_updates_say_whether_the_chat_is_private() -> None:
    from bot.channels.telegram.app import inbound_of
    from bot.channels.telegram.updates import Update

    seen: list[InboundMessage] = []
    for chat in ({"id": 5, "type": "private"}, {"id": -5, "type": "group"}, {"id": -1005, "type": "supergroup"}):
        data = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 1_780_000_000,
                "chat": chat,
                "from": {"id": 5, "is_bot": False, "first_name": "A"},
                "text": "/start 123456",
            },
        }
        msg = inbound_of(Update.parse(data))
        assert msg is not None
        seen.append(msg)
    assert [(m.chat_id, m.sender_id, m.private) for m in seen] == [
        ("5", "5", True),
        ("-5", "5", False),
        ("-1005", "5", False),
    ]
