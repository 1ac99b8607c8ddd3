"""The one disclosure decision (j410, j440, j160): a table of requests against a small town, each logged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ConflictError
from handlers.suppression import Decision, DisclosureRequest, Identity, Requester, check_disclosure
from handlers.suppression_controls import grant_release, lift_temporarily, request_release
from handlers.uow import unit_of_work
from tests import factories
from tests.handlers.suppression_world import ABUSER_BIRTH, ITO_BIRTH, World, build_world
from tests.statements import recorded_statements

pytestmark = pytest.mark.req("j410", "j440", "j160")


@dataclass(frozen=True)
class Row:
    case: str
    kind: str
    subjects: tuple[str, ...]
    purpose: str
    outcome: str
    reason: str
    requester: str | Identity | None = None  # a world name (宛名番号) or an identity as stated
    on_behalf_of: str | Identity | None = None
    households: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()


SAITO_SPOKEN = Identity(name="斎藤 太郎", kana="サイトー タロー", birth_date=ABUSER_BIRTH)  # 長音 typed as ー
SAITO_OLD_KANJI = Identity(name="齋藤　太郎", birth_date=ABUSER_BIRTH)  # 旧字体, no kana
SAITO_OTHER_BIRTH = Identity(name="斎藤 太郎", kana="サイトウ タロウ", birth_date=dt.date(1990, 1, 1))
ITO_HALFWIDTH = Identity(name="伊東 次朗", kana="ｲﾄｰ ｼﾞﾛｰ", birth_date=ITO_BIRTH)  # other kanji, same reading
LAWYER = Identity(name="弁護 士郎", kana="ベンゴ シロウ", birth_date=dt.date(1960, 2, 2))

ROWS = [
    Row("self_protected_applicant", "self", ("victim",), "certificate", "needs_release", "protected", "victim"),
    Row("protected_co_applicant_for_third_party", "third_party", ("child",), "certificate", "needs_release",
        "protected", LAWYER),
    Row("unprotected_member_of_protected_household", "same_household", ("grandma",), "certificate",
        "needs_release", "protected", "grandma"),
    Row("household_certificate_with_one_protected_member", "same_household", (), "certificate",
        "needs_release", "protected", "grandma", households=("family",)),
    Row("official_request_is_stopped_too", "official", ("victim",), "certificate", "needs_release", "protected"),
    Row("wide_area_issuance_is_refused", "other_municipality", ("victim",), "certificate", "refuse",
        "protected_remote", "victim"),
    Row("inspection_including_protected", "third_party", ("stranger", "victim"), "inspection", "needs_release",
        "protected", LAWYER),
    Row("koseki_fuhyo_of_protected", "agent", ("child",), "koseki_fuhyo", "needs_release", "protected", LAWYER,
        on_behalf_of="victim"),
    Row("removed_certificate_of_protected", "third_party", ("victim",), "removed_certificate", "needs_release",
        "protected", LAWYER),
    Row("expired_end_date_still_protects", "third_party", ("victim",), "certificate", "needs_release",
        "protected", LAWYER),
    Row("provisional_measure_protects_from_intake", "third_party", ("newcomer",), "certificate",
        "needs_release", "protected", LAWYER),
    Row("perpetrator_by_atena_number", "third_party", ("victim",), "certificate", "refuse", "perpetrator",
        "abuser"),
    Row("perpetrator_by_name_and_kana_variant_acting_for_someone_else", "agent", ("victim",), "certificate",
        "refuse", "perpetrator", SAITO_SPOKEN, on_behalf_of="stranger"),
    Row("perpetrator_by_old_kanji_and_birth_date", "same_household", ("child",), "certificate", "refuse",
        "perpetrator", SAITO_OLD_KANJI),
    Row("non_resident_perpetrator_by_halfwidth_kana", "third_party", ("victim",), "inspection", "refuse",
        "perpetrator", ITO_HALFWIDTH),
    Row("agent_of_the_perpetrator", "agent", ("victim",), "certificate", "refuse", "perpetrator", LAWYER,
        on_behalf_of="abuser"),
    Row("perpetrator_claiming_to_be_the_victims_agent", "agent", ("victim",), "certificate", "refuse",
        "perpetrator", "abuser", on_behalf_of="victim"),
    Row("perpetrator_refused_an_inquiry_too", "third_party", ("victim",), "inquiry", "refuse", "perpetrator",
        "abuser"),
    Row("same_name_other_birth_date_is_not_the_perpetrator", "third_party", ("victim",), "certificate",
        "needs_release", "protected", SAITO_OTHER_BIRTH),
    Row("terminated_measure_no_longer_protects", "third_party", ("former",), "certificate", "allow", "ok",
        LAWYER),
    Row("error_suppression_on_certificate_past_end_date", "self", ("neighbour",), "certificate", "refuse",
        "suppressed", "neighbour"),
    Row("alert_suppression_on_inquiry", "official", ("neighbour",), "inquiry", "allow", "ok",
        alerts=("suppression_alert",)),
    Row("no_suppression_for_other_process", "self", ("neighbour",), "change_input", "allow", "ok", "neighbour"),
    Row("household_suppression_on_change_input", "self", ("lodger",), "change_input", "refuse", "suppressed",
        "lodger"),
    Row("household_suppression_not_on_certificate", "self", ("lodger",), "certificate", "allow", "ok", "lodger"),
    Row("third_party_my_number", "third_party", ("stranger",), "certificate", "refuse", "restricted_item",
        LAWYER, items=("my_number",)),
    Row("third_party_resident_code", "third_party", ("stranger",), "certificate", "refuse", "restricted_item",
        LAWYER, items=("resident_code", "honseki")),
    Row("self_may_have_my_number", "self", ("stranger",), "certificate", "allow", "ok", "stranger",
        items=("my_number", "resident_code")),
    Row("third_party_plain_certificate", "third_party", ("stranger",), "certificate", "allow", "ok", LAWYER),
    Row("screen_inquiry_of_protected_shows_alert", "official", ("victim",), "inquiry", "allow", "ok",
        alerts=("protected_subject",)),
    Row("wide_area_issuance_of_an_unprotected_person", "other_municipality", ("stranger",), "certificate",
        "allow", "ok", "stranger"),
    Row("perpetrator_asking_for_an_unprotected_household_member", "third_party", ("grandma",), "certificate",
        "refuse", "perpetrator", SAITO_SPOKEN),
    Row("perpetrator_refused_even_for_change_input_screen", "self", ("child",), "change_input", "refuse",
        "perpetrator", "abuser"),
    Row("provisional_measure_stops_the_inspection_list", "third_party", ("newcomer", "stranger"), "inspection",
        "needs_release", "protected", LAWYER),
    Row("change_input_of_protected_shows_alert", "self", ("victim",), "change_input", "allow", "ok", "victim",
        alerts=("protected_subject",)),
]  # fmt: skip


def _identity(world: World, value: str | Identity | None) -> Identity | None:
    if value is None or isinstance(value, Identity):
        return value
    return Identity(atena_number=world.atena[value])


def request_for(world: World, row: Row) -> DisclosureRequest:
    return DisclosureRequest(
        requester=Requester(row.kind, _identity(world, row.requester) or Identity()),
        subjects=tuple(world.atena[s] for s in row.subjects),
        purpose=row.purpose,
        items=row.items,
        on_behalf_of=_identity(world, row.on_behalf_of),
        households=tuple(world.households[h] for h in row.households),
    )


@pytest.fixture
def officer_a(users_a: dict[str, models.User]) -> Actor:
    return factories.actor_for(users_a["support_officer"])


@pytest.fixture
def world(db: Database, setup_session: Session, city_a: models.Municipality, officer_a: Actor) -> World:
    return build_world(db, setup_session, city_a, officer_a)


@pytest.mark.parametrize("row", ROWS, ids=[r.case for r in ROWS])
def test_disclosure_decision_table(db: Database, world: World, clerk_a: Actor, row: Row) -> None:
    request = request_for(world, row)
    with unit_of_work(db, clerk_a) as uow:
        decision = check_disclosure(uow, request)
    assert (decision.outcome, decision.reason_code) == (row.outcome, row.reason)
    assert decision.message
    assert tuple(a.code for a in decision.alerts) == row.alerts
    assert all(a.level == "alert" for a in decision.alerts)
    with unit_of_work(db, clerk_a) as uow:
        logged = uow.session.scalars(
            select(models.AccessLog).where(models.AccessLog.function == "disclosure_decided")
        ).all()
    assert len(logged) == 1, "every decision, allowed or refused, is logged once"
    (row_logged,) = logged
    assert row_logged.action == "view" and row_logged.login_id == clerk_a.login_id
    assert row_logged.targets == sorted(set(request.subjects))
    assert {k: row_logged.detail[k] for k in ("requester_kind", "purpose", "outcome", "reason_code")} == {
        "requester_kind": row.kind,
        "purpose": row.purpose,
        "outcome": row.outcome,
        "reason_code": row.reason,
    }
    assert "中央一丁目" not in str(row_logged.detail), "the protected address is never logged"


def test_protected_persons_are_named_in_the_decision(db: Database, world: World, clerk_a: Actor) -> None:
    row = ROWS[3]  # the household certificate
    with unit_of_work(db, clerk_a) as uow:
        decision = check_disclosure(uow, request_for(world, row))
    assert set(decision.subjects_protected) == {world.atena["victim"], world.atena["child"]}


def _ask(db: Database, actor: Actor, world: World, row: Row, **kwargs: object) -> Decision:
    with unit_of_work(db, actor) as uow:
        return check_disclosure(uow, request_for(world, row), **kwargs)  # type: ignore[arg-type]


VICTIM_COPY = Row("victim_copy", "third_party", ("victim",), "certificate", "", "", LAWYER)


def test_a_release_is_used_up_only_by_a_consuming_check(db: Database, world: World, clerk_a: Actor,
                                                        officer_a: Actor) -> None:  # fmt: skip
    with unit_of_work(db, clerk_a) as uow:
        release_id = request_release(uow, request_for(world, VICTIM_COPY))
    with unit_of_work(db, officer_a) as uow:
        grant_release(uow, release_id, "審査済み")
    for _ in range(2):  # a deciding-only check (the certificate-request flow) leaves the release
        assert _ask(db, clerk_a, world, VICTIM_COPY, consume_release=False).reason_code == "released"
    assert _ask(db, clerk_a, world, VICTIM_COPY).reason_code == "released"  # issuance uses it
    assert _ask(db, clerk_a, world, VICTIM_COPY).outcome == "needs_release"


def test_no_release_lets_the_perpetrator_through(db: Database, world: World, clerk_a: Actor) -> None:
    row = Row("perpetrator_copy", "third_party", ("victim",), "certificate", "", "", "abuser")
    with pytest.raises(ConflictError), unit_of_work(db, clerk_a) as uow:
        request_release(uow, request_for(world, row))  # the officer is not even asked
    assert _ask(db, clerk_a, world, row).reason_code == "perpetrator"


def test_a_temporary_lift_opens_one_purpose_only(db: Database, world: World, clerk_a: Actor,
                                                 officer_a: Actor) -> None:  # fmt: skip
    with unit_of_work(db, officer_a) as uow:
        lift_temporarily(uow, measure_id=world.measures["in_force"], purpose="certificate", minutes=10,
                         reason="本人への交付")  # fmt: skip
    assert _ask(db, clerk_a, world, VICTIM_COPY).reason_code == "ok"
    inspection = Row("inspection", "third_party", ("victim",), "inspection", "", "", LAWYER)
    assert _ask(db, clerk_a, world, inspection).outcome == "needs_release"
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert _ask(db, clerk_a, world, VICTIM_COPY, now=later).outcome == "needs_release", "the lift reverts"


def _statements_of_a_check(db: Database, actor: Actor, request: DisclosureRequest) -> list[str]:
    with unit_of_work(db, actor) as uow, recorded_statements(uow.session.connection().engine) as seen:
        decision = check_disclosure(uow, request)
    assert decision.outcome == "allow"
    return [s for s in seen if s.lstrip().upper().startswith("SELECT SUPPORT_MEASURE.ID")]


@pytest.mark.req("j440")
def test_the_measures_are_read_only_when_someone_in_scope_is_protected(
    db: Database, world: World, clerk_a: Actor
) -> None:
    stranger = Row("stranger", "self", ("stranger",), "certificate", "allow", "ok", "stranger")
    assert _statements_of_a_check(db, clerk_a, request_for(world, stranger)) == []
    grandma = Row("grandma", "official", ("grandma",), "inquiry", "allow", "ok")
    assert len(_statements_of_a_check(db, clerk_a, request_for(world, grandma))) == 1  # her household is


@pytest.mark.req("j440")
def test_a_protected_person_asked_for_off_the_register_is_still_protected(
    db: Database, world: World, setup_session: Session, city_a: models.Municipality, clerk_a: Actor
) -> None:
    """A person asked for who is no member of a household on the register (a 除票 of the archive) has no
    household to say whether they are protected: their measures are read by their 宛名番号."""
    setup_session.add(
        models.SupportMeasureParty(
            tenant_id=city_a.id, measure_id=world.measures["in_force"], role="co_applicant",
            atena_number="0000000019", name="支援 転出", kana_key="シエンテンシュツ",
        )
    )  # fmt: skip
    setup_session.flush()
    request = DisclosureRequest(Requester("official", Identity()), ("0000000019",), "inquiry")
    with unit_of_work(db, clerk_a) as uow:
        decision = check_disclosure(uow, request)
    assert set(decision.subjects_protected) == {"0000000019"}


def _suppression_reads(db: Database, actor: Actor, request: DisclosureRequest) -> tuple[str, int]:
    with unit_of_work(db, actor) as uow, recorded_statements(uow.session.connection().engine) as seen:
        decision = check_disclosure(uow, request)
    return decision.reason_code, len(
        [s for s in seen if s.lstrip().upper().startswith("SELECT SUPPRESSION.ID")]
    )


@pytest.mark.req("j410")
def test_the_suppressions_are_read_only_when_one_may_concern_the_request(
    db: Database, world: World, clerk_a: Actor
) -> None:
    """The members' statement says whether a suppression is set on any of them or their households; the
    suppressions are read only then (or for a person or household asked for that has no member on the
    register), and still refuse as before."""
    stranger = Row("stranger", "self", ("stranger",), "certificate", "", "", "stranger")
    assert _suppression_reads(db, clerk_a, request_for(world, stranger)) == ("ok", 0)
    neighbour = Row("neighbour", "self", ("neighbour",), "certificate", "", "", "neighbour")
    assert _suppression_reads(db, clerk_a, request_for(world, neighbour)) == ("suppressed", 1)
    lodger = Row("lodger", "self", ("lodger",), "change_input", "", "", "lodger")
    assert _suppression_reads(db, clerk_a, request_for(world, lodger)) == ("suppressed", 1)
    household = Row("lodging", "self", (), "change_input", "", "", "lodger", households=("lodging",))
    assert _suppression_reads(db, clerk_a, request_for(world, household)) == ("suppressed", 1)
