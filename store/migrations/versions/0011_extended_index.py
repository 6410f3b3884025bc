"""an index for the approved extensions of a ward (store.extensions.extended_assignments)

Revision ID: 0011i
Revises: 0010k
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011i"
down_revision: str | None = "0010k"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ONLY_EXTENDED = sa.text("extended_due IS NOT NULL")


def upgrade() -> None:
    # Planning asks every ward for its extended assignments; without an index that scanned
    # every assignment of every ward. Few rows have an extension: a partial index stays small.
    op.create_index(
        "ix_assignments_extended",
        "assignments",
        ["unit_id"],
        sqlite_where=_ONLY_EXTENDED,
        postgresql_where=_ONLY_EXTENDED,
    )


def downgrade() -> None:
    op.drop_index("ix_assignments_extended", table_name="assignments")
