"""宛名番号 / 世帯番号 numbering (j130)."""

from __future__ import annotations

import pytest

from handlers.context import Actor
from handlers.db import Database
from handlers.residents.numbering import issue_number
from handlers.rules.check_digit import m11w27_valid
from handlers.uow import unit_of_work
from models import Municipality


@pytest.mark.req("j130")
def test_numbers_are_sequential_per_sequence_with_an_m11w27_check_digit(db: Database, clerk_a: Actor) -> None:
    with unit_of_work(db, clerk_a) as uow:
        atena = [issue_number(uow.session, "atena") for _ in range(3)]
        household = issue_number(uow.session, "household")
    assert [n[:9] for n in atena] == ["000000001", "000000002", "000000003"]
    assert household[:9] == "000000001"
    assert all(len(n) == 10 and m11w27_valid(n) for n in [*atena, household])


@pytest.mark.req("j130")
def test_known_check_digits_follow_weights_two_to_seven_from_the_right() -> None:
    # 000000001: 1×2 = 2 → 11 − 2 = 9;  000000005: 5×2 = 10 → 1;  000000006: 12 mod 11 = 1 → 0;
    # 000000011: 1×2 + 1×3 = 5 → 6
    from handlers.rules.check_digit import with_m11w27

    assert with_m11w27("000000001") == "0000000019"
    assert with_m11w27("000000005") == "0000000051"
    assert with_m11w27("000000006") == "0000000060"
    assert with_m11w27("000000011") == "0000000116"


@pytest.mark.req("j130")
def test_each_municipality_has_its_own_counter(db: Database, clerk_a: Actor, city_b: Municipality) -> None:
    with unit_of_work(db, clerk_a) as uow:
        issue_number(uow.session, "atena")
        second_a = issue_number(uow.session, "atena")
    with unit_of_work(db, Actor.system(city_b.id)) as uow:
        first_b = issue_number(uow.session, "atena")
    assert second_a[:9] == "000000002"
    assert first_b[:9] == "000000001"


def test_unknown_sequence_is_refused(db: Database, clerk_a: Actor) -> None:
    with pytest.raises(KeyError), unit_of_work(db, clerk_a) as uow:
        issue_number(uow.session, "certificate")


@pytest.mark.req("j130")
def test_blocks_of_several_sequences_are_the_numbers_one_sequence_after_the_other_gives(
    db: Database, clerk_a: Actor
) -> None:
    from handlers.residents.numbering import issue_blocks

    with unit_of_work(db, clerk_a) as uow:
        issue_number(uow.session, "atena")
        households, empty, atena = issue_blocks(uow.session, [("household", 1), ("atena", 0), ("atena", 3)])
        after = issue_number(uow.session, "atena")
    assert [n[:9] for n in households] == ["000000001"] and empty == []
    assert [n[:9] for n in atena] == ["000000002", "000000003", "000000004"]
    assert after[:9] == "000000005"
    assert all(m11w27_valid(n) for n in [*households, *atena])
    with pytest.raises(KeyError), unit_of_work(db, clerk_a) as uow:
        issue_blocks(uow.session, [("household", 1), ("certificate", 1)])
