"""The inbound-notice pages: the CS relay inbox with status and action and the supervisor's decision (j690),
the 転出証明書情報 lookup that prefills a 特例転入 (j610), the 戸籍 notice pending list with its
before/after 確認票, apply and refuse (j770).  Each renders for its roles, refuses the others and another
municipality, logs what it shows, and leaves out the name of a person under a support measure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.context import Actor
from handlers.db import Database
from handlers.residents.items import RESIDENT_ITEM_BY_FIELD
from handlers.support_measures import create_support_measure, decide_support_measure
from handlers.uow import unit_of_work
from models.audit import AccessLog
from models.koseki_notice_inbox import KosekiNoticeInbox
from models.relay import RelayInbox
from models.resident import Resident
from models.tenant import Municipality
from tests import factories

NOW = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)


def relay_row(session: Session, city: Municipality, key: str, **values: Any) -> RelayInbox:
    row = RelayInbox(tenant_id=city.id, received_at=NOW, sender_code="202177", idempotency_key=key, **values)
    session.add(row)
    session.flush()
    return row


def certificate(session: Session, city: Municipality, key: str, status: str = "received") -> RelayInbox:
    payload = {"name": "桜井 健", "birth_date": "1985-06-01", "address": "長野県佐久市中込1番地",
               "family_name_kana": "サクライ", "given_name_kana": "ケン", "sex": "1", "resident_code": "55555555555",
               "move_out_planned_date": "2026-04-10", "sender_name": "佐久市"}  # fmt: skip
    if status == "used":
        payload["used"] = {"on": "2026-04-02", "atena_numbers": ["0000000019"]}
    return relay_row(session, city, key, kind="move_out_certificate_info", resident_code="55555555555",
                     name="桜井 健", payload=payload, status=status)  # fmt: skip


def protected_resident(db: Database, session: Session, city: Municipality, officer: Any) -> Resident:
    home = factories.make_household_row(session, city, number=701)
    person = factories.make_resident_row(session, home, number=701, family_name="秘匿", given_name="花子")
    person.resident_code = "77777777777"
    session.flush()
    with unit_of_work(db, factories.actor_for(officer)) as uow:
        measure = create_support_measure(
            uow, applicant={"name": "秘匿 花子", "atena_number": person.atena_number}, co_applicants=[],
            perpetrators=[{"name": "加害 太郎"}], protected_services=["certificate"], protected_addresses=["current"],
            request_date=dt.date(2026, 1, 1), victim_kind="dv",
        )  # fmt: skip
        decide_support_measure(uow, measure.id, start_date=dt.date(2026, 1, 1))
    return person


@pytest.fixture
def inbox(
    db: Database, setup_session: Session, city_a: Municipality, users_a: dict[str, Any]
) -> dict[str, Any]:
    protected = protected_resident(db, setup_session, city_a, users_a["support_officer"])
    review = relay_row(
        setup_session, city_a, "202177:N-1:1", kind="move_in_notice", resident_code="99999999999", name=None,
        status="review", payload={"resident_codes": ["99999999999"], "sender_name": "佐久市",
                                  "error": "住民票コードに該当する転出者がいません"},
    )  # fmt: skip
    hidden = relay_row(
        setup_session, city_a, "202177:N-2:1", kind="move_in_notice", resident_code=protected.resident_code,
        name="秘匿 花子", status="received", payload={"resident_codes": [protected.resident_code]},
    )  # fmt: skip
    fresh = certificate(setup_session, city_a, "202177:C-1:1")
    return {"review": review, "hidden": hidden, "certificate": fresh, "protected": protected}


def logged(db: Database, city: Municipality, function: str) -> list[AccessLog]:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        return list(uow.session.scalars(select(AccessLog).where(AccessLog.function == function)))


@pytest.mark.req("j690")
def test_the_relay_inbox_shows_each_message_with_its_status_and_the_action_to_take(
    sign_in: Any, users_a: dict[str, Any], inbox: dict[str, Any], db: Database, city_a: Municipality
) -> None:
    page = sign_in(users_a["clerk"]).get("/inbound/relay")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "CS中継 受信一覧" in body and "転入通知" in body and "転出証明書情報" in body
    assert "要確認" in body and "住民票コードに該当する転出者がいません" in body
    assert "特例転入の受付で使用できます" in body
    assert 'action="/inbound/relay/' not in body  # a clerk does not decide
    [entry] = logged(db, city_a, "relay_inbox_listed")
    assert entry.login_id == users_a["clerk"].login_id


@pytest.mark.req("j410", "j160")
def test_the_relay_inbox_leaves_out_the_name_of_a_protected_person(
    sign_in: Any, users_a: dict[str, Any], inbox: dict[str, Any]
) -> None:
    body = sign_in(users_a["clerk"]).get("/inbound/relay").get_data(as_text=True)
    assert "秘匿 花子" not in body and inbox["protected"].resident_code not in body
    assert "支援措置対象者（氏名等は表示しません）" in body


@pytest.mark.req("j690")
def test_a_supervisor_decides_a_message_in_review_and_a_refusal_needs_a_reason(
    sign_in: Any, users_a: dict[str, Any], inbox: dict[str, Any], setup_session: Session
) -> None:
    client = sign_in(users_a["supervisor"])
    row = inbox["review"]
    assert f'action="/inbound/relay/{row.id}/decision"' in client.get("/inbound/relay").get_data(as_text=True)
    empty = client.post(f"/inbound/relay/{row.id}/decision", data={"decision": "refuse", "reason": ""},
                        follow_redirects=True)  # fmt: skip
    assert "受理しない理由を入力してください" in empty.get_data(as_text=True)
    setup_session.refresh(row)
    assert row.status == "review"
    done = client.post(f"/inbound/relay/{row.id}/decision", data={"decision": "refuse", "reason": "誤送信"})
    assert done.status_code == 302
    setup_session.refresh(row)
    assert (row.status, row.payload["decision"]["reason"]) == ("refused", "誤送信")


@pytest.mark.req("j690")
def test_a_clerk_cannot_decide_and_roles_without_the_counter_see_no_inbox(
    sign_in: Any, client: Any, users_a: dict[str, Any], inbox: dict[str, Any]
) -> None:
    row = inbox["review"]
    assert (
        sign_in(users_a["clerk"])
        .post(f"/inbound/relay/{row.id}/decision", data={"decision": "accept"})
        .status_code
        == 403
    )
    for role in ("auditor", "analyst", "administrator"):
        signed = sign_in(users_a[role])
        assert signed.get("/inbound/relay").status_code == 403
        assert signed.get("/inbound/move-out-certificates").status_code == 403


@pytest.mark.req("j1380")
def test_another_municipality_sees_and_decides_nothing_of_this_inbox(
    sign_in: Any, users_b: dict[str, Any], inbox: dict[str, Any], setup_session: Session
) -> None:
    client = sign_in(users_b["supervisor"])
    body = client.get("/inbound/relay").get_data(as_text=True)
    assert "該当する受信通知はありません" in body and "桜井" not in body
    row = inbox["review"]
    assert (
        client.post(
            f"/inbound/relay/{row.id}/decision", data={"decision": "refuse", "reason": "x"}
        ).status_code
        == 404
    )
    found = client.get("/inbound/move-out-certificates", query_string={"resident_code": "55555555555"})
    assert "照会結果（0件）" in found.get_data(as_text=True)
    assert client.get(f"/cases/new/move_in?certificate={inbox['certificate'].id}").status_code == 302
    setup_session.refresh(row)
    assert row.status == "review"


@pytest.mark.req("j610")
def test_the_certificate_lookup_finds_by_code_or_name_and_birth_date_and_prefills_the_special_move_in(
    sign_in: Any, users_a: dict[str, Any], inbox: dict[str, Any], db: Database, city_a: Municipality
) -> None:
    client = sign_in(users_a["clerk"])
    row = inbox["certificate"]
    by_code = client.get("/inbound/move-out-certificates", query_string={"resident_code": "55555555555"})
    body = by_code.get_data(as_text=True)
    assert "照会結果（1件）" in body and "桜井 健" in body and "未使用" in body
    assert "<td>昭和60年6月1日</td>" in body and "<td>令和8年4月10日</td>" in body  # 和暦 (j90), not ISO
    assert f"/cases/new/move_in?certificate={row.id}" in body
    by_name = client.get(
        "/inbound/move-out-certificates", query_string={"name": "桜井", "birth_date": "昭和60年6月1日"}
    )
    assert "照会結果（1件）" in by_name.get_data(as_text=True)
    wrong = client.get(
        "/inbound/move-out-certificates", query_string={"name": "桜井", "birth_date": "昭和60年6月2日"}
    )
    assert "照会結果（0件）" in wrong.get_data(as_text=True)
    bad = client.get(
        "/inbound/move-out-certificates", query_string={"name": "桜井", "birth_date": "令和99年13月1日"}
    )
    assert "入力内容に誤りがあります" in bad.get_data(as_text=True)
    assert logged(db, city_a, "move_out_certificate_info_searched")

    intake = client.get(f"/cases/new/move_in?certificate={row.id}")
    page = intake.get_data(as_text=True)
    assert intake.status_code == 200
    assert f"転出証明書情報（受信番号 {row.id}、佐久市）から入力しました" in page
    assert 'value="桜井"' in page and 'value="サクライ"' in page and 'selected value="special"' in page
    assert f'name="relay_inbox_id" type="hidden" value="{row.id}"' in page


@pytest.mark.req("j610")
def test_a_used_certificate_is_shown_as_used_and_cannot_prefill_another_special_move_in(
    sign_in: Any, users_a: dict[str, Any], setup_session: Session, city_a: Municipality
) -> None:
    used = certificate(setup_session, city_a, "202177:C-9:1", status="used")
    client = sign_in(users_a["clerk"])
    body = client.get("/inbound/move-out-certificates", query_string={"name": "桜井"}).get_data(as_text=True)
    assert "使用済み" in body and f"certificate={used.id}" not in body
    refused = client.get(f"/cases/new/move_in?certificate={used.id}", follow_redirects=True)
    assert "既に2026-04-02 特例転入で使用済み" in refused.get_data(as_text=True)


@pytest.fixture
def koseki_notice(
    db: Database, setup_session: Session, city_a: Municipality, clerk_a: Actor
) -> KosekiNoticeInbox:
    person = factories.make_household(db, clerk_a).members[0]  # 山田 太郎
    notice = KosekiNoticeInbox(
        tenant_id=city_a.id, received_at=NOW, sender_code="131016", notice_date=dt.date(2026, 3, 30),
        atena_number=person.atena_number, payload={"honseki": "東京都千代田区丸の内1丁目1番", "hittosha": "山田 花子"},
        status="pending",
    )  # fmt: skip
    setup_session.add(notice)
    setup_session.flush()
    return notice


@pytest.mark.req("j770")
def test_the_koseki_pending_list_and_its_before_after_confirmation(
    sign_in: Any,
    users_a: dict[str, Any],
    koseki_notice: KosekiNoticeInbox,
    db: Database,
    city_a: Municipality,
) -> None:
    client = sign_in(users_a["clerk"])
    listing = client.get("/inbound/koseki").get_data(as_text=True)
    labels = [RESIDENT_ITEM_BY_FIELD[f].label for f in ("honseki", "hittosha")]
    assert "山田 太郎" in listing and "・".join(labels) in listing
    assert f"/inbound/koseki/{koseki_notice.id}" in listing and "<td>令和8年3月30日</td>" in listing
    page = client.get(f"/inbound/koseki/{koseki_notice.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "東京都千代田区千代田1番" in body and "東京都千代田区丸の内1丁目1番" in body and "変更あり" in body
    assert "確認して反映する" in body and "取込不可とする" in body
    assert "<dt>通知日</dt><dd>令和8年3月30日</dd>" in body and "<dt>状態</dt><dd>未処理" in body
    assert logged(db, city_a, "koseki_notices_listed") and logged(db, city_a, "koseki_notice_viewed")


@pytest.mark.req("j770")
def test_a_koseki_notice_is_applied_through_a_case_or_refused_with_a_reason(
    sign_in: Any, users_a: dict[str, Any], koseki_notice: KosekiNoticeInbox, setup_session: Session
) -> None:
    client = sign_in(users_a["clerk"])
    empty = client.post(
        f"/inbound/koseki/{koseki_notice.id}/refuse", data={"reason": ""}, follow_redirects=True
    )
    assert "理由を入力してください" in empty.get_data(as_text=True)
    applied = client.post(f"/inbound/koseki/{koseki_notice.id}/apply")
    assert applied.status_code == 302 and "/cases/" in applied.headers["Location"]
    setup_session.refresh(koseki_notice)
    assert koseki_notice.status == "applied" and koseki_notice.applied_case_id is not None
    assert "未処理の通知はありません" in client.get("/inbound/koseki").get_data(as_text=True)
    again = client.post(f"/inbound/koseki/{koseki_notice.id}/refuse", data={"reason": "重複"})
    assert again.status_code == 409


@pytest.mark.req("j770")
def test_a_refused_koseki_notice_leaves_the_list_with_its_reason(
    sign_in: Any, users_a: dict[str, Any], koseki_notice: KosekiNoticeInbox, setup_session: Session
) -> None:
    client = sign_in(users_a["clerk"])
    done = client.post(f"/inbound/koseki/{koseki_notice.id}/refuse", data={"reason": "当市の住民ではない"})
    assert done.status_code == 302
    setup_session.refresh(koseki_notice)
    assert (koseki_notice.status, koseki_notice.note) == ("rejected", "当市の住民ではない")


@pytest.mark.req("j770", "j1380")
def test_the_koseki_pages_refuse_other_roles_and_another_municipality(
    sign_in: Any, users_a: dict[str, Any], users_b: dict[str, Any], koseki_notice: KosekiNoticeInbox
) -> None:
    assert sign_in(users_a["auditor"]).get("/inbound/koseki").status_code == 403
    other = sign_in(users_b["clerk"])
    assert "山田 太郎" not in other.get("/inbound/koseki").get_data(as_text=True)
    assert other.get(f"/inbound/koseki/{koseki_notice.id}").status_code == 404
    assert other.post(f"/inbound/koseki/{koseki_notice.id}/apply").status_code == 404


def test_the_navigation_links_the_inbound_pages_for_the_counter(
    sign_in: Any, users_a: dict[str, Any]
) -> None:
    body = sign_in(users_a["supervisor"]).get("/residents/search").get_data(as_text=True)
    for href in ("/inbound/relay", "/inbound/move-out-certificates", "/inbound/koseki", "/outbox"):
        assert f'href="{href}"' in body
