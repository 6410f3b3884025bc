"""Shared steps for store and conversation tests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

import bot.app.logs
from bot.actions.people import create_person, issue_link_code
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.messages import InboundMessage
from bot.texts.reminders import ReminderRenderer
from scheduler.delivery import Sender
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from store.db import Database
from store.enums import ReminderState
from store.models import InboundMessage as InboundRow
from store.models import Reminder

_counter = 0

# A ward with one monthly report task, as a plan file's text.
MONTHLY_PLAN_YAML = (Path(__file__).parent / "data" / "monthly_plan.yaml").read_text(encoding="utf-8")


def dispatcher(
    ctx: AppContext, channel: Sender, worker: str = "w1", db: Database | None = None, **config: object
) -> Dispatcher:
    """A dispatcher over one channel (a tests.conftest.RecordingChannel, usually) on the
    context's clock; `config` overrides DispatcherConfig's fields."""
    return Dispatcher(
        db=db or ctx.db,
        channels={channel.name: channel},
        renderer=ReminderRenderer(ctx.calendar),
        clock=ctx.clock,
        calendar=ctx.calendar,
        config=DispatcherConfig(worker=worker, **config),  # type: ignore[arg-type]
    )


async def linked(
    ctx: AppContext,
    conv: Conversation,
    unit: str,
    role: str = "head",
    channel: str = "console",
    chat_id: str | None = None,
    name: str | None = None,
) -> str:
    """Create a person of `unit` and link a chat through the real /start flow."""
    chat_id = chat_id or f"{unit}-{role}"
    async with ctx.db.session() as s, s.begin():
        person = await create_person(s, ctx.ward_id, name or f"Người {unit}", role, unit, ctx.now())
        code = await issue_link_code(s, person, ctx.now(), timedelta(hours=1))
    replies = await say(conv, chat_id, f"/start {code.code}", channel=channel)
    assert "Xin chào" in replies[0], replies
    return chat_id


async def say(
    conv: Conversation,
    chat_id: str,
    text: str,
    *,
    channel: str = "console",
    reply_to: str | None = None,
    callback: str | None = None,
    message_id: str | None = None,
) -> list[str]:
    global _counter
    _counter += 1
    msg = InboundMessage(
        channel=channel,
        chat_id=chat_id,
        message_id=message_id or f"m{_counter}",
        text=text,
        reply_to_message_id=reply_to,
        callback_data=callback,
    )
    return [r.text for r in await conv.handle(msg, buttons=True)]


async def outbox_settled(ctx: AppContext, chat_id: str) -> bool:
    """No answer to `chat_id` is still queued or on the wire: every reply row addressed to it
    is sent (or closed for good)."""
    async with ctx.db.session() as s:
        open_rows = await s.scalar(
            select(func.count(Reminder.id)).where(
                Reminder.chat_id == chat_id, Reminder.state.in_((ReminderState.PENDING, ReminderState.SENDING))
            )
        )
    return open_rows == 0


async def answered(ctx: AppContext, channel: str, chat_id: str, *, message_id: str | None = None) -> bool:
    """The inbound message (else every one from the chat) is interpreted, and what it queued
    has left the outbox. Replies are queued in the transaction that marks the message
    processed, so this is the state "nothing more is coming", not a guess from time."""
    async with ctx.db.session() as s:
        stmt = select(InboundRow.processed_at).where(InboundRow.channel == channel, InboundRow.chat_id == chat_id)
        if message_id is not None:
            stmt = stmt.where(InboundRow.message_id == message_id)
        processed = list(await s.scalars(stmt))
    return bool(processed) and all(p is not None for p in processed) and await outbox_settled(ctx, chat_id)


@asynccontextmanager
async def replies_sent(ctx: AppContext, channels: dict[str, Sender]) -> AsyncIterator[Dispatcher]:
    """What the running bot does for answers: a reply queued in the outbox wakes a
    dispatcher that sends it at once (tests of the messengers go through it)."""
    dispatcher = Dispatcher(
        db=ctx.db,
        channels=channels,
        renderer=ReminderRenderer(ctx.calendar),
        clock=ctx.clock,
        calendar=ctx.calendar,
        config=DispatcherConfig(worker="replies"),
    )
    woken = asyncio.Event()
    ctx.wake = woken.set

    async def serve() -> None:
        while True:
            await woken.wait()
            woken.clear()
            await dispatcher.tick()

    task = asyncio.create_task(serve())
    try:
        yield dispatcher
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@dataclass
class _LoggerState:
    level: int
    handlers: list[logging.Handler]
    filters: list[logging.Filter | logging.Filterer | object]
    propagate: bool
    disabled: bool

    @classmethod
    def of(cls, logger: logging.Logger) -> _LoggerState:
        return cls(logger.level, list(logger.handlers), list(logger.filters), logger.propagate, logger.disabled)

    def restore(self, logger: logging.Logger) -> None:
        logger.setLevel(self.level)
        logger.handlers[:] = self.handlers
        logger.filters[:] = self.filters  # type: ignore[assignment]
        logger.propagate, logger.disabled = self.propagate, self.disabled


def _loggers() -> dict[str, logging.Logger]:
    found = {name: obj for name, obj in logging.Logger.manager.loggerDict.items() if isinstance(obj, logging.Logger)}
    found[""] = logging.getLogger()
    return found


@contextmanager
def isolated_logging() -> Iterator[None]:
    """Logging is process-global: whatever the body installs is undone on the way out.

    `bot.app.logs.install_redaction` replaces the log-record factory and remembers secrets in
    module state; `nhacviec run` calls logging.basicConfig. Left in place, one test's
    redaction would make another test's "the token is never logged" pass on its own."""
    factory = logging.getLogRecordFactory()
    secrets, installed = set(bot.app.logs._secrets), bot.app.logs._installed
    disabled = logging.root.manager.disable
    states = {name: _LoggerState.of(logger) for name, logger in _loggers().items()}
    try:
        yield
    finally:
        logging.setLogRecordFactory(factory)
        bot.app.logs._secrets.clear()
        bot.app.logs._secrets.update(secrets)
        bot.app.logs._installed = installed
        logging.disable(disabled)
        # Loggers first created during the body keep what their library gave them.
        loggers = _loggers()
        for name, state in states.items():
            state.restore(loggers[name])
