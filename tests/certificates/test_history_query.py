"""交付履歴照会 (j360): a person's issuance history is narrowed by the items it keeps (交付年月日, 交付場所, 種別,
発行番号, 端末名, ユーザID, 処分情報), shown with the person's 個人番号カード等 交付状況; a bad condition is refused
in Japanese."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

import models
from handlers.certificates import dispose_certificate, issuance_history
from handlers.certificates.history_query import IssuanceQuery
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from handlers.uow import unit_of_work
from tests.certificates.conftest import atena_numbers, issue
from tests.web.conftest import login_as

pytestmark = pytest.mark.req("j360")
DAY1 = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)  # 10:00 in Japan
DAY2 = dt.datetime(2026, 11, 3, 14, 30, tzinfo=dt.UTC)  # 23:30 in Japan, still 3 Nov there


def three_copies(db: Database, clerk: Actor, subject: str) -> list[str]:
    first = issue(db, dataclasses.replace(clerk, terminal="T-01"), "copy_individual", [subject], now=DAY1)
    second = issue(db, dataclasses.replace(clerk, terminal="T-02"), "entry_certificate", [subject], now=DAY2)
    third = issue(db, dataclasses.replace(clerk, terminal="T-02"), "copy_individual", [subject], now=DAY2)
    with unit_of_work(db, clerk) as uow:
        dispose_certificate(uow, third.issue_numbers[0], "印字不良")
    return [first.issue_numbers[0], second.issue_numbers[0], third.issue_numbers[0]]


def found(db: Database, clerk: Actor, subject: str, **items: object) -> list[str]:
    with unit_of_work(db, clerk) as uow:
        return [row.issue_number for row in issuance_history(uow, subject, IssuanceQuery(**items))]  # type: ignore[arg-type]


def test_the_history_is_narrowed_by_each_item_it_keeps(
    db: Database, clerk_a: Actor, family: models.Household
) -> None:
    subject = atena_numbers(family)[0]
    first, second, third = three_copies(db, clerk_a, subject)
    assert found(db, clerk_a, subject) == [third, second, first]  # newest first
    assert found(db, clerk_a, subject, certificate_type="copy_individual") == [third, first]
    assert found(db, clerk_a, subject, terminal="T-01") == [first]
    assert found(db, clerk_a, subject, status="disposed") == [third]
    assert found(db, clerk_a, subject, issue_number=second) == [second]
    assert found(db, clerk_a, subject, issued_from=dt.date(2026, 11, 3), issued_to=dt.date(2026, 11, 3)) == [
        third,
        second,
    ]
    assert found(db, clerk_a, subject, issued_to=dt.date(2026, 11, 2)) == [first]
    assert found(db, clerk_a, subject, place="本") == [third, second, first]  # 本庁, by part
    assert found(db, clerk_a, subject, login_id="someone.else") == []


def test_a_period_that_ends_before_it_begins_is_refused(
    db: Database, clerk_a: Actor, family: models.Household
) -> None:
    subject = atena_numbers(family)[0]
    with pytest.raises(ValidationError) as refused:
        found(db, clerk_a, subject, issued_from=dt.date(2026, 11, 3), issued_to=dt.date(2026, 11, 2))
    assert [p.field for p in refused.value.problems] == ["issued_to"]


def test_the_inquiry_page_narrows_the_history_and_shows_the_card_status(
    client: FlaskClient, db: Database, clerk_a: Actor, users_a: dict[str, models.User],
    family: models.Household, setup_session: Session,
) -> None:  # fmt: skip
    subject = atena_numbers(family)[0]
    first, second, third = three_copies(db, clerk_a, subject)
    with unit_of_work(db, clerk_a) as uow:
        uow.session.query(models.Resident).filter_by(atena_number=subject).one().card_status = "交付済"
    login_as(client, users_a["clerk"])
    page = client.get(
        f"/certificates/history/{subject}", query_string={"certificate_type": "entry_certificate"}
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "個人番号カード等の交付状況：交付済" in text
    assert second in text and first not in text and third not in text and "住民票記載事項証明書" in text
    bad = client.get(f"/certificates/history/{subject}", query_string={"issued_from": "11月3日"})
    assert bad.status_code == 422 and "年月日として読み取れません" in bad.get_data(as_text=True)
    wareki = client.get(f"/certificates/history/{subject}", query_string={"issued_from": "令和元年5月1日"})
    assert wareki.status_code == 200, "the day may be typed in 和暦 as on every other counter form"
    none = client.get(f"/certificates/history/{subject}", query_string={"terminal": "NOPE"}).get_data(
        as_text=True
    )
    assert "条件に合う交付履歴はありません" in none


def test_the_history_names_who_issued_each_copy_with_their_login_id(
    client: FlaskClient, db: Database, clerk_a: Actor, users_a: dict[str, models.User],
    family: models.Household, setup_session: Session,
) -> None:  # fmt: skip
    subject = atena_numbers(family)[0]
    users_a["clerk"].display_name = "交付 花子"
    setup_session.flush()
    issue(db, clerk_a, "copy_individual", [subject], now=DAY1)
    login_as(client, users_a["clerk"])
    text = client.get(f"/certificates/history/{subject}").get_data(as_text=True)
    assert "交付者（ユーザID）" in text and f"<td>交付 花子（{users_a['clerk'].login_id}）</td>" in text


def test_a_copy_issued_by_a_user_no_longer_known_shows_the_login_id(
    client: FlaskClient, db: Database, clerk_a: Actor, users_a: dict[str, models.User],
    users_b: dict[str, models.User], family: models.Household, setup_session: Session,
) -> None:  # fmt: skip
    subject = atena_numbers(family)[0]
    other = users_b["clerk"]  # another municipality's user: never named here
    other.display_name = "上田 三郎"
    setup_session.flush()
    issue(db, dataclasses.replace(clerk_a, login_id=other.login_id), "copy_individual", [subject], now=DAY1)
    issue(db, dataclasses.replace(clerk_a, login_id="retired.clerk"), "copy_individual", [subject], now=DAY2)
    login_as(client, users_a["clerk"])
    text = client.get(f"/certificates/history/{subject}").get_data(as_text=True)
    assert f"<td>{other.login_id}</td>" in text and "<td>retired.clerk</td>" in text
    assert "上田 三郎" not in text
