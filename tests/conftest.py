"""Fixtures: a database (SQLite by default, PostgreSQL with JUMIN_TEST_DATABASE_URL), a transaction rolled
back per test, two municipalities, users per role, the Flask app and client."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

import models
from handlers import rls
from handlers.clock import JST
from handlers.context import Actor
from handlers.db import Database, make_engine
from handlers.tenancy import bind_session
from handlers.uow import unit_of_work
from tests import factories

# Many test modules take Japan's date once, at import, for their tables of cases; the handlers take it at each
# call.  A whole suite must therefore not run across midnight in Japan (15:00 UTC): the whole suite (`make test`,
# plain `pytest`) or any CI run that would start this close before it waits until the date has turned; a developer's
# run of chosen tests never waits.
SUITE_WINDOW = dt.timedelta(minutes=25)


def pytest_sessionstart(session: pytest.Session) -> None:
    if session.config.invocation_params.args and not os.environ.get("CI"):
        return
    now = dt.datetime.now(JST)
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), JST)
    if midnight - now < SUITE_WINDOW:
        wait = (midnight - now).total_seconds() + 5
        print(f"waiting {wait:.0f} s for midnight in Japan before collecting the suite", flush=True)
        time.sleep(wait)


def _test_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("JUMIN_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _test_url(tmp_path_factory)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    if eng.dialect.name == "postgresql":
        with eng.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    models.Base.metadata.create_all(eng)
    if eng.dialect.name == "postgresql":
        rls.apply_to_engine(
            eng
        )  # the same policies as migration 0003 (the suite connects as owner: bypassed)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    trans = conn.begin()
    yield conn
    trans.rollback()
    conn.close()


@pytest.fixture
def db(connection: Connection) -> Database:
    """Sessions from this Database commit into SAVEPOINTs of the per-test transaction."""
    return Database(connection, join_transaction_mode="create_savepoint")


Step = Callable[..., Any]


@pytest.fixture
def step(db: Database) -> Step:
    """``step(actor, fn, *args, **kw)`` runs ``fn(uow, *args, **kw)`` in a unit of work of its own and commits
    it, as one request or task of ``actor`` would."""

    def run(actor: Actor, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with unit_of_work(db, actor) as uow:
            return fn(uow, *args, **kwargs)

    return run


@pytest.fixture
def setup_session(db: Database) -> Iterator[Session]:
    """A cross-tenant session for arranging fixtures (flushes, never commits)."""
    session = db.sessionmaker()
    bind_session(session, None, cross_tenant=True)
    yield session
    session.close()


@pytest.fixture
def city_a(setup_session: Session) -> models.Municipality:
    return factories.make_municipality(
        setup_session, code="141003", name="横浜市", prefecture="神奈川県", kind="designated_city"
    )


@pytest.fixture
def city_b(setup_session: Session) -> models.Municipality:
    return factories.make_municipality(
        setup_session, code="202118", name="上田市", prefecture="長野県", kind="general"
    )


@pytest.fixture
def users_a(setup_session: Session, city_a: models.Municipality) -> dict[str, models.User]:
    return factories.make_role_users(setup_session, city_a)


@pytest.fixture
def users_b(setup_session: Session, city_b: models.Municipality) -> dict[str, models.User]:
    return factories.make_role_users(setup_session, city_b)


@pytest.fixture
def clerk_a(users_a: dict[str, models.User]) -> Actor:
    return factories.actor_for(users_a["clerk"])


@pytest.fixture
def supervisor_a(users_a: dict[str, models.User]) -> Actor:
    return factories.actor_for(users_a["supervisor"])


@pytest.fixture
def app(db: Database, setup_session: Session) -> Flask:
    setup_session.flush()
    return __import__("webui.app", fromlist=["create_app"]).create_app(
        {"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test"}, db=db
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
