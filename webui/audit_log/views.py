"""Placeholder blueprint; replaced by the feature's views."""

from flask import Blueprint

bp = Blueprint("audit_log", __name__)
