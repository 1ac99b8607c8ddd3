"""Turn domain errors into Japanese pages or structured JSON for the API."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from handlers.errors import DomainError
from handlers.observability import current_request_id

# The Japanese page of each HTTP error the browser may meet (Werkzeug's own pages are in English).
HTTP_MESSAGES = {
    400: "送信された内容を読み取れませんでした。画面を開き直して、もう一度操作してください。",
    405: "この画面ではその操作はできません。メニューから画面を開き直してください。",
    413: "送信したファイルが大きすぎます。ファイルを分けるなどして小さくしてから送信してください。",
}
CSRF_MESSAGE = (
    "画面を開いてから時間が経ったか、別の画面でログインし直したため、この送信は受け付けませんでした"
    "（内容は保存されていません）。画面を開き直して、もう一度入力してください。"
)
SERVER_ERROR_MESSAGE = (
    "システムで問題が発生したため、処理できませんでした（内容は保存されていません）。時間をおいてもう一度"
    "お試しください。解決しない場合は、問い合わせ番号を添えてシステム管理者に連絡してください。"
)

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
    """A WTForms form's error messages, in field order, each after its field's label (WTForms' own messages,
    such as 「フィールドは 8 文字を超えることはできません。」, do not say which field), for the page's summary."""
    found = []
    for name, messages in form.errors.items():
        label = form[name].label.text if name in form and name != "csrf_token" else ""
        found += [
            f"{label}：{m}" if label and not m.startswith(label) else m
            for m in messages
            if isinstance(m, str)
        ]
    return found


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

    @app.errorhandler(CSRFError)
    def csrf_refused(err: CSRFError) -> Response | tuple[Response | str, int]:
        if _wants_json():
            return _json_error(err)
        return render_template("error.html", error=CSRF_MESSAGE), 400

    @app.errorhandler(InternalServerError)
    def server_error(err: InternalServerError) -> Response | tuple[Response | str, int]:
        """An exception nobody caught (its transaction was rolled back by its unit of work)."""
        if _wants_json():
            return _json_error(err)
        reference = current_request_id()
        message = SERVER_ERROR_MESSAGE + (f"（問い合わせ番号：{reference}）" if reference else "")
        return render_template("error.html", error=message), 500

    @app.errorhandler(HTTPException)
    def other_http_error(err: HTTPException) -> HTTPException | Response | tuple[Response | str, int]:
        """An HTTP error without a handler of its own: JSON in the API, a Japanese page elsewhere."""
        if err.code is None or err.code < 400:  # a redirect raised by routing passes through
            return err
        if _wants_json():
            return _json_error(err)
        message = HTTP_MESSAGES.get(
            err.code, f"要求を処理できませんでした（{err.code}）。画面を開き直してください。"
        )
        return render_template("error.html", error=message), err.code

    @app.errorhandler(404)
    def not_found(_err: Exception) -> tuple[Response | str, int]:
        if _wants_json():
            return jsonify({"error": "not_found", "message": "指定されたものは見つかりません。"}), 404
        return render_template("error.html", error="指定されたページは見つかりません。"), 404


def _json_error(err: HTTPException) -> tuple[Response, int]:
    """The API's {"error", "message"} for an HTTP error, with its headers (Allow …), never Werkzeug's HTML."""
    status = err.code or 500
    code, message = HTTP_ERRORS.get(status, (_snake(err.name), "要求を処理できませんでした。"))
    response = jsonify({"error": code, "message": message})
    response.headers.extend((k, v) for k, v in err.get_headers() if k.lower() != "content-type")
    return response, status


def _snake(name: str) -> str:
    return name.lower().replace(" ", "_").replace("'", "")
