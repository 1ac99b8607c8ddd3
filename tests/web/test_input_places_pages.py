"""入力場所・入力端末 pages (j230): the administrator adds a place and a terminal through the forms; bad input is
refused in Japanese with nothing saved; other roles are refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work

pytestmark = pytest.mark.req("j230")


def places(db: Database, city: models.Municipality) -> list[models.InputPlace]:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        rows = list(uow.session.scalars(select(models.InputPlace).order_by(models.InputPlace.id)))
        for row in rows:
            row.terminals  # noqa: B018 - loaded before the session closes
        return rows


def test_the_administrator_registers_a_place_and_its_terminal_through_the_pages(
    sign_in: Any, users_a: dict[str, Any], db: Database, city_a: models.Municipality
) -> None:
    client = sign_in(users_a["administrator"])
    assert "入力場所はまだ登録されていません" in client.get("/settings/places").get_data(as_text=True)
    created = client.post("/settings/places/new", data={"code": "HQ", "name": "本庁市民課", "kind": "main_office",
                                                        "ward_code": "", "enabled": "y"})  # fmt: skip
    assert created.status_code == 302
    [place] = places(db, city_a)
    form = client.get("/settings/places/terminals/new").get_data(as_text=True)
    assert "本庁市民課（本庁）" in form
    added = client.post("/settings/places/terminals/new",
                        data={"code": "HQ-01", "name": "窓口1番", "place_id": str(place.id), "enabled": "y"})  # fmt: skip
    assert added.status_code == 302
    [place] = places(db, city_a)
    assert [(t.code, t.name, t.enabled) for t in place.terminals] == [("HQ-01", "窓口1番", True)]
    listing = client.get("/settings/places").get_data(as_text=True)
    assert "本庁市民課" in listing and "HQ-01" in listing and "使用中" in listing
    retired = client.post(f"/settings/places/{place.id}", data={"code": "HQ", "name": "本庁市民課", "kind": "main_office",
                                                                "ward_code": ""})  # fmt: skip
    assert retired.status_code == 302 and places(db, city_a)[0].enabled is False


def test_a_bad_place_is_refused_in_japanese_and_nothing_is_saved(
    sign_in: Any, users_a: dict[str, Any], db: Database, city_a: models.Municipality
) -> None:
    client = sign_in(users_a["administrator"])
    refused = client.post(
        "/settings/places/new", data={"code": "本庁!", "name": "本庁", "kind": "ward_office"}
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert (
        "入力内容に誤りがあります" in page
        and "英数字10文字以内ではありません" in page
        and "区役所の行政区" in page
    )
    assert places(db, city_a) == []


def test_a_clerk_cannot_open_the_register(sign_in: Any, users_a: dict[str, Any]) -> None:
    client = sign_in(users_a["clerk"])
    assert client.get("/settings/places").status_code == 403
    assert (
        client.post("/settings/places/new", data={"code": "X", "name": "X", "kind": "branch"}).status_code
        == 403
    )
