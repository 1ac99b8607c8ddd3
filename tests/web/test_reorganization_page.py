"""改製 (j40) on the record page: the 改製日 is shown, and a supervisor (not a clerk) reorganises from it."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.context import Actor
from tests.factories import make_household

pytestmark = pytest.mark.req("j40")


def test_the_record_page_shows_the_reorganization_date_and_a_supervisor_reorganizes_from_it(
    db: Any, sign_in: Any, users_a: dict[str, Any], clerk_a: Actor
) -> None:
    head = make_household(db, clerk_a).members[0].atena_number
    clerk = sign_in(users_a["clerk"])
    page = clerk.get(f"/residents/{head}").get_data(as_text=True)
    assert "改製日：改製なし" in page and "この住民票を改製する" not in page
    assert clerk.post(f"/residents/{head}/reorganize", data={"note": ""}).status_code == 403
    supervisor = sign_in(users_a["supervisor"])
    done = supervisor.post(f"/residents/{head}/reorganize", data={"note": ""}, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "住民票を改製しました" in page and "改製日：改製なし" not in page
