"""Exit 0 if the PostgreSQL server of the given URL answers; create the test database if it is missing."""

from __future__ import annotations

import sys

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def ensure_database(url: str) -> bool:
    target = make_url(url)
    admin = target.set(database="postgres")
    try:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            ).scalar()
            if not exists:
                conn.execute(
                    text(f"CREATE DATABASE \"{target.database}\" ENCODING 'UTF8' TEMPLATE template0")
                )
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        print(f"PostgreSQL unavailable: {exc}", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    sys.exit(0 if ensure_database(sys.argv[1]) else 1)
