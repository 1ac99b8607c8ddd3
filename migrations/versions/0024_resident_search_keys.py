"""基本検索 (j340): ``resident_search_key``, the folded keys of each person that ``resident`` has no column for —
the 旧氏, the フリガナ of 旧氏 and 通称, and the names and addresses the person had before (from the history) —
looked up by (tenant, kind, key); filled here for the registers already loaded.  An index of 住所コード for the
search by 住所コード.  The tenant policy on PostgreSQL.

Revision ID: 0024
Revises: 0023
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from handlers import rls
from handlers.residents.search_key_rows import fill_search_keys

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_KEY = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")
TABLE = "resident_search_key"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("atena_number", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("key", SEARCH_KEY, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["municipality.id"], name=op.f("fk_resident_search_key_tenant_id_municipality")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_search_key")),
    )
    op.create_index("ix_resident_search_key_lookup", TABLE, ["tenant_id", "kind", "key", "atena_number"])
    op.create_index("ix_resident_search_key_person", TABLE, ["tenant_id", "atena_number"])
    op.create_index("ix_household_tenant_address_code", "household", ["tenant_id", "address_code"])
    rls.enable_row_level_security(op.get_bind(), [TABLE])
    fill_search_keys(op.get_bind())


def downgrade() -> None:
    rls.disable_row_level_security(op.get_bind(), [TABLE])
    op.drop_index("ix_household_tenant_address_code", table_name="household")
    op.drop_table(TABLE)
