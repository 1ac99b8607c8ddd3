"""GET /conformance: the conformance report (chapter 3, section by section) for any signed-in user."""

from __future__ import annotations

from flask import Blueprint, render_template

from handlers.conformance import STATUS_LABELS, build_report, summary
from webui.security import login_required

bp = Blueprint("conformance", __name__)


def render_report_html() -> str:
    sections = build_report()
    return render_template("conformance/report.html", sections=sections, counts=summary(sections),
                           labels=STATUS_LABELS)  # fmt: skip


@bp.get("/conformance")
@login_required
def report() -> str:
    return render_report_html()
