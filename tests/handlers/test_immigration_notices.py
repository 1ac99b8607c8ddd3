"""出入国在留管理庁長官通知 (j960): import into the pending list, the before/after 確認票, and the assess rules
of the ``immigration_notice`` change type."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

import handlers.changes.catalog  # noqa: F401
from handlers.changes.base import change_type
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from handlers.immigration_notices import (
    immigration_notice_view,
    import_immigration_notices,
    pending_immigration_notices,
)
from handlers.uow import unit_of_work
from models.audit import AccessLog
from tests.factories import foreign_member, make_household
from tests.workflows.foreign_steps import days_ago, fresh_card_number

pytestmark = pytest.mark.req("j960")


def foreign_resident(db: Database, clerk: Actor) -> tuple[str, str]:
    card = fresh_card_number()
    member = foreign_member(residence_card_number=card, stay_expiry_date="2026-03-31")
    return make_household(db, clerk, [member]).members[0].atena_number, card


def import_rows(db: Database, actor: Actor, rows: list[dict[str, Any]]) -> list[int]:
    with unit_of_work(db, actor) as uow:
        return [n.id for n in import_immigration_notices(uow, rows)]


def extension(card: str, **payload: Any) -> dict[str, Any]:
    values = {"period_of_stay": "5年", "stay_expiry_date": "2031-03-31"} | payload
    return {
        "kind": "period_extension",
        "event_date": days_ago(1),
        "residence_card_number": card,
        "payload": values,
    }


def test_imported_notices_wait_in_the_pending_list_whatever_their_date(db: Database, clerk_a: Actor) -> None:
    _, card = foreign_resident(db, clerk_a)
    old = extension(card) | {"event_date": "2020-01-01"}
    ids = import_rows(db, clerk_a, [extension(card), old])
    with unit_of_work(db, clerk_a) as uow:
        assert [n.id for n in pending_immigration_notices(uow)] == ids
        assert {n.status for n in pending_immigration_notices(uow)} == {"pending"}


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"kind": "holiday"}, [("rows[0].kind", "invalid")]),
        ({"residence_card_number": None}, [("rows[0].residence_card_number", "required")]),
        ({"payload": {"shoe_size": "27"}}, [("rows[0].payload", "unknown_item")]),
        ({"event_date": "2025-02-30"}, [("rows[0].event_date", "date_invalid")]),
    ],
)
def test_a_bad_row_refuses_the_whole_import(
    db: Database, clerk_a: Actor, row: dict[str, Any], expected: list[Any]
) -> None:
    with pytest.raises(ValidationError) as refused:
        import_rows(db, clerk_a, [extension("AB12345678CD") | row])
    assert [(p.field, p.code) for p in refused.value.problems] == expected
    with unit_of_work(db, clerk_a) as uow:
        assert pending_immigration_notices(uow) == []


def test_the_confirmation_shows_each_item_before_and_after_in_western_dates_and_is_logged(
    db: Database, clerk_a: Actor
) -> None:
    atena, card = foreign_resident(db, clerk_a)
    [notice_id] = import_rows(db, clerk_a, [extension(card, period_of_stay="3年")])
    with unit_of_work(db, clerk_a) as uow:
        view = immigration_notice_view(uow, notice_id)
    with unit_of_work(db, clerk_a) as uow:  # the row is chained when the view's unit of work commits
        log = uow.session.scalars(select(AccessLog).order_by(AccessLog.seq.desc())).first()
    assert (view["atena_number"], view["kind_label"], view["removes_record"]) == (
        atena,
        "在留期間の更新許可",
        False,
    )
    assert view["items"] == [
        {"field": "period_of_stay", "item": "在留期間", "before": "3年", "after": "3年", "changed": False},
        {"field": "stay_expiry_date", "item": "在留期間の満了の日", "before": "2026年3月31日",
         "after": "2031年3月31日", "changed": True},
    ]  # fmt: skip
    assert (log.function, log.action, log.targets) == ("immigration_notice_viewed", "view", [atena])


def assess(db: Database, actor: Actor, intake: dict[str, Any]) -> Any:
    with unit_of_work(db, actor) as uow:
        return change_type("immigration_notice").assess(uow, intake)


def codes(problems: list[Any]) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in problems]


@pytest.mark.parametrize(
    ("row", "problems", "alerts", "action"),
    [
        (lambda card: extension(card), [], [], "amend"),
        (lambda card: extension(card, period_of_stay="3年", stay_expiry_date="2026-03-31"), [],
         [("notice_id", "no_change")], "amend"),
        (lambda card: extension(card, stay_expiry_date="2031-02-30"), [("stay_expiry_date", "date_invalid")], [("stay_expiry_date", "blank_item")], "amend"),
        (lambda card: extension(card, period_of_stay=""), [], [("period_of_stay", "blank_item")], "amend"),
        (lambda card: {"kind": "status_revoked", "event_date": days_ago(1), "residence_card_number": card,
                       "payload": {}}, [], [], "remove"),
        (lambda card: extension("ZZ99999999ZZ"), [("notice_id", "target_not_found")], [], None),
        (lambda card: extension(card) | {"event_date": days_ago(-3)}, [("change_date", "future_date")], [], "amend"),
    ],
)  # fmt: skip
def test_immigration_notice_assess_rules(
    db: Database, clerk_a: Actor, row: Any, problems: list[Any], alerts: list[Any], action: str | None
) -> None:
    atena, card = foreign_resident(db, clerk_a)
    [notice_id] = import_rows(db, clerk_a, [row(card)])
    assessment = assess(db, clerk_a, {"notice_id": notice_id})
    assert codes(assessment.problems) == problems
    assert codes(assessment.alerts) == alerts
    assert assessment.proposal.get("action") == action
    if action is not None:
        assert assessment.subjects == [f"resident:{atena}", f"immigration_notice:{notice_id}"]


def test_an_unknown_notice_is_refused(db: Database, clerk_a: Actor) -> None:
    assert codes(assess(db, clerk_a, {"notice_id": 987654}).problems) == [("notice_id", "not_found")]
