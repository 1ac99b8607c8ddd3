"""Pages name what they show in Japanese, never by its stored code (handlers/labels.py): the case page's
notices to other systems by destination and kind."""

from __future__ import annotations

import re

import pytest
from flask import Flask

import models
from handlers.certificate_requests import open_certificate_request
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from tests import factories
from tests.web.test_counter_pages import (
    case_id_of,
    move_in_form,
    open_task,
    resident_code_pool,
    signed_in,
    summary_of,
)

__all__ = ["resident_code_pool"]  # the 住民票コード the registered persons take (autouse)

SNAKE_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def _section(page: str, heading: str) -> str:
    return page.split(f"<h2>{heading}</h2>", 1)[1].split("<h2", 1)[0]


@pytest.mark.req("j680", "j1090", "j1150")
def test_the_case_page_names_each_notice_by_its_destination_and_kind_in_japanese(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    response = clerk.post("/cases/new/move_in", data=move_in_form())  # from 佐久市 (202177)
    case_id = case_id_of(response)
    supervisor = signed_in(app, users_a["supervisor"])
    task = open_task(db, clerk_a, case_id, "review_")
    review = supervisor.get(f"/tasks/{task.id}/review").get_data(as_text=True)
    alerts = re.findall(r'name="acknowledgements" value="([^"]+)"', review)
    done = supervisor.post(
        f"/tasks/{task.id}/review", data={"decision": "approve", "acknowledgements": alerts}
    )
    assert done.status_code == 302, summary_of(done)

    page = supervisor.get(f"/cases/{case_id}").get_data(as_text=True)
    notices = _section(page, "他システムへの通知")
    destinations = set(re.findall(r"<tr><td>([^<]+)</td>", notices))
    assert {"住基ネット CS", "他市区町村（長野県佐久市）"} <= destinations
    assert "転入通知" in notices and "異動の通知（本人確認情報の更新）" in notices
    assert SNAKE_CODE.findall(notices) == [] and "municipality:" not in notices and ">cs<" not in notices
    facts = page.split("<h2>", 1)[0]
    assert "完了" in facts or "処理中" in facts or "待機中" in facts
    assert "本登録済み" in facts
    assert "住民票コード通知票" in _section(page, "交付する書類")


@pytest.mark.req("j530")
def test_the_case_page_names_whom_each_proposed_change_concerns(
    app: Flask, users_a: dict[str, models.User]
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    case_id = case_id_of(clerk.post("/cases/new/move_in", data=move_in_form()))
    page = clerk.get(f"/cases/{case_id}").get_data(as_text=True)
    subjects = set(re.findall(r'<tr class="changed"><td>([^<]+)</td>', _section(page, "変更内容（仮登録）")))
    assert subjects == {
        "新しい世帯",
        "新しく記載する人（1人目）",
        "新しく記載する人（2人目）",
        "新しく記載する人（3人目）",
    }
    assert "処理中／仮登録（審査待ち）" in page


@pytest.mark.req("j1000")
def test_a_case_that_is_no_change_is_named_by_its_flow_on_its_page_and_in_the_queue(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    atena = factories.make_household(db, clerk_a).members[0].atena_number
    asked = {
        "requester_kind": "self", "requester": {"name": "山田 太郎", "atena_number": atena}, "subjects": [atena],
        "certificate_type": "copy_individual", "options": [], "purpose": "", "copies": 1,
    }  # fmt: skip
    with unit_of_work(db, clerk_a) as uow:
        case_id = open_certificate_request(uow, asked).id
    clerk = signed_in(app, users_a["clerk"])
    page = clerk.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "<h1>案件：証明書交付請求（受付番号" in page
    queue = clerk.get("/tasks").get_data(as_text=True)
    row = queue.split(f'href="/cases/{case_id}"', 1)[1].split("</tr>", 1)[0]
    assert "証明書交付請求" in row
