"""Access log (j1370): append-only rows, hash-chained per tenant.

The database refuses UPDATE and DELETE of ``access_log`` (and TRUNCATE on PostgreSQL) with triggers, a
second wall beside the hash chain.  ``APPEND_ONLY_DDL`` is installed by ``create_all``; the Alembic
migration must run the same statements (``op.execute``) for its dialect.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DDL, BigInteger, Boolean, DateTime, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, TenantScoped


class AccessLog(TenantScoped, Base):
    __tablename__ = "access_log"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "seq"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)  # position in the tenant's chain, from 1
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    login_id: Mapped[str | None] = mapped_column(String(60))
    client_address: Mapped[str | None] = mapped_column(String(64))
    terminal: Mapped[str | None] = mapped_column(String(60))
    function: Mapped[str] = mapped_column(String(60), index=True)  # e.g. resident_searched
    action: Mapped[str] = mapped_column(
        String(20)
    )  # search / view / change / print / export / auth / setting
    targets: Mapped[list[Any]] = mapped_column(default=list)  # 宛名番号 of the persons concerned
    my_number_shown: Mapped[bool] = mapped_column(Boolean, default=False)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AccessLogHead(Base):
    """The last link of each tenant's chain; locked while a row is appended."""

    __tablename__ = "access_log_head"

    tenant_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


# Statements per dialect, kept as plain strings so the Alembic migration can run them too.  No "%" in them:
# DDL() treats it as a format character.
APPEND_ONLY_DDL: dict[str, tuple[str, ...]] = {
    "postgresql": (
        """CREATE OR REPLACE FUNCTION access_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'access_log is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END
$$""",
        "CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log "
        "FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change()",
        "CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change()",
    ),
    "sqlite": (
        "CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log "
        "BEGIN SELECT RAISE(ABORT, 'access_log is append-only: UPDATE refused'); END",
        "CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log "
        "BEGIN SELECT RAISE(ABORT, 'access_log is append-only: DELETE refused'); END",
    ),
}

for _dialect, _statements in APPEND_ONLY_DDL.items():
    for _statement in _statements:
        event.listen(AccessLog.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
