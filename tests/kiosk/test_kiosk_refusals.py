"""コンビニ交付 (j1210) refuses — and records why, in the request's record and the access log, issuing nothing —
when the municipality does not offer it, the card holder is not a current resident of the token's municipality,
the card's serial is not the one recorded (j1160), an option a kiosk may not print is asked for (j1000), or the
one disclosure decision stops the copy: a person protected by a 支援措置 or a certificate suppression anywhere in
it, with no officer's release and no temporary lift ever counting at a kiosk (j410, j440)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.db import Database
from handlers.rules.disclosure import DisclosureRequest, Identity, Requester
from handlers.suppression_controls import grant_release, lift_temporarily, request_release, set_suppression
from handlers.uow import unit_of_work
from tests import factories
from tests.certificates.pdf_tools import flat, has_item, pdf_text
from tests.kiosk.conftest import Send, kiosk_body, kiosk_token
from tests.kiosk.test_kiosk_issuance import pdf_of

pytestmark = pytest.mark.req("j1210")


def assert_refused(
    response: object, reason: str, session: Session, code: str | None = None
) -> models.KioskRequest:
    """The answer names the reason; nothing was issued; the record and the access log keep the precise reason."""
    body = response.get_json()  # type: ignore[attr-defined]
    assert response.status_code == 403 and body["error"] == "kiosk_refused", body  # type: ignore[attr-defined]
    assert body["reason"] == reason and body["message"] and "pdf" not in body
    session.expire_all()
    assert session.scalars(select(models.CertificateIssuance)).all() == []
    row = session.scalars(
        select(models.KioskRequest).where(models.KioskRequest.request_id == body["request_id"])
    ).one()
    assert row.outcome == "refused" and row.reason_code == (code or reason) and row.pdf is None
    logged = session.scalars(
        select(models.AccessLog)
        .where(models.AccessLog.function == "kiosk_certificate_refused")
        .order_by(models.AccessLog.seq)  # PostgreSQL gives no order without one
    ).all()
    assert [(r.detail["request_id"], r.detail["reason_code"]) for r in logged][-1] == (
        row.request_id,
        row.reason_code,
    )
    return row


@pytest.mark.req("j440")
def test_a_protected_card_holder_or_household_member_is_refused(
    send: Send, family: list[models.Resident], setup_session: Session, city_a: models.Municipality
) -> None:
    taro, _hanako, ichiro = family
    factories.make_support_measure(setup_session, city_a, ichiro.atena_number)
    household = send(kiosk_body(taro, scope="household"))
    row = assert_refused(household, "not_issuable", setup_session, "protected_unattended")
    assert "支援措置" not in household.get_json()["message"], "the shop's screen does not name the measure"
    assert row.atena_number == taro.atena_number
    assert_refused(send(kiosk_body(ichiro)), "not_issuable", setup_session, "protected_unattended")
    # the holder's own copy shows the protected child's address: refused as at the counter (whole household)
    assert_refused(send(kiosk_body(taro)), "not_issuable", setup_session, "protected_unattended")


@pytest.mark.req("j410", "j440")
def test_neither_the_officers_release_nor_a_temporary_lift_counts_at_a_kiosk(
    send: Send, db: Database, family: list[models.Resident], setup_session: Session,
    city_a: models.Municipality, users_a: dict[str, models.User],
) -> None:  # fmt: skip
    hanako = family[1]
    measure = factories.make_support_measure(setup_session, city_a, hanako.atena_number)
    counter = DisclosureRequest(Requester("self", Identity(atena_number=hanako.atena_number)),
                                (hanako.atena_number,), "certificate")  # fmt: skip
    with unit_of_work(db, factories.actor_for(users_a["clerk"])) as uow:
        release_id = request_release(uow, counter)
    officer = factories.actor_for(users_a["support_officer"])
    with unit_of_work(db, officer) as uow:
        grant_release(uow, release_id, "本人の請求を確認")
        lift_temporarily(uow, measure_id=measure.id, purpose="certificate", minutes=30)
    assert_refused(send(kiosk_body(hanako)), "not_issuable", setup_session, "protected_unattended")
    release = setup_session.get(models.DisclosureRelease, release_id)
    assert release is not None and release.used_at is None, "the release stays for the counter"


@pytest.mark.req("j410")
@pytest.mark.parametrize("level", ["error", "alert"])
def test_a_certificate_suppression_on_the_household_refuses_at_the_kiosk(
    level: str, send: Send, db: Database, family: list[models.Resident], setup_session: Session,
    users_a: dict[str, models.User],
) -> None:  # fmt: skip
    taro, hanako, _ = family
    with unit_of_work(db, factories.actor_for(users_a["support_officer"])) as uow:
        set_suppression(uow, process="certificate", level=level, start_date=dt.date(2020, 1, 1),
                        reason="調査中", atena_number=hanako.atena_number)  # fmt: skip
    code = "suppressed" if level == "error" else "alert_unattended"
    assert_refused(send(kiosk_body(taro, scope="household")), "not_issuable", setup_session, code)
    assert_refused(send(kiosk_body(hanako)), "not_issuable", setup_session, code)


def test_a_municipality_that_does_not_offer_kiosk_issuance_refuses(
    send: Send, family: list[models.Resident], setup_session: Session, city_a: models.Municipality
) -> None:
    city_a.settings = {**(city_a.settings or {}), "kiosk_issuance": False}
    setup_session.flush()
    assert_refused(send(kiosk_body(family[0])), "not_offered", setup_session)


def test_a_removed_person_or_an_unknown_resident_code_is_not_found(
    send: Send, family: list[models.Resident], setup_session: Session
) -> None:
    ichiro = setup_session.get(models.Resident, family[2].id)
    assert ichiro is not None
    factories.remove_resident_row(setup_session, ichiro, removal_date=dt.date(2024, 4, 1))
    setup_session.flush()
    row = assert_refused(send(kiosk_body(ichiro)), "person_not_found", setup_session)
    assert row.atena_number is None
    unknown = kiosk_body(
        family[0], person={"resident_code": factories.valid_resident_code(), "card_serial": "AB"}
    )
    assert_refused(send(unknown), "person_not_found", setup_session)
    members = kiosk_body(family[0], scope="members", members=[ichiro.resident_code])
    assert_refused(send(members), "member_not_in_household", setup_session)


@pytest.mark.req("j160", "j1380")
def test_another_municipalitys_kiosk_token_finds_nobody_here_and_a_clerks_token_may_not_ask(
    send: Send, db: Database, family: list[models.Resident], setup_session: Session,
    city_b: models.Municipality, users_b: dict[str, models.User], users_a: dict[str, models.User],
) -> None:  # fmt: skip
    city_b.settings = {**(city_b.settings or {}), "kiosk_issuance": True}
    setup_session.flush()
    other = send(kiosk_body(family[0]), token=kiosk_token(db, users_b["administrator"]))
    assert other.status_code == 403 and other.get_json()["reason"] == "person_not_found"
    assert "山田" not in other.get_data(as_text=True)
    with unit_of_work(db, factories.actor_for(users_a["administrator"])) as uow:
        from handlers.api_tokens import issue_token

        clerk_token = issue_token(uow, name="窓口端末", roles=["clerk"])
    denied = send(kiosk_body(family[0]), token=clerk_token)
    assert denied.status_code == 403 and denied.get_json()["error"] == "permission_denied"
    setup_session.expire_all()
    assert setup_session.scalars(select(models.CertificateIssuance)).all() == []


@pytest.mark.req("j1160")
def test_a_card_whose_serial_is_not_the_recorded_one_is_refused(
    send: Send, family: list[models.Resident], setup_session: Session, city_a: models.Municipality
) -> None:
    taro = family[0]
    holder = setup_session.scalars(
        select(models.Resident).where(models.Resident.atena_number == taro.atena_number)
    )
    holder.one().user_certificate_serial = (
        "0A1B2C3D4E5F"  # kept by CS's answer to a シリアル番号 request (j1160)
    )
    setup_session.flush()
    stale = kiosk_body(taro, person={"resident_code": taro.resident_code, "card_serial": "99FF"})
    assert_refused(send(stale), "card_mismatch", setup_session)
    assert send(kiosk_body(taro)).status_code == 201, "the recorded serial is accepted"


@pytest.mark.req("j1000")
@pytest.mark.parametrize("option", ["my_number", "resident_code", "history", "official_use"])
def test_an_item_a_kiosk_may_not_print_is_refused(
    option: str, send: Send, family: list[models.Resident], setup_session: Session
) -> None:
    row = assert_refused(
        send(kiosk_body(family[0], options={option: True})), "option_not_allowed", setup_session
    )
    assert row.detail and "の記載" in row.detail


@pytest.mark.req("j1000")
def test_a_kiosk_copy_never_prints_the_numbers_and_prints_honseki_only_when_chosen(
    send: Send, family: list[models.Resident]
) -> None:
    taro = family[0]
    plain = flat(pdf_text(pdf_of(send(kiosk_body(taro, options={"my_number": False})).get_json())))
    assert str(taro.my_number) not in plain and str(taro.resident_code) not in plain
    assert (
        "個人番号" not in plain
        and "住民票コード" not in plain
        and "本籍" not in plain
        and "筆頭者" not in plain
    )
    chosen = pdf_text(pdf_of(send(kiosk_body(taro, options={"honseki": True})).get_json()))
    assert has_item(chosen, "本籍", "東京都千代田区千代田1番") and str(taro.my_number) not in flat(chosen)
