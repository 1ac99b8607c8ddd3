"""Names keep their IVS and non-BMP characters end to end; the MJ tables give codes (j370), the network form
(j1090) and variant folding for search (j330)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

import models
from handlers.characters import mj_info, to_network_charset
from handlers.context import Actor
from handlers.db import Database
from handlers.portability import export_tenant
from handlers.residents.presenter import view_resident
from handlers.residents.rekey import rekey_residents
from handlers.residents.search import ResidentQuery, search_residents
from handlers.rules.kanji import fold_name
from handlers.uow import unit_of_work
from tests import factories
from tests.web.auth_helpers import sign_in

IVS_NAME = "葛\U000e0102西"  # 葛 + VS19 (Hanyo-Denshi collection)
IVS_GIVEN = "邊\U000e0104𠮷"


@pytest.mark.req("j330")
@pytest.mark.parametrize(
    ("typed", "stored"),
    [("髙橋", "高橋"), ("高橋", "髙橋"), ("﨑山", "崎山"), ("崎山", "﨑山"), ("邊見", "辺見"), ("邉見", "邊見"),
     ("辺見", "邉見"), ("𦚰坂", "脇坂"), ("脇坂", "𦚰坂"), ("𩵋住", "魚住")],
)  # fmt: skip
def test_variant_forms_fold_to_the_same_search_key(typed: str, stored: str) -> None:
    assert fold_name(typed) == fold_name(stored)


@pytest.mark.req("j330")
def test_only_the_mj_tables_know_some_pairs() -> None:
    from handlers.rules.kanji import VARIANT_TO_REPRESENTATIVE

    assert "𦚰" not in VARIANT_TO_REPRESENTATIVE and fold_name("𦚰") == "脇"


@pytest.mark.req("j370")
def test_mj_info_gives_the_mj_code_code_point_and_jis_membership() -> None:
    taka = mj_info("髙")
    assert taka is not None and (taka.mj_code, taka.ucs, taka.jis_x_0208) == ("MJ028902", "U+9AD9", False)
    assert mj_info("高") is not None and mj_info("高").mj_code == "MJ028901"  # type: ignore[union-attr]
    kichi = mj_info("𠮷")
    assert kichi is not None and kichi.ucs == "U+20BB7" and not kichi.jis_x_0213
    with_ivs = mj_info("葛\U000e0112")
    assert with_ivs is not None and with_ivs.ivs == "U+E0112"
    assert mj_info("a") is None


@pytest.mark.req("j1090")
def test_network_form_strips_ivs_and_reports_what_cannot_be_mapped() -> None:
    result = to_network_charset("髙橋 " + IVS_NAME + "𡉏")
    assert result.text == "高橋 葛西〓" and result.unmapped == ("𡉏",) and result.changed
    assert to_network_charset("﨑", "jisx0213").text == "﨑" and to_network_charset("﨑").text == "崎"


def _register(db: Database, actor: Actor) -> str:
    member = factories.japanese_member(family_name=IVS_NAME, given_name=IVS_GIVEN, hittosha=IVS_NAME)
    household = factories.make_household(db, actor, [member])
    return household.members[0].atena_number


@pytest.mark.req("j10", "j330", "j1410")
def test_an_ivs_name_round_trips_unchanged_through_registration_search_view_and_export(
    db: Database, clerk_a: Actor, users_a: dict[str, models.User], tmp_path: Path
) -> None:
    atena = _register(db, clerk_a)
    with unit_of_work(db, clerk_a) as uow:
        [hit] = search_residents(uow, ResidentQuery(name="葛西"))
        view = view_resident(uow, atena)
    with unit_of_work(db, factories.actor_for(users_a["administrator"])) as uow:
        export_tenant(uow, tmp_path, "jsonl")

    assert hit.atena_number == atena and IVS_NAME in hit.name
    assert view["name"] == f"{IVS_NAME} {IVS_GIVEN}"
    exported = [json.loads(line) for line in (tmp_path / "residents.jsonl").read_text("utf-8").splitlines()]
    assert [(r["family_name"], r["given_name"]) for r in exported] == [(IVS_NAME, IVS_GIVEN)]


@pytest.mark.req("j330")
def test_search_finds_a_person_whatever_variant_is_typed(db: Database, clerk_a: Actor) -> None:
    factories.make_household(db, clerk_a, [factories.japanese_member(family_name="髙橋", given_name="𦚰男")])
    with unit_of_work(db, clerk_a) as uow:
        assert len(search_residents(uow, ResidentQuery(name="高橋"))) == 1
        assert len(search_residents(uow, ResidentQuery(name="髙橋脇男"))) == 1


@pytest.mark.req("j330")
def test_rekey_recomputes_stale_search_keys(
    db: Database, clerk_a: Actor, users_a: dict[str, models.User]
) -> None:
    atena = _register(db, clerk_a)
    with unit_of_work(db, clerk_a) as uow:
        uow.session.execute(
            update(models.Resident).where(models.Resident.atena_number == atena).values(name_key="X")
        )
    with unit_of_work(db, factories.actor_for(users_a["supervisor"])) as uow:
        report = rekey_residents(uow)
    with unit_of_work(db, clerk_a) as uow:
        assert report.residents_changed == 1
        assert len(search_residents(uow, ResidentQuery(name="葛西"))) == 1


@pytest.mark.req("j370")
def test_character_code_page_shows_each_character_with_its_mj_code(
    client: FlaskClient, db: Database, clerk_a: Actor, users_a: dict[str, models.User]
) -> None:
    household = factories.make_household(
        db, clerk_a, [factories.japanese_member(family_name="髙橋", given_name="𠮷男")]
    )
    sign_in(client, users_a["clerk"].login_id)

    page = client.get(f"/residents/{household.members[0].atena_number}/characters").get_data(as_text=True)

    assert "MJ028902" in page and "U+9AD9" in page and "U+20BB7" in page
    assert 'class="mj-glyph">髙<' in page and "css/characters.css" in page
