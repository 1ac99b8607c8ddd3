"""前入力データの複写 (j550) in headless chromium: at a 転入 the clerk copies a person's 氏 from the person
entered before or from the 世帯主, the 筆頭者 from a 氏名, and one address into another; the 旧氏 is never
offered."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.req("j550")]

ADDRESS = "神奈川県横浜市中区港町1丁目7番地"


def test_a_move_in_copies_surnames_names_and_addresses_already_entered(journey: Any) -> None:
    clerk = journey("clerk")
    clerk.go("/cases/new/move_in")
    page = clerk.page
    page.fill("#address", ADDRESS)
    page.fill("#members-0-family_name", "複写")
    page.fill("#members-0-given_name", "太郎")
    page.select_option("#members-0-relation_to_head", "世帯主")
    page.get_by_role("button", name="転入者を1人追加").click()
    page.wait_for_selector("#members-1-family_name")

    page.focus("#members-1-family_name")
    page.get_by_role("button", name="世帯主（1人目）の氏：複写").wait_for()
    page.get_by_role("button", name="前の人の氏：複写").click()
    assert page.input_value("#members-1-family_name") == "複写"

    page.focus("#members-1-hittosha")
    page.get_by_role("button", name="氏名（1人目）：複写 太郎").click()
    assert page.input_value("#members-1-hittosha") == "複写 太郎"
    clerk.shot("hittosha-copied")

    page.focus("#former_address")
    page.get_by_role("button", name=f"住所：{ADDRESS}").click()
    assert page.input_value("#former_address") == ADDRESS

    page.focus("#members-1-former_surname")
    assert page.locator("#members-1-former_surname-copy").count() == 0  # the 旧氏 is never copied (j550)
