"""住所辞書の引用 in headless chromium (j250): at a 転入's address the 住所カナ入力 「カ ヨ ナ ヤマシ」 offers
山下町, whose choice fills the postcode, the address and its 住所コード; the lists 都道府県 → 市区町村 → 大字 choose a
town of the city with its code, and for a 本籍 in another prefecture they stop at its 市区町村 for the rest to be
typed.  The demo's dictionary is Japan Post's, loaded into the database."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.req("j250")]


def wait_for_option(page: Any, select: str, label: str) -> None:
    page.wait_for_function(
        "([id, label]) => Array.from(document.querySelectorAll(id + ' option')).some(o => o.textContent === label)",
        arg=[select, label],
    )


def test_the_kana_of_each_level_fills_the_postcode_the_address_and_its_code(journey: Any) -> None:
    clerk = journey("clerk")
    clerk.go("/cases/new/move_in")
    page = clerk.page
    page.fill("#address-kana", "カ ヨ ナ ヤマシ")
    button = page.get_by_role("button", name="神奈川県横浜市中区山下町（231-0023）")
    button.wait_for()
    clerk.shot("kana-candidates")
    button.click()
    assert page.input_value("#address") == "神奈川県横浜市中区山下町"
    assert page.input_value("#postal_code") == "231-0023"
    code = page.input_value("#address_code")
    assert len(code) == 11 and code.startswith("14104") and code.endswith("000")
    page.fill("#address", "神奈川県横浜市港北区日吉1番地")  # another town typed over it: the code goes
    assert page.input_value("#address_code") == ""


def test_the_lists_choose_a_town_with_its_code_and_a_honseki_elsewhere_down_to_its_municipality(
    journey: Any,
) -> None:
    clerk = journey("clerk")
    clerk.go("/cases/new/move_in")
    page = clerk.page
    page.locator(".address-pick").first.get_by_role("button", name="一覧から選ぶ").click()
    wait_for_option(page, "#address-level-prefecture", "神奈川県")
    page.select_option("#address-level-prefecture", label="神奈川県")
    wait_for_option(page, "#address-level-municipality", "横浜市中区")
    page.select_option("#address-level-municipality", label="横浜市中区")
    wait_for_option(page, "#address-level-oaza", "山下町")
    page.select_option("#address-level-oaza", label="山下町")
    assert page.input_value("#address") == "神奈川県横浜市中区山下町"
    assert page.input_value("#address_code").startswith("14104")
    assert page.input_value("#postal_code") == "231-0023"
    clerk.shot("address-lists")

    honseki = "#members-0-honseki"
    page.locator(honseki).locator(
        "xpath=ancestor::div[contains(@class,'field')][1]/following-sibling::div[1]"
    ).get_by_role("button", name="一覧から選ぶ").click()
    wait_for_option(page, honseki + "-level-prefecture", "長野県")
    page.select_option(honseki + "-level-prefecture", label="長野県")
    wait_for_option(page, honseki + "-level-municipality", "佐久市")
    page.select_option(honseki + "-level-municipality", label="佐久市")
    assert page.input_value(honseki) == "長野県佐久市"
    assert page.locator(honseki + "-level-oaza").is_disabled()  # another municipality: the rest is typed
    clerk.shot("honseki-lists")
