"""The relay inbox's decisions (j690) and the single use of a 転出証明書情報 (j610):

* a 転入通知 whose automatic acceptance meets an alert (here: the person is under a support measure) is kept
  with status ``review`` and its reasons, applied only when a supervisor accepts it, or refused with a reason;
* a 転出証明書情報 is ``used`` once the 特例転入 that took it is registered; a second 特例転入 naming it is
  refused with a clear error, and the lookup shows it as used."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.cases import doors
from handlers.cases.pending import pending_change_of
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ConflictError, PermissionDeniedError, ValidationError
from handlers.relay_certificates import certificate_for_intake, find_move_out_certificate_info
from handlers.relay_inbox import CHANGE_INPUT_ALERTS, decide, reasons_of, relay_inbox
from handlers.support_measures import create_support_measure, decide_support_measure
from models.audit import AccessLog
from models.case import Case
from models.relay import RelayInbox
from models.resident import Resident
from models.tenant import Municipality
from tests.factories import actor_for
from tests.integration.test_relay import (
    TODAY,
    move_out_in_a,
    person,
    relay_everywhere,
    review_task,
    run,
    special_move_in_in_b,
)

pytestmark = pytest.mark.req("j1090", "j680")


def inbox_rows(db: Database, actor: Actor) -> list[RelayInbox]:
    return run(db, actor, lambda uow: list(uow.session.scalars(select(RelayInbox).order_by(RelayInbox.id))))


def protect(db: Database, officer: Actor, atena_number: str) -> None:
    with_measure = {
        "applicant": {"name": "鈴木 一郎", "atena_number": atena_number},
        "co_applicants": [],
        "perpetrators": [{"name": "加害 太郎", "birth_date": dt.date(1970, 1, 1)}],
        "protected_services": ["inspection", "certificate", "koseki_fuhyo"],
        "protected_addresses": ["current"],
        "request_date": TODAY,
        "victim_kind": "dv",
    }

    def create(uow: Any) -> None:
        measure = create_support_measure(uow, **with_measure)
        decide_support_measure(uow, measure.id, start_date=TODAY)

    run(db, officer, create)


def approve_with_its_alerts(uow: Any, case_id: int) -> None:
    """The supervisor approves on the case page, acknowledging every alert the case shows."""
    alerts = [str(alert["code"]) for alert in pending_change_of(uow, case_id).alerts]
    doors.approve(uow, review_task(uow, case_id).id, [*alerts, *CHANGE_INPUT_ALERTS])


@pytest.fixture
def notice_in_review(
    delivering: Database,
    setup_session: Session,
    city_a: Municipality,
    city_b: Municipality,
    users_a: dict[str, Any],
    users_b: dict[str, Any],
    clerk_a: Actor,
    supervisor_a: Actor,
) -> Resident:
    """A moved out of A under a support measure; B's 特例転入 sends the 転入通知 back; A auto-accepts."""
    relay_everywhere(setup_session, city_a, city_b)
    city_a.settings = {**(city_a.settings or {}), "move_in_notice_auto_apply": True}
    setup_session.flush()
    ichiro = move_out_in_a(delivering, clerk_a, supervisor_a)
    protect(delivering, actor_for(users_a["support_officer"]), ichiro.atena_number)
    clerk_b, supervisor_b = actor_for(users_b["clerk"]), actor_for(users_b["supervisor"])
    special_move_in_in_b(delivering, clerk_b, supervisor_b, ichiro.resident_code)
    return ichiro


@pytest.mark.req("j690", "j410")
def test_an_alert_during_automatic_acceptance_leaves_the_notice_for_review_not_applied(
    delivering: Database, notice_in_review: Resident, clerk_a: Actor, supervisor_a: Actor
) -> None:
    [notice] = inbox_rows(delivering, clerk_a)
    assert (notice.kind, notice.status) == ("move_in_notice", "review")
    assert any("支援措置" in reason for reason in notice.payload["review_reasons"])
    assert run(delivering, clerk_a, person, notice_in_review.atena_number).status == "moving_out"
    [row] = run(delivering, supervisor_a, relay_inbox, "review")
    assert (row.id, row.decidable, row.status_label) == (notice.id, True, "要確認")


@pytest.mark.req("j690")
def test_a_supervisor_accepts_a_notice_in_review_and_the_record_becomes_a_removed_record(
    delivering: Database, notice_in_review: Resident, clerk_a: Actor, supervisor_a: Actor
) -> None:
    [notice] = inbox_rows(delivering, clerk_a)
    with pytest.raises(PermissionDeniedError):
        run(delivering, clerk_a, decide, notice.id, "accept")
    run(delivering, supervisor_a, decide, notice.id, "accept", "支援措置を確認した")
    [decided] = inbox_rows(delivering, clerk_a)
    assert (decided.status, decided.payload["decision"]["by"]) == ("applied", supervisor_a.login_id)
    moved = run(delivering, clerk_a, person, notice_in_review.atena_number)
    assert (moved.status, moved.removal_date, moved.move_in_notice_date) == ("removed", TODAY, TODAY)
    with pytest.raises(ConflictError):  # decided once
        run(delivering, supervisor_a, decide, notice.id, "refuse", "重複")
    logged = run(
        delivering,
        supervisor_a,
        lambda uow: uow.session.scalars(
            select(AccessLog).where(AccessLog.function == "relay_message_accepted")
        ).one(),
    )
    assert logged.targets == [notice_in_review.atena_number]


@pytest.mark.req("j690")
def test_a_notice_whose_receipt_case_was_decided_on_the_case_page_is_not_decided_again(
    delivering: Database, notice_in_review: Resident, clerk_a: Actor, supervisor_a: Actor
) -> None:
    """Accepting would open a second receipt case, refusing would say nothing was applied: both refused."""
    [notice] = inbox_rows(delivering, clerk_a)
    run(delivering, supervisor_a, doors.cancel, notice.case_id, "案件の画面で取消")
    for decision in ("accept", "refuse"):
        with pytest.raises(ConflictError, match="案件の画面で既に決裁または取り消されています"):
            run(delivering, supervisor_a, decide, notice.id, decision, "理由", notice_in_review.atena_number)
    [unchanged] = inbox_rows(delivering, clerk_a)
    assert (unchanged.status, unchanged.payload["case_ids"]) == ("review", notice.payload["case_ids"])


@pytest.mark.req("j690")
@pytest.mark.parametrize(("on_case_page", "settled"), [("approve", "反映済"), ("cancel", "受理せず")])
def test_a_notice_whose_receipt_case_was_decided_on_the_case_page_no_longer_waits_in_the_inbox(
    delivering: Database,
    notice_in_review: Resident,
    clerk_a: Actor,
    supervisor_a: Actor,
    on_case_page: str,
    settled: str,
) -> None:
    [notice] = inbox_rows(delivering, clerk_a)
    if on_case_page == "cancel":
        run(delivering, supervisor_a, doors.cancel, notice.case_id, "案件の画面で取消")
    else:
        run(delivering, supervisor_a, approve_with_its_alerts, notice.case_id)
    assert run(delivering, supervisor_a, relay_inbox, "review") == []
    [row] = run(delivering, supervisor_a, relay_inbox)
    assert (row.status_label, row.decidable) == (settled, False)
    [stored] = inbox_rows(delivering, clerk_a)
    assert stored.payload["decision"]["on"] == "case_page"
    assert "受理の案件を案件の画面で決裁または取消済み" in reasons_of(
        stored
    )  # the list withholds it (protected)


@pytest.mark.req("j690")
def test_a_refused_notice_needs_a_reason_cancels_its_receipt_case_and_changes_nothing(
    delivering: Database, notice_in_review: Resident, clerk_a: Actor, supervisor_a: Actor
) -> None:
    [notice] = inbox_rows(delivering, clerk_a)
    with pytest.raises(ValidationError):
        run(delivering, supervisor_a, decide, notice.id, "refuse", "  ")
    run(delivering, supervisor_a, decide, notice.id, "refuse", "本人ではない")
    [refused] = inbox_rows(delivering, clerk_a)
    assert (refused.status, refused.payload["decision"]["reason"]) == ("refused", "本人ではない")
    case = run(delivering, clerk_a, lambda uow: uow.session.get(Case, refused.case_id))
    assert case.status == "cancelled"
    assert run(delivering, clerk_a, person, notice_in_review.atena_number).status == "moving_out"


def test_an_unmatched_notice_is_accepted_for_the_person_the_supervisor_names(
    delivering: Database, setup_session: Session, city_a: Municipality, clerk_a: Actor, supervisor_a: Actor
) -> None:
    from handlers.relay import route_message

    ichiro = move_out_in_a(delivering, clerk_a, supervisor_a)
    body = {
        "sender": {"code": "202118", "name": "上田市"},
        "destination": "municipality:141003",
        "kind": "move_in_notice",
        "idempotency_key": "U-1:2",
        "payload": {"resident_codes": ["99999999999"], "move_in_date": TODAY.isoformat(),
                    "address": "長野県上田市大手1丁目2番3号", "notice_date": TODAY.isoformat()},
    }  # fmt: skip
    route_message(delivering, body)
    [notice] = [r for r in inbox_rows(delivering, clerk_a) if r.kind == "move_in_notice"]
    assert notice.status == "review"
    with pytest.raises(ValidationError):
        run(delivering, supervisor_a, decide, notice.id, "accept")  # whom?
    run(delivering, supervisor_a, decide, notice.id, "accept", "", ichiro.atena_number)
    [accepted] = [r for r in inbox_rows(delivering, clerk_a) if r.kind == "move_in_notice"]
    assert accepted.status == "applied" and accepted.case_id is not None
    moved = run(delivering, clerk_a, person, ichiro.atena_number)
    assert (moved.status, moved.destination_confirmed_address) == ("removed", "長野県上田市大手1丁目2番3号")


@pytest.fixture
def moved_out_of_a(
    delivering: Database,
    setup_session: Session,
    city_a: Municipality,
    city_b: Municipality,
    users_b: dict[str, Any],
    clerk_a: Actor,
    supervisor_a: Actor,
) -> tuple[Resident, Actor, Actor]:
    """一郎 moved out of A, whose 転出証明書情報 the relay delivered to B; B's clerk and supervisor."""
    relay_everywhere(setup_session, city_a, city_b)
    ichiro = move_out_in_a(delivering, clerk_a, supervisor_a)
    return ichiro, actor_for(users_b["clerk"]), actor_for(users_b["supervisor"])


@pytest.mark.req("j610")
def test_a_move_out_certificate_serves_one_special_move_in_only(
    delivering: Database, moved_out_of_a: tuple[Resident, Actor, Actor]
) -> None:
    ichiro, clerk_b, supervisor_b = moved_out_of_a
    [found] = run(delivering, clerk_b, find_move_out_certificate_info, resident_code=ichiro.resident_code)
    assert (found["status"], found["used"]) == ("received", False)
    by_name = run(
        delivering, clerk_b, find_move_out_certificate_info, name="一郎", birth_date=found["birth_date"]
    )
    assert [f["id"] for f in by_name] == [found["id"]]
    assert (
        run(delivering, clerk_b, find_move_out_certificate_info, name="一郎", birth_date="1901-01-01") == []
    )
    intake = run(delivering, clerk_b, certificate_for_intake, found["id"])
    assert intake["move_out_certificate"]["relay_inbox_id"] == found["id"]

    special_move_in_in_b(delivering, clerk_b, supervisor_b, ichiro.resident_code)
    [used] = run(delivering, clerk_b, find_move_out_certificate_info, resident_code=ichiro.resident_code)
    assert (used["status"], used["used"]) == ("used", True) and "使用済み" in used["note"]
    with pytest.raises(ConflictError, match="使用済み"):
        run(delivering, clerk_b, certificate_for_intake, found["id"])
    again = dict(found["intake"])
    again["members"] = [{**again["members"][0], "relation_to_head": "世帯主", "resident_code": None}]
    again.update(change_date=TODAY.isoformat(), household={"address": "長野県上田市天神1丁目1番1号"})
    with pytest.raises(ValidationError) as refused:
        run(delivering, clerk_b, doors.open_case, "move_in", again)
    assert [p.code for p in refused.value.problems if p.field == "move_out_certificate"] == [
        "certificate_used"
    ]


@pytest.mark.req("j610")
def test_two_open_special_move_ins_cannot_hold_the_same_certificate_and_registration_marks_it_used(
    delivering: Database, moved_out_of_a: tuple[Resident, Actor, Actor]
) -> None:
    ichiro, clerk_b, supervisor_b = moved_out_of_a
    [found] = run(delivering, clerk_b, find_move_out_certificate_info, resident_code=ichiro.resident_code)
    intake = found["intake"]
    intake["members"][0]["relation_to_head"] = "世帯主"
    intake.update(change_date=TODAY.isoformat(), household={"address": "長野県上田市大手1丁目2番3号"})
    first = run(delivering, clerk_b, doors.open_case, "move_in", intake)
    second = {**intake, "members": [{**intake["members"][0], "resident_code": None}]}
    with pytest.raises(ValidationError) as held:
        run(delivering, clerk_b, doors.open_case, "move_in", second)
    assert "転出証明書情報（受信番号" in str(held.value)
    [row] = inbox_rows(delivering, clerk_b)
    assert row.status == "received"  # provisional: not used until 本登録
    task = run(delivering, supervisor_b, review_task, first.id)
    run(delivering, supervisor_b, doors.approve, task.id, [])
    [row] = inbox_rows(delivering, clerk_b)
    assert (row.status, len(row.payload["used"]["atena_numbers"])) == ("used", 1)


@pytest.mark.req("j610", "j160")
def test_a_used_certificate_of_a_protected_person_lists_without_the_numbers_it_was_used_for(
    delivering: Database, moved_out_of_a: tuple[Resident, Actor, Actor], users_b: dict[str, Any]
) -> None:
    ichiro, clerk_b, supervisor_b = moved_out_of_a
    special_move_in_in_b(delivering, clerk_b, supervisor_b, ichiro.resident_code)
    [moved_in] = run(
        delivering,
        clerk_b,
        lambda uow: list(
            uow.session.scalars(select(Resident).where(Resident.resident_code == ichiro.resident_code))
        ),
    )
    protect(delivering, actor_for(users_b["support_officer"]), moved_in.atena_number)
    [row] = [r for r in run(delivering, clerk_b, relay_inbox) if r.kind == "move_out_certificate_info"]
    assert (row.status, row.withheld) == ("used", True)
    assert moved_in.atena_number not in row.action and row.name is None and row.resident_code is None
