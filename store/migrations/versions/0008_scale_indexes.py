"""scale: what each ward's last planning was computed from (incremental re-planning)

Revision ID: 0008s
Revises: 0005e
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008s"
down_revision: str | None = "0005e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL until the ward is next planned: the first planning after the upgrade is a full one.
    with op.batch_alter_table("wards") as batch:
        batch.add_column(sa.Column("plan_fingerprint", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("wards") as batch:
        batch.drop_column("plan_fingerprint")
