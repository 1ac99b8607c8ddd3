"""The record view (照会): labels, 和暦/西暦, masking, memo on screen only, not-found alike (j90, j150, j1390)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import NotFoundError, PermissionDeniedError
from handlers.residents.presenter import view_resident
from handlers.uow import unit_of_work
from models import ResidentMemo, User
from tests.factories import actor_for, japanese_member, make_household


def items_of(view: dict) -> dict[str, dict]:
    return {item["field"]: item for section in view["sections"] for item in section["items"]}


@pytest.mark.req("j90", "j20")
def test_a_foreign_residents_birth_and_stay_expiry_are_seireki_other_dates_wareki_and_category_items_shown(
    db: Database, clerk_a: Actor
) -> None:
    person = make_household(db, clerk_a, foreign=True).members[0]
    with unit_of_work(db, clerk_a) as uow:
        view = view_resident(uow, person.atena_number)
    items = items_of(view)
    assert items["birth_date"]["value"] == "1990年7月15日"
    assert items["stay_expiry_date"]["value"] == "2026年3月31日"
    assert items["became_resident_date"]["value"] == "令和5年4月1日"  # only those two are 西暦 (j90)
    assert items["foreign_resident_date"]["value"] == "令和5年4月1日"
    assert all(h["change_date"].startswith("令和") for h in view["history"])
    assert items["residence_card_number"]["label"] == "在留カード番号"
    assert items["foreign_category"]["value"] == "中長期在留者"  # by its name, not its code
    assert view["kind_label"] == "外国人住民" and view["name"] == "SMITH JOHN"


@pytest.mark.req("j1390")
def test_residence_status_items_are_masked_for_a_user_who_hides_them(
    db: Database, clerk_a: Actor, users_a: dict[str, User], setup_session: Session
) -> None:
    person = make_household(db, clerk_a, foreign=True).members[0]
    users_a["clerk"].hide_residence_status = True
    setup_session.flush()
    with unit_of_work(db, actor_for(users_a["clerk"])) as uow:
        items = items_of(view_resident(uow, person.atena_number))
    for field in ("residence_status", "period_of_stay", "stay_expiry_date", "residence_card_number"):
        assert items[field]["value"] == items[field]["raw"] == "（非表示）"
    assert items["nationality"]["value"] == "アメリカ合衆国"


@pytest.mark.req("j150")
def test_the_memo_is_on_screen_only_never_among_the_printable_items(
    db: Database, clerk_a: Actor, setup_session: Session
) -> None:
    person = make_household(db, clerk_a).members[0]
    setup_session.add(
        ResidentMemo(
            tenant_id=person.tenant_id,
            resident_id=person.id,
            atena_number=person.atena_number,
            body="窓口で要確認",
        )
    )
    setup_session.flush()
    with unit_of_work(db, clerk_a) as uow:
        view = view_resident(uow, person.atena_number)
    assert view["screen_only"]["memo"] == "窓口で要確認"
    assert "窓口で要確認" not in str(view["sections"])


@pytest.mark.req("j1380")
def test_unknown_and_other_city_numbers_give_the_same_not_found(
    db: Database, clerk_a: Actor, users_b: dict[str, User]
) -> None:
    person = make_household(db, clerk_a).members[0]
    with pytest.raises(NotFoundError) as other, unit_of_work(db, actor_for(users_b["clerk"])) as uow:
        view_resident(uow, person.atena_number)
    with pytest.raises(NotFoundError) as unknown, unit_of_work(db, clerk_a) as uow:
        view_resident(uow, "9999999999")
    assert str(other.value) == str(unknown.value)


def test_viewing_needs_the_view_permission(db: Database, clerk_a: Actor, users_a: dict[str, User]) -> None:
    person = make_household(db, clerk_a).members[0]
    with pytest.raises(PermissionDeniedError), unit_of_work(db, actor_for(users_a["analyst"])) as uow:
        view_resident(uow, person.atena_number)


@pytest.mark.req("j150", "j1380")
def test_the_memo_shown_is_the_persons_latest_of_this_municipality_only(
    db: Database, clerk_a: Actor, setup_session: Session, city_b
) -> None:
    """The memo comes with the person's own row: another municipality's memo under the same 宛名番号 is never
    read (宛名番号 are numbered per municipality)."""
    person = make_household(db, clerk_a).members[0]
    for tenant_id, body in (
        (person.tenant_id, "古いメモ"),
        (person.tenant_id, "窓口で要確認"),
        (city_b.id, "他市"),
    ):
        setup_session.add(ResidentMemo(tenant_id=tenant_id, atena_number=person.atena_number, body=body))
        setup_session.flush()
    with unit_of_work(db, clerk_a) as uow:
        assert view_resident(uow, person.atena_number)["screen_only"]["memo"] == "窓口で要確認"


@pytest.mark.req("j1110")
def test_the_view_shows_whether_each_person_holds_a_my_number_card(db: Database, clerk_a: Actor) -> None:
    holder = japanese_member(card_status="交付済")
    other = japanese_member(given_name="花子", given_name_kana="ハナコ", sex="2", relation_to_head="妻")
    household = make_household(db, clerk_a, [holder, other])
    with unit_of_work(db, clerk_a) as uow:
        holder_items, other_items = (items_of(view_resident(uow, m.atena_number)) for m in household.members)
    assert holder_items["card_status"]["label"] == "個人番号カード等の交付状況"
    assert holder_items["card_status"]["value"] == "交付済"
    assert other_items["card_status"]["value"] != "交付済"


@pytest.mark.req("j170")
def test_postal_codes_are_shown_with_their_hyphen(db: Database, clerk_a: Actor) -> None:
    person = make_household(db, clerk_a).members[0]
    with unit_of_work(db, clerk_a) as uow:
        view = view_resident(uow, person.atena_number)
    assert view["postal_code"] == "231-0017"


@pytest.mark.req("j70", "j190")
def test_the_name_priority_is_shown_by_its_name(db: Database, clerk_a: Actor, setup_session: Session) -> None:
    person = make_household(db, clerk_a, foreign=True).members[0]
    setup_session.get(models.Resident, person.id).name_priority = "alias"
    setup_session.flush()
    with unit_of_work(db, clerk_a) as uow:
        assert items_of(view_resident(uow, person.atena_number))["name_priority"]["value"] == "通称"
