"""Each JSON door reads its items as the JSON types it documents: an item of another type answers 422 naming it,
nothing is written, and no value is stored as the text of a Python object (j1380, j1440).  Each case here was a
500 (or a silently stored value) found by schemathesis or a mutation fuzzer against the API."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.db import Database
from models import Case, Household, Resident, User
from models.certificate import CertificateIssuance
from tests.cases.test_move_in import intake
from tests.factories import default_address, japanese_member, make_household
from tests.web.test_residents_api import token_for

pytestmark = pytest.mark.req("j1380", "j1440")


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def problems_of(answer: Any) -> list[tuple[str, str]]:
    assert answer.status_code == 422, answer.get_data(as_text=True)
    return [(p["field"], p["code"]) for p in answer.get_json()["problems"]]


@pytest.mark.req("j1200")
@pytest.mark.parametrize("copies", [[None, None], "AAA", {"n": 1}, True, 1.5], ids=repr)
def test_certificate_request_with_copies_not_an_integer_answers_422_and_issues_nothing(
    client: FlaskClient, db: Database, users_a: dict[str, User], clerk_a: Any, setup_session: Session,
    copies: Any,
) -> None:  # fmt: skip
    head = make_household(db, clerk_a).members[0]
    body = {"certificate_type": "copy_individual", "subjects": [head.atena_number], "copies": copies}
    answer = client.post("/api/certificates", json=body, headers=token_for(db, users_a))
    assert problems_of(answer) == [("copies", "format")]
    problem = answer.get_json()["problems"][0]
    assert (problem["item"], problem["reason"], problem["remedy"]) == (
        "通数",
        "整数ではありません",
        "整数で指定してください",
    )
    assert count(setup_session, CertificateIssuance) == 0


@pytest.mark.req("j1200")
def test_certificate_request_items_of_another_type_are_each_named(
    client: FlaskClient, db: Database, users_a: dict[str, User]
) -> None:
    body = {"certificate_type": ["copy_individual"], "subjects": [{"atena_number": "1"}], "whole_household": "yes",
            "requester_name": {"name": "x"}, "purpose": 7}  # fmt: skip
    answer = client.post("/api/certificates", json=body, headers=token_for(db, users_a))
    assert {field for field, _code in problems_of(answer)} == {
        "certificate_type", "subjects", "whole_household", "requester_name", "purpose"
    }  # fmt: skip


@pytest.mark.req("j1200")
def test_a_requester_name_or_purpose_past_the_counters_limits_is_refused_through_the_api(
    client: FlaskClient, db: Database, users_a: dict[str, User], clerk_a: Any, setup_session: Session
) -> None:
    head = make_household(db, clerk_a).members[0]
    body = {"certificate_type": "copy_individual", "subjects": [head.atena_number], "requester_kind": "agent",
            "requester_name": "代" * 101, "purpose": "目" * 201}  # fmt: skip
    answer = client.post("/api/certificates", json=body, headers=token_for(db, users_a))
    assert set(problems_of(answer)) == {("requester_name", "too_long"), ("purpose", "too_long")}
    assert count(setup_session, CertificateIssuance) == 0


@pytest.mark.req("j60")
@pytest.mark.parametrize(
    ("household", "members", "field"),
    [
        (default_address(), "AAA", "members"),
        (default_address(), [1], "members"),
        (default_address(), [None], "members"),
        (default_address(), {"family_name": "山田"}, "members"),
        ("横浜市", [japanese_member()], "household"),
        ([default_address()], [japanese_member()], "household"),
    ],
    ids=[
        "members-text",
        "members-number",
        "members-null",
        "members-object",
        "household-text",
        "household-list",
    ],
)
def test_household_registration_with_members_or_household_in_another_shape_answers_422_and_writes_nothing(
    client: FlaskClient, db: Database, users_a: dict[str, User], setup_session: Session,
    household: Any, members: Any, field: str,
) -> None:  # fmt: skip
    body = {
        "household": household,
        "members": members,
        "reason_code": "domestic_move_in",
        "change_date": "2020-04-01",
    }
    answer = client.post("/api/households", json=body, headers=token_for(db, users_a))
    assert problems_of(answer) == [(field, "format")]
    assert count(setup_session, Household) == 0


@pytest.mark.req("j60")
@pytest.mark.parametrize("value", [["山田"], {"氏": "山田"}, True], ids=repr)
def test_a_members_item_sent_as_an_array_object_or_boolean_is_refused_not_stored_as_its_text(
    client: FlaskClient, db: Database, users_a: dict[str, User], setup_session: Session, value: Any
) -> None:
    body = {"household": default_address(), "members": [japanese_member(family_name=value)],
            "reason_code": "domestic_move_in", "change_date": "2020-04-01"}  # fmt: skip
    answer = client.post("/api/households", json=body, headers=token_for(db, users_a))
    assert ("members[0].family_name", "format") in problems_of(answer)
    assert count(setup_session, Resident) == 0


@pytest.mark.req("j60")
def test_household_request_items_of_another_type_answer_422(
    client: FlaskClient, db: Database, users_a: dict[str, User]
) -> None:
    body = {"household": default_address(), "members": [japanese_member()], "reason_code": ["domestic_move_in"],
            "change_date": {"y": 2020}, "note": 3}  # fmt: skip
    answer = client.post("/api/households", json=body, headers=token_for(db, users_a))
    assert {field for field, _code in problems_of(answer)} == {"reason_code", "change_date", "note"}


@pytest.mark.req("j530")
@pytest.mark.parametrize(
    ("item", "value"),
    [
        ("former_address", "長野県佐久市"),
        ("former_address", True),
        ("move_out_certificate", True),
        ("members", True),
        ("members", "転入 太郎"),
        ("members", [{"family_name": ["転入"]}]),
        ("household", "横浜市"),
        ("atena_numbers", "0000000019"),
        ("change_date", ["2026-01-01"]),
        ("note", {"text": "x"}),
    ],
)
def test_case_intake_item_in_another_shape_answers_422_and_opens_no_case(
    client: FlaskClient, db: Database, users_a: dict[str, User], setup_session: Session, item: str, value: Any
) -> None:
    body = {"change_type": "move_in", "intake": {**intake(), item: value}}
    answer = client.post("/api/cases", json=body, headers=token_for(db, users_a))
    assert problems_of(answer) == [(f"intake.{item}", "intake_format")]
    assert count(setup_session, Case) == 0


@pytest.mark.req("j530")
@pytest.mark.parametrize(
    ("change_type", "item", "value"),
    [
        ("move_out", "destination", "202177"),
        ("move_within", "destination", ["keep"]),
        ("move_within", "address", True),
        ("move_within", "address", "横浜市中区"),
        ("birth", "member", "子"),
        ("minor_correction", "changes", ["family_name"]),
        ("change_cancellation", "atena_numbers", True),
    ],
)
def test_an_intake_of_any_change_type_in_another_shape_answers_422(
    client: FlaskClient, db: Database, users_a: dict[str, User], clerk_a: Any, setup_session: Session,
    change_type: str, item: str, value: Any,
) -> None:  # fmt: skip
    numbers = [m.atena_number for m in make_household(db, clerk_a).members]
    body = {
        "change_type": change_type,
        "intake": {"atena_numbers": numbers, "change_date": "2026-01-05", item: value},
    }
    answer = client.post("/api/cases", json=body, headers=token_for(db, users_a))
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert item in {p["field"].removeprefix("intake.") for p in answer.get_json()["problems"]}
    assert count(setup_session, Case) == 0


@pytest.mark.req("j530")
@pytest.mark.parametrize(
    "body",
    [{"decision": "approve", "acknowledgements": 5}, {"decision": "approve", "acknowledgements": "abc"},
     {"decision": ["approve"]}, {"decision": "reject", "reason": {"text": "x"}}, {"intake": "再入力"}],
    ids=["acks-number", "acks-text", "decision-list", "reason-object", "intake-text"],
)  # fmt: skip
def test_task_completion_items_of_another_type_answer_422_before_the_task_is_touched(
    client: FlaskClient, db: Database, users_a: dict[str, User], body: dict[str, Any]
) -> None:
    opened = client.post("/api/cases", json={"change_type": "move_in", "intake": intake()},
                         headers=token_for(db, users_a)).get_json()  # fmt: skip
    supervisor = token_for(db, users_a, "supervisor")
    review = next(t for t in opened["tasks"] if t["state"] == "ready")
    answer = client.post(f"/api/tasks/{review['id']}/complete", json=body, headers=supervisor)
    assert answer.status_code == 422 and answer.get_json()["problems"][0]["code"] == "format"
    view = client.get(f"/api/cases/{opened['id']}", headers=supervisor).get_json()
    assert [t["state"] for t in view["tasks"]] == ["completed", "ready"]


@pytest.mark.req("j1180")
@pytest.mark.parametrize("data", ['["nhi"]', '"nhi"', "{not json"], ids=["list", "text", "broken"])
def test_an_inquiry_body_that_is_not_an_object_answers_422_instead_of_asking_every_system(
    client: FlaskClient, db: Database, users_a: dict[str, User], clerk_a: Any, data: str
) -> None:
    head = make_household(db, clerk_a).members[0]
    answer = client.post(
        f"/api/residents/{head.atena_number}/other-systems/inquiries",
        data=data,
        headers={**token_for(db, users_a), "Content-Type": "application/json"},
    )
    assert problems_of(answer) == [("body", "format")]


@pytest.mark.req("j530")
def test_a_cancel_reason_longer_than_its_column_answers_422_and_the_case_stays_open(
    client: FlaskClient, db: Database, users_a: dict[str, User]
) -> None:
    headers = token_for(db, users_a)
    opened = client.post("/api/cases", json={"change_type": "move_in", "intake": intake()}, headers=headers)
    case_id = opened.get_json()["id"]
    answer = client.post(f"/api/cases/{case_id}/cancel", json={"reason": "理" * 401}, headers=headers)
    assert problems_of(answer) == [("reason", "too_long")]
    assert client.get(f"/api/cases/{case_id}", headers=headers).get_json()["case"]["status"] == "running"
