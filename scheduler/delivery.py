"""What the outbox needs from a messenger: the outbound half of the channel contract.

It lives here, below `bot/`, because the dispatcher sends through it; the adapters in
`bot/telegram` and `bot/zalo` implement it. A send either returns a DeliveryResult or
raises ChannelError, whose flags decide between disabling the recipient, failing the
message, stopping the channel and retrying later.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # opaque callback payload, e.g. "st:42:done"
    row: int = 0  # buttons with the same row number sit side by side


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


class ErrorScope(StrEnum):
    """What a failed send says is broken — and so what may be disabled."""

    TRANSIENT = "transient"  # nothing yet: retry (network, 5xx, 429, unknown errors)
    RECIPIENT = "recipient"  # this chat (blocked, not found, deactivated): disable the chat
    MESSAGE = "message"  # this message (too long, bad request): fail it, disable nobody
    CHANNEL = "channel"  # the channel itself (invalid token): pause it and alert, disable nobody


class ChannelError(Exception):
    """A failed send. `unknown_outcome`: the request left and may have been delivered.

    `permanent=True` is shorthand for the recipient scope."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        scope: ErrorScope | None = None,
        retry_after: float | None = None,
        unknown_outcome: bool = False,
    ) -> None:
        super().__init__(message)
        self.scope = scope or (ErrorScope.RECIPIENT if permanent else ErrorScope.TRANSIENT)
        self.retry_after = retry_after
        self.unknown_outcome = unknown_outcome

    @property
    def permanent(self) -> bool:
        """Retrying this message cannot succeed (the chat or the message is refused)."""
        return self.scope in (ErrorScope.RECIPIENT, ErrorScope.MESSAGE)


class Sender(Protocol):
    """A messenger as the dispatcher sees it."""

    name: str
    supports_buttons: bool

    async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult: ...
