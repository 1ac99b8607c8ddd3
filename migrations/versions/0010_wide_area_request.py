"""広域交付 requests and their answers (j1210), with the tenant policy on PostgreSQL.

Revision ID: 0010
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from handlers import rls

revision: str = "0010"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ["wide_area_request"]


def _json(name: str) -> sa.Column[sa.JSON]:
    return sa.Column(name, sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "wide_area_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_number", sa.String(length=20), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=60), nullable=False),
        sa.Column("home_code", sa.String(length=6), nullable=False),
        sa.Column("certificate_type", sa.String(length=40), nullable=False),
        _json("person"),
        _json("requester"),
        _json("options"),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        _json("answer"),
        _json("issue_numbers"),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["municipality.id"], name=op.f("fk_wide_area_request_tenant_id_municipality")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wide_area_request")),
        sa.UniqueConstraint("tenant_id", "request_number", name=op.f("uq_wide_area_request_tenant_id")),
    )
    rls.enable_row_level_security(op.get_bind(), TABLES)


def downgrade() -> None:
    rls.disable_row_level_security(op.get_bind(), TABLES)
    op.drop_table("wide_area_request")
