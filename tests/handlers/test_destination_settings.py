"""Destination settings checked below every door (j1150, j1190): the form and any other entry point share
``destination_problems``."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.db import Database
from handlers.destination_settings import SECRET_MIN_LENGTH, save_destination
from handlers.errors import ValidationError
from handlers.uow import unit_of_work
from tests.factories import actor_for

SUBSCRIBER = {"name": "subscriber:tax", "kind": "http_json", "url": "https://tax.example.lg.jp/jumin",
              "subscription": "realtime_delta", "enabled": True}  # fmt: skip


@pytest.mark.req("j1190")
def test_a_short_hmac_secret_is_refused_by_the_handler_not_only_by_the_form(
    db: Database, users_a: dict[str, Any]
) -> None:
    admin = actor_for(users_a["administrator"])
    with pytest.raises(ValidationError) as refused, unit_of_work(db, admin) as uow:
        save_destination(uow, None, {**SUBSCRIBER, "new_secret": "x" * (SECRET_MIN_LENGTH - 1)})
    assert [(p.field, p.code) for p in refused.value.problems] == [("new_secret", "too_short")]
    with unit_of_work(db, admin) as uow:
        saved = save_destination(uow, None, {**SUBSCRIBER, "new_secret": "x" * SECRET_MIN_LENGTH})
        assert saved.secret == "x" * SECRET_MIN_LENGTH
