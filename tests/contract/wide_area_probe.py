"""The no-leak probe of the 広域交付 print door (j1210), for ``test_no_leak_of_a_protected_person``: the
protected person's home municipality refuses, and the asking counter shows the reason and prints nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

import models
from handlers.db import Database
from tests.contract.world import World

FORM = {"home_code": "141003", "name": "御手洗 桜子", "birth_date": "1988-03-03", "address": "横浜市泉区",
        "relation": "self", "requester_name": "御手洗 桜子", "id_document": "my_number_card"}  # fmt: skip


def _relay_both(world: World, city_a: Any, setup_session: Session) -> models.User:
    b_user = setup_session.get(models.User, world.ids["b_user_id"])
    assert b_user is not None
    for tenant_id in (city_a.id, b_user.tenant_id):
        for name in ("cs", "municipality:*"):
            setup_session.add(models.IntegrationDestination(tenant_id=tenant_id, name=name, kind="relay",
                                                            enabled=True, secret=f"relay-{tenant_id}"))  # fmt: skip
    setup_session.flush()
    return b_user


def probe_wide_area_copy_api(world: World, web: dict[str, FlaskClient], *, db: Database, city_a: Any,
                             setup_session: Session, none_of: Callable[[str, World], list[str]],
                             **_: Any) -> None:  # fmt: skip
    """j1210 through the API: city B's token asks for the protected person's copy and her household's: the
    request reads refused with the reason (JSON), nothing of the household in it, the print refused (409)."""
    from handlers.outbox_dispatch import install_dispatcher
    from worker.tasks import enable_delivery

    _relay_both(world, city_a, setup_session)
    headers = {"Authorization": f"Bearer {world.b_token}"}
    enable_delivery(db)
    try:
        for kind in ("copy_individual", "copy_household"):
            sent = web["clerk"].post("/api/wide-area-requests", json={**FORM, "certificate_type": kind},
                                     headers=headers)  # fmt: skip
            assert sent.status_code == 201, sent.get_json()
            shown = web["clerk"].get(f"/api/wide-area-requests/{sent.get_json()['id']}", headers=headers)
            body = shown.get_json()
            assert body["status"] == "refused" and "支援措置" in body["reason"] and body["persons"] == 0
            assert none_of(shown.get_data(as_text=True), world) == [], kind
            printed = web["clerk"].post(f"/api/wide-area-requests/{body['id']}/print", headers=headers)
            assert printed.status_code == 409 and printed.get_json()["error"] == "conflict", (
                printed.get_json()
            )
            assert none_of(printed.get_data(as_text=True), world) == [], kind
    finally:
        install_dispatcher(db, None)


def probe_wide_area_copy(world: World, web: dict[str, FlaskClient], *, db: Database, city_a: Any,
                         client_as: Any, setup_session: Session, none_of: Callable[[str, World], list[str]],
                         **_: Any) -> None:  # fmt: skip
    """j1210: city B's counter asks city A (the home) for the protected person's copy, and for her household's:
    refused with the reason, nothing of the household shown, nothing printed."""
    from handlers.outbox_dispatch import install_dispatcher
    from worker.tasks import enable_delivery

    b_user = _relay_both(world, city_a, setup_session)
    enable_delivery(db)
    try:
        counter = client_as(b_user)
        for kind in ("copy_individual", "copy_household"):
            form = {**FORM, "certificate_type": kind}
            sent = counter.post("/wide-area/new", data=form)
            assert sent.status_code == 302, kind
            page = counter.get(sent.headers["Location"]).get_data(as_text=True)
            assert "交付不可" in page and "支援措置" in page, "the refusal is explained in Japanese"
            assert none_of(page, world) == [] and "御手洗 蓮" not in page, kind
            printed = counter.post(sent.headers["Location"] + "/print")
            assert printed.mimetype != "application/pdf", kind
    finally:
        install_dispatcher(db, None)
