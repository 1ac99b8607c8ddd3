"""宛名連携 with the support-measure data (j1190, j410, j420): every person a delta or a full extract names is
flagged; a subscriber not allowed protected addresses gets them blanked, over the wire too."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.integration.subscribers import queue_copy, request_full_extract
from handlers.integration.support_flags import SupportFlags, flag_delta, persons_named
from handlers.outbox_dispatch import schedule_delivery
from handlers.suppression import Withheld
from handlers.uow import unit_of_work
from tests.factories import actor_for, make_household
from tests.integration.conftest import configure
from tests.integration.receiver import Receiver

pytestmark = pytest.mark.req("j1190", "j410")

FLAGS = SupportFlags(
    statuses={"V": {"provisional"}},
    withheld=Withheld(frozenset({"V"}), frozenset({"V", "M"}), frozenset({"H1"})),
    suppressed={"S": {"certificate", "inquiry"}},
)


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        ({"atena_number": "V"}, {("V", None)}),
        ({"household_number": "H1", "head_atena_number": "M", "members": [{"atena_number": "V"}]},
         {("M", "H1"), ("V", None)}),
        ({"atena_numbers": ["V", "S"], "event": "in_force"}, {("V", None), ("S", None)}),
        ({"kind": "x"}, set()),
    ],
)  # fmt: skip
def test_every_person_a_notice_names_is_found_at_any_depth(payload: dict[str, Any], named: set[Any]) -> None:
    assert set(persons_named(payload)) == named


def test_a_delta_naming_a_withheld_person_loses_its_address_fields_unless_allowed() -> None:
    payload = {"household_number": "H1", "address": "秘匿町1番", "postal_code": "2310017",
               "members": [{"atena_number": "M", "previous_address": "旧町2番"}]}  # fmt: skip
    blanked = flag_delta(FLAGS, payload, receives_protected=False)
    assert blanked["address"] is None and blanked["postal_code"] is None and blanked["address_withheld"]
    assert blanked["members"][0]["previous_address"] is None
    assert blanked["support_measures"]["M"] == {"protected": False, "provisional": False,
                                                "household_protected": True, "suppressed_processes": []}  # fmt: skip
    kept = flag_delta(FLAGS, payload, receives_protected=True)
    assert kept["address"] == "秘匿町1番" and "address_withheld" not in kept
    other = flag_delta(FLAGS, {"atena_number": "S", "address": "本町3番"}, receives_protected=False)
    assert other["address"] == "本町3番"
    assert other["support_measures"]["S"]["suppressed_processes"] == ["certificate", "inquiry"]
    assert flag_delta(FLAGS, {"atena_number": "V"}, receives_protected=False)["support_measures"]["V"][
        "provisional"
    ]


def _protect(session: Session, person: models.Resident, status: str) -> None:
    measure = models.SupportMeasure(
        tenant_id=person.tenant_id, status=status, provisional=status != "in_force"
    )
    session.add(measure)
    session.flush()
    session.add(models.SupportMeasureParty(tenant_id=person.tenant_id, measure_id=measure.id, role="applicant",
                                           atena_number=person.atena_number, name="山田 花子"))  # fmt: skip
    session.flush()


def test_a_realtime_subscriber_receives_the_flag_and_no_protected_address(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor,
    users_a: dict[str, models.User],
) -> None:  # fmt: skip
    household = make_household(delivering, clerk_a)
    members = sorted(household.members, key=lambda m: m.household_order)
    protected = setup_session.get(models.Resident, members[1].id)
    assert protected is not None
    _protect(setup_session, protected, "provisional")
    with Receiver("s") as tax, Receiver("s") as full:
        configure(setup_session, city_a.id, "subscriber:tax", url=tax.url, secret="s",
                  subscription="realtime_delta")  # fmt: skip
        configure(setup_session, city_a.id, "subscriber:stats", url=full.url, secret="s", subscription="full")
        with unit_of_work(delivering, clerk_a) as uow:
            payload = {"household_number": household.household_number, "address": household.address,
                       "members": [{"atena_number": m.atena_number} for m in members]}  # fmt: skip
            queue_copy(uow, "addressee", "household_change", payload, "HC:1", None)
            uow.session.flush()
            schedule_delivery(uow, ["addressee"])
        with unit_of_work(delivering, actor_for(users_a["administrator"])) as uow:
            request_full_extract(uow, "subscriber:stats")
        deltas = [r.body["payload"] for r in tax.state.received]
        [extract] = [r.body["payload"] for r in full.state.received]
    [change] = deltas
    assert change["address"] is None and change["address_withheld"] is True
    assert change["support_measures"][protected.atena_number]["provisional"] is True
    assert change["support_measures"][members[0].atena_number]["household_protected"] is True
    rows = {r["atena_number"]: r for r in extract["residents"]}
    assert {a for a, r in rows.items() if r["address"] is None} == {m.atena_number for m in members}
    assert rows[protected.atena_number]["support_measure"]["protected"] is True
