"""Issue 2 part 2: a user of city B holding every role (so no permission is the excuse), or a city-B API token
with every role, reaches nothing of city A through any route (j1380, j160).

Parametrized over tests/contract/doors.py ROUTES: a door whose URL names one of city A's objects answers 404 or
403; no response of any door contains one of city A's strings (names, kana, addresses, 宛名番号, 世帯番号, the
case number)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

import models
from tests.contract.doors import OBJECT, PUBLIC, ROUTES, Door
from tests.contract.world import World

pytestmark = pytest.mark.req("j160", "j1380")


def fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format(**values) if "{" in value else value
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    return value


def call(client: FlaskClient, door: Door, world: World, token: str | None = None) -> TestResponse:
    values = world.url_values
    headers = {"Authorization": f"Bearer {token}"} if door.caller == "api" and token else {}
    return client.open(
        fill(door.url, values),
        method=door.method,
        query_string=fill(door.query, values),
        data=fill(door.form, values) if door.form is not None else None,
        json=fill(door.json, values) if door.json is not None else None,
        headers=headers,
    )


def leaked(response: TestResponse, world: World, door: Door | None = None) -> list[str]:
    """City A's strings in the response, except those the caller sent itself (an echo of the URL or form)."""
    body = response.get_data().decode("utf-8", "replace")
    body += json.dumps(dict(response.headers), ensure_ascii=False)
    sent = ""
    if door is not None:
        values = world.url_values
        sent = json.dumps([fill(door.url, values), fill(door.query, values), fill(door.form, values),
                           fill(door.json, values)], ensure_ascii=False)  # fmt: skip
    return [marker for marker in world.markers if marker in body and marker not in sent]


def city_b_client(setup_session: Session, client_as: Any, world: World) -> FlaskClient:
    user = setup_session.get(models.User, world.ids["b_user_id"])
    assert user is not None
    return client_as(user)


DOORS = sorted((e, d) for e, d in ROUTES.items() if d.kind != PUBLIC)


@pytest.mark.parametrize(("endpoint", "door"), DOORS, ids=[e for e, _ in DOORS])
def test_city_b_reaches_nothing_of_city_a(
    setup_session: Session, client_as: Any, world: World, endpoint: str, door: Door
) -> None:
    client = city_b_client(setup_session, client_as, world)
    response = call(client, door, world, world.b_token)
    assert response.status_code < 500, f"{endpoint}: {response.status_code}"
    assert not leaked(response, world, door), f"{endpoint} showed city A's data to city B"
    if door.kind == OBJECT:
        assert response.status_code in (403, 404), (
            f"{endpoint} answered {response.status_code} for another municipality's object"
        )


def test_city_b_actions_on_city_a_objects_change_nothing(
    client_as: Any, world: World, setup_session: Session
) -> None:
    """The POST doors tried above left city A's objects as they were."""
    client = city_b_client(setup_session, client_as, world)
    for door in (d for d in ROUTES.values() if d.method == "POST" and d.kind != PUBLIC):
        call(client, door, world, world.b_token)
    setup_session.expire_all()
    release = setup_session.get(models.DisclosureRelease, world.ids["release_id"])
    assert release is not None and release.released_at is None
    task = setup_session.get(models.CaseTask, world.ids["task_id"])
    assert task is not None and task.state == "ready" and task.claimed_by is None
    case = setup_session.get(models.Case, world.ids["case_id"])
    assert case is not None and case.status != "cancelled"
    suppression = setup_session.get(models.Suppression, world.ids["suppression_id"])
    assert suppression is not None and suppression.released_at is None
    issued = setup_session.scalars(
        select(models.CertificateIssuance).where(
            models.CertificateIssuance.issue_number == world.ids["issue_number"]
        )
    ).one()
    assert issued.status != "disposed"
    lifts = setup_session.scalars(select(models.TemporaryLift)).all()
    assert lifts == []


def test_the_same_doors_do_reach_city_a_for_city_a(
    app: Flask, client_as: Any, world: World, users_a: Any
) -> None:
    """Control: the object doors above do find the objects for their own municipality's users (so a 404 for
    city B is isolation, not a wrong URL)."""
    everything_a = {role: users_a[role] for role in users_a}
    found = {}
    for endpoint in ("residents.show", "removed_records.show", "support_measures.show", "counter.case",
                     "certificates.history", "flows.migration_job_json", "user_admin.edit"):  # fmt: skip
        door = ROUTES[endpoint]
        role = {"support_measures.show": "support_officer", "flows.migration_job_json": "analyst",
                "user_admin.edit": "administrator", "removed_records.show": "clerk"}.get(endpoint, "supervisor")  # fmt: skip
        found[endpoint] = call(client_as(everything_a[role]), door, world).status_code
    assert found == dict.fromkeys(found, 200)
    api_view = call(app.test_client(), ROUTES["api.view_resident_api"], world, world.a_token)
    assert api_view.status_code == 200
