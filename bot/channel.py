"""The one small contract every messenger adapter implements.

The conversation and the dispatcher only see these types; they never import `telegram`
or `httpx`. A send either returns a DeliveryResult or raises ChannelError, whose
`permanent` flag decides between disabling the recipient and retrying later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # opaque callback payload, e.g. "st:42:done"


@dataclass(frozen=True)
class OutboundMessage:
    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class DeliveryResult:
    message_id: str | None = None


class ChannelError(Exception):
    """A failed send. `unknown_outcome`: the request left and may have been delivered."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        unknown_outcome: bool = False,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.unknown_outcome = unknown_outcome


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


class Channel(Protocol):
    name: str
    max_length: int
    supports_buttons: bool

    async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult: ...
