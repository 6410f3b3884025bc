"""planning lease: which worker plans a ward, and until when; the plan file's digest

Revision ID: 0017s
Revises: 0016f
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017s"
down_revision: str | None = "0016f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # N workers on one database share the wards' planning instead of each planning every
    # ward: a worker takes a ward's lease before planning it and skips a ward another holds
    # (store.wards.take_planning_lease); a dead worker's lease lapses at planning_until.
    # Plain ADD COLUMN (no table copy: other tables' foreign keys point at wards).
    op.add_column("wards", sa.Column("planning_owner", sa.String(length=200), nullable=True))
    op.add_column("wards", sa.Column("planning_until", sa.DateTime(), nullable=True))
    # The SHA-256 of the plan file last served for the ward: a start finds a ward by its
    # file's bytes and reads the plan itself when first needed (bot/app/service.py).
    op.add_column("wards", sa.Column("plan_sha", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("wards", "plan_sha")
    op.drop_column("wards", "planning_until")
    op.drop_column("wards", "planning_owner")
