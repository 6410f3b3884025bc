"""The one small contract every messenger adapter implements.

The conversation and the dispatcher only see these types; they never import a channel's client
or `httpx`. The outbound half (messages, results, errors) is defined next to the outbox
in `scheduler.delivery`; this module adds the inbound half.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from scheduler.delivery import Attachment, Button, ChannelError, DeliveryResult, OutboundMessage, Sender

__all__ = [
    "Attachment",
    "Button",
    "Channel",
    "ChannelError",
    "DeliveryResult",
    "FileSource",
    "InboundFile",
    "InboundMessage",
    "OutboundMessage",
]

Channel = Sender


@dataclass(frozen=True)
class InboundFile:
    """A photo or file that came with a message, as the channel names it: the bytes are
    fetched apart (FileSource), so a message is stored even when the fetch fails."""

    file_id: str  # Telegram file_id; Zalo: the image's URL
    kind: str = "document"  # "photo" | "document"
    filename: str | None = None
    mime: str | None = None
    size: int | None = None


class FileSource(Protocol):
    """How a channel fetches a file a person sent (Telegram getFile + download, Zalo the URL)."""

    async def fetch(self, file: InboundFile, max_bytes: int) -> bytes: ...


@dataclass(frozen=True)
class InboundMessage:
    """A message or button press, normalised across channels."""

    channel: str
    chat_id: str
    message_id: str
    text: str
    sender_id: str | None = None
    sender_name: str | None = None
    sent_at: datetime | None = None
    reply_to_message_id: str | None = None
    callback_data: str | None = None
    raw: str | None = field(default=None, repr=False)
    # A one-to-one chat with the bot (Telegram chat type "private", Zalo "PRIVATE"). Link
    # codes are redeemed only there; in a group everyone would see the code and share the link.
    private: bool = True
    # Photos and files sent with the message (a task's evidence).
    attachments: tuple[InboundFile, ...] = ()
