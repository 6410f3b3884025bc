"""The console channel: a terminal chat for trying Nhắc việc with no messenger token.

The newcomer picks a unit (or the office) and acts as its person, created on the fly and
linked to a console chat; reminders due to any console person are printed as they fall.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from bot.actions.people import create_person
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.messages import DeliveryResult, InboundMessage, OutboundMessage
from bot.texts import channels as texts_channels
from bot.texts import common as texts
from store import people
from store.models import ChatIdentity

log = logging.getLogger(__name__)

CHANNEL = "console"


class ConsoleChannel:
    name = CHANNEL
    supports_buttons = False

    def __init__(self, out: TextIO = sys.stdout, names: Callable[[str], str] | None = None) -> None:
        self.out = out
        self.names = names or (lambda chat_id: chat_id)
        self._counter = 0

    async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
        self._counter += 1
        self.out.write(texts_channels.console_to(self.names(chat_id)))
        for line in message.text.split("\n"):
            self.out.write(f"│ {line}\n")
        if message.attachment is not None:
            a = message.attachment
            self.out.write(f"│ 📎 {texts.file_note(a.filename, a.path, can_send=True)}\n")
        self.out.write("└─\n")
        self.out.flush()
        return DeliveryResult(message_id=f"c{time.time_ns()}")


async def ensure_console_person(ctx: AppContext, unit_code: str, role: str) -> ChatIdentity:
    """The console person of a unit (and role), created and linked on first use."""
    chat_id = f"{unit_code}:{role}"
    async with ctx.db.session() as s, s.begin():
        identity = await people.identity_by_chat(s, CHANNEL, chat_id)
        if identity is not None:
            return identity
        unit = ctx.plan.units[unit_code]
        name = texts_channels.console_person(role, unit.code, unit.title)
        person = await create_person(s, ctx.ward_id, name, role, unit_code, ctx.now())
        return await people.link_chat(s, person, CHANNEL, chat_id, person.name, ctx.now())


def choices(ctx: AppContext) -> list[tuple[str, str, str]]:
    """(unit code, role, label) the newcomer may act as."""
    office = ctx.plan.coordinating_unit
    out = [(office, "office", texts_channels.console_office_choice(ctx.plan.units[office].name))]
    for unit in ctx.plan.units.values():
        out.append((unit.code, "head", f"{unit.title} ({unit.code})"))
    # Last, so the numbers people learnt for the units stay as they were.
    out.append((office, "leader", texts_channels.CONSOLE_LEADER_CHOICE))
    return out


async def chat_names(ctx: AppContext) -> dict[str, str]:
    async with ctx.db.read() as s:
        return await people.chat_names(s, CHANNEL)


class ConsoleSession:
    """Reads lines from the terminal and feeds them to the conversation."""

    def __init__(
        self, ctx: AppContext, conversation: Conversation, channel: ConsoleChannel, read: Callable[[str], str] = input
    ) -> None:
        self.ctx, self.conversation, self.channel, self.read = ctx, conversation, channel, read
        self.identity: ChatIdentity | None = None

    async def _ask(self, prompt: str) -> str | None:
        """Read a line without blocking the bot. A daemon thread, not the default executor:
        on SIGTERM the program ends while a prompt still waits, and must not wait for it."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[str | None] = loop.create_future()

        def read() -> None:
            try:
                line: str | None = self.read(prompt)
            except (EOFError, OSError, ValueError):
                line = None

            def deliver() -> None:
                if not answer.done():
                    answer.set_result(line)

            with contextlib.suppress(RuntimeError):  # the bot already ended
                loop.call_soon_threadsafe(deliver)

        threading.Thread(target=read, name="console-input", daemon=True).start()
        return await answer

    async def choose(self) -> bool:
        options = choices(self.ctx)
        print(texts_channels.CONSOLE_WHICH_ROLE)
        for i, (_, _, label) in enumerate(options, 1):
            print(f"  {i}. {label}")
        while True:
            answer = await self._ask(texts_channels.CONSOLE_PICK)
            if answer is None:
                return False
            if answer.strip().isdigit() and 1 <= int(answer) <= len(options):
                code, role, label = options[int(answer) - 1]
                self.identity = await ensure_console_person(self.ctx, code, role)
                self.channel.names = _lookup(await chat_names(self.ctx))
                print(texts_channels.console_you_are(label))
                await self._say("/tasks")
                return True
            print(texts_channels.CONSOLE_PICK_AGAIN)

    async def _say(self, text: str) -> None:
        assert self.identity is not None
        msg = InboundMessage(
            channel=CHANNEL,
            chat_id=self.identity.chat_id,
            message_id=str(time.time_ns()),
            text=text,
            sender_name=self.identity.display_name,
            sent_at=self.ctx.now(),
        )
        try:
            replies = await self.conversation.handle(msg, buttons=False)
        except Exception:
            log.exception("console message failed")
            replies = [OutboundMessage(texts.APOLOGY)]
        for reply in replies:
            for line in reply.text.split("\n"):
                print(f"  {line}")

    async def run(self) -> None:
        if await self.start():
            await self.converse()

    async def start(self) -> bool:
        """Greet and ask who the newcomer is; False when they left instead."""
        print(
            texts_channels.console_greeting(
                self.ctx.plan.ward, self.ctx.plan.code, self.ctx.now().astimezone(self.ctx.calendar.zone)
            )
        )
        return await self.choose()

    async def converse(self) -> None:
        while True:
            line = await self._ask("> ")
            if line is None or line.strip() in ("/thoat", "/quit", "/exit"):
                return
            if not line.strip():
                continue
            if line.strip() == "/chon":
                if not await self.choose():
                    return
                continue
            if line.strip() == "/gio":
                now = self.ctx.now().astimezone(self.ctx.calendar.zone)
                print(texts_channels.console_clock(texts.vn_weekday_date(now.date()), now))
                continue
            await self._say(line)


def _lookup(names: dict[str, str]) -> Callable[[str], str]:
    return lambda chat_id: names.get(chat_id, chat_id)
