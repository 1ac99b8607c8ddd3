"""広域交付 (j1210): the moment by which the home municipality must answer a request; after it, the request is
marked failed (status ``expired``) and a later answer is not used.  受理通知 (j580): the 届出人 entered at
intake, kept on the case's provisional change.

Revision ID: 0017
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.JSON:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")  # type: ignore[return-value]


def upgrade() -> None:
    with op.batch_alter_table("wide_area_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer_due_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("pending_change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notifier", _json(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pending_change", schema=None) as batch_op:
        batch_op.drop_column("notifier")
    with op.batch_alter_table("wide_area_request", schema=None) as batch_op:
        batch_op.drop_column("answer_due_at")
