"""The counter's 個人番号の異動 pages (j900, j1130): the form offers the 職権による変更 and takes no number, the
review shows the 職権 items, and the approved case page shows it waiting for CS's answer to a 職権 変更要求."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

import models
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from tests import factories
from tests.web.test_counter_forms import approve, pending_proposal
from tests.web.test_counter_pages import case_id_of, open_task, signed_in, summary_of

pytestmark = pytest.mark.req("j900", "j1130")


def test_an_ex_officio_change_is_entered_without_a_number_and_the_case_page_shows_it_waiting_for_cs(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    taro = factories.make_household(db, clerk_a).members[0]
    clerk = signed_in(app, users_a["clerk"])
    form = clerk.get("/cases/new/my_number_change").get_data(as_text=True)
    assert "個人番号の職権による変更（漏えい・不正利用のおそれ、番号法施行令第4条第1項）" in form
    assert 'name="decision_date"' in form and 'name="my_number"' not in form
    late = (japan_today() + dt.timedelta(days=1)).isoformat()
    refused = clerk.post("/cases/new/my_number_change", data={
        "atena_number": taro.atena_number, "kind": "ex_officio_change", "decision_date": late})  # fmt: skip
    assert refused.status_code == 422
    assert "職権決定日" in summary_of(refused) and "職権記録書" in summary_of(refused)

    decided = (japan_today() - dt.timedelta(days=1)).isoformat()
    entered = clerk.post("/cases/new/my_number_change", data={
        "atena_number": taro.atena_number, "kind": "ex_officio_change", "decision_date": decided,
        "ex_officio_record": "個人番号の漏えいを確認した", "notify_person": "y"})  # fmt: skip
    case_id = case_id_of(entered)
    assert pending_proposal(db, clerk_a, case_id)["decision_date"] == decided
    review = open_task(db, clerk_a, case_id, "review_")
    shown = signed_in(app, users_a["supervisor"]).get(f"/tasks/{review.id}/review").get_data(as_text=True)
    assert taro.my_number in shown
    assert (
        "個人番号の職権による変更：住基ネット（J-LIS）が新しい番号を生成（本登録後、CSの応答の取込で記載）"
        in shown
    )
    approve(app, db, users_a, clerk_a, case_id)
    page = clerk.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "個人番号の応答待ち（住基ネットの応答で完了）" in page
    assert "<td>個人番号変更要求（職権による変更）</td>" in page and "CSへ再要求する" not in page
