"""PostgreSQL row-level security: the database's own tenant wall, behind ``handlers.tenancy`` (the first wall).

Every tenant-scoped table gets one policy, ``tenant_isolation``: a row is visible and writable only when its
``tenant_id`` equals the transaction's ``app.tenant_id`` setting, or when the transaction says
``app.cross_tenant = 'on'`` (system batches opened with ``cross_tenant=True``).  Both settings are set with
``set_config(..., true)`` (SET LOCAL) at the start of every transaction a session begins, so a pooled
connection never carries one request's tenant into the next.

Owners and superusers bypass row-level security: the application must connect as a role that does not own
the tables (``jumin db create-app-role``); migrations keep running as the owner.  SQLite has no row-level
security; there the first wall stands alone.  The same DDL serves the Alembic migration (0003) and the test
suite (applied after ``create_all``).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, Engine, event, inspect, text
from sqlalchemy.orm import Session, SessionTransaction

from models.base import TenantScoped

TENANT_SETTING = "app.tenant_id"
CROSS_TENANT_SETTING = "app.cross_tenant"
POLICY_NAME = "tenant_isolation"
DEFAULT_APP_ROLE = "jumin_app"

# An unset custom setting reads NULL; one that was SET LOCAL earlier in the session reads '' afterwards.
POLICY_PREDICATE = (
    f"(tenant_id = NULLIF(current_setting('{TENANT_SETTING}', true), '')::bigint"
    f" OR current_setting('{CROSS_TENANT_SETTING}', true) = 'on')"
)
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def tenant_scoped_tables() -> list[str]:
    """Names of the tables whose models are ``TenantScoped`` (the current models)."""
    from models import Base

    return sorted(
        {m.local_table.name for m in Base.registry.mappers if issubclass(m.class_, TenantScoped)}  # type: ignore[attr-defined]
    )


def policy_statements(table: str) -> list[str]:
    _check_identifier(table)
    quoted = f'"{table}"'  # "case" is a reserved word
    return [
        f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY_NAME} ON {quoted}",
        f"CREATE POLICY {POLICY_NAME} ON {quoted} USING {POLICY_PREDICATE} WITH CHECK {POLICY_PREDICATE}",
    ]


def _present(conn: Connection, tables: list[str] | None) -> list[str]:
    existing = set(inspect(conn).get_table_names())
    return [t for t in (tables if tables is not None else tenant_scoped_tables()) if t in existing]


def enable_row_level_security(conn: Connection, tables: list[str] | None = None) -> list[str]:
    """Enable RLS with the tenant policy on ``tables`` (default: every tenant-scoped table present).
    A no-op on other databases than PostgreSQL.  Returns the tables it covered."""
    if conn.dialect.name != "postgresql":
        return []
    covered = _present(conn, tables)
    for table in covered:
        for statement in policy_statements(table):
            conn.execute(text(statement))
    return covered


def disable_row_level_security(conn: Connection, tables: list[str] | None = None) -> None:
    if conn.dialect.name != "postgresql":
        return
    for table in _present(conn, tables):
        conn.execute(text(f'DROP POLICY IF EXISTS {POLICY_NAME} ON "{table}"'))
        conn.execute(text(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY'))


def apply_to_engine(engine: Engine) -> list[str]:
    with engine.begin() as conn:
        return enable_row_level_security(conn)


_SET_SCOPE = text("SELECT set_config(:tk, :t, true), set_config(:ck, :c, true)")  # built once


def scope_transaction(conn: Connection, tenant_id: int | None, *, cross_tenant: bool) -> None:
    """SET LOCAL the tenant settings for the transaction ``conn`` is in (PostgreSQL only)."""
    if conn.dialect.name != "postgresql":
        return
    from handlers.row_writes import run_prebuilt_on  # noqa: PLC0415 - row_writes imports tenancy, which imports rls

    run_prebuilt_on(
        conn,
        _SET_SCOPE,
        {
            "tk": TENANT_SETTING,
            "t": "" if tenant_id is None else str(tenant_id),
            "ck": CROSS_TENANT_SETTING,
            "c": "on" if cross_tenant else "off",
        },
    )  # by the driver's cursor: once per transaction, every request


def _session_scope(session: Session) -> tuple[int | None, bool]:
    from handlers.tenancy import CROSS_TENANT_KEY, TENANT_KEY

    return session.info.get(TENANT_KEY), bool(session.info.get(CROSS_TENANT_KEY))


SCOPED_KEY = "rls_scoped_as"


@event.listens_for(Session, "after_begin")
def _scope_new_transaction(session: Session, transaction: SessionTransaction, conn: Connection) -> None:
    """Scope each transaction the session begins.  A SAVEPOINT inherits the settings of its transaction, so
    it is scoped again only when the session's tenant changed inside an earlier SAVEPOINT (whose rollback
    would have undone that change in the database)."""
    scope = _session_scope(session)
    if transaction.nested and session.info.get(SCOPED_KEY) == scope:
        return
    scope_transaction(conn, scope[0], cross_tenant=scope[1])
    if not transaction.nested:
        session.info[SCOPED_KEY] = scope


def rescope_session(session: Session) -> None:
    """The session's tenant changed inside an open transaction: tell the database at once."""
    if not session.in_transaction():
        return  # the next transaction's after_begin sets it
    tenant_id, cross_tenant = _session_scope(session)
    scope_transaction(session.connection(), tenant_id, cross_tenant=cross_tenant)
    if session.in_nested_transaction():
        session.info.pop(SCOPED_KEY, None)  # a rollback of the SAVEPOINT would undo it: re-scope each one
    else:
        session.info[SCOPED_KEY] = (tenant_id, cross_tenant)


def app_role_statements(role: str, password: str | None, database: str) -> list[str]:
    """DDL that creates (or updates) the application's login role with DML rights only."""
    _check_identifier(role)
    _check_identifier(database)
    login = "LOGIN" if password is None else "LOGIN PASSWORD '" + password.replace("'", "''") + "'"
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
        f"THEN CREATE ROLE {role}; END IF; END $$",
        f"ALTER ROLE {role} WITH {login} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS",
        f"GRANT CONNECT ON DATABASE {database} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]


def create_app_role(conn: Connection, role: str = DEFAULT_APP_ROLE, password: str | None = None) -> None:
    database = str(conn.execute(text("SELECT current_database()")).scalar_one())
    for statement in app_role_statements(role, password, database):
        conn.execute(text(statement))


def _check_identifier(name: str) -> None:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")


def row_level_security_state(conn: Connection) -> dict[str, Any]:
    """Which tenant-scoped tables have RLS enabled and the policy in place (for checks and tests)."""
    rows = conn.execute(
        text(
            "SELECT c.relname, c.relrowsecurity, EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid "
            "AND p.polname = :p) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
        ),
        {"p": POLICY_NAME},
    ).all()
    return {name: bool(enabled and has_policy) for name, enabled, has_policy in rows}
