"""The closed vocabularies stored in the database.

`StrEnum` members compare equal to their string values, so rows read back as plain strings
and code written against the enums agree; a typo in a state name is a NameError, not a
silently wrong query.
"""

from __future__ import annotations

from enum import StrEnum


class ReminderState(StrEnum):
    """An outbox row: pending → sending → sent | skipped | dropped | failed."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    DROPPED = "dropped"
    FAILED = "failed"


class ReminderKind(StrEnum):
    BEFORE = "before"
    DUE = "due"
    OVERDUE = "overdue"
    CHECKIN = "checkin"
    ESCALATE = "escalate"
    MANUAL = "manual"
    NOTICE = "notice"  # a direct message to a person (body in the row)
    REPLY = "reply"  # the answer to an inbound message, addressed to its chat
    # Direct messages of the reporting cycle and the weekly digest (body composed when queued).
    SWEEP = "sweep"  # ask a unit for its state before a report to the city
    REPORT_DUE = "report_due"  # tell the compiling unit the report is due, files attached
    DIGEST = "digest"  # the Monday digest to the office and leaders
    FILE = "file"  # a file asked for in the chat (/export, /summary chart)


class AttemptOutcome(StrEnum):
    """One send to one chat. Written as SENDING before the request leaves, so a send cut
    short by a crash is still on record (it becomes UNKNOWN when the row is reclaimed)."""

    SENDING = "sending"
    OK = "ok"
    TRANSIENT = "transient"  # worth retrying (network, 5xx, 429)
    UNKNOWN = "unknown"  # the request left; it may have been delivered
    PERMANENT = "permanent"  # the chat cannot be reached (blocked, not found): disabled
    REJECTED = "rejected"  # this message was refused (e.g. a 400): it fails, nobody is disabled
    CHANNEL = "channel"  # the channel itself failed (invalid token): nobody is disabled


class AssignmentRole(StrEnum):
    LEAD = "lead"
    COORDINATE = "coordinate"


class PersonRole(StrEnum):
    HEAD = "head"
    # A deputy (cấp phó) or the unit's contact point (đầu mối): answers for the unit, and
    # receives its reminders when the plan says so or while the head is away.
    DEPUTY = "deputy"
    OFFICE = "office"
    LEADER = "leader"
    # A city official: no unit, oversees every ward the deployment serves (/summary rolls up).
    CITY = "city"


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"


class ExtensionState(StrEnum):
    """A request for more time (`extension_requests.state`)."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    REPLACED = "replaced"  # a newer request of the same assignment took its place


class DeadlineKind(StrEnum):
    """`tasks.deadline_kind`: the kind of the task's deadline rule (scheduler.deadlines)."""

    ONCE = "once"
    RECURRING = "recurring"
    PERIOD = "period"  # "từ 01/6 đến 30/6"
    MILESTONES = "milestones"  # several dated steps
    ONGOING = "ongoing"
    CONDITIONAL = "conditional"


class Review(StrEnum):
    """Where a report stands with the office (`status_reports.review`, `assignments.review`).

    A done report with a product waits for the office's confirmation when the plan asks for
    it (`confirm_done`); one without a product waits for the product. A declined task ("không
    phát sinh", "không thuộc chức năng") waits for the office to accept it. The office's
    decision is a report of its own: confirmed (done counts), or returned (open again)."""

    NO_EVIDENCE = "no_evidence"  # báo xong, chưa có sản phẩm
    PENDING = "pending"  # chờ xác nhận (done with a product, or a decline to accept)
    CONFIRMED = "confirmed"  # the office confirmed the done, or accepted the decline
    RETURNED = "returned"  # the office returned it (trả lại) or refused the decline
    UNBLOCKED = "unblocked"  # the office cleared a blocker (/gobo)


# Reviews that keep a "done" (or a decline) from counting until the office has seen it.
UNREVIEWED: tuple[Review, ...] = (Review.NO_EVIDENCE, Review.PENDING)

CLOSED: tuple[Status, ...] = (Status.DONE, Status.NOT_APPLICABLE)
