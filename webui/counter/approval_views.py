"""仮登録一覧 (j530): the provisional changes waiting for 決裁, narrowed by person, input place and terminal, and
本登録 of the selected ones or of all shown in one action, with a result per case.  Supervisors only."""

from __future__ import annotations

from flask import render_template, request

from handlers.cases.bulk_approval import (
    ApprovalOutcome,
    ProvisionalFilter,
    approve_all_provisional,
    approve_provisional,
    provisional_list,
)
from handlers.errors import ValidationError
from handlers.rules.digits import whole_number
from webui.counter import bp
from webui.counter.form_support import ErrorItem
from webui.security import login_required, permission_required
from webui.uow import web_uow

NO_PLACE = "-"  # the filter value of changes entered without a ward (支所)
OUTCOME_LABELS = {
    "approved": "本登録しました",
    "incident": "決裁しましたが、その後の処理がエラーで停止しました（案件のページで再実行してください）",
    "alerts": "アラート未確認のため本登録しませんでした",
    "four_eyes": "入力者本人のため本登録できません",
    "refused": "本登録できませんでした",
    "not_provisional": "仮登録中ではありません",
}


def _filters(values: dict[str, str]) -> ProvisionalFilter:
    place = values.get("place")
    return ProvisionalFilter(
        person=(values.get("person") or "").strip() or None,
        place=None if not place else ("" if place == NO_PLACE else place),
        terminal=(values.get("terminal") or "").strip() or None,
    )


def _acknowledgements() -> dict[int, list[str]]:
    """``ack-<case id>`` checkboxes, one per alert of that case."""
    found: dict[int, list[str]] = {}
    for key in request.form:
        prefix, _, number = key.partition("-")
        if prefix == "ack" and (case_id := whole_number(number)) is not None:
            found[case_id] = request.form.getlist(key)
    return found


def _render(
    args: dict[str, str],
    *,
    outcomes: list[ApprovalOutcome] | None = None,
    summary: list[ErrorItem] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    with web_uow() as uow:
        listing = provisional_list(uow, _filters(args))
    page = render_template(
        "counter/provisional.html", listing=listing, args=args, outcomes=outcomes,
        outcome_labels=OUTCOME_LABELS, summary=summary or [], selected=set(request.form.getlist("case_ids")),
    )  # fmt: skip
    return page, status


@bp.get("/cases/provisional")
@login_required
@permission_required("resident.approve")
def provisional() -> tuple[str, int]:
    return _render(request.args.to_dict())


@bp.post("/cases/provisional/approve")
@login_required
@permission_required("resident.approve")
def approve_provisional_changes() -> tuple[str, int]:
    args = {k: request.form.get(k, "") for k in ("person", "place", "terminal")}
    ids = [n for n in map(whole_number, request.form.getlist("case_ids")) if n is not None]
    try:
        with web_uow() as uow:
            if request.form.get("scope") == "all":
                outcomes = approve_all_provisional(uow, _filters(args), _acknowledgements())
            else:
                outcomes = approve_provisional(uow, ids, _acknowledgements())
    except ValidationError as err:
        items = [ErrorItem("provisional-list", f"{p.item}：{p.reason}。{p.remedy}") for p in err.problems]
        return _render(args, summary=items, status=422)
    return _render(args, outcomes=outcomes)
