"""Intake (受付・入力) pages: choose a change type, fill its form, submit it as a new case (``open_case``) or as
the corrected intake of a rejected one (``resubmit_intake``).  Errors come back on the same page with a
summary linked to each field."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from handlers import cases
from handlers.cases.intake_help import find_households, municipality_options, relation_rows
from handlers.cases.queues import change_type_labels, intake_context
from handlers.errors import ConflictError, NotFoundError, Problem, ValidationError
from handlers.honseki_help import HonsekiQuery, honseki_candidates
from handlers.katagaki import katagaki_for_address
from handlers.relay_certificates import certificate_for_intake
from handlers.residents.cautions import intake_default
from handlers.residents.integrated_section import item_choices
from webui.counter import bp
from webui.counter.form_support import (
    collect_errors,
    fill_flat,
    fill_relation_rows,
    relation_aliases,
    relations_of,
)
from webui.counter.intake_forms import COUNTER_ORDER, INTAKE_SPECS, IntakeSpec, sections_of
from webui.security import login_required, permission_required
from webui.uow import web_uow


@bp.get("/cases/new")
@login_required
@permission_required("resident.change")
def choose_type() -> str:
    labels = change_type_labels()
    offered = [(code, labels[code]) for code in COUNTER_ORDER if code in labels]
    return render_template("counter/choose_type.html", offered=offered)


def _spec(code: str) -> IntakeSpec:
    spec = INTAKE_SPECS.get(code)
    if spec is None or code not in change_type_labels():
        abort(404)
    return spec


def _form(spec: IntakeSpec) -> FlaskForm:
    """The change type's form, its selects offered what the register holds (the pending notices …)."""
    form = spec.form()
    if spec.choices is not None:
        with web_uow() as uow:
            offered = spec.choices(uow)
        for name, pairs in offered.items():
            first = ("", "選択してください") if pairs else ("", "未処理の通知はありません")
            form[name].choices = [first, *pairs]
    return form


def _membership_button(form: FlaskForm) -> bool:
    """The 転入者を追加 / 削除 buttons re-show the form with one person more or less (no JS needed)."""
    members = getattr(form, "members", None)
    if members is None:
        return False
    if form.add_member.data:
        if len(members.entries) < (members.max_entries or 12):
            members.append_entry()
        return True
    if form.remove_member.data:
        if len(members.entries) > 1:
            members.pop_entry()
        return True
    return False


def _relations_button(form: FlaskForm, relations: dict[str, str] | None = None) -> bool:
    """The 世帯員を表示 button (or a 再入力): a 続柄 row per person concerned, named from the register (j470)."""
    button = getattr(form, "load_relations", None)
    if button is None or (relations is None and not button.data):
        return False
    people, households = form.relation_people()
    with web_uow() as uow:
        rows = relation_rows(uow, people, households)
    fill_relation_rows(
        form.relations, rows, relations if relations is not None else relations_of(form.relations)
    )
    return True


def _refused(code: str, form: FlaskForm, err: ValidationError, **extra: Any) -> tuple[str, int]:
    """The form again with the handler's problems; a 続柄 asked for shows the persons' 続柄 rows to fill."""
    rows = getattr(form, "relations", None)
    if rows is not None and not rows.entries and any(p.field.startswith("relations") for p in err.problems):
        _relations_button(form, {})
    return _render(code, form, err.problems, **extra)


def _posted_caution() -> dict[str, Any]:
    """留意事項 (統合記載欄 type B, j140) entered at intake, beside the change's own form."""
    return {
        "caution": request.form.get("caution", ""),
        "caution_items": request.form.getlist("caution_items"),
    }


def _with_caution(intake: dict[str, Any]) -> dict[str, Any]:
    posted = _posted_caution()
    return {**intake, **posted} if posted["caution"].strip() else intake


def _render(
    code: str, form: FlaskForm, problems: list[Problem], *, status: int = 200, **extra: Any
) -> tuple[str, int]:
    spec = _spec(code)
    sections = sections_of(spec, form)
    shown = [name for _title, names in sections for name in names]
    summary, by_field = collect_errors(form, problems, dict(spec.aliases) | relation_aliases(form), shown)
    with web_uow() as uow:
        if request.method == "POST":
            extra.setdefault("caution", _posted_caution())
        else:
            found = intake_default(uow, code)
            extra.setdefault(
                "caution", {"caution": found.text, "caution_items": list(found.items)} if found else {}
            )
    page = render_template(
        "counter/intake.html", form=form, code=code, label=change_type_labels()[code],
        sections=sections, summary=summary, field_errors=by_field,
        municipalities=municipality_options() if code == "move_out" else (), caution_choices=item_choices(), **extra,
    )  # fmt: skip
    return page, (422 if summary and status == 200 else status)


@bp.route("/cases/new/<code>", methods=["GET", "POST"])
@login_required
@permission_required("resident.change")
def new_case(code: str) -> Response | tuple[str, int]:
    spec = _spec(code)
    form = _form(spec)
    if request.method == "GET" and code == "move_in" and request.args.get("certificate"):
        return _prefilled_from_certificate(form, request.args["certificate"])
    if request.method == "GET" or _membership_button(form) or _relations_button(form):
        return _render(code, form, [], status=200)
    if not form.validate():
        return _render(code, form, [])
    try:
        with web_uow() as uow:
            case = cases.open_case(uow, code, _with_caution(form.to_intake()))
            case_id, number = case.id, case.case_number
    except ValidationError as err:
        return _refused(code, form, err)
    flash(f"受付番号 {number} で仮登録しました。審査者の決裁を待っています。", "success")
    return redirect(url_for("counter.case", case_id=case_id))


def _prefilled_from_certificate(form: FlaskForm, inbox_id: str) -> Response | tuple[str, int]:
    """特例転入: the intake filled from a 転出証明書情報 received through the relay (refused once used)."""
    try:
        with web_uow() as uow:
            intake = certificate_for_intake(uow, inbox_id)
    except (ConflictError, NotFoundError) as err:
        flash(str(err), "error")
        return redirect(url_for("inbound.certificates"))
    _fill(form, intake)
    return _render("move_in", form, [], status=200, certificate=intake["move_out_certificate"])


def _fill(form: FlaskForm, intake: dict[str, Any]) -> None:
    """Show the earlier intake again: the form's own ``fill`` or, for flat forms, the same-named items."""
    fill = getattr(form, "fill", None)
    if fill is not None:
        fill(intake)
        return
    fill_flat(form, intake)


@bp.route("/tasks/<int:task_id>/intake", methods=["GET", "POST"])
@login_required
@permission_required("resident.change")
def resubmit(task_id: int) -> Response | tuple[str, int]:
    with web_uow() as uow:
        context = intake_context(uow, task_id)
    code = str(context["change_type"] or "")
    spec = _spec(code)
    form = _form(spec)
    if request.method == "GET":
        _fill(form, context["intake"])
        intake = context["intake"]
        _relations_button(
            form, intake.get("relations") or (intake.get("destination") or {}).get("relations") or {}
        )
        kept = {"caution": intake.get("caution") or "", "caution_items": intake.get("caution_items") or []}
        return _render(code, form, [], context=context, caution=kept)
    if _membership_button(form) or _relations_button(form) or not form.validate():
        return _render(code, form, [], context=context)
    try:
        with web_uow() as uow:
            cases.resubmit_intake(uow, task_id, _with_caution(form.to_intake()))
    except ValidationError as err:
        return _refused(code, form, err, context=context)
    flash(f"受付番号 {context['case_number']} を再入力し、審査に回しました。", "success")
    return redirect(url_for("counter.case", case_id=context["case_id"]))


@bp.get("/counter/households")
@login_required
@permission_required("resident.search")
def households() -> Response:
    """世帯番号 search for joining an existing household: JSON for the intake page's small script."""
    kana = request.args.get("kana", "").strip()
    number = request.args.get("household_number", "").strip()
    if not kana and not number:
        return jsonify({"households": []})
    try:
        with web_uow() as uow:
            found = find_households(uow, kana=kana, household_number=number)
    except ValidationError as err:
        return jsonify({"households": [], "problems": [p.to_json() for p in err.problems]})
    return jsonify({"households": found})


@bp.get("/counter/katagaki")
@login_required
@permission_required("resident.change")
def katagaki() -> Response:
    """方書入力補助 (j520): the 方書 registered at the entered 住所地番, JSON for the intake page's script."""
    address = request.args.get("address", "").strip()
    if not address:
        return jsonify({"candidates": []})
    with web_uow() as uow:
        found = katagaki_for_address(uow, address)
    return jsonify({"candidates": [candidate.to_json() for candidate in found]})


@bp.get("/counter/honseki")
@login_required
@permission_required("resident.change")
def honseki() -> Response | tuple[Response, int]:
    """本籍入力補助 (j510): the 本籍 candidates of the person entered (JSON for the intake page's script); with
    ``re_move_in_of``, a 再転入者's own history first, without the 本籍 of municipalities merged away.  A number
    not (yet) on the register answers 200 with ``found: false``: the script asks while the clerk types, and a 404
    would be a console error at every keystroke; a malformed number or a refusal stays 422."""
    args = request.args
    query = HonsekiQuery(
        atena_number=args.get("atena_number", ""), household_number=args.get("household_number", ""),
        address=args.get("address", ""), former_address=args.get("former_address", ""),
        entered=tuple(v for v in args.getlist("entered") if v.strip()),
        re_move_in_of=args.get("re_move_in_of", ""),
    )  # fmt: skip
    try:
        with web_uow() as uow:
            found = honseki_candidates(uow, query)
    except ValidationError as err:
        return jsonify({"candidates": [], "problems": [p.to_json() for p in err.problems]}), 422
    except NotFoundError as err:
        return jsonify({"found": False, "candidates": [], "problems": [], "message": str(err)})
    return jsonify({"found": True, "candidates": [candidate.to_json() for candidate in found]})
