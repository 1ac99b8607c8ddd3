"""届出人 entered at intake (j580): the notifier of a 転入・転居・転出・世帯変更 notification (name, and whether the
mover, the head or a household member, or an agent) is kept with the case when it is entered, refused with the
case's other problems when wrong, and the 住民異動届受理通知 is addressed from it."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.cases import doors
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from tests import factories
from tests.certificates.pdf_tools import flat, pdf_text
from tests.certificates.test_receipt_notice import day, move_in_intake, notice, registered
from tests.conftest import Step
from tests.web.conftest import login_as
from tests.web.test_residents_api import token_for
from tests.workflows.ex_officio_steps import approve

pytestmark = pytest.mark.req("j580")
AGENT = {"name": "代理 三郎", "kind": "agent", "birth_date": "1975-02-03"}


@pytest.fixture
def notice_city(setup_session: Session, city_a: models.Municipality) -> models.Municipality:
    city_a.settings = {**(city_a.settings or {}), "notice_of_receipt": True}
    setup_session.flush()
    return city_a


def stored_notifier(setup_session: Session, case_id: int) -> Any:
    return setup_session.scalars(
        select(models.PendingChange.notifier).where(models.PendingChange.case_id == case_id)
    ).one()


def test_the_notifier_entered_at_intake_is_kept_and_addresses_the_notice(
    step: Step, clerk_a: Actor, supervisor_a: Actor, notice_city: models.Municipality, setup_session: Session
) -> None:
    case = registered(step, clerk_a, supervisor_a, "move_in", {**move_in_intake(), "notifier": AGENT})
    assert stored_notifier(setup_session, case.id) == {
        "name": "代理 三郎", "kind": "agent", "birth_date": "1975-02-03", "atena_number": None
    }  # fmt: skip
    issued = notice(step, clerk_a, case.id, "")  # nothing asked at output: the recorded notifier
    text = flat(pdf_text(issued.pdf))
    assert "〒385-0051長野県佐久市中込1番地代理三郎様" in text and "届出人氏名代理三郎" in text
    with pytest.raises(ValidationError) as other:
        notice(step, clerk_a, case.id, "別人 四郎")
    assert [p.code for p in other.value.problems] == ["notifier_recorded"]
    assert "代理 三郎（代理人）" in other.value.problems[0].reason
    again = flat(pdf_text(notice(step, clerk_a, case.id, "代理　三郎").pdf))
    assert "届出人氏名代理三郎" in again, "the recorded name written with another space is the recorded one"
    logs = setup_session.scalars(
        select(models.AccessLog).where(models.AccessLog.function == "receipt_notice_printed")
    ).all()
    assert {(log.detail["notifier_kind"], log.detail["notifier_from"]) for log in logs} == {
        ("agent", "intake")
    }


@pytest.mark.parametrize(
    ("code", "notifier", "extra", "problem"),
    [
        ("move_in", {"name": "", "kind": "self"}, {}, "required"),
        ("move_in", {"name": "代理 三郎", "kind": "lawyer"}, {}, "choice"),
        ("move_in", {"name": "代理 三郎", "birth_date": "昭和50年2月30日"}, {}, "date_invalid"),
        ("move_in", {"name": "代理 三郎", "birth_date": "令和99年1月1日"}, {}, "future_date"),
        ("move_in", {"name": "代理 三郎", "atena_number": "A123"}, {}, "format"),
        ("move_in", "代理 三郎", {}, "format"),
        ("move_in", AGENT, {"ex_officio": True, "ex_officio_record": "届出なし"}, "ex_officio_notifier"),
    ],
)
def test_a_wrong_notifier_refuses_the_intake_and_nothing_is_kept(
    step: Step, clerk_a: Actor, notice_city: models.Municipality, setup_session: Session,
    code: str, notifier: Any, extra: dict[str, Any], problem: str,
) -> None:  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        step(clerk_a, doors.open_case, code, {**move_in_intake(), **extra, "notifier": notifier})
    assert problem in {p.code for p in refused.value.problems}
    assert all(p.field.startswith("notifier") for p in refused.value.problems if p.code == problem)
    assert setup_session.scalars(select(models.Case)).all() == []


def test_a_change_without_a_notification_takes_no_notifier(
    step: Step, clerk_a: Actor, family_for_notice: models.Household, setup_session: Session
) -> None:
    head = family_for_notice.members[0].atena_number
    intake = {"atena_number": head, "kind": "change_request", "notifier": AGENT}
    with pytest.raises(ValidationError) as refused:
        step(clerk_a, doors.open_case, "my_number_change", intake)
    assert [p.code for p in refused.value.problems] == ["not_notified"]


@pytest.fixture
def family_for_notice(db: Database, clerk_a: Actor, notice_city: models.Municipality) -> models.Household:
    return factories.make_household(db, clerk_a)


def test_the_counter_form_keeps_the_notifier_and_the_case_page_prints_the_notice_from_it(
    client: FlaskClient, users_a: dict[str, models.User], family_for_notice: models.Household, step: Step,
    supervisor_a: Actor, setup_session: Session,
) -> None:  # fmt: skip
    login_as(client, users_a["clerk"])
    members = sorted(family_for_notice.members, key=lambda m: m.household_order)
    form = {"atena_numbers": members[1].atena_number, "change_date": day(-2), "notified_date": day(-1),
            "postal_code": "231-0023", "address": "神奈川県横浜市中区山下町2番地", "destination_kind": "new",
            "relations-0-atena_number": members[1].atena_number, "relations-0-relation": "世帯主",
            "notifier_name": "山田 太郎", "notifier_kind": "same_household"}  # fmt: skip
    opened = client.post("/cases/new/move_within", data=form)
    assert opened.status_code == 302, opened.get_data(as_text=True)[:2000]
    case = setup_session.scalars(select(models.Case)).one()
    assert stored_notifier(setup_session, case.id)["kind"] == "same_household"
    approve(step, supervisor_a, case, "move_within")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "山田 太郎（世帯主・同一世帯員）" in page and 'name="notifier_name"' not in page
    printed = client.post(f"/cases/{case.id}/receipt-notice", data={"addressee": "auto"})
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    assert "届出人氏名山田太郎" in flat(pdf_text(printed.data))


def test_the_api_takes_the_notifier_with_the_intake_and_the_notice_needs_no_name(
    client: FlaskClient, db: Database, users_a: dict[str, models.User], step: Step, supervisor_a: Actor,
    notice_city: models.Municipality, setup_session: Session,
) -> None:  # fmt: skip
    headers = token_for(db, users_a)
    body = {
        "change_type": "move_in",
        "intake": {**move_in_intake(), "notifier": {"name": "転入 花子", "kind": "self"}},
    }
    opened = client.post("/api/cases", json=body, headers=headers)
    assert opened.status_code == 201, opened.get_json()
    case = setup_session.get(models.Case, opened.get_json()["id"])
    assert case is not None
    approve(step, supervisor_a, case, "move_in")
    printed = client.post(f"/api/cases/{case.id}/receipt-notice", json={}, headers=headers)
    assert printed.status_code == 200 and printed.mimetype == "application/pdf", printed.get_data()[:300]
    assert "届出人氏名転入花子" in flat(pdf_text(printed.data))
    wrong = client.post("/api/cases", json={**body, "intake": {**body["intake"], "notifier": {"name": "x" * 101}}},
                        headers=headers)  # fmt: skip
    assert wrong.status_code == 422 and wrong.get_json()["problems"][0]["field"] == "notifier_name"
