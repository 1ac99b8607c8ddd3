"""Turn domain errors into Japanese pages or structured JSON for the API."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request

from handlers.errors import DomainError


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

    @app.errorhandler(404)
    def not_found(_err: Exception) -> tuple[Response | str, int]:
        if _wants_json():
            return jsonify({"error": "not_found", "message": "指定されたものは見つかりません。"}), 404
        return render_template("error.html", error="指定されたページは見つかりません。"), 404
