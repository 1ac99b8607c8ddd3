"""Who may get what (suppression decision, 12条の3, 広域交付), registered data only, verification of issued
copies (valid / altered / revoked / unknown), and the issuance history that cannot be deleted (j300)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

import models
from handlers.certificates import (
    CertificateOptions,
    CertificateRefusedError,
    ReleaseRequiredError,
    dispose_certificate,
    issuance_history,
    verify_certificate,
    verify_pdf,
)
from handlers.certificates import issuance as issuance_module
from handlers.certificates.officials import NoOfficialError
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import NotFoundError
from handlers.support_measures import protected_atena_numbers
from handlers.tenancy import bind_session
from handlers.uow import unit_of_work
from models.certificate import IssuanceDeletionRefusedError
from tests import factories
from tests.certificates.conftest import FIXED_NOW, atena_numbers, issue
from tests.certificates.pdf_tools import flat, pdf_text


def protect(setup_session: Session, city: models.Municipality, atena_number: str) -> None:
    factories.make_support_measure(setup_session, city, atena_number)


@pytest.mark.req("j1000")
def test_third_party_never_gets_my_number_or_resident_code(
    db: Database, clerk_a: Actor, family: models.Household, setup_session: Session
) -> None:
    hanako = atena_numbers(family)[1]
    asked = CertificateOptions(include_my_number=True)
    with pytest.raises(CertificateRefusedError, match="個人番号"):
        issue(
            db,
            clerk_a,
            "copy_individual",
            [hanako],
            options=asked,
            requester_kind="third_party",
            now=FIXED_NOW,
        )
    assert setup_session.scalars(select(models.CertificateIssuance)).all() == []
    refused = setup_session.scalars(
        select(models.AccessLog).where(models.AccessLog.function == "disclosure_decided")
    ).one()
    assert refused.detail["outcome"] == "refuse"
    printed = issue(
        db,
        clerk_a,
        "copy_individual",
        [hanako],
        requester_kind="third_party",
        purpose="債権回収",
        now=FIXED_NOW,
    )
    resident = setup_session.scalars(
        select(models.Resident).where(models.Resident.atena_number == hanako)
    ).one()
    text = flat(pdf_text(printed.pdf))
    assert "個人番号" not in text and str(resident.my_number) not in text and "住民票コード" not in text


@pytest.mark.req("j1000")
def test_honseki_is_never_printed_on_a_copy_for_another_municipality(
    db: Database, clerk_a: Actor, family: models.Household
) -> None:
    taro = atena_numbers(family)[0]
    asked = CertificateOptions(include_honseki=True)
    text = flat(
        pdf_text(
            issue(
                db,
                clerk_a,
                "copy_individual",
                [taro],
                options=asked,
                requester_kind="other_municipality",
                now=FIXED_NOW,
            ).pdf
        )
    )
    assert "本籍" not in text and "筆頭者" not in text and "氏名山田太郎" in text


@pytest.mark.req("j1000")
def test_household_copy_with_a_protected_member_is_refused_until_released(
    db: Database,
    clerk_a: Actor,
    family: models.Household,
    setup_session: Session,
    certifying_city: models.Municipality,
) -> None:
    taro, hanako, _ = atena_numbers(family)
    protect(setup_session, certifying_city, hanako)
    assert protected_atena_numbers(setup_session, [hanako]) == {hanako}
    with pytest.raises(ReleaseRequiredError, match="支援措置責任者"):
        issue(db, clerk_a, "copy_household", [taro], whole_household=True, now=FIXED_NOW)
    with pytest.raises(CertificateRefusedError):
        issue(
            db,
            clerk_a,
            "copy_household",
            [taro],
            whole_household=True,
            requester_kind="other_municipality",
            now=FIXED_NOW,
        )
    assert setup_session.scalars(select(models.CertificateIssuance)).all() == []


@pytest.mark.req("j1000", "j410")
def test_a_refusal_is_never_masked_by_a_missing_certifier(
    db: Database,
    clerk_a: Actor,
    family: models.Household,
    setup_session: Session,
    certifying_city: models.Municipality,
) -> None:
    taro, hanako, _ = atena_numbers(family)
    protect(setup_session, certifying_city, hanako)
    certifying_city.settings = {**(certifying_city.settings or {}), "officials": []}
    setup_session.flush()
    with pytest.raises(ReleaseRequiredError, match="支援措置責任者"):
        issue(db, clerk_a, "copy_household", [taro], whole_household=True, now=FIXED_NOW)
    neighbour = atena_numbers(factories.make_household(db, clerk_a))[0]
    with pytest.raises(NoOfficialError):  # control: an unprotected household meets the configuration error
        issue(db, clerk_a, "copy_individual", [neighbour], now=FIXED_NOW)
    assert setup_session.scalars(select(models.CertificateIssuance)).all() == []


@pytest.mark.req("j300")
def test_the_history_of_another_municipalitys_person_is_not_found(
    db: Database,
    clerk_a: Actor,
    family: models.Household,
    setup_session: Session,
    city_b: models.Municipality,
) -> None:
    saku = factories.make_household_row(setup_session, city_b, number=901)
    other = factories.make_resident_row(setup_session, saku, number=901).atena_number
    setup_session.flush()
    assert other not in atena_numbers(family)
    with pytest.raises(NotFoundError), unit_of_work(db, clerk_a) as uow:
        issuance_history(uow, other)
    with unit_of_work(db, clerk_a) as uow:
        assert issuance_history(uow, atena_numbers(family)[0]) == [], "control: our person, no copies yet"


@pytest.mark.req("j1000")
def test_a_case_in_review_does_not_change_the_certificate(
    db: Database, clerk_a: Actor, family: models.Household, setup_session: Session
) -> None:
    from handlers.cases.doors import open_case

    taro = atena_numbers(family)[0]
    first = issue(db, clerk_a, "copy_individual", [taro], now=FIXED_NOW)
    before = flat(pdf_text(first.pdf)).replace(flat(first.issue_numbers[0]), "")
    intake = {
        "atena_numbers": atena_numbers(family),
        "change_date": "2026-11-20",
        "notified_date": "2026-11-25",
        "address": {"address": "神奈川県横浜市中区山下町2番地", "postal_code": "231-0023"},
    }
    with unit_of_work(db, clerk_a) as uow:
        open_case(uow, "move_within", intake)
    pending = setup_session.scalars(select(models.PendingChange)).one()
    assert pending.status != "registered"
    second = issue(db, clerk_a, "copy_individual", [taro], now=FIXED_NOW)
    after = flat(pdf_text(second.pdf)).replace(flat(second.issue_numbers[0]), "")
    assert "山下町" not in after and "港町1丁目1番地" in after
    assert before == after


@pytest.mark.req("j300")
def test_an_issued_copy_verifies_and_a_disposed_one_is_revoked(
    db: Database, clerk_a: Actor, family: models.Household, setup_session: Session
) -> None:
    taro = atena_numbers(family)[0]
    issued = issue(db, clerk_a, "copy_individual", [taro], now=FIXED_NOW)
    copy = issued.copies[0]
    with db.sessionmaker() as session:
        result = verify_certificate(session, copy.payload)
    assert result.outcome == "valid"
    assert result.to_json() == {
        "outcome": "valid", "message": result.message, "municipality": "神奈川県横浜市",
        "certificate_type": "住民票の写し（個人票）", "issue_date": "2026-11-26", "issue_number": copy.issue_number,
    }  # fmt: skip
    with db.sessionmaker() as session:
        assert verify_pdf(session, copy.pdf).outcome == "valid"
    with unit_of_work(db, clerk_a) as uow:
        dispose_certificate(uow, copy.issue_number, "印字かすれのため")
    with db.sessionmaker() as session:
        assert verify_certificate(session, copy.payload).outcome == "revoked"
    with unit_of_work(db, clerk_a) as uow:
        history = issuance_history(uow, taro)
        assert [(h.issue_number, h.status, h.disposal_reason) for h in history] == [
            (copy.issue_number, "disposed", "印字かすれのため")
        ]


@pytest.mark.req("j300")
def test_a_copy_with_one_character_changed_fails_verification(
    db: Database, clerk_a: Actor, family: models.Household
) -> None:
    from handlers.certificates.signing import read_payload, sign_payload, text_digest
    from handlers.certificates.verification import extract_pdf_text, verify_issue

    issued = issue(db, clerk_a, "copy_individual", [atena_numbers(family)[0]], now=FIXED_NOW)
    copy = issued.copies[0]
    original_text = extract_pdf_text(copy.pdf)
    altered_text = original_text.replace("山田", "川田", 1)
    assert altered_text != original_text
    with db.sessionmaker() as session:
        assert (
            verify_issue(session, "141003", copy.issue_number, text_digest(original_text)).outcome == "valid"
        )
    with db.sessionmaker() as session:
        assert (
            verify_issue(session, "141003", copy.issue_number, text_digest(altered_text)).outcome == "altered"
        )
    # a payload re-signed by someone without our key, carrying the altered digest
    payload, _ = read_payload(copy.payload)
    forged = payload.__class__(payload.municipality_code, payload.issue_number, payload.issue_date,
                               payload.certificate_type, text_digest(altered_text))  # fmt: skip
    forged_text, _ = sign_payload(forged)
    tampered = forged_text.rsplit(".", 1)[0] + "." + copy.payload.rsplit(".", 1)[1]
    with db.sessionmaker() as session:
        assert verify_certificate(session, tampered).outcome == "altered"
        assert verify_certificate(session, "JMN1.e30.AAAA").outcome == "unknown"
        assert verify_certificate(session, "not a payload").outcome == "unknown"


@pytest.mark.req("j300")
def test_an_edited_pdf_file_fails_verification(
    db: Database, clerk_a: Actor, family: models.Household
) -> None:
    issued = issue(db, clerk_a, "copy_individual", [atena_numbers(family)[0]], now=FIXED_NOW)
    pdf = issued.copies[0].pdf
    edited = _edit_pdf_text(pdf)
    assert "川田" in pdf_text(edited)
    with db.sessionmaker() as session:
        assert verify_pdf(session, pdf).outcome == "valid"
    with db.sessionmaker() as session:
        assert verify_pdf(session, edited).outcome == "altered"


def _edit_pdf_text(pdf: bytes) -> bytes:
    """Change one printed character (山 → 川) in the page content, as an editing tool would: same font, the
    glyph id of 川 taken from the font's ToUnicode map."""
    import io
    import re as regex

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, StreamObject

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    page = writer.pages[0]
    fonts = page["/Resources"]["/Font"]
    for name in fonts:
        cmap = fonts[name].get_object()["/ToUnicode"].get_object().get_data().decode("latin-1")
        pairs = dict(regex.findall(r"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4,8})>", cmap))
        by_char = {chr(int(u, 16)) if len(u) == 4 else "": g for g, u in pairs.items()}
        if "山" in by_char and "川" in by_char:
            data, swapped = _swap_first_glyph(page.get_contents().get_data(), by_char["山"], by_char["川"])
            assert swapped
            stream = StreamObject()
            stream.set_data(data)
            page[NameObject("/Contents")] = writer._add_object(stream)
            out = io.BytesIO()
            writer.write(out)
            return out.getvalue()
    raise AssertionError("no font maps both 山 and 川")


@pytest.mark.req("j300")
def test_issuance_history_cannot_be_deleted(
    db: Database, clerk_a: Actor, family: models.Household, setup_session: Session
) -> None:
    issue(db, clerk_a, "copy_individual", [atena_numbers(family)[0]], now=FIXED_NOW)
    assert not any(name.startswith(("delete", "remove", "purge")) for name in dir(issuance_module))
    with db.sessionmaker() as session, pytest.raises(DatabaseError):
        session.execute(text("DELETE FROM certificate_issuance"))
    with db.sessionmaker() as session, pytest.raises(DatabaseError):
        bind_session(session, clerk_a.tenant_id)
        session.execute(delete(models.CertificateIssuance).execution_options(synchronize_session=False))
    row = setup_session.scalars(select(models.CertificateIssuance)).one()
    assert row.status == "issued"
    setup_session.delete(row)
    with pytest.raises(IssuanceDeletionRefusedError):
        setup_session.flush()


def _swap_first_glyph(data: bytes, old: str, new: str) -> tuple[bytes, bool]:
    """Replace the first glyph id ``old`` with ``new`` inside the hex text strings of a content stream."""
    import re as regex

    done: list[bool] = []

    def swap(match: regex.Match[bytes]) -> bytes:
        glyphs = [match.group(1)[i : i + 4].decode() for i in range(0, len(match.group(1)), 4)]
        if not done and old.lower() in glyphs:
            glyphs[glyphs.index(old.lower())] = new.lower()
            done.append(True)
        return b"<" + "".join(glyphs).encode() + b">"

    return regex.sub(rb"<([0-9a-f]+)>", swap, data), bool(done)
