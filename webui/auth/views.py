"""Placeholder blueprint; replaced by the feature's views."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
