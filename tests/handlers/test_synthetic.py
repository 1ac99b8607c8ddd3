"""The synthetic-resident generator and the bulk loader: deterministic, valid, findable."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import orjson
import pytest
from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.residents.history import history_rows, snapshot_of
from handlers.residents.items import HOUSEHOLD_ITEMS, RESIDENT_ITEMS
from handlers.residents.numbering import issue_number
from handlers.residents.search import ResidentQuery, search_residents
from handlers.residents.validation import validate_household_input, validate_resident_input
from handlers.rules.check_digit import (
    m11w27_valid,
    my_number_valid,
    residence_card_number_valid,
    resident_code_valid,
    special_permanent_certificate_number_valid,
    with_m11w27,
)
from handlers.rules.kana import fold_kana
from handlers.rules.kanji import fold_address
from handlers.rules.relationship import is_allowed_relationship
from handlers.synthetic import Place, bulk_load, generate_residents
from handlers.synthetic.copy_text import reserve_ids
from handlers.synthetic.rows import snapshot_by_handler
from handlers.uow import unit_of_work
from models.snapshot import compact_snapshot

AS_OF = dt.date(2026, 11, 26)
YOKOHAMA = Place("141003", "横浜市", "神奈川県", (("141011", "鶴見区"), ("141046", "中区")))


def _generate(count: int, seed: int, batch: int = 20_000) -> list[Any]:
    return list(generate_residents(7, count, seed, place=YOKOHAMA, as_of=AS_OF, batch=batch))


def _flatten(batches: list[Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    households = [h for b in batches for h in b.households]
    residents = [r for b in batches for r in b.residents]
    history = [h for b in batches for h in b.history]
    return households, residents, history


@pytest.fixture(scope="module")
def sample() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    return _flatten(_generate(4000, seed=11, batch=1500))


@pytest.mark.req("j130")
def test_same_seed_gives_identical_rows_and_another_seed_does_not() -> None:
    first = _flatten(_generate(600, seed=3))
    again = _flatten(_generate(600, seed=3))
    other = _flatten(_generate(600, seed=4))
    assert first == again
    assert first[1] != other[1]


def test_batches_hold_whole_households_and_exactly_the_count(sample: Any) -> None:
    batches = _generate(4000, seed=11, batch=1500)
    assert sum(len(b.residents) for b in batches) == 4000
    for batch in batches:
        numbers = {h["household_number"] for h in batch.households}
        assert {r["household_number"] for r in batch.residents} == numbers


@pytest.mark.req("j130")
def test_every_generated_number_passes_its_check_digit(sample: Any) -> None:
    households, residents, _history = sample
    assert all(m11w27_valid(h["household_number"]) for h in households)
    assert all(m11w27_valid(r["atena_number"]) for r in residents)
    assert all(my_number_valid(r["my_number"]) for r in residents)
    assert all(resident_code_valid(r["resident_code"]) for r in residents)
    assert len({r["my_number"] for r in residents}) == len(residents)
    assert len({r["atena_number"] for r in residents}) == len(residents)
    for r in residents:
        if r["residence_card_number"]:
            assert residence_card_number_valid(r["residence_card_number"])
        if r["special_permanent_certificate_number"]:
            assert special_permanent_certificate_number_valid(r["special_permanent_certificate_number"])


@pytest.mark.req("j320")
def test_kana_keys_are_folded_with_the_search_rules(sample: Any) -> None:
    _households, residents, _history = sample
    for r in residents:
        assert r["kana_key"] == fold_kana(r["family_name_kana"] + r["given_name_kana"])
        assert r["given_kana_key"] == fold_kana(r["given_name_kana"])
        assert r["name_key"]


@pytest.mark.req("j320")
def test_address_keys_are_the_search_rule_of_the_address_and_katagaki(sample: Any) -> None:
    households, _residents, _history = sample
    assert any(h["address_katagaki"] for h in households)
    assert any("丁目" in h["address"] for h in households) and any("番地" in h["address"] for h in households)
    for h in households:
        assert h["address_key"] == fold_address(h["address"] + (h["address_katagaki"] or ""))


@pytest.mark.req("j10", "j20", "j60", "j110")
def test_generated_people_pass_the_registration_validation(sample: Any) -> None:
    households, residents, _history = sample
    fields = {spec.field for spec in RESIDENT_ITEMS}
    for r in residents[:1500]:
        data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items() if k in fields}
        _values, problems = validate_resident_input(data, kind=r["resident_kind"])
        assert problems == [], (r["atena_number"], [p.message for p in problems])
        assert is_allowed_relationship(r["relation_to_head"])
    household_fields = {spec.field for spec in HOUSEHOLD_ITEMS}
    for h in households[:500]:
        _values, problems = validate_household_input({k: v for k, v in h.items() if k in household_fields})
        assert problems == []


def test_households_look_like_a_japanese_city(sample: Any) -> None:
    households, residents, _history = sample
    sizes = Counter(r["household_number"] for r in residents)
    assert set(sizes.values()) <= set(range(1, 7))
    assert 1.9 <= len(residents) / len(households) <= 2.4
    foreign = [r for r in residents if r["resident_kind"] == "foreign"]
    assert 0.01 <= len(foreign) / len(residents) <= 0.05
    categories = {r["foreign_category"] for r in foreign}
    assert categories == {"mid_long_term", "special_permanent"}
    assert all(h["address"].startswith("神奈川県横浜市") for h in households)
    heads = [r for r in residents if r["relation_to_head"] == "世帯主"]
    assert len(heads) == len(households)


@pytest.mark.req("j200")
def test_first_history_row_is_the_snapshot_the_residents_handler_would_take(sample: Any) -> None:
    households, residents, history = sample
    by_number = {h["household_number"]: h for h in households}
    by_atena = {r["atena_number"]: r for r in residents}
    assert len(history) == len(residents)
    for r, h in zip(residents, history, strict=True):
        household = by_number[r["household_number"]]
        head = by_atena[household["head_atena_number"]]
        assert h["atena_number"] == r["atena_number"] and h["history_no"] == 1
        assert h["change_reason"] in {"domestic_move_in", "birth", "ex_officio_record"}
        stored = orjson.loads(orjson.dumps(h["snapshot"]))  # as the loader writes it (ids added there)
        assert stored == compact_snapshot(snapshot_by_handler(r, household, head))


@pytest.fixture
def loaded(connection: Connection, setup_session: Session) -> models.Municipality:
    muni = models.Municipality(code="141003", name="横浜市", prefecture="神奈川県", kind="designated_city")
    muni.settings = {}
    setup_session.add(muni)
    setup_session.add(models.Ward(municipality=muni, code="141011", name="鶴見区"))
    setup_session.flush()
    return muni


@pytest.mark.slow
@pytest.mark.req("j130", "j320")
def test_bulk_loaded_residents_are_found_by_the_normal_search(
    connection: Connection, db: Database, loaded: models.Municipality
) -> None:
    report = bulk_load(connection, loaded.id, 2000, seed=5, batch=700, as_of=AS_OF)
    assert report.residents == 2000 and report.history_rows == 2000
    count = connection.execute(
        select(func.count()).select_from(models.Resident).where(models.Resident.tenant_id == loaded.id)
    ).scalar_one()
    assert count == 2000
    heads = connection.execute(
        select(func.count()).select_from(models.Household).where(models.Household.head_resident_id.is_(None))
    ).scalar_one()
    assert heads == 0
    clerk = Actor(tenant_id=loaded.id, login_id="clerk", roles=frozenset({"clerk"}))
    with unit_of_work(db, clerk) as uow:
        someone = uow.session.scalars(select(models.Resident).order_by(models.Resident.id.desc())).first()
        assert someone is not None and someone.household.head is not None
        hits = search_residents(uow, ResidentQuery(kana=someone.family_name_kana + someone.given_name_kana))
        assert someone.atena_number in {hit.atena_number for hit in hits}
        rows = history_rows(uow.session, someone.atena_number)
        assert [r.history_no for r in rows] == [1]
        assert rows[0].snapshot == snapshot_of(someone)  # built in SQL on PostgreSQL, in Python on SQLite
        assert issue_number(uow.session, "atena") == _number_after(report.first_atena + 2000)
        assert issue_number(uow.session, "household") == _number_after(
            report.first_household + report.households
        )


def _number_after(value: int) -> str:
    return with_m11w27(f"{value:09d}")


def test_reserved_ids_are_sequence_values_no_one_else_gets(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        pytest.skip("ids are reserved from PostgreSQL sequences")
    ids = reserve_ids(connection, "household", 500).take(500)
    assert ids == list(range(ids[0], ids[0] + 500))
    after = connection.execute(text("SELECT nextval(pg_get_serial_sequence('household', 'id'))")).scalar_one()
    assert after > ids[-1]
    with pytest.raises(RuntimeError):
        reserve_ids(connection, "household", 3).take(4)
