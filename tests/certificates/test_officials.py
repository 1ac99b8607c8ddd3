"""認証者の管理 (j290, j310): the administrator registers the mayor and the acting mayor with their periods."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

import models
from handlers.certificates import set_officials
from handlers.db import Database
from handlers.errors import PermissionDeniedError, ValidationError
from handlers.uow import unit_of_work
from tests import factories


@pytest.mark.req("j290", "j310")
def test_administrator_sets_the_certifiers_and_a_blank_name_is_refused(
    db: Database, users_a: dict[str, models.User], city_a: models.Municipality, setup_session: Session
) -> None:
    admin, clerk = factories.actor_for(users_a["administrator"]), factories.actor_for(users_a["clerk"])
    officials = [
        {"title": "横浜市長", "name": "山中 竹春", "from": "2021-08-30", "to": "", "acting": False},
        {
            "title": "横浜市長職務代理者 副市長",
            "name": "平原 敏英",
            "from": "2026-12-01",
            "to": "2026-12-10",
            "acting": True,
        },
    ]
    with unit_of_work(db, admin) as uow:
        set_officials(uow, officials)
    setup_session.refresh(city_a)
    assert [o["name"] for o in city_a.settings["officials"]] == ["山中 竹春", "平原 敏英"]
    with pytest.raises(ValidationError) as refused, unit_of_work(db, admin) as uow:
        set_officials(uow, [{"title": "横浜市長", "name": " ", "from": "", "to": ""}])
    assert refused.value.problems[0].item == "氏名"
    with pytest.raises(PermissionDeniedError), unit_of_work(db, clerk) as uow:
        set_officials(uow, officials)


@pytest.mark.req("j290", "j310")
def test_the_certifiers_are_registered_from_the_command_line(
    app: Flask, city_a: models.Municipality, setup_session: Session
) -> None:
    setup_session.add(models.Ward(municipality_id=city_a.id, code="141046", name="中区"))
    setup_session.flush()
    runner = app.test_cli_runner()
    done = runner.invoke(args=[
        "tenant", "officials", "--tenant", city_a.code, "--official", "横浜市長|山中 竹春|2021-08-30",
        "--official", "横浜市長職務代理者 副市長|平原 敏英|2026-12-01|2026-12-10|acting",
        "--official", "中区長|中 太郎||||141046",
    ])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "横浜市長職務代理者 副市長 平原 敏英 2026-12-01〜2026-12-10（職務代理者）" in done.output
    setup_session.refresh(city_a)
    assert [(o["name"], o["acting"], o.get("ward_code")) for o in city_a.settings["officials"]] == [
        ("山中 竹春", False, None), ("平原 敏英", True, None), ("中 太郎", False, "141046"),
    ]  # fmt: skip
    blank = runner.invoke(args=["tenant", "officials", "--tenant", city_a.code, "--official", "横浜市長|"])
    assert blank.exit_code != 0 and "氏名：入力されていません" in blank.output


@pytest.mark.req("j310")
def test_two_mayors_at_once_and_a_ward_head_of_no_ward_are_refused_and_nothing_is_saved(
    db: Database, users_a: dict[str, models.User], city_a: models.Municipality, setup_session: Session
) -> None:
    admin = factories.actor_for(users_a["administrator"])
    mayor = {"title": "横浜市長", "name": "山中 竹春", "from": "2021-08-30", "to": "", "acting": False}
    successor = {"title": "横浜市長", "name": "次期 市長", "from": "2029-08-30", "to": "", "acting": False}
    with pytest.raises(ValidationError) as refused, unit_of_work(db, admin) as uow:
        set_officials(uow, [mayor, successor])
    [overlap] = refused.value.problems
    assert (overlap.field, overlap.code) == ("officials[1].from", "overlap")
    assert overlap.reason == "横浜市長 山中 竹春（令和3年8月30日〜）と期間が重なっています"
    ward_head = {"title": "中区長", "name": "中 太郎", "from": "", "to": "", "ward_code": "141046"}
    with pytest.raises(ValidationError) as refused, unit_of_work(db, admin) as uow:
        set_officials(uow, [mayor, ward_head])
    assert [p.code for p in refused.value.problems] == ["unknown_ward"]
    setup_session.refresh(city_a)
    assert "officials" not in city_a.settings
    with unit_of_work(db, admin) as uow:  # the successor once the mayor's term has an end
        set_officials(uow, [{**mayor, "to": "2029-08-29"}, successor])
    setup_session.refresh(city_a)
    assert [o["to"] for o in city_a.settings["officials"]] == ["2029-08-29", ""]
