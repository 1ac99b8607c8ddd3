"""The no-leak probe of the コンビニ交付 door (j1210), for ``test_no_leak_of_a_protected_person``: with kiosk
issuance on, the protected person, the member protected with her and the unprotected grandmother of the same
household are each refused a copy (本人のみ or 世帯全員), and no answer carries the household's address, number
or the grandmother's name; an unrelated resident's copy does issue (the door works).  The household list
(``probe_kiosk_household``) is refused to each of them alike, naming nobody; the stranger's is listed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.api_tokens import issue_token
from handlers.db import Database
from handlers.uow import unit_of_work
from tests import factories
from tests.contract.world import World


def _with_resident_codes(world: World, setup_session: Session) -> dict[str, str]:
    codes = {}
    for name in ("victim", "child", "grandma", "stranger"):
        person = setup_session.scalars(
            select(models.Resident).where(models.Resident.atena_number == world.atena[name])
        ).one()
        person.resident_code = person.resident_code or factories.valid_resident_code()
        codes[name] = person.resident_code
    setup_session.flush()
    return codes


def probe_kiosk(world: World, web: dict[str, FlaskClient], *, db: Database, city_a: Any,
                users_a: dict[str, models.User], setup_session: Session,
                none_of: Callable[[str, World], list[str]], **_: Any) -> None:  # fmt: skip
    city_a.settings = {**(city_a.settings or {}), "kiosk_issuance": True}
    codes = _with_resident_codes(world, setup_session)
    with unit_of_work(db, factories.actor_for(users_a["administrator"])) as uow:
        headers = {"Authorization": f"Bearer {issue_token(uow, name='証明書交付センター', roles=['kiosk'])}"}
    client = web["clerk"]
    for number, (name, scope) in enumerate(
        [("victim", "self"), ("child", "household"), ("grandma", "self"), ("grandma", "household")]
    ):
        body = {"request_id": f"probe-{number}", "person": {"resident_code": codes[name], "card_serial": "AB12"},
                "terminal": {"code": "store-1", "name": "本町店"}, "document": "residence_copy", "scope": scope,
                "options": {"head_relation": True}}  # fmt: skip
        response = client.post("/api/kiosk/certificates", json=body, headers=headers)
        text = response.get_data(as_text=True)
        assert response.status_code == 403 and response.get_json()["reason"] == "not_issuable", (name, scope)
        assert '"pdf"' not in text and none_of(text, world) == [], (name, scope)
    control = {"request_id": "probe-control", "person": {"resident_code": codes["stranger"], "card_serial": "AB12"},
               "terminal": {"code": "store-1", "name": "本町店"}, "document": "residence_copy", "scope": "self"}  # fmt: skip
    assert client.post("/api/kiosk/certificates", json=control, headers=headers).status_code == 201


def probe_kiosk_household(world: World, web: dict[str, FlaskClient], *, db: Database, city_a: Any,
                          users_a: dict[str, models.User], setup_session: Session,
                          none_of: Callable[[str, World], list[str]], **_: Any) -> None:  # fmt: skip
    city_a.settings = {**(city_a.settings or {}), "kiosk_issuance": True}
    codes = _with_resident_codes(world, setup_session)
    with unit_of_work(db, factories.actor_for(users_a["administrator"])) as uow:
        headers = {"Authorization": f"Bearer {issue_token(uow, name='証明書交付センター', roles=['kiosk'])}"}
    client = web["clerk"]
    for number, name in enumerate(["victim", "child", "grandma", "stranger"]):
        body = {"request_id": f"probe-household-{number}", "person": {"resident_code": codes[name],
                "card_serial": "AB12"}, "terminal": {"code": "store-1", "name": "本町店"}}  # fmt: skip
        response = client.post("/api/kiosk/household", json=body, headers=headers)
        text = response.get_data(as_text=True)
        if name == "stranger":  # the control: the door works
            assert response.status_code == 200 and response.get_json()["members"], text
            continue
        assert response.status_code == 403 and response.get_json()["reason"] == "not_issuable", name
        assert '"members"' not in text and none_of(text, world) == [], name
