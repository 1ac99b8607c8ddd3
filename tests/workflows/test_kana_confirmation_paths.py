"""フリガナ確認フラグ (j180; the 旧氏 and 通称 items of j10 and j20): whether the person confirmed each フリガナ is
kept for the 氏名, the 旧氏 and the 通称, set with the フリガナ it confirms and cleared with it."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.context import Actor
from tests.factories import make_household
from tests.workflows.conftest import Step
from tests.workflows.ex_officio_steps import approve, enter, issue_documents, resident

pytestmark = pytest.mark.req("j180", "j10", "j20")


def _register(step: Step, clerk: Actor, supervisor: Actor, code: str, intake: dict[str, Any]) -> None:
    case = enter(step, clerk, code, intake)
    approve(step, supervisor, case, code)
    issue_documents(step, clerk, case)


def test_the_former_surnames_kana_is_kept_confirmed_until_a_change_leaves_it_unconfirmed_or_deletes_it(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    wife = make_household(db, clerk_a).members[1].atena_number
    record = {"atena_number": wife, "kind": "record", "former_surname": "佐藤", "former_surname_kana": "サトウ",
              "former_surname_kana_confirmed": True}  # fmt: skip
    _register(step, clerk_a, supervisor_a, "former_surname", record)
    assert step(clerk_a, resident, wife).former_surname_kana_confirmed is True
    change = {
        "atena_number": wife,
        "kind": "change",
        "former_surname": "鈴木",
        "former_surname_kana": "スズキ",
    }
    _register(step, clerk_a, supervisor_a, "former_surname", change)
    assert step(clerk_a, resident, wife).former_surname_kana_confirmed is False
    confirmed = {**change, "former_surname": "須藤", "former_surname_kana": "スドウ",
                 "former_surname_kana_confirmed": "true"}  # fmt: skip
    _register(step, clerk_a, supervisor_a, "former_surname", confirmed)
    assert step(clerk_a, resident, wife).former_surname_kana_confirmed is True
    _register(step, clerk_a, supervisor_a, "former_surname", {"atena_number": wife, "kind": "delete"})
    deleted = step(clerk_a, resident, wife)
    assert (deleted.former_surname_kana, deleted.former_surname_kana_confirmed) == (None, False)


def test_a_confirmation_without_a_kana_to_confirm_is_not_kept(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    wife = make_household(db, clerk_a).members[1].atena_number
    record = {
        "atena_number": wife,
        "kind": "record",
        "former_surname": "佐藤",
        "former_surname_kana_confirmed": True,
    }
    _register(step, clerk_a, supervisor_a, "former_surname", record)
    person = step(clerk_a, resident, wife)
    assert (person.former_surname, person.former_surname_kana_confirmed) == ("佐藤", False)


def test_the_aliass_kana_confirmation_is_recorded_and_deleted_with_the_alias(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    person = make_household(db, clerk_a, foreign=True).members[0].atena_number
    record = {"atena_number": person, "kind": "record", "alias": "須見 譲", "alias_kana": "スミ ジョウ",
              "alias_kana_confirmed": True}  # fmt: skip
    _register(step, clerk_a, supervisor_a, "alias", record)
    assert step(clerk_a, resident, person).alias_kana_confirmed is True
    _register(step, clerk_a, supervisor_a, "alias", {"atena_number": person, "kind": "delete"})
    assert step(clerk_a, resident, person).alias_kana_confirmed is False
