"""What the outbox needs from a messenger: the outbound half of the channel contract.

It lives here, below `bot/`, because the dispatcher sends through it; the adapters in
`bot/telegram` and `bot/zalo` implement it. A send either returns a DeliveryResult or
raises ChannelError, whose flags decide between disabling the recipient, failing the
message, stopping the channel and retrying later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # opaque callback payload, e.g. "st:42:done"


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: a document (the export) or a photo (a chart). A channel
    that cannot send files (Zalo's Bot API) says so in text instead."""

    path: str
    filename: str
    kind: str = "document"  # "document" | "photo"
    caption: str = ""  # shown under the file where the channel allows (Telegram: ≤ 1024)


@dataclass(frozen=True)
class OutboundMessage:
    text: str
    buttons: tuple[Button, ...] = ()
    attachment: Attachment | None = None


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


class Sender(Protocol):
    """A messenger as the dispatcher sees it."""

    name: str
    supports_buttons: bool

    async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult: ...
