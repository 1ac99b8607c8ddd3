"""Municipalities as tenants (issue 2 part 2): validated code, kind, wards and "may implement" settings."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from handlers.errors import PermissionDeniedError, ValidationError
from handlers.tenants import create_municipality, effective_settings, update_settings
from handlers.uow import unit_of_work
from tests import factories


def _codes(err: ValidationError) -> set[str]:
    return {p.code for p in err.problems}


@pytest.mark.req("j10", "j230")
def test_a_designated_city_is_created_with_its_wards(setup_session: Session) -> None:
    city = create_municipality(
        setup_session, code="131008", name="特別区部", prefecture="東京都", kind="designated_city",
        wards={"131016": "千代田区", "131024": "中央区"},
    )  # fmt: skip
    assert [w.name for w in city.wards] == ["千代田区", "中央区"]


@pytest.mark.parametrize("code", ["141004", "14100", "ABCDEF", "1410033"])
def test_a_municipality_code_with_a_wrong_check_digit_or_shape_is_refused(
    setup_session: Session, code: str
) -> None:
    with pytest.raises(ValidationError) as err:
        create_municipality(setup_session, code=code, name="横浜市", prefecture="神奈川県", kind="general")
    assert "check_digit" in _codes(err.value)
    assert "全国地方公共団体コード" in str(err.value)


def test_wards_are_refused_for_a_municipality_that_is_not_a_designated_city(setup_session: Session) -> None:
    with pytest.raises(ValidationError) as err:
        create_municipality(
            setup_session,
            code="202118",
            name="佐久市",
            prefecture="長野県",
            kind="general",
            wards={"141011": "鶴見区"},
        )
    assert "wards_not_allowed" in _codes(err.value)


def test_a_second_tenant_with_the_same_code_is_refused(setup_session: Session, city_a) -> None:
    with pytest.raises(ValidationError) as err:
        create_municipality(
            setup_session, code="141003", name="横浜市", prefecture="神奈川県", kind="designated_city"
        )
    assert "duplicate" in _codes(err.value)


def test_unknown_kind_and_unknown_option_are_both_reported(setup_session: Session) -> None:
    with pytest.raises(ValidationError) as err:
        create_municipality(
            setup_session,
            code="202118",
            name="佐久市",
            prefecture="長野県",
            kind="village",
            settings={"nope": 1},
        )
    assert {"choice", "unknown_option"} <= _codes(err.value)


@pytest.mark.req("j330", "j490")
def test_settings_default_until_the_municipality_chooses(db, users_a, city_a) -> None:
    assert effective_settings(city_a)["notice_of_receipt"] is False
    assert effective_settings(city_a)["variant_kanji_search"] is True  # required of a designated city
    admin = factories.actor_for(users_a["administrator"])
    with unit_of_work(db, admin) as uow:
        chosen = update_settings(uow, {"notice_of_receipt": True})
    assert chosen["notice_of_receipt"] is True
    assert chosen["head_change_ex_officio"] is True


def test_only_an_administrator_changes_settings(db, clerk_a) -> None:
    with pytest.raises(PermissionDeniedError), unit_of_work(db, clerk_a) as uow:
        update_settings(uow, {"variant_kanji_search": True})
