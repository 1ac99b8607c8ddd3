"""WSGI entry for gunicorn (``make serve``, deploy/): the app built from the environment."""

from __future__ import annotations

from webui.app import create_app

app = create_app()
