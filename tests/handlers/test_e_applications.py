"""電子申請 with 公的個人認証 (j1210): a certificate request signed with a 署名用電子証明書 of a trusted JPKI
authority, valid, not revoked, over exactly the text received, opens the same certificate request case as the
counter for the one resident the certificate names; anything else is refused, logged, and opens nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.e_applications import EApplicationRefusedError, receive_e_application
from handlers.uow import unit_of_work
from tests import factories
from tests.jpki_fixtures import NOW, Authority, envelope

pytestmark = pytest.mark.req("j1210")
JPKI = Authority("Test JPKI Signing CA")
APPLICATION = {"certificate_type": "copy_individual", "copies": 1, "purpose": "勤務先への提出", "options": []}


@pytest.fixture
def trusted(setup_session: Session, city_a: models.Municipality) -> models.Municipality:
    city_a.settings = {
        **(city_a.settings or {}),
        "jpki": {"trust_anchors": [JPKI.pem()], "crl": JPKI.crl((77,))},
    }
    setup_session.flush()
    return city_a


@pytest.fixture
def system(city_a: models.Municipality) -> Actor:
    return Actor(tenant_id=city_a.id, login_id="e-application", roles=frozenset({"clerk"}), is_system=True)


def receive(db: Database, actor: Actor, sent: dict[str, Any]) -> models.Case:
    with unit_of_work(db, actor) as uow:
        case = receive_e_application(uow, sent, now=NOW)
        case.id  # noqa: B018 - loaded before the session closes
        return case


def refused(db: Database, actor: Actor, sent: dict[str, Any]) -> list[str]:
    with pytest.raises(EApplicationRefusedError) as err:
        receive(db, actor, sent)
    return [p.code for p in err.value.problems]


def test_a_signed_application_of_the_residents_own_copy_opens_a_certificate_request_case(
    db: Database, clerk_a: Actor, system: Actor, trusted: models.Municipality, setup_session: Session
) -> None:
    hanako = factories.make_household(db, clerk_a).members[1]
    key, certificate = JPKI.signer("山田 花子", "19820615")
    case = receive(db, system, envelope(key, certificate, APPLICATION))
    with unit_of_work(db, clerk_a) as uow:
        opened = uow.session.get(models.Case, case.id)
        assert opened is not None and opened.process_id == "certificate_request"
        assert opened.subject_atena_numbers == [hanako.atena_number]
        logged = uow.session.scalars(
            select(models.AccessLog.function).where(models.AccessLog.function.like("e_application%"))
        ).all()
    assert logged == ["e_application_received"]


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: envelope(*JPKI.signer("山田 花子", "19820615"), APPLICATION, tamper=True), "bad_signature"),
        (
            lambda: envelope(
                *Authority("Somebody Else CA").signer("山田 花子", "19820615", label="other"), APPLICATION
            ),
            "untrusted",
        ),
        (lambda: envelope(*JPKI.signer("山田 花子", "19820615", serial=77), APPLICATION), "revoked"),
        (lambda: envelope(*JPKI.signer("山田 花子", "19820615", days=-1), APPLICATION), "expired"),
        (
            lambda: envelope(*JPKI.signer("山田 花子", "19820615", usage=False), APPLICATION),
            "not_for_signing",
        ),
        (lambda: envelope(*JPKI.signer("山田 花子", "19990101"), APPLICATION), "applicant_not_found"),
        (
            lambda: envelope(
                *JPKI.signer("山田 花子", "19820615"),
                {**APPLICATION, "certificate_type": "move_out_certificate"},
            ),
            "invalid",
        ),
    ],
)
def test_an_application_that_does_not_hold_is_refused_logged_and_opens_nothing(
    db: Database, clerk_a: Actor, system: Actor, trusted: models.Municipality, make: Any, code: str
) -> None:
    factories.make_household(db, clerk_a)
    assert refused(db, system, make()) == [code]
    with unit_of_work(db, clerk_a) as uow:
        assert uow.session.scalars(select(models.Case)).all() == []
        [log] = uow.session.scalars(
            select(models.AccessLog).where(models.AccessLog.function == "e_application_refused")
        )
    assert log.detail["codes"] == [code]


def test_without_a_current_revocation_list_nothing_is_accepted(
    db: Database, clerk_a: Actor, system: Actor, setup_session: Session, city_a: models.Municipality
) -> None:
    factories.make_household(db, clerk_a)
    sent = envelope(*JPKI.signer("山田 花子", "19820615"), APPLICATION)
    city_a.settings = {**(city_a.settings or {}), "jpki": {"trust_anchors": [JPKI.pem()]}}
    setup_session.flush()
    assert refused(db, system, sent) == ["no_revocation_list"]
    city_a.settings = {
        **city_a.settings,
        "jpki": {"trust_anchors": [JPKI.pem()], "crl": JPKI.crl(next_update_days=-1)},
    }
    setup_session.flush()
    assert refused(db, system, sent) == ["revocation_list_expired"]


def test_the_e_application_system_sends_the_envelope_through_the_api(
    client: Any, db: Database, clerk_a: Actor, users_a: dict[str, models.User], trusted: models.Municipality
) -> None:
    from handlers.api_tokens import issue_token

    factories.make_household(db, clerk_a)
    with unit_of_work(db, factories.actor_for(users_a["administrator"])) as uow:
        token = issue_token(uow, name="e-application", roles=["clerk"])
    headers = {"Authorization": f"Bearer {token}"}
    sent = envelope(*JPKI.signer("山田 花子", "19820615"), APPLICATION)
    bad = client.post("/api/e-applications", json={**sent, "signature": "not base64!"}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["problems"][0]["code"] == "invalid"
    # the envelope's certificate is valid for a year from NOW: the API checks it at the real time
    ok = client.post("/api/e-applications", json=sent, headers=headers)
    assert ok.status_code == 201 and ok.get_json()["case_id"] > 0


def test_the_administrator_sets_the_authorities_and_a_list_signed_by_another_is_refused(
    db: Database, app: Any, tmp_path: Any, users_a: dict[str, models.User], city_a: models.Municipality
) -> None:
    from handlers.e_applications import set_jpki_trust

    admin = factories.actor_for(users_a["administrator"])
    with pytest.raises(EApplicationRefusedError) as foreign, unit_of_work(db, admin) as uow:
        set_jpki_trust(uow, [JPKI.pem()], Authority("Somebody Else CA").crl())
    assert [p.code for p in foreign.value.problems] == ["untrusted"]
    (tmp_path / "ca.pem").write_text(JPKI.pem())
    (tmp_path / "crl.pem").write_text(JPKI.crl())
    done = app.test_cli_runner().invoke(args=["tenant", "jpki", "--tenant", city_a.code, "--anchor",
                                              str(tmp_path / "ca.pem"), "--crl", str(tmp_path / "crl.pem")])  # fmt: skip
    assert done.exit_code == 0, done.output
    with unit_of_work(db, admin) as uow:
        saved = uow.session.get(models.Municipality, city_a.id)
        assert saved is not None and saved.settings["jpki"]["trust_anchors"] == [JPKI.pem().strip() + "\n"]
        [log] = uow.session.scalars(
            select(models.AccessLog).where(models.AccessLog.function == "jpki_trust_set")
        )
    assert log.detail["authorities"] == ["CN=Test JPKI Signing CA,C=JP"]
