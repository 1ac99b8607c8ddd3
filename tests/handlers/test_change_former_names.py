"""Assessment rules of 旧氏の記載・変更・削除 (on 請求) and 通称の記載・削除 (on 申出) (j70)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import handlers.changes.catalog  # noqa: F401
from handlers.changes.base import change_type
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.uow import unit_of_work
from tests.factories import make_household

TOMORROW = (japan_today() + dt.timedelta(days=1)).isoformat()
pytestmark = pytest.mark.req("j70")


def _problems(db: Any, actor: Actor, code: str, intake: dict[str, Any]) -> list[str]:
    with unit_of_work(db, actor) as uow:
        return sorted(p.code for p in change_type(code).assess(uow, intake).problems)


def _with_former_surname(db: Any, actor: Actor) -> str:
    members = make_household(db, actor).members
    with unit_of_work(db, actor) as uow:
        wife = uow.session.merge(members[1])
        wife.former_surname, wife.former_surname_kana = "佐藤", "サトウ"
    return members[1].atena_number


@pytest.mark.parametrize(
    ("intake", "codes"),
    [
        ({"kind": "record", "former_surname": "鈴木"}, ["former_surname_already_recorded"]),
        ({"kind": "change", "former_surname": "鈴木", "former_surname_kana": "すずき"}, []),
        ({"kind": "change", "former_surname": "佐藤"}, ["unchanged"]),
        ({"kind": "change", "former_surname": "山田"}, ["same_as_surname"]),
        ({"kind": "change", "former_surname": "鈴木", "former_surname_kana": "Suzuki"}, ["not_katakana"]),
        ({"kind": "change"}, ["required"]),
        ({"kind": "delete"}, []),
        ({"kind": "delete", "claim_date": TOMORROW}, ["future_date"]),
        ({"kind": "delete", "change_date": TOMORROW}, ["future_date"]),
        ({"kind": "rename"}, ["required"]),
    ],
)
def test_former_surname_request_assessment_for_a_person_with_a_former_surname(
    db: Any, clerk_a: Actor, intake: dict[str, Any], codes: list[str]
) -> None:
    wife = _with_former_surname(db, clerk_a)
    assert _problems(db, clerk_a, "former_surname", {"atena_number": wife, **intake}) == codes


@pytest.mark.parametrize(
    ("intake", "codes"),
    [
        ({"kind": "record", "former_surname": "佐藤"}, []),
        ({"kind": "change", "former_surname": "佐藤"}, ["former_surname_missing"]),
        ({"kind": "delete"}, ["former_surname_missing"]),
    ],
)
def test_former_surname_is_changed_or_deleted_only_once_recorded(
    db: Any, clerk_a: Actor, intake: dict[str, Any], codes: list[str]
) -> None:
    head = make_household(db, clerk_a).members[0].atena_number
    assert _problems(db, clerk_a, "former_surname", {"atena_number": head, **intake}) == codes


def test_former_surname_is_refused_for_a_foreign_resident_and_alias_for_a_japanese_one(
    db: Any, clerk_a: Actor
) -> None:
    foreigner = make_household(db, clerk_a, foreign=True).members[0].atena_number
    japanese = make_household(db, clerk_a).members[0].atena_number
    surname = {"atena_number": foreigner, "kind": "record", "former_surname": "佐藤"}
    alias = {"atena_number": japanese, "kind": "record", "alias": "山田 一"}
    assert _problems(db, clerk_a, "former_surname", surname) == ["wrong_resident_kind"]
    assert _problems(db, clerk_a, "alias", alias) == ["wrong_resident_kind"]


@pytest.mark.parametrize(
    ("intake", "codes"),
    [
        ({"kind": "record", "alias": "須見 譲", "alias_kana": "すみ じょう"}, []),
        ({"kind": "record"}, ["required"]),
        ({"kind": "record", "alias": "須見 譲", "requested_date": TOMORROW}, ["future_date"]),
        ({"kind": "delete"}, ["alias_missing"]),
        ({"kind": "change", "alias": "須見 譲"}, ["required"]),
    ],
)
def test_alias_application_assessment_for_a_foreign_resident_without_an_alias(
    db: Any, clerk_a: Actor, intake: dict[str, Any], codes: list[str]
) -> None:
    person = make_household(db, clerk_a, foreign=True).members[0].atena_number
    assert _problems(db, clerk_a, "alias", {"atena_number": person, **intake}) == codes


def test_a_second_alias_is_recorded_only_after_the_first_is_deleted(db: Any, clerk_a: Actor) -> None:
    person = make_household(db, clerk_a, foreign=True).members[0]
    with unit_of_work(db, clerk_a) as uow:
        uow.session.merge(person).alias = "須見 譲"
    intake = {"atena_number": person.atena_number, "kind": "record", "alias": "須見 丈"}
    assert _problems(db, clerk_a, "alias", intake) == ["alias_already_recorded"]
    assert _problems(db, clerk_a, "alias", {**intake, "kind": "delete"}) == []
