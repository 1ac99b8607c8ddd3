"""An analyst adds a step in the browser modeler and deploys it: a new case follows the new version while an
older case finishes on the old one.  Headless Debian chromium through Playwright (never `playwright install`)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from werkzeug.serving import make_server

from handlers.context import Actor
from models import User
from tests.factories import DEFAULT_PASSWORD, TEST_TOTP_SECRET
from tests.flows.conftest import RecordingOperators, Step
from tests.workflows.test_move_in_paths import get_case, open_task, start, work

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.req("j530")]

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
SUITE = (
    "postgresql" if os.environ.get("JUMIN_TEST_DATABASE_URL") else "sqlite"
)  # as tests/browser/conftest.py
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / SUITE
VENDOR = Path(__file__).resolve().parents[2] / "webui/static/vendor/bpmn-js/bpmn-modeler.production.min.js"

ADD_STEP = """() => {
  const m = window.flowEditor.modeler;
  const registry = m.get('elementRegistry'), modeling = m.get('modeling'), factory = m.get('elementFactory');
  const issue = registry.get('issue_documents'), end = registry.get('end_move_in');
  modeling.moveShape(end, {x: 160, y: 0});
  const task = modeling.createShape(factory.createShape({type: 'bpmn:UserTask'}),
      {x: issue.x + issue.width + 90, y: issue.y + issue.height / 2}, registry.get('Participant_move_in'));
  modeling.updateProperties(task, {id: 'explain_rules'});
  modeling.reconnectEnd(registry.get('flow_to_end'), task, {x: task.x, y: task.y + task.height / 2});
  const flow = modeling.connect(task, end);
  modeling.updateProperties(flow, {id: 'flow_explained'});
  m.get('selection').select(task);
  return task.id;
}"""


PALETTE_FONT_LOADED = """async () => {
  await document.fonts.ready;
  return [...document.fonts].filter(f => f.family.replace(/["']/g, '') === 'bpmn').map(f => f.status);
}"""


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (make system-deps)")
    if not VENDOR.exists():
        pytest.skip("bpmn-js is not vendored (make node-deps)")
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def sign_in(page, base: str, login_id: str) -> None:  # noqa: ANN001 - playwright Page
    page.goto(f"{base}/login")
    page.fill("[name=login_id]", login_id)
    page.fill("[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/totp")
    page.fill("[name=code]", pyotp.TOTP(TEST_TOTP_SECRET).at(time.time()))
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def test_an_analyst_adds_a_step_and_deploys_new_cases_follow_it_while_old_ones_finish_on_theirs(
    live_server: str,
    step: Step,
    clerk_a: Actor,
    supervisor_a: Actor,
    users_a: dict[str, User],
    operators: RecordingOperators,
    browser: Any,
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    old = start(step, clerk_a)
    # The session's Chromium (tests/browser/conftest.py): a second sync_playwright() in one process fails.
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    refused: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text[:200]))
    sign_in(page, live_server, users_a["analyst"].login_id)
    page.goto(f"{live_server}/flows/move_in")
    page.wait_for_function("() => window.flowReady === true")
    assert page.is_visible(".bjs-powered-by")  # the bpmn.io watermark stays visible (licence)
    # the palette's icons are the bpmn icon font: it loads from /static under the CSP (the embedded
    # stylesheet's data: fonts were refused and the palette showed empty boxes)
    assert page.evaluate(PALETTE_FONT_LOADED) == ["loaded"]
    assert refused == []
    assert page.evaluate(ADD_STEP) == "explain_rules"
    page.fill("#element-form [name=name]", "ごみ出しの説明")
    page.select_option("#element-form [name=lane]", "窓口")
    page.fill("#element-form [name=form_key]", "move_in_explain")
    page.click("#element-form button[type=submit]")
    page.screenshot(path=str(ARTIFACTS / "flow-modeler-step-added.png"))

    page.fill("#deploy-comment", "ごみ出しの説明を追加")
    page.click("#deploy-form button[type=submit]")
    page.wait_for_selector("#deploy-result[data-version='2']", timeout=15000)
    page.screenshot(path=str(ARTIFACTS / "flow-modeler-deployed.png"))

    page.goto(f"{live_server}/flows/move_in")
    page.wait_for_function("() => window.flowReady === true")
    assert page.evaluate("document.querySelectorAll('.flow-deviation').length") >= 3
    page.screenshot(path=str(ARTIFACTS / "flow-modeler-deviation.png"))
    page.close()

    new = start(step, clerk_a)
    assert new.definition_id != old.definition_id
    for case in (old, new):
        work(step, clerk_a, case.id, "intake_move_in", {})
        work(step, supervisor_a, case.id, "review_move_in", {"approved": True})
        work(step, clerk_a, case.id, "issue_documents", {})
    assert get_case(step, clerk_a, old.id).status == "completed"  # finished on version 1
    explain = open_task(step, clerk_a, new.id, "explain_rules")
    assert (explain.name, explain.role, explain.form_key) == ("ごみ出しの説明", "clerk", "move_in_explain")
    work(step, clerk_a, new.id, "explain_rules", {})
    assert get_case(step, clerk_a, new.id).status == "completed"
