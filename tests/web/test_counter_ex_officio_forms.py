"""The 届出 procedures' forms with the 職権 choice (届出の準用 j760): entered without a 届出日, refused with a
Japanese message when a 届出日 or the 職権記録書 says otherwise."""

from __future__ import annotations

import pytest
from flask import Flask

import models
from handlers.context import Actor
from handlers.db import Database
from tests import factories
from tests.web.test_counter_forms import pending_proposal
from tests.web.test_counter_pages import case_id_of, signed_in, summary_of


@pytest.mark.req("j760")
def test_a_move_within_is_entered_ex_officio_through_its_form_without_a_notified_date(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    home = factories.make_household(db, clerk_a)
    clerk = signed_in(app, users_a["clerk"])
    form = {
        "atena_numbers": " ".join(m.atena_number for m in home.members), "destination_kind": "keep",
        "change_date": "2025-04-01", "address": "神奈川県横浜市中区山下町2番地", "ex_officio": "y",
    }  # fmt: skip
    refused = clerk.post("/cases/new/move_within", data={**form, "notified_date": "2025-04-02"})
    assert refused.status_code == 422 and "職権記録書" in summary_of(refused)
    assert "届出日を空欄にしてください" in summary_of(refused)
    entered = clerk.post("/cases/new/move_within", data={**form, "ex_officio_record": "実態調査による"})
    proposal = pending_proposal(db, clerk_a, case_id_of(entered))
    assert (proposal["ex_officio"], proposal["notified_date"], proposal["ex_officio_record"]) == (
        True, None, "実態調査による",
    )  # fmt: skip
