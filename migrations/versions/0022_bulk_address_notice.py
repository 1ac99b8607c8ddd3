"""住所一括変更 (j1340): the notices to the persons concerned, 事前 or 事後, made in the background — one row per
output with its PDF and CSV list, with the tenant policy on PostgreSQL.

Revision ID: 0022
Revises: 0021
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from handlers import rls

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ["bulk_address_notice"]


def _json() -> sa.JSON:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")  # type: ignore[return-value]


def upgrade() -> None:
    op.create_table(
        "bulk_address_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("timing", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("notice_count", sa.Integer(), nullable=True),
        sa.Column("withheld", _json(), nullable=False),
        sa.Column("excluded", _json(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("csv", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["change_id"], ["bulk_address_change.id"], name=op.f("fk_bulk_address_notice_change_id_bulk_address_change")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["app_user.id"], name=op.f("fk_bulk_address_notice_created_by_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["municipality.id"], name=op.f("fk_bulk_address_notice_tenant_id_municipality")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_address_notice")),
    )
    op.create_index("ix_bulk_address_notice_change", "bulk_address_notice", ["tenant_id", "change_id"])
    rls.enable_row_level_security(op.get_bind(), TABLES)


def downgrade() -> None:
    rls.disable_row_level_security(op.get_bind(), TABLES)
    op.drop_index("ix_bulk_address_notice_change", table_name="bulk_address_notice")
    op.drop_table("bulk_address_notice")
