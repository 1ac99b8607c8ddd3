"""証明書の認証者 on its settings page (j290, j310, j1050): the administrator lists the certifiers with their
periods in 和暦 and the one in effect today, adds, corrects, ends and deletes entries through validated forms
(errors in Japanese beside their fields, typed values kept, nothing half-written, every change in the access
log); the certificate issued afterwards prints the new certifier.  Other roles and other municipalities are
refused; the forms need their CSRF token."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.certificates import CertificateRequest, issue_certificate
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.rules.dates import format_wareki
from handlers.uow import unit_of_work
from tests import factories
from tests.certificates.pdf_tools import flat, pdf_text
from tests.web.auth_helpers import csrf_token, post_form, sign_in

MAYOR = {"title": "横浜市長", "name": "山中 竹春", "from": "2021-08-30", "to": "", "acting": False}
PAST_ACTING = {"title": "横浜市長職務代理者 副市長", "name": "平原 敏英", "from": "2022-01-04", "to": "2022-01-10",
               "acting": True}  # fmt: skip
WARD_HEAD = {
    "title": "中区長",
    "name": "中 太郎",
    "from": "",
    "to": "",
    "acting": False,
    "ward_code": "141046",
}


def entry(**overrides: str) -> dict[str, str]:
    """The add/edit form as the administrator fills it in."""
    return {"title": "横浜市長職務代理者 副市長", "name": "平原 敏英", "kind": "acting", "ward_code": "",
            "start": "", "end": "", **overrides}  # fmt: skip


def officials(db: Database, city: models.Municipality) -> list[dict[str, Any]]:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        found = uow.session.get(models.Municipality, city.id)
        assert found is not None
        return list((found.settings or {}).get("officials", []))


def changes_logged(db: Database, city: models.Municipality) -> list[dict[str, Any]]:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        rows = uow.session.scalars(
            select(models.AccessLog)
            .where(models.AccessLog.function == "certificate_officials_changed")
            .order_by(models.AccessLog.seq)
        )
        return [{"login_id": r.login_id, **r.detail} for r in rows]


@pytest.fixture
def registered(setup_session: Session, city_a: models.Municipality) -> models.Municipality:
    """横浜市 with the ward 中区, its mayor, a past acting mayor and the 中区長."""
    setup_session.add(models.Ward(municipality_id=city_a.id, code="141046", name="中区"))
    city_a.settings = {**(city_a.settings or {}), "officials": [MAYOR, PAST_ACTING, WARD_HEAD]}
    setup_session.flush()
    return city_a


@pytest.mark.req("j310", "j1050")
def test_the_list_shows_each_certifier_with_its_period_in_wareki_and_marks_the_one_in_effect_today(
    sign_in: Any, users_a: dict[str, models.User], registered: models.Municipality
) -> None:
    client = sign_in(users_a["administrator"])
    assert 'href="/settings/officials"' in client.get("/account").get_data(as_text=True)  # in the menu
    page = client.get("/settings/officials").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)[1:]
    assert len(rows) == 3
    mayor, acting, ward_head = (re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in rows)
    assert mayor.startswith("横浜市長 山中 竹春 市区町村長 令和3年8月30日〜 神奈川県横浜市長　山中 竹春 有効")
    assert acting.startswith("横浜市長職務代理者 副市長 平原 敏英 職務代理者 令和4年1月4日〜令和4年1月10日")
    assert "有効" not in acting  # its period is over: the mayor certifies today (official_on)
    assert ward_head.startswith("中区長 中 太郎 区長 中区 定めなし 神奈川県中区長　中 太郎 有効")
    today = page.split("<table>")[0]
    assert f"本日（{format_wareki(japan_today())}）の認証者" in today
    assert "<dt>横浜市（区役所以外）</dt>" in today and "<dd>神奈川県横浜市長　山中 竹春</dd>" in today
    assert "<dt>中区</dt>" in today and "<dd>神奈川県中区長　中 太郎</dd>" in today


@pytest.mark.req("j310", "j1050", "j290")
def test_an_acting_mayor_added_on_the_page_is_printed_on_the_certificate_issued_afterwards(
    sign_in: Any,
    users_a: dict[str, models.User],
    registered: models.Municipality,
    db: Database,
    clerk_a: Actor,
) -> None:
    client = sign_in(users_a["administrator"])
    form = client.get("/settings/officials/new").get_data(as_text=True)
    assert "区（指定都市の区長のとき）" in form and '<option value="141046">中区</option>' in form
    today = japan_today()
    start, end = format_wareki(today), (today + dt.timedelta(days=9)).isoformat()
    added = client.post("/settings/officials/new", data=entry(start=start, end=end))
    assert added.status_code == 302
    assert officials(db, registered)[3] == {"title": "横浜市長職務代理者 副市長", "name": "平原 敏英",
                                            "from": today.isoformat(), "to": end, "acting": True}  # fmt: skip
    listing = client.get("/settings/officials", follow_redirects=True).get_data(as_text=True)
    assert "<dd>神奈川県横浜市長職務代理者 副市長　平原 敏英</dd>" in listing
    household = factories.make_household(db, clerk_a)
    subject = household.members[0].atena_number
    with unit_of_work(db, clerk_a) as uow:
        issued = issue_certificate(uow, CertificateRequest("copy_individual", (subject,)))
    printed = flat(pdf_text(issued.pdf))
    assert "神奈川県横浜市長職務代理者副市長平原敏英" in printed and "山中竹春" not in printed
    assert changes_logged(db, registered) == [
        {"login_id": users_a["administrator"].login_id, "operation": "added", "number": 4, "count": 4}
    ]


@pytest.mark.req("j310")
def test_the_administrator_corrects_ends_and_deletes_entries_each_change_in_the_access_log(
    sign_in: Any, users_a: dict[str, models.User], registered: models.Municipality, db: Database
) -> None:
    client = sign_in(users_a["administrator"])
    form = client.get("/settings/officials/2").get_data(as_text=True)
    assert 'value="令和4年1月4日"' in form and 'value="令和4年1月10日"' in form  # dates shown in 和暦
    assert "証明書への印字：<strong>神奈川県横浜市長職務代理者 副市長　平原 敏英</strong>" in form
    version = re.search(r'name="version" type="hidden" value="(\w+)"', form)
    assert version
    changed = client.post("/settings/officials/2", data=entry(name="平原 敏英（訂正）", start="R4.1.4",
                                                               end="2022-01-10", version=version.group(1)))  # fmt: skip
    assert changed.status_code == 302
    assert officials(db, registered)[1]["name"] == "平原 敏英（訂正）"
    end_form = client.get("/settings/officials/1/end").get_data(as_text=True)
    assert f'value="{format_wareki(japan_today())}"' in end_form  # today by default
    version = re.search(r'name="version" type="hidden" value="(\w+)"', end_form)
    assert version
    ended = client.post(
        "/settings/officials/1/end", data={"end": "令和8年3月31日", "version": version.group(1)}
    )
    assert ended.status_code == 302 and officials(db, registered)[0]["to"] == "2026-03-31"
    confirm = client.get("/settings/officials/3/delete").get_data(as_text=True)
    assert "中区長 中 太郎" in confirm and "誤って登録した認証者の取消し" in confirm
    version = re.search(r'name="version" type="hidden" value="(\w+)"', confirm)
    assert version
    deleted = client.post("/settings/officials/3/delete", data={"version": version.group(1)})
    assert deleted.status_code == 302 and [o["name"] for o in officials(db, registered)] == [
        "山中 竹春", "平原 敏英（訂正）",
    ]  # fmt: skip
    assert [(c["operation"], c["number"], c["count"]) for c in changes_logged(db, registered)] == [
        ("changed", 2, 3), ("ended", 1, 3), ("deleted", 3, 2),
    ]  # fmt: skip


@pytest.mark.req("j310")
def test_a_blank_name_and_a_reversed_period_are_refused_beside_their_fields_and_nothing_is_saved(
    sign_in: Any, users_a: dict[str, models.User], registered: models.Municipality, db: Database
) -> None:
    client = sign_in(users_a["administrator"])
    refused = client.post(
        "/settings/officials/new", data=entry(name=" ", start="令和8年4月1日", end="R8.3.1")
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert re.search(r'id="name-error">氏名：入力されていません。氏名を入力してください</span>', page)
    assert re.search(r'id="end-error">期間：終了日が開始日より前です。期間を直してください</span>', page)
    assert 'href="#name"' in page and 'href="#end"' in page  # the summary links to each field
    assert 'value="令和8年4月1日"' in page and 'value="R8.3.1"' in page and 'value="平原 敏英"' not in page
    assert 'value="横浜市長職務代理者 副市長"' in page  # what was typed comes back
    bad_day = client.post("/settings/officials/new", data=entry(start="令和8年2月30日")).get_data(
        as_text=True
    )
    assert re.search(r'id="start-error">開始日（空欄は定めなし）：[^<]*日付[^<]*</span>', bad_day), bad_day
    second_mayor = client.post("/settings/officials/new", data=entry(title="横浜市長", name="次期 市長",
                                                                     kind="mayor", start="令和9年4月1日"))  # fmt: skip
    assert second_mayor.status_code == 422
    assert re.search(r'id="start-error">期間：横浜市長 山中 竹春（令和3年8月30日〜）と期間が重なっています。', second_mayor.get_data(as_text=True))  # fmt: skip
    assert (
        officials(db, registered) == [MAYOR, PAST_ACTING, WARD_HEAD] and changes_logged(db, registered) == []
    )


@pytest.mark.req("j310", "j1380")
def test_a_clerk_and_a_supervisor_are_refused_the_page_and_its_changes(
    sign_in: Any, users_a: dict[str, models.User], registered: models.Municipality, db: Database
) -> None:
    for role in ("clerk", "supervisor"):
        client = sign_in(users_a[role])
        assert client.get("/settings/officials").status_code == 403
        assert client.post("/settings/officials/new", data=entry()).status_code == 403
        assert client.post("/settings/officials/1/delete").status_code == 403
        assert 'href="/settings/officials"' not in client.get("/account").get_data(as_text=True)
    assert officials(db, registered) == [MAYOR, PAST_ACTING, WARD_HEAD]


@pytest.mark.req("j310", "j160", "j1380")
def test_another_municipalitys_administrator_neither_sees_nor_changes_these_certifiers(
    sign_in: Any,
    users_a: dict[str, models.User],
    users_b: dict[str, models.User],
    registered: models.Municipality,
    db: Database,
) -> None:
    client = sign_in(users_b["administrator"])
    page = client.get("/settings/officials").get_data(as_text=True)
    assert "認証者はまだ登録されていません" in page and "山中" not in page and "中区" not in page
    assert client.get("/settings/officials/1").status_code == 404
    assert client.post("/settings/officials/1", data=entry()).status_code == 404
    assert client.post("/settings/officials/1/end", data={"end": "2026-03-31"}).status_code == 404
    assert client.post("/settings/officials/1/delete").status_code == 404
    assert officials(db, registered) == [MAYOR, PAST_ACTING, WARD_HEAD]
    # city B's own register is its own: a 区長 is refused there (not a designated city)
    refused = client.post("/settings/officials/new", data=entry(ward_code="141046")).get_data(as_text=True)
    assert "区長は指定都市だけが登録できます" in refused


@pytest.mark.req("j310")
def test_an_entry_changed_meanwhile_is_not_overwritten(
    sign_in: Any, users_a: dict[str, models.User], registered: models.Municipality, db: Database
) -> None:
    client = sign_in(users_a["administrator"])
    shown = client.get("/settings/officials/1").get_data(as_text=True)
    stale = re.search(r'name="version" type="hidden" value="(\w+)"', shown)
    assert stale
    mayor = entry(title="横浜市長", kind="mayor", start="2021-08-30", version=stale.group(1))
    assert (
        client.post("/settings/officials/1", data={**mayor, "name": "山中 竹春（再任）"}).status_code == 302
    )
    assert (
        client.post("/settings/officials/1", data={**mayor, "name": "別人"}).status_code == 409
    )  # shown before
    assert officials(db, registered)[0]["name"] == "山中 竹春（再任）"


@pytest.fixture
def csrf_client(db: Database, setup_session: Session) -> FlaskClient:
    from webui.app import create_app

    setup_session.flush()
    app: Flask = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True, "SECRET_KEY": "test"}, db=db)
    return app.test_client()


@pytest.mark.req("j1380")
def test_the_forms_need_their_csrf_token(
    csrf_client: FlaskClient, users_a: dict[str, models.User], registered: models.Municipality, db: Database
) -> None:
    sign_in(csrf_client, users_a["administrator"].login_id)
    assert csrf_client.post("/settings/officials/new", data=entry()).status_code == 400
    assert csrf_client.post("/settings/officials/3/delete").status_code == 400
    assert officials(db, registered) == [MAYOR, PAST_ACTING, WARD_HEAD]
    assert csrf_token(csrf_client, "/settings/officials/3/delete")
    added = post_form(csrf_client, "/settings/officials/new", entry(start="令和10年1月1日"))
    assert added.status_code == 302 and len(officials(db, registered)) == 4
