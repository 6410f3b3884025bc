"""The turn: one inbound message from a linked person, with everything answering it needs.

Handlers are plain functions of the turn. What belongs to one message (the files fetched with
it, the files its answer queues) rides on the turn, never on a shared object."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions.evidence_files import FetchedFile
from bot.context import AppContext
from bot.messages import InboundMessage, OutboundMessage
from scheduler.plan import Plan
from store.models import ChatIdentity, Person
from store.queries import AssignmentView

Reply = list[OutboundMessage]


@dataclass
class Turn:
    """One inbound message from a linked person, with what answering it needs.

    `ward_id` and `plan` are the person's ward and its plan: everything a turn reads or
    writes is scoped by them, never by a process-wide ward."""

    ctx: AppContext
    s: AsyncSession
    msg: InboundMessage
    person: Person
    identity: ChatIdentity
    inbound_id: int
    buttons: bool
    ward_id: int
    plan: Plan
    args: str = ""
    # The files that came with the message, fetched before any transaction was opened.
    files: list[FetchedFile] = field(default_factory=list)
    # Outbox rows (files for this chat) the turn queues: written with its answer, in the
    # transaction that marks the message processed, so a command may read in a read session.
    queued: list[dict[str, Any]] = field(default_factory=list)
    # What the turn read of its ward's tasks, with the ward they are of, read once however
    # many readers ask (bot/conversation/tasks.py): the labels, and the unit's current
    # assignments until the turn records a status (their status is then read again).
    labels: tuple[int, dict[int, str]] | None = None
    views: tuple[int, list[AssignmentView]] | None = None

    def ask(self, kind: str | None, assignment_id: int | None = None, text: str | None = None) -> None:
        """Remember the question the bot asks this chat (None: no question pending)."""
        self.identity.pending_kind = kind
        self.identity.pending_assignment_id = assignment_id
        self.identity.pending_text = text
