"""JSON API for systems and scripts: same handlers as the pages, token authentication, structured errors."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")
