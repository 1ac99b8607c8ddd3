"""本籍入力補助 (j510): the 本籍 candidates offered to the clerk — 現住所, 転入前住所, 世帯主の本籍, 世帯員の本籍 —
through the 異動入力 disclosure decision; for a 再転入者, the person's own history without the 本籍 whose
municipality was merged away; a (旧)町名 is entered and kept as typed."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy.orm import Session

from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from handlers.honseki_help import HonsekiQuery, honseki_candidates, readmission_honseki_candidates
from handlers.rules.municipalities import municipality_exists
from handlers.suppression_controls import set_suppression
from handlers.uow import unit_of_work
from models import Municipality, Resident, User
from tests import factories

pytestmark = pytest.mark.req("j510")

HEAD_HONSEKI = "東京都千代田区千代田1番"
WIFE_HONSEKI = "大阪府大阪市北区中之島1丁目3番"


def family(db: Database, clerk: Actor) -> list[str]:
    members = [
        factories.japanese_member(previous_address="長野県佐久市中込3000番地"),
        factories.japanese_member(given_name="花子", given_name_kana="ハナコ", sex="2", relation_to_head="妻",
                                  honseki=WIFE_HONSEKI, hittosha="鈴木 一郎", birth_date="昭和57年6月15日"),
        factories.japanese_member(given_name="一郎", given_name_kana="イチロウ", relation_to_head="子",
                                  birth_date="平成22年1月20日"),
    ]  # fmt: skip
    household = factories.make_household(db, clerk, members)
    return [m.atena_number for m in household.members] + [household.household_number]


def shown(candidates: list) -> list[tuple[str, str, str]]:  # type: ignore[type-arg]
    return [(c.label, c.honseki, c.hittosha) for c in candidates]


def test_a_registered_persons_candidates_are_the_address_previous_address_head_and_members_honseki(
    db: Database, clerk_a: Actor
) -> None:
    head, wife, child, _ = family(db, clerk_a)
    with unit_of_work(db, clerk_a) as uow:
        found = honseki_candidates(uow, HonsekiQuery(atena_number=child))
    assert shown(found) == [
        ("現住所", "神奈川県横浜市中区港町1丁目1番地", ""),
        ("転入前住所", "東京都千代田区千代田1番1号", ""),
        ("世帯主の本籍（山田 太郎）", HEAD_HONSEKI, "山田 太郎"),
        ("世帯員の本籍（山田 花子）", WIFE_HONSEKI, "鈴木 一郎"),
    ]


def test_a_person_joining_a_household_is_offered_its_head_and_members_and_the_entered_addresses(
    db: Database, clerk_a: Actor
) -> None:
    *_, number = family(db, clerk_a)
    query = HonsekiQuery(household_number=number, address="神奈川県横浜市中区港町一丁目1番地",
                         former_address="北海道札幌市中央区北1条西2丁目", entered=("東京都港区芝公園4丁目2番",))  # fmt: skip
    with unit_of_work(db, clerk_a) as uow:
        found = honseki_candidates(uow, query)
    assert [c.source for c in found] == ["current_address", "previous_address", "head_honseki",
                                         "member_honseki", "member_honseki"]  # fmt: skip
    assert (
        found[1].honseki == "北海道札幌市中央区北1条西2丁目" and found[-1].label == "世帯員の本籍（入力中）"
    )
    # the same 本籍 and 筆頭者 twice (the child shares the head's) is offered once


def test_a_user_with_the_honseki_hidden_is_offered_the_addresses_only(db: Database, clerk_a: Actor) -> None:
    head, *_ = family(db, clerk_a)
    hiding = replace(clerk_a, hidden_items=frozenset({"honseki"}))
    with unit_of_work(db, hiding) as uow:
        found = honseki_candidates(uow, HonsekiQuery(atena_number=head, entered=(WIFE_HONSEKI,)))
    assert [c.source for c in found] == ["current_address", "previous_address"]


def test_an_error_level_change_input_suppression_refuses_the_candidates(
    db: Database, clerk_a: Actor, users_a: dict[str, User]
) -> None:
    head, *_, number = family(db, clerk_a)
    with unit_of_work(db, factories.actor_for(users_a["support_officer"])) as uow:
        set_suppression(uow, household_number=number, process="change_input", level="error",
                        start_date=dt.date(2024, 1, 1), reason="確認中")  # fmt: skip
    with pytest.raises(ValidationError) as refused, unit_of_work(db, clerk_a) as uow:
        honseki_candidates(uow, HonsekiQuery(atena_number=head))
    assert [p.code for p in refused.value.problems] == ["change_input_suppressed"]


@pytest.mark.parametrize(
    ("place", "exists"),
    [
        ("長野県佐久市中込3000番地", True),
        ("長野県北佐久郡軽井沢町大字軽井沢1番地", True),
        ("奈良県大和郡山市北郡山町248番地", True),
        ("神奈川県横浜市中区本町二丁目10番地", True),
        ("長野県北佐久郡望月町大字望月1番地", False),  # merged into 佐久市 (2005)
        ("長野県南佐久郡臼田町大字臼田500番地", False),  # merged into 佐久市 (2005)
        ("東京都麹町区永田町1番地", False),  # merged into 千代田区 (1947)
        ("不明", None),
        ("なし", None),
    ],
)
def test_whether_the_municipality_of_a_honseki_still_exists(place: str, exists: bool | None) -> None:
    assert municipality_exists(place) is exists


def test_a_readmitted_persons_own_history_leaves_out_the_honseki_of_merged_municipalities(
    db: Database, clerk_a: Actor, setup_session: Session, city_a: Municipality
) -> None:
    removed = factories.make_removed_resident(
        setup_session, city_a, number=700, removal_date=dt.date(2022, 3, 31)
    )
    for honseki, when in (("長野県北佐久郡望月町大字望月1番地", dt.date(2001, 4, 1)),
                          ("長野県佐久市望月1番地", dt.date(2006, 4, 1)),
                          ("東京都千代田区千代田1番", dt.date(2015, 4, 1))):  # fmt: skip
        removed.honseki, removed.hittosha = honseki, "山田 太郎"
        factories.add_history_row(
            setup_session, removed, reason_code="ex_officio_correction", change_date=when
        )
    setup_session.flush()
    with unit_of_work(db, clerk_a) as uow:
        found = readmission_honseki_candidates(uow, removed.atena_number)
    assert [c.honseki for c in found] == ["東京都千代田区千代田1番", "長野県佐久市望月1番地"]
    assert found[0].label.startswith("本人の履歴（履歴番号 ") and found[0].hittosha == "山田 太郎"


def test_the_own_history_is_offered_only_for_a_removed_person(db: Database, clerk_a: Actor) -> None:
    head, *_ = family(db, clerk_a)
    for number in (head, "0000000000"):
        with pytest.raises(ValidationError) as refused, unit_of_work(db, clerk_a) as uow:
            readmission_honseki_candidates(uow, number)
        assert [p.code for p in refused.value.problems] == ["not_removed"]


def test_an_old_town_name_is_entered_as_the_honseki_and_kept_as_typed(db: Database, clerk_a: Actor) -> None:
    old = (
        "東京都千代田区飯田町一丁目1番地"  # the 戸籍の(旧)町名 (飯田橋 since 1966), in no address dictionary
    )
    merged = "長野県北佐久郡望月町大字望月1番地"
    household = factories.make_household(db, clerk_a, [factories.japanese_member(honseki=old)])
    with unit_of_work(db, clerk_a) as uow:
        person = uow.session.get(Resident, household.members[0].id)
        assert person is not None and person.honseki == old
    other = factories.make_household(db, clerk_a, [factories.japanese_member(honseki=merged, given_name="次郎",
                                                                              given_name_kana="ジロウ")])  # fmt: skip
    assert other.members[0].honseki == merged


def test_a_readmission_entered_at_the_counter_gets_its_own_history_first_then_the_entered_addresses(
    db: Database, clerk_a: Actor, setup_session: Session, city_a: Municipality
) -> None:
    removed = factories.make_removed_resident(
        setup_session, city_a, number=703, removal_date=dt.date(2022, 3, 31)
    )
    removed.honseki, removed.hittosha = "長野県北佐久郡望月町大字望月1番地", "山田 太郎"
    factories.add_history_row(
        setup_session, removed, reason_code="ex_officio_correction", change_date=dt.date(2001, 1, 1)
    )
    removed.honseki = "長野県佐久市望月1番地"
    factories.add_history_row(
        setup_session, removed, reason_code="ex_officio_correction", change_date=dt.date(2006, 1, 1)
    )
    setup_session.flush()
    query = HonsekiQuery(
        re_move_in_of=removed.atena_number,
        address="長野県佐久市望月1番地",
        former_address="東京都港区芝公園1番",
    )
    with unit_of_work(db, clerk_a) as uow:
        found = honseki_candidates(uow, query)
    assert [(c.source, c.honseki) for c in found] == [
        ("own_history", "長野県佐久市望月1番地"),
        ("current_address", "長野県佐久市望月1番地"),  # another candidate: the address, without 筆頭者
        ("previous_address", "東京都港区芝公園1番"),
    ]
