"""Sending through Telegram, with errors mapped to the channel contract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.channels.telegram.api import (
    BadRequest,
    BotApi,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
    Upload,
)
from bot.messages import ChannelError, DeliveryResult, OutboundMessage
from bot.texts import common as texts
from bot.texts.common import split_message
from scheduler.delivery import ErrorScope

MAX_LENGTH = 4096


def keyboard(message: OutboundMessage) -> dict[str, Any] | None:
    """The buttons as an InlineKeyboardMarkup: one row per `row`, in order."""
    if not message.buttons:
        return None
    rows: dict[int, list[dict[str, str]]] = {}
    for b in message.buttons:
        rows.setdefault(b.row, []).append({"text": b.label, "callback_data": b.data})
    return {"inline_keyboard": [rows[r] for r in sorted(rows)]}


# BadRequest descriptions that mean the chat, not the message, is gone.
_RECIPIENT_GONE = ("chat not found", "user not found", "user is deactivated", "bot was blocked", "peer_id_invalid")


def classify(exc: Exception) -> ChannelError:
    """Telegram errors → the scope of what failed (decision 10 in docs/architecture.md).

    InvalidToken (a 401 or 404 on every call) stops the channel and never disables a person."""
    if isinstance(exc, RetryAfter):
        return ChannelError(f"Telegram 429: {exc}", retry_after=exc.retry_after)
    if isinstance(exc, InvalidToken):
        return ChannelError(f"Telegram: {exc}", scope=ErrorScope.CHANNEL)
    if isinstance(exc, Forbidden | ChatMigrated):
        return ChannelError(f"Telegram: {exc}", scope=ErrorScope.RECIPIENT)
    if isinstance(exc, BadRequest):
        gone = any(words in str(exc).lower() for words in _RECIPIENT_GONE)
        return ChannelError(f"Telegram: {exc}", scope=ErrorScope.RECIPIENT if gone else ErrorScope.MESSAGE)
    # A connection that was never made (connect, pool wait) cannot have delivered anything;
    # a request cut or timed out after it left may have.
    if isinstance(exc, TimedOut):
        return ChannelError(f"Telegram timed out: {exc}", unknown_outcome=not exc.never_left)
    if isinstance(exc, NetworkError):
        return ChannelError(f"Telegram network error: {exc}", unknown_outcome=not exc.never_left)
    return ChannelError(f"Telegram: {type(exc).__name__}: {exc}")


async def send_text(bot: BotApi, chat_id: str | int, message: OutboundMessage) -> DeliveryResult:
    """Send, split at line boundaries below 4096 characters; buttons ride on the last part,
    whose id is returned so a reply to it finds its reminder."""
    parts = split_message(message.text, MAX_LENGTH)
    last_id: str | None = None
    for i, part in enumerate(parts):
        markup = keyboard(message) if i == len(parts) - 1 else None
        try:
            last_id = str((await bot.send_message(chat_id, part, markup))["message_id"])
        except Exception as exc:
            raise classify(exc) from exc
    return DeliveryResult(message_id=last_id)


class TelegramChannel:
    name = "telegram"
    supports_buttons = True

    def __init__(self, bot: BotApi) -> None:
        self.bot = bot

    async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
        if message.attachment is not None:
            return await send_file(self.bot, chat_id, message)
        return await send_text(self.bot, chat_id, message)


CAPTION_LENGTH = 1024


async def send_file(bot: BotApi, chat_id: str | int, message: OutboundMessage) -> DeliveryResult:
    """A message with a file: the text first (when it says more than the caption), then the
    file as a document or a photo with its caption; the file message's id is returned."""
    attachment = message.attachment
    assert attachment is not None
    path = Path(attachment.path)
    try:
        content = path.read_bytes()
    except OSError:
        # The files folder was cleaned: say so instead of failing the chat.
        gone = texts.FILE_GONE.format(filename=attachment.filename)
        return await send_text(bot, chat_id, OutboundMessage(f"{message.text}\n\n{gone}".strip()))
    caption = attachment.caption[:CAPTION_LENGTH]
    if message.text.strip() and message.text.strip() != caption.strip():
        await send_text(bot, chat_id, OutboundMessage(message.text))
    upload = Upload(attachment.filename, content)
    try:
        if attachment.kind == "photo":
            sent = await bot.send_photo(chat_id, upload, caption or None)
        else:
            sent = await bot.send_document(chat_id, upload, caption or None)
        sent_id = str(sent["message_id"])
    except Exception as exc:
        raise classify(exc) from exc
    return DeliveryResult(message_id=sent_id)
