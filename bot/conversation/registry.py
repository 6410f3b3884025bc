"""The one registry of chat commands: name, who may use it, usage, a one-line Vietnamese
description and its handler. `/help` per role, the Telegram command menu and the README's
command table (checked by a test) all come from here, so they cannot drift apart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from store.enums import PersonRole

EVERYONE = frozenset(PersonRole)
OFFICE = frozenset({PersonRole.OFFICE, PersonRole.LEADER, PersonRole.CITY})

Handler = Callable[..., Awaitable[Any]]
H = TypeVar("H", bound=Handler)


@dataclass(frozen=True)
class ChatCommand:
    name: str  # Telegram allows [a-z0-9_]{1,32}
    roles: frozenset[PersonRole]
    usage: str  # "/status N NỘI_DUNG"
    description: str
    handler: Handler
    # Answered from a read session (store.db.Database.read): the handler reads only and
    # queues its files on the turn, so on SQLite a long summary holds no write lock.
    reads_only: bool = False

    def allows(self, role: str) -> bool:
        return role in self.roles

    @property
    def office_only(self) -> bool:
        return not self.allows(PersonRole.HEAD)


class Registry:
    def __init__(self) -> None:
        self._commands: dict[str, ChatCommand] = {}

    def command(
        self, name: str, *, roles: frozenset[PersonRole], usage: str, description: str, reads_only: bool = False
    ) -> Callable[[H], H]:
        """Register the decorated handler under `/name`."""

        def register(handler: H) -> H:
            if name in self._commands:
                raise ValueError(f"/{name} registered twice")
            self._commands[name] = ChatCommand(name, roles, usage, description, handler, reads_only)
            return handler

        return register

    def get(self, name: str) -> ChatCommand | None:
        return self._commands.get(name)

    def __iter__(self) -> Iterator[ChatCommand]:
        return iter(self._commands.values())

    def for_role(self, role: str) -> list[ChatCommand]:
        return [c for c in self if c.allows(role)]

    def help_text(self, role: str) -> str:
        """`/help` for one role: everyone's commands, then the office's when allowed."""
        mine = self.for_role(role)
        lines = ["Các lệnh:"] + [f"{c.usage} — {c.description}" for c in mine if not c.office_only]
        office = [c for c in mine if c.office_only]
        if office:
            lines += ["", "Dành cho văn phòng theo dõi kế hoạch:"] + [f"{c.usage} — {c.description}" for c in office]
        lines += ["", 'Có thể trả lời trực tiếp tin nhắc việc: "đã xong", "đang làm 50%", "vướng: lý do".']
        return "\n".join(lines)

    def menu(self) -> list[tuple[str, str]]:
        """(name, description) for Telegram's command menu (descriptions ≤ 256 characters)."""
        return [(c.name, _sentence(c.description + (" (văn phòng)" if c.office_only else ""))[:256]) for c in self]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
