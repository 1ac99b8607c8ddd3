"""Engine and session factory for the configured database (SQLite embedded, PostgreSQL in production)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, emit BEGIN, so that transactions and SAVEPOINTs behave (SQLAlchemy docs).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front, so two writers wait (busy_timeout) instead of failing with
    # SQLITE_BUSY when a read transaction later upgrades to a write.  Readers still run alongside (WAL).
    conn.exec_driver_sql("BEGIN IMMEDIATE")


# psycopg turns a query's %(name)s placeholders into $n once per distinct query text and keeps the result
# (an LRU of 128 queries), but only for queries of at most 50 parameters and 4 kB: anything larger is parsed
# again at every execution.  Our largest hot statements are above that and identical every time: the 本登録
# INSERT of a family's persons (89 parameters a person: 267 for three, 12 kB) and of their history rows (21
# a row).  Queries up to these limits are kept (at most 128 × 64 kB per process).
CACHED_QUERY_PARAMS = 2_000
CACHED_QUERY_BYTES = 65_536


def _cache_long_queries() -> None:
    """Raise psycopg's limits on the queries whose conversion it keeps (module settings of
    ``psycopg._queries``, read at every execution; a test checks they still exist and apply)."""
    from psycopg import _queries  # noqa: PLC0415 - only for PostgreSQL engines

    _queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS, CACHED_QUERY_PARAMS)
    _queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH, CACHED_QUERY_BYTES)


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    if engine.dialect.driver == "psycopg":
        _cache_long_queries()
    return engine


class Database:
    """One engine and its session factory.  Doors get sessions only through ``handlers.uow``."""

    def __init__(self, bind: Any, **session_kwargs: Any) -> None:
        self.bind = bind
        self.sessionmaker: sessionmaker[Session] = sessionmaker(
            bind=bind, expire_on_commit=False, **session_kwargs
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url, pool_pre_ping=True))

    @property
    def dialect(self) -> str:
        return str(self.bind.dialect.name)
