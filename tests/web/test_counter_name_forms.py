"""The counter's intake forms of 旧氏 (請求) and 通称 (申出) (j70): entered, shown with a Japanese error when the
record does not fit, and registered after review."""

from __future__ import annotations

import re

import pytest
from flask import Flask

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from tests import factories
from tests.web.test_counter_forms import approve, pending_proposal
from tests.web.test_counter_pages import case_id_of, open_task, signed_in, summary_of
from tests.workflows.ex_officio_steps import resident

pytestmark = pytest.mark.req("j70")


def test_former_surname_and_alias_are_entered_through_their_forms_and_registered(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    japanese = factories.make_household(db, clerk_a).members[0].atena_number
    foreigner = factories.make_household(db, clerk_a, foreign=True).members[0].atena_number
    clerk = signed_in(app, users_a["clerk"])
    surname = clerk.post("/cases/new/former_surname", data={
        "atena_number": japanese, "kind": "record", "former_surname": "佐藤", "former_surname_kana": "サトウ"})  # fmt: skip
    case_id = case_id_of(surname)
    assert pending_proposal(db, clerk_a, case_id)["changes"]["former_surname"] == "佐藤"
    review = open_task(db, clerk_a, case_id, "review_")
    page = signed_in(app, users_a["supervisor"]).get(f"/tasks/{review.id}/review").get_data(as_text=True)
    assert re.search(
        r"<th scope=\"row\">旧氏</th>\s*<td class=\"before\"><span class=\"muted\">（なし）</span>", page
    )
    assert "佐藤" in page and "サトウ" in page  # the reviewer sees what changes (審査)
    approve(app, db, users_a, clerk_a, case_id)
    with unit_of_work(db, clerk_a) as uow:
        assert resident(uow, japanese).former_surname == "佐藤"
    refused = clerk.post("/cases/new/alias", data={"atena_number": foreigner, "kind": "delete"})
    assert refused.status_code == 422 and "通称が記載されていません" in summary_of(refused)
    alias = clerk.post(
        "/cases/new/alias", data={"atena_number": foreigner, "kind": "record", "alias": "須見 譲"}
    )
    assert pending_proposal(db, clerk_a, case_id_of(alias))["changes"]["alias"] == "須見 譲"


@pytest.mark.req("j180")
def test_the_counter_records_whether_each_kana_was_confirmed_with_the_person(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    japanese = factories.make_household(db, clerk_a).members[0].atena_number
    clerk = signed_in(app, users_a["clerk"])
    page = clerk.get("/cases/new/former_surname").get_data(as_text=True)
    assert "旧氏のフリガナを本人に確認した" in page
    surname = clerk.post("/cases/new/former_surname", data={
        "atena_number": japanese, "kind": "record", "former_surname": "佐藤", "former_surname_kana": "サトウ",
        "former_surname_kana_confirmed": "y"})  # fmt: skip
    case_id = case_id_of(surname)
    assert pending_proposal(db, clerk_a, case_id)["changes"]["former_surname_kana_confirmed"] is True
    review = open_task(db, clerk_a, case_id, "review_")
    shown = signed_in(app, users_a["supervisor"]).get(f"/tasks/{review.id}/review").get_data(as_text=True)
    assert "旧氏フリガナ確認" in shown  # the reviewer sees the flag change too
    approve(app, db, users_a, clerk_a, case_id)
    with unit_of_work(db, clerk_a) as uow:
        assert resident(uow, japanese).former_surname_kana_confirmed is True
