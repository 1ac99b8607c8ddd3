"""MJ characters on certificates (spec notes §8): 髙, 﨑, 𠮷 and an ideographic variation sequence (葛 + VS19) print with
IPAmj明朝 embedded, each with a real glyph (never .notdef), and the IVS selects its own glyph."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops
from sqlalchemy.orm import Session

import models
from handlers.certificates.render import html_to_pdf
from handlers.context import Actor
from handlers.db import Database
from tests import factories
from tests.certificates.conftest import FIXED_NOW, issue
from tests.certificates.pdf_tools import flat, page_images, pdf_fonts, pdf_text

IVS_KATSU = "葛\U000e0102"  # 葛 + VS19: MJ022335 (IPAmj registers 葛 in the Moji_Joho collection, VS19–VS25)
NOT_A_CHARACTER = "\U0010fffd"  # private use: no font has it, so it draws .notdef


def glyph_image(text: str, tmp_path: Path) -> Image.Image:
    pdf = html_to_pdf(f'<html><body><div style="font-size:72pt">{text}</div></body></html>')
    folder = tmp_path / f"g{abs(hash(text))}"
    folder.mkdir()
    return Image.open(page_images(pdf, folder, resolution=20)[0]).convert("L")


def same_image(a: Image.Image, b: Image.Image) -> bool:
    return ImageChops.difference(a, b).getbbox() is None


@pytest.mark.req("j1000")
def test_mj_characters_print_with_ipamj_embedded(
    db: Database, clerk_a: Actor, setup_session: Session, certifying_city: models.Municipality, tmp_path: Path
) -> None:
    household = factories.make_household_row(setup_session, certifying_city, number=901)
    person = factories.make_resident_row(
        setup_session, household, number=902, family_name="髙﨑", given_name=f"𠮷{IVS_KATSU}"
    )
    setup_session.flush()
    pdf = issue(db, clerk_a, "copy_individual", [person.atena_number], now=FIXED_NOW).pdf
    text = flat(pdf_text(pdf))
    for char in ("髙", "﨑", "𠮷", "葛"):
        assert char in text, char
    fonts = pdf_fonts(pdf, tmp_path).splitlines()[2:]
    assert fonts and all("IPAmj" in line and " yes yes yes " in line for line in fonts), fonts


@pytest.mark.req("j1000")
@pytest.mark.parametrize("char", ["髙", "﨑", "𠮷", IVS_KATSU])
def test_each_mj_character_has_a_real_glyph(char: str, tmp_path: Path) -> None:
    notdef = glyph_image(NOT_A_CHARACTER, tmp_path)
    drawn = glyph_image(char, tmp_path)
    assert not same_image(drawn, notdef)
    assert drawn.getbbox() is not None or ImageChops.invert(drawn).getbbox() is not None


@pytest.mark.req("j1000")
def test_the_variation_sequence_selects_its_own_glyph(tmp_path: Path) -> None:
    assert not same_image(glyph_image("葛", tmp_path), glyph_image(IVS_KATSU, tmp_path))
