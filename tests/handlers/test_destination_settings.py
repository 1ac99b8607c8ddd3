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


@pytest.mark.req("j1170", "j1180")
def test_an_administrator_configures_inquiry_systems_and_platform_units_each_with_its_own_transport(
    db: Database, users_a: dict[str, Any]
) -> None:
    admin = actor_for(users_a["administrator"])
    inquiry = {"name": "inquiry:nhi", "kind": "inquiry", "url": "https://nhi.example.lg.jp/inquiry",
               "new_secret": "s" * SECRET_MIN_LENGTH, "enabled": True}  # fmt: skip
    unit = {"name": "platform:koseki", "kind": "pf_file_sjis", "directory": "/srv/pf/koseki",
            "subscription": "near_realtime_delta", "enabled": True}  # fmt: skip
    with unit_of_work(db, admin) as uow:
        assert save_destination(uow, None, inquiry).kind == "inquiry"
        assert save_destination(uow, None, unit).subscription == "near_realtime_delta"
    refusals = [
        ({**inquiry, "name": "inquiry:rice_ration"}, "name"),  # 米穀の配給: no such system
        ({**inquiry, "name": "inquiry:election", "kind": "pf_file"}, "kind"),
        ({**inquiry, "name": "inquiry:election", "url": ""}, "url"),
        ({**unit, "name": "platform:nhi", "kind": "http_json"}, "kind"),
        ({**unit, "name": "platform:nhi", "directory": "relative/path"}, "directory"),
        ({**unit, "name": "platform:nhi", "subscription": "full"}, "subscription"),
        ({**unit, "name": "cs", "subscription": None, "kind": "pf_file"}, "kind"),
    ]
    for values, field in refusals:
        with pytest.raises(ValidationError) as refused, unit_of_work(db, admin) as uow:
            save_destination(uow, None, values)
        assert field in [p.field for p in refused.value.problems], values
