"""Each certificate layout, page by page, against a stored reference image (pdftoppm -r 50) within a tolerance.

References live in tests/certificates/reference/.  They are (re)written only when asked, with
``JUMIN_UPDATE_REFERENCES=1``; a missing reference otherwise fails the test, never passes it silently.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops
from sqlalchemy.orm import Session

import models
from handlers.certificates import CertificateOptions
from handlers.context import Actor
from handlers.db import Database
from tests import factories
from tests.certificates.conftest import FIXED_NOW, issue
from tests.certificates.pdf_tools import page_images

REFERENCE = Path(__file__).parent / "reference"
UPDATE = os.environ.get("JUMIN_UPDATE_REFERENCES") == "1"
MAX_DIFFERENT_PIXELS = 0.005  # share of pixels whose grey level differs by more than THRESHOLD
THRESHOLD = 48


def difference_ratio(a: Image.Image, b: Image.Image) -> float:
    if a.size != b.size:
        return 1.0
    diff = ImageChops.difference(a.convert("L"), b.convert("L")).point(lambda v: 255 if v > THRESHOLD else 0)
    histogram = diff.histogram()
    return histogram[255] / (a.size[0] * a.size[1])


def _people(session: Session, city: models.Municipality) -> dict[str, models.Resident]:
    household = factories.make_household_row(session, city, number=501)
    household.address_katagaki = "港ハイツ101号室"
    taro = factories.make_resident_row(session, household, number=502)
    taro.honseki, taro.hittosha, taro.resident_code = "東京都千代田区千代田1番", "山田 太郎", "12345678906"
    hanako = factories.make_resident_row(
        session,
        household,
        number=503,
        given_name="花子",
        given_name_kana="ハナコ",
        birth_date=dt.date(1982, 6, 15),
    )
    hanako.relation_to_head, hanako.sex = "妻", "2"
    foreign_household = factories.make_household_row(session, city, number=504)
    smith = factories.make_resident_row(
        session, foreign_household, number=505, family_name="", given_name="",
        family_name_kana="スミス", given_name_kana="ジョン", birth_date=dt.date(1990, 7, 15),
    )  # fmt: skip
    smith.family_name = smith.given_name = None
    smith.resident_kind, smith.name_alphabet, smith.nationality = "foreign", "SMITH JOHN", "アメリカ合衆国"
    smith.foreign_category, smith.residence_status = "mid_long_term", "技術・人文知識・国際業務"
    smith.period_of_stay, smith.stay_expiry_date, smith.residence_card_number = (
        "3年",
        dt.date(2029, 3, 31),
        "AB12345678CD",
    )
    for person in (taro, hanako, smith):
        factories.add_history_row(session, person, reason_code="move_in", change_date=dt.date(2000, 4, 1))
    leaver = factories.make_resident_row(
        session, factories.make_household_row(session, city, number=506), number=506
    )
    removed = factories.remove_resident_row(
        session, leaver, removal_date=dt.date(2026, 10, 1), reason="domestic_move_out"
    )
    return {"taro": taro, "hanako": hanako, "smith": smith, "removed": removed}


CASES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("copy_individual", "copy_individual", "taro", {"options": CertificateOptions(include_head_relation=True, include_honseki=True, include_kana=True)}),
    ("copy_individual_foreign", "copy_individual", "smith", {"options": CertificateOptions(include_kana=True)}),
    ("copy_household_foreign", "copy_household", "smith", {"whole_household": True, "options": CertificateOptions(include_head_relation=True)}),
    ("copy_household", "copy_household", "taro", {"whole_household": True, "options": CertificateOptions(include_head_relation=True)}),
    ("entry_certificate_official", "entry_certificate", "hanako", {"options": CertificateOptions(official_use=True, seal=False)}),
    ("removed_copy", "removed_copy", "removed", {}),
    ("move_out_equivalent", "move_out_equivalent", "removed", {}),
    ("resident_code_notice", "resident_code_notice", "taro", {}),
    ("support_end_notice", "support_end_notice", "hanako", {"options": CertificateOptions(measure_end_date=dt.date(2027, 3, 31))}),
]  # fmt: skip


@pytest.mark.req("j1000", "j1040", "j1050", "j1060")
@pytest.mark.parametrize(("name", "certificate_type", "who", "kwargs"), CASES, ids=[c[0] for c in CASES])
def test_certificate_pages_match_their_reference_images(
    name: str, certificate_type: str, who: str, kwargs: dict[str, Any],
    db: Database, clerk_a: Actor, setup_session: Session, certifying_city: models.Municipality,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("CERTIFICATE_SIGNING_KEY", "reference-images")  # the QR code must not vary
    people = _people(setup_session, certifying_city)
    setup_session.flush()
    pdf = issue(db, clerk_a, certificate_type, [people[who].atena_number], now=FIXED_NOW, **kwargs).pdf
    pages = page_images(pdf, tmp_path)
    if UPDATE:
        REFERENCE.mkdir(exist_ok=True)
        for stale in REFERENCE.glob(f"{name}-*.png"):
            stale.unlink()
        for index, page in enumerate(pages, start=1):
            shutil.copyfile(page, REFERENCE / f"{name}-{index}.png")
    references = sorted(REFERENCE.glob(f"{name}-*.png"))
    assert references, f"no reference image for {name}: run once with JUMIN_UPDATE_REFERENCES=1 and review it"
    assert len(pages) == len(references)
    for page, reference in zip(pages, references, strict=True):
        ratio = difference_ratio(Image.open(page), Image.open(reference))
        assert ratio <= MAX_DIFFERENT_PIXELS, f"{reference.name}: {ratio:.2%} of pixels differ"
