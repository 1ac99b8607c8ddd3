"""GET /conformance: the conformance report (chapter 3, section by section) for any signed-in user."""

from __future__ import annotations

from flask import Blueprint, render_template

from handlers.conformance import NOT_BUILT_LABEL, STATUS_LABELS, build_report, headline, must_heading, summary
from webui.security import login_required

bp = Blueprint("conformance", __name__)


def render_report_html() -> str:
    sections = build_report()
    return render_template("conformance/report.html", sections=sections, counts=summary(sections),
                           headline=headline(sections), labels=STATUS_LABELS, must_heading=must_heading,
                           not_built_label=NOT_BUILT_LABEL)  # fmt: skip


@bp.get("/conformance")
@login_required
def report() -> str:
    return render_report_html()
