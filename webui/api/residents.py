"""Resident endpoints of the JSON API: search, record view, household registration.

Token-authenticated (``flask.g.api_actor``; the blueprint is exempt from CSRF); errors come back as structured JSON
(``webui.errors``): 422 with the Japanese problems, 404 for another municipality's person alike.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Response, jsonify, request

from handlers.errors import ValidationError
from handlers.other_systems.inquiry import other_systems_view, request_other_system_inquiry
from handlers.residents.presenter import view_resident
from handlers.residents.registration import register_household
from handlers.residents.search import ResidentQuery, search_residents
from handlers.rules.date_input import DateInputError, parse_calendar_date
from webui.api import bp
from webui.api.body import OBJECT, OBJECTS, TEXT, TEXTS, check_kinds, json_object, not_an_object
from webui.uow import web_uow

FLAGS = ("include_removed", "include_past")
QUERY_FIELDS = [f.name for f in dataclasses.fields(ResidentQuery) if f.name not in (*FLAGS, "blank", "limit")]
TRUE_WORDS = ("1", "true", "yes", "on")


def _query_from_args() -> ResidentQuery:
    """The same conditions as the search page; ``blank`` may be repeated or comma-separated.  No ward is
    assumed: the operator's ward is only the page's default."""
    values: dict[str, Any] = {name: request.args.get(name) or None for name in QUERY_FIELDS}
    include_removed, include_past = ((request.args.get(name) or "").lower() in TRUE_WORDS for name in FLAGS)
    blank = frozenset(
        item.strip() for value in request.args.getlist("blank") for item in value.split(",") if item.strip()
    )
    return ResidentQuery(**values, blank=blank, include_removed=include_removed, include_past=include_past)


@bp.get("/residents")
def search_residents_api() -> Response:
    with web_uow() as uow:
        results = search_residents(uow, _query_from_args())
    return jsonify(
        {
            "results": [hit.to_json() for hit in results],
            "truncated": results.truncated,
            "next_after": results.next_after,  # pass as ``after`` for the next page
        }
    )


@bp.get("/residents/<atena_number>")
def view_resident_api(atena_number: str) -> Response:
    as_of = request.args.get("as_of")
    on = None
    if as_of:
        try:
            on = parse_calendar_date(as_of)
        except DateInputError as err:
            raise ValidationError([err.to_problem("as_of", "基準日")]) from err
    with web_uow() as uow:
        view = view_resident(uow, atena_number, on=on)
    return jsonify(view)


HOUSEHOLD_KINDS = {"household": OBJECT, "members": OBJECTS, "reason_code": TEXT, "change_date": TEXT,
                   "notified_date": TEXT, "note": TEXT}  # fmt: skip


@bp.post("/households")
def register_household_api() -> tuple[Response, int]:
    body = json_object()
    check_kinds(body, HOUSEHOLD_KINDS)
    with web_uow() as uow:
        household = register_household(
            uow,
            body.get("household") or {},
            body.get("members") or [],
            reason_code=str(body.get("reason_code") or ""),
            change_date=body.get("change_date") or "",
            notified_date=body.get("notified_date"),
            note=body.get("note"),
        )
        payload = {
            "household_number": household.household_number,
            "members": [
                {"atena_number": m.atena_number, "household_order": m.household_order}
                for m in household.members
            ],
        }
    return jsonify(payload), 201


@bp.get("/residents/<atena_number>/other-systems")
def other_systems_api(atena_number: str) -> Response:
    """他業務照会 (j1180): the person's latest registration in each other system, with when it came."""
    with web_uow() as uow:
        view = other_systems_view(uow, atena_number)
    return jsonify(view)


@bp.post("/residents/<atena_number>/other-systems/inquiries")
def inquire_other_systems_api(atena_number: str) -> tuple[Response, int]:
    """Ask the other systems (``{"systems": [...]}``, all configured ones when absent) for the person's
    latest registration; 202: the answers arrive through the outbox and show in the GET above."""
    body = request.get_json(silent=True) if request.get_data() else {}  # no body: every configured system
    if not isinstance(body, dict):
        raise not_an_object()
    check_kinds(body, {"systems": TEXTS})
    systems = body.get("systems")
    with web_uow() as uow:
        asked = request_other_system_inquiry(uow, atena_number, systems)
    return jsonify({"atena_number": atena_number, "requested": asked}), 202
