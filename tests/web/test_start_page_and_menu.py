"""Each role starts on a page it may open, and every page its main menu offers opens for it (no menu entry
that answers 403, no role sent to a page it may not see after signing in)."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from models import User
from tests.web.test_counter_pages import signed_in

ROLES = ("clerk", "supervisor", "analyst", "support_officer", "auditor", "administrator")


def menu_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="app-nav".*?</nav>', html, re.S)
    assert nav, "no main menu on the page"
    return re.findall(r'href="([^"]+)"', nav.group(0))


@pytest.mark.parametrize("role", ROLES)
def test_a_role_starts_on_a_page_it_may_open_and_every_menu_entry_opens(
    app: Flask, users_a: dict[str, User], role: str
) -> None:
    client = signed_in(app, users_a[role])
    start = client.get("/")
    assert start.status_code == 302
    landing = client.get(start.location)
    assert landing.status_code == 200, (role, start.location)
    links = menu_links(landing.get_data(as_text=True))
    assert links, f"{role} sees an empty menu"
    refused = [link for link in links if client.get(link).status_code != 200]
    assert refused == [], f"{role}'s menu offers pages it cannot open: {refused}"


@pytest.mark.parametrize("role", ROLES)
def test_the_title_link_of_every_page_leads_to_a_page_the_role_may_open(
    app: Flask, users_a: dict[str, User], role: str
) -> None:
    client = signed_in(app, users_a[role])
    landing = client.get(client.get("/").location).get_data(as_text=True)
    brand = re.search(r'<div class="brand"><a href="([^"]+)"', landing)
    assert brand, "no title link on the page"
    answer = client.get(brand.group(1), follow_redirects=True)
    assert answer.status_code == 200, (role, brand.group(1))


def test_the_support_officer_finds_the_support_measure_pages_in_the_menu(
    app: Flask, users_a: dict[str, User]
) -> None:
    client = signed_in(app, users_a["support_officer"])
    links = menu_links(client.get(client.get("/").location).get_data(as_text=True))
    assert "/support-measures/tasks" in links and "/support-measures/new" in links


def test_a_signed_in_user_who_opens_the_second_factor_page_stays_signed_in(
    app: Flask, users_a: dict[str, User]
) -> None:
    client = signed_in(app, users_a["clerk"])
    for page in ("/login", "/login/totp", "/login/enrol"):
        assert client.get(page).status_code == 302
    assert client.get("/residents/search").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_every_role_finds_the_conformance_report_in_the_menu(
    app: Flask, users_a: dict[str, User], role: str
) -> None:
    client = signed_in(app, users_a[role])
    links = menu_links(client.get(client.get("/").location).get_data(as_text=True))
    assert "/conformance" in links
    assert client.get("/conformance").status_code == 200


def test_every_page_links_the_icon_and_favicon_ico_answers_without_sign_in(
    app: Flask, users_a: dict[str, User]
) -> None:
    anonymous = app.test_client()
    icon = anonymous.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.get_data()
    assert 'rel="icon" href="/static/favicon.svg"' in anonymous.get("/login").get_data(as_text=True)
    client = signed_in(app, users_a["clerk"])
    page = client.get("/residents/search").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page
    assert client.get("/static/favicon.svg").status_code == 200
