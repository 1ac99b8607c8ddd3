"""除票検索 and 除票照会 pages (j1300, j50), and the 支援措置 page (j160): thin doors over the handlers, scoped
to the signed-in user's municipality and guarded by permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.removed_records import archive_old_removed_records
from handlers.support_measures import create_support_measure
from handlers.uow import unit_of_work
from tests import factories

OLD = dt.date(2019, 5, 1)


@pytest.fixture
def removed_pair(db: Database, setup_session: Session, city_a) -> dict[str, str]:
    archived = factories.make_removed_resident(setup_session, city_a, number=301, removal_date=OLD)
    live = factories.make_removed_resident(setup_session, city_a, number=302, removal_date=japan_today())
    setup_session.flush()
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        archive_old_removed_records(uow, today=japan_today())
    return {"archived": archived.atena_number, "live": live.atena_number}


@pytest.mark.req("j1300", "j50")
def test_one_search_lists_live_and_archived_removed_records(sign_in, users_a, removed_pair) -> None:
    client = sign_in(users_a["clerk"])
    page = client.get("/removed-records", query_string={"submitted": "1", "kana": "ヤマダ"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "検索結果（2件）" in body
    assert body.index("住民記録DB") < body.index("除票用DB")
    assert f'href="/removed-records/{removed_pair["archived"]}"' in body
    assert removed_pair["live"] in body


@pytest.mark.req("j1300")
def test_a_search_without_conditions_explains_in_japanese(sign_in, users_a) -> None:
    page = sign_in(users_a["clerk"]).get("/removed-records", query_string={"submitted": "1"})
    assert page.status_code == 200
    assert "検索条件：検索条件が入力されていません" in page.get_data(as_text=True)


@pytest.mark.req("j1300", "j50")
def test_an_archived_record_shows_items_history_and_memo(sign_in, users_a, removed_pair) -> None:
    page = sign_in(users_a["clerk"]).get(f"/removed-records/{removed_pair['archived']}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "除票照会（除票用データベース）" in body
    assert "山田 太郎" in body and "異動履歴" in body and "転出確認済" in body
    assert "長野県佐久市中込1番地" in body  # 転出先住所（予定）


@pytest.mark.req("j1300")
def test_another_city_finds_nothing_of_the_archive(sign_in, users_b, removed_pair) -> None:
    client = sign_in(users_b["clerk"])
    search = client.get(
        "/removed-records", query_string={"submitted": "1", "atena_number": removed_pair["archived"]}
    )
    assert "検索結果（0件）" in search.get_data(as_text=True)
    assert client.get(f"/removed-records/{removed_pair['archived']}").status_code == 404


@pytest.mark.req("j1300")
def test_the_removed_record_pages_need_sign_in_and_permission(client, sign_in, users_a, removed_pair) -> None:
    assert client.get("/removed-records").status_code == 302
    auditor = sign_in(users_a["auditor"])
    assert auditor.get("/removed-records").status_code == 403
    assert auditor.get(f"/removed-records/{removed_pair['archived']}").status_code == 403


@pytest.fixture
def measure_id(db: Database, setup_session: Session, city_a, users_a) -> int:
    household = factories.make_household_row(setup_session, city_a, number=311)
    victim = factories.make_resident_row(setup_session, household, number=311, given_name="花子")
    setup_session.flush()
    with unit_of_work(db, factories.actor_for(users_a["support_officer"])) as uow:
        measure = create_support_measure(
            uow,
            applicant={"name": "山田 花子", "atena_number": victim.atena_number},
            co_applicants=[{"name": "山田 一郎", "relation_to_applicant": "子"}],
            perpetrators=[{"name": "佐藤 次郎", "note": "元配偶者"}],
            protected_services=["inspection", "certificate", "koseki_fuhyo"],
            protected_addresses=["current"],
            request_date=dt.date(2026, 4, 1),
            victim_kind="dv",
        )
        return measure.id


@pytest.mark.req("j160", "j440")
def test_the_support_officer_sees_the_measure(sign_in, users_a, measure_id: int) -> None:
    page = sign_in(users_a["support_officer"]).get(f"/support-measures/{measure_id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in (
        "仮支援措置中",
        "山田 花子",
        "山田 一郎",
        "佐藤 次郎",
        "元配偶者",
        "戸籍の附票の写し等の交付",
        "令和8年4月1日",  # 申出年月日 in 和暦 (j90)
    ):
        assert text in body


@pytest.mark.req("j160", "j440")
def test_a_clerk_and_another_city_cannot_see_the_measure(sign_in, users_a, users_b, measure_id: int) -> None:
    assert sign_in(users_a["clerk"]).get(f"/support-measures/{measure_id}").status_code == 403
    assert sign_in(users_b["support_officer"]).get(f"/support-measures/{measure_id}").status_code == 404
