"""wards.plan_issued: which plan a ward's identity (ward + plan number) holds

Revision ID: 0007w
Revises: 0004p
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007w"
down_revision: str | None = "0004p"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plan numbers start again every year: "158/KH-UBND" of 2027 is another plan than the one
    # of 2026 under the same ward and number. The issue date tells them apart, so a database
    # holding one is never silently given the other's tasks. NULL: written before this.
    with op.batch_alter_table("wards") as batch:
        batch.add_column(sa.Column("plan_issued", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("wards") as batch:
        batch.drop_column("plan_issued")
