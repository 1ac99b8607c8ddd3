"""本籍入力補助 (j510) at the counter: the intake page's 本籍 fields ask the server's look-up, which answers the
registered addresses and the household's 本籍 (with 筆頭者), a 再転入者's own history without merged-away
municipalities, and a refusal as structured JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.context import Actor
from handlers.db import Database
from handlers.suppression_controls import set_suppression
from handlers.uow import unit_of_work
from models import Municipality, Resident, User
from tests import factories
from tests.web.test_counter_forms import approve, pending_proposal
from tests.web.test_counter_pages import (  # noqa: F401 - resident_code_pool is a fixture
    case_id_of,
    move_in_form,
    open_task,
    resident_code_pool,
    signed_in,
)

pytestmark = pytest.mark.req("j510")


def test_the_look_up_answers_the_head_and_members_honseki_of_the_household_joined(
    sign_in: Any, users_a: dict[str, User], db: Database
) -> None:
    clerk = factories.actor_for(users_a["clerk"])
    household = factories.make_household(
        db, clerk, [factories.japanese_member(honseki="東京都千代田区千代田1番")]
    )
    client = sign_in(users_a["clerk"])
    answer = client.get("/counter/honseki", query_string=[("household_number", household.household_number),
                                                          ("address", "神奈川県横浜市中区港町1丁目1番地"),
                                                          ("entered", "東京都港区芝公園4丁目2番"), ("entered", "")])  # fmt: skip
    assert answer.status_code == 200
    assert answer.get_json()["candidates"] == [
        {"source": "current_address", "label": "現住所", "honseki": "神奈川県横浜市中区港町1丁目1番地", "hittosha": ""},
        {"source": "head_honseki", "label": "世帯主の本籍（山田 太郎）", "honseki": "東京都千代田区千代田1番",
         "hittosha": "山田 太郎"},
        {"source": "member_honseki", "label": "世帯員の本籍（入力中）", "honseki": "東京都港区芝公園4丁目2番",
         "hittosha": ""},
    ]  # fmt: skip


def test_a_readmission_is_offered_its_own_history_without_the_merged_municipality(
    sign_in: Any, users_a: dict[str, User], setup_session: Session, city_a: Municipality
) -> None:
    removed = factories.make_removed_resident(
        setup_session, city_a, number=701, removal_date=dt.date(2022, 3, 31)
    )
    removed.honseki, removed.hittosha = "長野県南佐久郡臼田町大字臼田500番地", "山田 太郎"
    factories.add_history_row(
        setup_session, removed, reason_code="ex_officio_correction", change_date=dt.date(2003, 1, 1)
    )
    removed.honseki = "長野県佐久市臼田500番地"
    factories.add_history_row(
        setup_session, removed, reason_code="ex_officio_correction", change_date=dt.date(2006, 1, 1)
    )
    setup_session.flush()
    answer = sign_in(users_a["clerk"]).get(
        "/counter/honseki", query_string={"re_move_in_of": removed.atena_number}
    )
    assert [c["honseki"] for c in answer.get_json()["candidates"]] == ["長野県佐久市臼田500番地"]


def test_a_suppressed_household_is_refused_with_structured_json(
    sign_in: Any, users_a: dict[str, User], db: Database
) -> None:
    household = factories.make_household(db, factories.actor_for(users_a["clerk"]))
    with unit_of_work(db, factories.actor_for(users_a["support_officer"])) as uow:
        set_suppression(uow, household_number=household.household_number, process="change_input", level="error",
                        start_date=dt.date(2024, 1, 1), reason="確認中")  # fmt: skip
    answer = sign_in(users_a["clerk"]).get(
        "/counter/honseki", query_string={"household_number": household.household_number}
    )
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["candidates"] == [] and body["problems"][0]["code"] == "change_input_suppressed"
    assert "山田" not in answer.get_data(as_text=True)


def test_the_intake_page_wires_each_honseki_field_to_the_look_up(
    sign_in: Any, users_a: dict[str, User]
) -> None:
    page = sign_in(users_a["clerk"]).get("/cases/new/move_in").get_data(as_text=True)
    assert 'data-honseki-lookup="/counter/honseki"' in page
    assert 'id="members-0-honseki"' in page and 'data-honseki-help="1"' in page
    assert sign_in(users_a["analyst"]).get("/counter/honseki").status_code == 403


def test_the_correction_page_quotes_a_transfer_of_domicile_to_the_family_and_the_reviewer_sees_each(
    app: Flask, db: Database, users_a: dict[str, User], clerk_a: Actor
) -> None:
    household = factories.make_household(db, clerk_a)
    head, wife, child = (m.atena_number for m in household.members)
    clerk = signed_in(app, users_a["clerk"])
    page = clerk.get("/cases/new/koseki_notice").get_data(as_text=True)
    assert 'name="same_koseki_household"' in page
    response = clerk.post("/cases/new/koseki_notice", data={
        "atena_number": head, "changes-0-item": "honseki", "changes-0-value": "神奈川県横浜市中区港町1丁目1番地",
        "changes-1-item": "hittosha", "changes-1-value": "山田 太郎", "same_koseki_household": "y",
        "koseki_event": "転籍", "ex_officio_record": "本籍地からの通知による", "household_item": "",
    })  # fmt: skip
    case_id = case_id_of(response)
    task = open_task(db, clerk_a, case_id, "review_")
    review = signed_in(app, users_a["supervisor"]).get(f"/tasks/{task.id}/review").get_data(as_text=True)
    assert (
        review.count("神奈川県横浜市中区港町1丁目1番地") == 3 and review.count("東京都千代田区千代田1番") == 3
    )
    approve(app, db, users_a, clerk_a, case_id)
    with unit_of_work(db, clerk_a) as uow:
        people = uow.session.scalars(select(Resident).where(Resident.atena_number.in_([head, wife, child])))
        assert {p.honseki for p in people} == {"神奈川県横浜市中区港町1丁目1番地"}


def test_quoting_with_another_item_comes_back_with_the_japanese_reason_on_the_checkbox(
    app: Flask, db: Database, users_a: dict[str, User], clerk_a: Actor
) -> None:
    head = factories.make_household(db, clerk_a).members[0].atena_number
    response = signed_in(app, users_a["clerk"]).post("/cases/new/ex_officio_correction", data={
        "atena_number": head, "changes-0-item": "honseki", "changes-0-value": "神奈川県横浜市中区港町1丁目1番地",
        "changes-1-item": "family_name", "changes-1-value": "佐藤", "same_koseki_household": "y",
        "ex_officio_record": "確認による", "household_item": "",
    })  # fmt: skip
    assert response.status_code == 422
    assert ('href="#same_koseki_household">同じ本籍・筆頭者の世帯員の一括修正：本籍・筆頭者以外の修正と一緒にはできません'
            in response.get_data(as_text=True))  # fmt: skip


@pytest.mark.usefixtures("resident_code_pool")
def test_the_move_in_page_names_a_readmission_and_its_honseki_field_asks_for_the_own_history(
    app: Flask,
    db: Database,
    users_a: dict[str, User],
    clerk_a: Actor,
    setup_session: Session,
    city_a: Municipality,
) -> None:
    removed = factories.make_removed_resident(
        setup_session, city_a, number=702, removal_date=dt.date(2022, 3, 31)
    )
    removed.honseki, removed.hittosha = "長野県佐久市臼田500番地", "山田 太郎"
    factories.add_history_row(
        setup_session, removed, reason_code="ex_officio_correction", change_date=dt.date(2010, 1, 1)
    )
    setup_session.flush()
    clerk = signed_in(app, users_a["clerk"])
    assert 'id="members-0-re_move_in_of"' in clerk.get("/cases/new/move_in").get_data(as_text=True)
    answer = clerk.get("/counter/honseki", query_string={"re_move_in_of": removed.atena_number,
                                                         "address": "神奈川県横浜市中区港町1丁目1番地"})  # fmt: skip
    assert [c["source"] for c in answer.get_json()["candidates"]] == ["own_history", "current_address"]
    form = {**move_in_form(), "members-0-family_name": "山田", "members-0-family_name_kana": "ヤマダ",
            "members-0-birth_date": "1980-01-01", "members-0-honseki": "長野県佐久市臼田500番地",
            "members-0-hittosha": "山田 太郎", "members-0-re_move_in_of": removed.atena_number}  # fmt: skip
    form = {k: v for k, v in form.items() if not k.startswith(("members-1-", "members-2-"))}
    case_id = case_id_of(clerk.post("/cases/new/move_in", data=form))
    proposal = pending_proposal(db, clerk_a, case_id)
    assert proposal["members"][0]["re_move_in_of"] == removed.atena_number


def test_a_number_not_on_the_register_answers_200_not_found_and_reveals_no_other_municipality(
    sign_in: Any, users_a: dict[str, User], users_b: dict[str, User], db: Database
) -> None:
    elsewhere = factories.make_household(db, factories.actor_for(users_b["clerk"]))
    client = sign_in(users_a["clerk"])
    for query in ({"atena_number": "12345"}, {"atena_number": "１２３４５"}, {"household_number": "999"},
                  {"atena_number": elsewhere.members[0].atena_number},
                  {"household_number": elsewhere.household_number}):  # fmt: skip
        answer = client.get("/counter/honseki", query_string=query)
        assert answer.status_code == 200, query
        body = answer.get_json()
        assert body["found"] is False and body["candidates"] == [] and "見つかりません" in body["message"]
        assert "山田" not in answer.get_data(as_text=True)


def test_a_malformed_number_is_still_refused_and_a_known_one_is_found(
    sign_in: Any, users_a: dict[str, User], db: Database
) -> None:
    household = factories.make_household(db, factories.actor_for(users_a["clerk"]))
    client = sign_in(users_a["clerk"])
    for query in ({"atena_number": "12a"}, {"household_number": "12345678901"}):
        answer = client.get("/counter/honseki", query_string=query)
        assert answer.status_code == 422, query
        assert [p["code"] for p in answer.get_json()["problems"]] == ["malformed"]
    found = client.get("/counter/honseki", query_string={"atena_number": household.members[0].atena_number})
    assert found.status_code == 200 and found.get_json()["found"] is True
