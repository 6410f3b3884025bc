"""send_pace: one sending pace per bot token, shared by every worker

Revision ID: 0003b
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003b"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One row per bot ("telegram:<hash of the token>", never the token) holding the next free
    # slot on its sending grid, and one per chat ("<bot key>/chat/<chat id>") for the ~1 msg/s
    # per chat. Only PostgreSQL uses it: SQLite means one process, paced in memory.
    op.create_table(
        "send_pace",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("next_slot", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("send_pace")
