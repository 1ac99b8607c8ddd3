"""他業務照会 on the record page and in the API (j1180): the latest registration of each other system is shown
with when it came; the button (a CSRF form) asks again; the API reads and asks; errors are Japanese."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from handlers.context import Actor
from handlers.db import Database
from models import Municipality, User
from tests import factories
from tests.integration.other_system_peer import SECRET, OtherSystemPeer
from tests.web.conftest import login_as
from tests.web.test_residents_api import token_for


@pytest.fixture
def peer() -> Iterator[OtherSystemPeer]:
    with OtherSystemPeer() as running:
        yield running


@pytest.fixture
def person(db: Database, clerk_a: Actor) -> str:
    return factories.make_household(db, clerk_a).members[0].atena_number


@pytest.mark.req("j1180")
def test_the_record_page_asks_the_other_systems_and_shows_their_answers_with_when_they_came(
    client: FlaskClient, setup_session: Session, city_a: Municipality, users_a: dict[str, User],
    peer: OtherSystemPeer, person: str,
) -> None:  # fmt: skip
    factories.make_inquiry_destinations(setup_session, city_a, peer.url, SECRET, ("nhi", "election"))
    peer.hold("nhi", person, registered=True, items={"acquired_date": "2020-04-01"})
    peer.hold("election", person, registered=True)
    login_as(client, users_a["clerk"])
    page = client.get(f"/residents/{person}").get_data(as_text=True)
    assert "他業務照会" in page and page.count("未照会") == 7
    response = client.post(f"/residents/{person}/other-systems/inquiries", data={})
    assert response.status_code == 302 and response.headers["Location"].endswith("#other-systems-heading")
    page = client.get(f"/residents/{person}").get_data(as_text=True)
    assert "選挙人名簿・国民健康保険に最新の登録情報を照会しました。" in page
    assert "被保険者該当：有" in page and "資格取得年月日 令和2年4月1日" in page
    assert "選挙人名簿への登録：有" in page and page.count("取得済み") == 2 and page.count("未照会") == 5


@pytest.mark.req("j1180")
def test_without_a_configured_system_the_page_says_so_in_japanese(
    client: FlaskClient, users_a: dict[str, User], person: str
) -> None:
    login_as(client, users_a["clerk"])
    client.post(f"/residents/{person}/other-systems/inquiries", data={})
    page = client.get(f"/residents/{person}").get_data(as_text=True)
    assert "照会できる他業務システムが設定されていません" in page


@pytest.mark.req("j1180")
def test_the_api_asks_and_reads_the_other_systems_registrations(
    client: FlaskClient, db: Database, setup_session: Session, city_a: Municipality, users_a: dict[str, User],
    peer: OtherSystemPeer, person: str,
) -> None:  # fmt: skip
    factories.make_inquiry_destinations(setup_session, city_a, peer.url, SECRET, ("child_allowance", "nhi"))
    peer.hold("child_allowance", person, registered=True, items={"start_month": "2019-05"})
    headers = token_for(db, users_a)
    asked = client.post(f"/api/residents/{person}/other-systems/inquiries", json={"systems": ["child_allowance"]},
                        headers=headers)  # fmt: skip
    assert asked.status_code == 202 and asked.get_json()["requested"] == ["child_allowance"]
    body = client.get(f"/api/residents/{person}/other-systems", headers=headers).get_json()
    by_system = {s["system"]: s for s in body["systems"]}
    allowance = by_system["child_allowance"]
    assert allowance["state"] == "answered" and allowance["fetched_at"]
    assert {i["field"]: i["value"] for i in allowance["items"]}["start_month"] == "2019年5月"
    assert by_system["nhi"]["state"] == "none"
    bad = client.post(
        f"/api/residents/{person}/other-systems/inquiries", json={"systems": "nhi"}, headers=headers
    )
    assert bad.status_code == 422 and bad.get_json()["problems"][0]["field"] == "systems"


@pytest.mark.req("j1170")
def test_supervisors_see_the_received_platform_files_with_the_reasons_of_a_rejection(
    client: FlaskClient, db: Database, setup_session: Session, city_a: Municipality, users_a: dict[str, User],
    person: str, tmp_path: Path,
) -> None:  # fmt: skip
    from handlers.other_systems.platform import exchange_all

    factories.make_platform_unit(setup_session, city_a, "nhi", str(tmp_path))
    (tmp_path / "receive").mkdir()
    good = {"kind": "registration", "atena_number": person, "items": {"registered": "true"}}
    bad = {"kind": "registration", "atena_number": "9999999999", "items": {"registered": "true"}}
    (tmp_path / "receive" / "1.xml").write_bytes(factories.platform_file("nhi", [good], message_id="N-1"))
    (tmp_path / "receive" / "2.xml").write_bytes(factories.platform_file("nhi", [bad], message_id="N-2"))
    exchange_all(db)
    login_as(client, users_a["supervisor"])
    page = client.get("/outbox/platform").get_data(as_text=True)
    assert "取込済み" in page and "取込不可（差戻し）" in page
    assert "1件目：宛名番号 9999999999 の住民はこの団体にいません" in page
    login_as(client, users_a["clerk"])
    assert client.get("/outbox/platform").status_code == 403


@pytest.mark.req("j1180")
def test_one_system_can_be_asked_again_from_its_own_row(
    client: FlaskClient, setup_session: Session, city_a: Municipality, users_a: dict[str, User],
    peer: OtherSystemPeer, person: str,
) -> None:  # fmt: skip
    factories.make_inquiry_destinations(setup_session, city_a, peer.url, SECRET, ("nhi", "election"))
    login_as(client, users_a["clerk"])
    page = client.get(f"/residents/{person}").get_data(as_text=True)
    assert 'name="system" value="national_pension"' in page and 'aria-label="国民年金に照会"' in page
    client.post(f"/residents/{person}/other-systems/inquiries", data={"system": "nhi"})
    assert [e["payload"]["system"] for e in peer.state.asked] == ["nhi"]
    page = client.get(f"/residents/{person}").get_data(as_text=True)
    assert "国民健康保険に最新の登録情報を照会しました。" in page
