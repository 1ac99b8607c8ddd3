"""Turn domain errors into Japanese pages or structured JSON for the API."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from handlers.errors import DomainError

# the API's answer to an HTTP error no handler of ours raised (a method the path does not take, a body too large,
# an unexpected failure): the same {"error", "message"} shape as every other API error, never Werkzeug's HTML page
HTTP_ERRORS = {
    400: ("bad_request", "要求の形式が正しくありません。"),
    405: ("method_not_allowed", "このURLではその操作（HTTPメソッド）は使えません。"),
    413: ("request_too_large", "要求本文が大きすぎます。"),
    415: ("unsupported_media_type", "要求本文の形式（Content-Type）に対応していません。"),
    500: ("internal_error", "システムの内部でエラーが発生しました。入力は登録されていません。"),
}


def form_messages(form: Any) -> list[str]:
    """A WTForms form's error messages, in field order, for the page's error summary."""
    return [message for messages in form.errors.values() for message in messages]


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(err: DomainError) -> tuple[Response | str, int]:
        if _wants_json():
            return jsonify(err.to_json()), err.status
        return render_template("error.html", error=err), err.status

    @app.errorhandler(403)
    def forbidden(_err: Exception) -> tuple[Response | str, int]:
        message = "この操作を行う権限がありません。"
        if _wants_json():
            return jsonify({"error": "permission_denied", "message": message}), 403
        return render_template("error.html", error=message), 403

    @app.errorhandler(401)
    def unauthorized(_err: Exception) -> tuple[Response | str, int]:
        message = "ログインが必要です。"
        if _wants_json():
            return jsonify({"error": "unauthorized", "message": message}), 401
        return render_template("error.html", error=message), 401

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Response | HTTPException | tuple[Response, int]:
        """An HTTP error without a handler of its own: JSON in the API, Werkzeug's page elsewhere.  An
        exception nobody caught arrives here as a 500 (its transaction was rolled back by its unit of work)."""
        if not _wants_json():
            return err
        status = err.code or 500
        code, message = HTTP_ERRORS.get(status, (_snake(err.name), "要求を処理できませんでした。"))
        response = jsonify({"error": code, "message": message})
        response.headers.extend(
            (k, v) for k, v in err.get_headers() if k.lower() != "content-type"
        )  # Allow …
        return response, status

    @app.errorhandler(404)
    def not_found(_err: Exception) -> tuple[Response | str, int]:
        if _wants_json():
            return jsonify({"error": "not_found", "message": "指定されたものは見つかりません。"}), 404
        return render_template("error.html", error="指定されたページは見つかりません。"), 404


def _snake(name: str) -> str:
    return name.lower().replace(" ", "_").replace("'", "")
