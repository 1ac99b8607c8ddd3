"""Every intake form of the counter in headless chromium: it renders with no script error in the console, and a
blank submit comes back with the error summary (focused, each item linking to its field) and writes nothing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from handlers.context import Actor
from handlers.uow import unit_of_work
from models.case import Case
from tests.browser.conftest import ARTIFACTS, Journey, Server, make_counter_user
from webui.counter.intake_forms import COUNTER_ORDER

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.req("j390", "j1440")]


class WatchedJourney(Journey):
    """A tab that keeps the page's script errors and console errors."""

    def __init__(self, browser: Any, server: Server, folder: Path, login_id: str) -> None:
        super().__init__(browser, server, folder, login_id)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda err: self.errors.append(f"pageerror: {err}"))
        self.page.on(
            "console", lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None
        )


@pytest.fixture(scope="module")
def clerk(browser: Any, server: Server) -> Iterator[WatchedJourney]:
    """One signed-in clerk for the whole module (26 sign-ins would cost more than the forms)."""
    folder = ARTIFACTS / "test_every_intake_form"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    tab = WatchedJourney(browser, server, folder, make_counter_user(server, "clerk"))
    tab.sign_in()
    yield tab
    tab.context.close()


def cases_in(server: Server) -> int:
    with unit_of_work(server.db, Actor.system(0, "test"), cross_tenant=True) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Case)) or 0)


@pytest.mark.parametrize("code", COUNTER_ORDER)
def test_the_intake_form_renders_cleanly_and_a_blank_submit_gives_the_error_summary(
    clerk: WatchedJourney, server: Server, code: str
) -> None:
    errors = clerk.errors
    errors.clear()
    clerk.go(f"/cases/new/{code}")
    clerk.page.wait_for_load_state("networkidle")
    assert clerk.page.locator("h1").inner_text().endswith("の入力")
    assert errors == [], errors
    clerk.shot(f"{code}-form")
    before = cases_in(server)
    clerk.page.get_by_role("button", name="入力内容を確定（仮登録）").click()
    clerk.page.wait_for_load_state("load")
    clerk.shot(f"{code}-blank")
    summary = clerk.page.locator("#error-summary")
    assert summary.is_visible() and "入力内容に誤りがあります" in summary.inner_text()
    assert clerk.page.evaluate("document.activeElement.id") == "error-summary"
    for link in summary.locator("a").all():  # each item leads to a field of the page
        target = (link.get_attribute("href") or "").removeprefix("#")
        assert clerk.page.locator(f"[id='{target}']").count() == 1, (code, target)
    # the page itself answers 422 (the browser reports that status); nothing else may go wrong
    assert [e for e in errors if "status of 422" not in e] == []
    assert cases_in(server) == before
