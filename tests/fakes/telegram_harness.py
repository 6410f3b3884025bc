"""The bot's Telegram channel end to end against the fake Bot API (tests/fakes/telegram_api.py):
a linked chat says something and the answer is awaited; `tg` is the fixture, `burst` fills
the outbox with reminders to every unit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.actions.people import create_person, issue_link_code
from bot.channels.telegram.app import TelegramBot
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.texts.reminders import ReminderRenderer
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from store.models import Reminder
from store.outbox import insert_reminders, reminder_row
from store.queries import current_assignments
from tests.fakes.server import RunningServer, serve
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.waiting import until
from tests.helpers import replies_sent

# These tests are about the outbox, not Telegram's ~1 message a second per chat (that is
# tests/test_pacing*.py): bursts to the same few chats are not spaced a second apart here.
CHAT_INTERVAL = 0.01


@dataclass
class Harness:
    ctx: AppContext
    fake: FakeTelegram
    server: RunningServer
    bot: TelegramBot
    conversation: Conversation

    def dispatcher(self, worker: str = "w1", **config: object) -> Dispatcher:
        return Dispatcher(
            db=self.ctx.db,
            channels={"telegram": self.bot.channel},
            renderer=ReminderRenderer(self.ctx.calendar),
            clock=self.ctx.clock,
            calendar=self.ctx.calendar,
            config=DispatcherConfig(worker=worker, **config),  # type: ignore[arg-type]
        )

    async def link(self, chat_id: int, unit: str, role: str = "head", name: str | None = None) -> None:
        async with self.ctx.db.session() as s, s.begin():
            person = await create_person(s, self.ctx.ward_id, name or f"Trưởng {unit}", role, unit, self.ctx.now())
            code = await issue_link_code(s, person, self.ctx.now(), timedelta(hours=1))
        before = len(self.fake.texts_to(chat_id))
        self.fake.push_text(chat_id, f"/start {code.code}")
        await until(lambda: len(self.fake.texts_to(chat_id)) > before, what="welcome")
        assert "Xin chào" in self.fake.texts_to(chat_id)[-1]

    async def say(self, chat_id: int, text: str, reply_to: int | None = None) -> str:
        before = len(self.fake.texts_to(chat_id))
        self.fake.push_text(chat_id, text, reply_to=reply_to)
        await until(lambda: len(self.fake.texts_to(chat_id)) > before, what=f"answer to {text!r}")
        return self.fake.texts_to(chat_id)[-1]


@pytest.fixture
async def tg(ctx: AppContext) -> AsyncIterator[Harness]:
    fake = FakeTelegram()
    server = await serve(fake.app())
    conversation = Conversation(ctx)
    bot = TelegramBot(fake.token, f"{server.url}/bot", conversation, poll_timeout=1, chat_interval=CHAT_INTERVAL)
    try:
        async with bot.running(), replies_sent(ctx, {"telegram": bot.channel}):
            yield Harness(ctx, fake, server, bot, conversation)
    finally:
        await server.stop()


async def burst(tg: Harness, rows: int) -> list[int]:
    """`rows` manual reminders due now, spread over every unit's task, each unit linked."""
    chats = {unit: 7000 + i for i, unit in enumerate(tg.ctx.plan.units)}
    for unit, chat in chats.items():
        await tg.link(chat, unit)
    async with tg.ctx.db.session() as s, s.begin():
        views = await current_assignments(s, tg.ctx.ward_id, tg.ctx.today())
        batch = [
            reminder_row(
                tg.ctx.ward_id,
                f"burst:{i}",
                "manual",
                tg.ctx.now(),
                tg.ctx.now(),
                assignment_id=views[i % len(views)].id,
            )
            for i in range(rows)
        ]
        await insert_reminders(s, batch)
        ids = list(await s.scalars(select(Reminder.id).where(Reminder.key.like("burst:%"))))
    return ids
