"""Sending through Telegram, with errors mapped to the channel contract."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.messages import ChannelError, DeliveryResult, OutboundMessage
from bot.texts import common as texts
from bot.texts.common import split_message
from scheduler.delivery import ErrorScope

MAX_LENGTH = 4096


def keyboard(message: OutboundMessage) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    rows: dict[int, list[InlineKeyboardButton]] = {}
    for b in message.buttons:
        rows.setdefault(b.row, []).append(InlineKeyboardButton(b.label, callback_data=b.data))
    return InlineKeyboardMarkup([rows[r] for r in sorted(rows)])


# httpx errors raised before a request leaves the machine.
_NOT_SENT = ("ConnectError", "ConnectTimeout", "PoolTimeout", "UnsupportedProtocol", "ProxyError")

# BadRequest descriptions that mean the chat, not the message, is gone.
_RECIPIENT_GONE = ("chat not found", "user not found", "user is deactivated", "bot was blocked", "peer_id_invalid")


def classify(exc: Exception) -> ChannelError:
    """Telegram errors → the scope of what failed (decision 10 in docs/architecture.md).

    BadRequest subclasses NetworkError in PTB, so it is checked first; InvalidToken (a 401
    or 404 on every call) stops the channel and never disables a person."""
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return ChannelError(f"Telegram 429: {exc}", retry_after=seconds)
    if isinstance(exc, InvalidToken):
        return ChannelError(f"Telegram: {exc}", scope=ErrorScope.CHANNEL)
    if isinstance(exc, Forbidden | ChatMigrated):
        return ChannelError(f"Telegram: {exc}", scope=ErrorScope.RECIPIENT)
    if isinstance(exc, BadRequest):
        gone = any(words in str(exc).lower() for words in _RECIPIENT_GONE)
        return ChannelError(f"Telegram: {exc}", scope=ErrorScope.RECIPIENT if gone else ErrorScope.MESSAGE)
    if isinstance(exc, TimedOut):
        return ChannelError(f"Telegram timed out: {exc}", unknown_outcome=True)
    if isinstance(exc, NetworkError):
        # PTB names the httpx error it wraps. A connection that was never made cannot have
        # delivered anything; one cut after the request left may have.
        never_left = any(name in str(exc) for name in _NOT_SENT)
        return ChannelError(f"Telegram network error: {exc}", unknown_outcome=not never_left)
    return ChannelError(f"Telegram: {type(exc).__name__}: {exc}")


async def send_text(bot: Bot, chat_id: str | int, message: OutboundMessage) -> DeliveryResult:
    """Send, split at line boundaries below 4096 characters; buttons ride on the last part,
    whose id is returned so a reply to it finds its reminder."""
    parts = split_message(message.text, MAX_LENGTH)
    last_id: str | None = None
    for i, part in enumerate(parts):
        markup = keyboard(message) if i == len(parts) - 1 else None
        try:
            sent = await bot.send_message(chat_id=chat_id, text=part, reply_markup=markup)
        except Exception as exc:
            raise classify(exc) from exc
        last_id = str(sent.message_id)
    return DeliveryResult(message_id=last_id)


class TelegramChannel:
    name = "telegram"
    supports_buttons = True

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
        if message.attachment is not None:
            return await send_file(self.bot, chat_id, message)
        return await send_text(self.bot, chat_id, message)


CAPTION_LENGTH = 1024


async def send_file(bot: Bot, chat_id: str | int, message: OutboundMessage) -> DeliveryResult:
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
    upload = InputFile(content, filename=attachment.filename)
    try:
        if attachment.kind == "photo":
            sent = await bot.send_photo(chat_id=chat_id, photo=upload, caption=caption or None)
        else:
            sent = await bot.send_document(chat_id=chat_id, document=upload, caption=caption or None)
    except Exception as exc:
        raise classify(exc) from exc
    return DeliveryResult(message_id=str(sent.message_id))
