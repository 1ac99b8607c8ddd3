"""Whole counter journeys in headless chromium at 1366×768: 転入 of a family and its review, a 転出 of one
member, a rejected review fixed at intake, and the 転入 done with the keyboard alone (j400)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from handlers.clock import japan_today
from tests.browser.conftest import register_family

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.req("j400", "j530", "j540", "j560")]

MOVED = japan_today() - dt.timedelta(days=4)
MOVED_WAREKI = f"令和{MOVED.year - 2018}年{MOVED.month}月{MOVED.day}日"
FAMILY = [
    ("太郎", "タロウ", "昭和55年4月1日", "1", "世帯主"),
    ("花子", "ハナコ", "1982-06-15", "2", "妻"),
    ("一郎", "イチロウ", "平成22年1月20日", "1", "子"),
]


def fill_move_in(page: Any, family_name: str, family_kana: str, *, katagaki: str = "") -> None:
    page.fill("#change_date", MOVED_WAREKI)
    page.fill("#postal_code", "231-0017")
    page.wait_for_function("() => document.getElementById('address').value.includes('港町')")
    page.fill("#address", page.input_value("#address") + "1丁目1番地")
    if katagaki:
        page.fill("#address_katagaki", katagaki)
    page.fill("#former_address", "長野県佐久市中込1番地")
    page.fill("#former_municipality_code", "202177")
    for _ in range(len(FAMILY) - 1):
        page.get_by_role("button", name="転入者を1人追加").click()
    for index, (given, kana, birth, sex, relation) in enumerate(FAMILY):
        prefix = f"#members-{index}-"
        page.fill(prefix + "family_name", family_name)
        page.fill(prefix + "given_name", given)
        page.fill(prefix + "family_name_kana", family_kana)
        page.fill(prefix + "given_name_kana", kana)
        page.fill(prefix + "birth_date", birth)
        page.select_option(prefix + "sex", sex)
        page.select_option(prefix + "relation_to_head", relation)
        page.fill(prefix + "honseki", "東京都千代田区千代田1番")
        page.fill(prefix + "hittosha", f"{family_name} 太郎")


def case_number(page: Any) -> str:
    match = re.search(r"受付番号 ([0-9A-Za-z-]+)", page.inner_text("h1"))
    assert match, page.inner_text("main")
    return match.group(1)


def approve(tab: Any, number: str) -> None:
    tab.go("/tasks")
    row = tab.page.locator("tr", has_text=number).filter(has_text="審査・決裁").first
    row.get_by_role("link", name="審査する").click()
    tab.page.wait_for_url(re.compile(r".*/review$"))
    tab.shot("review-side-by-side")
    for box in tab.page.locator("input[name=acknowledgements]").all():
        box.check()
    tab.page.get_by_role("button", name="承認して本登録する").click()
    tab.page.wait_for_url(re.compile(r".*/cases/\d+$"))
    tab.shot("approved")
    main = tab.page.inner_text("main")
    assert "本登録済み" in main
    assert "エラー停止" not in main and "エラー" not in tab.page.inner_text("table"), (
        "the case stopped after 本登録"
    )


def test_a_family_of_three_moves_in_is_approved_and_found_by_kana(journey: Any) -> None:
    clerk = journey("clerk")
    clerk.go("/tasks")
    clerk.shot("queues")
    clerk.page.get_by_role("link", name="新しい異動を入力").click()
    clerk.page.get_by_role("link", name="転入", exact=True).click()
    fill_move_in(clerk.page, "青葉", "アオバ")
    clerk.shot("move-in-filled")
    clerk.page.get_by_role("button", name="入力内容を確定（仮登録）").click()
    clerk.page.wait_for_url(re.compile(r".*/cases/\d+$"))
    number = case_number(clerk.page)
    clerk.shot("provisional")

    supervisor = journey("supervisor")
    approve(supervisor, number)

    clerk.go("/residents/search")
    clerk.page.fill("#f-kana", "アオバ")
    clerk.page.get_by_role("button", name="検索").click()
    results = clerk.page.locator("table.results tbody tr")
    assert results.count() == 3
    assert "港町1丁目1番地" in clerk.page.inner_text("table.results")
    clerk.shot("found-by-kana")


def test_one_member_moves_out(journey: Any, server: Any) -> None:
    numbers = register_family(server, "転出", "テンシュツ")
    clerk = journey("clerk")
    clerk.go("/cases/new/move_out")
    planned = japan_today() + dt.timedelta(days=7)
    clerk.page.fill("#atena_numbers", numbers[2])
    clerk.page.fill("#change_date", planned.isoformat())
    clerk.page.fill("#municipality_code", "202177 長野県佐久市")
    clerk.page.fill("#address", "長野県佐久市中込2番地")
    clerk.shot("move-out-filled")
    clerk.page.get_by_role("button", name="入力内容を確定（仮登録）").click()
    clerk.page.wait_for_url(re.compile(r".*/cases/\d+$"))
    number = case_number(clerk.page)
    clerk.shot("provisional")
    supervisor = journey("supervisor")
    approve(supervisor, number)
    assert "転出" in supervisor.page.inner_text("main")
    supervisor.go(f"/residents/{numbers[2]}")
    assert "転出予定" in supervisor.page.inner_text("main")
    supervisor.shot("record-moving-out")


def test_a_rejected_review_comes_back_to_intake_and_is_fixed(journey: Any) -> None:
    clerk = journey("clerk")
    clerk.go("/cases/new/move_in")
    fill_move_in(clerk.page, "桜木", "サクラギ")
    clerk.page.fill("#members-1-given_name", "")
    clerk.page.get_by_role("button", name="入力内容を確定（仮登録）").click()
    clerk.page.wait_for_selector("#error-summary")
    clerk.page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'error-summary'"
    )
    clerk.shot("error-summary")
    clerk.page.get_by_role("link", name=re.compile("名：")).click()
    assert clerk.page.evaluate("document.activeElement.id") == "members-1-given_name"
    clerk.page.fill("#members-1-given_name", "花子")
    clerk.page.get_by_role("button", name="入力内容を確定（仮登録）").click()
    clerk.page.wait_for_url(re.compile(r".*/cases/\d+$"))
    number = case_number(clerk.page)

    supervisor = journey("supervisor")
    supervisor.go("/tasks")
    supervisor.page.locator("tr", has_text=number).get_by_role("link", name="審査する").click()
    supervisor.page.fill("#f-reason", "方書（建物名）が抜けています")
    supervisor.page.get_by_role("button", name="差し戻す").click()
    supervisor.page.wait_for_url(re.compile(r".*/cases/\d+$"))
    supervisor.shot("rejected")

    clerk.go("/tasks")
    clerk.page.locator("tr", has_text=number).get_by_role("link", name="再入力する").click()
    assert "方書（建物名）が抜けています" in clerk.page.inner_text("main")
    assert clerk.page.input_value("#members-2-given_name") == "一郎"
    clerk.page.fill("#address_katagaki", "桜木ハイツ101")
    clerk.shot("re-entry")
    clerk.page.get_by_role("button", name="入力内容を確定（仮登録）").click()
    clerk.page.wait_for_url(re.compile(r".*/cases/\d+$"))
    approve(supervisor, number)
    supervisor.go("/residents/search?kana=サクラギ")
    assert "桜木ハイツ101" in supervisor.page.inner_text("table.results")


def tab_to(page: Any, element_id: str, limit: int = 250) -> None:
    """Press Tab until ``element_id`` has the focus (fails if it is not reachable by keyboard)."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def type_into(page: Any, element_id: str, text: str) -> None:
    tab_to(page, element_id)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose(page: Any, element_id: str, steps: int) -> None:
    tab_to(page, element_id)
    for _ in range(steps):
        page.keyboard.press("ArrowDown")


RELATION_STEPS = {"世帯主": 1, "妻": 5, "子": 8}


def keyboard_sign_in(tab: Any) -> None:
    import pyotp

    from tests import factories

    tab.go("/login")
    tab.page.wait_for_function("() => document.activeElement && document.activeElement.id === 'login_id'")
    tab.page.keyboard.type(tab.login_id)  # the login id has the autofocus
    tab.page.keyboard.press("Tab")
    tab.page.keyboard.type(factories.DEFAULT_PASSWORD)
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url(re.compile(r".*/login/totp"))
    tab.page.wait_for_function("() => document.activeElement && document.activeElement.id === 'code'")
    tab.page.keyboard.type(pyotp.TOTP(factories.TEST_TOTP_SECRET).now())
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url(lambda url: "/login" not in url)


def test_the_whole_move_in_is_done_with_the_keyboard_only(journey: Any) -> None:
    clerk = journey("clerk", sign_in=False)
    page = clerk.page
    keyboard_sign_in(clerk)
    clerk.go("/cases/new/move_in")
    type_into(page, "change_date", MOVED_WAREKI)
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    type_into(page, "postal_code", "2310017")
    page.wait_for_function("() => document.getElementById('address').value.includes('港町')")
    tab_to(page, "address")
    page.keyboard.press("End")
    page.keyboard.type("1丁目2番地")
    type_into(page, "former_address", "長野県佐久市中込1番地")
    clerk.shot("keyboard-address")
    for count in (1, 2):
        tab_to(page, "add_member")
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#members-{count}-family_name")
        page.keyboard.press("Tab")  # the page reloaded: start again from the top
    for index, (given, kana, birth, sex, relation) in enumerate(FAMILY):
        prefix = f"members-{index}-"
        type_into(page, prefix + "family_name", "港")
        type_into(page, prefix + "given_name", given)
        type_into(page, prefix + "family_name_kana", "ミナト")
        type_into(page, prefix + "given_name_kana", kana)
        type_into(page, prefix + "birth_date", birth)
        choose(page, prefix + "sex", int(sex))
        choose(page, prefix + "relation_to_head", RELATION_STEPS[relation])
        type_into(page, prefix + "honseki", "東京都千代田区千代田1番")
        type_into(page, prefix + "hittosha", "港 太郎")
    clerk.shot("keyboard-members")
    tab_to(page, "note")
    page.keyboard.press("Enter")  # Enter in a field submits the form (the default button is 確定)
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    number = case_number(page)
    clerk.shot("keyboard-provisional")

    supervisor = journey("supervisor", sign_in=False)
    keyboard_sign_in(supervisor)
    supervisor.go("/tasks")
    review_link = supervisor.page.locator("tr", has_text=number).get_by_role("link", name="審査する")
    href = review_link.get_attribute("href")
    for _ in range(300):
        if (
            supervisor.page.evaluate("document.activeElement && document.activeElement.getAttribute('href')")
            == href
        ):
            break
        supervisor.page.keyboard.press("Tab")
    supervisor.page.keyboard.press("Enter")
    supervisor.page.wait_for_url(re.compile(r".*/review$"))
    for box in range(supervisor.page.locator("input[name=acknowledgements]").count()):
        tab_to(supervisor.page, f"ack-{box + 1}")
        supervisor.page.keyboard.press("Space")
    tab_to(supervisor.page, "decision-approve")
    supervisor.shot("keyboard-review")
    supervisor.page.keyboard.press("Enter")
    supervisor.page.wait_for_url(re.compile(r".*/cases/\d+$"))
    assert "本登録済み" in supervisor.page.inner_text("main")
    supervisor.shot("keyboard-approved")


@pytest.mark.req("j20", "j530")
def test_a_family_with_a_foreign_member_moves_in_and_is_registered_from_the_provisional_list(
    journey: Any,
) -> None:
    clerk = journey("clerk")
    clerk.go("/cases/new/move_in")
    page = clerk.page
    page.fill("#change_date", MOVED.isoformat())
    page.fill("#postal_code", "231-0017")
    page.wait_for_function("() => document.getElementById('address').value.includes('港町')")
    page.fill("#address", page.input_value("#address") + "2丁目5番地")
    page.fill("#former_address", "長野県佐久市中込3番地")
    page.get_by_role("button", name="転入者を1人追加").click()
    for selector, value in {
        "#members-0-family_name": "若葉", "#members-0-given_name": "健", "#members-0-family_name_kana": "ワカバ",
        "#members-0-given_name_kana": "ケン", "#members-0-birth_date": "昭和60年5月5日",
        "#members-0-honseki": "東京都千代田区千代田1番", "#members-0-hittosha": "若葉 健",
        "#members-1-name_alphabet": "WAKABA OLIVIA", "#members-1-family_name_kana": "ワカバ",
        "#members-1-given_name_kana": "オリビア", "#members-1-birth_date": "1988-09-12",
        "#members-1-foreign-nationality": "オーストラリア", "#members-1-foreign-residence_status": "日本人の配偶者等",
        "#members-1-foreign-period_of_stay": "3年", "#members-1-foreign-stay_expiry_date": "2029-09-30",
        "#members-1-foreign-residence_card_number": "WX12345678YZ",
    }.items():  # fmt: skip
        page.fill(selector, value)
    page.select_option("#members-0-sex", "1")
    page.select_option("#members-0-relation_to_head", "世帯主")
    page.select_option("#members-1-resident_kind", "foreign")
    page.select_option("#members-1-sex", "2")
    page.select_option("#members-1-relation_to_head", "妻")
    page.select_option("#members-1-foreign-foreign_category", "mid_long_term")
    clerk.shot("foreign-member-filled")
    page.get_by_role("button", name="入力内容を確定（仮登録）").click()
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    number = case_number(page)
    clerk.shot("provisional")

    supervisor = journey("supervisor")
    supervisor.go("/cases/provisional")
    row = supervisor.page.locator("tr", has_text=number)
    assert "WAKABA OLIVIA" in row.inner_text()
    supervisor.shot("provisional-list")
    row.locator("input[name=case_ids]").check()
    for box in row.locator("input[type=checkbox][name^=ack-]").all():
        box.check()
    supervisor.page.get_by_role("button", name="選択した案件を本登録").click()
    supervisor.page.wait_for_selector("[data-outcome]")
    assert (
        supervisor.page.locator("tr[data-outcome]", has_text=number).get_attribute("data-outcome")
        == "approved"
    )
    supervisor.shot("registered-from-list")

    clerk.go("/residents/search")
    clerk.page.fill("#f-kana", "ワカバ")
    clerk.page.get_by_role("button", name="検索").click()
    assert clerk.page.locator("table.results tbody tr").count() == 2
    clerk.shot("found-by-kana")


@pytest.mark.req("j240")
def test_a_postcode_typed_before_the_address_dictionary_arrives_still_fills_the_address(journey: Any) -> None:
    clerk = journey("clerk")
    held: list[Any] = []
    clerk.page.route("**/counter/address-dictionary", lambda route: held.append(route))  # held back
    clerk.go("/cases/new/move_in")
    while not held:
        clerk.page.wait_for_timeout(50)
    clerk.page.fill("#postal_code", "231-0017")
    assert clerk.page.input_value("#address") == ""
    held[0].continue_()
    clerk.page.wait_for_function("() => document.getElementById('address').value.includes('港町')")
