"""What a command or a reply is handled with: the turn (one message from a linked person)
and the registry every command module adds itself to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation.registry import Registry
from bot.messages import InboundMessage, OutboundMessage
from scheduler.plan import Plan
from store.models import ChatIdentity, Person

Reply = list[OutboundMessage]


@dataclass
class Turn:
    """One inbound message from a linked person, with what answering it needs.

    `ward_id` and `plan` are the person's ward and its plan: everything a turn reads or
    writes is scoped by them, never by a process-wide ward."""

    s: AsyncSession
    msg: InboundMessage
    person: Person
    identity: ChatIdentity
    inbound_id: int
    buttons: bool
    ward_id: int
    plan: Plan
    args: str = ""
    # Outbox rows (files for this chat) the turn queues: written with its answer, in the
    # transaction that marks the message processed, so a command may read in a read session.
    queued: list[dict[str, Any]] = field(default_factory=list)


COMMANDS = Registry()
