"""統合記載欄 (j140): the history (type A) with each line's 留意事項 (type B, linked to its items) and the 備考
(type C) printed on 住民票の写し / 除票の写し with the history, never the history row's internal note; the
特別養子縁組 wording linked to the addresses the standard names; the 除票's own items; suppression as for the
rest of the certificate."""

from __future__ import annotations

import datetime as dt

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.certificates import CertificateOptions, CertificateRequest, ReleaseRequiredError
from handlers.certificates.issuance import disclosure_request
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from handlers.residents.remarks import remark_edits
from handlers.suppression_controls import grant_release, request_release
from handlers.uow import unit_of_work
from tests import factories
from tests.certificates.conftest import atena_numbers, issue
from tests.certificates.pdf_tools import flat, pdf_text
from tests.certificates.test_disclosure_and_verification import protect
from tests.conftest import Step
from tests.web.test_residents_api import token_for

WITH_HISTORY = CertificateOptions(include_history=True)


def printed(
    db: Database, actor: Actor, kind: str, atena: str, options: CertificateOptions = WITH_HISTORY
) -> str:
    return flat(pdf_text(issue(db, actor, kind, [atena], options=options).pdf))


def note_row(setup_session: Session, atena: str, note: str) -> None:
    row = setup_session.scalars(
        select(models.ResidentHistory).where(models.ResidentHistory.atena_number == atena)
    ).first()
    assert row is not None
    row.note = note
    setup_session.flush()


@pytest.mark.req("j140")
def test_a_caution_is_printed_with_its_history_line_and_items_and_the_internal_note_never(
    db: Database, clerk_a: Actor, family: models.Household, setup_session: Session
) -> None:
    taro = atena_numbers(family)[0]
    note_row(setup_session, taro, "職権記録書：内部調査の記録")
    factories.set_caution(db, clerk_a, taro, 1, "転入前住所は未届", "previous_address")
    plain = printed(db, clerk_a, "copy_individual", taro, CertificateOptions())
    text = printed(db, clerk_a, "copy_individual", taro)
    assert "留意事項【転入前住所】転入前住所は未届" in text
    assert text.index("履歴1") < text.index("留意事項【転入前住所】")
    assert "内部調査" not in text and "職権記録書" not in text
    assert "留意事項" not in plain
    logged = setup_session.scalars(
        select(models.AccessLog).where(models.AccessLog.function == "caution_corrected")
    ).one()
    assert logged.detail == {"history_no": 1}


@pytest.mark.req("j140")
def test_a_caution_with_an_unknown_item_or_too_long_is_refused_and_nothing_changes(
    db: Database, clerk_a: Actor, family: models.Household, setup_session: Session
) -> None:
    taro = atena_numbers(family)[0]
    with pytest.raises(ValidationError) as refused:
        factories.set_caution(db, clerk_a, taro, 1, "あ" * 401, "no_such_item")
    assert {p.code for p in refused.value.problems} == {"too_long", "unknown_item"}
    row = setup_session.scalars(
        select(models.ResidentHistory).where(models.ResidentHistory.atena_number == taro)
    ).first()
    assert row is not None and row.caution is None


@pytest.mark.req("j140")
def test_remarks_are_printed_after_the_history_and_every_edit_is_kept_and_logged(
    db: Database, clerk_a: Actor, family: models.Household, setup_session: Session
) -> None:
    taro = atena_numbers(family)[0]
    factories.set_remarks(db, clerk_a, taro, "事実上の世帯主　山田一郎")
    factories.set_remarks(db, clerk_a, taro, "施設入所中\n郵便物は施設あて")
    text = printed(db, clerk_a, "copy_individual", taro)
    assert "備考施設入所中" in text and "備考郵便物は施設あて" in text
    assert "山田一郎" not in text  # the earlier text, replaced
    assert text.index("履歴1") < text.index("備考施設入所中")
    assert "施設入所中" not in printed(db, clerk_a, "copy_individual", taro, CertificateOptions())
    with unit_of_work(db, clerk_a) as uow:
        edits = remark_edits(uow, taro)
    assert [e.body for e in edits] == ["施設入所中\n郵便物は施設あて", "事実上の世帯主　山田一郎"]
    assert {e.written_by for e in edits} == {clerk_a.user_id}
    logs = setup_session.scalars(
        select(models.AccessLog).where(models.AccessLog.function == "remarks_edited")
    ).all()
    assert len(logs) == 2 and all("施設" not in str(log.detail) for log in logs)
    resident = setup_session.scalars(
        select(models.Resident).where(models.Resident.atena_number == taro)
    ).one()
    setup_session.refresh(resident)
    assert resident.remarks == "施設入所中\n郵便物は施設あて"


@pytest.mark.req("j140", "j40")
def test_the_adoption_caution_must_name_the_move_in_address_and_is_left_out_unless_special_history_is_asked(
    db: Database, clerk_a: Actor, family: models.Household
) -> None:
    taro = atena_numbers(family)[0]
    with pytest.raises(ValidationError) as refused:
        factories.set_caution(db, clerk_a, taro, 1, "特別養子縁組")
    assert [p.code for p in refused.value.problems] == ["adoption_items"]
    assert "転入前住所" in refused.value.problems[0].reason
    factories.set_caution(db, clerk_a, taro, 1, "特別養子縁組", "previous_address")
    assert "特別養子縁組" not in printed(db, clerk_a, "copy_individual", taro)
    special = CertificateOptions(include_history=True, include_special_history=True)
    assert "留意事項【転入前住所】特別養子縁組" in printed(db, clerk_a, "copy_individual", taro, special)


@pytest.mark.req("j140", "j1000")
def test_the_removed_copy_prints_the_removed_records_own_items_and_the_adoption_dissolution_caution(
    db: Database, clerk_a: Actor, setup_session: Session, certifying_city: models.Municipality
) -> None:
    atena = removed_with_own_items(setup_session, certifying_city, 778)
    with pytest.raises(ValidationError):
        factories.set_caution(db, clerk_a, atena, 3, "特別養子縁組解消", "destination_planned_address")
    factories.set_caution(
        db,
        clerk_a,
        atena,
        3,
        "特別養子縁組解消",
        "destination_planned_address",
        "destination_confirmed_address",
    )
    plain = printed(db, clerk_a, "removed_copy", atena, CertificateOptions())
    assert (
        "転出先住所（予定）長野県佐久市中込1番地" in plain
        and "転出先住所（確定）長野県佐久市中込2番地" in plain
    )
    assert "転入通知年月日令和8年10月20日" in plain and "転出年月日令和8年10月2日" in plain
    assert "届出年月日令和8年9月20日" in plain
    special = CertificateOptions(include_history=True, include_special_history=True)
    text = printed(db, clerk_a, "removed_copy", atena, special)
    assert "留意事項【転出先住所（予定）・転出先住所（確定）】特別養子縁組解消" in text


@pytest.mark.req("j140", "j410")
def test_a_protected_persons_integrated_section_is_never_printed_without_the_officers_release(
    db: Database,
    clerk_a: Actor,
    family: models.Household,
    setup_session: Session,
    certifying_city: models.Municipality,
) -> None:
    hanako = atena_numbers(family)[1]
    factories.set_remarks(db, clerk_a, hanako, "避難先あり")
    protect(setup_session, certifying_city, hanako)
    with pytest.raises(ReleaseRequiredError):
        issue(db, clerk_a, "copy_individual", [hanako], options=WITH_HISTORY, requester_kind="third_party",
              purpose="債権回収")  # fmt: skip
    assert setup_session.scalars(select(models.CertificateIssuance)).all() == []


@pytest.mark.req("j140")
def test_remarks_are_not_changed_through_a_correction_of_the_history(
    db: Database, clerk_a: Actor, family: models.Household
) -> None:
    from handlers.changes.ex_officio_correction import EX_OFFICIO_CORRECTION

    taro = atena_numbers(family)[0]
    intake = {"atena_number": taro, "changes": {"remarks": "修正で書き換え"}, "ex_officio_record": "調査"}
    with unit_of_work(db, clerk_a) as uow:
        assessment = EX_OFFICIO_CORRECTION.assess(uow, intake)
    assert [p.code for p in assessment.problems] == ["remarks_apart"]
    assert "統合記載欄" in assessment.problems[0].remedy


@pytest.mark.req("j140", "j1300")
def test_an_archived_removed_record_keeps_its_cautions_and_remarks_in_the_integrated_section(
    db: Database, clerk_a: Actor, setup_session: Session, certifying_city: models.Municipality
) -> None:
    from tests.certificates.test_archived_removed import REMOVED_ON

    household = factories.make_household_row(setup_session, certifying_city, number=779)
    person = factories.make_resident_row(setup_session, household, number=779)
    factories.remove_resident_row(setup_session, person, removal_date=REMOVED_ON)
    row = setup_session.scalars(
        select(models.ResidentHistory).where(models.ResidentHistory.atena_number == person.atena_number)
    ).first()
    assert row is not None
    row.caution, row.caution_items, row.note = "転入前住所は未届", "previous_address", "職権記録書：内部"
    setup_session.flush()
    atena = person.atena_number
    factories.set_remarks(db, clerk_a, atena, "保存前の備考")
    from handlers.removed_records import archive_old_removed_records

    with unit_of_work(db, Actor.system(certifying_city.id, "archive")) as uow:
        assert archive_old_removed_records(uow, today=dt.date(2026, 6, 1)).moved == 1
    text = printed(db, clerk_a, "removed_copy", atena)
    assert "留意事項【転入前住所】転入前住所は未届" in text and "備考保存前の備考" in text
    assert "職権記録書" not in text


def removed_with_own_items(setup_session: Session, city: models.Municipality, number: int) -> str:
    """A 除票 of a 転出 whose own items are all recorded: both destinations, 転出年月日, 届出年月日, 転入通知年月日."""
    removed = factories.make_removed_resident(
        setup_session, city, number=number, removal_date=dt.date(2026, 10, 1)
    )
    removed.destination_confirmed_address = "長野県佐久市中込2番地"
    removed.move_in_notice_date = dt.date(2026, 10, 20)
    removed.move_out_confirmed_date = dt.date(2026, 10, 2)
    notice_row = factories.add_history_row(
        setup_session, removed, reason_code="domestic_move_out", change_date=dt.date(2026, 10, 1)
    )
    notice_row.notified_date = dt.date(2026, 9, 20)
    setup_session.flush()
    return removed.atena_number


REMOVED_OWN_ITEMS = (
    "転出先住所（予定）長野県佐久市中込1番地",
    "転出先住所（確定）長野県佐久市中込2番地",
    "転出年月日令和8年10月2日",
    "届出年月日令和8年9月20日",
    "転入通知年月日令和8年10月20日",
)


@pytest.mark.req("j140", "j1000")
def test_the_removed_entry_certificate_prints_the_removed_records_own_items_in_the_integrated_section(
    db: Database, clerk_a: Actor, setup_session: Session, certifying_city: models.Municipality
) -> None:
    atena = removed_with_own_items(setup_session, certifying_city, 781)
    factories.set_caution(db, clerk_a, atena, 1, "転入前住所は未届", "previous_address")
    plain = printed(db, clerk_a, "removed_entry_certificate", atena, CertificateOptions())
    assert "上記の事項は、住民票の除票に記載されていることを証明する。" in plain
    assert all(item in plain for item in REMOVED_OWN_ITEMS), plain
    assert "履歴1" not in plain and "留意事項" not in plain, "the history only when asked"
    text = printed(db, clerk_a, "removed_entry_certificate", atena)
    assert "留意事項【転入前住所】転入前住所は未届" in text
    assert text.index("履歴1") < text.index("転出先住所（確定）"), "the 除票's items follow the history"
    rows = setup_session.scalars(select(models.CertificateIssuance)).all()
    assert {"destination_confirmed_address", "move_in_notice_date"} <= set(rows[0].items_printed)


@pytest.mark.req("j140", "j440")
def test_a_protected_persons_removed_entry_certificate_waits_for_the_officers_release_of_that_request(
    db: Database,
    clerk_a: Actor,
    setup_session: Session,
    certifying_city: models.Municipality,
    users_a: dict[str, models.User],
    step: Step,
) -> None:
    atena = removed_with_own_items(setup_session, certifying_city, 782)
    protect(setup_session, certifying_city, atena)
    setup_session.flush()
    with pytest.raises(ReleaseRequiredError):
        printed(db, clerk_a, "removed_entry_certificate", atena, CertificateOptions())
    assert setup_session.scalars(select(models.CertificateIssuance)).all() == []
    asked = disclosure_request(CertificateRequest("removed_entry_certificate", (atena,)), [atena])
    assert asked.purpose == "removed_certificate"
    release_id = step(clerk_a, request_release, asked)
    step(factories.actor_for(users_a["support_officer"]), grant_release, release_id, "本人の請求を確認")
    text = printed(db, clerk_a, "removed_entry_certificate", atena, CertificateOptions())
    assert "転出先住所（確定）長野県佐久市中込2番地" in text
    with pytest.raises(ReleaseRequiredError):
        printed(db, clerk_a, "removed_entry_certificate", atena, CertificateOptions())


@pytest.mark.req("j140")
def test_the_api_issues_the_removed_entry_certificate_with_the_removed_records_own_items(
    client: FlaskClient,
    db: Database,
    setup_session: Session,
    certifying_city: models.Municipality,
    users_a: dict[str, models.User],
) -> None:
    atena = removed_with_own_items(setup_session, certifying_city, 783)
    body = {"certificate_type": "removed_entry_certificate", "subjects": [atena]}
    answered = client.post("/api/certificates", json=body, headers=token_for(db, users_a))
    assert answered.status_code == 201, answered.get_json()
    row = setup_session.scalars(select(models.CertificateIssuance)).one()
    assert row.issue_number == answered.get_json()["issue_numbers"][0]
    assert {"destination_planned_address", "destination_confirmed_address", "move_out_confirmed_date",
            "removal_notified_date", "move_in_notice_date"} <= set(row.items_printed)  # fmt: skip
