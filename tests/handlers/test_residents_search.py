"""Resident search (j320–j340): folding, variants, 和暦/西暦, identifiers, logged, tenant-scoped."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from handlers.residents.registration import remove_resident
from handlers.residents.search import ResidentQuery, SearchResults, search_residents
from handlers.uow import unit_of_work
from models import AccessLog, Household, SupportMeasure, SupportMeasureParty, User
from tests.factories import actor_for, foreign_member, japanese_member, make_household


def search(db: Database, actor: Actor, **criteria: object) -> SearchResults:
    with unit_of_work(db, actor) as uow:
        return search_residents(uow, ResidentQuery(**criteria))  # type: ignore[arg-type]


def names(results: SearchResults) -> list[str]:
    return [hit.name for hit in results]


@pytest.fixture
def town(db: Database, clerk_a: Actor) -> dict[str, Household]:
    return {
        "saito": make_household(
            db,
            clerk_a,
            [
                japanese_member(
                    family_name="斉藤",
                    given_name="優子",
                    family_name_kana="サイトウ",
                    given_name_kana="ユウコ",
                    sex="2",
                    birth_date="1975-03-03",
                )
            ],
        ),
        "takahashi": make_household(
            db,
            clerk_a,
            [
                japanese_member(
                    family_name="髙橋",
                    given_name="一郎",
                    family_name_kana="タカハシ",
                    given_name_kana="イチロウ",
                )
            ],
            household={"address": "神奈川県横浜市港北区日吉本町１丁目２番３号", "postal_code": "2230062"},
        ),
        "smith": make_household(db, clerk_a, foreign=True),
        "special": make_household(
            db,
            clerk_a,
            [
                foreign_member(
                    name_alphabet="KIM MINSU",
                    family_name_kana="キム",
                    given_name_kana="ミンス",
                    foreign_category="special_permanent",
                    residence_status="",
                    period_of_stay="",
                    stay_expiry_date="",
                    residence_card_number="",
                    special_permanent_certificate_number="XY87654321ZW",
                )
            ],
        ),
    }


@pytest.mark.req("j330")
@pytest.mark.parametrize("kana", ["サイトウ", "サイトー", "さいとう", "ｻｲﾄｳ", "サイト", "サイトウ　ユウコ"])
def test_kana_search_folds_long_vowels_width_and_spaces(
    db: Database, clerk_a: Actor, town: dict, kana: str
) -> None:
    assert names(search(db, clerk_a, kana=kana)) == ["斉藤 優子"]


@pytest.mark.req("j330")
def test_given_name_only_kana_search(db: Database, clerk_a: Actor, town: dict) -> None:
    assert names(search(db, clerk_a, given_kana="イチロー")) == ["髙橋 一郎"]


@pytest.mark.req("j330", "j340")
def test_kanji_search_finds_variant_characters(db: Database, clerk_a: Actor, town: dict) -> None:
    assert names(search(db, clerk_a, name="高橋")) == ["髙橋 一郎"]
    assert names(search(db, clerk_a, name="一郎")) == ["髙橋 一郎"]
    assert names(search(db, clerk_a, name="smith")) == ["SMITH JOHN"]


@pytest.mark.req("j340")
@pytest.mark.parametrize("text", ["昭和50年3月3日", "S50.3.3", "1975-03-03", "1975年3月3日"])
def test_birth_date_in_wareki_or_seireki(db: Database, clerk_a: Actor, town: dict, text: str) -> None:
    assert names(search(db, clerk_a, birth_date=text)) == ["斉藤 優子"]


def test_unreadable_birth_date_is_a_japanese_problem(db: Database, clerk_a: Actor, town: dict) -> None:
    with pytest.raises(ValidationError) as refused:
        search(db, clerk_a, birth_date="むかし")
    assert refused.value.problems[0].item == "生年月日"


@pytest.mark.req("j340")
def test_each_identifier_finds_its_person(db: Database, clerk_a: Actor, town: dict) -> None:
    saito = town["saito"].members[0]
    smith = town["smith"].members[0]
    kim = town["special"].members[0]
    assert names(search(db, clerk_a, atena_number=saito.atena_number)) == ["斉藤 優子"]
    assert names(search(db, clerk_a, household_number=town["saito"].household_number)) == ["斉藤 優子"]
    assert names(search(db, clerk_a, my_number=saito.my_number)) == ["斉藤 優子"]
    assert names(search(db, clerk_a, resident_code=saito.resident_code)) == ["斉藤 優子"]
    assert names(search(db, clerk_a, residence_card_number=smith.residence_card_number.lower())) == [
        "SMITH JOHN"
    ]
    assert names(
        search(db, clerk_a, special_permanent_certificate_number=kim.special_permanent_certificate_number)
    ) == ["KIM MINSU"]


@pytest.mark.req("j340")
def test_address_and_sex(db: Database, clerk_a: Actor, town: dict) -> None:
    assert names(search(db, clerk_a, address="日吉本町1丁目")) == ["髙橋 一郎"]
    assert names(search(db, clerk_a, kana="サイ", sex="1")) == []


@pytest.mark.req("j90")
def test_hits_show_wareki_for_japanese_and_seireki_for_foreign(
    db: Database, clerk_a: Actor, town: dict
) -> None:
    assert search(db, clerk_a, kana="サイトウ")[0].birth_date == "昭和50年3月3日"
    assert search(db, clerk_a, kana="スミス")[0].birth_date == "1990年7月15日"


@pytest.mark.req("j50")
def test_removed_persons_are_found_only_when_asked(db: Database, clerk_a: Actor, town: dict) -> None:
    with unit_of_work(db, clerk_a) as uow:
        remove_resident(
            uow, town["saito"].members[0].atena_number, reason_code="death", removal_date="2023-01-01"
        )
    assert search(db, clerk_a, kana="サイトウ") == []
    hits = search(db, clerk_a, kana="サイトウ", include_removed=True)
    assert [(h.name, h.status_label) for h in hits] == [("斉藤 優子", "除票")]


@pytest.mark.req("j1370")
def test_a_search_is_logged_with_the_hits_as_targets(
    db: Database, clerk_a: Actor, town: dict, setup_session: Session
) -> None:
    hits = search(db, clerk_a, kana="サイトウ")
    row = setup_session.scalars(select(AccessLog).where(AccessLog.function == "resident_searched")).one()
    assert (row.action, row.targets, row.user_id) == ("search", [hits[0].atena_number], clerk_a.user_id)
    assert row.detail["criteria"] == ["kana"]


@pytest.mark.req("j160")
def test_protected_persons_are_flagged(
    db: Database, clerk_a: Actor, town: dict, setup_session: Session
) -> None:
    saito = town["saito"].members[0]
    measure = SupportMeasure(tenant_id=saito.tenant_id, status="in_force", provisional=False)
    measure.parties.append(
        SupportMeasureParty(
            tenant_id=saito.tenant_id, role="applicant", atena_number=saito.atena_number, name="斉藤 優子"
        )
    )
    setup_session.add(measure)
    setup_session.flush()
    assert [h.protected for h in search(db, clerk_a, kana="サイトウ")] == [True]
    assert [h.protected for h in search(db, clerk_a, kana="タカハシ")] == [False]


def test_results_are_limited_and_say_so(db: Database, clerk_a: Actor, town: dict) -> None:
    results = search(db, clerk_a, kana="", name="", address="横浜市", limit=2)
    assert len(results) == 2 and results.truncated


@pytest.mark.req("j320")
def test_the_next_page_continues_after_the_last_hit_without_overlap(
    db: Database, clerk_a: Actor, town: dict
) -> None:
    everyone = search(db, clerk_a, address="横浜市", limit=100)
    assert not everyone.truncated and everyone.next_after is None and len(everyone) >= 3
    pages: list[str] = []
    after = None
    while True:
        page = search(db, clerk_a, address="横浜市", limit=2, after=after)
        pages.extend(hit.atena_number for hit in page)
        if not page.truncated:
            break
        assert page.next_after is not None and len(page) == 2
        after = page.next_after
    assert pages == [hit.atena_number for hit in everyone]


@pytest.mark.req("j320")
def test_a_forged_page_cursor_is_refused(db: Database, clerk_a: Actor, town: dict) -> None:
    with pytest.raises(ValidationError) as refused:
        search(db, clerk_a, kana="サ", after="サイトウ|not-a-number")
    assert refused.value.problems[0].item == "次ページ"


def test_a_search_without_any_condition_is_refused(db: Database, clerk_a: Actor) -> None:
    with pytest.raises(ValidationError) as refused:
        search(db, clerk_a, kana="  ")
    assert refused.value.problems[0].item == "検索条件"


@pytest.mark.req("j1380")
def test_another_municipality_finds_nothing(db: Database, town: dict, users_b: dict[str, User]) -> None:
    clerk_b = actor_for(users_b["clerk"])
    saito = town["saito"].members[0]
    assert search(db, clerk_b, kana="サイトウ") == []
    assert search(db, clerk_b, my_number=saito.my_number) == []


@pytest.mark.req("j320")
def test_a_kana_page_is_read_in_index_order_without_sorting_every_match(connection, city_a) -> None:
    """A common two-kana prefix matches thousands in a city of millions: the page must come from the index
    in search order (no Sort node), so its cost does not grow with the number of matches."""
    if connection.dialect.name != "postgresql":
        pytest.skip("the planner's choice is checked on PostgreSQL")
    from sqlalchemy import text
    from sqlalchemy.dialects import postgresql

    from handlers.residents.search import _statement
    from models import Resident

    shape, values = _statement(ResidentQuery(kana="サト"))
    stmt = shape.params(values).where(Resident.tenant_id == city_a.id)
    sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    connection.execute(text("SET LOCAL enable_sort = off"))
    plan = "\n".join(row[0] for row in connection.execute(text("EXPLAIN " + sql)))
    assert "ix_resident_tenant_kana" in plan
    assert "Sort" not in plan, plan


@pytest.mark.parametrize(
    ("criteria", "generic"),
    [
        ({"kana": "サイ"}, True),
        ({"atena_number": "000000019"}, True),
        ({"kana": "サイ", "birth_date": "1980-01-01"}, False),  # may choose between indexes per value
        ({"name": "斉藤"}, False),
    ],
)
def test_a_search_of_one_index_served_condition_is_planned_once_per_connection(
    db: Database, clerk_a: Actor, town: dict[str, Household], criteria: dict[str, str], generic: bool
) -> None:
    """On PostgreSQL a kana search's plan is the same for every value, but without this the planner planned
    it anew at each search; a shape of several conditions keeps per-value plans."""
    with unit_of_work(db, clerk_a) as uow:
        search_residents(uow, ResidentQuery(**criteria))  # type: ignore[arg-type]
        if uow.session.get_bind().dialect.name != "postgresql":
            return
        mode = uow.session.execute(select(func.current_setting("plan_cache_mode"))).scalar_one()
    assert mode == ("force_generic_plan" if generic else "auto")  # SET LOCAL: it ends with the transaction
