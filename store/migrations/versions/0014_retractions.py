"""retractions: a status report taken back ("sai", "nhầm") is marked, never deleted

Revision ID: 0014u
Revises: 0013i
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014u"
down_revision: str | None = "0013i"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # When the report was taken back, and the message that took it back (its words are kept
    # in inbound_messages like any other). The report stays in the history, marked. Plain
    # ADD COLUMN (no foreign key, as the report pointers of 0009r): batch mode would copy
    # the table, the largest there is.
    op.add_column("status_reports", sa.Column("retracted_at", sa.DateTime(), nullable=True))
    op.add_column("status_reports", sa.Column("retracted_by", sa.Integer(), nullable=True))


def downgrade() -> None:
    for column in ("retracted_by", "retracted_at"):
        op.execute(f"ALTER TABLE status_reports DROP COLUMN {column}")
