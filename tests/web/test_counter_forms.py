"""Intake forms of the counter for every registered change type: the foreign residents' changes (転入 with a
foreign member, 法第30条の46転入, 法第30条の47届出, 帰化, 国籍喪失), the number changes and 異動の取消し, and the
per-person 続柄 rows of 転居 and 世帯変更 (j460, j470)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

import models
from handlers.changes.base import change_types
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from models.change import PendingChange
from models.resident import Resident
from tests import factories
from tests.web.test_counter_pages import (  # noqa: F401 - resident_code_pool is a fixture
    case_id_of,
    move_in_form,
    open_task,
    resident_code_pool,
    signed_in,
    summary_of,
)
from webui.counter.intake_forms import COUNTER_ORDER, INTAKE_SPECS

pytestmark = pytest.mark.req("j460", "j470")

ARRIVED = japan_today() - dt.timedelta(days=2)


def foreign_fields(prefix: str, **extra: str) -> dict[str, str]:
    """A 中長期在留者 as the clerk types it: alphabet name, kana, 西暦 dates, category items."""
    values = {
        "name_alphabet": "MILLER EMMA", "family_name_kana": "ミラー", "given_name_kana": "エマ",
        "birth_date": "1992-03-04", "sex": "2", "relation_to_head": "世帯主",
        "foreign-nationality": "カナダ", "foreign-foreign_category": "mid_long_term",
        "foreign-residence_status": "技術・人文知識・国際業務", "foreign-period_of_stay": "5年",
        "foreign-stay_expiry_date": "2030-03-31", "foreign-residence_card_number": "MN12345678PQ",
        "foreign-special_permanent_certificate_number": "",
        **extra,
    }  # fmt: skip
    return {prefix + k: v for k, v in values.items()}


def pending_proposal(db: Database, actor: Actor, case_id: int) -> dict[str, Any]:
    with unit_of_work(db, actor) as uow:
        return dict(
            uow.session.scalars(select(PendingChange.proposal).where(PendingChange.case_id == case_id)).one()
        )


def approve(app: Flask, db: Database, users: dict[str, models.User], actor: Actor, case_id: int) -> None:
    supervisor = signed_in(app, users["supervisor"])
    task = open_task(db, actor, case_id, "review_")
    page = supervisor.get(f"/tasks/{task.id}/review").get_data(as_text=True)
    alerts = re.findall(r'name="acknowledgements" value="([^"]+)"', page)
    done = supervisor.post(
        f"/tasks/{task.id}/review", data={"decision": "approve", "acknowledgements": alerts}
    )
    assert done.status_code == 302, summary_of(done)


def test_every_registered_change_type_has_an_intake_form_offered_at_the_counter() -> None:
    __import__("handlers.changes.catalog")
    registered = set(change_types())
    assert registered - set(INTAKE_SPECS) == set(), "change types without an intake form"
    assert registered - set(COUNTER_ORDER) == set(), "change types the counter does not offer"


@pytest.mark.req("j20", "j550")
def test_a_foreign_member_moves_in_with_a_japanese_one_and_keeps_the_category_items(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    page = clerk.get("/cases/new/move_in").get_data(as_text=True)
    assert 'id="members-0-resident_kind"' in page and 'id="members-0-foreign-residence_card_number"' in page
    data = move_in_form()
    for key in [k for k in data if k.startswith("members-2-")]:
        del data[key]
    data.update(
        foreign_fields("members-1-", **{"resident_kind": "foreign", "relation_to_head": "妻",
                                        "family_name": "", "given_name": "", "honseki": "東京都千代田区千代田1番"})
    )  # fmt: skip
    response = clerk.post("/cases/new/move_in", data=data)
    case_id = case_id_of(response)
    proposal = pending_proposal(db, clerk_a, case_id)
    foreign = [m for m in proposal["members"] if m.get("resident_kind") == "foreign"]
    assert len(foreign) == 1 and "honseki" not in foreign[0]  # 本籍 is not a foreign resident's item
    approve(app, db, users_a, clerk_a, case_id)
    with unit_of_work(db, clerk_a) as uow:
        emma = uow.session.scalars(select(Resident).where(Resident.name_alphabet == "MILLER EMMA")).one()
        assert (emma.resident_kind, emma.nationality, emma.foreign_category) == (
            "foreign",
            "カナダ",
            "mid_long_term",
        )
        assert emma.residence_card_number == "MN12345678PQ" and emma.stay_expiry_date == dt.date(2030, 3, 31)
        assert emma.honseki is None


def test_a_foreign_member_without_the_alphabet_name_is_refused_at_that_field(
    app: Flask, users_a: dict[str, models.User]
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    data = move_in_form(**foreign_fields("members-2-", resident_kind="foreign", name_alphabet="",
                                         relation_to_head="子", family_name="", given_name=""))  # fmt: skip
    response = clerk.post("/cases/new/move_in", data=data)
    assert response.status_code == 422 and '<a href="#members-2-name_alphabet">' in response.get_data(
        as_text=True
    )


@pytest.mark.req("j910", "j20")
def test_an_article_30_46_arrival_is_entered_with_a_blank_status_raising_an_alert(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    form = {
        "change_date": ARRIVED.isoformat(), "postal_code": "231-0017", "address": "神奈川県横浜市中区港町2丁目1番地",
        **foreign_fields("members-0-", **{"foreign-residence_status": "", "resident_code": factories.valid_resident_code()}),
    }  # fmt: skip
    response = clerk.post("/cases/new/foreign_move_in_30_46", data=form)
    case_id = case_id_of(response)
    supervisor = signed_in(app, users_a["supervisor"])
    review = supervisor.get(f"/tasks/{open_task(db, clerk_a, case_id, 'review_').id}/review").get_data(
        as_text=True
    )
    assert "在留資格" in review and 'name="acknowledgements"' in review
    approve(app, db, users_a, clerk_a, case_id)
    with unit_of_work(db, clerk_a) as uow:
        emma = uow.session.scalars(select(Resident).where(Resident.name_alphabet == "MILLER EMMA")).one()
        assert emma.foreign_resident_date == ARRIVED and emma.residence_status is None


@pytest.mark.req("j920")
def test_an_article_30_47_notification_for_a_transitional_resident_amends_the_category(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    household = factories.make_household(
        db, clerk_a, [factories.foreign_member(foreign_category="transitional_birth", residence_status=None,
                                               period_of_stay=None, stay_expiry_date=None,
                                               residence_card_number=None)],
    )  # fmt: skip
    number = household.members[0].atena_number
    clerk = signed_in(app, users_a["clerk"])
    form = {"atena_number": number, "change_date": ARRIVED.isoformat(), **foreign_fields("members-0-")}
    case_id = case_id_of(clerk.post("/cases/new/foreign_status_acquired_30_47", data=form))
    proposal = pending_proposal(db, clerk_a, case_id)
    assert proposal["mode"] == "amend" and proposal["changes"]["foreign_category"] == "mid_long_term"


@pytest.mark.req("j930", "j950")
def test_naturalization_and_nationality_loss_forms_open_their_cases(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    foreign = factories.make_household(db, clerk_a, foreign=True).members[0].atena_number
    japanese = factories.make_household(db, clerk_a).members[0].atena_number
    clerk = signed_in(app, users_a["clerk"])
    naturalized = clerk.post("/cases/new/naturalization", data={
        "atena_number": foreign, "change_date": ARRIVED.isoformat(), "family_name": "須見", "given_name": "譲",
        "family_name_kana": "スミ", "given_name_kana": "ジョウ", "honseki": "神奈川県横浜市中区港町1番",
        "hittosha": "須見 譲"})  # fmt: skip
    assert pending_proposal(db, clerk_a, case_id_of(naturalized))["values"]["family_name"] == "須見"
    lost = clerk.post("/cases/new/nationality_loss", data={
        "atena_number": japanese, "change_date": ARRIVED.isoformat(), "name_alphabet": "YAMADA TARO",
        "foreign-nationality": "アメリカ合衆国", "foreign-foreign_category": ""})  # fmt: skip
    entered = pending_proposal(db, clerk_a, case_id_of(lost))["entered"]
    assert entered["nationality"] == "アメリカ合衆国" and entered["name_alphabet"] == "YAMADA TARO"


@pytest.mark.req("j880", "j900", "j980")
def test_number_changes_and_a_cancellation_are_entered_through_their_forms(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    members = [
        factories.make_household(db, clerk_a).members[0] for _ in range(3)
    ]  # no household locks another
    clerk = signed_in(app, users_a["clerk"])
    changed = clerk.post("/cases/new/resident_code_change", data={"atena_number": members[0].atena_number})
    assert pending_proposal(db, clerk_a, case_id_of(changed))["atena_number"] == members[0].atena_number
    decided = (japan_today() - dt.timedelta(days=1)).isoformat()
    number = clerk.post("/cases/new/my_number_change", data={
        "atena_number": members[1].atena_number, "kind": "ex_officio_change", "decision_date": decided,
        "ex_officio_record": "個人番号の漏えいを確認したため"})  # fmt: skip
    proposal = pending_proposal(db, clerk_a, case_id_of(number))
    assert (proposal["kind"], proposal["decision_date"], proposal.get("my_number")) == (
        "ex_officio_change", decided, None)  # fmt: skip
    refused = clerk.post("/cases/new/change_cancellation", data={
        "atena_number": members[2].atena_number, "history_no": "99", "ex_officio_record": "誤って入力"})  # fmt: skip
    assert refused.status_code == 422 and "履歴" in summary_of(refused)


def relation_rows_of(page: str) -> list[tuple[str, str]]:
    """(hidden 宛名番号 row index, label) of every 続柄 row on the page."""
    return re.findall(r'<label for="(relations-\d+-relation)">([^<]+)</label>', page)


def test_a_move_within_shows_a_named_relation_row_per_mover_and_sends_the_chosen_relations(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    members = factories.make_household(db, clerk_a).members
    wife, son = sorted((m for m in members if m.given_name != "太郎"), key=lambda m: m.given_name)[::-1]
    clerk = signed_in(app, users_a["clerk"])
    form = {
        "atena_numbers": f"{wife.atena_number} {son.atena_number}", "destination_kind": "new",
        "change_date": ARRIVED.isoformat(), "address": "神奈川県横浜市中区港町3丁目1番地",
    }  # fmt: skip
    page = clerk.post("/cases/new/move_within", data={**form, "load_relations": "1"}).get_data(as_text=True)
    rows = relation_rows_of(page)
    assert [label for _id, label in rows] == [
        f"山田 花子（宛名番号 {wife.atena_number}）の続柄", f"山田 一郎（宛名番号 {son.atena_number}）の続柄",
    ] and "error-summary" not in page  # fmt: skip
    chosen = {
        "relations-0-atena_number": wife.atena_number, "relations-0-name": "山田 花子", "relations-0-relation": "世帯主",
        "relations-1-atena_number": son.atena_number, "relations-1-name": "山田 一郎", "relations-1-relation": "子",
    }  # fmt: skip
    case_id = case_id_of(clerk.post("/cases/new/move_within", data={**form, **chosen}))
    proposal = pending_proposal(db, clerk_a, case_id)
    assert {wife.atena_number: "世帯主", son.atena_number: "子"}.items() <= _relations_in(proposal).items()


def _relations_in(proposal: dict[str, Any]) -> dict[str, str]:
    found = proposal.get("relations") or (proposal.get("destination") or {}).get("relations") or {}
    return {str(k): str(v) for k, v in found.items()}


def test_a_household_change_lists_the_members_of_both_households_for_their_relations(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    first = factories.make_household(db, clerk_a)
    second = factories.make_household(
        db, clerk_a, [factories.japanese_member(family_name="佐藤", hittosha="佐藤 太郎")]
    )
    clerk = signed_in(app, users_a["clerk"])
    page = clerk.post("/cases/new/household_change", data={
        "kind": "household_merge", "household_number": second.household_number,
        "target_household_number": first.household_number, "change_date": ARRIVED.isoformat(),
        "load_relations": "1"}).get_data(as_text=True)  # fmt: skip
    labels = [label for _id, label in relation_rows_of(page)]
    assert len(labels) == 4 and any(label.startswith("佐藤 太郎") for label in labels)
    assert 'name="relations-0-atena_number"' in page


@pytest.mark.req("j70")
def test_a_former_surname_and_an_alias_on_the_move_out_certificate_are_entered_with_the_move_in(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    page = clerk.get("/cases/new/move_in").get_data(as_text=True)
    assert 'id="members-0-former_surname"' in page and 'id="members-0-alias"' in page
    data = move_in_form(**{"members-0-former_surname": "佐藤", "members-0-former_surname_kana": "サトウ"},
                        **foreign_fields("members-2-", resident_kind="foreign", relation_to_head="子",
                                         alias="山田 エマ", alias_kana="ヤマダ エマ"))  # fmt: skip
    case_id = case_id_of(clerk.post("/cases/new/move_in", data=data))
    members = pending_proposal(db, clerk_a, case_id)["members"]
    assert (members[0]["former_surname"], members[0]["former_surname_kana"]) == ("佐藤", "サトウ")
    assert members[0].get("alias") is None and members[2]["alias"] == "山田 エマ"
    assert members[2].get("former_surname") is None


@pytest.mark.req("j180")
def test_a_move_in_records_the_confirmation_of_each_persons_kana(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    page = clerk.get("/cases/new/move_in").get_data(as_text=True)
    assert (
        'id="members-0-name_kana_confirmed"' in page
        and 'id="members-0-former_surname_kana_confirmed"' in page
    )
    data = move_in_form(**{"members-0-name_kana_confirmed": "y", "members-0-former_surname": "佐藤",
                           "members-0-former_surname_kana": "サトウ", "members-0-former_surname_kana_confirmed": "y"},
                        **foreign_fields("members-2-", resident_kind="foreign", relation_to_head="子",
                                         alias="山田 エマ", alias_kana="ヤマダ エマ", alias_kana_confirmed="y"))  # fmt: skip
    case_id = case_id_of(clerk.post("/cases/new/move_in", data=data))
    members = pending_proposal(db, clerk_a, case_id)["members"]
    assert (members[0]["name_kana_confirmed"], members[0]["former_surname_kana_confirmed"]) == (True, True)
    assert members[1]["name_kana_confirmed"] is False
    assert members[2]["alias_kana_confirmed"] is True and "former_surname_kana_confirmed" not in members[2]
    approve(app, db, users_a, clerk_a, case_id)
    with unit_of_work(db, clerk_a) as uow:
        people = uow.session.scalars(
            select(Resident).where(Resident.given_name_kana.in_(["タロウ", "ハナコ", "エマ"]))
        )
        flags = {(p.given_name_kana, p.name_kana_confirmed, p.former_surname_kana_confirmed, p.alias_kana_confirmed)
                 for p in people}  # fmt: skip
    assert flags == {
        ("タロウ", True, True, False),
        ("ハナコ", False, False, False),
        ("エマ", False, False, True),
    }
