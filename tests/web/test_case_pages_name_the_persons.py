"""Tour defects of the case pages: a 転居's review, the case page and the task queue name the movers (氏名 with
the 宛名番号, not the number alone), no more of a protected mover than the search shows the same staff; and the
差戻し reason is on the case's 経過, not only on the clerk's 再入力 page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

import models
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.residents.history import display_name
from tests import factories
from tests.web.test_counter_pages import case_id_of, open_task, signed_in

YESTERDAY = japan_today() - dt.timedelta(days=1)


def entered_move(db: Database, clerk_a: Actor, clerk: FlaskClient) -> tuple[int, list[models.Resident]]:
    home = factories.make_household(db, clerk_a)
    form = {
        "atena_numbers": " ".join(m.atena_number for m in home.members), "destination_kind": "keep",
        "change_date": YESTERDAY.isoformat(), "notified_date": japan_today().isoformat(),
        "address": "神奈川県横浜市中区山下町2番地",
    }  # fmt: skip
    return case_id_of(clerk.post("/cases/new/move_within", data=form)), list(home.members)


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


@pytest.mark.req("j530")
def test_the_review_the_case_page_and_the_queue_name_the_movers_with_their_numbers(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk, supervisor = signed_in(app, users_a["clerk"]), signed_in(app, users_a["supervisor"])
    case_id, movers = entered_move(db, clerk_a, clerk)
    review = supervisor.get(f"/tasks/{open_task(db, clerk_a, case_id, 'review_').id}/review").get_data(
        as_text=True
    )
    case_page = text_of(supervisor.get(f"/cases/{case_id}").get_data(as_text=True))
    queue = text_of(supervisor.get("/tasks").get_data(as_text=True))
    for mover in movers:
        name = display_name(mover)
        assert name
        assert f"<caption>{name}（宛名番号 {mover.atena_number}）</caption>" in review
        assert f"{name}（{mover.atena_number}）" in case_page
        assert f"{name}（宛名番号 {mover.atena_number}）" in case_page  # the difference's rows
        assert f"{name}（{mover.atena_number}）" in queue


@pytest.mark.req("j530", "j160")
def test_a_protected_mover_is_named_only_as_the_search_already_names_them_to_the_same_staff(
    app: Flask, db: Database, setup_session: object, city_a: models.Municipality, users_a: dict[str, models.User],
    clerk_a: Actor,
) -> None:  # fmt: skip
    clerk = signed_in(app, users_a["clerk"])
    case_id, movers = entered_move(db, clerk_a, clerk)
    protected = movers[0]
    factories.protect(setup_session, city_a, protected.atena_number)  # type: ignore[arg-type]
    search = text_of(
        clerk.get(f"/residents/search?atena_number={protected.atena_number}").get_data(as_text=True)
    )
    assert display_name(protected) in search, "the search names the protected person to a clerk"
    case_page = text_of(clerk.get(f"/cases/{case_id}").get_data(as_text=True))
    assert f"{display_name(protected)}（{protected.atena_number}）" in case_page
    auditor = signed_in(app, users_a["auditor"])
    assert auditor.get(f"/cases/{case_id}").status_code == 403, "no case page for a role without 住民記録照会"
    assert protected.atena_number not in auditor.get("/tasks").get_data(as_text=True)


@pytest.mark.req("j530")
def test_the_rejection_reason_is_on_the_case_timeline(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk, supervisor = signed_in(app, users_a["clerk"]), signed_in(app, users_a["supervisor"])
    case_id, _ = entered_move(db, clerk_a, clerk)
    review = open_task(db, clerk_a, case_id, "review_")
    reason = "転居先の方書を確認してください"
    response = supervisor.post(f"/tasks/{review.id}/review", data={"decision": "reject", "reason": reason})
    assert response.status_code == 302
    page = clerk.get(f"/cases/{case_id}").get_data(as_text=True)
    timeline = page.split('<table class="timeline">', 1)[1].split("</table>", 1)[0]
    (row,) = [r for r in re.findall(r"<tr>(.*?)</tr>", timeline, flags=re.S) if "差戻し" in r]
    assert f"理由：{reason}" in row
