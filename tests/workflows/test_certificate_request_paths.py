"""Every path through workflows/certificate_request.bpmn, decided by the one disclosure check
(handlers.suppression.check_disclosure): allowed → issuance task; refused for a third party asking for 個人番号;
refused ``needs_release`` for a protected subject until the officer releases that exact request (once); a
perpetrator refused whoever they act for; alert-level suppression surfaced (j410, j440, j1000, j1370)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.certificate_requests import (
    check_certificate_request,
    issue_requested_certificate,
    normalized_request,
    open_certificate_request,
    request_certificate_release,
)
from handlers.certificates import IssuedCertificate, ReleaseRequiredError
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import PermissionDeniedError, ValidationError
from handlers.suppression_controls import grant_release, set_suppression
from handlers.uow import UnitOfWork
from models.audit import AccessLog
from models.case import Case, CaseTask
from models.support import SupportMeasure, SupportMeasureParty
from models.suppression import DisclosureRelease
from tests.certificates.pdf_tools import pdf_text
from tests.factories import actor_for, make_household
from tests.handlers.suppression_world import World, build_world
from tests.workflows.conftest import Step
from workflows.engine import runner


def request(subjects: list[str], **overrides: Any) -> dict[str, Any]:
    base = {
        "requester_kind": "self",
        "requester": {"name": "山田 太郎", "atena_number": subjects[0]},
        "subjects": subjects,
        "certificate_type": "copy_individual",
        "options": ["include_head_relation"],
        "purpose": "",
        "copies": 1,
    }
    return base | overrides


def decisions(uow: UnitOfWork) -> list[AccessLog]:
    stmt = (
        select(AccessLog).where(AccessLog.function == "certificate_request_decided").order_by(AccessLog.seq)
    )
    return list(uow.session.scalars(stmt))


def case_tasks(uow: UnitOfWork, case_id: int) -> list[tuple[str, str, str | None]]:
    rows = uow.session.scalars(select(CaseTask).where(CaseTask.case_id == case_id).order_by(CaseTask.id))
    return [(r.bpmn_id, r.state, r.role) for r in rows]


@pytest.mark.req("j1000", "j1370")
def test_allowed_request_gives_the_clerk_the_issuance_task(db: Database, step: Step, clerk_a: Actor) -> None:
    atena = make_household(db, clerk_a).members[0].atena_number
    case = step(clerk_a, open_certificate_request, request([atena], options=["include_my_number"]))
    assert case.status in ("running", "waiting") and case.process_id == "certificate_request"
    assert step(clerk_a, case_tasks, case.id) == [("issue_certificate", "ready", "clerk")]
    [task] = [t for t in step(clerk_a, runner.ready_tasks) if t.case_id == case.id]
    data = step(clerk_a, runner.task_data, task.id)
    assert data["disclosure"] == {
        "allowed": True,
        "reason_code": "ok",
        "message": "処理できます。",
        "alerts": [],
    }
    assert data["request"]["options"] == ["include_my_number"]
    step(clerk_a, runner.claim_task, task.id)
    step(clerk_a, runner.complete_task, task.id, {"issued": True})
    assert step(clerk_a, lambda uow: uow.session.get(Case, case.id).status) == "completed"
    [log] = step(clerk_a, decisions)
    assert (log.action, log.targets, log.detail["allowed"]) == ("print", [atena], True)


@pytest.mark.req("j1000", "j1370")
def test_third_party_asking_for_my_number_is_refused_and_the_case_ends(
    db: Database, step: Step, clerk_a: Actor
) -> None:
    atena = make_household(db, clerk_a).members[0].atena_number
    asked = request([atena], requester_kind="third_party", requester={"name": "債権者 株式会社"},
                    purpose="債権回収のため", options=["include_my_number"])  # fmt: skip
    case = step(clerk_a, open_certificate_request, asked)
    assert step(clerk_a, lambda uow: uow.session.get(Case, case.id).status) == "completed"
    assert step(clerk_a, case_tasks, case.id) == []
    [log] = step(clerk_a, decisions)
    assert (log.action, log.targets, log.detail["reason_code"]) == (
        "view",
        [atena],
        "restricted_item",
    )
    without_number = asked | {"options": ["include_head_relation"]}
    allowed = step(clerk_a, lambda uow: check_certificate_request(uow, without_number))
    assert allowed.allowed


@pytest.mark.req("j440", "j1370")
def test_request_including_a_protected_person_is_refused_with_the_support_measure_code(
    db: Database, step: Step, clerk_a: Actor, setup_session: Session
) -> None:
    household = make_household(db, clerk_a)
    victim, other = household.members[1], household.members[0]
    measure = SupportMeasure(tenant_id=victim.tenant_id, status="in_force", provisional=False)
    measure.parties.append(
        SupportMeasureParty(
            tenant_id=victim.tenant_id, role="applicant", atena_number=victim.atena_number, name="山田 花子"
        )
    )
    setup_session.add(measure)
    setup_session.flush()
    case = step(clerk_a, open_certificate_request, request([other.atena_number, victim.atena_number],
                                                            certificate_type="copy_household"))  # fmt: skip
    assert step(clerk_a, lambda uow: uow.session.get(Case, case.id).status) == "completed"
    assert step(clerk_a, case_tasks, case.id) == []
    [log] = step(clerk_a, decisions)
    assert log.detail["reason_code"] == "needs_release" and log.action == "view"
    assert sorted(log.targets) == sorted([other.atena_number, victim.atena_number])


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"requester_kind": "neighbour"}, [("requester_kind", "required")]),
        ({"certificate_type": "koseki"}, [("certificate_type", "required")]),
        ({"options": ["include_shoe_size"]}, [("options", "invalid")]),
        ({"requester": {}}, [("requester", "required")]),
        ({"requester_kind": "third_party"}, [("purpose", "required")]),
        ({"subjects": ["9999999990"]}, [("subjects", "not_found")]),
        ({"copies": 0}, [("copies", "range")]),
    ],
)
def test_a_bad_request_opens_no_case(
    db: Database, step: Step, clerk_a: Actor, overrides: dict[str, Any], expected: list[Any]
) -> None:
    atena = make_household(db, clerk_a).members[0].atena_number
    with pytest.raises(ValidationError) as refused:
        step(clerk_a, open_certificate_request, request([atena]) | overrides)
    assert [(p.field, p.code) for p in refused.value.problems] == expected
    assert step(clerk_a, lambda uow: uow.session.scalars(select(Case)).all()) == []


def test_only_users_who_issue_certificates_may_open_a_request(
    db: Database, step: Step, clerk_a: Actor, users_a: Any
) -> None:
    atena = make_household(db, clerk_a).members[0].atena_number
    with pytest.raises(PermissionDeniedError):
        step(actor_for(users_a["auditor"]), open_certificate_request, request([atena]))


# --- the one disclosure decision inside the flow ----------------------------------------------------------


@pytest.fixture
def officer_a(users_a: Any) -> Actor:
    return actor_for(users_a["support_officer"])


@pytest.fixture
def world(db: Database, setup_session: Session, city_a: Any, officer_a: Actor) -> World:
    return build_world(db, setup_session, city_a, officer_a)


def disclosure_of(step: Step, actor: Actor, case: Case) -> dict[str, Any]:
    def read(uow: UnitOfWork) -> dict[str, Any]:
        found = uow.session.get(Case, case.id)
        assert found is not None
        return {"status": found.status, "tasks": case_tasks(uow, case.id)}

    return step(actor, read)


def last_decision(step: Step, actor: Actor) -> AccessLog:
    return step(actor, decisions)[-1]


@pytest.mark.req("j440", "j1370")
def test_protected_subject_ends_refused_with_needs_release_and_the_officer_must_release(
    db: Database, step: Step, clerk_a: Actor, world: World
) -> None:
    asked = request([world.atena["victim"]])
    case = step(clerk_a, open_certificate_request, asked)
    assert disclosure_of(step, clerk_a, case) == {"status": "completed", "tasks": []}
    log = last_decision(step, clerk_a)
    assert (log.action, log.detail["reason_code"], log.detail["allowed"]) == ("view", "needs_release", False)
    decision = step(clerk_a, lambda uow: check_certificate_request(uow, normalized_request(uow, asked)))
    assert decision.reason_code == "needs_release" and "支援措置責任者" in decision.message


@pytest.mark.req("j440", "j1370")
def test_a_household_copy_is_stopped_when_one_member_is_protected(
    db: Database, step: Step, clerk_a: Actor, world: World
) -> None:
    asked = request([world.atena["grandma"]], certificate_type="copy_household")
    case = step(clerk_a, open_certificate_request, asked)
    assert disclosure_of(step, clerk_a, case)["tasks"] == []
    assert last_decision(step, clerk_a).detail["reason_code"] == "needs_release"


@pytest.mark.req("j440", "j1370")
def test_the_officers_release_lets_exactly_that_request_through_once(
    db: Database, step: Step, clerk_a: Actor, officer_a: Actor, world: World, certifying: None
) -> None:
    asked = request([world.atena["victim"]])
    refused = step(clerk_a, open_certificate_request, asked)
    assert disclosure_of(step, clerk_a, refused)["tasks"] == []
    release_id = step(clerk_a, request_certificate_release, asked)
    still = step(clerk_a, open_certificate_request, asked)
    assert disclosure_of(step, clerk_a, still)["tasks"] == [], "asked for is not released"
    step(officer_a, grant_release, release_id, "本人確認のうえ本人への交付と確認した")
    other = asked | {"options": ["include_honseki"]}
    changed = step(clerk_a, open_certificate_request, other)
    assert disclosure_of(step, clerk_a, changed)["tasks"] == [], "a release covers only the identical request"
    passed = step(clerk_a, open_certificate_request, asked)
    assert disclosure_of(step, clerk_a, passed)["tasks"] == [("issue_certificate", "ready", "clerk")]
    assert last_decision(step, clerk_a).detail["reason_code"] == "released"
    issued = issue_through_the_task(step, clerk_a, passed)
    assert "山田花子" in pdf_text(issued.pdf).replace(" ", ""), "the released copy is printed"
    assert step(clerk_a, lambda uow: uow.session.get(Case, passed.id).status) == "completed"
    again = step(clerk_a, open_certificate_request, asked)
    assert disclosure_of(step, clerk_a, again)["tasks"] == [], "the release is used up by the issued copy"
    assert last_decision(step, clerk_a).detail["reason_code"] == "needs_release"


def issue_through_the_task(step: Step, clerk: Actor, case: Case) -> IssuedCertificate:
    [task] = [t for t in step(clerk, runner.ready_tasks) if t.case_id == case.id]
    step(clerk, runner.claim_task, task.id)
    return step(clerk, issue_requested_certificate, task.id)


@pytest.fixture
def certifying(setup_session: Session, city_a: Any) -> None:
    officials = [{"title": "横浜市長", "name": "山中 竹春", "from": "2021-08-30", "to": "", "acting": False}]
    city_a.settings = {**(city_a.settings or {}), "officials": officials}
    setup_session.flush()


@pytest.mark.req("j440", "j1000", "j1370")
def test_a_release_is_used_up_only_when_the_copy_is_issued(
    db: Database, step: Step, clerk_a: Actor, officer_a: Actor, world: World, certifying: None
) -> None:
    """needs_release → the officer grants → the flow passes twice (deciding uses nothing up) → the first
    issuance uses the release, the second case's issuance is stopped again; the release is recorded used."""
    asked = request([world.atena["grandma"]], certificate_type="copy_household")
    release_id = step(clerk_a, request_certificate_release, asked)
    step(officer_a, grant_release, release_id, "本人確認のうえ世帯全員の写しの交付と確認した")
    first = step(clerk_a, open_certificate_request, asked)
    second = step(clerk_a, open_certificate_request, asked)
    assert disclosure_of(step, clerk_a, second)["tasks"] == [("issue_certificate", "ready", "clerk")]
    issued = issue_through_the_task(step, clerk_a, first)
    text = pdf_text(issued.pdf).replace(" ", "")
    assert "山田花子" in text and "山田梅" in text, "the household copy is printed"
    release = step(officer_a, lambda uow: uow.session.get(DisclosureRelease, release_id))
    assert release.used_at is not None
    with pytest.raises(ReleaseRequiredError):
        issue_through_the_task(step, clerk_a, second)
    assert disclosure_of(step, clerk_a, second)["tasks"] == [("issue_certificate", "claimed", "clerk")]
    refused = step(clerk_a, open_certificate_request, asked)
    assert disclosure_of(step, clerk_a, refused)["tasks"] == [], "a new request needs a new release"


@pytest.mark.req("j440", "j1370")
@pytest.mark.parametrize("acting", ["requester", "on_behalf_of"])
def test_a_perpetrator_is_refused_whoever_they_claim_to_act_for(
    db: Database, step: Step, clerk_a: Actor, world: World, acting: str
) -> None:
    saito = {"name": "斎藤 太郎", "birth_date": "1975-05-05"}
    if acting == "requester":
        asked = request([world.atena["victim"]], requester_kind="agent", requester=saito)
    else:
        lawyer = {"name": "弁護 士郎", "birth_date": "1960-02-02"}
        asked = request([world.atena["victim"]], requester_kind="agent", requester=lawyer, on_behalf_of=saito)
    case = step(clerk_a, open_certificate_request, asked)
    assert disclosure_of(step, clerk_a, case) == {"status": "completed", "tasks": []}
    assert last_decision(step, clerk_a).detail["reason_code"] == "perpetrator"


@pytest.mark.req("j410", "j1370")
def test_alert_level_certificate_suppression_reaches_the_issuance_task(
    db: Database, step: Step, clerk_a: Actor, officer_a: Actor, world: World
) -> None:
    step(officer_a, set_suppression, atena_number=world.atena["stranger"], process="certificate",
         level="alert", start_date=dt.date(2024, 1, 1), reason="関係機関からの依頼")  # fmt: skip
    case = step(clerk_a, open_certificate_request, request([world.atena["stranger"]]))
    [task] = [t for t in step(clerk_a, runner.ready_tasks) if t.case_id == case.id]
    disclosure = step(clerk_a, runner.task_data, task.id)["disclosure"]
    assert disclosure["allowed"] is True
    assert [a["code"] for a in disclosure["alerts"]] == ["suppression_alert"]
    assert last_decision(step, clerk_a).detail["alerts"] == ["suppression_alert"]


@pytest.mark.req("j410", "j1370")
def test_error_level_certificate_suppression_refuses(
    db: Database, step: Step, clerk_a: Actor, world: World
) -> None:
    case = step(clerk_a, open_certificate_request, request([world.atena["neighbour"]]))
    assert disclosure_of(step, clerk_a, case)["tasks"] == []
    assert last_decision(step, clerk_a).detail["reason_code"] == "suppressed"


def test_a_bad_birth_date_of_the_requester_opens_no_case(db: Database, step: Step, clerk_a: Actor) -> None:
    atena = make_household(db, clerk_a).members[0].atena_number
    asked = request([atena], requester={"name": "山田 太郎", "birth_date": "昭和99年13月1日"})
    with pytest.raises(ValidationError) as refused:
        step(clerk_a, open_certificate_request, asked)
    assert [p.field for p in refused.value.problems] == ["requester.birth_date"]
