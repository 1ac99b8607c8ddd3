"""個人番号の職権による変更 (番号法施行令第4条第1項) and 職権修正 through 住基ネット CS (j900, j1130): opened at the
counter or through the API with no number, the 変更要求 says 職権, the case waits for CS's answer, and the number
CS answers is written with the history row; an error answer is asked again or the case withdrawn."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from handlers.cases import doors
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ConflictError
from handlers.uow import unit_of_work
from models import AccessLog, Case, Household, Municipality, OutboxMessage, Resident, User
from tests import factories
from tests.juki_net.fake_cs import FakeCs
from tests.juki_net.test_my_number_requests import approved, case_state, person, states, take_files
from tests.web.test_residents_api import token_for

pytestmark = pytest.mark.req("j900", "j1130")
LEAKED = "個人番号が漏えいし、不正に用いられるおそれがあると認めた（警察からの通報）"


def ex_officio_change(atena_number: str, decided: str) -> dict[str, Any]:
    return {"atena_number": atena_number, "kind": "ex_officio_change", "decision_date": decided,
            "ex_officio_record": LEAKED, "notify_person": True}  # fmt: skip


def approve_through_api(
    client: FlaskClient, db: Database, users: dict[str, User], intake: dict[str, Any]
) -> int:
    """The case opened by ``POST /api/cases`` and approved by the supervisor through the API."""
    clerk, supervisor = token_for(db, users, "clerk"), token_for(db, users, "supervisor")
    opened = client.post(
        "/api/cases", json={"change_type": "my_number_change", "intake": intake}, headers=clerk
    )
    assert opened.status_code == 201, opened.get_json()
    case = opened.get_json()
    [review] = [t for t in case["tasks"] if t["bpmn_id"] == "review_my_number_change"]
    client.post(f"/api/tasks/{review['id']}/claim", json={}, headers=supervisor)
    done = client.post(
        f"/api/tasks/{review['id']}/complete", json={"decision": "approve"}, headers=supervisor
    )
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "waiting"
    return int(case["id"])


def test_an_ex_officio_change_opened_through_the_api_is_generated_by_cs_and_written_with_its_history_row(
    cs_line: Database, city_a: Municipality, users_a: dict[str, User], clerk_a: Actor, family: Household,
    fake_cs: FakeCs, client: FlaskClient,
) -> None:  # fmt: skip
    taro = family.members[0]
    decided = (japan_today() - dt.timedelta(days=2)).isoformat()
    case_id = approve_through_api(client, cs_line, users_a, ex_officio_change(taro.atena_number, decided))
    [sent] = fake_cs.received("my_number_request")
    asked = sent.payload
    assert (asked["basis"], asked["generate"], asked["change_kind"], asked["decision_date"]) == (
        "ex_officio", "True", "ex_officio_change", decided)  # fmt: skip
    assert asked["legal_basis"] == "番号法第7条第2項、番号法施行令第4条第1項"
    assert "claim_date" not in asked and "my_number" not in asked
    assert asked["previous_my_number"] == taro.my_number
    assert states(cs_line, clerk_a) == [
        ("個人番号変更要求（職権による変更）", taro.atena_number, "sent", None)
    ]
    assert person(cs_line, clerk_a, taro.atena_number)[0].my_number == taro.my_number

    number = factories.valid_my_number()
    fake_cs.answer_requests(
        "my_number_request", {taro.atena_number: {"my_number": number}}, "my_number_result"
    )
    assert "個人番号の生成・変更要求の応答 1 件" in take_files(cs_line, city_a, fake_cs)
    resident, rows = person(cs_line, clerk_a, taro.atena_number)
    assert resident.my_number == number
    row = rows[-1]
    assert (row.change_reason, row.claim_date, row.case_id, row.snapshot["my_number"]) == (
        "my_number_ex_officio_correction", None, case_id, number)  # fmt: skip
    note = row.note or ""
    assert "個人番号の職権による変更（番号法第7条第2項、番号法施行令第4条第1項、職権決定日 " + decided in note
    assert "住基ネットで生成された個人番号" in note and LEAKED in note
    assert case_state(cs_line, clerk_a, case_id) == ("running", ["issue_documents"])
    view = client.get(f"/api/cases/{case_id}", headers=token_for(cs_line, users_a)).get_json()
    assert view["pending_change"]["result"]["documents"] == ["ex_officio_notice"]
    with unit_of_work(cs_line, clerk_a) as uow:
        logged = uow.session.scalars(select(AccessLog).where(AccessLog.function == "my_number_changed")).one()
    assert (logged.my_number_shown, (logged.detail or {})["change_kind"]) == (True, "ex_officio_change")


@pytest.mark.parametrize(("kind", "code"), [("ex_officio_change", "generated_by_cs"),
                                            ("ex_officio_correction", "held_by_cs")])  # fmt: skip
def test_a_number_typed_for_an_ex_officio_kind_is_refused_by_the_api_and_nothing_is_opened(
    cs_line: Database, users_a: dict[str, User], clerk_a: Actor, family: Household, client: FlaskClient,
    kind: str, code: str,
) -> None:  # fmt: skip
    intake = {"atena_number": family.members[0].atena_number, "kind": kind, "ex_officio_record": LEAKED,
              "my_number": factories.valid_my_number()}  # fmt: skip
    refused = client.post("/api/cases", json={"change_type": "my_number_change", "intake": intake},
                          headers=token_for(cs_line, users_a))  # fmt: skip
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["error"] == "validation_failed"
    [problem] = body["problems"]
    assert (problem["field"], problem["code"]) == ("my_number", code)
    assert "住基ネット（J-LIS）" in problem["reason"] and "入力せずに" in problem["remedy"]
    with unit_of_work(cs_line, clerk_a) as uow:
        assert uow.session.scalars(select(Case)).all() == []


def test_an_ex_officio_change_cs_refuses_is_asked_again_through_the_api_and_then_written(
    cs_line: Database, city_a: Municipality, users_a: dict[str, User], clerk_a: Actor, family: Household,
    fake_cs: FakeCs, client: FlaskClient,
) -> None:  # fmt: skip
    hanako = family.members[1]
    decided = japan_today().isoformat()
    case_id = approve_through_api(client, cs_line, users_a, ex_officio_change(hanako.atena_number, decided))
    clerk = token_for(cs_line, users_a)
    early = client.post(f"/api/cases/{case_id}/my-number/ask-again", json={}, headers=clerk)
    assert early.status_code == 409 and "エラーを返した後にだけ" in early.get_json()["message"]
    fake_cs.answer_requests("my_number_request", {hanako.atena_number: {"result": "refused", "error": "受付停止中"}},
                            "my_number_result")  # fmt: skip
    take_files(cs_line, city_a, fake_cs)
    assert person(cs_line, clerk_a, hanako.atena_number)[0].my_number == hanako.my_number
    assert case_state(cs_line, clerk_a, case_id) == ("waiting", ["await_generated_number"])
    label = "個人番号変更要求（職権による変更）"
    assert states(cs_line, clerk_a) == [(label, hanako.atena_number, "failed", "CSでエラー：受付停止中")]

    again = client.post(f"/api/cases/{case_id}/my-number/ask-again", json={}, headers=clerk)
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["request_key"].endswith(":my_number_change:2")
    second = fake_cs.received("my_number_request")[-1].payload
    assert (second["basis"], second["generate"], second["decision_date"], second["reason"]) == (
        "ex_officio", "True", decided, "my_number_ex_officio_correction")  # fmt: skip
    number = factories.valid_my_number()
    fake_cs.send("my_number_result", {"results": [
        {"request_key": second["request_key"], "result": "done", "my_number": number}]})  # fmt: skip
    take_files(cs_line, city_a, fake_cs)
    resident, rows = person(cs_line, clerk_a, hanako.atena_number)
    assert (resident.my_number, rows[-1].change_reason) == (number, "my_number_ex_officio_correction")
    assert case_state(cs_line, clerk_a, case_id) == ("running", ["issue_documents"])


def test_an_ex_officio_change_withdrawn_after_cs_refused_takes_no_late_number(
    cs_line: Database, city_a: Municipality, clerk_a: Actor, supervisor_a: Actor, family: Household,
    fake_cs: FakeCs,
) -> None:  # fmt: skip
    taro = family.members[0]
    intake = ex_officio_change(taro.atena_number, japan_today().isoformat())
    case_id = approved(cs_line, clerk_a, supervisor_a, "my_number_change", intake)
    with unit_of_work(cs_line, supervisor_a) as uow, pytest.raises(ConflictError, match="応答していない"):
        doors.cancel(uow, case_id, "漏えいの事実がなかった")
    fake_cs.answer_requests("my_number_request", {taro.atena_number: {"result": "refused", "error": "停止中"}},
                            "my_number_result")  # fmt: skip
    take_files(cs_line, city_a, fake_cs)
    with unit_of_work(cs_line, supervisor_a) as uow:
        doors.cancel(uow, case_id, "漏えいの事実がなかった")
    assert case_state(cs_line, clerk_a, case_id) == ("cancelled", [])
    fake_cs.answer_requests("my_number_request", {taro.atena_number: {"my_number": factories.valid_my_number()}},
                            "my_number_result")  # fmt: skip
    assert "取り消されています" in take_files(cs_line, city_a, fake_cs)
    assert person(cs_line, clerk_a, taro.atena_number)[0].my_number == taro.my_number


@pytest.mark.parametrize(
    ("answer", "reason"),
    [("recorded", "現在の個人番号と同じです"), ("wrong_digit", "検査用数字が一致しません"), ("none", "保有する個人番号がありません")],
)  # fmt: skip
def test_a_correction_answer_that_cannot_be_the_persons_number_refuses_the_file_and_the_case_keeps_waiting(
    cs_line: Database, city_a: Municipality, clerk_a: Actor, supervisor_a: Actor, family: Household,
    fake_cs: FakeCs, answer: str, reason: str,
) -> None:  # fmt: skip
    taro = family.members[0]
    intake = {
        "atena_number": taro.atena_number,
        "kind": "ex_officio_correction",
        "ex_officio_record": "誤記の修正",
    }
    case_id = approved(cs_line, clerk_a, supervisor_a, "my_number_change", intake)
    good = factories.valid_my_number()
    given = {"recorded": taro.my_number, "wrong_digit": good[:-1] + str((int(good[-1]) + 1) % 10), "none": ""}
    fake_cs.answer_requests("my_number_request", {taro.atena_number: {"my_number": given[answer]}},
                            "my_number_result")  # fmt: skip
    output = take_files(cs_line, city_a, fake_cs)
    assert "取込不可" in output and reason in output
    resident, rows = person(cs_line, clerk_a, taro.atena_number)
    assert resident.my_number == taro.my_number and rows[-1].change_reason == "domestic_move_in"
    assert case_state(cs_line, clerk_a, case_id) == ("waiting", ["await_generated_number"])


def test_a_record_of_a_missing_number_writes_the_number_cs_holds_as_the_ex_officio_record(
    cs_line: Database, city_a: Municipality, clerk_a: Actor, supervisor_a: Actor, family: Household,
    fake_cs: FakeCs,
) -> None:  # fmt: skip
    ichiro = family.members[2]
    with unit_of_work(cs_line, clerk_a) as uow:
        uow.session.scalars(
            select(Resident).where(Resident.atena_number == ichiro.atena_number)
        ).one().my_number = None
    intake = {
        "atena_number": ichiro.atena_number,
        "kind": "ex_officio_record",
        "ex_officio_record": "記載漏れ",
    }
    case_id = approved(cs_line, clerk_a, supervisor_a, "my_number_change", intake)
    [sent] = fake_cs.received("my_number_request")
    assert (sent.payload["generate"], sent.payload["basis"], sent.payload.get("previous_my_number")) == (
        "False", "ex_officio", None)  # fmt: skip
    held = factories.valid_my_number()
    fake_cs.answer_requests(
        "my_number_request", {ichiro.atena_number: {"my_number": held}}, "my_number_result"
    )
    take_files(cs_line, city_a, fake_cs)
    resident, rows = person(cs_line, clerk_a, ichiro.atena_number)
    assert (resident.my_number, rows[-1].change_reason, rows[-1].case_id) == (
        held, "my_number_ex_officio_record", case_id)  # fmt: skip


def test_a_correction_whose_change_request_carried_its_typed_number_is_only_acknowledged_by_cs(
    cs_line: Database, city_a: Municipality, clerk_a: Actor, supervisor_a: Actor, family: Household,
    fake_cs: FakeCs,
) -> None:  # fmt: skip
    """A 職権修正 registered by the earlier release wrote its typed number at 本登録 and sent it on the 変更要求:
    CS's answer to it writes nothing more."""
    taro = family.members[0]
    intake = {
        "atena_number": taro.atena_number,
        "kind": "ex_officio_correction",
        "ex_officio_record": "誤記の修正",
    }
    case_id = approved(cs_line, clerk_a, supervisor_a, "my_number_change", intake)
    typed = factories.valid_my_number()
    with unit_of_work(cs_line, clerk_a) as uow:
        message = uow.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id)).one()
        message.payload = {**message.payload, "my_number": typed}
    fake_cs.answer_requests("my_number_request", {taro.atena_number: {"my_number": factories.valid_my_number()}},
                            "my_number_result")  # fmt: skip
    assert "個人番号の生成・変更要求の応答 1 件" in take_files(cs_line, city_a, fake_cs)
    resident, rows = person(cs_line, clerk_a, taro.atena_number)
    assert resident.my_number == taro.my_number and rows[-1].change_reason == "domestic_move_in"
    assert states(cs_line, clerk_a)[0][2] == "done"


def test_the_openapi_document_describes_the_my_number_change_intake_and_the_ask_again_door(
    cs_line: Database, users_a: dict[str, User], client: FlaskClient
) -> None:
    document = client.get("/api/openapi.json", headers=token_for(cs_line, users_a)).get_json()
    intake = document["components"]["schemas"]["MyNumberChangeIntake"]
    assert intake["properties"]["kind"]["enum"] == [
        "change_request", "ex_officio_change", "ex_officio_correction", "ex_officio_record"]  # fmt: skip
    assert {"decision_date", "claim_date", "ex_officio_record"} <= set(intake["properties"])
    assert "my_number" not in intake["properties"]
    assert "post" in document["paths"]["/api/cases/{case_id}/my-number/ask-again"]
