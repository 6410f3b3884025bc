"""evidence and the office's review: the product a unit gave, confirmation and return

Revision ID: 0005e
Revises: 0006x
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005e"
down_revision: str | None = "0006x"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL on every existing row: reports made before reviews existed need none.
    op.add_column("assignments", sa.Column("review", sa.String(length=16), nullable=True))
    op.add_column("status_reports", sa.Column("review", sa.String(length=16), nullable=True))
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("status_report_id", sa.Integer(), nullable=True),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("doc_number", sa.String(length=100), nullable=True),
        sa.Column("doc_date", sa.Date(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("file_id", sa.Text(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("mime", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("fetch_state", sa.String(length=16), nullable=True),
        sa.Column("fetch_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ward_id"], ["wards.id"]),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignments.id"]),
        sa.ForeignKeyConstraint(["status_report_id"], ["status_reports.id"]),
        sa.ForeignKeyConstraint(["inbound_id"], ["inbound_messages.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evidence_assignment", "evidence", ["assignment_id", "created_at"])
    op.create_index("ix_evidence_ward_created", "evidence", ["ward_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_evidence_ward_created", table_name="evidence")
    op.drop_index("ix_evidence_assignment", table_name="evidence")
    op.drop_table("evidence")
    op.drop_column("status_reports", "review")
    op.drop_column("assignments", "review")
