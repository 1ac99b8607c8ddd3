"""Keyboard operation of the counter forms (j400; JIS X 8341-3 / WCAG 2.1.1, 2.4.3, 3.3.1): every control of an
intake form is reached with Tab in the order of the page, Enter in a field submits the intake as 確定 (what the
clerks rely on) but never from the helper search boxes, and after a refused submit the focus is on the error
summary, whose links lead to fields marked invalid and described by their error."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from handlers.context import Actor
from handlers.uow import unit_of_work
from models.case import Case
from tests.browser.conftest import Server

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.req("j400")]

FOCUSED_ID = "document.activeElement && document.activeElement.id"


def cases_in(server: Server) -> int:
    with unit_of_work(server.db, Actor.system(0, "test"), cross_tenant=True) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Case)) or 0)


def assert_focus_on_summary_then_on_each_field(page: Any) -> None:
    """The refused page has the focus on its error summary (an alert); following an item of the summary puts the
    focus on a field that says it is invalid and is described by its own error message."""
    page.wait_for_function(f"() => ({FOCUSED_ID}) === 'error-summary'")
    summary = page.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    link = summary.locator("a").first
    target = (link.get_attribute("href") or "").removeprefix("#")
    link.click()
    assert page.evaluate(FOCUSED_ID) == target
    field = page.locator(f"[id='{target}']")
    assert field.get_attribute("aria-invalid") == "true"
    described = (field.get_attribute("aria-describedby") or "").split()
    errors = [page.locator(f"[id='{d}']").inner_text() for d in described if d.endswith("-error")]
    assert errors and all(errors), (target, described)


def test_a_half_filled_intake_submitted_with_enter_is_refused_with_the_focus_on_the_error_summary(
    journey: Any, server: Server
) -> None:
    clerk = journey("clerk")
    clerk.go("/cases/new/move_in")
    before = cases_in(server)
    clerk.page.fill("#change_date", "令和7年4月1日")
    clerk.page.focus("#change_date")
    with clerk.page.expect_navigation():
        clerk.page.keyboard.press("Enter")  # Enter in a field submits the intake (default button 確定)
    clerk.shot("refused")
    assert clerk.page.url.endswith("/cases/new/move_in")
    assert clerk.page.input_value("#change_date") == "令和7年4月1日"  # what was typed stays
    assert_focus_on_summary_then_on_each_field(clerk.page)
    assert cases_in(server) == before  # nothing was registered


def test_a_refused_settings_form_puts_the_focus_on_its_error_summary(journey: Any) -> None:
    admin = journey("administrator")
    admin.go("/settings/places/new")
    admin.page.get_by_role("button", name="保存").click()
    admin.page.wait_for_selector("#error-summary")
    admin.shot("refused")
    assert_focus_on_summary_then_on_each_field(admin.page)


def test_a_search_with_an_unreadable_date_puts_the_focus_on_the_problem(journey: Any) -> None:
    clerk = journey("clerk")
    clerk.go("/residents/search")
    clerk.page.fill("#f-birth_date", "昭和九十九年")
    clerk.page.get_by_role("button", name="検索", exact=True).click()
    clerk.page.wait_for_selector("#error-summary")
    clerk.shot("refused")
    assert_focus_on_summary_then_on_each_field(clerk.page)


def test_enter_in_the_helper_search_boxes_searches_and_does_not_submit_the_intake(journey: Any) -> None:
    clerk = journey("clerk")
    page = clerk.page
    clerk.go("/cases/new/move_in")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.stillTheSamePage = true")
    page.fill("#household-kana", "ヤマダ")
    page.focus("#household-kana")
    page.keyboard.press("Enter")
    page.wait_for_selector("#household-results button")  # the households were searched …
    page.fill("#address-kana", "カ")
    page.focus("#address-kana")
    page.keyboard.press("Enter")
    page.wait_for_selector("#address-kana-candidates button")
    clerk.shot("searched")
    assert page.evaluate("window.stillTheSamePage === true")  # … and the page was not submitted
    assert page.locator("#error-summary").count() == 0


CONTROLS = """form => [...form.querySelectorAll('input, select, textarea, button, a[href]')]
    .filter(el => el.type !== 'hidden' && !el.disabled && el.tabIndex >= 0 && el.getClientRects().length > 0)
    .map(el => ({id: el.id || el.name || el.textContent.trim(), radio: el.type === 'radio' ? el.name : ''}))"""
POSITIVE_TABINDEX = "[...document.querySelectorAll('[tabindex]')].filter(el => el.tabIndex > 0).length"


@pytest.mark.parametrize("code", ["move_in", "move_within", "move_out", "household_change"])
def test_every_control_of_the_intake_form_is_reached_with_tab_in_page_order(journey: Any, code: str) -> None:
    """From the first control of the form, Tab visits every control of the form in the order of the page (a
    radio group is one stop); the hidden default 確定 button (the target of Enter) is not a stop."""
    clerk = journey("clerk")
    page = clerk.page
    clerk.go(f"/cases/new/{code}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate(POSITIVE_TABINDEX) == 0  # no tabindex reorders the page
    form = page.locator("form.intake-form")
    controls = [c["id"] for c in form.evaluate(CONTROLS) if not c["radio"]]
    radios = {c["radio"] for c in form.evaluate(CONTROLS) if c["radio"]}
    assert "入力内容を確定" not in controls  # the default button is reached by Enter, not by Tab
    form.evaluate(
        "form => [...form.querySelectorAll('input, select, textarea')].find(el => el.type !== 'hidden').focus()"
    )
    visited: list[str] = []
    groups_visited: set[str] = set()
    for _ in range(len(controls) * 3 + 20):
        here = page.evaluate(
            """() => { const el = document.activeElement;
                       return el && el.closest('form.intake-form') ? {id: el.id || el.name || el.textContent.trim(),
                       radio: el.type === 'radio' ? el.name : ''} : null; }"""
        )
        if here is None:
            break
        if here["radio"]:
            groups_visited.add(here["radio"])
        elif not visited or visited[-1] != here["id"]:
            visited.append(here["id"])
        page.keyboard.press("Tab")
    in_order = [c for c in visited if c in controls]
    assert set(in_order) == set(controls), f"not reached with Tab: {sorted(set(controls) - set(in_order))}"
    assert in_order == [c for c in controls if c in in_order], "Tab does not follow the order of the page"
    assert groups_visited == radios
