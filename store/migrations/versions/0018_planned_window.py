"""the window a ward was last planned for: the daily advance plans only the new days

Revision ID: 0018v
Revises: 0017s
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018v"
down_revision: str | None = "0017s"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # "first..end" of the ward's last planning (scheduler/planner.py). The fingerprint no
    # longer hashes the window, so a morning whose only change is a later window plans only
    # the days that entered it. NULL (and every fingerprint written before, which hashed the
    # window) means the next planning is a full one. Plain ADD COLUMN, as in 0017s.
    op.add_column("wards", sa.Column("planned_window", sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column("wards", "planned_window")
