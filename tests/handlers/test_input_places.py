"""入力場所・入力端末 (j230): the administrator keeps a register of the places where the system is used and their
terminals; a registered terminal's place is recorded as the 入力場所 of the history rows it enters and as the
交付場所 of the certificates it issues, and in a designated city its ward office gives the 区長 as certifier."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.certificates import CertificateRequest, issue_certificate
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import NotFoundError, PermissionDeniedError, ValidationError
from handlers.input_places import list_places, registered_place, save_place, save_terminal
from handlers.uow import unit_of_work
from tests import factories
from tests.certificates.pdf_tools import flat, pdf_text

pytestmark = pytest.mark.req("j230")

WARD_HEAD = {"title": "横浜市中区長", "name": "中区 太郎", "from": "2020-01-01", "to": "", "acting": False,
             "ward_code": "141011"}  # fmt: skip
MAYOR = {"title": "横浜市長", "name": "山中 竹春", "from": "2020-01-01", "to": "", "acting": False}


@pytest.fixture
def admin_a(users_a: dict[str, models.User]) -> Actor:
    return factories.actor_for(users_a["administrator"])


@pytest.fixture
def wards(setup_session: Session, city_a: models.Municipality) -> None:
    setup_session.add_all([models.Ward(municipality_id=city_a.id, code="141011", name="中区"),
                           models.Ward(municipality_id=city_a.id, code="141020", name="西区")])  # fmt: skip
    city_a.settings = {**(city_a.settings or {}), "officials": [MAYOR, WARD_HEAD]}
    setup_session.flush()


def register(db: Database, admin: Actor) -> None:
    with unit_of_work(db, admin) as uow:
        office = save_place(uow, None, {"code": "NAKA", "name": "中区役所戸籍課", "kind": "ward_office",
                                        "ward_code": "141011", "enabled": True})  # fmt: skip
        save_terminal(
            uow, None, {"code": "NAKA-01", "name": "窓口1番", "place_id": str(office.id), "enabled": True}
        )
        retired = save_place(
            uow, None, {"code": "OLD", "name": "旧出張所", "kind": "sub_branch", "enabled": False}
        )
        save_terminal(
            uow, None, {"code": "OLD-01", "name": "旧端末", "place_id": str(retired.id), "enabled": True}
        )


def test_a_registered_terminals_place_is_the_input_place_of_the_history_it_enters(
    db: Database, admin_a: Actor, clerk_a: Actor, wards: None
) -> None:
    register(db, admin_a)
    at_counter = dataclasses.replace(clerk_a, terminal="NAKA-01")
    household = factories.make_household(db, at_counter)
    elsewhere = factories.make_household(db, dataclasses.replace(clerk_a, terminal="UNKNOWN-9"))
    retired = factories.make_household(db, dataclasses.replace(clerk_a, terminal="OLD-01"))
    with unit_of_work(db, clerk_a) as uow:

        def places(h: models.Household) -> set[tuple[str | None, str | None]]:
            numbers = [m.atena_number for m in h.members]
            rows = uow.session.scalars(
                select(models.ResidentHistory).where(models.ResidentHistory.atena_number.in_(numbers))
            )
            return {(row.input_place, row.input_terminal) for row in rows}

        assert places(household) == {("中区役所戸籍課", "NAKA-01")}
        assert places(elsewhere) == {(None, "UNKNOWN-9")}  # not registered: no place
        assert places(retired) == {(None, "OLD-01")}  # its place is no longer used


def test_a_certificate_issued_at_a_ward_office_terminal_records_that_place_and_is_certified_by_its_ward_head(
    db: Database, admin_a: Actor, clerk_a: Actor, wards: None
) -> None:
    register(db, admin_a)
    household = factories.make_household(db, clerk_a)
    subject = household.members[0].atena_number
    request = CertificateRequest("copy_individual", (subject,))
    with unit_of_work(db, dataclasses.replace(clerk_a, terminal="NAKA-01")) as uow:
        at_ward = issue_certificate(uow, request)
    with unit_of_work(db, dataclasses.replace(clerk_a, terminal="UNKNOWN-9")) as uow:
        unregistered = issue_certificate(uow, request)
    with unit_of_work(db, clerk_a) as uow:
        rows = {row.terminal: row.place for row in uow.session.scalars(select(models.CertificateIssuance))}
    assert rows == {"NAKA-01": "中区役所戸籍課", "UNKNOWN-9": "本庁"}
    assert "中区太郎" in flat(pdf_text(at_ward.pdf)) and "山中竹春" not in flat(pdf_text(at_ward.pdf))
    assert "山中竹春" in flat(pdf_text(unregistered.pdf))


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"code": "", "name": "本庁", "kind": "main_office"}, "code"),
        ({"code": "HQ", "name": "", "kind": "main_office"}, "name"),
        ({"code": "HQ", "name": "本庁", "kind": "castle"}, "kind"),
        ({"code": "HQ", "name": "本庁", "kind": "ward_office"}, "ward_code"),
        ({"code": "HQ", "name": "本庁", "kind": "branch", "ward_code": "999999"}, "ward_code"),
    ],
)
def test_a_place_with_bad_settings_is_refused_with_the_item_named_and_nothing_saved(
    db: Database, admin_a: Actor, wards: None, values: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused, unit_of_work(db, admin_a) as uow:
        save_place(uow, None, {**values, "enabled": True})
    assert field in [p.field for p in refused.value.problems]
    with unit_of_work(db, admin_a) as uow:
        assert list_places(uow) == []


def test_a_ward_office_is_refused_outside_a_designated_city_and_codes_are_unique(
    db: Database, users_b: dict[str, models.User], city_b: models.Municipality
) -> None:
    admin_b = factories.actor_for(users_b["administrator"])
    with pytest.raises(ValidationError) as refused, unit_of_work(db, admin_b) as uow:
        save_place(uow, None, {"code": "W", "name": "区役所", "kind": "ward_office", "enabled": True})
    assert [p.field for p in refused.value.problems] == ["kind", "ward_code"]
    with unit_of_work(db, admin_b) as uow:
        first = save_place(uow, None, {"code": "HQ", "name": "本庁", "kind": "main_office", "enabled": True})
        save_terminal(uow, None, {"code": "T1", "name": "窓口", "place_id": str(first.id), "enabled": True})
    with pytest.raises(ValidationError) as twice, unit_of_work(db, admin_b) as uow:
        save_place(uow, None, {"code": "HQ", "name": "別館", "kind": "branch", "enabled": True})
    assert [p.code for p in twice.value.problems] == ["duplicate"]
    with pytest.raises(ValidationError) as terminal_twice, unit_of_work(db, admin_b) as uow:
        save_terminal(uow, None, {"code": "T1", "name": "別", "place_id": str(first.id), "enabled": True})
    assert [p.code for p in terminal_twice.value.problems] == ["duplicate"]


def test_only_the_administrator_keeps_the_register_and_another_municipality_sees_none_of_it(
    db: Database, admin_a: Actor, clerk_a: Actor, users_b: dict[str, models.User], wards: None
) -> None:
    register(db, admin_a)
    with pytest.raises(PermissionDeniedError), unit_of_work(db, clerk_a) as uow:
        list_places(uow)
    admin_b = factories.actor_for(users_b["administrator"])
    with unit_of_work(db, admin_b) as uow:
        assert list_places(uow) == []
        assert registered_place(uow.session, "NAKA-01") is None
    with unit_of_work(db, admin_a) as uow:
        [office] = [p for p in list_places(uow) if p.code == "NAKA"]
    with pytest.raises(NotFoundError), unit_of_work(db, admin_b) as uow:
        save_place(uow, office.id, {"code": "X", "name": "乗っ取り", "kind": "main_office", "enabled": True})


def test_every_save_is_logged_as_a_setting_with_what_changed(
    db: Database, admin_a: Actor, wards: None
) -> None:
    register(db, admin_a)
    with unit_of_work(db, admin_a) as uow:
        [office] = [p for p in list_places(uow) if p.code == "NAKA"]
        save_place(uow, office.id, {"code": "NAKA", "name": "中区役所", "kind": "ward_office", "ward_code": "141011",
                                    "enabled": True})  # fmt: skip
    with unit_of_work(db, admin_a) as uow:
        logs = list(uow.session.scalars(select(models.AccessLog).where(
            models.AccessLog.function.in_(["input_place_saved", "input_terminal_saved"])).order_by(models.AccessLog.id)))  # fmt: skip
    assert [(log.function, log.action, log.detail["code"], log.detail["created"]) for log in logs] == [
        ("input_place_saved", "setting", "NAKA", True), ("input_terminal_saved", "setting", "NAKA-01", True),
        ("input_place_saved", "setting", "OLD", True), ("input_terminal_saved", "setting", "OLD-01", True),
        ("input_place_saved", "setting", "NAKA", False),
    ]  # fmt: skip
    assert logs[-1].detail["changed"] == ["name"]
