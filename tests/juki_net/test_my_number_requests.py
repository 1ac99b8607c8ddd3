"""個人番号の生成・変更・修正要求 (j1130): a person recorded without a 個人番号 gets a 生成要求 sent to CS with
the registration, the number CS generates is taken in (check digit, history row), and a 変更請求 / 職権修正 of
the 個人番号 sends the 変更要求 and is followed until CS answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.cases import doors
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.juki_net.person_requests import person_request_list
from handlers.residents.resident_code_pool import load_pool
from handlers.uow import unit_of_work
from models import (
    AccessLog,
    Case,
    CaseTask,
    CsPersonRequest,
    Household,
    Municipality,
    OutboxMessage,
    Resident,
    User,
)
from models.resident import ResidentHistory
from tests import factories
from tests.juki_net.fake_cs import FakeCs, take_files
from tests.web.conftest import login_as

pytestmark = pytest.mark.req("j1130")
KINDS = ("my_number_generation", "my_number_change")


def approved(db: Database, clerk: Actor, supervisor: Actor, code: str, intake: dict[str, Any]) -> int:
    """A case of ``code`` entered and approved (本登録, notices queued and delivered after commit)."""
    with unit_of_work(db, clerk) as uow:
        case_id = doors.open_case(uow, code, intake).id
    with unit_of_work(db, supervisor) as uow:
        task = uow.session.scalars(
            select(CaseTask).where(CaseTask.case_id == case_id, CaseTask.bpmn_id == f"review_{code}")
        ).one()
        doors.approve(uow, task.id, [])
    return case_id


def register_birth(
    db: Database,
    setup_session: Session,
    city: Municipality,
    clerk: Actor,
    supervisor: Actor,
    family: Household,
) -> str:
    """A child born into the family (出生): registered without a 個人番号; the child's 宛名番号."""
    city.settings = {"resident_code_pool_alert": 1}
    setup_session.flush()
    with unit_of_work(db, supervisor) as uow:
        load_pool(uow, [factories.valid_resident_code() for _ in range(3)])
    child = {"resident_kind": "japanese", "family_name": "山田", "given_name": "次郎", "family_name_kana": "ヤマダ",
             "given_name_kana": "ジロウ", "birth_date": (japan_today() - dt.timedelta(days=3)).isoformat(), "sex": "1",
             "relation_to_head": "子"}  # fmt: skip
    intake = {"household_number": family.household_number, "member": child,
              "copy_koseki_from": family.members[0].atena_number,
              "ex_officio_record": "出生届の送付を受け、職権で住民票を記載した", "notify_person": True}  # fmt: skip
    case_id = approved(db, clerk, supervisor, "birth", intake)
    with unit_of_work(db, clerk) as uow:
        return str(uow.session.scalars(select(CsPersonRequest.atena_number).where(
            CsPersonRequest.case_id == case_id)).one())  # fmt: skip


def states(db: Database, actor: Actor) -> list[tuple[str, str | None, str, str | None]]:
    with unit_of_work(db, actor) as uow:
        return [(r.kind_label, r.atena_number, r.status, r.error) for r in person_request_list(uow, KINDS)]


def person(db: Database, actor: Actor, atena_number: str) -> tuple[Resident, list[ResidentHistory]]:
    with unit_of_work(db, actor) as uow:
        resident = uow.session.scalars(select(Resident).where(Resident.atena_number == atena_number)).one()
        rows = uow.session.scalars(select(ResidentHistory).where(ResidentHistory.atena_number == atena_number)
                                   .order_by(ResidentHistory.history_no)).all()  # fmt: skip
        return resident, list(rows)


def test_a_birth_sends_cs_a_generation_request_and_the_generated_number_is_recorded_with_a_history_row(
    cs_line: Database, setup_session: Session, city_a: Municipality, clerk_a: Actor, supervisor_a: Actor,
    family: Household, fake_cs: FakeCs,
) -> None:  # fmt: skip
    child = register_birth(cs_line, setup_session, city_a, clerk_a, supervisor_a, family)
    assert [(f.kind, f.payload["atena_number"]) for f in fake_cs.received()] == [
        ("identity_change", child),
        ("card_destination", child),
        ("my_number_generation", child),
    ]  # the family's members, who hold a 個人番号, get none
    [asked] = fake_cs.received("my_number_generation")
    assert asked.payload["name"] == "山田 次郎" and asked.payload["resident_code"]
    assert states(cs_line, clerk_a) == [("個人番号生成要求", child, "sent", None)]

    number = factories.valid_my_number()
    fake_cs.generate_my_numbers({child: number})
    assert "個人番号の生成・変更要求の応答 1 件" in take_files(cs_line, city_a, fake_cs)
    resident, rows = person(cs_line, clerk_a, child)
    assert resident.my_number == number
    assert [(r.change_reason, r.snapshot["my_number"]) for r in rows] == [
        ("birth", None),
        ("my_number_ex_officio_record", number),
    ]
    assert "住基ネットで生成された個人番号の記載" in (rows[-1].note or "")
    assert states(cs_line, clerk_a) == [("個人番号生成要求", child, "done", None)]
    with unit_of_work(cs_line, clerk_a) as uow:
        logged = set(uow.session.scalars(select(AccessLog.function).where(AccessLog.targets.is_not(None))))
    assert {"cs_person_answers_received", "cs_person_requests_listed"} <= logged


def test_a_generated_number_with_a_wrong_check_digit_refuses_the_file_and_records_nothing(
    cs_line: Database, setup_session: Session, city_a: Municipality, clerk_a: Actor, supervisor_a: Actor,
    family: Household, fake_cs: FakeCs,
) -> None:  # fmt: skip
    child = register_birth(cs_line, setup_session, city_a, clerk_a, supervisor_a, family)
    good = factories.valid_my_number()
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
    fake_cs.generate_my_numbers({child: wrong})
    output = take_files(cs_line, city_a, fake_cs)
    assert "取込不可" in output and "検査用数字が一致しません" in output
    resident, rows = person(cs_line, clerk_a, child)
    assert resident.my_number is None and [r.change_reason for r in rows] == ["birth"]
    assert states(cs_line, clerk_a) == [("個人番号生成要求", child, "sent", None)]


def test_a_number_cs_refuses_to_generate_shows_the_request_failed_with_cs_reason(
    cs_line: Database, setup_session: Session, city_a: Municipality, clerk_a: Actor, supervisor_a: Actor,
    family: Household, fake_cs: FakeCs,
) -> None:  # fmt: skip
    child = register_birth(cs_line, setup_session, city_a, clerk_a, supervisor_a, family)
    fake_cs.generate_my_numbers({}, refuse={child: "住民票コードが登録されていません"})
    take_files(cs_line, city_a, fake_cs)
    assert states(cs_line, clerk_a) == [
        ("個人番号生成要求", child, "failed", "CSでエラー：住民票コードが登録されていません")
    ]
    assert person(cs_line, clerk_a, child)[0].my_number is None


def test_a_correction_of_the_number_asks_cs_for_the_number_it_holds_and_writes_that_number(
    cs_line: Database, city_a: Municipality, clerk_a: Actor, supervisor_a: Actor, family: Household,
    fake_cs: FakeCs,
) -> None:  # fmt: skip
    taro = family.members[0]
    held = factories.valid_my_number()  # the number J-LIS designated; the record holds a mistyped one
    intake: dict[str, Any] = {"atena_number": taro.atena_number, "kind": "ex_officio_correction",
                              "ex_officio_record": "個人番号の誤記を職権で修正した"}  # fmt: skip
    case_id = approved(cs_line, clerk_a, supervisor_a, "my_number_change", intake)
    [sent] = fake_cs.received("my_number_request")
    assert (sent.payload["atena_number"], sent.payload["basis"], sent.payload["generate"]) == (
        taro.atena_number, "ex_officio", "False")  # fmt: skip
    assert "my_number" not in sent.payload and sent.payload["previous_my_number"] == taro.my_number
    label = "個人番号変更要求（職権修正（誤記））"
    assert states(cs_line, clerk_a) == [(label, taro.atena_number, "sent", None)]
    assert fake_cs.received("my_number_generation") == []  # the person holds a number: no 生成要求
    assert case_state(cs_line, clerk_a, case_id) == ("waiting", ["await_generated_number"])

    fake_cs.answer_requests("my_number_request", {taro.atena_number: {"my_number": held}}, "my_number_result")
    assert "個人番号の生成・変更要求の応答 1 件" in take_files(cs_line, city_a, fake_cs)
    assert states(cs_line, clerk_a) == [(label, taro.atena_number, "done", None)]
    resident, rows = person(cs_line, clerk_a, taro.atena_number)
    assert resident.my_number == held
    assert (rows[-1].change_reason, rows[-1].case_id) == ("my_number_ex_officio_correction", case_id)
    assert "住基ネット（J-LIS）が保有する個人番号" in (rows[-1].note or "")
    assert case_state(cs_line, clerk_a, case_id) == ("running", ["issue_documents"])


def test_the_request_page_lists_generation_requests_without_a_protected_persons_name(
    cs_line: Database, setup_session: Session, city_a: Municipality, users_a: dict[str, User], clerk_a: Actor,
    supervisor_a: Actor, family: Household, fake_cs: FakeCs, client: FlaskClient,
) -> None:  # fmt: skip
    child = register_birth(cs_line, setup_session, city_a, clerk_a, supervisor_a, family)
    login_as(client, users_a["clerk"])
    page = client.get("/juki-net/my-number-requests").get_data(as_text=True)
    assert "山田 次郎" in page and child in page and "<td>送信済み（応答待ち）</td>" in page
    factories.protect(setup_session, city_a, child)
    page = client.get("/juki-net/my-number-requests").get_data(as_text=True)
    assert "山田 次郎" not in page and child not in page and "支援措置対象者のため表示しません" in page


def test_registering_the_notices_again_adds_no_second_generation_request(
    cs_line: Database, setup_session: Session, city_a: Municipality, clerk_a: Actor, supervisor_a: Actor,
    family: Household, fake_cs: FakeCs,
) -> None:  # fmt: skip
    from handlers.cases.outbox import queue_case_notices  # noqa: PLC0415
    from handlers.juki_net.my_number_requests import send_generation_requests  # noqa: PLC0415
    from models import Case, PendingChange  # noqa: PLC0415

    child = register_birth(cs_line, setup_session, city_a, clerk_a, supervisor_a, family)
    with unit_of_work(cs_line, clerk_a) as uow:
        case = uow.session.scalars(
            select(Case).join(CsPersonRequest, CsPersonRequest.case_id == Case.id)
        ).one()
        pending = uow.session.scalars(select(PendingChange).where(PendingChange.case_id == case.id)).one()
        notices = list((pending.result or {}).get("notices") or [])
        queue_case_notices(uow, case, notices)
        assert send_generation_requests(uow, case, notices) == []
        kinds = uow.session.scalars(
            select(OutboxMessage.kind).where(OutboxMessage.kind == "my_number_generation")
        )
        assert len(list(kinds)) == 1
    assert states(cs_line, clerk_a) == [("個人番号生成要求", child, "sent", None)]


def move_in_intake(kind: str) -> dict[str, Any]:
    """A 転入 of a couple holding their 個人番号 and a child without one (``kind``: domestic / abroad)."""
    moved = (japan_today() - dt.timedelta(days=5)).isoformat()
    members = [
        factories.japanese_member(family_name="転入", family_name_kana="テンニュウ"),
        factories.japanese_member(family_name="転入", family_name_kana="テンニュウ", given_name="花子",
                                  given_name_kana="ハナコ", sex="2", relation_to_head="妻", birth_date="1982-06-15"),
        factories.japanese_member(family_name="転入", family_name_kana="テンニュウ", given_name="一郎",
                                  given_name_kana="イチロウ", relation_to_head="子", birth_date="2010-01-20",
                                  my_number=None),
    ]  # fmt: skip
    for member in members:
        for key in ("became_resident_date", "address_set_date", "previous_address"):
            member.pop(key)
    data: dict[str, Any] = {"kind": kind, "change_date": moved, "notified_date": japan_today().isoformat(),
                            "household": factories.default_address(), "members": members}  # fmt: skip
    if kind == "domestic":
        data.update(former_address={"address": "長野県佐久市中込1番地", "municipality_code": "202118"},
                    move_out_certificate={"planned_move_out_date": moved})  # fmt: skip
    else:
        data.update(former_address={"address": "アメリカ合衆国"})
    return data


@pytest.mark.parametrize(("kind", "asked"), [("abroad", ["一郎"]), ("domestic", [])])
def test_a_move_in_from_abroad_asks_a_number_for_the_person_without_one_and_a_domestic_one_never(
    cs_line: Database, setup_session: Session, city_a: Municipality, clerk_a: Actor, supervisor_a: Actor,
    fake_cs: FakeCs, kind: str, asked: list[str],
) -> None:  # fmt: skip
    city_a.settings = {"resident_code_pool_alert": 1}
    setup_session.flush()
    with unit_of_work(cs_line, supervisor_a) as uow:
        load_pool(uow, [factories.valid_resident_code() for _ in range(4)])
    approved(cs_line, clerk_a, supervisor_a, "move_in", move_in_intake(kind))
    assert [f.payload["name"].split(" ")[-1] for f in fake_cs.received("my_number_generation")] == asked
    assert len(fake_cs.received("identity_change")) == 3  # all three were registered


def case_state(db: Database, actor: Actor, case_id: int) -> tuple[str, list[str]]:
    with unit_of_work(db, actor) as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        tasks = uow.session.scalars(select(CaseTask.bpmn_id).where(
            CaseTask.case_id == case_id, CaseTask.state.in_(("ready", "claimed")))).all()  # fmt: skip
        return case.status, list(tasks)


def test_a_change_request_writes_the_number_cs_generates_and_the_case_goes_on_to_its_documents(
    cs_line: Database, city_a: Municipality, clerk_a: Actor, supervisor_a: Actor, family: Household,
    fake_cs: FakeCs,
) -> None:  # fmt: skip
    taro = family.members[0]
    claimed = (japan_today() - dt.timedelta(days=1)).isoformat()
    intake = {"atena_number": taro.atena_number, "kind": "change_request", "claim_date": claimed}
    case_id = approved(cs_line, clerk_a, supervisor_a, "my_number_change", intake)
    [sent] = fake_cs.received("my_number_request")
    assert (sent.payload["generate"], sent.payload["basis"], sent.payload.get("my_number")) == (
        "True",
        "claim",
        None,
    )
    assert case_state(cs_line, clerk_a, case_id) == ("waiting", ["await_generated_number"])
    assert states(cs_line, clerk_a) == [("個人番号変更要求（変更請求）", taro.atena_number, "sent", None)]

    number = factories.valid_my_number()
    fake_cs.answer_requests(
        "my_number_request", {taro.atena_number: {"my_number": number}}, "my_number_result"
    )
    assert "個人番号の生成・変更要求の応答 1 件" in take_files(cs_line, city_a, fake_cs)
    resident, rows = person(cs_line, clerk_a, taro.atena_number)
    assert resident.my_number == number
    last = rows[-1]
    assert (last.change_reason, last.claim_date, last.case_id, last.snapshot["my_number"]) == (
        "my_number_change_request", dt.date.fromisoformat(claimed), case_id, number)  # fmt: skip
    assert "住基ネットで生成された個人番号" in (last.note or "")
    assert case_state(cs_line, clerk_a, case_id) == ("running", ["issue_documents"])
    assert states(cs_line, clerk_a) == [("個人番号変更要求（変更請求）", taro.atena_number, "done", None)]


def test_a_change_request_cs_refuses_keeps_the_number_and_is_asked_again_or_withdrawn(
    cs_line: Database, city_a: Municipality, clerk_a: Actor, supervisor_a: Actor, family: Household,
    fake_cs: FakeCs, users_a: dict[str, User], client: FlaskClient,
) -> None:  # fmt: skip
    taro = family.members[0]
    old = taro.my_number
    intake = {"atena_number": taro.atena_number, "kind": "change_request"}
    case_id = approved(cs_line, clerk_a, supervisor_a, "my_number_change", intake)
    fake_cs.answer_requests("my_number_request", {taro.atena_number: {"result": "refused", "error": "変更要求の受付停止中"}},
                            "my_number_result")  # fmt: skip
    take_files(cs_line, city_a, fake_cs)
    assert person(cs_line, clerk_a, taro.atena_number)[0].my_number == old
    assert case_state(cs_line, clerk_a, case_id) == ("waiting", ["await_generated_number"])
    login_as(client, users_a["clerk"])
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "CSでエラー：変更要求の受付停止中" in page and "CSへ再要求する" in page

    asked = client.post(f"/cases/{case_id}/my-number/ask-again", follow_redirects=True)
    assert "再送信する準備をしました" in asked.get_data(as_text=True)
    again = client.post(f"/cases/{case_id}/my-number/ask-again", follow_redirects=True)
    assert "エラーを返した後にだけ" in again.get_data(as_text=True), "one request at a time"
    second = fake_cs.received("my_number_request")[-1]
    assert (
        second.payload["request_key"].endswith(":my_number_change:2") and second.payload["generate"] == "True"
    )
    cancel = client.post(f"/cases/{case_id}/cancel", data={"reason": "取下げ"}, follow_redirects=True)
    assert "応答していないため、取り消せません" in cancel.get_data(as_text=True)

    number = factories.valid_my_number()
    fake_cs.send("my_number_result", {"results": [
        {"request_key": second.payload["request_key"], "result": "done", "my_number": number}]})  # fmt: skip
    take_files(cs_line, city_a, fake_cs)
    assert person(cs_line, clerk_a, taro.atena_number)[0].my_number == number
    assert case_state(cs_line, clerk_a, case_id) == ("running", ["issue_documents"])
    late = fake_cs.send("my_number_result", {"results": [
        {"request_key": fake_cs.received("my_number_request")[0].header["key"], "result": "done",
         "my_number": factories.valid_my_number()}]})  # fmt: skip
    assert "既に記載されています" in take_files(cs_line, city_a, fake_cs), late.name
    assert person(cs_line, clerk_a, taro.atena_number)[0].my_number == number


def test_a_change_request_withdrawn_after_cs_refused_takes_no_late_number(
    cs_line: Database, city_a: Municipality, clerk_a: Actor, supervisor_a: Actor, family: Household,
    fake_cs: FakeCs,
) -> None:  # fmt: skip
    taro = family.members[0]
    old = taro.my_number
    case_id = approved(cs_line, clerk_a, supervisor_a, "my_number_change",
                       {"atena_number": taro.atena_number, "kind": "change_request"})  # fmt: skip
    fake_cs.answer_requests("my_number_request", {taro.atena_number: {"result": "refused", "error": "停止中"}},
                            "my_number_result")  # fmt: skip
    take_files(cs_line, city_a, fake_cs)
    with unit_of_work(cs_line, supervisor_a) as uow:
        doors.cancel(uow, case_id, "本人が請求を取り下げた")
    assert case_state(cs_line, clerk_a, case_id) == ("cancelled", [])
    fake_cs.answer_requests("my_number_request", {taro.atena_number: {"my_number": factories.valid_my_number()}},
                            "my_number_result")  # fmt: skip
    assert "取り消されています" in take_files(cs_line, city_a, fake_cs)
    assert person(cs_line, clerk_a, taro.atena_number)[0].my_number == old
