"""Issue 5, "prove that no door leaks" (j160, j380, j410, j440, j1290, j1320, j1370): city A protects 御手洗 桜子
and her child; the grandmother in their household is not protected; 斎藤 鷹雄 (a resident) and 伊藤 鷲郎 (known by
name and birth date) are the perpetrators.  Through every door that discloses, the perpetrator and a third party
get neither the protected address, nor the household number, nor the unprotected member's name."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.certificate_requests import normalized_request
from handlers.certificates import (
    CertificateRefusedError,
    CertificateRequest,
    ReleaseRequiredError,
    issue_certificate,
)
from handlers.context import Actor
from handlers.db import Database
from handlers.rules.disclosure import Identity
from handlers.suppression import DisclosureRequest, Requester
from handlers.suppression_controls import grant_release, lift_temporarily, request_release
from handlers.uow import unit_of_work
from tests import factories
from tests.certificates.pdf_tools import flat, pdf_text
from tests.contract.doors import DISCLOSURE_OPERATORS, ROUTES
from tests.contract.kiosk_probe import probe_kiosk, probe_kiosk_household
from tests.contract.test_tenant_isolation import call
from tests.contract.wide_area_probe import probe_wide_area_copy, probe_wide_area_copy_api
from tests.contract.world import (
    ABUSER_BIRTH,
    ADDRESSES,
    ITO_BIRTH,
    PROTECTED_ADDRESS,
    World,
    certificate_request,
)
from workflows.engine import registry
from workflows.engine.registry import ServiceContext

pytestmark = pytest.mark.req("j160", "j380", "j410", "j440", "j1290", "j1320", "j1370")

PERPETRATORS = {
    "resident_by_atena": lambda w: {"name": "斎藤 鷹雄", "atena_number": w.atena["abuser"]},
    "resident_by_name_and_birth": lambda w: {"name": "齋藤　鷹雄", "birth_date": ABUSER_BIRTH.isoformat()},
    "non_resident_by_kana_and_birth": lambda w: {"name": "伊東 鷲朗", "kana": "ｲﾄｰ ﾜｼﾛｰ",
                                                 "birth_date": ITO_BIRTH.isoformat()},
}  # fmt: skip


def secrets(world: World) -> list[str]:
    """What must never come back: the address, the household number, the unprotected member's name."""
    return [PROTECTED_ADDRESS, "和泉町秘匿", world.households["family"], "千代", "チヨ"]


def none_of(text: str, world: World) -> list[str]:
    return [s for s in secrets(world) if s in text or s in flat(text)]


def clients(client_as: Any, users_a: dict[str, models.User]) -> dict[str, FlaskClient]:
    return {role: client_as(users_a[role]) for role in ("clerk", "auditor", "support_officer", "analyst")}


# --- the doors that disclose (ROUTES with discloses=True): one probe each -----------------------------------


def probe_certificates_issue(world: World, web: dict[str, FlaskClient], **_: Any) -> None:
    door = ROUTES["certificates.issue"]
    for subject, kind, whole in (("victim", "copy_individual", None), ("grandma", "copy_household", "y")):
        form = {**door.form, "subjects": world.atena[subject], "certificate_type": kind}  # type: ignore[dict-item]
        if whole:
            form["whole_household"] = whole
        response = web["clerk"].post("/certificates/issue", data=form)
        body = response.get_data(as_text=True)
        assert response.mimetype != "application/pdf" and response.status_code in (403, 409, 422), subject
        assert "支援措置" in body, "the refusal is explained in Japanese"
        assert none_of(body, world) == [], subject


def probe_certificates_api(world: World, web: dict[str, FlaskClient], **_: Any) -> None:
    door = ROUTES["api.issue_certificate_api"]
    headers = {"Authorization": f"Bearer {world.a_token}"}
    for subject, kind, whole in (("victim", "copy_individual", False), ("grandma", "copy_household", True)):
        body = {**door.json, "subjects": [world.atena[subject]], "certificate_type": kind,  # type: ignore[dict-item]
                "whole_household": whole}  # fmt: skip
        response = web["clerk"].post("/api/certificates", json=body, headers=headers)
        text = response.get_data(as_text=True)
        assert response.mimetype != "application/pdf" and response.status_code in (403, 409, 422), subject
        assert none_of(text, world) == [], subject


def probe_inspection(world: World, web: dict[str, FlaskClient], **_: Any) -> None:
    body = call(web["clerk"], ROUTES["inspection.inspection"], world).get_data(as_text=True)
    assert "勅使河原" in body, "control: the list does list the unprotected neighbour"
    assert none_of(body, world) == [] and "桜子" not in body and world.atena["victim"] not in body


def probe_audit_log(world: World, web: dict[str, FlaskClient], **_: Any) -> None:
    door = ROUTES["audit_log.index"]
    assert call(web["clerk"], door, world).status_code == 403, "a clerk cannot open the access log"
    response = call(web["auditor"], door, world)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert world.atena["victim"] in body, "control: the auditor sees the rows about the victim"
    assert PROTECTED_ADDRESS not in body and "和泉町秘匿" not in body


def probe_audit_log_download(world: World, web: dict[str, FlaskClient], **_: Any) -> None:
    door = ROUTES["audit_log.download"]
    assert call(web["clerk"], door, world).status_code == 403, "a clerk cannot download the access log"
    response = call(web["auditor"], door, world)
    body = response.get_data().decode("utf-8-sig")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert world.atena["victim"] in body, "control: the file has the rows about the victim"
    assert PROTECTED_ADDRESS not in body and "和泉町秘匿" not in body


def probe_suppressed_list(world: World, web: dict[str, FlaskClient], **_: Any) -> None:
    door = ROUTES["support_measures.suppressed"]
    assert call(web["clerk"], door, world).status_code == 403, "j1290: only the support-measure officer"
    assert world.atena["victim"] in call(web["support_officer"], door, world).get_data(as_text=True)


def probe_extraction_download(world: World, web: dict[str, FlaskClient], *, db: Database, city_a: Any,
                              users_a: dict[str, models.User], **_: Any) -> None:  # fmt: skip
    from handlers.extraction import create_extraction_job, run_extraction_job

    with unit_of_work(db, factories.actor_for(users_a["analyst"])) as uow:
        job_id = create_extraction_job(uow, {"field": "family_name_kana", "op": "not_null"}, "csv_utf8").id
    run_extraction_job(db, city_a.id, job_id)
    body = web["analyst"].get(f"/extraction/jobs/{job_id}/download").get_data().decode("utf-8-sig", "replace")
    assert "勅使河原" in body, "control: the extract lists the unprotected neighbour"
    assert world.atena["victim"] not in body and world.atena["child"] not in body and "桜子" not in body
    assert none_of(body, world) == [], "nor the unprotected member of the household, nor its address"


def probe_bulk_address_notices(world: World, web: dict[str, FlaskClient], *, db: Database,
                               users_a: dict[str, models.User], setup_session: Session, **_: Any) -> None:  # fmt: skip
    from handlers.csv_intake.bulk_address import plan_bulk_change

    rows = [f"{world.households[k]},{ADDRESSES[k]},{ADDRESSES[k]}の2," for k in ("family", "stranger")]
    data = "\r\n".join(["世帯番号,変更前住所,変更後住所,変更後郵便番号", *rows, ""]).encode()
    with unit_of_work(db, factories.actor_for(users_a["clerk"])) as uow:
        change_id = plan_bulk_change(uow, "address", data, minor_category="residence_indication",
                                     change_date=dt.date(2026, 4, 1)).id  # fmt: skip
    assert (
        web["clerk"]
        .post(f"/csv-intake/bulk-address/{change_id}/notices", data={"timing": "advance"})
        .status_code
        == 302
    )
    job_id = setup_session.scalar(
        select(models.BulkAddressNotice.id).where(models.BulkAddressNotice.change_id == change_id)
    )
    pdf = web["clerk"].get(f"/csv-intake/bulk-address/notices/{job_id}.pdf")
    listed = web["clerk"].get(f"/csv-intake/bulk-address/notices/{job_id}.csv").get_data().decode("utf-8-sig")
    for body in (pdf_text(pdf.get_data()), listed):
        assert "勅使河原" in body, "control: the stranger's household gets its notice"
        assert none_of(body, world) == [] and "桜子" not in body and world.atena["victim"] not in body


MOVED_TO = "神奈川県横浜市栄区秘匿転居先1番"


def registered_move_of_the_family(world: World, db: Database, users_a: dict[str, models.User]) -> int:
    """The protected family's 転居 to ``MOVED_TO``, registered (alerts acknowledged), in a city that offers the
    住民異動届受理通知 (j580)."""
    from handlers.cases import doors as case_doors
    from handlers.clock import japan_today
    from handlers.tenants import update_settings
    from workflows.engine import runner

    clerk, supervisor = (factories.actor_for(users_a[r]) for r in ("clerk", "supervisor"))
    with unit_of_work(db, factories.actor_for(users_a["administrator"])) as uow:
        update_settings(uow, {"notice_of_receipt": True})
    family = [world.atena[p] for p in ("victim", "child", "grandma")]
    today = japan_today()
    intake = {"atena_numbers": family, "change_date": today.isoformat(), "notified_date": today.isoformat(),
              "address": {"address": MOVED_TO}}  # fmt: skip
    with unit_of_work(db, clerk) as uow:
        case_id = case_doors.open_case(uow, "move_within", intake).id
    with unit_of_work(db, supervisor) as uow:
        task = next(
            t for t in runner.ready_tasks(uow) if t.case_id == case_id and t.bpmn_id.startswith("review_")
        )
        pending = uow.session.scalars(
            select(models.PendingChange).where(models.PendingChange.case_id == case_id)
        )
        codes = [str(a["code"]) for a in pending.one().alerts] + ["protected_subject"]
        case_doors.approve(uow, task.id, codes)
    return case_id


def notice_answers_nothing(response: Any, world: World) -> None:
    text = response.get_data(as_text=True)
    assert response.mimetype != "application/pdf" and response.status_code in (403, 409), response.status_code
    assert none_of(text, world) == [] and "秘匿転居先" not in text


def probe_receipt_notice(world: World, web: dict[str, FlaskClient], *, db: Database,
                         users_a: dict[str, models.User], **_: Any) -> None:  # fmt: skip
    case_id = registered_move_of_the_family(world, db, users_a)
    for name, birth in (("齋藤　鷹雄", ABUSER_BIRTH.isoformat()), ("勅使河原 仁", "")):
        form = {
            "notifier_name": name,
            "notifier_kind": "agent",
            "notifier_birth_date": birth,
            "addressee": "new",
        }
        response = web["clerk"].post(f"/cases/{case_id}/receipt-notice", data=form)
        notice_answers_nothing(response, world)
        assert "支援措置" in response.get_data(as_text=True), "the refusal is explained in Japanese"


def probe_receipt_notice_api(world: World, web: dict[str, FlaskClient], *, db: Database,
                             users_a: dict[str, models.User], **_: Any) -> None:  # fmt: skip
    case_id = registered_move_of_the_family(world, db, users_a)
    headers = {"Authorization": f"Bearer {world.a_token}"}
    for perpetrator in PERPETRATORS.values():
        found = perpetrator(world)
        body = {"notifier_name": found["name"], "notifier_kind": "agent", "addressee": "new",
                "notifier_birth_date": found.get("birth_date", ""), "notifier_atena_number": found.get("atena_number", "")}  # fmt: skip
        response = web["clerk"].post(f"/api/cases/{case_id}/receipt-notice", json=body, headers=headers)
        notice_answers_nothing(response, world)
        assert response.get_json()["error"] in ("certificate_refused", "release_required")


PROBES = {
    "counter.receipt_notice": probe_receipt_notice,
    "api.receipt_notice_api": probe_receipt_notice_api,
    "extraction.download": probe_extraction_download,
    "csv_intake.bulk_notice_file": probe_bulk_address_notices,
    "certificates.issue": probe_certificates_issue,
    "api.issue_certificate_api": probe_certificates_api,
    "inspection.inspection": probe_inspection,
    "audit_log.index": probe_audit_log,
    "audit_log.download": probe_audit_log_download,
    "support_measures.suppressed": probe_suppressed_list,
    "wide_area.print_copy": partial(probe_wide_area_copy, none_of=none_of),
    "api.print_wide_area_copy_api": partial(probe_wide_area_copy_api, none_of=none_of),
    "api.issue_at_kiosk_api": partial(probe_kiosk, none_of=none_of),
    "api.list_household_at_kiosk_api": partial(probe_kiosk_household, none_of=none_of),
}


def test_every_disclosing_door_has_a_probe() -> None:
    disclosing = {endpoint for endpoint, door in ROUTES.items() if door.discloses}
    assert disclosing == set(PROBES), f"disclosing doors without a probe: {sorted(disclosing - set(PROBES))}"


@pytest.mark.parametrize("endpoint", sorted(PROBES))
def test_a_disclosing_door_gives_nothing_of_the_protected_person(
    db: Database,
    world: World,
    client_as: Any,
    users_a: dict[str, models.User],
    city_a: Any,
    endpoint: str,
    setup_session: Session,
) -> None:
    PROBES[endpoint](world, clients(client_as, users_a), db=db, city_a=city_a, users_a=users_a,
                     client_as=client_as, setup_session=setup_session)  # fmt: skip


# --- screens that are not disclosures show the protection plainly -------------------------------------------


def test_search_and_record_screens_mark_the_protected_person(
    world: World, client_as: Any, users_a: dict[str, models.User]
) -> None:
    clerk = client_as(users_a["clerk"])
    found = clerk.get("/residents/search", query_string={"kana": "ミタライ"}).get_data(as_text=True)
    assert "支援措置対象" in found and f"/support-measures/{world.ids['measure_id']}" not in found
    record = clerk.get(f"/residents/{world.atena['victim']}").get_data(as_text=True)
    assert "この住民は支援措置の対象です" in record
    headers = {"Authorization": f"Bearer {world.a_token}"}
    api = clerk.get(f"/api/residents/{world.atena['victim']}", headers=headers).get_json()
    assert api["protected"] is True or api.get("resident", {}).get("protected") is True


# --- the BPMN service tasks that decide a disclosure --------------------------------------------------------


@pytest.mark.parametrize("operator", sorted(DISCLOSURE_OPERATORS))
@pytest.mark.parametrize("perpetrator", sorted(PERPETRATORS))
@pytest.mark.parametrize("acting", ["requester", "on_behalf_of"])
def test_a_disclosure_operator_refuses_the_perpetrator(
    db: Database, world: World, clerk_a: Actor, operator: str, perpetrator: str, acting: str
) -> None:
    identity = PERPETRATORS[perpetrator](world)
    lawyer = {"name": "弁護 士郎", "birth_date": "1960-02-02"}
    stated = (
        {"requester": identity} if acting == "requester" else {"requester": lawyer, "on_behalf_of": identity}
    )
    for subject in ("victim", "grandma"):
        raw = certificate_request(world.atena[subject], requester_kind="agent", **stated)
        with unit_of_work(db, clerk_a) as uow:
            case = uow.session.get(models.Case, world.ids["case_id"])
            ctx = ServiceContext(uow, case, "check_disclosure", {"request": normalized_request(uow, raw)})
            result = registry.get(operator)(ctx)
        assert (result["allowed"], result["reason_code"]) == (False, "perpetrator"), subject
        assert none_of(str(result), world) == []


# --- certificate PDFs --------------------------------------------------------------------------------------


def copy_for(
    world: World, subject: str, kind: str, requester: Identity, requester_kind: str
) -> CertificateRequest:
    return CertificateRequest(kind, (world.atena[subject],), whole_household=kind == "copy_household",
                              requester_kind=requester_kind, requester=requester, purpose="確認")  # fmt: skip


@pytest.mark.parametrize("kind", ["copy_individual", "copy_household", "entry_certificate"])
def test_issuance_raises_for_the_perpetrator_and_stops_a_third_party(
    db: Database, world: World, clerk_a: Actor, kind: str
) -> None:
    perpetrator = Identity(name="伊藤 鷲郎", birth_date=ITO_BIRTH)
    third = Identity(name="債権 回収", birth_date=dt.date(1960, 2, 2))
    subject = "grandma" if kind == "copy_household" else "victim"
    with pytest.raises(CertificateRefusedError) as refused, unit_of_work(db, clerk_a) as uow:
        issue_certificate(uow, copy_for(world, subject, kind, perpetrator, "third_party"))
    assert none_of(str(refused.value), world) == []
    with pytest.raises(ReleaseRequiredError) as stopped, unit_of_work(db, clerk_a) as uow:
        issue_certificate(uow, copy_for(world, subject, kind, third, "third_party"))
    assert none_of(str(stopped.value), world) == []
    with unit_of_work(db, clerk_a) as uow:
        issued = uow.session.scalars(select(models.CertificateIssuance)).all()
    assert [i.subjects for i in issued] == [[world.atena["stranger"]]], "nothing was issued"


def test_the_officers_release_lets_the_copy_print_the_address(
    db: Database, world: World, clerk_a: Actor, users_a: dict[str, models.User]
) -> None:
    """Control for the PDF checks: released by the officer, the same request prints the address."""
    request = copy_for(world, "victim", "copy_individual", Identity(name="御手洗 桜子"), "self")
    disclosure = DisclosureRequest(
        Requester("self", request.requester), (world.atena["victim"],), "certificate"
    )
    with unit_of_work(db, clerk_a) as uow:
        release_id = request_release(uow, disclosure)
    with unit_of_work(db, factories.actor_for(users_a["support_officer"])) as uow:
        grant_release(uow, release_id, "本人確認済み")
    with unit_of_work(db, clerk_a) as uow:
        text = flat(pdf_text(issue_certificate(uow, request).pdf))
    assert flat(PROTECTED_ADDRESS) in text


# --- outbound notices --------------------------------------------------------------------------------------


def outbox(setup_session: Session) -> list[models.OutboxMessage]:
    setup_session.expire_all()
    return list(setup_session.scalars(select(models.OutboxMessage).order_by(models.OutboxMessage.id)))


def test_support_measure_notices_carry_the_flag_but_no_address(world: World, setup_session: Session) -> None:
    notices = [m for m in outbox(setup_session) if m.kind.startswith("support_measure_")]
    assert {m.destination for m in notices} == {"cs", "kiosk", "addressee"}
    for message in notices:
        assert world.atena["victim"] in message.payload["atena_numbers"], "the flag reaches every destination"
        assert none_of(str(message.payload), world) == [] and "御手洗" not in str(message.payload)


def test_a_temporary_lift_is_never_sent(
    db: Database, world: World, setup_session: Session, users_a: dict[str, models.User]
) -> None:
    before = len(outbox(setup_session))
    with unit_of_work(db, factories.actor_for(users_a["support_officer"])) as uow:
        lift_temporarily(uow, measure_id=world.ids["measure_id"], purpose="certificate", minutes=10,
                         reason="本人への交付のため")  # fmt: skip
    assert len(outbox(setup_session)) == before


def full_extract(db: Database, setup_session: Session, city: Any, admin: models.User,
                 receives_protected: bool) -> dict[str, dict[str, Any]]:  # fmt: skip
    from handlers.integration.subscribers import request_full_extract

    setup_session.add(models.IntegrationDestination(tenant_id=city.id, name="subscriber:tax", kind="http_json",
                                                    url="http://127.0.0.1:9/", subscription="full",
                                                    receives_protected=receives_protected))  # fmt: skip
    setup_session.flush()
    with unit_of_work(db, factories.actor_for(admin)) as uow:
        message = request_full_extract(uow, "subscriber:tax")
        return {r["atena_number"]: r for r in message.payload["residents"]}


def test_the_full_extract_flags_protected_persons(
    db: Database, world: World, setup_session: Session, users_a: dict[str, models.User], city_a: Any
) -> None:
    """j1190: the data goes with the support-measure data; a subscriber not allowed protected addresses gets
    the protected persons and their household flagged, with the address withheld."""
    rows = full_extract(db, setup_session, city_a, users_a["administrator"], receives_protected=False)
    a = world.atena
    for person in ("victim", "child"):
        flag = rows[a[person]]["support_measure"]
        assert flag["protected"] is True and flag["provisional"] is False, person
    grandma = rows[a["grandma"]]
    assert grandma["support_measure"]["protected"] is False
    assert grandma["support_measure"]["household_protected"] is True
    stranger = rows[a["stranger"]]
    assert stranger["support_measure"] == {"protected": False, "provisional": False,
                                           "household_protected": False,
                                           "suppressed_processes": ["inquiry"]}  # fmt: skip
    assert stranger["address"] == "神奈川県横浜市中区本町勅使5番", "control: others keep their address"
    for person in ("victim", "child", "grandma"):
        assert rows[a[person]]["address"] is None and rows[a[person]]["address_withheld"] is True, person
    text = str(list(rows.values()))
    assert PROTECTED_ADDRESS not in text and "和泉町秘匿" not in text, (
        "the address goes nowhere in the extract"
    )


def test_a_subscriber_allowed_protected_addresses_gets_them_with_the_flag(
    db: Database, world: World, setup_session: Session, users_a: dict[str, models.User], city_a: Any
) -> None:
    rows = full_extract(db, setup_session, city_a, users_a["administrator"], receives_protected=True)
    victim = rows[world.atena["victim"]]
    assert victim["address"] == PROTECTED_ADDRESS and victim["support_measure"]["protected"] is True


def test_a_delta_to_a_subscriber_carries_the_flag_and_withholds_the_address(
    db: Database, world: World, setup_session: Session, city_a: Any
) -> None:
    from handlers.integration.subscribers import fan_out

    for name, allowed in (("subscriber:tax", False), ("subscriber:welfare", True)):
        setup_session.add(models.IntegrationDestination(
            tenant_id=city_a.id, name=name, kind="http_json", url="http://127.0.0.1:9/",
            subscription="near_realtime_delta", receives_protected=allowed,
        ))  # fmt: skip
    payload = {"household_number": world.households["family"], "address": PROTECTED_ADDRESS,
               "members": [{"atena_number": world.atena[p]} for p in ("victim", "child", "grandma")]}  # fmt: skip
    note = models.OutboxMessage(tenant_id=city_a.id, destination="addressee", kind="household_change",
                                payload=payload, idempotency_key="delta:1", seq=999, status="pending")  # fmt: skip
    setup_session.add(note)
    setup_session.flush()
    with unit_of_work(db, Actor.system(city_a.id, "delivery")) as uow:
        message = uow.session.get(models.OutboxMessage, note.id)
        assert message is not None and fan_out(uow, message) is not None
    copies = {
        m.destination: m.payload for m in outbox(setup_session) if m.idempotency_key.startswith("delta:1@")
    }
    tax, welfare = copies["subscriber:tax"], copies["subscriber:welfare"]
    for copy in (tax, welfare):
        flags = copy["support_measures"]
        assert flags[world.atena["victim"]]["protected"] is True
        assert flags[world.atena["grandma"]]["household_protected"] is True
    assert tax["address"] is None and tax["address_withheld"] is True
    assert PROTECTED_ADDRESS not in str(tax) and "和泉町秘匿" not in str(tax)
    assert welfare["address"] == PROTECTED_ADDRESS, "control: the allowed subscriber gets it"


# --- extraction (EUC) ---------------------------------------------------------------------------------------


def test_an_extraction_leaves_out_the_protected_household_for_a_non_officer(
    db: Database, world: World, users_a: dict[str, models.User], city_a: Any
) -> None:
    from handlers.extraction import create_extraction_job, run_extraction_job

    analyst = factories.actor_for(users_a["analyst"])
    with unit_of_work(db, analyst) as uow:
        condition = {"field": "family_name_kana", "op": "not_null"}
        job_id = create_extraction_job(uow, condition, "csv_utf8").id
    run_extraction_job(db, city_a.id, job_id)
    with unit_of_work(db, analyst) as uow:
        job = uow.session.get(models.ExtractionJob, job_id)
        text = (job.result or b"").decode("utf-8-sig")
    assert "勅使河原" in text, "control: the extract lists the unprotected neighbour"
    assert world.atena["victim"] not in text and world.atena["child"] not in text
    assert none_of(text, world) == [], "the grandmother's row gives the protected address away"
