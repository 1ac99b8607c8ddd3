"""Flow pages for analysts (flows.edit).  Thin: read the request, call handlers.flows / flow_migration, render."""

from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from handlers.errors import ValidationError
from handlers.flow_migration import (
    migrated_cases,
    migration_progress,
    plan_migration,
    revert_migration,
    start_migration_job,
)
from handlers.flow_scenarios import run_scenarios
from handlers.flows import (
    deploy_flow,
    diff_versions,
    flow_name,
    flow_versions,
    list_flows,
    open_flow,
    rollback_flow,
    standard_xml,
)
from webui.row_ids import row_id_arg
from webui.security import current_actor, login_required, permission_required
from webui.uow import current_db, web_uow

bp = Blueprint("flows", __name__, template_folder="templates", url_prefix="/flows")
bp.add_app_template_global(flow_name)  # a flow's name beside its id in the headings (転入届（move_in）)
EDIT = "flows.edit"


def _dispatch_migration(job_id: int) -> None:
    from worker.tasks import queue_migration

    actor = current_actor()
    queue_migration(current_db(), job_id, actor.tenant_id, actor.login_id)


@bp.get("")
@login_required
@permission_required(EDIT)
def index() -> str:
    with web_uow() as uow:
        flows = list_flows(uow)
    return render_template("flows/index.html", flows=flows)


@bp.get("/<process_id>")
@login_required
@permission_required(EDIT)
def modeler(process_id: str) -> str:
    with web_uow() as uow:
        draft = open_flow(uow, process_id)
    return render_template("flows/modeler.html", draft=draft)


@bp.get("/<process_id>/flow.bpmn")
@login_required
@permission_required(EDIT)
def flow_xml(process_id: str) -> Response:
    with web_uow() as uow:
        draft = open_flow(uow, process_id)
    return Response(draft.xml, mimetype="application/xml")


@bp.get("/<process_id>/standard.bpmn")
@login_required
@permission_required(EDIT)
def standard(process_id: str) -> Response:
    with web_uow() as uow:
        open_flow(uow, process_id)  # permission and existence
    return Response(standard_xml(process_id), mimetype="application/xml")


@bp.post("/<process_id>/deploy")
@login_required
@permission_required(EDIT)
def deploy(process_id: str) -> tuple[Response, int]:
    payload = request.get_json(silent=True)
    payload = payload if isinstance(payload, dict) else {}  # not an object: no XML, refused below
    xml, comment = (
        value if isinstance(value, str) else None for value in (payload.get("xml"), payload.get("comment"))
    )
    try:
        with web_uow() as uow:
            definition = deploy_flow(uow, process_id, xml or "", comment)
            version = definition.version
    except ValidationError as err:
        problems = [
            {"element_id": p.field if p.field not in ("bpmn_xml", "comment") else "", "message": p.message}
            for p in err.problems
        ]
        return jsonify({"error": "validation_failed", "problems": problems}), 422
    return jsonify({"version": version, "message": f"第{version}版として配備しました。"}), 201


@bp.get("/<process_id>/versions")
@login_required
@permission_required(EDIT)
def versions(process_id: str) -> str:
    base, other = row_id_arg("base"), row_id_arg("other")
    with web_uow() as uow:
        history = flow_versions(uow, process_id)
        diff = diff_versions(uow, process_id, base, other) if base and other else None
    return render_template(
        "flows/versions.html", process_id=process_id, history=history, diff=diff, base=base, other=other
    )


@bp.post("/<process_id>/versions/<int:version>/rollback")
@login_required
@permission_required(EDIT)
def rollback(process_id: str, version: int) -> WerkzeugResponse:
    with web_uow() as uow:
        new = rollback_flow(uow, process_id, version).version
    flash(f"第{version}版の内容を第{new}版として配備しました。", "info")
    return redirect(url_for("flows.versions", process_id=process_id))


@bp.get("/<process_id>/migration")
@login_required
@permission_required(EDIT)
def migration(process_id: str) -> str:
    with web_uow() as uow:
        plan = plan_migration(uow, process_id)
    return render_template("flows/migration.html", plan=plan)


@bp.post("/<process_id>/migration")
@login_required
@permission_required(EDIT)
def start_migration(process_id: str) -> WerkzeugResponse:
    with web_uow() as uow:
        job_id = start_migration_job(uow, process_id, _dispatch_migration).id
    return redirect(url_for("flows.migration_job", job_id=job_id))


@bp.get("/migrations/<int:job_id>")
@login_required
@permission_required(EDIT)
def migration_job(job_id: int) -> str:
    with web_uow() as uow:
        progress = {**migration_progress(uow, job_id), "cases": migrated_cases(uow, job_id)}
    return render_template("flows/migration_job.html", progress=progress)


@bp.get("/migrations/<int:job_id>.json")
@login_required
@permission_required(EDIT)
def migration_job_json(job_id: int) -> Response:
    with web_uow() as uow:
        return jsonify(migration_progress(uow, job_id))


@bp.post("/cases/<int:case_id>/revert-migration")
@login_required
@permission_required(EDIT)
def revert(case_id: int) -> WerkzeugResponse:
    with web_uow() as uow:
        migration = revert_migration(uow, case_id)
        job_id = migration.job_id
    flash("案件の移行を取り消しました。", "info")
    return redirect(url_for("flows.migration_job", job_id=job_id) if job_id else url_for("flows.index"))


@bp.post("/<process_id>/scenarios")
@login_required
@permission_required(EDIT)
def scenarios(process_id: str) -> str:
    with web_uow() as uow:
        results = run_scenarios(uow, process_id)
    return render_template("flows/scenarios.html", process_id=process_id, results=results)
