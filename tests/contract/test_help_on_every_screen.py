"""j1400 ヘルプ機能: every screen the app serves (each GET door of the registry, opened by a user holding every
role, or by anybody for the public pages) carries the header's help link, and the link opens the manual's
section for that screen."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

import models
from tests import factories
from tests.contract.doors import ROUTES
from tests.contract.test_tenant_isolation import call
from tests.contract.world import ALL_ROLES, World
from webui.help.manual import load_chapter
from webui.help.topics import SCREEN_HELP

pytestmark = pytest.mark.req("j1400")


def test_every_screen_links_to_the_manual_section_that_explains_it(
    app: Flask, world: World, client_as: Any, setup_session: Session, city_a: models.Municipality
) -> None:
    everyone = factories.make_user(setup_session, city_a, login_id="help.everyone", roles=list(ALL_ROLES))
    setup_session.flush()
    checked = []
    for endpoint, door in sorted(ROUTES.items()):
        if door.method != "GET" or door.caller == "api":
            continue
        # a new client for each door (a sign-in page ends the session); the public pages as anybody
        client = app.test_client() if door.caller == "anonymous" else client_as(everyone)
        response = call(client, door, world)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        chapter, anchor = SCREEN_HELP[endpoint]
        body = response.get_data(as_text=True)
        assert f'class="help-link" href="/help/{chapter}#{anchor}"' in body, endpoint
        found = load_chapter(chapter)
        assert found is not None and anchor in found.anchors, endpoint
        checked.append(endpoint)
    main_screens = {
        "residents.search", "residents.show", "counter.case", "counter.tasks",
        "certificates.history", "support_measures.new", "user_admin.index", "batches.index", "auth.login",
        "audit_log.index", "statistics.index", "help.chapter",
    }  # fmt: skip
    assert main_screens <= set(checked), sorted(main_screens - set(checked))
    form = client_as(everyone).get("/certificates/issue").get_data(as_text=True)  # its door is the POST
    assert 'class="help-link" href="/help/certificates#issue"' in form
