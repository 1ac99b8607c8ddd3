"""Application factory."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, send_from_directory
from flask_wtf import CSRFProtect
from wtforms.meta import DefaultMeta

from handlers.db import Database
from handlers.settings import Settings
from webui import row_ids

csrf = CSRFProtect()

# One blueprint per feature: (module, attribute).  Each module lives in webui/.
BLUEPRINTS: list[tuple[str, str]] = [
    ("webui.ops", "bp"),  # first: request id and latency wrap every other hook
    ("webui.auth.views", "bp"),
    ("webui.residents.views", "bp"),
    ("webui.audit_log.views", "bp"),
    ("webui.api", "bp"),
    ("webui.removed_records.views", "bp"),
    ("webui.support_measures.views", "bp"),
    ("webui.flows.views", "bp"),
    ("webui.certificates.views", "bp"),
    ("webui.wide_area.views", "bp"),
    ("webui.outbox.views", "bp"),
    ("webui.inbound.views", "bp"),
    ("webui.juki_net.views", "bp"),
    ("webui.destinations.views", "bp"),
    ("webui.input_places.views", "bp"),
    ("webui.options.views", "bp"),
    ("webui.integrated.views", "bp"),
    ("webui.katagaki.views", "bp"),
    ("webui.address_dictionary.views", "bp"),
    ("webui.officials.views", "bp"),
    ("webui.counter", "bp"),
    ("webui.statistics.views", "bp"),
    ("webui.extraction.views", "bp"),
    ("webui.csv_intake.views", "bp"),
    ("webui.batches.views", "bp"),
    ("webui.conformance.views", "bp"),
    ("webui.help", "bp"),
]


def _can(permission: str) -> bool:
    """Template helper: may the signed-in user do this?  (Menus only; handlers enforce permissions.)"""
    from flask_login import current_user

    from handlers.permissions import has_permission

    return bool(current_user.is_authenticated and has_permission(current_user.actor, permission))


def _favicon() -> Response:
    """The icon browsers ask for at /favicon.ico whatever the page links (the pages link the same SVG)."""
    return send_from_directory(
        Path(__file__).parent / "static", "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )


# WTForms' built-in messages (a field too long, a choice not offered …) in Japanese on every form and sub-form,
# as every message of ours is (j1440); without it they were shown in English.
DefaultMeta.locales = ("ja_JP", "ja")


def create_app(test_config: dict[str, Any] | None = None, db: Database | None = None) -> Flask:
    settings = Settings.from_env()
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        DATABASE_URL=settings.database_url,
        CELERY_BROKER_URL=settings.celery_broker_url,
        SESSION_IDLE_MINUTES=settings.session_idle_minutes,
        MAX_FAILED_LOGINS=settings.max_failed_logins,
        LOCKOUT_MINUTES=settings.lockout_minutes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=12),
        WTF_CSRF_TIME_LIMIT=None,
        WTF_I18N_ENABLED=False,  # no Flask-Babel: the forms' own messages come from WTForms' Japanese catalogue
        JSON_AS_ASCII=False,
    )
    if test_config:
        app.config.update(test_config)
    app.extensions["jumin.db"] = db or Database.from_url(app.config["DATABASE_URL"])

    csrf.init_app(app)
    row_ids.init_app(app)
    for module_name, attr in BLUEPRINTS:
        module = importlib.import_module(module_name)
        app.register_blueprint(getattr(module, attr))
        init = getattr(module, "init_app", None)
        if init is not None:
            init(app)

    from webui import errors, filters, hardening, input_guard

    errors.init_app(app)
    input_guard.init_app(app)
    filters.init_app(app)
    hardening.init_app(app)

    app.add_url_rule("/favicon.ico", "favicon", _favicon)

    @app.context_processor
    def _template_helpers() -> dict[str, Any]:
        return {"url_map_endpoints": set(app.view_functions), "can": _can}

    from webui.cli import register_commands

    register_commands(app)
    return app
