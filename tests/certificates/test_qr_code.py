"""The QR code printed on a certificate carries the signed payload: decoded from the rendered page (pdftoppm +
zbarimg, as a phone would read the paper) it verifies as valid, for the fast writer and the WeasyPrint fallback."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

import models
from handlers.certificates import dispose_certificate, verify_certificate
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from tests import factories
from tests.certificates.conftest import FIXED_NOW, atena_numbers, issue
from tests.certificates.pdf_tools import page_images
from tests.certificates.test_fast_writer import weasyprint_calls

pytestmark = pytest.mark.skipif(
    shutil.which("zbarimg") is None,
    reason="zbarimg is not installed (Debian package zbar-tools: make system-deps)",
)


def decoded_qr_codes(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    """The QR payloads zbarimg reads on each page rendered at 300 dpi (a common scanner resolution)."""
    pages = page_images(pdf, tmp_path, resolution=300)
    assert pages, "pdftoppm rendered no page"
    found = []
    for page in pages:
        run = subprocess.run(
            ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(page)],
            capture_output=True,
            text=True,
        )
        found.append([line for line in run.stdout.splitlines() if line])
    return found


@pytest.mark.req("j300")
def test_the_printed_qr_code_decodes_to_a_payload_that_verifies(
    db: Database, clerk_a: Actor, family: models.Household, tmp_path: Path
) -> None:
    taro = atena_numbers(family)[0]
    copy = issue(db, clerk_a, "copy_individual", [taro], now=FIXED_NOW).copies[0]
    decoded = decoded_qr_codes(copy.pdf, tmp_path)
    assert decoded == [[copy.payload]]
    scanned = decoded[0][0]
    with db.sessionmaker() as session:
        result = verify_certificate(session, scanned)
    assert (result.outcome, result.issue_number) == ("valid", copy.issue_number)
    with unit_of_work(db, clerk_a) as uow:
        dispose_certificate(uow, copy.issue_number, "印字かすれのため")
    with db.sessionmaker() as session:
        assert verify_certificate(session, scanned).outcome == "revoked"


@pytest.mark.req("j300")
def test_every_page_of_a_weasyprint_copy_carries_a_qr_code_that_verifies(
    db: Database,
    clerk_a: Actor,
    setup_session: Session,
    certifying_city: models.Municipality,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    household = factories.make_household_row(setup_session, certifying_city, number=951)
    person = factories.make_resident_row(
        setup_session, household, number=952, family_name="髙﨑", given_name="𠮷"
    )
    setup_session.flush()
    calls = weasyprint_calls(monkeypatch)
    copy = issue(db, clerk_a, "copy_individual", [person.atena_number], now=FIXED_NOW).copies[0]
    assert "html_to_pdf" in calls, "control: the rare character sends the copy to WeasyPrint"
    decoded = decoded_qr_codes(copy.pdf, tmp_path)
    assert decoded and all(page == [copy.payload] for page in decoded)
    with db.sessionmaker() as session:
        assert verify_certificate(session, decoded[0][0]).outcome == "valid"
