"""SQLAlchemy models. Everything belongs to a ward, so one database can serve a city.

Times are stored as naive UTC (SQLite has no time zones) and come back as aware UTC.

No `from __future__ import annotations` here: with it every `Mapped[...]` is a string that
SQLAlchemy parses back into a type when it maps the class, a sixth of what importing this
module costs every command that loads the store (`nhacviec link` among them).
"""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from store.enums import (
    AssignmentRole,
    AttemptOutcome,
    DeadlineKind,
    ExtensionState,
    PersonRole,
    ReminderKind,
    ReminderState,
    Review,
    Status,
)


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def vocabulary(enum: type[StrEnum]) -> Enum:
    """A column holding one of `enum`'s values: the VARCHAR(16) and the stored strings it had
    as a plain string column (no native type, no CHECK constraint: nothing to migrate), read
    back as members. Writing a string outside the vocabulary fails before it reaches the row."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    pass


class Ward(Base):
    __tablename__ = "wards"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    plan_code: Mapped[str] = mapped_column(String(100), default="")
    coordinating_unit: Mapped[str] = mapped_column(String(32), default="")
    # The issue date of the plan the ward holds: plan numbers restart every year, so ward and
    # number alone do not tell two plans apart (store.wards.claim_ward).
    plan_issued: Mapped[date | None] = mapped_column(Date)
    # What the last planning of this ward was computed from (scheduler/planner.py): a re-plan
    # whose inputs hash the same has nothing to add and stops there.
    plan_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # The days that planning covered ("2027-01-04..2027-02-08"): a re-plan with the same
    # fingerprint and a later window plans only the days that entered it (migration 0018v).
    planned_window: Mapped[str | None] = mapped_column(String(32))
    # The "same id, different work" changes the office confirmed (nhacviec check --against
    # --confirm), as the digest scheduler.plan.compare gives them: a reload showing exactly
    # those is applied instead of held back (migration 0013i).
    plan_confirmed: Mapped[str | None] = mapped_column(String(64))
    # The planning lease (store.wards.take_planning_lease): the worker planning the ward now
    # and when its claim lapses, so several workers share the wards instead of each planning all.
    planning_owner: Mapped[str | None] = mapped_column(String(200))
    planning_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SHA-256 of the plan file's bytes when the ward was last served from it: a restart
    # serves the ward from its row and reads the file only when the plan is first needed.
    plan_sha: Mapped[str | None] = mapped_column(String(64))


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("ward_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Person(Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    role: Mapped[PersonRole] = mapped_column(vocabulary(PersonRole))
    preferred_channel: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A head away until this local day (/vang): the unit's deputies receive meanwhile.
    away_until: Mapped[date | None] = mapped_column(Date)
    # Unlinked by the office (/huy): kept, so the history still names them.
    unlinked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChatIdentity(Base):
    """A person's chat on one channel. `pending_*` hold a question the bot asked."""

    __tablename__ = "chat_identities"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    # Who redeemed the code (the platform's user id); only they act as the person here.
    sender_id: Mapped[str | None] = mapped_column(String(64))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unreachable_reason: Mapped[str | None] = mapped_column(Text)
    pending_kind: Mapped[str | None] = mapped_column(String(16))
    pending_assignment_id: Mapped[int | None] = mapped_column(Integer)
    pending_text: Mapped[str | None] = mapped_column(Text)


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("ward_id", "stt"),
        Index("uq_tasks_ward_uid", "ward_id", "uid", unique=True),  # migration 0013i
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    # The task's number in the running plan. An edit may renumber it: identity is `uid`, and
    # a task the plan no longer has parks its number at -id (store/sync.py), so a number
    # always names the one active task that has it.
    stt: Mapped[int] = mapped_column(Integer)
    # The plan's task id (scheduler.plan.ids); NULL only for rows written before ids existed.
    uid: Mapped[str | None] = mapped_column(String(32))
    # How the office names the task ("II.3"); NULL for rows written before labels existed.
    label: Mapped[str | None] = mapped_column(String(32))
    section: Mapped[str | None] = mapped_column(String(32))
    content: Mapped[str] = mapped_column(Text)
    product: Mapped[str] = mapped_column(Text, default="")
    deadline_text: Mapped[str] = mapped_column(Text)
    deadline_kind: Mapped[DeadlineKind] = mapped_column(vocabulary(DeadlineKind))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A conditional task's date, set by the office with /activate.
    activated_due: Mapped[date | None] = mapped_column(Date)


class Occurrence(Base):
    __tablename__ = "occurrences"
    __table_args__ = (UniqueConstraint("task_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    key: Mapped[str] = mapped_column(String(32))
    start: Mapped[date | None] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)
    checkin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Assignment(Base):
    """Occurrence × unit. Holds the latest status; every report stays in status_reports."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "unit_id"),
        # store.extensions.extended_assignments: few rows have an extension. The index's
        # WHERE extended_due IS NOT NULL is written by migration 0011i and the schema scripts
        # (store/snapshot.py), on both databases; not here as sqlite_where or postgresql_where:
        # either keyword loads that dialect's package into a bot on the other database
        # (~2 MiB of PostgreSQL's drivers' modules in a SQLite bot, ~0.5 MiB of SQLite's in a
        # PostgreSQL one), and nothing reads it (Alembic compares no index predicates).
        Index("ix_assignments_extended", "unit_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    role: Mapped[AssignmentRole] = mapped_column(vocabulary(AssignmentRole))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[Status] = mapped_column(vocabulary(Status), default=Status.NOT_STARTED)
    percent: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The office approved more time for this unit (/duyet): reminders and the standing follow
    # this day; the occurrence's own due day stays the original deadline.
    extended_due: Mapped[date | None] = mapped_column(Date)
    # The office's review of the latest report: awaiting the product, awaiting confirmation,
    # confirmed, returned; NULL when nothing is to be reviewed.
    review: Mapped[Review | None] = mapped_column(vocabulary(Review))
    # Pointers into status_reports kept by store/progress.py (no foreign keys: reports point
    # here already): the latest report, the first of the completing run the latest one ends,
    # the latest blocked one. NULL when there is none.
    last_report_id: Mapped[int | None] = mapped_column(Integer)
    run_report_id: Mapped[int | None] = mapped_column(Integer)
    run_report_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # that report's created_at
    blocked_report_id: Mapped[int | None] = mapped_column(Integer)


class Reminder(Base):
    """The outbox. A row is either about an assignment (text rendered when sent) or a
    direct message to a person (`person_id` + `body`). `key` makes planning idempotent."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("ward_id", "key"),
        Index("ix_reminders_due", "state", "next_attempt_at"),
        Index("ix_reminders_finished", "ward_id", "state", "finished_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    key: Mapped[str] = mapped_column(String(120))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[ReminderKind] = mapped_column(vocabulary(ReminderKind))
    seq: Mapped[int] = mapped_column(Integer, default=0)
    body: Mapped[str | None] = mapped_column(Text)
    # A reply is addressed to the chat it answers rather than to a person's preferred chat.
    channel: Mapped[str | None] = mapped_column(String(16))
    chat_id: Mapped[str | None] = mapped_column(String(64))
    buttons: Mapped[str | None] = mapped_column(Text)  # JSON [[label, data], …]
    attachment: Mapped[str | None] = mapped_column(Text)  # JSON {"path", "filename", "kind", "caption"}
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # pending → sending → sent | skipped | dropped | failed
    state: Mapped[ReminderState] = mapped_column(vocabulary(ReminderState), default=ReminderState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BackupMark(Base):
    """When a backup was taken: written into the copy by `nhacviec backup`, read by
    `nhacviec restore` (store.restore)."""

    __tablename__ = "backup_marks"
    id: Mapped[int] = mapped_column(primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    target: Mapped[str | None] = mapped_column(Text)
    code_version: Mapped[str | None] = mapped_column(String(40))


class ChannelPoll(Base):
    """Whether a running worker's poller of a channel still reads updates (bot/channels/watch.py),
    written by its health loop; `nhacviec status` reads it (store.health.stopped_polls)."""

    __tablename__ = "channel_polls"
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    worker: Mapped[str] = mapped_column(String(200), primary_key=True)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"
    __table_args__ = (
        Index("ix_attempts_message", "channel", "chat_id", "provider_message_id"),
        Index("ix_attempts_reminder", "reminder_id", "outcome"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_id: Mapped[int | None] = mapped_column(ForeignKey("reminders.id"))
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("chat_identities.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    worker: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[AttemptOutcome] = mapped_column(vocabulary(AttemptOutcome))
    error: Mapped[str | None] = mapped_column(Text)
    provider_message_id: Mapped[str | None] = mapped_column(String(64))


class InboundMessage(Base):
    """Every message as received, stored before it is interpreted."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "chat_id", "message_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    sender_id: Mapped[str | None] = mapped_column(String(64))
    sender_name: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    reply_to_message_id: Mapped[str | None] = mapped_column(String(64))
    raw: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("chat_identities.id"))
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(32))


class StatusReport(Base):
    __tablename__ = "status_reports"
    __table_args__ = (
        Index("ix_status_reports_assignment", "assignment_id", "created_at"),
        Index("ix_status_reports_person", "person_id", "created_at"),  # who answered last (migration 0012d)
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    status: Mapped[Status] = mapped_column(vocabulary(Status))
    percent: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Where this report stands with the office (NULL: nothing to review).
    review: Mapped[Review | None] = mapped_column(vocabulary(Review))
    # Taken back by the person who gave it ("sai" within minutes, store/statuses.py retract):
    # kept in the history, marked, and left out of every standing. `retracted_by` is the
    # inbound message that took it back (migration 0014u).
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retracted_by: Mapped[int | None] = mapped_column(Integer)


class LinkCode(Base):
    __tablename__ = "link_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_identity_id: Mapped[int | None] = mapped_column(ForeignKey("chat_identities.id"))


class LinkFailure(Base):
    """Wrong link codes (codes that were never issued), to throttle guessing per chat and
    across all chats. A used or expired code is not a guess and is not recorded here."""

    __tablename__ = "link_failures"
    __table_args__ = (
        Index("ix_link_failures_chat", "channel", "chat_id", "at"),
        Index("ix_link_failures_at", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    code: Mapped[str | None] = mapped_column(String(16))


class ExtensionRequest(Base):
    """A unit's request for more time on one assignment (/giahan) and the office's answer.
    pending → approved | refused | replaced (a newer request of the same assignment)."""

    __tablename__ = "extension_requests"
    __table_args__ = (Index("ix_extension_requests_assignment", "assignment_id", "state"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    # The deadline in force when asked (the original one, or an earlier extension).
    previous_due: Mapped[date] = mapped_column(Date)
    new_due: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ExtensionState] = mapped_column(vocabulary(ExtensionState), default=ExtensionState.PENDING)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)


class TargetFigure(Base):
    """One number a unit reported for the plan's targets in one report period ("hoinghi" =
    12 for the 6-month report of 2026). The latest report of a field replaces the earlier."""

    __tablename__ = "target_figures"
    __table_args__ = (UniqueConstraint("ward_id", "unit_id", "period", "field"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    period: Mapped[str] = mapped_column(String(64))  # "six_month:2026", or "2026-01-01:2026-12-31"
    field: Mapped[str] = mapped_column(String(64))  # the plan's key, e.g. "hoinghi"
    value: Mapped[float] = mapped_column(Float)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))  # who reported or recorded it
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)  # recorded by the office
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Evidence(Base):
    """The product a unit gave for a task: a document number and date, a link, or a file.

    A file is kept as the channel gave it (`channel`, `file_id`) and, once fetched, as bytes
    in the evidence folder (`path`, `sha256`, `size`); a fetch that failed keeps the file id
    and says why (`fetch_state` "failed", `fetch_error`), so it can be fetched again."""

    __tablename__ = "evidence"
    __table_args__ = (
        Index("ix_evidence_assignment", "assignment_id", "created_at"),
        Index("ix_evidence_ward_created", "ward_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    status_report_id: Mapped[int | None] = mapped_column(ForeignKey("status_reports.id"))
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(16))  # document | link | file
    text: Mapped[str] = mapped_column(Text, default="")  # the words it came with
    doc_number: Mapped[str | None] = mapped_column(String(100))
    doc_date: Mapped[date | None] = mapped_column(Date)
    url: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(16))
    file_id: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(255))
    mime: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    path: Mapped[str | None] = mapped_column(Text)
    fetch_state: Mapped[str | None] = mapped_column(String(16))  # stored | failed (files only)
    fetch_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- the desk (the office's web page): one-time login links, sessions, a shared key ------


class DeskToken(Base):
    """A one-time login link (its token's SHA-256), valid until `expires_at`, used once."""

    __tablename__ = "desk_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    target: Mapped[str | None] = mapped_column(String(200))  # the page to open after login
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeskSession(Base):
    """A logged-in browser: its cookie's SHA-256, the CSRF token of its forms, last seen."""

    __tablename__ = "desk_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeskKey(Base):
    """A secret of the desk shared by every worker (the cookie key), made once."""

    __tablename__ = "desk_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    value: Mapped[str] = mapped_column(String(128))
