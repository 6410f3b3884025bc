"""outbox rows addressed to a chat (replies), their buttons and attachment; task labels and
sections; read indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        # A reply goes back to the chat it answers (a stranger has no person row).
        batch_op.add_column(sa.Column("channel", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("chat_id", sa.String(length=64), nullable=True))
        # JSON [[label, data], …] for answer buttons of a direct message.
        batch_op.add_column(sa.Column("buttons", sa.Text(), nullable=True))
        # JSON {"path", "filename", "kind": "document"|"photo", "caption"} of a file to send.
        batch_op.add_column(sa.Column("attachment", sa.Text(), nullable=True))
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        # "II.3": how the office names a task in a plan with sections (the STT otherwise).
        batch_op.add_column(sa.Column("label", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("section", sa.String(length=32), nullable=True))
    with op.batch_alter_table("status_reports", schema=None) as batch_op:
        batch_op.create_index("ix_status_reports_assignment", ["assignment_id", "created_at"], unique=False)
    _keys_with_due_day()
    with op.batch_alter_table("delivery_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_attempts_reminder", ["reminder_id", "outcome"], unique=False)


def _keys_with_due_day() -> None:
    """Planned reminders are keyed per due day from now on ("a12:20260630:before:3"), so a
    moved deadline gets its reminders again. Existing rows get the day of their occurrence,
    so an upgraded ward does not plan its pending reminders a second time."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT r.id, r.assignment_id, r.kind, r.seq, o.due FROM reminders r "
            "JOIN assignments a ON a.id = r.assignment_id JOIN occurrences o ON o.id = a.occurrence_id "
            "WHERE r.key LIKE 'a%'"
        )
    ).all()
    for rid, aid, kind, seq, due in rows:
        day = due if isinstance(due, str) else due.isoformat()
        key = f"a{aid}:{day.replace('-', '')}:{kind}:{seq}"
        bind.execute(sa.text("UPDATE reminders SET key = :k WHERE id = :i"), {"k": key, "i": rid})


def downgrade() -> None:
    with op.batch_alter_table("delivery_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_attempts_reminder")
    with op.batch_alter_table("status_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_status_reports_assignment")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("section")
        batch_op.drop_column("label")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_column("attachment")
        batch_op.drop_column("buttons")
        batch_op.drop_column("chat_id")
        batch_op.drop_column("channel")
