"""除票 moved to the 除票用データベース (j1300) stay issuable for their 150-year retention: 除票の写し and
除票記載事項証明書 read the archive, pass the disclosure decision (purpose removed_certificate) and leave the
issuance history and access log of any copy."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import models
from handlers.certificates import (
    CertificateOptions,
    CertificateRefusedError,
    ReleaseRequiredError,
    issuance_history,
)
from handlers.context import Actor
from handlers.db import Database
from handlers.removed_records import archive_old_removed_records
from handlers.uow import unit_of_work
from tests import factories
from tests.certificates.conftest import FIXED_NOW, issue
from tests.certificates.pdf_tools import flat, has_item, pdf_text
from tests.certificates.test_disclosure_and_verification import protect

REMOVED_ON = dt.date(2020, 10, 1)  # more than five years before the archive run below


def archived_person(db: Database, setup_session: Session, city: models.Municipality, number: int) -> str:
    """A 除票 removed on ``REMOVED_ON`` and moved by the yearly batch; gone from the live tables."""
    household = factories.make_household_row(setup_session, city, number=number)
    removed = factories.make_resident_row(setup_session, household, number=number)
    setup_session.flush()
    for row in setup_session.scalars(
        select(models.ResidentHistory).where(models.ResidentHistory.atena_number == removed.atena_number)
    ):
        row.change_reason = "domestic_move_in"  # the factory's placeholder code, as a real 国内転入
    factories.remove_resident_row(setup_session, removed, removal_date=REMOVED_ON, reason="domestic_move_out")
    setup_session.flush()
    atena_number = removed.atena_number
    with unit_of_work(db, Actor.system(city.id, "archive")) as uow:
        assert archive_old_removed_records(uow, today=dt.date(2026, 6, 1)).moved == 1
    with unit_of_work(db, Actor.system(city.id)) as uow:
        live = uow.session.scalar(
            select(func.count())
            .select_from(models.Resident)
            .where(models.Resident.atena_number == atena_number)
        )
        archived = uow.session.scalars(
            select(models.RemovedRecordArchive.atena_number).where(
                models.RemovedRecordArchive.atena_number == atena_number
            )
        ).all()
    assert (live, archived) == (0, [atena_number]), "control: only the archive holds the person"
    return atena_number


@pytest.mark.req("j1300", "j1000", "j300", "j360")
def test_an_archived_removed_record_copy_prints_every_item_and_is_recorded_like_any_copy(
    db: Database, clerk_a: Actor, setup_session: Session, certifying_city: models.Municipality
) -> None:
    atena_number = archived_person(db, setup_session, certifying_city, 931)
    options = CertificateOptions(include_history=True)
    issued = issue(db, clerk_a, "removed_copy", [atena_number], options=options, now=FIXED_NOW)
    text = pdf_text(issued.pdf)
    assert "住民票の除票の写し" in flat(text)
    for label, value in [
        ("氏名", "山田　太郎"),
        ("住所", "中央一丁目1番1号"),
        ("生年月日", "昭和55年1月1日"),
        ("性別", "男"),
        ("住民となった年月日", "平成12年4月1日"),
        ("消除事由", "国内転出"),
        ("消除事由の生じた年月日", "令和2年10月1日"),
        ("転出先", "長野県佐久市中込1番地"),
        ("履歴1", "平成12年4月1日国内転入"),
        ("履歴2", "令和2年10月1日国内転出"),
    ]:
        assert has_item(text, label, value), label
    assert "この写しは、住民票の除票の原本と相違ないことを証明する。" in flat(text)
    assert f"発行番号{flat(issued.issue_numbers[0])}1/1" in flat(text)

    with unit_of_work(db, clerk_a) as uow:
        rows = issuance_history(uow, atena_number)
        printed = uow.session.scalars(
            select(models.AccessLog).where(models.AccessLog.function == "certificate_printed")
        ).all()
        decided = uow.session.scalars(
            select(models.AccessLog).where(models.AccessLog.function == "disclosure_decided")
        ).all()
    assert [(r.issue_number, r.certificate_type, r.subjects, r.pages) for r in rows] == [
        (issued.issue_numbers[0], "removed_copy", [atena_number], 1)
    ]
    assert "removal_reason" in rows[0].items_printed and rows[0].fee == 300
    assert [(log.targets, log.detail["issue_numbers"]) for log in printed] == [
        ([atena_number], issued.issue_numbers)
    ]
    assert [(log.targets, log.detail["purpose"]) for log in decided] == [
        ([atena_number], "removed_certificate")
    ]


@pytest.mark.req("j1300", "j1000", "j1030")
def test_an_archived_removed_record_entry_certificate_prints_its_items(
    db: Database, clerk_a: Actor, setup_session: Session, certifying_city: models.Municipality
) -> None:
    atena_number = archived_person(db, setup_session, certifying_city, 932)
    text = pdf_text(issue(db, clerk_a, "removed_entry_certificate", [atena_number], now=FIXED_NOW).pdf)
    assert "住民票除票記載事項証明書" in flat(text)
    for label, value in [
        ("氏名", "山田　太郎"),
        ("消除事由の生じた年月日", "令和2年10月1日"),
        ("転出先", "長野県佐久市中込1番地"),
    ]:
        assert has_item(text, label, value), label
    assert "上記の事項は、住民票の除票に記載されていることを証明する。" in flat(text)
    assert "履歴" not in flat(text), "history only when asked"


@pytest.mark.req("j1300", "j1000")
def test_an_archived_removed_record_is_still_not_a_current_copy(
    db: Database, clerk_a: Actor, setup_session: Session, certifying_city: models.Municipality
) -> None:
    from handlers.errors import ValidationError

    atena_number = archived_person(db, setup_session, certifying_city, 933)
    with pytest.raises(ValidationError) as refused:
        issue(db, clerk_a, "copy_individual", [atena_number], now=FIXED_NOW)
    assert refused.value.problems[0].code == "wrong_status"


@pytest.mark.req("j1300", "j1000")
def test_a_protected_archived_person_is_refused(
    db: Database, clerk_a: Actor, setup_session: Session, certifying_city: models.Municipality
) -> None:
    atena_number = archived_person(db, setup_session, certifying_city, 934)
    protect(setup_session, certifying_city, atena_number)
    with pytest.raises(ReleaseRequiredError, match="支援措置責任者"):
        issue(db, clerk_a, "removed_copy", [atena_number], now=FIXED_NOW)
    with pytest.raises(CertificateRefusedError):
        issue(db, clerk_a, "removed_copy", [atena_number], requester_kind="other_municipality", now=FIXED_NOW)
    assert setup_session.scalars(select(models.CertificateIssuance)).all() == []
    decided = setup_session.scalars(
        select(models.AccessLog).where(models.AccessLog.function == "disclosure_decided")
    ).all()
    assert [log.detail["outcome"] for log in decided] == ["needs_release", "refuse"]
