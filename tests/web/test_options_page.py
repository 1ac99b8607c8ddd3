"""選択機能の設定 (the "may implement" choices, j580 and the others in handlers.tenants.MAY_IMPLEMENT): the
administrator switches a choice on, sets a number, is refused in Japanese for a bad number or for switching off
what a designated city must implement, and every change is logged."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.tenants import effective_settings
from handlers.uow import unit_of_work

pytestmark = pytest.mark.req("j580", "j330", "j410")
DESIGNATED_REQUIRED = {
    "variant_kanji_search": "y",
    "move_in_notice_auto_import": "y",
    "caution_autofill": "y",
}


def chosen(db: Database, city: models.Municipality) -> dict[str, Any]:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        found = uow.session.get(models.Municipality, city.id)
        assert found is not None
        return effective_settings(found)


def test_the_administrator_switches_on_the_receipt_notice_and_sets_the_lift_minutes(
    sign_in: Any, users_a: dict[str, Any], db: Database, city_a: models.Municipality
) -> None:
    client = sign_in(users_a["administrator"])
    page = client.get("/settings/options").get_data(as_text=True)
    assert "住民異動届受理通知の発行" in page and "j580" in page
    saved = client.post("/settings/options", data={**DESIGNATED_REQUIRED, "notice_of_receipt": "y",
                                                   "resident_code_pool_alert": "100", "temporary_lift_minutes": "15",
                                                   "bulk_approval_limit": "50", "kiosk_answer_retention_hours": "24"})  # fmt: skip
    assert saved.status_code == 302
    now = chosen(db, city_a)
    assert now["notice_of_receipt"] is True and now["temporary_lift_minutes"] == 15
    assert now["certificate_overflow_blank"] is False  # an unchecked box is "しない"
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        log = uow.session.scalars(
            select(models.AccessLog).where(models.AccessLog.function == "settings_changed")
        ).one()
    assert log.login_id == users_a["administrator"].login_id and "notice_of_receipt" in log.detail["changed"]


def test_a_bad_number_or_dropping_a_designated_citys_required_function_is_refused_and_nothing_changes(
    sign_in: Any, users_a: dict[str, Any], db: Database, city_a: models.Municipality
) -> None:
    client = sign_in(users_a["administrator"])
    before = chosen(db, city_a)
    refused = client.post("/settings/options", data={"notice_of_receipt": "y", "temporary_lift_minutes": "一時間",
                                                     "resident_code_pool_alert": "100", "bulk_approval_limit": "50",
                                                     "kiosk_answer_retention_hours": "24"})  # fmt: skip
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "指定都市では必須の機能です" in page and "1から1440までの整数ではありません" in page
    assert chosen(db, city_a) == before


def test_only_the_administrator_opens_the_page(sign_in: Any, users_a: dict[str, Any]) -> None:
    assert sign_in(users_a["supervisor"]).get("/settings/options").status_code == 403


def test_a_designated_city_sees_its_required_functions_on_and_saves_the_page_unchanged(
    sign_in: Any, users_a: dict[str, Any], db: Database, city_a: models.Municipality
) -> None:
    client = sign_in(users_a["administrator"])
    page = client.get("/settings/options").get_data(as_text=True)
    for key in DESIGNATED_REQUIRED:
        assert f'name="{key}" value="y" checked' in page
    assert chosen(db, city_a)["variant_kanji_search"] is True
    saved = client.post("/settings/options", data={**DESIGNATED_REQUIRED, "resident_code_pool_alert": "100",
                                                   "temporary_lift_minutes": "30", "bulk_approval_limit": "50",
                                                   "kiosk_answer_retention_hours": "24"})  # fmt: skip
    assert saved.status_code == 302


def test_a_superscript_digit_is_refused_in_japanese_not_a_server_error(
    sign_in: Any, users_a: dict[str, Any], db: Database, city_a: models.Municipality
) -> None:
    client = sign_in(users_a["administrator"])
    before = chosen(db, city_a)
    refused = client.post("/settings/options", data={**DESIGNATED_REQUIRED, "resident_code_pool_alert": "²",
                                                     "temporary_lift_minutes": "１５", "bulk_approval_limit": "50",
                                                     "kiosk_answer_retention_hours": "24"})  # fmt: skip
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "住民票コード空き番号の警告しきい値" in page and "0から100000までの整数ではありません" in page
    assert "支援措置一時解除の有効時間" not in page.split("入力内容に誤りがあります")[1].split("</ul>")[0]
    assert chosen(db, city_a) == before
