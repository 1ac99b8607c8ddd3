"""方書の登録 (j260, j520): the ``katagaki`` table of each municipality's buildings at their 住所地番, with the
tenant row-level security policy of every tenant-scoped table (0003 covered the tables present then).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from handlers import rls

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_KEY = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "katagaki",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("address_key", SEARCH_KEY, nullable=False),
        sa.Column("address_code", sa.String(length=11), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_kana", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("retired_date", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["municipality.id"], name=op.f("fk_katagaki_tenant_id_municipality")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_katagaki")),
        sa.UniqueConstraint("tenant_id", "address_key", "name", name=op.f("uq_katagaki_tenant_id")),
    )
    rls.enable_row_level_security(op.get_bind(), ["katagaki"])


def downgrade() -> None:
    rls.disable_row_level_security(op.get_bind(), ["katagaki"])
    op.drop_table("katagaki")
