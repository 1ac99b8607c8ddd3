"""Entry help in headless chromium: a supervisor registers a 方書 at its 住所地番 on the 方書管理 page (j260,
real CSRF); at the counter the address typed for a 転入 brings that 方書 up as a button that fills the 方書
field (j520), and a 本籍 field — of a 転入 or of a correction — offers the entered 現住所 and 転入前住所 or
the household's 本籍 as candidates (j510)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import register_family

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOT = "神奈川県横浜市中区港町1丁目5番地"


@pytest.mark.req("j260", "j520")
def test_a_katagaki_registered_on_its_page_is_offered_at_the_counter_for_its_lot(journey: Any) -> None:
    supervisor = journey("supervisor")
    supervisor.go("/settings/katagaki/new")
    supervisor.page.fill("#address", "神奈川県横浜市中区港町一丁目5番地")
    supervisor.page.fill("#name", "ブラウザ荘")
    supervisor.page.fill("#name_kana", "ブラウザソウ")
    supervisor.page.select_option("#kind", "apartment")
    supervisor.page.get_by_role("button", name="保存").click()
    supervisor.page.wait_for_url(re.compile(r".*/settings/katagaki\?address="))
    assert "ブラウザ荘" in supervisor.page.inner_text("table")
    supervisor.shot("katagaki-registered")

    clerk = journey("clerk")
    clerk.go("/cases/new/move_in")
    page = clerk.page
    page.fill("#postal_code", "231-0017")
    page.wait_for_function("() => document.getElementById('address').value.includes('港町')")
    page.fill("#address", page.input_value("#address") + "1丁目5番地")
    page.press("#address", "Tab")  # the address is entered: its 方書 are asked for
    button = page.get_by_role("button", name="ブラウザ荘")
    button.wait_for()
    clerk.shot("katagaki-offered")
    button.click()
    assert page.input_value("#address_katagaki") == "ブラウザ荘"
    assert "部屋番号があれば続けて入力してください" in page.inner_text("#address-help-status")
    page.fill("#address", "神奈川県横浜市中区港町1丁目6番地")
    page.press("#address", "Tab")
    page.wait_for_function("() => !document.querySelector('.katagaki-candidate')")  # another lot: none


@pytest.mark.req("j510")
def test_a_honseki_field_offers_the_entered_address_and_previous_address(journey: Any) -> None:
    clerk = journey("clerk")
    clerk.go("/cases/new/move_in")
    page = clerk.page
    page.fill("#address", LOT)
    page.fill("#former_address", "長野県佐久市中込1番地")
    page.focus("#members-0-honseki")
    previous = page.get_by_role("button", name="転入前住所：長野県佐久市中込1番地")
    previous.wait_for()
    assert page.get_by_role("button", name=f"現住所：{LOT}").count() == 1
    clerk.shot("honseki-offered")
    previous.click()
    assert page.input_value("#members-0-honseki") == "長野県佐久市中込1番地"


@pytest.mark.req("j510")
def test_a_correction_of_the_honseki_offers_the_heads_honseki_and_fills_the_hittosha_row(
    journey: Any, server: Any
) -> None:
    numbers = register_family(server, "補助", "ホジョ")
    clerk = journey("clerk")
    clerk.go("/cases/new/koseki_notice")
    page = clerk.page
    page.fill("#atena_number", numbers[2])
    page.select_option("#changes-0-item", "honseki")
    page.select_option("#changes-1-item", "hittosha")
    page.focus("#changes-0-value")
    head = page.get_by_role("button", name="世帯主の本籍（補助 太郎）：東京都千代田区千代田1番")
    head.wait_for()
    clerk.shot("correction-honseki-offered")
    head.click()
    assert page.input_value("#changes-0-value") == "東京都千代田区千代田1番"
    assert page.input_value("#changes-1-value") == "補助 太郎"


@pytest.mark.req("j510")
def test_an_atena_number_not_on_the_register_is_asked_without_a_console_error(journey: Any) -> None:
    clerk = journey("clerk")
    page = clerk.page
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    clerk.go("/cases/new/koseki_notice")
    page.fill("#atena_number", "99999")
    page.select_option("#changes-0-item", "honseki")
    with page.expect_response(lambda response: "/counter/honseki" in response.url) as asked:
        page.focus("#changes-0-value")
    assert asked.value.status == 200 and asked.value.json()["found"] is False
    page.wait_for_timeout(200)
    assert errors == [] and page.locator(".honseki-candidate").count() == 0
