"""psycopg keeps the conversion of our largest hot statements (the 本登録 INSERTs of persons and history rows)
instead of parsing them again at every execution."""

from __future__ import annotations

import pytest
from psycopg import _queries
from psycopg.adapt import Transformer
from sqlalchemy import insert
from sqlalchemy.dialects import postgresql

from handlers.db import make_engine
from models.resident import Resident


def _resident_insert(rows: int) -> tuple[bytes, dict[str, None]]:
    """The INSERT of ``rows`` persons as psycopg receives it (pyformat), with its parameters."""
    columns = [c.key for c in Resident.__table__.columns if c.key != "id"]
    values = [{key: None for key in columns} for _ in range(rows)]
    compiled = insert(Resident).values(values).compile(dialect=postgresql.psycopg.dialect())
    params = {key: None for key in compiled.params}
    return str(compiled).encode(), params


def test_a_familys_person_insert_is_converted_once_on_a_postgresql_engine() -> None:
    make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # no connection is made
    query, params = _resident_insert(10)
    assert len(params) > 800 and len(query) > 4096  # above psycopg's own limits (50 parameters, 4 kB)

    _queries._query2pg.cache_clear()
    for _ in range(3):
        _queries.PostgresQuery(Transformer()).convert(query, params)
    info = _queries._query2pg.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_a_sqlite_engine_leaves_psycopg_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", 50)
    make_engine("sqlite:///:memory:")
    assert _queries.MAX_CACHED_STATEMENT_PARAMS == 50
