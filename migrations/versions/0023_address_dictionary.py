"""住所辞書 (j250): the ``address_entry`` table of each municipality's 大字 and 小字 with their 11-digit 住所コード,
postcode and kana, with the tenant row-level security policy of every tenant-scoped table.

Revision ID: 0023
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from handlers import rls

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_KEY = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "address_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address_code", sa.String(length=11), nullable=False),
        sa.Column("postal_code", sa.String(length=7), nullable=True),
        sa.Column("prefecture", sa.String(length=10), nullable=False),
        sa.Column("prefecture_kana", sa.String(length=20), nullable=False),
        sa.Column("city", sa.String(length=40), nullable=False),
        sa.Column("city_kana", sa.String(length=80), nullable=False),
        sa.Column("ward", sa.String(length=40), nullable=False),
        sa.Column("ward_kana", sa.String(length=80), nullable=False),
        sa.Column("oaza", sa.String(length=100), nullable=False),
        sa.Column("oaza_kana", SEARCH_KEY, nullable=False),
        sa.Column("koaza", sa.String(length=100), nullable=False),
        sa.Column("koaza_kana", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=True),
        sa.Column("retired_date", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["municipality.id"], name=op.f("fk_address_entry_tenant_id_municipality")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address_entry")),
        sa.UniqueConstraint("tenant_id", "address_code", name=op.f("uq_address_entry_tenant_id")),
        sa.UniqueConstraint("tenant_id", "source_key", name="uq_address_entry_tenant_id_source_key"),
    )
    op.create_index("ix_address_entry_oaza_kana", "address_entry", ["tenant_id", "oaza_kana"])
    op.create_index("ix_address_entry_postal_code", "address_entry", ["tenant_id", "postal_code"])
    rls.enable_row_level_security(op.get_bind(), ["address_entry"])


def downgrade() -> None:
    rls.disable_row_level_security(op.get_bind(), ["address_entry"])
    op.drop_index("ix_address_entry_postal_code", table_name="address_entry")
    op.drop_index("ix_address_entry_oaza_kana", table_name="address_entry")
    op.drop_table("address_entry")
