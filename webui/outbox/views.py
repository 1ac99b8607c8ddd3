"""送信不能通知（デッドレター）の一覧と再送信 (j1090).  Thin: call the handler, render.

``init_app`` turns on delivery after commit for the app's database (Celery, eager without a broker)."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from handlers.destination_settings import destination_names
from handlers.labels import destination_label
from handlers.other_systems.platform_receipts import recent_receipts
from handlers.outbox_admin import dead_letters, resend
from webui.security import login_required, permission_required
from webui.uow import web_uow
from worker.tasks import enable_delivery

bp = Blueprint("outbox", __name__, template_folder="templates", url_prefix="/outbox")


def init_app(app: Flask) -> None:
    enable_delivery(app.extensions["jumin.db"])


@bp.get("")
@login_required
@permission_required("resident.approve")
def index() -> str:
    with web_uow() as uow:
        letters = dead_letters(uow)
        names = destination_names(uow, (letter.destination for letter in letters))
    return render_template("outbox/index.html", letters=letters, destination_names=names)


@bp.post("/<int:message_id>/resend")
@login_required
@permission_required("resident.approve")
def resend_message(message_id: int) -> Response:
    with web_uow() as uow:
        message = resend(uow, message_id)
        shown = destination_label(message.destination, destination_names(uow, [message.destination]))
    flash(f"通知 {message.idempotency_key}（送信先：{shown}）を再送信しました。")
    return redirect(url_for("outbox.index"))


@bp.get("/platform")
@login_required
@permission_required("resident.approve")
def platform_receipts() -> str:
    """地域情報PF連携 (j1170): the files taken from the units' folders, applied or rejected with the reasons."""
    with web_uow() as uow:
        receipts = recent_receipts(uow)
    return render_template("outbox/platform.html", receipts=receipts)
