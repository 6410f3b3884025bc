"""channel polls: whether each running poller still reads updates, for `nhacviec status`

Revision ID: 0015p
Revises: 0014u
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015p"
down_revision: str | None = "0014u"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One row per channel and worker, written by the running bot's health loop: `nhacviec
    # status` (another process) sees a channel whose polling stopped (issue 25: one 401 ended
    # Telegram polling for good and status still said ok).
    op.create_table(
        "channel_polls",
        sa.Column("channel", sa.String(length=16), primary_key=True),
        sa.Column("worker", sa.String(length=200), primary_key=True),
        sa.Column("last_ok_at", sa.DateTime(), nullable=True),
        sa.Column("failing_since", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("channel_polls")
