"""The JSON API under hostile input, whatever the endpoint: an error is always the project's JSON shape (never
Werkzeug's HTML page), ids past the database's integer are missing ids, text no database can store and numbers
no item holds are refused with the item named, a body that is not JSON is not read as JSON, and an unexpected
failure writes nothing (j1380, j1440).  Found by running schemathesis against /api/openapi.json."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.db import Database
from models import Case, Household, User
from models.certificate import CertificateIssuance
from tests.certificates.conftest import OFFICIALS
from tests.factories import default_address, japanese_member, make_household
from tests.web.conftest import login_as
from tests.web.test_residents_api import token_for

pytestmark = pytest.mark.req("j1380", "j1440")

LARGEST = 2**31 - 1  # PostgreSQL integer: every id column


def post_raw(client: FlaskClient, path: str, headers: dict[str, str], data: str | bytes) -> Any:
    return client.post(path, data=data, headers={**headers, "Content-Type": "application/json"})


def households(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Household)) or 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"/api/cases/{LARGEST + 1}"),
        ("get", "/api/cases/8380083552474112298606326454419456"),
        ("post", "/api/tasks/272097016419018997760/claim"),
        ("post", f"/api/cases/{2**63}/my-number/ask-again"),
        ("get", f"/api/wide-area-requests/{LARGEST + 1}"),
        ("post", "/api/wide-area-requests/1125899906842625/print"),
    ],
)
def test_an_id_past_the_database_integer_answers_404_json_as_a_missing_id(
    client: FlaskClient, db: Database, users_a: dict[str, User], method: str, path: str
) -> None:
    headers = token_for(db, users_a, "supervisor")
    answer = getattr(client, method)(path, headers=headers)
    missing = getattr(client, method)(path.replace(path.split("/")[3], "999999"), headers=headers)
    assert answer.status_code == 404 and answer.is_json
    assert answer.get_json()["error"] == missing.get_json()["error"] == "not_found"


def test_a_method_the_path_does_not_take_answers_405_json_with_the_allowed_methods(
    client: FlaskClient, db: Database, users_a: dict[str, User]
) -> None:
    answer = client.delete("/api/cases", headers=token_for(db, users_a))
    assert answer.status_code == 405 and answer.is_json
    assert answer.get_json()["error"] == "method_not_allowed" and answer.get_json()["message"]
    assert "POST" in answer.headers["Allow"]


def test_an_unexpected_failure_answers_500_json_and_writes_nothing(
    app: Flask, client: FlaskClient, db: Database, users_a: dict[str, User], setup_session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import webui.api.residents as door

    def register_then_fail(*args: Any, **kwargs: Any) -> Any:
        door_register(*args, **kwargs)
        raise RuntimeError("a defect after the write")

    door_register = door.register_household
    monkeypatch.setattr(door, "register_household", register_then_fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    before = households(setup_session)
    body = {"household": default_address(), "members": [japanese_member()], "reason_code": "domestic_move_in",
            "change_date": "2020-04-01"}  # fmt: skip
    answer = client.post("/api/households", json=body, headers=token_for(db, users_a))
    assert answer.status_code == 500 and answer.is_json
    assert answer.get_json() == {
        "error": "internal_error",
        "message": "システムの内部でエラーが発生しました。入力は登録されていません。",
    }
    assert households(setup_session) == before


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("代理\x00三郎", "invalid_character"),
        ("\ud800", "invalid_character"),
        (LARGEST + 1, "out_of_range"),
        (-(10**30), "out_of_range"),
    ],
)
def test_a_nul_a_lone_surrogate_or_an_integer_past_the_database_answers_422_naming_the_item(
    client: FlaskClient, db: Database, users_a: dict[str, User], setup_session: Session, value: Any, code: str
) -> None:
    member = japanese_member(given_name=value)
    body = {"household": default_address(), "members": [member], "reason_code": "domestic_move_in",
            "change_date": "2020-04-01"}  # fmt: skip
    answer = post_raw(client, "/api/households", token_for(db, users_a), json.dumps(body))
    assert answer.status_code == 422, answer.get_data(as_text=True)
    problems = answer.get_json()["problems"]
    assert [(p["field"], p["code"]) for p in problems] == [("members[0].given_name", code)]
    assert households(setup_session) == 0


def test_a_nul_in_the_query_or_the_path_answers_422(
    client: FlaskClient, db: Database, users_a: dict[str, User]
) -> None:
    headers = token_for(db, users_a)
    in_query = client.get("/api/residents", query_string={"kana": "ヤマ\x00ダ"}, headers=headers)
    in_path = client.get("/api/residents/00000%0000019", headers=headers)
    assert [in_query.status_code, in_path.status_code] == [422, 422]
    assert in_query.get_json()["problems"][0]["field"] == "kana"
    assert in_path.get_json()["problems"][0]["code"] == "invalid_character"


def test_a_nul_in_a_page_form_is_refused_before_the_view(client: FlaskClient) -> None:
    answer = client.post("/login", data={"login_id": "clerk\x00", "password": "x"})
    assert answer.status_code == 422 and "使えない文字" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    "data",
    [
        '{"change_type": NaN}',
        '{"change_type": "move_in", "intake": {"x": Infinity}}',
        "[1e999]",
        "[" * 100_000 + "]" * 100_000,
        "not json",
        b"\xff\xfe{}",
    ],  # fmt: skip
    ids=["nan", "infinity", "overflow", "deep", "text", "not-utf8"],
)
def test_a_body_that_is_not_json_answers_422_and_opens_no_case(
    client: FlaskClient, db: Database, users_a: dict[str, User], setup_session: Session, data: str | bytes
) -> None:
    answer = post_raw(client, "/api/cases", token_for(db, users_a), data)
    assert answer.status_code == 422
    assert [p["field"] for p in answer.get_json()["problems"]] == ["body"]
    assert setup_session.scalars(select(Case)).all() == []


@pytest.mark.parametrize("body", [[1, 2], "move_in", 3, None, True], ids=repr)
def test_a_json_body_that_is_not_an_object_answers_422(
    client: FlaskClient, db: Database, users_a: dict[str, User], body: Any
) -> None:
    headers = token_for(db, users_a)
    for path in ("/api/cases", "/api/households", "/api/certificates", "/api/wide-area-requests"):
        answer = post_raw(client, path, headers, json.dumps(body))
        assert answer.status_code == 422, path
        assert answer.get_json()["problems"][0]["field"] == "body", path


def test_a_body_with_another_content_type_is_not_read_as_json(
    client: FlaskClient, db: Database, users_a: dict[str, User]
) -> None:
    answer = client.post(
        "/api/cases",
        data='{"change_type": "move_in", "intake": {}}',
        headers={**token_for(db, users_a), "Content-Type": "text/plain"},
    )
    assert answer.status_code == 422 and answer.get_json()["problems"][0]["field"] == "body"


def test_a_body_past_the_api_limit_answers_413_json(
    client: FlaskClient, db: Database, users_a: dict[str, User]
) -> None:
    answer = post_raw(
        client, "/api/cases", token_for(db, users_a), '{"x": "' + "a" * (5 * 1024 * 1024) + '"}'
    )
    assert answer.status_code == 413 and answer.get_json()["error"] == "request_too_large"


def test_characters_beyond_the_bmp_are_kept_as_sent(
    client: FlaskClient, db: Database, users_a: dict[str, User]
) -> None:
    member = japanese_member(family_name="𠮷田", given_name="🍣太郎")
    body = {"household": default_address(address="神奈川県横浜市中区港町1丁目1番地 𠮷野ハイツ"), "members": [member],
            "reason_code": "domestic_move_in", "change_date": "2020-04-01"}  # fmt: skip
    headers = token_for(db, users_a)
    created = client.post("/api/households", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    atena_number = created.get_json()["members"][0]["atena_number"]
    record = client.get(f"/api/residents/{atena_number}", headers=headers).get_json()
    items = {i["field"]: i["value"] for s in record["sections"] for i in s["items"]}
    assert (items["family_name"], items["given_name"]) == ("𠮷田", "🍣太郎")
    assert "𠮷野ハイツ" in record["address"]


@pytest.mark.req("j1380")
def test_a_token_of_a_stopped_user_is_refused_with_401(
    client: FlaskClient, db: Database, users_a: dict[str, User], setup_session: Session
) -> None:
    headers = token_for(db, users_a)
    assert client.get("/api/me", headers=headers).status_code == 200
    users_a["clerk"].active = False
    setup_session.flush()
    refused = client.get("/api/me", headers=headers)
    assert refused.status_code == 401 and refused.get_json()["error"] == "unauthorized"


@pytest.mark.req("j230")
def test_a_terminal_name_longer_than_its_columns_answers_422_before_anything_is_written(
    client: FlaskClient, db: Database, users_a: dict[str, User], clerk_a: Any, setup_session: Session
) -> None:
    head = make_household(db, clerk_a).members[0]
    body = {"certificate_type": "copy_individual", "subjects": [head.atena_number]}
    headers = {**token_for(db, users_a), "X-Terminal-Id": "T" * 61}
    answer = client.post("/api/certificates", json=body, headers=headers)
    assert answer.status_code == 422 and answer.get_json()["problems"][0]["field"] == "X-Terminal-Id"
    assert setup_session.scalar(select(func.count()).select_from(CertificateIssuance)) == 0
    login_as(client, users_a["clerk"])
    assert client.get("/residents/", headers={"X-Terminal-Id": "T" * 61}).status_code == 422


@pytest.mark.req("j230")
def test_a_terminal_name_sent_in_utf8_is_kept_as_its_text(
    client: FlaskClient,
    db: Database,
    users_a: dict[str, User],
    clerk_a: Any,
    setup_session: Session,
    city_a: Any,
) -> None:
    city_a.settings = {**(city_a.settings or {}), "officials": OFFICIALS}
    setup_session.flush()
    head = make_household(db, clerk_a).members[0]
    body = {"certificate_type": "copy_individual", "subjects": [head.atena_number]}
    as_sent = "窓口1番".encode().decode("latin-1")  # how WSGI hands over UTF-8 header bytes
    answer = client.post(
        "/api/certificates", json=body, headers={**token_for(db, users_a), "X-Terminal-Id": as_sent}
    )
    assert answer.status_code == 201, answer.get_json()
    issued = setup_session.scalars(select(CertificateIssuance)).one()
    assert issued.terminal == "窓口1番"
