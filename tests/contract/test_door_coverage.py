"""A door added without coverage fails here: every URL rule, every BPMN service-task operator and every Celery
task has an entry in tests/contract/doors.py, and every entry still names a live door (j1370, j410)."""

from __future__ import annotations

import importlib
import re

import pytest
from flask import Flask

from handlers.cases.operators import STEPS
from handlers.changes.base import change_types
from tests.contract.doors import CELERY_TASKS, CHANGE_TYPE_STEPS, OPERATORS, PUBLIC, ROUTES
from worker.celery_app import celery_app
from workflows.engine import registry

pytestmark = pytest.mark.req("j160", "j410", "j1370", "j1380")


def live_operator_names() -> set[str]:
    registry.is_registered("certificate_request.check_disclosure")  # loads the resolver modules
    importlib.import_module("handlers.changes.catalog")
    generic = {f"{code}.{step}" for code in change_types() for step in STEPS}
    return set(registry.names()) | generic


def declared_operator_names() -> set[str]:
    generic = {f"{code}.{step}" for code in change_types() for step in CHANGE_TYPE_STEPS}
    return set(OPERATORS) | generic


def test_every_url_rule_has_a_door_entry(app: Flask) -> None:
    live = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(live - set(ROUTES))
    assert not missing, f"doors without a coverage entry in tests/contract/doors.py ROUTES: {missing}"
    stale = sorted(set(ROUTES) - live)
    assert not stale, f"entries for doors that no longer exist: {stale}"


def test_every_door_entry_reaches_its_endpoint(app: Flask) -> None:
    """The declared call (method and URL with sample values) is routed to the endpoint it covers."""
    adapter = app.url_map.bind("localhost")
    wrong = {}
    for endpoint, door in ROUTES.items():
        url = re.sub(r"\{[a-z_]+\}", "1", door.url)
        try:
            routed, _ = adapter.match(url, method=door.method)
        except Exception as error:  # noqa: BLE001 - reported below
            routed = repr(error)
        if routed != endpoint:
            wrong[endpoint] = routed
    assert not wrong, f"declared calls routed elsewhere: {wrong}"


def test_only_pages_without_resident_data_are_public(app: Flask) -> None:
    """Public doors are declared one by one; a door is public only if it needs no sign-in (the manual too: the
    sign-in screens have their help)."""
    public = {endpoint for endpoint, door in ROUTES.items() if door.kind == PUBLIC}
    assert public == {"static", "favicon", "auth.login", "auth.totp", "auth.enrol", "certificates.verify",
                      "certificates.verify_api", "api.openapi_document",
                      "ops.healthz", "ops.readyz", "ops.metrics",
                      "help.index", "help.chapter"}  # fmt: skip


def test_every_service_task_operator_has_an_entry() -> None:
    missing = sorted(live_operator_names() - declared_operator_names())
    assert not missing, f"BPMN operators without a coverage entry in tests/contract/doors.py: {missing}"
    stale = sorted(declared_operator_names() - live_operator_names())
    assert not stale, f"entries for operators that no longer exist: {stale}"


def test_every_celery_task_has_an_entry() -> None:
    importlib.import_module("worker.tasks")
    live = {name for name in celery_app.tasks if not name.startswith("celery.")}
    missing = sorted(live - set(CELERY_TASKS))
    assert not missing, f"Celery tasks without a coverage entry in tests/contract/doors.py: {missing}"
    stale = sorted(set(CELERY_TASKS) - live)
    assert not stale, f"entries for Celery tasks that no longer exist: {stale}"
