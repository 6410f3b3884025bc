"""The one registry of chat commands: name, who may use it, usage, a one-line Vietnamese
description and its handler; and the readers of requests made in words. `/help` per role,
the Telegram command menu and the README's command table (checked by a test) all come from
here, so they cannot drift apart. The command modules (bot/commands/) fill it when imported."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from bot.conversation.turn import Reply, Turn
from bot.texts import commands as texts_commands
from bot.texts import common as texts
from bot.texts import people as texts_people
from store.enums import PersonRole

EVERYONE = frozenset(PersonRole)
OFFICE = frozenset({PersonRole.OFFICE, PersonRole.LEADER, PersonRole.CITY})
UNIT_PEOPLE = frozenset({PersonRole.HEAD, PersonRole.DEPUTY})
HEADS = frozenset({PersonRole.HEAD})


class Handler(Protocol):
    """A chat command: the turn in, the replies out."""

    def __call__(self, t: Turn, /) -> Awaitable[Reply]: ...


class WordsReader(Protocol):
    """A request made in words ("xin gia hạn nhiệm vụ 4 đến 15/7", "hội nghị 12"): the
    answer, or None when the words are not such a request."""

    def __call__(self, t: Turn, text: str, /) -> Awaitable[Reply | None]: ...


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
    # Channels on which it writes after all (/export on Zalo issues a one-time desk link).
    writes_on: frozenset[str] = frozenset()

    def allows(self, role: str) -> bool:
        return role in self.roles

    @property
    def office_only(self) -> bool:
        return not self.allows(PersonRole.HEAD)

    def refusal(self) -> str:
        """Why someone whose role this command does not allow is refused."""
        if self.office_only:
            return texts.OFFICE_ONLY
        return texts_people.HEAD_ONLY if self.roles == HEADS else texts_people.UNIT_ONLY


class Registry:
    def __init__(self) -> None:
        self._commands: dict[str, ChatCommand] = {}
        self.words_readers: list[WordsReader] = []

    def command(
        self,
        name: str,
        *,
        roles: frozenset[PersonRole],
        usage: str,
        description: str,
        reads_only: bool = False,
        writes_on: frozenset[str] = frozenset(),
    ) -> Callable[[Handler], Handler]:
        """Register the decorated handler under `/name`."""

        def register(handler: Handler) -> Handler:
            if name in self._commands:
                raise ValueError(f"/{name} registered twice")
            self._commands[name] = ChatCommand(name, roles, usage, description, handler, reads_only, writes_on)
            return handler

        return register

    def words(self, reader: WordsReader) -> WordsReader:
        """Register a reader of requests in words; they are tried, in registration order,
        before a free text is read as a status, so such a request is never taken for one."""
        self.words_readers.append(reader)
        return reader

    def get(self, name: str) -> ChatCommand | None:
        return self._commands.get(name)

    def __iter__(self) -> Iterator[ChatCommand]:
        return iter(self._commands.values())

    def for_role(self, role: str) -> list[ChatCommand]:
        return [c for c in self if c.allows(role)]

    def help_text(self, role: str) -> str:
        """`/help` for one role: everyone's commands, then the office's when allowed."""
        mine = self.for_role(role)
        lines = [texts_commands.HELP_HEADING] + [f"{c.usage} — {c.description}" for c in mine if not c.office_only]
        office = [c for c in mine if c.office_only]
        if office:
            lines += ["", texts_commands.HELP_OFFICE_HEADING] + [f"{c.usage} — {c.description}" for c in office]
        lines += ["", texts_commands.HELP_ANSWER_HINT]
        return "\n".join(lines)

    def menu(self) -> list[tuple[str, str]]:
        """(name, description) for Telegram's command menu (descriptions ≤ 256 characters)."""
        return [
            (c.name, _sentence(c.description + (texts_commands.MENU_OFFICE_MARK if c.office_only else ""))[:256])
            for c in self
        ]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


COMMANDS = Registry()
