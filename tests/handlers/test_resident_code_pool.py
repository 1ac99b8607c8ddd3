"""住民票コードの空き番 (j870): load with check digits, random take under a lock, the low-stock alert."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import PermissionDeniedError, Problem, ValidationError
from handlers.residents import resident_code_pool as pool_module
from handlers.residents.resident_code_pool import (
    free_code_count,
    load_pool,
    pool_problems,
    take_resident_code,
    take_resident_codes,
)
from handlers.uow import unit_of_work
from models.resident_code_pool import ResidentCodePoolEntry
from models.tenant import Municipality
from tests.factories import actor_for, valid_resident_code

pytestmark = pytest.mark.req("j870")


def test_load_refuses_the_whole_batch_when_one_check_digit_is_wrong(
    db: Database, supervisor_a: Actor
) -> None:
    good = valid_resident_code()
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as refused, unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, [good, bad])
    assert [p.code for p in refused.value.problems] == ["check_digit"]
    with unit_of_work(db, supervisor_a) as uow:
        assert free_code_count(uow.session) == 0


def test_load_skips_codes_already_in_the_pool(db: Database, supervisor_a: Actor) -> None:
    code = valid_resident_code()
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, [code])
    with unit_of_work(db, supervisor_a) as uow:
        result = load_pool(uow, [code, valid_resident_code()])
    assert (result.added, result.already_in_pool) == (1, [code])


def test_a_clerk_cannot_load_the_pool(db: Database, clerk_a: Actor) -> None:
    with pytest.raises(PermissionDeniedError), unit_of_work(db, clerk_a) as uow:
        load_pool(uow, [valid_resident_code()])


def test_codes_are_taken_at_random_and_never_twice(db: Database, supervisor_a: Actor) -> None:
    codes = [valid_resident_code() for _ in range(30)]
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, codes)
    with unit_of_work(db, supervisor_a) as uow:
        taken = [take_resident_code(uow.session) for _ in range(30)]
    assert sorted(taken) == sorted(codes)
    assert taken != codes  # random order, not load order (1 chance in 30! of a false failure)
    with unit_of_work(db, supervisor_a) as uow:
        assert free_code_count(uow.session) == 0
        with pytest.raises(ValidationError) as refused:
            take_resident_code(uow.session)
        assert refused.value.problems[0].code == "resident_code_pool_empty"
        rows = uow.session.scalars(select(ResidentCodePoolEntry)).all()
        assert all(r.taken and r.taken_at is not None for r in rows)


def test_codes_go_out_in_the_order_drawn_at_random_when_they_were_stored(
    db: Database, supervisor_a: Actor
) -> None:
    codes = [valid_resident_code() for _ in range(20)]
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, codes)
    with unit_of_work(db, supervisor_a) as uow:
        drawn = uow.session.execute(
            select(ResidentCodePoolEntry.code, ResidentCodePoolEntry.draw_key).order_by(
                ResidentCodePoolEntry.id
            )
        ).all()
        taken = take_resident_codes(uow.session, 5) + [take_resident_code(uow.session) for _ in range(15)]
    keys = [key for _code, key in drawn]
    assert len(set(keys)) == 20 and keys != sorted(keys)  # drawn, not numbered (1 chance in 20! to fail)
    in_draw_order = [code for code, _key in sorted(drawn, key=lambda row: row[1])]
    assert sorted(taken[:5]) == sorted(in_draw_order[:5]) and taken[5:] == in_draw_order[5:]


def test_alert_when_fewer_than_the_municipalitys_threshold_would_remain(
    db: Database, supervisor_a: Actor, setup_session: Session, city_a: Municipality
) -> None:
    city_a.settings = {"resident_code_pool_alert": 3}
    setup_session.flush()
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, [valid_resident_code() for _ in range(4)])
    with unit_of_work(db, supervisor_a) as uow:
        assert pool_problems(uow.session) == ([], [])  # 3 left: not below 3
        errors, alerts = pool_problems(uow.session, needed=2)
        assert errors == [] and [a.code for a in alerts] == ["resident_code_pool_low"]
        assert [p.code for p in pool_problems(uow.session, needed=5)[0]] == ["resident_code_pool_empty"]


def test_several_codes_are_taken_in_one_statement_and_too_few_take_none(
    db: Database, supervisor_a: Actor
) -> None:
    codes = [valid_resident_code() for _ in range(5)]
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, codes)
    with unit_of_work(db, supervisor_a) as uow:
        taken = take_resident_codes(uow.session, 3)
    assert len(set(taken)) == 3 and set(taken) <= set(codes)
    with pytest.raises(ValidationError) as refused, unit_of_work(db, supervisor_a) as uow:
        take_resident_codes(uow.session, 3)  # only 2 left
    assert refused.value.problems[0].code == "resident_code_pool_empty"
    with unit_of_work(db, supervisor_a) as uow:
        assert free_code_count(uow.session) == 2  # the refusal rolled its unit of work back


def test_the_pool_check_counts_only_as_far_as_its_decision_needs_and_reports_exact_figures(
    db: Database,
    supervisor_a: Actor,
    setup_session: Session,
    city_a: Municipality,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pool_module, "_THRESHOLDS_SEEN", {})
    caps: list[int] = []
    counted = pool_module._pool_status

    def counting(session: Session, cap: int) -> tuple[int, int]:
        caps.append(cap)
        return counted(session, cap)

    monkeypatch.setattr(pool_module, "_pool_status", counting)
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, [valid_resident_code() for _ in range(12)])
    city_a.settings = {"resident_code_pool_alert": 3}
    setup_session.flush()
    with unit_of_work(db, supervisor_a) as uow:
        assert pool_problems(uow.session, needed=2) == ([], [])  # threshold not known yet: up to 100 + 2
        assert pool_problems(uow.session, needed=2) == ([], [])  # 3 seen: up to 3 + 2, all it needs
        assert pool_problems(uow.session, needed=12) == ([], [alert_for(0, 3)])
        assert [p.code for p in pool_problems(uow.session, needed=13)[0]] == ["resident_code_pool_empty"]
    assert caps == [102, 5, 15, 16]
    caps.clear()
    city_a.settings = {"resident_code_pool_alert": 50}
    setup_session.flush()
    with unit_of_work(db, supervisor_a) as uow:
        # the count stopped at the old cap (5) below the new threshold: counted again, the exact 10 left named
        assert pool_problems(uow.session, needed=2) == ([], [alert_for(10, 50)])
    assert caps == [5, 52]


def alert_for(left: int, threshold: int) -> Problem:
    return Problem(
        "resident_code",
        "住民票コード",
        f"付番後の住民票コードの空き番が{left}件で、設定値（{threshold}件）を下回ります",
        "CSから住民票コードを取得して蓄積してください",
        "resident_code_pool_low",
        level="alert",
    )


@pytest.mark.req("j1440")
def test_codes_are_taken_only_from_the_own_municipalitys_pool(
    db: Database, supervisor_a: Actor, users_b: dict[str, models.User], setup_session: Session
) -> None:
    supervisor_b = actor_for(users_b["supervisor"])
    own, others = [valid_resident_code() for _ in range(2)], [valid_resident_code() for _ in range(3)]
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, own)
    with unit_of_work(db, supervisor_b) as uow:
        load_pool(uow, others)
    with unit_of_work(db, supervisor_a) as uow:
        assert sorted(take_resident_codes(uow.session, 2)) == sorted(own)
    with pytest.raises(ValidationError), unit_of_work(db, supervisor_a) as uow:
        take_resident_codes(uow.session, 1)  # A's pool is empty; B's codes are not A's
    taken = {row.code: row.taken for row in setup_session.scalars(select(ResidentCodePoolEntry))}
    assert taken == {**dict.fromkeys(own, True), **dict.fromkeys(others, False)}
