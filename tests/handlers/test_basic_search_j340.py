"""基本検索 (j340): 旧氏 and the フリガナ of 旧氏・通称, 続柄, 住所コード, 消除事由, the ward of a designated city with
the operator's ward as default, former names and addresses, items left blank — tenant-scoped, logged,
protected persons marked."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from handlers.residents.households import change_household_address
from handlers.residents.registration import amend_resident, remove_resident
from handlers.residents.search import ResidentQuery, SearchResults, search_residents
from handlers.residents.search_wards import SearchWards, search_wards
from handlers.uow import unit_of_work
from models import AccessLog, Household, Municipality, User, Ward
from tests.factories import (
    actor_for,
    foreign_member,
    japanese_family,
    japanese_member,
    make_household,
    protect,
)

pytestmark = pytest.mark.req("j340")

OLD_ADDRESS = "神奈川県横浜市鶴見区豊岡町1番1号"
NEW_ADDRESS = "神奈川県横浜市西区みなとみらい2丁目3番1号"


def search(db: Database, actor: Actor, **criteria: object) -> SearchResults:
    with unit_of_work(db, actor) as uow:
        return search_residents(uow, ResidentQuery(**criteria))  # type: ignore[arg-type]


def names(results: SearchResults) -> list[str]:
    return sorted(hit.name for hit in results)


@pytest.fixture
def wards(setup_session: Session, city_a: Municipality) -> None:
    setup_session.add_all(
        [
            Ward(municipality_id=city_a.id, code=code, name=name)
            for code, name in (("141011", "鶴見区"), ("141020", "神奈川区"), ("141038", "西区"))
        ]  # fmt: skip
    )
    setup_session.flush()


@pytest.fixture
def town(db: Database, clerk_a: Actor, wards: None) -> dict[str, Household]:
    return {
        "yamada": make_household(
            db,
            clerk_a,
            japanese_family(),
            household={
                "address": OLD_ADDRESS,
                "postal_code": "2300062",
                "ward_code": "141011",
                "address_code": "14101100101",
            },
        ),  # fmt: skip
        "suzuki": make_household(
            db,
            clerk_a,
            [
                japanese_member(
                    family_name="鈴木",
                    given_name="花",
                    family_name_kana="スズキ",
                    given_name_kana="ハナ",
                    former_surname="山﨑",
                    former_surname_kana="ヤマザキ",
                    sex="2",
                )
            ],
            household={
                "address": "神奈川県横浜市神奈川区鶴屋町1番1号",
                "address_katagaki": "鶴屋ハイツ101",
                "postal_code": "2210835",
                "ward_code": "141020",
                "address_code": "14102000201",
            },
        ),  # fmt: skip
        "lee": make_household(
            db,
            clerk_a,
            [
                foreign_member(
                    name_alphabet="LEE MINHO",
                    family_name_kana="イ",
                    given_name_kana="ミンホ",
                    alias="李 敏浩",
                    alias_kana="リ ミンホ",
                )
            ],  # fmt: skip
            household={
                "address": "神奈川県横浜市西区北幸1丁目1番1号",
                "postal_code": "2200004",
                "ward_code": "141038",
            },
        ),  # fmt: skip
    }


def test_former_surname_finds_its_person_with_variant_folding(
    db: Database, clerk_a: Actor, town: dict
) -> None:
    assert names(search(db, clerk_a, former_surname="山崎")) == ["鈴木 花"]
    assert names(search(db, clerk_a, former_surname="山田")) == []


def test_kana_of_former_surname_and_of_alias_find_their_person(
    db: Database, clerk_a: Actor, town: dict
) -> None:
    assert names(search(db, clerk_a, former_surname_kana="やまさき")) == [
        "鈴木 花"
    ]  # voicing and kana folded
    assert names(search(db, clerk_a, alias_kana="リミン")) == ["LEE MINHO"]
    assert names(search(db, clerk_a, alias_kana="ヤマ")) == []
    assert names(search(db, clerk_a, kana="ヤマザキ")) == []  # the 氏名カナ condition stays the name's own


def test_relation_to_head_matches_part_of_the_item(db: Database, clerk_a: Actor, town: dict) -> None:
    assert names(search(db, clerk_a, relation_to_head="妻")) == ["山田 花子"]
    assert names(search(db, clerk_a, relation_to_head="子", kana="ヤマダ")) == ["山田 一郎"]


def test_address_code_matches_from_its_start(db: Database, clerk_a: Actor, town: dict) -> None:
    assert names(search(db, clerk_a, address_code="14102000201")) == ["鈴木 花"]
    assert names(search(db, clerk_a, address_code="141011")) == ["山田 一郎", "山田 太郎", "山田 花子"]
    with pytest.raises(ValidationError) as refused:
        search(db, clerk_a, address_code="14A")
    assert refused.value.problems[0].item == "住所コード"


def test_removal_reason_finds_removed_persons_of_that_reason_only(
    db: Database, clerk_a: Actor, town: dict
) -> None:
    with unit_of_work(db, clerk_a) as uow:
        remove_resident(
            uow, town["suzuki"].members[0].atena_number, reason_code="death", removal_date="2024-01-01"
        )
    hits = search(db, clerk_a, removal_reason="death")
    assert [(h.name, h.status_label) for h in hits] == [("鈴木 花", "除票")]
    assert search(db, clerk_a, removal_reason="domestic_move_out") == []
    assert search(db, clerk_a, kana="スズキ") == []  # without asking, 除票 stay out as before
    with pytest.raises(ValidationError):
        search(db, clerk_a, removal_reason="birth")  # a reason of 記載, not of 消除


def test_a_designated_city_user_searches_their_own_ward_by_default(
    db: Database, town: dict, users_a: dict[str, User], setup_session: Session
) -> None:
    clerk = users_a["clerk"]
    clerk.ward_code = "141020"
    setup_session.flush()
    with unit_of_work(db, actor_for(clerk)) as uow:
        offered = search_wards(uow)
    assert offered == SearchWards({"141011": "鶴見区", "141020": "神奈川区", "141038": "西区"}, "141020")
    actor = actor_for(clerk)
    assert names(search(db, actor, address="横浜市", ward_code=offered.default)) == ["鈴木 花"]
    assert names(search(db, actor, address="横浜市", ward_code="141038")) == ["LEE MINHO"]  # another ward
    assert len(search(db, actor, address="横浜市")) == 5  # every ward
    with pytest.raises(ValidationError) as refused:
        search(db, actor, address="横浜市", ward_code="131016")
    assert refused.value.problems[0].item == "区"


def test_an_ordinary_city_has_no_wards_and_no_default(db: Database, users_b: dict[str, User]) -> None:
    with unit_of_work(db, actor_for(users_b["clerk"])) as uow:
        assert search_wards(uow) == SearchWards({}, None)


def test_a_ward_alone_is_no_search(db: Database, clerk_a: Actor, town: dict) -> None:
    with pytest.raises(ValidationError) as refused:
        search(db, clerk_a, ward_code="141011")
    assert refused.value.problems[0].item == "検索条件"


def _rename_yamada(db: Database, clerk_a: Actor, town: dict) -> str:
    taro = town["yamada"].members[0].atena_number
    with unit_of_work(db, clerk_a) as uow:
        amend_resident(uow, taro, {"family_name": "佐藤", "family_name_kana": "サトウ"},
                       reason_code="ex_officio_correction", change_date="2024-05-01")  # fmt: skip
    return taro


def test_a_former_name_finds_the_person_and_says_so(db: Database, clerk_a: Actor, town: dict) -> None:
    taro = _rename_yamada(db, clerk_a, town)
    assert search(db, clerk_a, name="山田太郎") == []  # only when asked for
    [hit] = search(db, clerk_a, name="山田太郎", include_past=True)
    assert (hit.atena_number, hit.name, hit.matched_past, hit.past_match_label) == (
        taro,
        "佐藤 太郎",
        ("name",),
        "旧氏名で一致",
    )
    by_kana = search(db, clerk_a, kana="ヤマダタ", include_past=True)
    assert [(h.name, h.past_match_label) for h in by_kana] == [("佐藤 太郎", "旧氏名で一致")]
    current = search(db, clerk_a, kana="ヤマダ", include_past=True)  # 花子 and 一郎 still are 山田
    assert sorted((h.name, h.past_match_label) for h in current) == [
        ("佐藤 太郎", "旧氏名で一致"),
        ("山田 一郎", ""),
        ("山田 花子", ""),
    ]


def test_a_former_address_finds_the_household_and_says_so(db: Database, clerk_a: Actor, town: dict) -> None:
    with unit_of_work(db, clerk_a) as uow:
        change_household_address(uow, town["yamada"].household_number, address=NEW_ADDRESS,
                                 address_set_date="2024-06-01", reason_code="move_within", change_date="2024-06-01")  # fmt: skip
    assert search(db, clerk_a, address="豊岡町") == []
    hits = search(db, clerk_a, address="豊岡町", include_past=True)
    assert {(h.name, h.past_match_label) for h in hits} == {
        ("山田 太郎", "旧住所で一致"),
        ("山田 花子", "旧住所で一致"),
        ("山田 一郎", "旧住所で一致"),
    }
    assert [h.past_match_label for h in search(db, clerk_a, address="みなとみらい", include_past=True)] == [
        ""
    ] * 3


def test_former_name_and_address_together(db: Database, clerk_a: Actor, town: dict) -> None:
    _rename_yamada(db, clerk_a, town)
    with unit_of_work(db, clerk_a) as uow:
        change_household_address(uow, town["yamada"].household_number, address=NEW_ADDRESS,
                                 address_set_date="2024-06-01", reason_code="move_within", change_date="2024-06-01")  # fmt: skip
    hits = search(db, clerk_a, kana="ヤマダ", address="豊岡町", include_past=True)
    assert sorted((h.name, h.matched_past) for h in hits) == [
        ("佐藤 太郎", ("name", "address")),
        ("山田 一郎", ("address",)),
        ("山田 花子", ("address",)),
    ]
    hits = search(db, clerk_a, kana="サトウ", address="みなとみらい", include_past=True)
    assert [(h.name, h.matched_past) for h in hits] == [("佐藤 太郎", ())]


def test_the_pages_of_a_search_with_former_names_do_not_overlap(
    db: Database, clerk_a: Actor, town: dict
) -> None:
    _rename_yamada(db, clerk_a, town)
    everyone = search(db, clerk_a, kana="ヤマ", include_past=True)
    seen: list[str] = []
    after = None
    while True:
        page = search(db, clerk_a, kana="ヤマ", include_past=True, limit=1, after=after)
        seen += [h.atena_number for h in page]
        if not page.truncated:
            break
        after = page.next_after
    assert seen == [h.atena_number for h in everyone] and len(seen) == 3


@pytest.mark.parametrize(
    ("item", "expected"),
    [("address_katagaki", ["LEE MINHO", "山田 一郎", "山田 太郎", "山田 花子"]),
     ("former_surname", ["LEE MINHO", "山田 一郎", "山田 太郎", "山田 花子"]),
     ("alias", ["山田 一郎", "山田 太郎", "山田 花子", "鈴木 花"]),
     ("address_code", ["LEE MINHO"])],
)  # fmt: skip
def test_items_left_blank_can_be_searched(
    db: Database, clerk_a: Actor, town: dict, item: str, expected: list[str]
) -> None:
    assert names(search(db, clerk_a, blank=frozenset({item}))) == expected


def test_blank_combines_with_values_and_refuses_a_value_of_the_same_item(
    db: Database, clerk_a: Actor, town: dict
) -> None:
    assert names(search(db, clerk_a, kana="ヤマダ", blank=frozenset({"former_surname", "alias"}))) == [
        "山田 一郎", "山田 太郎", "山田 花子"
    ]  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        search(db, clerk_a, my_number="123456789018", blank=frozenset({"my_number"}))
    assert refused.value.problems[0].code == "conflict"
    with pytest.raises(ValidationError):
        search(db, clerk_a, blank=frozenset({"honseki"}))


def test_another_municipality_never_finds_them(
    db: Database, clerk_a: Actor, town: dict, users_b: dict
) -> None:
    _rename_yamada(db, clerk_a, town)
    clerk_b = actor_for(users_b["clerk"])
    assert search(db, clerk_b, name="山田", include_past=True) == []
    assert search(db, clerk_b, kana="ヤマダ", address="豊岡", include_past=True) == []
    assert search(db, clerk_b, former_surname="山崎") == []
    assert search(db, clerk_b, alias_kana="リ") == []
    assert search(db, clerk_b, blank=frozenset({"address_katagaki"})) == []
    assert search(db, clerk_b, relation_to_head="妻") == []


def test_a_person_found_by_a_former_name_is_still_marked_protected(
    db: Database, clerk_a: Actor, town: dict, setup_session: Session, city_a: Municipality
) -> None:
    taro = _rename_yamada(db, clerk_a, town)
    protect(setup_session, city_a, taro)
    [hit] = search(db, clerk_a, name="山田太郎", include_past=True)
    assert (hit.protected, hit.past_match_label) == (True, "旧氏名で一致")


def test_the_search_is_logged_with_its_conditions_never_their_values(
    db: Database, clerk_a: Actor, town: dict, setup_session: Session
) -> None:
    hits = search(db, clerk_a, former_surname="山崎", blank=frozenset({"alias"}), include_past=True)
    row = setup_session.scalars(select(AccessLog).where(AccessLog.function == "resident_searched")).one()
    assert row.targets == [h.atena_number for h in hits] and len(hits) == 1
    assert row.detail["criteria"] == ["former_surname", "blank:alias"]


def test_filling_the_keys_from_the_history_gives_what_the_changes_wrote(
    db: Database, clerk_a: Actor, town: dict, setup_session: Session, city_a: Municipality
) -> None:
    """What migration 0019 (and the re-key batch) fills for a loaded register is what the changes write."""
    from handlers.residents.search_key_rows import fill_search_keys
    from models import ResidentSearchKey

    _rename_yamada(db, clerk_a, town)
    with unit_of_work(db, clerk_a) as uow:
        change_household_address(uow, town["yamada"].household_number, address=NEW_ADDRESS,
                                 address_set_date="2024-06-01", reason_code="move_within", change_date="2024-06-01")  # fmt: skip

    def stored() -> set[tuple[str, str, str]]:
        rows = setup_session.execute(select(ResidentSearchKey.atena_number, ResidentSearchKey.kind,
                                            ResidentSearchKey.key).where(ResidentSearchKey.tenant_id == city_a.id))  # fmt: skip
        return {tuple(row) for row in rows}  # type: ignore[misc]

    written = stored()
    assert {kind for _a, kind, _k in written} == {"former_surname", "former_surname_kana", "alias_kana",
                                                  "past_kana", "past_name", "past_address"}  # fmt: skip
    assert fill_search_keys(setup_session.connection(), city_a.id) == len(written)
    assert stored() == written


def test_the_former_keys_are_read_through_their_index(db: Database, connection, city_a: Municipality) -> None:
    """On a populated table the former-name part of a search reads the keys by (tenant, kind, key), not by a
    scan of the table (nor of the history snapshots)."""
    if connection.dialect.name != "postgresql":
        pytest.skip("the planner's choice is checked on PostgreSQL")
    from sqlalchemy import insert, text
    from sqlalchemy.dialects import postgresql

    from handlers.residents.search import _statement
    from handlers.tenancy import _scoped
    from models import ResidentSearchKey

    kinds = ("past_kana", "past_name", "past_address", "former_surname")
    connection.execute(insert(ResidentSearchKey), [
        {"tenant_id": city_a.id, "atena_number": f"{n:010d}", "kind": kinds[n % 4], "key": f"カナ{n:06d}"}
        for n in range(40_000)
    ])  # fmt: skip
    connection.execute(text("ANALYZE resident_search_key"))
    shape, values = _statement(ResidentQuery(kana="サト", include_past=True))
    stmt = _scoped(shape, city_a.id).params(values)  # type: ignore[attr-defined]
    sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    assert f"resident_search_key.tenant_id = {city_a.id}" in sql
    plan = "\n".join(row[0] for row in connection.execute(text("EXPLAIN " + sql)))
    assert "ix_resident_search_key_lookup" in plan, plan
    assert "Seq Scan on resident_search_key" not in plan, plan
