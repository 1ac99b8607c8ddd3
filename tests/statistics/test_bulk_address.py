"""住所一括変更 (j1340): provisional run listing before/after, final run as 軽微な修正 with history and CS notices."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.clock import japan_today
from handlers.csv_intake.bulk_address import apply_bulk_change, plan_bulk_change
from handlers.uow import unit_of_work
from models import Household, OutboxMessage, ResidentHistory
from tests import factories

pytestmark = pytest.mark.req("j1340")
BEFORE = "神奈川県横浜市中区港町1丁目1番地"
AFTER = "神奈川県横浜市中区みなと町1丁目1番地"


def test_provisional_run_lists_every_person_and_the_final_run_records_minor_corrections(db, clerk_a):
    family = factories.make_household(db, clerk_a)
    csv = f"世帯番号,変更前住所,変更後住所,変更後郵便番号\r\n{family.household_number},{BEFORE},{AFTER},2310017\r\n9999999999,x,y,\r\n"
    with unit_of_work(db, clerk_a) as uow:
        plan = plan_bulk_change(uow, "address", csv.encode("cp932"), minor_category="area_renamed",
                                change_date=japan_today())  # fmt: skip
        household = uow.session.get(Household, family.id)
        assert household is not None and household.address == BEFORE  # provisional: nothing changed
    assert [(e["before"], e["after"], len(e["members"])) for e in plan.plan] == [(BEFORE, AFTER, 3)]
    assert [p["row"] for p in plan.problems] == [3]
    with unit_of_work(db, clerk_a) as uow:
        done = apply_bulk_change(uow, plan.id)
        assert done.status == "final" and len(done.applied) == 3 and done.skipped == []
        household = uow.session.get(Household, family.id)
        assert household is not None and household.address == AFTER
        rows = uow.session.scalars(
            select(ResidentHistory).where(ResidentHistory.change_reason == "minor_correction")
        ).all()
        notices = uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.like("bulk:%"))
        ).all()
    assert len(rows) == 3 and all(r.snapshot["household_address"] == AFTER for r in rows)
    assert len(notices) == 3 and {n.destination for n in notices} == {"cs"}
    assert {n.payload["reason"] for n in notices} == {"minor_correction"}


def test_a_household_changed_after_the_provisional_run_is_left_out(db, clerk_a):
    family = factories.make_household(db, clerk_a)
    csv = f"世帯番号,変更前住所,変更後住所,変更後郵便番号\r\n{family.household_number},{BEFORE},{AFTER},\r\n"
    with unit_of_work(db, clerk_a) as uow:
        plan = plan_bulk_change(
            uow, "address", csv.encode(), minor_category="area_renamed", change_date=japan_today()
        )
        household = uow.session.get(Household, family.id)
        assert household is not None
        household.address = "神奈川県横浜市中区別町1番地"
    with unit_of_work(db, clerk_a) as uow:
        done = apply_bulk_change(uow, plan.id)
    assert done.applied == [] and done.skipped[0]["key"] == family.household_number
