"""Sending through Telegram, with errors mapped to the channel contract."""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.channel import ChannelError, DeliveryResult, OutboundMessage
from bot.texts import split_message
from scheduler.delivery import ErrorScope

MAX_LENGTH = 4096


def keyboard(message: OutboundMessage) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data) for b in message.buttons]])


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
        return ChannelError(f"Telegram network error: {exc}")
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
        return await send_text(self.bot, chat_id, message)
