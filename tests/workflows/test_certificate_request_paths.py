"""Every path through workflows/certificate_request.bpmn: allowed → issuance task; refused for a third party
asking for 個人番号; refused for a protected subject (j440, j1000, j1370)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.certificate_requests import check_certificate_request, open_certificate_request
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import PermissionDeniedError, ValidationError
from handlers.uow import UnitOfWork
from models.audit import AccessLog
from models.case import Case, CaseTask
from models.support import SupportMeasure, SupportMeasureParty
from tests.factories import make_household
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
    assert data["disclosure"] == {"allowed": True, "reason_code": "allowed", "message": "交付できます。"}
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
        "third_party_restricted_item",
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
    assert log.detail["reason_code"] == "support_measure" and log.action == "view"
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
    from tests.factories import actor_for

    atena = make_household(db, clerk_a).members[0].atena_number
    with pytest.raises(PermissionDeniedError):
        step(actor_for(users_a["auditor"]), open_certificate_request, request([atena]))
