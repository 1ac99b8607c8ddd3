"""Resident pages: search form and results, record view with masking and the 支援措置 badge, as-of view,
tenant isolation, a household with its removed members (j430), and the access log (j320–j340, j90, j160, j200,
j1370, j1390)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from handlers.context import Actor
from handlers.db import Database
from handlers.residents.registration import amend_resident, remove_resident
from handlers.uow import unit_of_work
from models import AccessLog, Household, SupportMeasure, SupportMeasureParty, User
from tests.factories import make_household
from tests.web.conftest import login_as


def without_csrf_token(response: TestResponse) -> str:
    """The page with its CSRF token blanked: the token carries the second it was made in."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'value=""', response.get_data(as_text=True))


@pytest.fixture
def family(db: Database, clerk_a: Actor) -> Household:
    return make_household(db, clerk_a)


def logged(session: Session, function: str) -> list[AccessLog]:
    return list(
        session.scalars(select(AccessLog).where(AccessLog.function == function).order_by(AccessLog.seq))
    )


def protect(session: Session, tenant_id: int, atena_number: str) -> None:
    measure = SupportMeasure(tenant_id=tenant_id, status="in_force", provisional=False)
    measure.parties.append(
        SupportMeasureParty(tenant_id=tenant_id, role="applicant", atena_number=atena_number, name="x")
    )
    session.add(measure)
    session.flush()


def test_root_redirects_to_the_search(client: FlaskClient, users_a: dict[str, User]) -> None:
    login_as(client, users_a["clerk"])
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/residents/search")


def test_search_needs_sign_in(client: FlaskClient) -> None:
    assert client.get("/residents/search").status_code in (302, 401)


@pytest.mark.req("j320", "j340")
def test_search_form_has_japanese_labels_tied_to_inputs_and_autofocus(
    client: FlaskClient, users_a: dict[str, User]
) -> None:
    login_as(client, users_a["clerk"])
    page = client.get("/residents/search").get_data(as_text=True)
    for label in (
        "カナ氏名",
        "漢字氏名",
        "生年月日（和暦/西暦可）",
        "性別",
        "住所",
        "宛名番号",
        "世帯番号",
        "個人番号",
        "住民票コード",
        "在留カード番号",
        "除票も含める",
    ):
        assert label in page
    assert '<label for="f-kana">カナ氏名</label>' in page
    assert 'id="f-kana"' in page and "autofocus" in page


@pytest.mark.req("j330", "j160", "j1370")
def test_search_results_show_the_family_with_the_protection_badge_and_are_logged(
    client: FlaskClient, users_a: dict[str, User], family: Household, setup_session: Session
) -> None:
    wife = next(m for m in family.members if m.given_name == "花子")
    protect(setup_session, family.tenant_id, wife.atena_number)
    login_as(client, users_a["clerk"])
    page = client.get("/residents/search", query_string={"kana": "やまだ"}).get_data(as_text=True)
    assert "検索結果（3件）" in page
    assert "山田 花子" in page and "昭和57年6月15日" in page and "女" in page
    assert page.count('<span class="protected">支援措置対象</span>') == 1
    row = logged(setup_session, "resident_searched")[-1]
    assert sorted(row.targets) == sorted(m.atena_number for m in family.members)
    assert row.user_id == users_a["clerk"].id


def test_search_problem_is_shown_in_japanese(client: FlaskClient, users_a: dict[str, User]) -> None:
    login_as(client, users_a["clerk"])
    page = client.get("/residents/search", query_string={"birth_date": "むかしむかし"}).get_data(as_text=True)
    assert "生年月日" in page and "読み取れません" in page


@pytest.mark.req("j90", "j200", "j1370")
def test_record_view_shows_items_household_history_and_logs_the_my_number_shown(
    client: FlaskClient, users_a: dict[str, User], family: Household, setup_session: Session
) -> None:
    head = family.members[0]
    login_as(client, users_a["clerk"])
    page = client.get(f"/residents/{head.atena_number}").get_data(as_text=True)
    for text in (
        "山田 太郎",
        "昭和55年4月1日",
        "東京都千代田区千代田1番",
        head.my_number,
        head.resident_code,
        "神奈川県横浜市中区港町1丁目1番地",
        "世帯主",
        "妻",
        "子",
        "国内転入",
        "異動履歴",
    ):
        assert text in page
    row = logged(setup_session, "resident_viewed")[-1]
    assert head.atena_number in row.targets and row.my_number_shown is True


@pytest.mark.req("j1390")
def test_hidden_items_are_masked_and_the_view_is_logged_without_my_number(
    client: FlaskClient, users_a: dict[str, User], family: Household, setup_session: Session
) -> None:
    clerk = users_a["clerk"]
    clerk.hide_my_number = True
    clerk.hide_honseki = True
    setup_session.flush()
    head = family.members[0]
    login_as(client, clerk)
    page = client.get(f"/residents/{head.atena_number}").get_data(as_text=True)
    assert head.my_number not in page and "<dd>東京都千代田区千代田1番</dd>" not in page
    assert page.count("（非表示）") == 3  # 個人番号, 本籍, 筆頭者
    assert head.resident_code in page
    assert logged(setup_session, "resident_viewed")[-1].my_number_shown is False


@pytest.mark.req("j200", "j350")
def test_as_of_view_shows_the_old_name(
    client: FlaskClient, users_a: dict[str, User], family: Household, db: Database, clerk_a: Actor
) -> None:
    head = family.members[0]
    with unit_of_work(db, clerk_a) as uow:
        amend_resident(
            uow,
            head.atena_number,
            {"given_name": "太朗"},
            reason_code="clerical_correction",
            change_date="2021-01-01",
        )
    login_as(client, users_a["clerk"])
    now = client.get(f"/residents/{head.atena_number}").get_data(as_text=True)
    before = client.get(
        f"/residents/{head.atena_number}", query_string={"as_of": "令和2年12月31日"}
    ).get_data(as_text=True)
    assert "山田 太朗" in now and "誤記修正" in now
    assert "山田 太郎" in before and "2020-12-31 時点の記録" in before


@pytest.mark.req("j1380")
def test_a_user_of_another_city_gets_not_found(
    client: FlaskClient, users_b: dict[str, User], family: Household, setup_session: Session
) -> None:
    login_as(client, users_b["clerk"])
    response = client.get(f"/residents/{family.members[0].atena_number}")
    assert response.status_code == 404
    assert "山田" not in response.get_data(as_text=True)
    unknown = client.get("/residents/9999999999")
    assert without_csrf_token(unknown) == without_csrf_token(response)
    page = client.get("/residents/search", query_string={"kana": "ヤマダ"}).get_data(as_text=True)
    assert "該当する住民はいません" in page


def test_an_auditor_may_not_search(client: FlaskClient, users_a: dict[str, User]) -> None:
    login_as(client, users_a["auditor"])
    assert client.get("/residents/search").status_code == 403


@pytest.mark.req("j320")
def test_a_long_result_offers_the_next_page_which_continues_the_list(
    client: FlaskClient, users_a: dict[str, User], db: Database, clerk_a: Actor
) -> None:
    import re

    from handlers.residents.search import DEFAULT_LIMIT
    from tests.factories import japanese_member

    for n in range(DEFAULT_LIMIT // 3 + 1):  # one page and a few more, all ヤマダ
        make_household(
            db,
            clerk_a,
            [
                japanese_member(given_name_kana=given * (n + 1), relation_to_head=relation)
                for given, relation in (("ア", "世帯主"), ("イ", "妻"), ("ウ", "子"))
            ],
        )
    login_as(client, users_a["clerk"])
    first = client.get("/residents/search", query_string={"kana": "ヤマダ"}).get_data(as_text=True)
    next_link = re.search(r'<a href="([^"]+)" rel="next">次の', first)
    assert next_link is not None
    second = client.get(next_link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    seen_first = set(re.findall(r"/residents/(\d{10})\b", first))
    seen_second = set(re.findall(r"/residents/(\d{10})\b", second))
    assert len(seen_first) == DEFAULT_LIMIT and seen_second and not seen_first & seen_second
    assert len(seen_first | seen_second) == 3 * (DEFAULT_LIMIT // 3 + 1)
    assert 'rel="next"' not in second


def status_rows(response: TestResponse) -> list[tuple[str, str]]:
    """(宛名番号, 状態) of every row of the search results."""
    page = response.get_data(as_text=True)
    return re.findall(r"<tr>\s*<td>(\d+)</td>.*?<td>([^<]*)</td>\s*</tr>", page, re.S)


@pytest.mark.req("j430")
def test_a_household_searched_by_its_number_shows_a_removed_member_when_asked(
    client: FlaskClient, db: Database, clerk_a: Actor, users_a: dict[str, User], family: Household
) -> None:
    wife = next(m.atena_number for m in family.members if m.given_name == "花子")
    with unit_of_work(db, clerk_a) as uow:
        remove_resident(uow, wife, reason_code="death", removal_date="2023-01-01")
    login_as(client, users_a["clerk"])
    number = family.household_number
    live = status_rows(client.get(f"/residents/search?household_number={number}"))
    assert len(live) == 2 and wife not in dict(live)
    everyone = dict(status_rows(client.get(f"/residents/search?household_number={number}&include_removed=y")))
    assert len(everyone) == 3 and everyone[wife] == "除票"
