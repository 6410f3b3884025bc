"""task identity: tasks.uid (the plan's task id, unique per ward) and wards.plan_confirmed

Revision ID: 0013i
Revises: 0012d
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013i"
down_revision: str | None = "0012d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows written before ids existed keep NULL until the next sync matches them (by content,
    # then by number) and gives them the plan's id (store/task_match.py).
    op.add_column("tasks", sa.Column("uid", sa.String(32)))
    op.create_index("uq_tasks_ward_uid", "tasks", ["ward_id", "uid"], unique=True)
    # The digest of the "same id, different work" changes the office confirmed (check --against
    # --confirm): a reload showing exactly those is applied.
    op.add_column("wards", sa.Column("plan_confirmed", sa.String(64)))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): batch mode would copy the table, which other tables'
    # foreign keys forbid. Numbers parked at -id (a removed task's) stay: the older code
    # reads them as a removed task's row, which it is.
    op.drop_index("uq_tasks_ward_uid", table_name="tasks")
    op.execute("ALTER TABLE tasks DROP COLUMN uid")
    op.execute("ALTER TABLE wards DROP COLUMN plan_confirmed")
