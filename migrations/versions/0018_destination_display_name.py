"""宛名連携 (j1190): a subscriber's display name (宛名連携先「介護保険」), given by the administrator on the destination
settings page; without one the screens name it from its code as before.

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("integration_destination", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("integration_destination", schema=None) as batch_op:
        batch_op.drop_column("display_name")
