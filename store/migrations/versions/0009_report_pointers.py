"""report pointers: each assignment's latest, completing-run and blocked report

Revision ID: 0009r
Revises: 0008s
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009r"
down_revision: str | None = "0008s"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The pointers as store/progress.py defines them, set from the history already there. Plain
# SQL, frozen with this revision: "done" completes a deadline, "done"/"in_progress" a check-in.
_LATEST = """(SELECT r.id FROM status_reports r WHERE r.assignment_id = assignments.id{extra}
              ORDER BY r.created_at DESC, r.id DESC LIMIT 1)"""
_BREAK_ID = _LATEST.format(
    extra=""" AND CASE WHEN (SELECT o.checkin FROM occurrences o WHERE o.id = assignments.occurrence_id)
              THEN r.status NOT IN ('done', 'in_progress') ELSE r.status NOT IN ('done') END"""
)
_BREAK_AT = f"(SELECT b.created_at FROM status_reports b WHERE b.id = {_BREAK_ID})"
# After the latest break in (created_at, id) order; the lower bound lets the index seek.
_RUN = f"""(SELECT f.id FROM status_reports f WHERE f.assignment_id = assignments.id
           AND f.created_at >= COALESCE({_BREAK_AT}, '1970-01-01 00:00:00')
           AND ({_BREAK_ID} IS NULL OR f.created_at > {_BREAK_AT} OR f.id > {_BREAK_ID})
           ORDER BY f.created_at, f.id LIMIT 1)"""
# The assignment's copy of its latest report, which the city roll-up counts from: record_status
# has kept it all along; set again from the report it mirrors, in case it ever drifted.
_MIRROR = """UPDATE assignments SET
    status = (SELECT r.status FROM status_reports r WHERE r.id = last_report_id),
    review = (SELECT r.review FROM status_reports r WHERE r.id = last_report_id),
    status_at = (SELECT r.created_at FROM status_reports r WHERE r.id = last_report_id)
    WHERE last_report_id IS NOT NULL"""


def upgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("last_report_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("run_report_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("run_report_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("blocked_report_id", sa.Integer(), nullable=True))
    op.execute(
        f"""UPDATE assignments SET
            last_report_id = {_LATEST.format(extra="")},
            blocked_report_id = {_LATEST.format(extra=" AND r.status = 'blocked'")},
            run_report_id = {_RUN}"""
    )
    op.execute(
        "UPDATE assignments SET run_report_at = (SELECT r.created_at FROM status_reports r WHERE r.id = run_report_id)"
    )
    op.execute(_MIRROR)


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): batch mode would copy the table, which other tables'
    # foreign keys forbid.
    for column in ("blocked_report_id", "run_report_at", "run_report_id", "last_report_id"):
        op.execute(f"ALTER TABLE assignments DROP COLUMN {column}")
