"""Every operation of the OpenAPI document, sent what a fuzzer sends (an id past the database's integer, a body
that is not a JSON object, a NUL, an integer past the database's), answers with a status the document lists
for it and the project's JSON error shape, never a 500 (j1380, j1440).

The operations are read from the served document, so an endpoint added later is probed the same way; the
property-based run (schemathesis against /api/openapi.json) that found the cases is in the CHANGELOG entry of
this test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from handlers.db import Database
from models import User
from tests.web.test_residents_api import token_for
from webui.api.openapi import DOCUMENT

pytestmark = pytest.mark.req("j1380", "j1440")

PAST_THE_INTEGER = str(2**31)
BODIES = ("[]", '"text"', '{"x": "\\u0000"}', '{"x": 2147483648}', '{"x": NaN}', "{")


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in DOCUMENT["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def _url(path: str, operation: dict[str, Any], integer: str) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            value = integer if parameter["schema"]["type"] == "integer" else "0000000019"
            path = path.replace("{" + parameter["name"] + "}", value)
    return path


def _requests(path: str, method: str, operation: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
    """(url, body): the path with an id past the integer, then each hostile body (or a NUL in the query)."""
    if "{" in path:
        yield _url(path, operation, PAST_THE_INTEGER), "{}" if method == "post" else None
    url = _url(path, operation, "1")
    if method == "post":
        yield from ((url, body) for body in BODIES)
    else:
        yield f"{url}?kana=%00", None


def _checked(answer: Any, operation: dict[str, Any], label: str) -> None:
    assert answer.status_code < 500, label
    assert str(answer.status_code) in operation["responses"], (label, answer.status_code)
    if answer.status_code >= 400:
        body = answer.get_json()
        assert body is not None and body["error"] and body["message"], label


@pytest.mark.parametrize(("path", "method", "operation"), list(operations()), ids=lambda v: str(v)[:40])
def test_every_operation_answers_hostile_requests_with_a_documented_json_error(
    client: FlaskClient,
    db: Database,
    users_a: dict[str, User],
    path: str,
    method: str,
    operation: dict[str, Any],
) -> None:
    headers = {**token_for(db, users_a), "Content-Type": "application/json"}
    for url, body in _requests(path, method, operation):
        answer = getattr(client, method)(url, data=body, headers=headers)
        _checked(answer, operation, f"{method.upper()} {url} {json.dumps(body)}")
