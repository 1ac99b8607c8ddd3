"""Fixtures for the 住基ネット CS tests: our receiving folder and the fake CS peer writing into it, the ``cs``
destination delivered by file drop into the peer's folder, and the 本人確認情報 of the factory's family as CS
would hold them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from handlers.context import Actor
from handlers.db import Database
from handlers.outbox_dispatch import install_dispatcher
from models import Household, IntegrationDestination, Municipality
from tests.factories import make_household
from tests.juki_net.fake_cs import FakeCs
from worker.tasks import enable_delivery


@pytest.fixture
def fake_cs(tmp_path: Path) -> FakeCs:
    outbound, inbound = tmp_path / "to_cs", tmp_path / "from_cs"
    outbound.mkdir()
    inbound.mkdir()
    return FakeCs(outbound, inbound)


@pytest.fixture
def cs_line(
    db: Database, setup_session: Session, city_a: Municipality, fake_cs: FakeCs
) -> Iterator[Database]:
    """The ``cs`` destination of 横浜市 by file drop into the fake CS's folder, delivered after commit."""
    setup_session.add(IntegrationDestination(tenant_id=city_a.id, name="cs", kind="file_drop",
                                             directory=str(fake_cs.outbound), enabled=True))  # fmt: skip
    setup_session.flush()
    enable_delivery(db)
    yield db
    install_dispatcher(db, None)


@pytest.fixture
def family(db: Database, clerk_a: Actor) -> Household:
    return make_household(db, clerk_a)


def as_cs_holds(member: Any, household: Household, **changes: Any) -> dict[str, Any]:
    """One person of the family as CS holds them (the factory's inputs, written out by hand)."""
    person = {
        "resident_code": member.resident_code, "name": f"{member.family_name} {member.given_name}",
        "birth_date": member.birth_date.isoformat(), "sex": member.sex, "address": household.address,
        "my_number": member.my_number, "change_reason": "domestic_move_in", "change_date": "2020-04-01",
    }  # fmt: skip
    person.update(changes)
    return person
