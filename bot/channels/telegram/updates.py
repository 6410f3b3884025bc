"""Telegram updates read into the few typed fields the conversation uses.

An update is read from the JSON Telegram sent (getUpdates or the webhook) or from a stored raw
update: new rows store that JSON as received; rows stored before issue 26 hold
python-telegram-bot's `Update.to_dict()`, the same shape (with a few `false` flags more),
and read back the same. A shape that cannot be read raises ValueError (the webhook route
answers 400); fields we do not use are never looked at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.messages import InboundFile

PRIVATE = "private"


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    last_name: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


@dataclass(frozen=True)
class Chat:
    id: int
    type: str

    @property
    def private(self) -> bool:
        return self.type == PRIVATE


@dataclass(frozen=True)
class Message:
    message_id: int
    chat: Chat
    date: datetime
    from_user: User | None = None
    text: str | None = None
    caption: str | None = None
    reply_to_message_id: int | None = None
    attachments: tuple[InboundFile, ...] = ()


@dataclass(frozen=True)
class CallbackQuery:
    id: str
    from_user: User
    data: str | None
    chat: Chat | None  # of the message the button was on; None if Telegram did not say


@dataclass(frozen=True)
class Update:
    update_id: int
    raw: dict[str, Any]  # as received (or as stored)
    message: Message | None = None
    callback_query: CallbackQuery | None = None

    @classmethod
    def parse(cls, data: object) -> Update:
        """An update's JSON → the fields we use; ValueError when it cannot be read."""
        body = _object(data, "update")
        message = body.get("message")
        query = body.get("callback_query")
        return cls(
            update_id=_int(body.get("update_id"), "update_id"),
            raw=body,
            message=_message(message) if message is not None else None,
            callback_query=_callback_query(query) if query is not None else None,
        )


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{what}: not an object")
    return value


def _int(value: object, what: str) -> int:
    # bool is an int to Python, never to Telegram.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{what}: not an integer")
    return value


def _str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what}: not text")
    return value


def _optional_str(value: object, what: str) -> str | None:
    return None if value is None else _str(value, what)


def _optional_int(value: object, what: str) -> int | None:
    return None if value is None else _int(value, what)


def _user(value: object) -> User:
    body = _object(value, "from")
    return User(
        id=_int(body.get("id"), "from.id"),
        first_name=_str(body.get("first_name", ""), "from.first_name"),
        last_name=_optional_str(body.get("last_name"), "from.last_name") or None,
    )


def _chat(value: object) -> Chat:
    body = _object(value, "chat")
    return Chat(id=_int(body.get("id"), "chat.id"), type=_str(body.get("type"), "chat.type"))


def _date(value: object) -> datetime:
    seconds = _int(value, "date")
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError("date: out of range") from None


def _attachments(body: dict[str, Any]) -> tuple[InboundFile, ...]:
    """A photo (its largest size: Telegram sends several, the largest last) or a document."""
    photo = body.get("photo")
    if photo:
        if not isinstance(photo, list):
            raise ValueError("photo: not a list")
        largest = _object(photo[-1], "photo")
        file_id = _str(largest.get("file_id"), "photo.file_id")
        size = _optional_int(largest.get("file_size"), "photo.file_size")
        return (InboundFile(file_id, "photo", None, "image/jpeg", size),)
    document = body.get("document")
    if document is not None:
        d = _object(document, "document")
        return (
            InboundFile(
                _str(d.get("file_id"), "document.file_id"),
                "document",
                _optional_str(d.get("file_name"), "document.file_name"),
                _optional_str(d.get("mime_type"), "document.mime_type"),
                _optional_int(d.get("file_size"), "document.file_size"),
            ),
        )
    return ()


def _message(value: object) -> Message:
    body = _object(value, "message")
    sender = body.get("from")
    reply = body.get("reply_to_message")
    return Message(
        message_id=_int(body.get("message_id"), "message_id"),
        chat=_chat(body.get("chat")),
        date=_date(body.get("date")),
        from_user=_user(sender) if sender is not None else None,
        text=_optional_str(body.get("text"), "text"),
        caption=_optional_str(body.get("caption"), "caption"),
        reply_to_message_id=_int(_object(reply, "reply_to_message").get("message_id"), "reply_to_message")
        if reply is not None
        else None,
        attachments=_attachments(body),
    )


def _callback_query(value: object) -> CallbackQuery:
    body = _object(value, "callback_query")
    message = body.get("message")
    return CallbackQuery(
        id=_str(body.get("id"), "callback_query.id"),
        from_user=_user(body.get("from")),
        data=_optional_str(body.get("data"), "callback_query.data"),
        chat=_chat(_object(message, "callback_query.message").get("chat")) if message is not None else None,
    )
