"""住基ネット CS requests about one person (j1130 個人番号の生成要求・変更要求, j1160 電子証明書のシリアル番号),
with the tenant policy on PostgreSQL.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from handlers import rls

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ["cs_person_request"]


def upgrade() -> None:
    op.create_table(
        "cs_person_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("atena_number", sa.String(length=10), nullable=False),
        sa.Column("resident_code", sa.String(length=11), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("outbox_key", sa.String(length=100), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=60), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(length=12), nullable=True),
        sa.Column("serial_number", sa.String(length=40), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["municipality.id"], name=op.f("fk_cs_person_request_tenant_id_municipality")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cs_person_request")),
        sa.UniqueConstraint("tenant_id", "outbox_key", name=op.f("uq_cs_person_request_tenant_id")),
    )
    with op.batch_alter_table("cs_person_request", schema=None) as batch_op:
        batch_op.create_index("ix_cs_person_request_tenant_atena", ["tenant_id", "atena_number"], unique=False)
    rls.enable_row_level_security(op.get_bind(), TABLES)


def downgrade() -> None:
    rls.disable_row_level_security(op.get_bind(), TABLES)
    with op.batch_alter_table("cs_person_request", schema=None) as batch_op:
        batch_op.drop_index("ix_cs_person_request_tenant_atena")
    op.drop_table("cs_person_request")
