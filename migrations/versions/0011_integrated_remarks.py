"""統合記載欄 (j140): the 留意事項 of a history row kept apart from its internal note, with the items it
concerns; 備考 kept as a list of edits; the 留意事項 registered in advance per 異動事由.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from handlers import rls

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ["resident_remark", "caution_template"]


def _created_at() -> sa.Column[sa.DateTime]:
    return sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        server_default=sa.text("(CURRENT_TIMESTAMP)"),
        nullable=False,
    )


def _tenant(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id"], ["municipality.id"], name=f"fk_{table}_tenant_id_municipality")


def upgrade() -> None:
    with op.batch_alter_table("resident_history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("caution", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("caution_items", sa.String(length=400), nullable=True))
    op.create_table(
        "resident_remark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("atena_number", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("written_by", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        _created_at(),
        _tenant("resident_remark"),
        sa.ForeignKeyConstraint(
            ["written_by"], ["app_user.id"], name=op.f("fk_resident_remark_written_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_remark")),
    )
    op.create_index("ix_resident_remark_atena", "resident_remark", ["tenant_id", "atena_number", "id"])
    op.create_table(
        "caution_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_reason", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("items", sa.String(length=400), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        _created_at(),
        _tenant("caution_template"),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["app_user.id"], name=op.f("fk_caution_template_updated_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caution_template")),
        sa.UniqueConstraint("tenant_id", "change_reason", name=op.f("uq_caution_template_tenant_id")),
    )
    rls.enable_row_level_security(op.get_bind(), TABLES)


def downgrade() -> None:
    rls.disable_row_level_security(op.get_bind(), TABLES)
    op.drop_table("caution_template")
    op.drop_index("ix_resident_remark_atena", table_name="resident_remark")
    op.drop_table("resident_remark")
    with op.batch_alter_table("resident_history", schema=None) as batch_op:
        batch_op.drop_column("caution_items")
        batch_op.drop_column("caution")
