"""Browser journeys: the real app on a file SQLite database seeded with the demo data, served by werkzeug on
127.0.0.1 in a background thread, driven by Playwright with Debian's /usr/bin/chromium (never `playwright
install`).  Each test gets its own users (so TOTP codes are never reused) and writes a screenshot per step to
test-artifacts/<sqlite|postgresql>/<test name>/NN-step.png."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, make_server

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.demo_data import load_demo
from handlers.uow import unit_of_work
from tests import factories
from tests.workflows import conftest as engine_fixtures

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
VIEWPORT = {"width": 1366, "height": 768}
# one folder per database suite: `make test` runs the SQLite and the PostgreSQL suite at once, and both write
# the same test's screenshots (removing and making one folder raced)
SUITE = "postgresql" if os.environ.get("JUMIN_TEST_DATABASE_URL") else "sqlite"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / SUITE
_USER_SEQ = itertools.count(1)

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian chromium is not installed (make system-deps)", allow_module_level=True)


# The engine-test operators for the flow-modeler journey (its ``step`` is tests/conftest.py's).
operators = engine_fixtures.operators


@dataclass
class Server:
    url: str
    db: Database


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from webui.app import create_app

    path = tmp_path_factory.mktemp("browser") / "jumin.sqlite3"
    db = Database.from_url(f"sqlite:///{path}")
    models.Base.metadata.create_all(db.bind)
    load_demo(db, echo=lambda _line: None)
    app = create_app(
        # real CSRF, no per-address rate limits: every journey signs in several users from 127.0.0.1
        {
            "TESTING": False,
            "SECRET_KEY": "browser-tests",
            "WTF_CSRF_ENABLED": True,
            "RATE_LIMITS_ENABLED": False,
        },
        db=db,
    )
    httpd: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Server(f"http://127.0.0.1:{httpd.server_port}", db)
    httpd.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


def make_counter_user(server: Server, role: str, code: str = "141003") -> str:
    """A fresh user of ``role`` in the city ``code`` (password and TOTP secret of tests.factories)."""
    login_id = f"{role}-{next(_USER_SEQ)}-{int(time.time())}@{code}"
    with unit_of_work(server.db, Actor.system(0, "test"), cross_tenant=True) as uow:
        city = uow.session.scalars(select(models.Municipality).where(models.Municipality.code == code)).one()
        factories.make_user(uow.session, city, login_id=login_id, roles=[role])
    return login_id


class Journey:
    """One signed-in user's browser tab, numbering the screenshots of the test."""

    counter = itertools.count(1)

    def __init__(self, browser: Any, server: Server, folder: Path, login_id: str) -> None:
        self.context = browser.new_context(viewport=VIEWPORT, locale="ja-JP")
        self.page = self.context.new_page()
        self.server, self.folder, self.login_id = server, folder, login_id

    def shot(self, step: str) -> Path:
        path = self.folder / f"{next(Journey.counter):02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def go(self, path: str) -> None:
        self.page.goto(self.server.url + path)

    def sign_in(self) -> None:
        self.go("/login")
        self.page.fill("#login_id", self.login_id)
        self.page.fill("#password", factories.DEFAULT_PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(re.compile(r".*/login/totp"))
        self.page.fill("#code", pyotp.TOTP(factories.TEST_TOTP_SECRET).now())
        self.page.click("button[type=submit]")
        self.page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture
def journey(request: pytest.FixtureRequest, browser: Any, server: Server) -> Iterator[Any]:
    """``journey(role)`` → a signed-in Journey of a fresh user; screenshots go to test-artifacts/<suite>/<test>/."""
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    Journey.counter = itertools.count(1)
    opened: list[Journey] = []

    def start(role: str, *, sign_in: bool = True) -> Journey:
        tab = Journey(browser, server, folder, make_counter_user(server, role))
        if sign_in:
            tab.sign_in()
        opened.append(tab)
        return tab

    yield start
    for tab in opened:
        tab.context.close()


def register_family(server: Server, family_name: str, family_kana: str, code: str = "141003") -> list[str]:
    """A household of three already on the register (through the residents handlers); their 宛名番号."""
    with unit_of_work(server.db, Actor.system(0, "test"), cross_tenant=True) as uow:
        tenant_id = uow.session.scalars(
            select(models.Municipality.id).where(models.Municipality.code == code)
        ).one()
    members = factories.japanese_family()
    for member in members:
        member.update(family_name=family_name, family_name_kana=family_kana, hittosha=f"{family_name} 太郎")
    household = factories.make_household(server.db, Actor.system(tenant_id, "test"), members)
    return [m.atena_number for m in sorted(household.members, key=lambda m: m.household_order)]
