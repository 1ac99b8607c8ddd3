"""One case as the screens and the API show it: the case, its tasks, its timeline (who did what, when), the
provisional change against the register as a per-field difference, the alerts with who acknowledged them,
and the notices in the outbox with their states.

A change type may describe its own difference with ``describe_changes(uow, proposal) -> list[dict]``;
otherwise the proposal's ``members`` (each a dict of resident items, with ``atena_number`` for a person
already on the register) and ``household`` (household items, with ``household_number``) are compared item by
item with the register as it is now, and a 転居・転出・世帯変更・死亡・失踪, whose proposal names persons and where
they go, by ``handlers.cases.mover_diff``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.cases.locks import held_subjects
from handlers.cases.mover_diff import movers_diff
from handlers.cases.outbox import case_outbox
from handlers.cases.pending import pending_change_of
from handlers.changes.base import change_types
from handlers.errors import NotFoundError
from handlers.permissions import require
from handlers.residents.entered_display import display_entered
from handlers.residents.history import display_name
from handlers.residents.items import HIDDEN_ITEM_FIELDS, HOUSEHOLD_ITEM_BY_FIELD, RESIDENT_ITEM_BY_FIELD
from handlers.uow import UnitOfWork
from models.case import Case, CaseEvent, CaseTask
from models.change import PendingChange
from models.resident import Household, Resident
from workflows.engine.runner import case_task_rows, ready_tasks

HIDDEN = "（非表示）"


def _json(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _hidden_fields(uow: UnitOfWork) -> set[str]:
    return {f for key in uow.actor.hidden_items for f in HIDDEN_ITEM_FIELDS.get(key, ())}


def _item_diff(
    current: Any, proposed: Mapping[str, Any], labels: Mapping[str, Any], hidden: set[str]
) -> list[dict[str, Any]]:
    rows = []
    for field, after in proposed.items():
        if field not in labels:
            continue
        before = _json(getattr(current, field)) if current is not None else None
        after = _json(after)
        if before == after or (before is None and after in ("", None)):
            continue
        shown = (HIDDEN, HIDDEN) if field in hidden else (before, after)
        rows.append({"field": field, "label": labels[field].label, "before": shown[0], "after": shown[1]})
    return rows


def _proposed_members(proposal: Mapping[str, Any]) -> list[Any]:
    """The persons a proposal writes: ``members`` (転入 …), or the one ``member`` of 出生・住所設定."""
    member = proposal.get("member")
    return list(proposal.get("members") or ([member] if isinstance(member, Mapping) else []))


def _generic_diff(uow: UnitOfWork, proposal: Mapping[str, Any]) -> list[dict[str, Any]]:
    hidden = _hidden_fields(uow)
    diff: list[dict[str, Any]] = []
    household = proposal.get("household")
    if isinstance(household, Mapping):
        number = household.get("household_number") or proposal.get("household_number")
        current = uow.session.scalars(select(Household).where(Household.household_number == number)).first()
        for row in _item_diff(current, household, HOUSEHOLD_ITEM_BY_FIELD, hidden):
            diff.append({"subject": f"household:{number}" if number else "household:new", **row})
    for index, member in enumerate(_proposed_members(proposal)):
        if not isinstance(member, Mapping):
            continue
        atena = member.get("atena_number")
        person: Resident | None = (
            uow.session.scalars(select(Resident).where(Resident.atena_number == atena)).first()
            if atena
            else None
        )
        for row in _item_diff(person, member, RESIDENT_ITEM_BY_FIELD, hidden):
            diff.append({"subject": f"resident:{atena}" if atena else f"new:{index + 1}", **row})
    return diff + _person_items_diff(uow, proposal, hidden)


PERSON_ITEM_KEYS = (
    "values",
    "entered",
)  # a change of one person's items: 帰化・国籍取得 (values), 国籍喪失 (entered)


def _person_items_diff(
    uow: UnitOfWork, proposal: Mapping[str, Any], hidden: set[str]
) -> list[dict[str, Any]]:
    """The items a change of one registered person (``atena_number``) proposes, against the register."""
    atena = proposal.get("atena_number")
    items = next((proposal[k] for k in PERSON_ITEM_KEYS if isinstance(proposal.get(k), Mapping)), None)
    if not atena or items is None:
        return []
    person = uow.session.scalars(select(Resident).where(Resident.atena_number == atena)).first()
    return [
        {"subject": f"resident:{atena}", **row}
        for row in _item_diff(person, items, RESIDENT_ITEM_BY_FIELD, hidden)
    ]


def _resident_kinds(
    uow: UnitOfWork, proposal: Mapping[str, Any], diff: list[dict[str, Any]]
) -> dict[str, str]:
    """Each person subject's 住民の種別 (japanese / foreign): a new person's from the proposal, a registered one's
    from the register."""
    kinds: dict[str, str] = {}
    members = _proposed_members(proposal)
    numbers = set()
    for row in diff:
        kind, _, key = str(row.get("subject") or "").partition(":")
        if kind == "new" and key.isdigit() and 0 < int(key) <= len(members):
            member = members[int(key) - 1]
            if isinstance(member, Mapping) and member.get("resident_kind"):
                kinds[row["subject"]] = str(member["resident_kind"])
        elif kind == "resident" and key:
            numbers.add(key)
    if numbers:
        found = uow.session.execute(
            select(Resident.atena_number, Resident.resident_kind).where(Resident.atena_number.in_(numbers))
        )
        kinds.update({f"resident:{number}": kind for number, kind in found})
    return kinds


def proposal_diff(uow: UnitOfWork, pending: PendingChange) -> list[dict[str, Any]]:
    """The rows of the difference, each also with ``before_shown`` / ``after_shown``: the values as the screens
    show them (dates in 和暦 but a foreign resident's 生年月日 and 在留期間の満了の日, j90)."""
    kind = change_types().get(pending.change_type)
    describe = getattr(kind, "describe_changes", None)
    diff = (
        list(describe(uow, pending.proposal))
        if describe is not None
        else _generic_diff(uow, pending.proposal)
        + movers_diff(uow, pending.change_type, pending.proposal, _item_diff, _hidden_fields(uow))
    )
    kinds = _resident_kinds(uow, pending.proposal, diff)
    for row in diff:
        person_kind = kinds.get(str(row.get("subject") or ""))
        field = str(row.get("field") or "")
        row["before_shown"] = display_entered(field, row.get("before"), person_kind)
        row["after_shown"] = display_entered(field, row.get("after"), person_kind)
    return diff


def subject_names(uow: UnitOfWork, numbers: Iterable[str]) -> dict[str, str]:
    """氏名 of the registered persons ``numbers`` (宛名番号), as the resident pages show them to the same staff."""
    wanted = sorted({str(n) for n in numbers if n})
    if not wanted:
        return {}
    rows = uow.session.execute(
        select(
            Resident.atena_number, Resident.family_name, Resident.given_name, Resident.name_alphabet
        ).where(Resident.atena_number.in_(wanted))
    )
    return {row.atena_number: display_name(row) for row in rows}


def _diff_people(diff: list[dict[str, Any]]) -> Iterator[str]:
    for row in diff:
        kind, _, key = str(row.get("subject") or "").partition(":")
        if kind == "resident":
            yield key


def _alerts(pending: PendingChange) -> list[dict[str, Any]]:
    acknowledged = {(a.get("code"), a.get("field")): a for a in pending.acknowledgements or []}
    return [
        {**alert, "acknowledgement": acknowledged.get((alert.get("code"), alert.get("field")))}
        for alert in pending.alerts or []
    ]


def _pending_view(uow: UnitOfWork, pending: PendingChange | None) -> dict[str, Any] | None:
    if pending is None:
        return None
    return {
        "status": pending.status,
        "change_type": pending.change_type,
        "entered_by": pending.entered_by_login,
        "entered_at": _json(pending.entered_at),
        "registered_at": _json(pending.registered_at),
        "diff": proposal_diff(uow, pending) if pending.status in ("provisional", "rejected") else [],
        "alerts": _alerts(pending),
        "result": pending.result,
        "notifier": pending.notifier,  # 届出人 entered at intake (j580)
    }


def _task_view(task: CaseTask) -> dict[str, Any]:
    return {
        "id": task.id, "bpmn_id": task.bpmn_id, "name": task.name, "role": task.role, "state": task.state,
        "claimed_by": task.claimed_by, "completed_by": task.completed_by, "completed_at": _json(task.completed_at),
        "due_date": _json(task.due_date), "form_key": task.form_key, "created_at": _json(task.created_at),
    }  # fmt: skip


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.id, "case_number": case.case_number, "change_type": case.change_type,
        "process_id": case.process_id, "status": case.status, "due_date": _json(case.due_date),
        "created_by": case.created_by, "created_at": _json(case.created_at), "completed_at": _json(case.completed_at),
        "incident_error": case.incident_error, "cancel_reason": case.cancel_reason,
        "subject_atena_numbers": list(case.subject_atena_numbers or []),
        "subject_household_numbers": list(case.subject_household_numbers or []),
    }  # fmt: skip


def case_tasks(uow: UnitOfWork, case: Case) -> dict[str, Any]:
    """The case and its tasks as plain data: the answer to the actor's own intake or task completion, which
    that door has already logged (no timeline, diff or outbox read, and no second "case viewed" row)."""
    rows = sorted(case_task_rows(uow, case.id), key=lambda task: task.id)
    return {**case_summary(case), "tasks": [_task_view(task) for task in rows]}


def case_view(uow: UnitOfWork, case_id: int) -> dict[str, Any]:
    require(uow.actor, "resident.view")
    case = uow.session.get(Case, case_id)
    if case is None:
        raise NotFoundError("指定された案件はありません。")
    tasks = uow.session.scalars(select(CaseTask).where(CaseTask.case_id == case.id).order_by(CaseTask.id))
    events = uow.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    pending = pending_change_of(uow, case.id)
    outbox = case_outbox(uow, case.id)
    view = {
        "case": case_summary(case),
        "tasks": [_task_view(task) for task in tasks],
        "timeline": [
            {"at": _json(e.at), "actor": e.actor, "kind": e.kind, "detail": e.detail} for e in events
        ],
        "pending_change": _pending_view(uow, pending),
        "locks": held_subjects(uow, case.id),
        "outbox": [
            {
                "destination": m.destination,
                "kind": m.kind,
                "seq": m.seq,
                "status": m.status,
                "attempts": m.attempts,
                "idempotency_key": m.idempotency_key,
                "sent_at": _json(m.sent_at),
                "last_error": m.last_error,
            }
            for m in outbox
        ],  # fmt: skip
    }
    pending_view: dict[str, Any] = view["pending_change"] or {}  # type: ignore[assignment]
    view["subject_names"] = subject_names(
        uow, [*(case.subject_atena_numbers or []), *_diff_people(pending_view.get("diff", []))]
    )
    shown = "my_number" not in uow.actor.hidden_items and any(
        row["field"] == "my_number" for row in pending_view.get("diff", [])
    )
    record_access(
        uow, "case_viewed", "view", case.subject_atena_numbers or [], my_number_shown=shown,
        detail={"case_number": case.case_number},
    )  # fmt: skip
    return view


def list_tasks(
    uow: UnitOfWork, *, role: str | None = None, state: str | None = None, mine: bool = False
) -> list[dict[str, Any]]:
    """The work queue as plain data, each task with its case number and the case's due date."""
    require(uow.actor, "resident.view")
    tasks = ready_tasks(uow, role=role, state=state, claimed_by=uow.actor.login_id if mine else None)
    case_ids = {t.case_id for t in tasks}
    numbers = {
        c.id: c for c in uow.session.scalars(select(Case).where(Case.id.in_(case_ids)))
    } if case_ids else {}  # fmt: skip
    return [
        {
            **_task_view(t),
            "case_id": t.case_id,
            "case_number": numbers[t.case_id].case_number if t.case_id in numbers else None,
        }
        for t in tasks
    ]
