"""The counter's work queues (自分のタスク, my role's unclaimed tasks, the supervisors' queue of late work) and
the plain data the counter screens need around one task: its intake for re-entry, its review.

Every task carries the LEGAL due date of its case (``CaseTask.due_date``, set by ``open_case`` from the event:
14 days for 転入・転居・世帯変更, the planned date for 転出), never the day the task was created.  A task past
that date is overdue (期限超過); one within ``AT_RISK_DAYS`` of it is at risk (期限間近).  Both also reach the
supervisors' queue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers import receipt_notices
from handlers.audit import record_access
from handlers.cases.doors import INTAKE_PREFIX, REVIEW_PREFIX
from handlers.cases.pending import pending_change_of
from handlers.cases.view import case_view, subject_names
from handlers.changes.base import change_types
from handlers.clock import japan_today
from handlers.destination_settings import destination_names
from handlers.errors import ConflictError, NotFoundError
from handlers.flows import flow_name
from handlers.permissions import has_permission, require
from handlers.rules.deadlines import at_risk, is_overdue
from handlers.staff_names import staff_names
from handlers.uow import UnitOfWork
from models.case import Case, CaseTask
from models.change import PendingChange
from models.user import User
from workflows.engine import runner
from workflows.engine.lanes import is_system_task

AT_RISK_DAYS = 3
SUPERVISING_ROLES = frozenset({"supervisor"})
STATE_LABELS = {"ready": "未着手", "claimed": "担当中", "completed": "完了", "cancelled": "取消"}


@dataclass(frozen=True)
class QueueFilter:
    change_type: str | None = None
    state: str | None = None  # ready / claimed
    due_by: dt.date | None = None  # tasks due on or before this day
    person: str | None = None  # 宛名番号 or a part of the name / kana


def change_type_labels() -> dict[str, str]:
    """code → Japanese label of every registered change type (the catalog imported first)."""
    __import__("handlers.changes.catalog")
    return {code: kind.label for code, kind in sorted(change_types().items(), key=lambda kv: kv[1].label)}


def case_kind_label(change_type: str | None, process_id: str) -> str:
    """What a case is, in Japanese: its change type (転入 …), else its flow's name (証明書交付請求 …)."""
    labels = change_type_labels()
    if change_type in labels:
        return labels[change_type]
    try:
        return flow_name(process_id)
    except NotFoundError:
        return change_type or process_id


def _names(proposal: Mapping[str, Any]) -> list[str]:
    names = []
    for member in proposal.get("members") or []:
        if isinstance(member, Mapping):
            name = " ".join(str(member.get(k) or "") for k in ("family_name", "given_name")).strip()
            kana = " ".join(str(member.get(k) or "") for k in ("family_name_kana", "given_name_kana")).strip()
            names.append(f"{name}（{kana}）" if kana else name or str(member.get("name_alphabet") or ""))
    return [n for n in names if n]


def _row(
    task: CaseTask, case: Case, pending: PendingChange | None, today: dt.date, registered: Mapping[str, str]
) -> dict[str, Any]:
    """A task of the queue; its persons by 氏名: those entered (a 転入's members) and the registered ones the
    case names (a 転居's movers), each with its 宛名番号."""
    due = task.due_date or case.due_date
    numbers = list(case.subject_atena_numbers or [])
    entered = _names(pending.proposal) if pending is not None else []
    people = [f"{registered[a]}（{a}）" for a in numbers if registered.get(a)]
    known = {registered[a].replace(" ", "") for a in numbers if registered.get(a)}
    entered = [n for n in entered if not any(n.replace(" ", "").startswith(k) for k in known)]
    return {
        "id": task.id, "name": task.name, "bpmn_id": task.bpmn_id, "role": task.role, "state": task.state,
        "state_label": STATE_LABELS.get(task.state, task.state), "claimed_by": task.claimed_by,
        "case_id": case.id, "case_number": case.case_number, "change_type": case.change_type,
        "change_type_label": case_kind_label(case.change_type, case.process_id),
        "due_date": due, "overdue": is_overdue(due, today), "at_risk": at_risk(due, today, AT_RISK_DAYS),
        "atena_numbers": numbers, "names": [*entered, *people],
        "unnamed_numbers": [a for a in numbers if not registered.get(a)],
        "is_review": task.bpmn_id.startswith(REVIEW_PREFIX), "is_intake": task.bpmn_id.startswith(INTAKE_PREFIX),
    }  # fmt: skip


def _matches(row: Mapping[str, Any], filters: QueueFilter) -> bool:
    if filters.change_type and row["change_type"] != filters.change_type:
        return False
    if filters.state and row["state"] != filters.state:
        return False
    if filters.due_by and (row["due_date"] is None or row["due_date"] > filters.due_by):
        return False
    if filters.person:
        needle = filters.person.strip()
        haystack = [*row["atena_numbers"], *row["names"]]
        if not any(needle in text or needle in text.replace(" ", "") for text in haystack):
            return False
    return True


def _open_rows(uow: UnitOfWork, today: dt.date) -> list[dict[str, Any]]:
    tasks = runner.ready_tasks(uow)
    case_ids = {t.case_id for t in tasks}
    if not case_ids:
        return []
    by_id = {c.id: c for c in uow.session.scalars(select(Case).where(Case.id.in_(case_ids)))}
    pending = {
        p.case_id: p
        for p in uow.session.scalars(select(PendingChange).where(PendingChange.case_id.in_(case_ids)))
    }
    registered = subject_names(uow, (a for case in by_id.values() for a in case.subject_atena_numbers or []))
    return [
        _row(t, by_id[t.case_id], pending.get(t.case_id), today, registered)
        for t in tasks
        if t.case_id in by_id
    ]


def _by_due(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r["due_date"] or dt.date.max, r["id"]))


def task_queues(uow: UnitOfWork, filters: QueueFilter, today: dt.date | None = None) -> dict[str, Any]:
    """The three queues of the signed-in user, filtered, with their counts (before and after filtering)."""
    require(uow.actor, "resident.view")
    day = today or japan_today()
    rows = _open_rows(uow, day)
    roles = uow.actor.roles
    mine = [r for r in rows if r["claimed_by"] == uow.actor.login_id]
    unclaimed = [r for r in rows if r["state"] == "ready" and r["role"] in roles
                 and not is_system_task(r["bpmn_id"])]  # await_: another system's answer completes it  # fmt: skip
    queues: dict[str, list[dict[str, Any]]] = {"mine": mine, "unclaimed": unclaimed}
    if roles & SUPERVISING_ROLES:
        queues["late"] = [r for r in rows if r["overdue"] or r["at_risk"]]
    shown = {name: _by_due(r for r in queue if _matches(r, filters)) for name, queue in queues.items()}
    targets = sorted({a for queue in shown.values() for r in queue for a in r["atena_numbers"]})
    record_access(uow, "task_queue_viewed", "view", targets, detail={"queues": sorted(shown)})
    return {
        "queues": shown,
        "totals": {name: len(queue) for name, queue in queues.items()},
        "counts": {name: len(queue) for name, queue in shown.items()},
        "change_types": change_type_labels(),
        "assignees": _assignees(uow) if roles & SUPERVISING_ROLES else [],
        "staff": staff_names(uow, (r["claimed_by"] for queue in shown.values() for r in queue)),
    }


def _assignees(uow: UnitOfWork) -> list[dict[str, Any]]:
    users = uow.session.scalars(select(User).where(User.active.is_(True)).order_by(User.login_id))
    return [
        {"id": u.id, "login_id": u.login_id, "display_name": u.display_name, "roles": list(u.roles or [])}
        for u in users
        if set(u.roles or []) & {"clerk", "supervisor"}
    ]


def _open_task(uow: UnitOfWork, task_id: int, prefix: str) -> CaseTask:
    task = runner.get_task(uow, task_id)
    if not task.bpmn_id.startswith(prefix):
        raise NotFoundError("指定されたタスクはありません。")
    if task.state not in ("ready", "claimed"):
        raise ConflictError(f"このタスク（{task.name}）は既に完了しているか取り消されています。")
    return task


def intake_context(uow: UnitOfWork, task_id: int) -> dict[str, Any]:
    """A re-entry (再入力) task: the case, its change type, the intake entered before and the rejection reason."""
    require(uow.actor, "resident.change")
    task = _open_task(uow, task_id, INTAKE_PREFIX)
    case = uow.session.get(Case, task.case_id)
    if case is None:
        raise NotFoundError("案件が見つかりません。")
    data = runner.task_data(uow, task.id)
    intake = data.get("intake") if isinstance(data.get("intake"), dict) else {}
    return {
        "task_id": task.id, "task_name": task.name, "case_id": case.id, "case_number": case.case_number,
        "change_type": case.change_type, "intake": intake, "rejection_reason": data.get("rejection_reason"),
    }  # fmt: skip


def review_context(uow: UnitOfWork, task_id: int) -> dict[str, Any]:
    """A review (審査・決裁) task: the case as ``case_view`` shows it, plus who entered the change and whether the
    signed-in user may decide it (not the one who entered it: four eyes)."""
    require(uow.actor, "resident.view")
    task = _open_task(uow, task_id, REVIEW_PREFIX)
    view = case_view(uow, task.case_id)
    pending = pending_change_of(uow, task.case_id)
    entered_by = pending.entered_by_login if pending is not None else None
    view["task"] = {"id": task.id, "name": task.name, "state": task.state, "claimed_by": task.claimed_by,
                    "due_date": task.due_date}  # fmt: skip
    view["entered_by_me"] = entered_by == uow.actor.login_id
    view["may_approve"] = has_permission(uow.actor, "resident.approve") and not view["entered_by_me"]
    view["change_type_label"] = case_kind_label(view["case"]["change_type"], view["case"]["process_id"])
    view["staff"] = staff_names(uow, _logins_shown(view))
    return view


def _logins_shown(view: Mapping[str, Any]) -> Iterator[str | None]:
    """Every login ID a case's page names: who took the case in, holds or did its tasks, acted on its timeline
    (and to whom a task was given), entered its change and acknowledged its alerts."""
    yield view["case"]["created_by"]
    for task in view["tasks"]:
        yield from (task["claimed_by"], task["completed_by"])
    for event in view["timeline"]:
        yield event["actor"]
        detail = event["detail"] if isinstance(event["detail"], Mapping) else {}
        yield detail.get("to") if event["kind"] == "task_assigned" else None
    pending = view["pending_change"] or {}
    yield pending.get("entered_by")
    for alert in pending.get("alerts") or []:
        yield (alert.get("acknowledgement") or {}).get("by_login")


def finished_on_case_page(bpmn_id: str) -> bool:
    """A task done with a button on the case page (交付物の発行 …): not a review or intake, which have pages of
    their own, nor a wait for another system's answer, which no one completes by hand."""
    return not (bpmn_id.startswith((REVIEW_PREFIX, INTAKE_PREFIX)) or is_system_task(bpmn_id))


def case_page(uow: UnitOfWork, case_id: int, today: dt.date | None = None) -> dict[str, Any]:
    """The case page: ``case_view`` with the change type's label and the due-date marks."""
    view = case_view(uow, case_id)
    day = today or japan_today()
    due = view["case"]["due_date"]
    due_date = dt.date.fromisoformat(due) if due else None
    view["change_type_label"] = case_kind_label(view["case"]["change_type"], view["case"]["process_id"])
    view["overdue"] = view["case"]["status"] not in ("completed", "cancelled") and is_overdue(due_date, day)
    view["documents"] = (view["pending_change"] or {}).get("result", {}) or {}
    for task in view["tasks"]:
        task["finished_on_case_page"] = finished_on_case_page(task["bpmn_id"])
    view["receipt_notice"] = receipt_notices.offered(uow, case_id)  # j580: None when not offered
    view["destination_names"] = destination_names(uow, (m["destination"] for m in view["outbox"]))
    view["staff"] = staff_names(uow, _logins_shown(view))
    view["cs_change_requests"] = _cs_change_requests(uow, view)
    return view


def _cs_change_requests(uow: UnitOfWork, view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """個人番号の変更請求 (j1130): the 変更要求 the case sent CS and what CS answered."""
    if view["case"]["change_type"] != "my_number_change":
        return []
    from handlers.juki_net.change_requests import case_change_requests  # noqa: PLC0415 - imports this package

    return case_change_requests(uow, int(view["case"]["id"]))
