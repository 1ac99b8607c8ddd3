"""フリガナ確認フラグ of the 旧氏 and of the 通称 (j180, j10, j20): whether the person confirmed each フリガナ, as the
氏名's ``name_kana_confirmed`` already says for the name.  Existing rows start unconfirmed (the database
default; the application always writes the value).

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("former_surname_kana_confirmed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("alias_kana_confirmed", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_column("alias_kana_confirmed")
        batch_op.drop_column("former_surname_kana_confirmed")
