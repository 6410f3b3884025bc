"""backup marks: when each backup was taken, written into the backup itself

Revision ID: 0010k
Revises: 0009r
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010k"
down_revision: str | None = "0009r"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # `nhacviec backup` writes a row into the copy (SQLite) or commits one just before
    # pg_dump's snapshot (PostgreSQL); `nhacviec restore` reads the latest to tell the office
    # from when messages may be missing.
    op.create_table(
        "backup_marks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("code_version", sa.String(length=40), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("backup_marks")
