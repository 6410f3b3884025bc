"""desk: one-time login links and sessions of the office's web page

Revision ID: 0012d
Revises: 0009r
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012d"
down_revision: str | None = "0011i"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "desk_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("ward_id", sa.Integer, sa.ForeignKey("wards.id"), nullable=False),
        sa.Column("target", sa.String(200)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("used_at", sa.DateTime),
    )
    op.create_table(
        "desk_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("seen_at", sa.DateTime, nullable=False),
        sa.Column("ended_at", sa.DateTime),
    )

    # The key signing the desk's cookies when NHACVIEC_DESK_SECRET is not set: one row, made by
    # the first worker that needs it, so every worker of a city checks the same signature.
    op.create_table(
        "desk_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(32), nullable=False, unique=True),
        sa.Column("value", sa.String(128), nullable=False),
    )
    # Who answered last (/danhsach, the desk's /nguoi) reads status reports by person: without
    # this index each look-up scanned the whole table (1 million reports: ~0.2 s).
    op.create_index("ix_status_reports_person", "status_reports", ["person_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_status_reports_person", table_name="status_reports")
    op.drop_table("desk_keys")
    op.drop_table("desk_sessions")
    op.drop_table("desk_tokens")
