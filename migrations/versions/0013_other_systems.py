"""Other business systems (j1170, j1180): ``other_system_registration`` keeps the latest registration each
other system gave of a person (他業務照会, or received from a regional-platform unit) with when it came;
``platform_file_receipt`` records every file taken from a platform unit's drop folder, so none is applied
twice.  Both tenant-scoped, with row-level security on PostgreSQL like every such table (0003).

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

from handlers import rls

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ["other_system_registration", "platform_file_receipt"]


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")


def _tenant(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["municipality.id"], name=f"fk_{table}_tenant_id_municipality"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def upgrade() -> None:
    op.create_table(
        "other_system_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("atena_number", sa.String(length=10), nullable=False),
        sa.Column("system", sa.String(length=24), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=12), nullable=True),
        sa.Column("registered", sa.Boolean(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("items", _json(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        *_tenant("other_system_registration"),
        sa.UniqueConstraint(
            "tenant_id", "atena_number", "system", name="uq_other_system_registration_tenant_id"
        ),
    )
    op.create_table(
        "platform_file_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=24), nullable=False),
        sa.Column("message_key", sa.String(length=100), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("errors", _json(), nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        *_tenant("platform_file_receipt"),
        sa.UniqueConstraint("tenant_id", "unit", "message_key", name="uq_platform_file_receipt_tenant_id"),
    )
    rls.enable_row_level_security(op.get_bind(), TABLES)


def downgrade() -> None:
    rls.disable_row_level_security(op.get_bind(), TABLES)
    op.drop_table("platform_file_receipt")
    op.drop_table("other_system_registration")
