"""Row-level security on every tenant-scoped table (PostgreSQL): rows visible only to the transaction's tenant

The policy reads ``app.tenant_id`` (and ``app.cross_tenant`` for system batches), which the unit of work sets
per transaction with ``set_config(..., true)``.  Owners and superusers bypass it: the application connects as a
non-owner role (``jumin db create-app-role``).  Nothing happens on SQLite.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

from handlers import rls

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    rls.enable_row_level_security(op.get_bind())


def downgrade() -> None:
    rls.disable_row_level_security(op.get_bind())
