"""The register of input places and terminals (入力場所・入力端末, j230), with the tenant policy on PostgreSQL.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from handlers import rls

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ["input_place", "input_terminal"]


def _created_at() -> sa.Column[sa.DateTime]:
    return sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        server_default=sa.text("(CURRENT_TIMESTAMP)"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "input_place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ward_code", sa.String(length=6), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["municipality.id"], name=op.f("fk_input_place_tenant_id_municipality")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_input_place")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_input_place_tenant_id")),
    )
    op.create_table(
        "input_terminal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["place_id"], ["input_place.id"], name=op.f("fk_input_terminal_place_id_input_place")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["municipality.id"], name=op.f("fk_input_terminal_tenant_id_municipality")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_input_terminal")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_input_terminal_tenant_id")),
    )
    with op.batch_alter_table("input_terminal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_input_terminal_place_id"), ["place_id"], unique=False)
    rls.enable_row_level_security(op.get_bind(), TABLES)


def downgrade() -> None:
    rls.disable_row_level_security(op.get_bind(), TABLES)
    with op.batch_alter_table("input_terminal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_input_terminal_place_id"))
    op.drop_table("input_terminal")
    op.drop_table("input_place")
