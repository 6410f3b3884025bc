"""the wrong code each link failure named (link_failures.code), so one chat's guesses are
counted per distinct code and the brake for everyone counts distinct chats

Revision ID: 0016f
Revises: 0015p
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016f"
down_revision: str | None = "0015p"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("link_failures", schema=None) as batch_op:
        # NULL for failures recorded before this column: each counts as its own code.
        batch_op.add_column(sa.Column("code", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("link_failures", schema=None) as batch_op:
        batch_op.drop_column("code")
