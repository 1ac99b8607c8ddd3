"""電子証明書シリアル番号 (j10, j20): the serial numbers of the 署名用 and 利用者証明用電子証明書 on a person's 個人番号カード,
kept as items of the person (CS's answer to a シリアル番号取得 request, j1160, fills the 利用者証明用 one).

Revision ID: 0021
Revises: 0020
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signing_certificate_serial", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("user_certificate_serial", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_column("user_certificate_serial")
        batch_op.drop_column("signing_certificate_serial")
