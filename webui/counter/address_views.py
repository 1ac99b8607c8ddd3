"""住所辞書の引用 at the counter (j250): JSON for the intake page's scripts — the municipality's dictionary in
use (postcode → address and 住所コード, town suggestions; revalidated by its ETag, so an unchanged dictionary
costs the browser a 304), the 住所カナ入力 candidates, and the lists of the 都道府県 → 市区町村 → 大字 → 小字
selection.  Thin: request → handler → JSON."""

from __future__ import annotations

import hashlib
import json

from flask import Response, jsonify, request
from werkzeug.wrappers import Response as WerkzeugResponse

from handlers.address_lookup import address_levels, counter_dictionary, kana_candidates
from handlers.errors import ValidationError
from webui.counter import bp
from webui.security import login_required, permission_required
from webui.uow import web_uow


@bp.get("/counter/address-dictionary")
@login_required
@permission_required("resident.change")
def address_dictionary() -> WerkzeugResponse:
    """The dictionary in use, one statement; ``Cache-Control: no-cache`` with an ETag of its content."""
    with web_uow() as uow:
        data = counter_dictionary(uow)
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode("utf-8")).hexdigest()[:32])
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


@bp.get("/counter/address-kana")
@login_required
@permission_required("resident.change")
def address_kana() -> Response | tuple[Response, int]:
    """住所カナ入力: the entries whose levels begin with the kana typed (「カ ヨ ナ ヤ」 or 「ナ ヤ」)."""
    try:
        with web_uow() as uow:
            found = kana_candidates(uow, request.args.get("q", ""))
    except ValidationError as err:
        return jsonify({"candidates": [], "problems": [p.to_json() for p in err.problems]}), 422
    return jsonify({"candidates": found})


@bp.get("/counter/address-levels")
@login_required
@permission_required("resident.change")
def address_levels_list() -> Response | tuple[Response, int]:
    """One list of the selection: 都道府県, then 市区町村, then this municipality's 大字 and 小字."""
    args = request.args
    try:
        with web_uow() as uow:
            found = address_levels(
                uow,
                prefecture=args.get("prefecture", ""),
                area=args.get("area", ""),
                oaza=args.get("oaza", ""),
            )
    except ValidationError as err:
        return jsonify({"options": [], "problems": [p.to_json() for p in err.problems]}), 422
    return jsonify(found)
