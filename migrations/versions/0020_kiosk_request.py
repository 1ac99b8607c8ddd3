"""コンビニ交付 (j1210): the requests of the 証明書交付センター, kept under their request id (idempotent retries),
with the tenant policy on PostgreSQL.

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from handlers import rls

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ["kiosk_request"]


def _json() -> sa.JSON:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")  # type: ignore[return-value]


def upgrade() -> None:
    op.create_table(
        "kiosk_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_by", sa.String(length=60), nullable=False),
        sa.Column("resident_code", sa.String(length=11), nullable=False),
        sa.Column("card_serial", sa.String(length=40), nullable=False),
        sa.Column("atena_number", sa.String(length=10), nullable=True),
        sa.Column("terminal_code", sa.String(length=40), nullable=False),
        sa.Column("terminal_name", sa.String(length=60), nullable=False),
        sa.Column("document", sa.String(length=30), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("answer", _json(), nullable=False),
        sa.Column("issue_numbers", _json(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["municipality.id"], name=op.f("fk_kiosk_request_tenant_id_municipality")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk_request")),
        sa.UniqueConstraint("tenant_id", "request_id", name=op.f("uq_kiosk_request_tenant_id")),
    )
    rls.enable_row_level_security(op.get_bind(), TABLES)


def downgrade() -> None:
    rls.disable_row_level_security(op.get_bind(), TABLES)
    op.drop_table("kiosk_request")
