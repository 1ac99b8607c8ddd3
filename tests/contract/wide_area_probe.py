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


def probe_wide_area_copy(world: World, web: dict[str, FlaskClient], *, db: Database, city_a: Any,
                         client_as: Any, setup_session: Session, none_of: Callable[[str, World], list[str]],
                         **_: Any) -> None:  # fmt: skip
    """j1210: city B's counter asks city A (the home) for the protected person's copy, and for her household's:
    refused with the reason, nothing of the household shown, nothing printed."""
    from handlers.outbox_dispatch import install_dispatcher
    from worker.tasks import enable_delivery

    b_user = setup_session.get(models.User, world.ids["b_user_id"])
    assert b_user is not None
    for tenant_id in (city_a.id, b_user.tenant_id):
        for name in ("cs", "municipality:*"):
            setup_session.add(models.IntegrationDestination(tenant_id=tenant_id, name=name, kind="relay",
                                                            enabled=True, secret=f"relay-{tenant_id}"))  # fmt: skip
    setup_session.flush()
    enable_delivery(db)
    try:
        counter = client_as(b_user)
        for kind in ("copy_individual", "copy_household"):
            form = {"home_code": "141003", "certificate_type": kind, "name": "御手洗 桜子", "birth_date": "1988-03-03",
                    "address": "横浜市泉区", "relation": "self", "requester_name": "御手洗 桜子",
                    "id_document": "my_number_card"}  # fmt: skip
            sent = counter.post("/wide-area/new", data=form)
            assert sent.status_code == 302, kind
            page = counter.get(sent.headers["Location"]).get_data(as_text=True)
            assert "交付不可" in page and "支援措置" in page, "the refusal is explained in Japanese"
            assert none_of(page, world) == [] and "御手洗 蓮" not in page, kind
            printed = counter.post(sent.headers["Location"] + "/print")
            assert printed.mimetype != "application/pdf", kind
    finally:
        install_dispatcher(db, None)
