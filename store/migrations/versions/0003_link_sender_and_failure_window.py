"""who linked a chat (sender_id); indexes for the global wrong-code window and for the
daily notice of reminders nobody could receive

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_identities", schema=None) as batch_op:
        # The platform user who redeemed the code. A message in the chat from anyone else is
        # a stranger's. NULL for chats linked before this column (and for the console): the
        # first message from a private chat records its sender.
        batch_op.add_column(sa.Column("sender_id", sa.String(length=64), nullable=True))
    with op.batch_alter_table("link_failures", schema=None) as batch_op:
        # Wrong codes are counted (and pruned) across all chats by time.
        batch_op.create_index("ix_link_failures_at", ["at"], unique=False)
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        # The day's rows skipped because nobody could receive them, gathered for the office.
        batch_op.create_index("ix_reminders_finished", ["ward_id", "state", "finished_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_finished")
    with op.batch_alter_table("link_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_link_failures_at")
    with op.batch_alter_table("chat_identities", schema=None) as batch_op:
        batch_op.drop_column("sender_id")
