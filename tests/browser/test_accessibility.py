"""Accessibility of the staff UI (JIS X 8341-3:2016, WCAG 2.1 level AA): axe-core, read from node_modules (never
served by the app), checks the main pages of every role's menu, signed in once per role, for the WCAG 2.0/2.1 A and
AA rules and axe's best practices (headings in order, landmarks, a skip link, table headers …).  One test per page,
so a failure names the page and lists each rule broken with the elements that break it.  docs/architecture.md
(Accessibility) says what this checks and what it cannot."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import models
from handlers.context import Actor
from handlers.uow import unit_of_work
from tests.browser.conftest import ARTIFACTS, Journey, Server, make_counter_user

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.req("j400")]

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
if not AXE_SCRIPT.exists():
    pytest.skip("axe-core is not installed (make node-deps)", allow_module_level=True)

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FOLDER = ARTIFACTS / "test_accessibility"


@dataclass(frozen=True)
class Screen:
    """A page to check: who opens it and how (a path, or steps that end on it); ``exclude`` lists selectors of
    third-party parts axe is not to judge, each with the reason."""

    role: str | None  # None: signed out
    path: str = ""
    open: Callable[[Journey], None] | None = None
    exclude: tuple[tuple[str, str], ...] = field(default=())


def _first_link(tab: Journey, listing: str, link: str, what: str) -> None:
    tab.go(listing)
    found = tab.page.locator(link).first
    assert found.count() == 1, f"no {what} on {listing}: the demo data should have one"
    tab.go(found.get_attribute("href") or "")


def _resident_record(tab: Journey) -> None:
    _first_link(tab, "/residents/search?kana=ヤマダ", "table.results a[href^='/residents/']", "resident")


def _review(tab: Journey) -> None:
    _first_link(tab, "/tasks", "a[href$='/review']", "case waiting for review")


def _support_measure(tab: Journey) -> None:
    """The demo's support measure of 横浜市 (the officer's lists link to it only through the person)."""
    with unit_of_work(tab.server.db, Actor.system(0, "test"), cross_tenant=True) as uow:
        measure_id = uow.session.scalar(
            select(models.SupportMeasure.id)
            .join(models.Municipality, models.Municipality.id == models.SupportMeasure.tenant_id)
            .where(models.Municipality.code == "141003")
            .order_by(models.SupportMeasure.id)
            .limit(1)
        )
    assert measure_id, "the demo data should hold a support measure in 横浜市"
    tab.go(f"/support-measures/{measure_id}")


def _refused_sign_in(tab: Journey) -> None:
    tab.go("/login")
    tab.page.fill("#login_id", "nobody@141003")
    tab.page.fill("#password", "wrong-password")
    tab.page.click("button[type=submit]")
    tab.page.wait_for_selector("#error-summary")


def _refused_move_in(tab: Journey) -> None:
    tab.go("/cases/new/move_in")
    tab.page.get_by_role("button", name="入力内容を確定（仮登録）").click()
    tab.page.wait_for_selector("#error-summary")


def _flow_modeler(tab: Journey) -> None:
    tab.go("/flows/move_in")
    tab.page.wait_for_selector("#canvas .djs-container svg")


INTAKE = "/cases/new/"
SCREENS: dict[str, Screen] = {
    "sign-in": Screen(None, "/login"),
    "sign-in-refused": Screen(None, open=_refused_sign_in),
    "clerk-home": Screen("clerk", "/"),
    "resident-search": Screen("clerk", "/residents/search?kana=ヤマダ"),
    "resident-record": Screen("clerk", open=_resident_record),
    "history-search": Screen("clerk", "/residents/history-search"),
    "removed-records": Screen("clerk", "/removed-records"),
    "task-queue": Screen("clerk", "/tasks"),
    "change-types": Screen("clerk", "/cases/new"),
    "move-in": Screen("clerk", INTAKE + "move_in"),
    "move-in-refused": Screen("clerk", open=_refused_move_in),
    "move-within": Screen("clerk", INTAKE + "move_within"),
    "move-out": Screen("clerk", INTAKE + "move_out"),
    "household-change": Screen("clerk", INTAKE + "household_change"),
    "certificate-issue": Screen("clerk", "/certificates/issue"),
    "account": Screen("clerk", "/account"),
    "help": Screen("clerk", "/help"),
    "supervisor-task-queue": Screen("supervisor", "/tasks"),
    "case-review": Screen("supervisor", open=_review),
    "provisional-list": Screen("supervisor", "/cases/provisional"),
    "statistics": Screen("supervisor", "/statistics"),
    "statistics-report": Screen("supervisor", "/statistics/report"),
    "batches": Screen("supervisor", "/batches"),
    "katagaki": Screen("supervisor", "/settings/katagaki"),
    "support-tasks": Screen("support_officer", "/support-measures/tasks"),
    "support-suppressed-list": Screen("support_officer", "/support-measures/suppressed"),
    "support-measure": Screen("support_officer", open=_support_measure),
    "support-new": Screen("support_officer", "/support-measures/new"),
    "audit-log-search": Screen("auditor", "/audit-log?action=login"),
    "flows": Screen("analyst", "/flows"),
    # bpmn-js draws the diagram as SVG inside #canvas; its shapes are edited with the pointer and named in the side
    # form, and axe cannot judge the contrast of text drawn over SVG shapes.  The rest of the page is checked.
    "flow-modeler": Screen(
        "analyst", open=_flow_modeler, exclude=(("#canvas", "bpmn-js diagram canvas (third-party SVG)"),)
    ),
    "extraction-wizard": Screen("analyst", "/extraction/wizard"),
    "users": Screen("administrator", "/admin/users"),
    "user-new": Screen("administrator", "/admin/users/new"),
    "settings-options": Screen("administrator", "/settings/options"),
    "settings-destinations": Screen("administrator", "/settings/destinations"),
    "settings-places": Screen("administrator", "/settings/places"),
    "settings-officials": Screen("administrator", "/settings/officials"),
    "settings-addresses": Screen("administrator", "/settings/addresses"),
    "settings-cautions": Screen("administrator", "/settings/cautions"),
}


@pytest.fixture(scope="module")
def tabs(browser: Any, server: Server) -> Iterator[Callable[[str | None], Journey]]:
    """``tabs(role)`` → one tab per role for the whole module, signed in once, with axe-core loaded into every page
    it opens (as an init script: the pages' CSP allows no inline script, and the app never serves axe)."""
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    opened: dict[str | None, Journey] = {}

    def tab(role: str | None) -> Journey:
        if role not in opened:
            journey = Journey(browser, server, FOLDER, make_counter_user(server, role or "clerk"))
            journey.context.add_init_script(path=str(AXE_SCRIPT))
            if role is not None:
                journey.sign_in()
            opened[role] = journey
        return opened[role]

    yield tab
    for journey in opened.values():
        journey.context.close()


def axe_violations(page: Any, exclude: tuple[tuple[str, str], ...] = ()) -> list[dict[str, Any]]:
    """The axe-core violations of the page as it stands (``exclude``: selectors left out)."""
    context = {"exclude": [[selector] for selector, _why in exclude]} if exclude else None
    result = page.evaluate(
        """([context, tags]) => axe.run(context || document,
               {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})""",
        [context, AXE_TAGS],
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


@pytest.mark.parametrize("name", list(SCREENS))
def test_the_page_has_no_accessibility_violations(tabs: Callable[[str | None], Journey], name: str) -> None:
    screen = SCREENS[name]
    tab = tabs(screen.role)
    if screen.open is not None:
        screen.open(tab)
    else:
        tab.go(screen.path)
    tab.page.wait_for_load_state("networkidle")
    assert tab.page.locator("html").get_attribute("lang") == "ja"
    violations = axe_violations(tab.page, screen.exclude)
    if violations:
        tab.shot(name)
    assert not violations, f"{name} ({tab.page.url}):\n{describe(violations)}"


def test_axe_does_find_a_violation(tabs: Callable[[str | None], Journey]) -> None:
    """The check itself works: an input without a label, added to a page, is reported."""
    tab = tabs("clerk")
    tab.go("/residents/search")
    tab.page.evaluate("document.querySelector('main').append(document.createElement('input'))")
    assert "label" in {v["id"] for v in axe_violations(tab.page)}
