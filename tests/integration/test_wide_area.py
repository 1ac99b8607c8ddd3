"""広域交付 (住基法12条の4, j1210) between two municipalities of the deployment through the CS relay: 上田市's
counter asks 横浜市 for the copy of its resident's 住民票, 横浜市 answers automatically (or refuses, with the
reason), and 上田市 prints the copy certified by its own mayor."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ConflictError, ValidationError
from handlers.relay_inbox import relay_inbox
from handlers.uow import unit_of_work
from handlers.wide_area import issue_wide_area_copy, send_wide_area_request
from tests.certificates.pdf_tools import flat, pdf_text
from tests.factories import actor_for, make_household, make_support_measure, wide_area_fields
from tests.integration.test_relay import relay_everywhere

pytestmark = pytest.mark.req("j1210")
UEDA_OFFICIALS = [{"title": "上田市長", "name": "土屋 陽一", "from": "2022-04-27", "to": "", "acting": False}]


@pytest.fixture
def counter(
    delivering: Database,
    setup_session: Session,
    city_a: models.Municipality,
    city_b: models.Municipality,
    users_b: dict[str, Any],
) -> Actor:
    """上田市's clerk, both cities on the relay, 上田市 with its certifier."""
    relay_everywhere(setup_session, city_a, city_b)
    city_b.settings = {**(city_b.settings or {}), "officials": UEDA_OFFICIALS}
    setup_session.flush()
    return actor_for(users_b["clerk"])


@pytest.fixture
def yamada(delivering: Database, clerk_a: Actor) -> models.Household:
    """山田 太郎, 花子, 一郎, residents of 横浜市 (本籍 東京都千代田区千代田1番)."""
    return make_household(delivering, clerk_a)


def send(db: Database, actor: Actor, **overrides: Any) -> int:
    with unit_of_work(db, actor) as uow:
        return send_wide_area_request(uow, wide_area_fields(**overrides)).id


def request_row(db: Database, actor: Actor, request_id: int) -> models.WideAreaRequest:
    with unit_of_work(db, actor) as uow:
        row = uow.session.get(models.WideAreaRequest, request_id)
        assert row is not None
        return row


def print_copy(db: Database, actor: Actor, request_id: int) -> Any:
    with unit_of_work(db, actor) as uow:
        return issue_wide_area_copy(uow, request_id)


def logged(db: Database, actor: Actor, function: str) -> list[models.AccessLog]:
    with unit_of_work(db, actor) as uow:
        return list(
            uow.session.scalars(select(models.AccessLog).where(models.AccessLog.function == function))
        )


def test_a_resident_of_another_municipality_gets_a_copy_certified_here_without_honseki(
    delivering: Database, counter: Actor, yamada: models.Household, clerk_a: Actor
) -> None:
    taro = yamada.members[0]
    request_id = send(delivering, counter, resident_code=taro.resident_code, include_resident_code="y")

    answered = request_row(delivering, counter, request_id)
    assert (answered.status, answered.answer["outcome"]) == ("answered", "answered")
    [person] = answered.answer["persons"]
    assert person["family_name"] == "山田" and person["resident_code"] == taro.resident_code
    assert not {"honseki", "hittosha", "my_number"} & set(person)  # never carried for a 広域交付 copy

    issued = print_copy(delivering, counter, request_id)
    text = flat(pdf_text(issued.pdf))
    assert "山田太郎" in text and "横浜市中区港町1丁目1番地" in text and taro.resident_code in text
    assert "上田市長" in text and "土屋陽一" in text  # certified by the municipality that issues it
    assert "本籍" not in text and "筆頭者" not in text and "東京都千代田区千代田1番上" not in text
    with unit_of_work(delivering, counter) as uow:
        [history] = uow.session.scalars(select(models.CertificateIssuance)).all()
        assert (history.requester_kind, history.subjects) == (
            "other_municipality", [f"141003:{taro.atena_number}"],
        )  # fmt: skip
        assert uow.session.get(models.WideAreaRequest, request_id).status == "issued"  # type: ignore[union-attr]
    assert [log.function for log in logged(delivering, counter, "certificate_printed")] == [
        "certificate_printed"
    ]
    assert len(logged(delivering, counter, "wide_area_request_sent")) == 1
    [answer_log] = logged(delivering, clerk_a, "wide_area_request_answered")
    assert answer_log.targets == [taro.atena_number] and answer_log.detail["outcome"] == "answered"


def test_the_person_is_identified_by_name_birth_date_and_address_for_a_household_copy(
    delivering: Database, counter: Actor, yamada: models.Household
) -> None:
    request_id = send(
        delivering, counter, certificate_type="copy_household", name="山田　花子", birth_date="1982-06-15",
        relation="same_household", include_head_relation="y",
    )  # fmt: skip
    issued = print_copy(delivering, counter, request_id)
    text = flat(pdf_text(issued.pdf))
    assert all(name in text for name in ("山田太郎", "山田花子", "山田一郎"))
    assert "世帯主" in text and "本籍" not in text


def test_a_person_protected_by_a_support_measure_at_home_is_refused_with_the_reason(
    delivering: Database,
    counter: Actor,
    yamada: models.Household,
    setup_session: Session,
    city_a: models.Municipality,
    clerk_a: Actor,
) -> None:
    hanako = yamada.members[1]
    make_support_measure(setup_session, city_a, hanako.atena_number)
    request_id = send(
        delivering, counter, resident_code=hanako.resident_code, birth_date="1982-06-15",
        requester_name="山田 花子", requester_birth_date="1982-06-15",
    )  # fmt: skip

    refused = request_row(delivering, counter, request_id)
    assert refused.status == "refused" and refused.answer["persons"] == []
    assert "支援措置の対象者が含まれるため、広域交付はできません" in refused.answer["reason"]
    with pytest.raises(ConflictError, match="交付できない"):
        print_copy(delivering, counter, request_id)
    with unit_of_work(delivering, counter) as uow:
        assert uow.session.scalars(select(models.CertificateIssuance)).all() == []
    [decided] = logged(delivering, clerk_a, "disclosure_decided")
    assert (decided.detail["outcome"], decided.detail["reason_code"]) == ("refuse", "protected_remote")
    with unit_of_work(delivering, clerk_a) as uow:
        [row] = relay_inbox(uow)
    assert (row.kind_label, row.name, row.action) == (
        "広域交付の請求",
        None,
        "対応不要（自動で交付できないと回答済み）",
    )


def test_a_household_copy_is_refused_when_any_member_is_protected(
    delivering: Database,
    counter: Actor,
    yamada: models.Household,
    setup_session: Session,
    city_a: models.Municipality,
) -> None:
    make_support_measure(setup_session, city_a, yamada.members[2].atena_number)
    request_id = send(delivering, counter, certificate_type="copy_household")
    assert request_row(delivering, counter, request_id).status == "refused"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"birth_date": "1999-01-01"}, "該当する住民がいません"),
        ({"requester_name": "佐藤 次郎", "relation": "same_household"}, "本人または同一世帯員であることを"),
        (
            {"requester_name": "山田 花子", "requester_birth_date": "1982-06-15"},
            "本人または同一世帯員であることを",
        ),
    ],
)
def test_the_home_municipality_refuses_a_person_it_cannot_identify_or_a_requester_outside_the_household(
    delivering: Database, counter: Actor, yamada: models.Household, overrides: dict[str, str], reason: str
) -> None:
    request_id = send(delivering, counter, **overrides)
    refused = request_row(delivering, counter, request_id)
    assert refused.status == "refused" and reason in refused.answer["reason"]


def test_a_copy_is_printed_once_per_request(
    delivering: Database, counter: Actor, yamada: models.Household
) -> None:
    request_id = send(delivering, counter)
    print_copy(delivering, counter, request_id)
    with pytest.raises(ConflictError, match="既に交付しました"):
        print_copy(delivering, counter, request_id)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_document": ""}, "id_document"),
        ({"relation": "third_party"}, "relation"),
        ({"home_code": "202118"}, "home_code"),
        ({"name": "", "resident_code": ""}, "name"),
        ({"resident_code": "123"}, "resident_code"),
    ],
)
def test_a_request_without_the_identity_check_or_the_person_is_refused_and_nothing_is_sent(
    delivering: Database, counter: Actor, overrides: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        send(delivering, counter, **overrides)
    assert field in {p.field for p in refused.value.problems}
    with unit_of_work(delivering, counter) as uow:
        assert uow.session.scalars(select(models.WideAreaRequest)).all() == []
        assert uow.session.scalars(select(models.OutboxMessage)).all() == []
