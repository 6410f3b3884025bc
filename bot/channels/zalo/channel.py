"""Sending through Zalo: plain text split below 2000 characters, errors mapped to the
channel contract. Zalo has no buttons, so reminders carry a typed-answer hint."""

from __future__ import annotations

from bot.channels.zalo.client import ZaloClient, ZaloError
from bot.messages import ChannelError, DeliveryResult, OutboundMessage
from bot.texts.common import file_note, split_message
from scheduler.delivery import ErrorScope

MAX_LENGTH = 2000


# Zalo documents few error codes (docs/zalo.md): a description naming a missing or
# blocked chat disables that chat; an authentication failure stops the channel; any other
# refusal fails only the message.
_RECIPIENT_GONE = ("not found", "blocked", "forbidden", "not exist", "invalid chat", "invalid user")


def classify(exc: ZaloError) -> ChannelError:
    if exc.transient:
        return ChannelError(str(exc), retry_after=exc.retry_after, unknown_outcome=exc.unknown_outcome)
    if exc.status == 401 or exc.error_code == 401:
        return ChannelError(str(exc), scope=ErrorScope.CHANNEL)
    text = str(exc).lower()
    if exc.status in (403, 404) or exc.error_code in (403, 404) or any(w in text for w in _RECIPIENT_GONE):
        return ChannelError(str(exc), scope=ErrorScope.RECIPIENT)
    return ChannelError(str(exc), scope=ErrorScope.MESSAGE)


async def send_text(client: ZaloClient, chat_id: str, message: OutboundMessage) -> DeliveryResult:
    last_id: str | None = None
    for part in split_message(message.text, MAX_LENGTH):
        try:
            result = await client.send_message(chat_id, part)
        except ZaloError as exc:
            raise classify(exc) from None
        last_id = str(result.get("message_id")) if result.get("message_id") is not None else None
    return DeliveryResult(message_id=last_id)


class ZaloChannel:
    name = "zalo"
    supports_buttons = False

    def __init__(self, client: ZaloClient) -> None:
        self.client = client

    async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
        if message.attachment is not None:
            return await send_with_file_note(self.client, chat_id, message)
        return await send_text(self.client, chat_id, message)


async def send_with_file_note(client: ZaloClient, chat_id: str, message: OutboundMessage) -> DeliveryResult:
    """Zalo's Bot API sends no files: the text, then where the office can get the file."""
    attachment = message.attachment
    assert attachment is not None
    note = file_note(attachment.filename, attachment.path, can_send=False)
    body = f"{message.text}\n\n{note}" if message.text.strip() else note
    return await send_text(client, chat_id, OutboundMessage(body))
