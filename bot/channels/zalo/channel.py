"""Sending through Zalo: plain text split below 2000 characters, errors mapped to the
channel contract. Zalo has no buttons, so reminders carry a typed-answer hint."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.channels.zalo.client import ZaloClient, ZaloError
from bot.messages import ChannelError, DeliveryResult, OutboundMessage
from bot.texts import channels as texts_channels
from bot.texts.common import file_note, split_message
from scheduler.delivery import ErrorScope

MAX_LENGTH = 2000


log = logging.getLogger(__name__)

# Zalo documents few error codes (docs/zalo.md): a description naming a missing or blocked
# chat disables that chat; an authentication failure stops the channel; a 400 (text too
# long, empty) fails only the message. Any other code (`{"ok":false,"error_code":-201}` was
# seen failing 14 of 100 reminders at once) is not known to be about the message: it is
# retried as transient, so a blip heals by itself and a lasting one ends, after the
# dispatcher's bounded retries, in the office's "gave up" notice.
_RECIPIENT_GONE = ("not found", "blocked", "forbidden", "not exist", "invalid chat", "invalid user")
_MESSAGE_REFUSED = (400, 413)
# An unknown code is logged at once, then at most once a minute per code and channel.
_UNKNOWN_LOG_EVERY = 60.0


def classify(exc: ZaloError, logged: dict[object, float] | None = None) -> ChannelError:
    if exc.transient:
        return ChannelError(str(exc), retry_after=exc.retry_after, unknown_outcome=exc.unknown_outcome)
    if exc.status == 401 or exc.error_code == 401:
        return ChannelError(str(exc), scope=ErrorScope.CHANNEL)
    text = str(exc).lower()
    if exc.status in (403, 404) or exc.error_code in (403, 404) or any(w in text for w in _RECIPIENT_GONE):
        return ChannelError(str(exc), scope=ErrorScope.RECIPIENT)
    if exc.error_code in _MESSAGE_REFUSED or (exc.error_code is None and exc.status in _MESSAGE_REFUSED):
        return ChannelError(str(exc), scope=ErrorScope.MESSAGE)
    _log_unknown(exc, {} if logged is None else logged)
    return ChannelError(
        texts_channels.zalo_error_code(exc, exc.error_code if exc.error_code is not None else exc.status)
    )


def _log_unknown(exc: ZaloError, logged: dict[object, float]) -> None:
    code = exc.error_code if exc.error_code is not None else exc.status
    now = time.monotonic()
    if code not in logged or now - logged[code] >= _UNKNOWN_LOG_EVERY:
        logged[code] = now
        log.warning("Zalo answered an unknown error code %s (%s); treated as transient, retried", code, exc)


class ChannelPause:
    """Zalo's 429 is about the bot, not the message: after one, every send of the channel
    waits out retry_after (issue 25: 16.75 requests/s went on through a 60 s storm), and then
    one request goes alone until one succeeds, so a storm costs one request per retry_after,
    not one per send in flight. A pause longer than `longest_wait` is not waited inside a
    send: the row is rescheduled after it."""

    def __init__(self, longest_wait: float = 30.0) -> None:
        self.until = 0.0
        self.longest_wait = longest_wait
        self.logged: dict[object, float] = {}  # unknown error codes: when last logged
        self.recovering = False  # a 429 seen, no success since
        self._probe = asyncio.Lock()

    def hold(self, seconds: float) -> None:
        self.until = max(self.until, asyncio.get_running_loop().time() + seconds)
        self.recovering = True

    async def _wait(self) -> None:
        left = self.until - asyncio.get_running_loop().time()
        if left <= 0:
            return
        if left > self.longest_wait:
            raise ChannelError(texts_channels.zalo_paused(left), retry_after=left)
        await asyncio.sleep(left)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Around one request: wait out a pause; while recovering, one request at a time."""
        await self._wait()
        if not self.recovering:
            yield
            return
        async with self._probe:
            await self._wait()  # a pause set while this send waited its turn
            yield
            self.recovering = False  # it went through: everyone may send again


async def send_text(
    client: ZaloClient, chat_id: str, message: OutboundMessage, pause: ChannelPause | None = None
) -> DeliveryResult:
    last_id: str | None = None
    for part in split_message(message.text, MAX_LENGTH):
        try:
            if pause is None:
                result = await client.send_message(chat_id, part)
            else:
                async with pause.turn():
                    result = await client.send_message(chat_id, part)
        except ZaloError as exc:
            if pause is not None and exc.transient and exc.retry_after is not None:
                pause.hold(exc.retry_after)
            elif pause is not None and (exc.status == 429 or exc.error_code == 429):
                pause.hold(1.0)  # a 429 without retry_after still pauses everyone a moment
            raise classify(exc, pause.logged if pause is not None else None) from None
        last_id = str(result.get("message_id")) if result.get("message_id") is not None else None
    return DeliveryResult(message_id=last_id)


class ZaloChannel:
    name = "zalo"
    supports_buttons = False

    def __init__(self, client: ZaloClient) -> None:
        self.client = client
        self.pause = ChannelPause()

    async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
        if message.attachment is not None:
            return await send_with_file_note(self.client, chat_id, message, self.pause)
        return await send_text(self.client, chat_id, message, self.pause)


async def send_with_file_note(
    client: ZaloClient, chat_id: str, message: OutboundMessage, pause: ChannelPause | None = None
) -> DeliveryResult:
    """Zalo's Bot API sends no files: the text, then where the office can get the file."""
    attachment = message.attachment
    assert attachment is not None
    note = file_note(attachment.filename, attachment.path, can_send=False)
    body = f"{message.text}\n\n{note}" if message.text.strip() else note
    return await send_text(client, chat_id, OutboundMessage(body), pause)
