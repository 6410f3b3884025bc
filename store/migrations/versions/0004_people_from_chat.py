"""people from chat: a head's away-until (deputies receive meanwhile) and unlinking that
keeps the person's history

Revision ID: 0004p
Revises: 0003b
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004p"
down_revision: str | None = "0003b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        # /vang DD/MM/YYYY: the last local day a head is away; the unit's deputies receive
        # its reminders until then. NULL when present.
        batch_op.add_column(sa.Column("away_until", sa.Date(), nullable=True))
        # /huy: the person no longer acts or receives, but the row stays so their reports,
        # deliveries and messages keep naming them.
        batch_op.add_column(sa.Column("unlinked_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("unlinked_at")
        batch_op.drop_column("away_until")
