"""The auditor searches the municipality's access log by period, user, function, action, person, 個人番号
display and night/closed-day access; only auditors may, only their own municipality's rows show, and the
search is itself logged."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers import audit
from handlers.audit import record_access
from handlers.audit_search import AccessLogFilters, Page, chain_status, logged_functions, search_access_log
from handlers.clock import JST
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import PermissionDeniedError, ValidationError
from handlers.uow import unit_of_work
from models.audit import AccessLog
from tests import factories

pytestmark = pytest.mark.req("j1370")

# (label, Japan time, function, action, targets, 個人番号 shown)
ROWS_A = [
    ("weekday", dt.datetime(2026, 6, 3, 10, 0, tzinfo=JST), "resident_viewed", "view", ["000000011"], False),
    ("night", dt.datetime(2026, 6, 3, 23, 30, tzinfo=JST), "resident_searched", "search", [], False),
    ("saturday", dt.datetime(2026, 6, 6, 11, 0, tzinfo=JST), "resident_viewed", "view", ["000000029"], True),
    (
        "holiday",
        dt.datetime(2026, 5, 4, 14, 0, tzinfo=JST),
        "certificate_issued",
        "print",
        ["000000011"],
        False,
    ),
    (
        "weekday_mn",
        dt.datetime(2026, 6, 4, 9, 0, tzinfo=JST),
        "resident_viewed",
        "view",
        ["000000011", "000000029"],
        True,
    ),
    (
        "year_end",
        dt.datetime(2025, 12, 29, 10, 0, tzinfo=JST),
        "resident_viewed",
        "view",
        ["000000037"],
        False,
    ),
    (
        "after_midnight",
        dt.datetime(2026, 6, 5, 0, 30, tzinfo=JST),
        "resident_viewed",
        "view",
        ["000000037"],
        False,
    ),
]


def log_at(db: Database, actor: Actor, when: dt.datetime, function: str, action: str,
           targets: list[str], my_number: bool, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(audit, "_now", lambda: when.astimezone(dt.UTC))
    with unit_of_work(db, actor) as uow:
        record_access(uow, function, action, targets, my_number_shown=my_number)


@pytest.fixture
def auditor_a(users_a: dict[str, models.User]) -> Actor:
    return factories.actor_for(users_a["auditor"])


@pytest.fixture
def logged(
    db: Database,
    clerk_a: Actor,
    supervisor_a: Actor,
    users_b: dict[str, models.User],
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, int]:
    """Rows of city A by label → seq; city B gets rows on the same persons and days."""
    clerk_b = factories.actor_for(users_b["clerk"])
    seqs: dict[str, int] = {}
    for seq, (label, when, function, action, targets, my_number) in enumerate(ROWS_A, start=1):
        actor = supervisor_a if label == "saturday" else clerk_a
        log_at(db, actor, when, function, action, targets, my_number, monkeypatch)
        log_at(db, clerk_b, when, "resident_deleted", action, targets, my_number, monkeypatch)
        seqs[label] = seq
    monkeypatch.undo()
    return seqs


def search(db: Database, actor: Actor, **filters: object) -> Page:
    with unit_of_work(db, actor) as uow:
        return search_access_log(uow, AccessLogFilters(**filters))  # type: ignore[arg-type]


def labels(page: Page, seqs: dict[str, int]) -> list[str]:
    by_seq = {seq: label for label, seq in seqs.items()}
    return [by_seq[entry.seq] for entry in page.entries]


def test_all_rows_of_the_own_municipality_newest_first(
    db: Database, auditor_a: Actor, logged: dict[str, int]
) -> None:
    page = search(db, auditor_a)
    assert page.total == len(ROWS_A)
    assert [e.seq for e in page.entries] == list(range(len(ROWS_A), 0, -1))
    assert all(e.function != "resident_deleted" for e in page.entries)  # city B's rows never show
    first = page.entries[-1]
    assert first.occurred_at == dt.datetime(2026, 6, 3, 10, 0, tzinfo=JST)
    assert first.occurred_at.utcoffset() == dt.timedelta(hours=9)
    assert (first.login_id, first.display_name, first.client_address) == (
        "clerk@141003",
        "clerk@141003",
        "127.0.0.1",
    )
    assert (first.function_label, first.action_label) == ("住民記録照会", "照会")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (
            {"occurred_from": dt.date(2026, 6, 3), "occurred_to": dt.date(2026, 6, 4)},
            ["weekday_mn", "night", "weekday"],
        ),
        ({"occurred_from": dt.date(2026, 6, 5)}, ["after_midnight", "saturday"]),
        ({"occurred_to": dt.date(2026, 5, 4)}, ["year_end", "holiday"]),
        ({"login_id": "supervisor@141003"}, ["saturday"]),
        ({"function": "certificate_issued"}, ["holiday"]),
        ({"action": "search"}, ["night"]),
        ({"target": "000000029"}, ["weekday_mn", "saturday"]),
        ({"my_number_only": True}, ["weekday_mn", "saturday"]),
        ({"off_hours_only": True}, ["after_midnight", "year_end", "holiday", "saturday", "night"]),
        ({"off_hours_only": True, "my_number_only": True}, ["saturday"]),
        (
            {"off_hours_only": True, "occurred_from": dt.date(2026, 6, 1)},
            ["after_midnight", "saturday", "night"],
        ),
        ({"target": "000000011", "action": "print"}, ["holiday"]),
        ({"login_id": "nobody"}, []),
    ],
)
def test_filters(db: Database, auditor_a: Actor, logged: dict[str, int], filters: dict[str, object],
                 expected: list[str]) -> None:  # fmt: skip
    page = search(db, auditor_a, **filters)
    assert labels(page, logged) == expected
    assert page.total == len(expected)


def test_pages(db: Database, auditor_a: Actor, logged: dict[str, int]) -> None:
    second = search(db, auditor_a, page=2, per_page=3)
    assert (second.total, second.pages, second.number) == (7, 3, 2)
    assert [e.seq for e in second.entries] == [4, 3, 2]
    assert second.has_previous and second.has_next
    beyond = search(db, auditor_a, page=99, per_page=3)  # now 8 rows: the first search logged itself
    assert (beyond.total, beyond.number) == (8, 3)
    assert [e.seq for e in beyond.entries] == [2, 1]


def test_the_search_is_itself_logged(
    db: Database, setup_session: Session, auditor_a: Actor, logged: dict[str, int]
) -> None:
    search(db, auditor_a, target="000000029", my_number_only=True)
    row = setup_session.scalars(
        select(AccessLog)
        .where(AccessLog.tenant_id == auditor_a.tenant_id)
        .order_by(AccessLog.seq.desc())
        .limit(1)
    ).one()
    assert (row.function, row.action, row.login_id) == ("access_log_viewed", "view", "auditor@141003")
    assert row.targets == ["000000029"]
    assert row.detail["filters"] == {"target": "000000029", "my_number_only": True, "page": 1, "per_page": 50}
    assert row.detail["hits"] == 2


def test_a_clerk_may_not_search_the_log(
    db: Database, setup_session: Session, clerk_a: Actor, logged: dict[str, int]
) -> None:
    with pytest.raises(PermissionDeniedError):
        search(db, clerk_a)
    with pytest.raises(PermissionDeniedError), unit_of_work(db, clerk_a) as uow:
        chain_status(uow)
    functions = setup_session.scalars(
        select(AccessLog.function).where(AccessLog.tenant_id == clerk_a.tenant_id)
    )
    assert "access_log_viewed" not in set(functions)


def test_period_in_the_wrong_order_is_refused_in_japanese(db: Database, auditor_a: Actor) -> None:
    with pytest.raises(ValidationError) as caught:
        search(db, auditor_a, occurred_from=dt.date(2026, 6, 5), occurred_to=dt.date(2026, 6, 1))
    (problem,) = caught.value.problems
    assert (problem.field, problem.item) == ("occurred_to", "期間（至）")


def test_functions_and_chain_status_of_the_own_municipality(
    db: Database, auditor_a: Actor, logged: dict[str, int]
) -> None:
    with unit_of_work(db, auditor_a) as uow:
        assert logged_functions(uow) == ["certificate_issued", "resident_searched", "resident_viewed"]
        status = chain_status(uow)
    assert status.ok
    assert (status.head_seq, status.rows_checked) == (7, 7)
