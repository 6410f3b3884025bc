"""Evidence, confirmation and return end to end: our Telegram client against the fake Telegram
server (a photo as evidence, fetched with getFile) and our Zalo client against the fake Zalo
server (an image), on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.actions.people import create_person, issue_link_code
from bot.channels.telegram.app import TelegramBot
from bot.channels.zalo.app import ZaloBot
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.texts import common as texts
from bot.texts.reminders import ReminderRenderer
from scheduler.clock import ManualClock
from scheduler.delivery import Sender
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from scheduler.planner import plan_ward
from store.models import Evidence
from tests.conftest import local
from tests.fakes.server import serve
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.waiting import until
from tests.fakes.zalo_api import FakeZalo
from tests.helpers import answered, replies_sent

PHOTO = b"\xff\xd8\xff\xe0 a photo of Cong van 45/UBND-VHXH, signed \xff\xd9"


def _dispatcher(ctx: AppContext, channels: dict[str, Sender]) -> Dispatcher:
    return Dispatcher(
        db=ctx.db,
        channels=channels,
        renderer=ReminderRenderer(ctx.calendar),
        clock=ctx.clock,
        calendar=ctx.calendar,
        config=DispatcherConfig(worker="e2e"),
    )


async def _code(ctx: AppContext, unit: str, role: str = "head") -> str:
    async with ctx.db.session() as s, s.begin():
        person = await create_person(s, ctx.ward_id, f"{role} {unit}", role, unit, ctx.now())
        return (await issue_link_code(s, person, ctx.now(), timedelta(hours=1))).code


async def _evidence(ctx: AppContext) -> list[Evidence]:
    async with ctx.db.session() as s:
        return list(await s.scalars(select(Evidence).order_by(Evidence.id)))


async def _new_day(ctx: AppContext, dispatcher: Dispatcher) -> None:
    async with ctx.db.session() as s, s.begin():
        await plan_ward(s, ctx.settings.ward, ctx.plan, ctx.calendar, ctx.now(), blocked_notice=texts.blocked_notice)
    await dispatcher.tick()


# --- Telegram ----------------------------------------------------------------------------------


class TG:
    def __init__(self, ctx: AppContext, fake: FakeTelegram, bot: TelegramBot) -> None:
        self.ctx, self.fake, self.bot = ctx, fake, bot

    async def say(self, chat: int, text: str) -> str:
        before = len(self.fake.texts_to(chat))
        self.fake.push_text(chat, text)
        await until(lambda: len(self.fake.texts_to(chat)) > before, what=f"answer to {text!r}")
        return self.fake.texts_to(chat)[-1]

    async def link(self, chat: int, unit: str, role: str = "head") -> None:
        assert "Xin chào" in await self.say(chat, f"/start {await _code(self.ctx, unit, role)}")


@pytest.fixture
async def tg(ctx: AppContext) -> AsyncIterator[TG]:
    fake = FakeTelegram()
    server = await serve(fake.app())
    bot = TelegramBot(fake.token, f"{server.url}/bot", Conversation(ctx), poll_timeout=1, chat_interval=0.01)
    try:
        async with bot.running(), replies_sent(ctx, {"telegram": bot.channel}):
            yield TG(ctx, fake, bot)
    finally:
        await server.stop()


async def test_telegram_done_then_a_photo_as_evidence_then_the_office_confirms(tg: TG, clock: ManualClock) -> None:
    await tg.link(7001, "VHXH")
    await tg.link(7002, "VHXH", "office")
    assert "Xin gửi sản phẩm (Công văn)" in await tg.say(7001, "4 xong")
    tg.fake.push_photo(7001, PHOTO)
    await until(lambda: tg.fake.texts_to(7001)[-1].startswith("Đã nhận sản phẩm"), what="the photo acknowledged")
    assert tg.fake.texts_to(7001)[-1] == "Đã nhận sản phẩm của nhiệm vụ 4: ảnh. Văn phòng sẽ xem và xác nhận."
    (ev,) = await _evidence(tg.ctx)
    assert (ev.kind, ev.channel, ev.file_id, ev.fetch_state) == ("file", "telegram", "photo1", "stored")
    assert ev.sha256 == hashlib.sha256(PHOTO).hexdigest() and ev.size == len(PHOTO)
    assert ev.path is not None and Path(ev.path).read_bytes() == PHOTO and tg.fake.file_downloads == 1

    # The office gets the slot's notice with the photo attached.
    clock.advance(minutes=10)
    await _dispatcher(tg.ctx, {"telegram": tg.bot.channel}).tick()
    (photo,) = [f for f in tg.fake.files if str(f["chat_id"]) == "7002"]
    assert photo["method"] == "sendPhoto" and photo["content"] == PHOTO
    assert any("NV 4 — Phòng Văn hóa - Xã hội" in t for t in tg.fake.texts_to(7002))

    assert (await tg.say(7002, "/xacnhan 4")).startswith("Đã xác nhận: Nhiệm vụ 4 — Phòng Văn hóa - Xã hội")
    await until(lambda: tg.fake.texts_to(7001)[-1].startswith("✅ Văn phòng đã xác nhận"), what="the unit told")


async def test_telegram_done_then_returned_the_unit_sees_why_and_is_reminded(tg: TG, clock: ManualClock) -> None:
    await tg.link(7011, "VHXH")
    await tg.link(7012, "VHXH", "office")
    assert (await tg.say(7011, "4 xong, CV 45/UBND-VHXH ngày 22/6")).startswith(
        "Đã ghi nhận: Nhiệm vụ 4 — báo xong, kèm"
    )
    assert (await tg.say(7012, "/tralai 4 VHXH thiếu chữ ký")).startswith("Đã trả lại nhiệm vụ 4")
    await until(lambda: tg.fake.texts_to(7011)[-1].startswith("↩"), what="the unit told why")
    assert "Lý do: thiếu chữ ký" in tg.fake.texts_to(7011)[-1]
    clock.current = local("2026-07-01T08:00")
    await _new_day(tg.ctx, _dispatcher(tg.ctx, {"telegram": tg.bot.channel}))
    assert any("Văn phòng đã trả lại: thiếu chữ ký" in t for t in tg.fake.texts_to(7011) if "quá hạn" in t.lower())


# --- Zalo --------------------------------------------------------------------------------------


class ZL:
    def __init__(self, ctx: AppContext, fake: FakeZalo, bot: ZaloBot) -> None:
        self.ctx, self.fake, self.bot = ctx, fake, bot

    async def say(self, chat: str, text: str) -> str:
        """Every part of the answer (Zalo splits at 2000 characters)."""
        before = len(self.fake.texts_to(chat))
        message_id = self.fake.push_text(chat, text)["message"]["message_id"]
        await until(lambda: answered(self.ctx, "zalo", chat, message_id=message_id), what=f"answer to {text!r}")
        return "\n".join(self.fake.texts_to(chat)[before:])

    async def link(self, chat: str, unit: str, role: str = "head") -> None:
        assert "Xin chào" in await self.say(chat, f"LIENKET {await _code(self.ctx, unit, role)}")


@pytest.fixture
async def zl(ctx: AppContext) -> AsyncIterator[ZL]:
    fake = FakeZalo()
    server = await serve(fake.app())
    fake.base_url = server.url
    # The fake serves images from 127.0.0.1: listed as a file host, as a test setup would.
    bot = ZaloBot(
        fake.token, server.url, Conversation(ctx), poll_timeout=1, min_poll_interval=0.05, file_hosts="127.0.0.1"
    )
    try:
        async with bot.running(), replies_sent(ctx, {"zalo": bot.channel}):
            yield ZL(ctx, fake, bot)
    finally:
        await server.stop()


async def test_zalo_done_then_an_image_as_evidence_then_the_office_confirms(zl: ZL, clock: ManualClock) -> None:
    await zl.link("z-head", "VHXH")
    await zl.link("z-office", "VHXH", "office")
    assert "Xin gửi sản phẩm (Công văn)" in await zl.say("z-head", "4 xong")
    zl.fake.push_image("z-head", PHOTO)
    await until(lambda: zl.fake.texts_to("z-head")[-1].startswith("Đã nhận sản phẩm"), what="the image acknowledged")
    (ev,) = await _evidence(zl.ctx)
    assert (ev.channel, ev.fetch_state, ev.sha256) == ("zalo", "stored", hashlib.sha256(PHOTO).hexdigest())
    assert ev.file_id is not None and ev.file_id.endswith("/media/img1.jpg")

    clock.advance(minutes=10)
    await _dispatcher(zl.ctx, {"zalo": zl.bot.channel}).tick()
    # Zalo cannot send files: the notice says where the photo is kept.
    (notice,) = [t for t in zl.fake.texts_to("z-office") if "SẢN PHẨM" in t]
    assert "NV 4 — Phòng Văn hóa - Xã hội" in notice and str(ev.path) in notice
    assert "nhacviec export" not in notice  # a unit's photo is not a report to export

    assert (await zl.say("z-office", "/xacnhan 4 VHXH")).startswith("Đã xác nhận: Nhiệm vụ 4")
    await until(lambda: zl.fake.texts_to("z-head")[-1].startswith("✅ Văn phòng đã xác nhận"), what="the unit told")


async def test_zalo_done_then_returned_the_unit_sees_why_and_is_reminded(zl: ZL, clock: ManualClock) -> None:
    await zl.link("z-h2", "VHXH")
    await zl.link("z-o2", "VHXH", "office")
    await zl.say("z-h2", "4 xong https://nhichieu.gov.vn/cv45")
    assert (await zl.say("z-o2", "/tralai 4 đường link không mở được")).startswith("Đã trả lại nhiệm vụ 4")
    await until(lambda: zl.fake.texts_to("z-h2")[-1].startswith("↩"), what="the unit told why")
    assert "Lý do: đường link không mở được" in zl.fake.texts_to("z-h2")[-1]
    clock.current = local("2026-07-01T08:00")
    await _new_day(zl.ctx, _dispatcher(zl.ctx, {"zalo": zl.bot.channel}))
    assert any("Văn phòng đã trả lại: đường link không mở được" in t for t in zl.fake.texts_to("z-h2"))


async def test_telegram_a_photo_that_cannot_be_fetched_keeps_its_id_and_the_office_is_told(
    tg: TG, clock: ManualClock
) -> None:
    await tg.link(7021, "VHXH")
    await tg.link(7022, "VHXH", "office")
    await tg.say(7021, "4 xong")
    tg.fake.fail_next("getFile", "500", count=2)  # the first try and the one retry
    tg.fake.push_photo(7021, PHOTO)
    await until(lambda: tg.fake.texts_to(7021)[-1].startswith("Đã nhận sản phẩm"), what="the photo acknowledged")
    assert "chưa tải được" in tg.fake.texts_to(7021)[-1]
    (ev,) = await _evidence(tg.ctx)
    assert (ev.file_id, ev.fetch_state, ev.sha256, ev.path) == ("photo1", "failed", None, None)
    assert ev.fetch_error and tg.fake.file_downloads == 0
    clock.advance(minutes=10)
    await _dispatcher(tg.ctx, {"telegram": tg.bot.channel}).tick()
    (notice,) = [t for t in tg.fake.texts_to(7022) if "SẢN PHẨM" in t]
    assert "ảnh/tệp chưa tải được" in notice and "mã tệp photo1" in notice


async def test_telegram_a_strangers_photo_is_never_fetched(tg: TG) -> None:
    tg.fake.push_photo(7031, PHOTO)
    await until(lambda: bool(tg.fake.texts_to(7031)), what="the answer to a stranger")
    assert tg.fake.texts_to(7031) == [texts.HOW_TO_LINK]
    assert tg.fake.file_downloads == 0 and await _evidence(tg.ctx) == []
