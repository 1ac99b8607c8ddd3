"""The counter (窓口) pages: task queues, intake forms for every change type, review side by side, the case
page and bulk entry.  Views are thin: they read the request, call ``handlers.cases`` and render."""

from flask import Blueprint

from webui.counter.form_support import help_attributes

bp = Blueprint("counter", __name__)
bp.add_app_template_global(help_attributes)

from webui.counter import (  # noqa: E402, F401
    address_views,
    approval_views,
    bulk_views,
    intake_views,
    notice_views,
    queue_views,
    review_views,
)
