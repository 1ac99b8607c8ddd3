"""Security headers, TLS-aware cookies and the proxy in front, and rate limits on the sign-in and public
verification doors (counters in Redis or the database: never in a process, several workers share the work).

Environment: TRUSTED_PROXIES (how many proxies set X-Forwarded-*; 0 = none trusted), SESSION_COOKIE_SECURE
(1 behind TLS), RATELIMIT_REDIS_URL / REDIS_URL / CELERY_BROKER_URL (a redis:// URL: counters in Redis),
LOGIN_RATE_LIMIT and VERIFY_RATE_LIMIT ("<hits>/<seconds>", default 10/60 and 30/60 per client address).
"""

from __future__ import annotations

import os

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.middleware.proxy_fix import ProxyFix

from handlers import rate_limit

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
TOO_MANY = "試行回数が多すぎます。しばらく待ってから、もう一度お試しください。"
# (endpoint, methods) → limit name
LIMITED = {
    ("auth.login", "POST"): "login",
    ("auth.totp", "POST"): "login",
    ("certificates.verify", "POST"): "verify",
    ("certificates.verify", "GET"): "verify",
    ("certificates.verify_api", "GET"): "verify",
}


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _limit(name: str, default: str) -> rate_limit.Limit:
    hits, _, seconds = os.environ.get(f"{name.upper()}_RATE_LIMIT", default).partition("/")
    return rate_limit.Limit(name, int(hits), int(seconds or 60))


def security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def enforce_rate_limits() -> tuple[Response | str, int, dict[str, str]] | None:
    name = LIMITED.get((request.endpoint or "", request.method))
    if name is None or not current_app.config["RATE_LIMITS_ENABLED"]:
        return None
    limits = current_app.extensions["jumin.rate_limits"]
    verdict = rate_limit.check(limits["store"], limits[name], request.remote_addr or "unknown")
    if verdict.allowed:
        return None
    headers = {"Retry-After": str(verdict.retry_after)}
    if (
        request.path.startswith("/api/")
        or request.accept_mimetypes.best == "application/json"
        or (request.endpoint or "").endswith("_api")
    ):
        body = {"error": "too_many_requests", "message": TOO_MANY, "retry_after": verdict.retry_after}
        return jsonify(body), 429, headers
    return render_template("error.html", error=TOO_MANY), 429, headers


def init_app(app: Flask) -> None:
    proxies = int(os.environ.get("TRUSTED_PROXIES", "0"))
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    if "SESSION_COOKIE_SECURE" in os.environ:
        secure = _flag("SESSION_COOKIE_SECURE")
        app.config["SESSION_COOKIE_SECURE"] = secure
        app.config["REMEMBER_COOKIE_SECURE"] = secure
    redis_url = (
        os.environ.get("RATELIMIT_REDIS_URL")
        or os.environ.get("REDIS_URL")
        or app.config.get("CELERY_BROKER_URL")
    )
    app.config.setdefault("RATE_LIMITS_ENABLED", not app.testing)  # tests that prove the limits turn them on
    app.extensions["jumin.rate_limits"] = {
        "store": rate_limit.store_for(app.extensions["jumin.db"], redis_url),
        "login": _limit("login", "10/60"),
        "verify": _limit("verify", "30/60"),
    }
    app.before_request(enforce_rate_limits)
    app.after_request(security_headers)
