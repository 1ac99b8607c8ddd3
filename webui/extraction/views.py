"""Extraction pages (EUC, j1360; sampling, j1330) for analysts (extraction.run): the wizard, the condition
builder and the sampling form start a background job; the job page polls its progress (JSON) and offers the
file when done.  Thin: read the form, call handlers.extraction, queue the job after commit, render."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, render_template, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from handlers.errors import Problem, ValidationError
from handlers.extraction import (
    FIELDS,
    OUTPUTS,
    create_extraction_job,
    job_result,
    job_status,
    recent_jobs,
    wizard_conditions,
)
from handlers.labels import label
from webui.extraction.forms import DATE_HINT, BuilderForm, SamplingForm, WizardForm, operators_by_type
from webui.security import current_actor, login_required, permission_required
from webui.uow import current_db, web_uow
from worker.tasks import queue_extraction

bp = Blueprint("extraction", __name__, url_prefix="/extraction")
RUN = "extraction.run"
log = logging.getLogger("jumin.extraction")


def _start_job(
    conditions: Any, form: Any, problems: list[Problem], sample: dict[str, int] | None = None
) -> int | None:
    """Create the job (the handler checks the conditions) and queue it after commit; None when refused."""
    reference = form.reference(problems)
    if problems:
        return None
    try:
        with web_uow() as uow:
            job = create_extraction_job(
                uow, conditions, form.output.data, include_removed=bool(form.include_removed.data),
                reference_date=reference, sample=sample,
            )  # fmt: skip
            job_id = job.id
    except ValidationError as err:
        problems.extend(err.problems)
        return None
    try:
        queue_extraction(current_db(), current_actor().tenant_id, job_id)
    except Exception:  # noqa: BLE001 - run eagerly (no broker): the job row records the failure, the page shows it
        log.exception("extraction job %s failed", job_id)
    return job_id


def _form_page(template: str, form: Any, problems: list[Problem], **extra: Any) -> str:
    return render_template(template, form=form, problems=problems, date_hint=DATE_HINT, **extra)


@bp.get("")
@login_required
@permission_required(RUN)
def index() -> str:
    with web_uow() as uow:
        jobs = [(job, job_status(uow, job.id)) for job in recent_jobs(uow)]
    return render_template("extraction/index.html", jobs=jobs, outputs=OUTPUTS)


@bp.route("/wizard", methods=["GET", "POST"])
@login_required
@permission_required(RUN)
def wizard() -> str | WerkzeugResponse:
    form = WizardForm()
    problems: list[Problem] = []
    if form.validate_on_submit():
        conditions = wizard_conditions(form.answers(problems), form.flags.data or [])
        if (job_id := _start_job(conditions, form, problems)) is not None:
            return redirect(url_for("extraction.job", job_id=job_id))
    return _form_page("extraction/wizard.html", form, problems)


@bp.route("/builder", methods=["GET", "POST"])
@login_required
@permission_required(RUN)
def builder() -> str | WerkzeugResponse:
    form = BuilderForm()
    problems: list[Problem] = []
    if form.validate_on_submit():
        conditions = form.tree(problems)
        if (job_id := _start_job(conditions, form, problems)) is not None:
            return redirect(url_for("extraction.job", job_id=job_id))
    return _form_page("extraction/builder.html", form, problems, fields=FIELDS, operators=operators_by_type())


@bp.route("/sampling", methods=["GET", "POST"])
@login_required
@permission_required(RUN)
def sampling() -> str | WerkzeugResponse:
    form = SamplingForm()
    problems: list[Problem] = []
    if form.validate_on_submit():
        conditions = wizard_conditions(form.answers(problems), form.flags.data or [])
        sample = {"count": int(form.sample_count.data), "seed": int(form.seed.data)}
        if (job_id := _start_job(conditions, form, problems, sample)) is not None:
            return redirect(url_for("extraction.job", job_id=job_id))
    return _form_page("extraction/sampling.html", form, problems)


@bp.get("/jobs/<int:job_id>")
@login_required
@permission_required(RUN)
def job(job_id: int) -> str:
    with web_uow() as uow:
        status = job_status(uow, job_id)
    return render_template(
        "extraction/job.html", status=status,
        status_url=url_for("extraction.job_json", job_id=job_id),
    )  # fmt: skip


@bp.get("/jobs/<int:job_id>.json")
@login_required
@permission_required(RUN)
def job_json(job_id: int) -> Response:
    with web_uow() as uow:
        status = job_status(uow, job_id)
    status["status_label"] = label(status["status"], "extraction_job_status")
    status["download_url"] = url_for("extraction.download", job_id=job_id) if status["has_result"] else None
    return jsonify(status)


@bp.get("/jobs/<int:job_id>/download")
@login_required
@permission_required(RUN)
def download(job_id: int) -> Response:
    with web_uow() as uow:
        done = job_result(uow, job_id)
        body, media, name = done.result or b"", done.result_type, done.result_name
    return Response(
        body, mimetype=media or "application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name or f"extraction-{job_id}"}"'},
    )  # fmt: skip
