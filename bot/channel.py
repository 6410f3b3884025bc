"""The one small contract every messenger adapter implements.

The conversation and the dispatcher only see these types; they never import `telegram`
or `httpx`. The outbound half (messages, results, errors) is defined next to the outbox
in `scheduler.delivery`; this module adds the inbound half.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from scheduler.delivery import Attachment, Button, ChannelError, DeliveryResult, OutboundMessage, Sender

__all__ = ["Attachment", "Button", "Channel", "ChannelError", "DeliveryResult", "InboundMessage", "OutboundMessage"]

Channel = Sender


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
