"""統合記載欄 pages (j140): staff enter and edit the 備考 (every edit kept, logged) and correct a history line's
留意事項 with its items; a bad entry shows a Japanese error and changes nothing; the administrator registers the
留意事項 of a 異動事由; a clerk may not."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.residents.cautions import save_template
from handlers.uow import unit_of_work
from tests import factories
from tests.web.test_counter_forms import approve
from tests.web.test_counter_pages import case_id_of, signed_in


def history_row(db: Database, city: models.Municipality, atena: str) -> models.ResidentHistory:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        row = uow.session.scalars(
            select(models.ResidentHistory).where(models.ResidentHistory.atena_number == atena)
        ).first()
        assert row is not None
        uow.session.expunge(row)
        return row


@pytest.mark.req("j140")
def test_staff_edit_the_remarks_and_correct_a_caution_on_the_integrated_section_page(
    sign_in: Any, users_a: dict[str, Any], db: Database, city_a: models.Municipality
) -> None:
    clerk = factories.actor_for(users_a["clerk"])
    atena = factories.make_household(db, clerk).members[0].atena_number
    client = sign_in(users_a["clerk"])
    saved = client.post(f"/residents/{atena}/integrated/remarks", data={"remarks": "施設入所中"})
    assert saved.status_code == 302
    corrected = client.post(f"/residents/{atena}/integrated/cautions/1",
                            data={"caution": "転入前住所は未届", "caution_items": ["previous_address"]})  # fmt: skip
    assert corrected.status_code == 302
    page = client.get(f"/residents/{atena}/integrated").get_data(as_text=True)
    assert "施設入所中" in page and "転入前住所は未届（転入前住所）" in page
    assert clerk.login_id in page  # the edit's author
    row = history_row(db, city_a, atena)
    assert (row.caution, row.caution_items) == ("転入前住所は未届", "previous_address")


@pytest.mark.req("j140")
def test_an_adoption_caution_without_its_address_shows_the_error_and_changes_nothing(
    sign_in: Any, users_a: dict[str, Any], db: Database, city_a: models.Municipality
) -> None:
    clerk = factories.actor_for(users_a["clerk"])
    atena = factories.make_household(db, clerk).members[0].atena_number
    client = sign_in(users_a["clerk"])
    refused = client.post(f"/residents/{atena}/integrated/cautions/1", data={"caution": "特別養子縁組"})
    assert refused.status_code == 422
    assert "特別養子縁組の留意事項が転入前住所と紐付いていません" in refused.get_data(as_text=True)
    assert history_row(db, city_a, atena).caution is None


@pytest.mark.req("j140")
def test_the_administrator_registers_a_caution_for_a_change_reason_and_a_clerk_may_not(
    sign_in: Any, users_a: dict[str, Any], db: Database, city_a: models.Municipality
) -> None:
    admin = sign_in(users_a["administrator"])
    saved = admin.post("/settings/cautions", data={"change_reason": "domestic_move_in", "caution": "転入届は代理人",
                                                   "caution_items": ["previous_address"]})  # fmt: skip
    assert saved.status_code == 302
    page = admin.get("/settings/cautions").get_data(as_text=True)
    assert "国内転入" in page and "転入届は代理人" in page
    clerk = sign_in(users_a["clerk"])
    assert clerk.get("/settings/cautions").status_code == 403
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        rows = uow.session.scalars(select(models.CautionTemplate)).all()
        assert [(r.change_reason, r.text, r.items) for r in rows] == [
            ("domestic_move_in", "転入届は代理人", "previous_address")
        ]


@pytest.mark.req("j140")
def test_the_change_reasons_of_record_and_of_removal_that_share_a_name_are_told_apart(
    sign_in: Any, users_a: dict[str, Any]
) -> None:
    admin = sign_in(users_a["administrator"])
    admin.post(
        "/settings/cautions", data={"change_reason": "reorganization_removal", "caution": "改製原の確認"}
    )
    page = admin.get("/settings/cautions").get_data(as_text=True)
    assert '<option value="reorganization_record">改製（記載）</option>' in page
    assert '<option value="reorganization_removal">改製（消除）</option>' in page
    assert '<option value="remake_removal">再製（消除）</option>' in page
    assert "<td>改製（消除）</td>" in page
    history = sign_in(users_a["supervisor"]).get("/residents/history-search").get_data(as_text=True)
    assert "改製（記載）" in history and "改製（消除）" in history and ">国内転入<" in history


@pytest.mark.req("j140")
def test_the_intake_page_starts_with_the_registered_caution_and_the_edited_one_is_registered(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor, city_a: models.Municipality
) -> None:
    admin = factories.actor_for(users_a["administrator"])
    with unit_of_work(db, admin) as uow:
        save_template(
            uow, {"change_reason": "move_within", "caution": "同一敷地内の転居", "caution_items": ["address"]}
        )
    home = factories.make_household(db, clerk_a)
    clerk = signed_in(app, users_a["clerk"])
    page = clerk.get("/cases/new/move_within").get_data(as_text=True)
    assert 'value="同一敷地内の転居"' in page
    form = {
        "atena_numbers": " ".join(m.atena_number for m in home.members), "destination_kind": "keep",
        "change_date": "2025-04-01", "notified_date": "2025-04-02", "address": "神奈川県横浜市中区山下町2番地",
        "caution": "同一敷地内の別棟へ転居", "caution_items": ["address"],
    }  # fmt: skip
    case_id = case_id_of(clerk.post("/cases/new/move_within", data=form))
    approve(app, db, users_a, clerk_a, case_id)
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        rows = uow.session.scalars(
            select(models.ResidentHistory).where(models.ResidentHistory.case_id == case_id)
        )
        assert {(r.caution, r.caution_items) for r in rows} == {("同一敷地内の別棟へ転居", "address")}
