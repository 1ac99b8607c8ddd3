"""The counter pages through the Flask test client: intake → review → case, queues, permissions, tenant
isolation, error summaries, bulk entry, the change named on its screens (j390)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.residents.resident_code_pool import load_pool
from handlers.uow import unit_of_work
from models.audit import AccessLog
from models.case import Case, CaseTask
from models.resident import Resident
from tests import factories
from tests.web.auth_helpers import sign_in
from webui.app import create_app

pytestmark = pytest.mark.req("j400", "j530", "j540")

TODAY = japan_today()
MOVED = TODAY - dt.timedelta(days=3)


@pytest.fixture(autouse=True)
def resident_code_pool(db: Database, supervisor_a: Actor) -> None:
    """Free 住民票コード for the persons these tests register."""
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, [factories.valid_resident_code() for _ in range(40)])


def member_fields(
    index: int, given: str, given_kana: str, relation: str, birth: str, sex: str
) -> dict[str, str]:
    prefix = f"members-{index}-"
    values = {
        "family_name": "窓口", "given_name": given, "family_name_kana": "マドグチ", "given_name_kana": given_kana,
        "birth_date": birth, "sex": sex, "relation_to_head": relation, "honseki": "東京都千代田区千代田1番",
        "hittosha": "窓口 太郎",
    }  # fmt: skip
    return {prefix + k: v for k, v in values.items()}


def move_in_form(**extra: str) -> dict[str, str]:
    data = {
        "kind": "domestic", "change_date": f"令和{MOVED.year - 2018}年{MOVED.month}月{MOVED.day}日",
        "notified_date": "", "postal_code": "231-0017", "address": "神奈川県横浜市中区港町1丁目1番地",
        "former_address": "長野県佐久市中込1番地", "former_municipality_code": "202177",
        **member_fields(0, "太郎", "タロウ", "世帯主", "昭和55年4月1日", "1"),
        **member_fields(1, "花子", "ハナコ", "妻", "1982-06-15", "2"),
        **member_fields(2, "一郎", "イチロウ", "子", "平成22年1月20日", "1"),
    }  # fmt: skip
    data.update(extra)
    return data


def signed_in(app: Flask, user: models.User) -> FlaskClient:
    client = app.test_client()
    sign_in(client, user.login_id)
    return client


def rows(db: Database, actor: Actor, model: type, *where: Any) -> list[Any]:
    with unit_of_work(db, actor) as uow:
        found = list(uow.session.scalars(select(model).where(*where)))
        uow.session.expunge_all()
    return found


def open_task(db: Database, actor: Actor, case_id: int, prefix: str) -> CaseTask:
    [task] = [
        t for t in rows(db, actor, CaseTask, CaseTask.case_id == case_id)
        if t.bpmn_id.startswith(prefix) and t.state in ("ready", "claimed")
    ]  # fmt: skip
    return task


def summary_of(response: Any) -> str:
    page = response.get_data(as_text=True)
    return " / ".join(
        re.findall(r"<li>(?:<a [^>]*>)?([^<]+)", page.split('id="error-summary"', 1)[-1].split("</ul>", 1)[0])
    )


def case_id_of(response: Any) -> int:
    match = re.search(r"/cases/(\d+)$", response.location or "")
    assert match, (
        response.status_code,
        summary_of(response),
        response.get_data(as_text=True).split("<main", 1)[-1][:600],
    )
    return int(match.group(1))


def test_a_family_of_three_filed_at_the_counter_is_registered_after_another_user_approves(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    assert "転入の入力" in clerk.get("/cases/new/move_in").get_data(as_text=True)
    response = clerk.post("/cases/new/move_in", data=move_in_form())
    assert response.status_code == 302, summary_of(response)
    case_id = case_id_of(response)
    page = clerk.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "仮登録（審査待ち）" in page and "審査・決裁" in page
    assert rows(db, clerk_a, Resident, Resident.family_name == "窓口") == []  # provisional: invisible (j530)

    supervisor = signed_in(app, users_a["supervisor"])
    queue = supervisor.get("/tasks").get_data(as_text=True)
    assert "審査・決裁" in queue and "窓口 太郎" in queue
    task = open_task(db, clerk_a, case_id, "review_")
    review = supervisor.get(f"/tasks/{task.id}/review").get_data(as_text=True)
    assert 'class="after changed-cell"' in review and "変更" in review and "港町1丁目1番地" in review
    sheet = supervisor.get(f"/tasks/{task.id}/confirmation").get_data(as_text=True)
    assert "異動内容確認票" in sheet and "窓口" in sheet
    alerts = re.findall(r'name="acknowledgements" value="([^"]+)"', review)
    refused = supervisor.post(f"/tasks/{task.id}/review", data={"decision": "approve"})
    if alerts:  # every alert needs its own acknowledgement
        assert refused.status_code == 422 and '<a href="#alerts">' in refused.get_data(as_text=True)
    done = supervisor.post(
        f"/tasks/{task.id}/review", data={"decision": "approve", "acknowledgements": alerts}
    )
    assert done.status_code == 302, summary_of(done)
    people = rows(db, clerk_a, Resident, Resident.family_name == "窓口")
    assert sorted(p.given_name for p in people) == ["一郎", "太郎", "花子"]
    assert {p.became_resident_date for p in people} == {MOVED}  # 和暦 input read as the same day
    case_page = supervisor.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "本登録済み" in case_page and "送信待ち" in case_page and "住民票コード通知票" in case_page


def test_a_clerk_sees_the_review_page_without_decision_buttons_they_could_not_use(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    case_id = case_id_of(clerk.post("/cases/new/move_in", data=move_in_form()))
    task = open_task(db, clerk_a, case_id, "review_")
    page = clerk.get(f"/tasks/{task.id}/review").get_data(as_text=True)
    assert "港町1丁目1番地" in page and "アラート（" in page
    assert "承認（本登録）と差戻しは審査者（決裁者）が行います" in page
    assert 'name="decision"' not in page and "承認して本登録する" not in page
    supervisor = signed_in(app, users_a["supervisor"]).get(f"/tasks/{task.id}/review").get_data(as_text=True)
    assert 'value="approve"' in supervisor and "審査者（決裁者）が行います" not in supervisor


def test_the_clerk_who_entered_a_change_is_refused_its_approval_in_japanese(
    db: Database,
    setup_session: Session,
    city_a: models.Municipality,
    users_a: dict[str, models.User],
    clerk_a: Actor,
) -> None:
    both = factories.make_user(setup_session, city_a, login_id="both@141003", roles=["clerk", "supervisor"])
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test"}, db=db)
    supervisor = signed_in(app, both)
    case_id = case_id_of(supervisor.post("/cases/new/move_in", data=move_in_form()))
    task = open_task(db, clerk_a, case_id, "review_")
    page = supervisor.get(f"/tasks/{task.id}/review").get_data(as_text=True)
    assert "あなたは決裁できません" in page
    refused = supervisor.post(f"/tasks/{task.id}/review", data={"decision": "approve"})
    assert refused.status_code == 403
    assert "四つの目の原則" in refused.get_data(as_text=True)
    assert rows(db, clerk_a, Resident, Resident.family_name == "窓口") == []


def test_a_clerk_cannot_approve_and_an_auditor_sees_no_queues(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    case_id = case_id_of(clerk.post("/cases/new/move_in", data=move_in_form()))
    task = open_task(db, clerk_a, case_id, "review_")
    assert clerk.post(f"/tasks/{task.id}/review", data={"decision": "approve"}).status_code == 403
    assert "審査する" not in clerk.get("/tasks").get_data(as_text=True)
    auditor = signed_in(app, users_a["auditor"])
    assert auditor.get("/tasks").status_code == 403
    assert auditor.get("/cases/new/move_in").status_code == 403
    assert "タスク" not in auditor.get("/account").get_data(as_text=True).split("<main")[0]


def test_another_municipality_gets_404_for_this_citys_task_and_case(
    app: Flask, db: Database, users_a: dict[str, models.User], users_b: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    case_id = case_id_of(clerk.post("/cases/new/move_in", data=move_in_form()))
    task = open_task(db, clerk_a, case_id, "review_")
    other = signed_in(app, users_b["supervisor"])
    assert other.get(f"/cases/{case_id}").status_code == 404
    assert other.get(f"/tasks/{task.id}/review").status_code == 404
    assert other.get(f"/tasks/{task.id}/confirmation").status_code == 404
    assert other.post(f"/tasks/{task.id}/claim").status_code == 404
    assert other.post(f"/tasks/{task.id}/review", data={"decision": "approve"}).status_code == 404
    assert other.post(f"/cases/{case_id}/cancel", data={"reason": "x"}).status_code == 404
    assert "窓口 太郎" not in other.get("/tasks").get_data(as_text=True)


def test_errors_come_back_in_a_summary_linked_to_each_field(
    app: Flask, users_a: dict[str, models.User]
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    response = clerk.post(
        "/cases/new/move_in",
        data=move_in_form(**{"change_date": "令和99年13月1日", "members-1-given_name": ""}),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'role="alert"' in page and 'id="error-summary"' in page and "data-focus-on-load" in page
    assert '<a href="#change_date">' in page and '<a href="#members-1-given_name">' in page
    assert re.search(
        r'id="members-1-given_name"[^>]*aria-describedby="members-1-given_name-error"', page
    ) or re.search(r'aria-describedby="members-1-given_name-error"[^>]*id="members-1-given_name"', page)
    assert 'aria-invalid="true"' in page


def test_a_handler_refusal_is_tied_to_the_field_it_names(app: Flask, users_a: dict[str, models.User]) -> None:
    clerk = signed_in(app, users_a["clerk"])
    page = clerk.post(
        "/cases/new/move_in", data=move_in_form(**{"members-2-relation_to_head": "世帯主"})
    ).get_data(as_text=True)
    assert "世帯主が複数になります" in page
    late = clerk.post("/cases/new/move_in", data=move_in_form(**{"members-0-family_name_kana": "yamada"}))
    assert late.status_code == 422
    assert '<a href="#members-0-family_name_kana">' in late.get_data(as_text=True)


def test_the_add_person_button_shows_one_more_person_without_submitting(
    app: Flask, users_a: dict[str, models.User]
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    page = clerk.post("/cases/new/move_in", data={**move_in_form(), "add_member": "1"}).get_data(as_text=True)
    assert 'id="members-3-family_name"' in page and "error-summary" not in page


def test_a_rejected_intake_comes_back_with_the_reason_and_is_fixed(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    case_id = case_id_of(clerk.post("/cases/new/move_in", data=move_in_form()))
    supervisor = signed_in(app, users_a["supervisor"])
    review = open_task(db, clerk_a, case_id, "review_")
    missing = supervisor.post(f"/tasks/{review.id}/review", data={"decision": "reject", "reason": " "})
    assert missing.status_code == 422 and '<a href="#f-reason">' in missing.get_data(as_text=True)
    supervisor.post(f"/tasks/{review.id}/review", data={"decision": "reject", "reason": "方書が抜けています"})
    intake = open_task(db, clerk_a, case_id, "intake_")
    page = clerk.get(f"/tasks/{intake.id}/intake").get_data(as_text=True)
    assert "方書が抜けています" in page and 'value="窓口"' in page
    fixed = clerk.post(f"/tasks/{intake.id}/intake", data=move_in_form(address_katagaki="港町ハイツ101"))
    assert fixed.status_code == 302
    review = open_task(db, clerk_a, case_id, "review_")
    assert "港町ハイツ101" in supervisor.get(f"/tasks/{review.id}/review").get_data(as_text=True)


def test_queues_show_the_legal_due_date_and_mark_late_work_in_words(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    old = TODAY - dt.timedelta(days=30)
    case_id = case_id_of(clerk.post("/cases/new/move_in", data=move_in_form(change_date=old.isoformat())))
    with unit_of_work(db, clerk_a) as uow:
        case = uow.session.get(Case, case_id)
        due = case.due_date
    assert due is not None and due < TODAY  # from the event (14 days), not from the task's creation
    supervisor = signed_in(app, users_a["supervisor"])
    page = supervisor.get("/tasks").get_data(as_text=True)
    assert "期限超過・期限間近（審査者）" in page and "期限超過</span>" in page
    filtered = supervisor.get("/tasks", query_string={"person": "ハナコ"}).get_data(as_text=True)
    assert "窓口 花子" in filtered
    none = supervisor.get("/tasks", query_string={"change_type": "death"}).get_data(as_text=True)
    assert "窓口 花子" not in none


def test_claim_release_and_assign_from_the_queue(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    case_id = case_id_of(clerk.post("/cases/new/move_in", data=move_in_form()))
    review = open_task(db, clerk_a, case_id, "review_")
    supervisor = signed_in(app, users_a["supervisor"])
    assert supervisor.post(f"/tasks/{review.id}/claim").status_code == 302
    assert open_task(db, clerk_a, case_id, "review_").claimed_by == users_a["supervisor"].login_id
    assert "自分のタスク（1件）" in supervisor.get("/tasks").get_data(as_text=True)
    supervisor.post(f"/tasks/{review.id}/release")
    assert open_task(db, clerk_a, case_id, "review_").state == "ready"
    supervisor.post(f"/tasks/{review.id}/assign", data={"user_id": str(users_a["supervisor"].id)})
    assert open_task(db, clerk_a, case_id, "review_").claimed_by == users_a["supervisor"].login_id
    assert clerk.post(f"/tasks/{review.id}/assign", data={"user_id": "1"}).status_code == 403


def test_cancel_needs_a_reason_and_shows_on_the_case_page(
    app: Flask, db: Database, users_a: dict[str, models.User]
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    case_id = case_id_of(clerk.post("/cases/new/move_in", data=move_in_form()))
    refused = clerk.post(f"/cases/{case_id}/cancel", data={"reason": ""})
    assert refused.status_code == 422 and "取消理由" in refused.get_data(as_text=True)
    clerk.post(f"/cases/{case_id}/cancel", data={"reason": "届出人の申出により取下げ"})
    page = clerk.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "取消" in page and "届出人の申出により取下げ" in page


@pytest.mark.req("j550")
def test_bulk_address_change_opens_one_case_per_household_and_reports_each_person(
    app: Flask, db: Database, setup_session: Session, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    household = factories.make_household(db, clerk_a)
    other = factories.make_household(db, clerk_a, [factories.japanese_member(family_name="佐藤")])
    numbers = [m.atena_number for m in household.members][:2] + [other.members[0].atena_number]
    clerk = signed_in(app, users_a["clerk"])
    picked = clerk.get("/cases/bulk", query_string={"pick": numbers}).get_data(as_text=True)
    assert numbers[0] in picked
    response = clerk.post(
        "/cases/bulk",
        data={"change_type": "minor_correction", "atena_numbers": "\n".join([*numbers, "9999999999"]),
              "household_item": "address", "household_value": "神奈川県横浜市中区港町1丁目2番地",
              "minor_category": "residence_indication", "ex_officio_record": "住居表示の実施による"},
    )  # fmt: skip
    page = response.get_data(as_text=True)
    result = re.findall(r"<tr class=\"(row-ok|row-overdue)\"><td>(\d+)</td>", page)
    assert result == [("row-ok", n) for n in numbers] + [("row-overdue", "9999999999")]
    assert "処理中" not in page  # members of one household no longer lock each other out
    opened = rows(db, clerk_a, Case, Case.change_type == "minor_correction")
    assert sorted(c.subject_household_numbers[0] for c in opened) == sorted(
        [household.household_number, other.household_number]
    )  # one case per household; the refused row wrote nothing


@pytest.mark.req("j550")
def test_bulk_person_item_changes_stay_one_case_per_person(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    first = factories.make_household(db, clerk_a).members[0].atena_number
    second = factories.make_household(db, clerk_a).members[0].atena_number
    clerk = signed_in(app, users_a["clerk"])
    response = clerk.post(
        "/cases/bulk",
        data={"change_type": "ex_officio_correction", "atena_numbers": f"{first}\n{second}",
              "item": "family_name_kana", "value": "ヤマダ", "household_item": "", "minor_category": "",
              "ex_officio_record": "確認による"},
    )  # fmt: skip
    assert re.findall(r"<tr class=\"(row-ok|row-overdue)\"><td>(\d+)</td>", response.get_data(as_text=True)) == [
        ("row-ok", first), ("row-ok", second)
    ]  # fmt: skip
    opened = rows(db, clerk_a, Case, Case.change_type == "ex_officio_correction")
    assert sorted(c.subject_atena_numbers[0] for c in opened) == sorted([first, second])
    mixed = clerk.post("/cases/bulk", data={
        "change_type": "minor_correction", "atena_numbers": first, "item": "family_name_kana", "value": "ヤマダ",
        "household_item": "address", "household_value": "神奈川県横浜市中区港町1丁目2番地", "minor_category": "",
        "ex_officio_record": "確認"})  # fmt: skip
    assert mixed.status_code == 422 and "別々に一括入力" in mixed.get_data(as_text=True)


def test_queue_views_are_logged_and_views_do_not_touch_models(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    clerk.get("/tasks")
    logged = rows(db, clerk_a, AccessLog, AccessLog.function == "task_queue_viewed")
    assert logged


@pytest.mark.req("j390")
def test_the_screens_of_a_change_in_progress_name_the_change(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    for code, label in (("move_in", "転入"), ("move_out", "転出"), ("move_within", "転居")):
        assert f"<h1>{label}の入力" in clerk.get(f"/cases/new/{code}").get_data(as_text=True), code
    case_id = case_id_of(clerk.post("/cases/new/move_in", data=move_in_form()))
    assert "<h1>案件：転入（受付番号" in clerk.get(f"/cases/{case_id}").get_data(as_text=True)
    supervisor = signed_in(app, users_a["supervisor"])
    task = open_task(db, clerk_a, case_id, "review_")
    assert "<h1>審査・決裁：転入（受付番号" in supervisor.get(f"/tasks/{task.id}/review").get_data(
        as_text=True
    )
    sheet = supervisor.get(f"/tasks/{task.id}/confirmation").get_data(as_text=True)
    assert "<h1>異動内容確認票（転入）</h1>" in sheet


def test_every_change_type_with_a_form_renders_it(app: Flask, users_a: dict[str, models.User]) -> None:
    from webui.counter.intake_forms import COUNTER_ORDER

    clerk = signed_in(app, users_a["clerk"])
    for code in COUNTER_ORDER:
        response = clerk.get(f"/cases/new/{code}")
        assert response.status_code == 200, code
        page = response.get_data(as_text=True)
        assert "<label for=" in page and 'tabindex="1' not in page, code


def test_posts_are_refused_without_a_csrf_token(
    db: Database, setup_session: Session, users_a: dict[str, models.User]
) -> None:
    setup_session.flush()
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True, "SECRET_KEY": "test"}, db=db)
    client = app.test_client()
    sign_in(client, users_a["clerk"].login_id)
    assert client.post("/cases/new/move_in", data=move_in_form()).status_code == 400
    assert client.post("/tasks/1/claim").status_code == 400
    page = client.get("/cases/new/move_in").get_data(as_text=True)
    assert 'name="csrf_token"' in page


@pytest.mark.req("j1420")
def test_the_case_timeline_shows_japan_time_not_the_servers_utc(
    app: Flask, users_a: dict[str, models.User]
) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 26, 23, 30, tzinfo=dt.UTC), tick=False):  # 08:30 in Japan
        clerk = signed_in(app, users_a["clerk"])
        response = clerk.post("/cases/new/move_in", data=move_in_form(change_date="令和8年11月24日"))
        assert response.status_code == 302, summary_of(response)
        page = clerk.get(f"/cases/{case_id_of(response)}").get_data(as_text=True)
    assert "令和8年11月27日 08:30:00" in page and "23:30" not in page
