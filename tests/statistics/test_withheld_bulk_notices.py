"""A notice a 住所一括変更's output held back for a support measure (j1340) stays printable by the support-measure
officer once the run has moved on: the 事前通知 of an output made before the 本処理 is printed after it, for the
file or a late delivery, for what the 本処理 changed and marked as printed after it; each print in the access
log; a notice the run now leaves out says why and prints nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.csv_intake.bulk_address import apply_bulk_change
from handlers.csv_intake.bulk_notices import LATE_ADVANCE
from handlers.csv_intake.withheld_notices import print_withheld_notice, withheld_of_output
from handlers.db import Database
from handlers.errors import ConflictError, PermissionDeniedError
from handlers.uow import unit_of_work
from models import AccessLog, Household
from tests import factories
from tests.certificates.pdf_tools import flat, pages_text
from tests.statistics import test_bulk_address_notices as bulk
from tests.statistics.test_bulk_address_notices import PLACES, address_csv, output, plan, set_status

pytestmark = pytest.mark.req("j1340")
certifying, households = (
    bulk.certifying,
    bulk.households,
)  # the fixtures: 山田 and 佐藤 at 港町, a certifier in effect
TODAY = dt.date(2026, 4, 10)


@pytest.fixture
def held_back(
    db: Database,
    clerk_a: Actor,
    city_a: models.Municipality,
    households: dict[str, Household],
    setup_session: Session,
) -> tuple[int, int]:
    """The clerk's 事前通知 output of a provisional run that held the 山田 household back (the wife protected)."""
    factories.protect(setup_session, city_a, households["yamada"].members[1].atena_number)
    change_id = plan(db, clerk_a, address_csv(households))
    job = output(db, clerk_a, change_id, "advance", city_a.id)
    assert [w["key"] for w in job.withheld] == [households["yamada"].household_number]
    return change_id, job.id


def print_one(db: Database, actor: Actor, job_id: int, key: str) -> str:
    with unit_of_work(db, actor) as uow:
        body, _ = print_withheld_notice(uow, job_id, key, today=TODAY)
    [page] = [flat(p) for p in pages_text(body)]
    return page


def prints_logged(setup_session: Session) -> list[AccessLog]:
    return list(
        setup_session.scalars(
            select(AccessLog)
            .where(AccessLog.function == "bulk_change_withheld_notice_printed")
            .order_by(AccessLog.seq)
        )
    )


def test_a_held_back_advance_notice_is_printed_after_the_final_run_and_logged(
    db,
    clerk_a,
    officer_a,
    households,
    held_back,
    setup_session,
):
    change_id, job_id = held_back
    yamada = households["yamada"]
    before = print_one(db, officer_a, job_id, yamada.household_number)
    assert "住所変更のお知らせ（事前通知）" in before and flat(LATE_ADVANCE) not in before
    with unit_of_work(db, clerk_a) as uow:
        apply_bulk_change(uow, change_id)
    with unit_of_work(db, officer_a) as uow:
        _, listed = withheld_of_output(uow, job_id)
    assert [(w["key"], w["left_out"]) for w in listed] == [(yamada.household_number, None)]
    late = print_one(db, officer_a, job_id, yamada.household_number)
    assert "住所変更のお知らせ（事前通知）" in late and flat(LATE_ADVANCE) in late
    assert flat(PLACES["yamada"][0]) in late and flat(PLACES["yamada"][1]) in late, "before → after"
    assert "山田太郎様" in late and "山田花子" in late
    logged = prints_logged(setup_session)
    assert len(logged) == 2 and all(r.action == "print" for r in logged)
    assert logged[1].login_id == officer_a.login_id and logged[1].detail["timing"] == "advance"
    assert logged[1].detail["key"] == yamada.household_number
    assert sorted(logged[1].targets) == sorted(m.atena_number for m in yamada.members)


def test_a_held_back_advance_notice_the_final_run_left_out_says_why_and_prints_nothing(
    db,
    clerk_a,
    officer_a,
    households,
    held_back,
    setup_session,
):
    change_id, job_id = held_back
    yamada = households["yamada"]
    set_status(db, clerk_a, yamada.members[0].atena_number, status="moving_out")  # 転出予定者: left out
    with unit_of_work(db, clerk_a) as uow:
        change = apply_bulk_change(uow, change_id)
        assert [s["key"] for s in change.skipped] == [yamada.household_number]
    with unit_of_work(db, officer_a) as uow:
        _, [listed] = withheld_of_output(uow, job_id)
    assert "転出予定者" in listed["left_out"]
    with pytest.raises(ConflictError, match="通知の対象外"):
        print_one(db, officer_a, job_id, yamada.household_number)
    assert prints_logged(setup_session) == []


def test_a_held_back_after_notice_is_printed_from_the_final_run(
    db,
    clerk_a,
    officer_a,
    city_a,
    households,
    setup_session,
):
    factories.protect(setup_session, city_a, households["yamada"].members[1].atena_number)
    change_id = plan(db, clerk_a, address_csv(households))
    with unit_of_work(db, clerk_a) as uow:
        apply_bulk_change(uow, change_id)
    job = output(db, clerk_a, change_id, "after", city_a.id)
    page = print_one(db, officer_a, job.id, households["yamada"].household_number)
    assert "住所変更のお知らせ（事後通知）" in page and flat(LATE_ADVANCE) not in page
    assert [r.detail["timing"] for r in prints_logged(setup_session)] == ["after"]


def test_the_clerk_still_cannot_print_a_held_back_notice_after_the_final_run(
    db,
    clerk_a,
    households,
    held_back,
    setup_session,
):
    change_id, job_id = held_back
    with unit_of_work(db, clerk_a) as uow:
        apply_bulk_change(uow, change_id)
    with pytest.raises(PermissionDeniedError):
        print_one(db, clerk_a, job_id, households["yamada"].household_number)
    assert prints_logged(setup_session) == []
