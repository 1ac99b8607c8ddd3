"""仮登録一覧 and 本登録 of all or a part of it in one action (j530).

The list shows every provisional change (``PendingChange`` with status ``provisional``) waiting for its review,
with who entered it, when, where (the operator's ward or 支所) and on which terminal, and the alerts it raised.
It is narrowed by person (宛名番号 or a part of the name), input place and terminal.

本登録 of several cases goes through ``handlers.cases.approve`` once per case, each in its own SAVEPOINT: the
four-eyes rule and the acknowledgement of every alert hold per case, and a case that is refused (an alert not
acknowledged, entered by the approver, changed meanwhile) is reported and writes nothing while the others go
through.  "All" is capped by the municipality's ``bulk_approval_limit`` (j530: 件数に上限を掛けることができる).

No approver name or approval date is kept as a 決裁 record (j530 【実装しない機能】): the access log and the
case timeline are the trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.cases.doors import FOUR_EYES_MESSAGE, REVIEW_PREFIX, approve
from handlers.cases.locks import OPEN_CASE_STATUSES
from handlers.changes.base import change_types
from handlers.clock import to_jst
from handlers.errors import DomainError, NotFoundError, PermissionDeniedError, Problem, ValidationError
from handlers.permissions import require
from handlers.rules.digits import whole_number
from handlers.tenants import municipality_of, setting
from handlers.uow import UnitOfWork
from models.case import Case, CaseTask
from models.change import PendingChange
from models.resident import Resident
from models.tenant import Ward
from models.user import User

LIMIT_KEY = "bulk_approval_limit"
NO_PLACE = "（指定なし）"


@dataclass(frozen=True)
class ProvisionalFilter:
    person: str | None = None  # 宛名番号 or a part of a name / kana
    place: str | None = None  # the ward (支所) code the change was entered at; "" for none
    terminal: str | None = None


@dataclass(frozen=True)
class ProvisionalRow:
    case_id: int
    case_number: str
    change_type: str
    change_type_label: str
    persons: list[str]  # 「氏名（宛名番号）」 or the names of persons not yet on the register
    atena_numbers: list[str]
    entered_by: str
    entered_by_me: bool
    entered_at: dt.datetime  # Japan time
    place: str | None
    place_label: str
    terminal: str | None
    alerts: list[dict[str, Any]]
    review_task_id: int | None  # None: the case waits for no review now (e.g. an incident)


@dataclass(frozen=True)
class ProvisionalList:
    rows: list[ProvisionalRow]
    total: int  # before filtering
    places: list[tuple[str, str]]  # (code, label) of every input place in the list
    terminals: list[str]
    limit: int


@dataclass(frozen=True)
class ApprovalOutcome:
    case_id: int
    case_number: str
    outcome: str  # approved / incident / alerts / four_eyes / refused / not_provisional
    messages: list[str] = field(default_factory=list)

    @property
    def approved(self) -> bool:
        return self.outcome == "approved"


def approval_limit(uow: UnitOfWork) -> int:
    """The municipality's cap on 全部本登録 (``Municipality.settings["bulk_approval_limit"]``, default 50)."""
    value = setting(municipality_of(uow.session, uow.actor.tenant_id), LIMIT_KEY)
    limit = whole_number(str(value))  # the one reading of typed numbers (a stored ² was int()'s ValueError)
    return limit if limit is not None and limit > 0 else 50


def _provisional(uow: UnitOfWork) -> list[tuple[PendingChange, Case]]:
    return list(
        uow.session.execute(
            select(PendingChange, Case)
            .join(Case, Case.id == PendingChange.case_id)
            .where(PendingChange.status == "provisional", Case.status.in_(OPEN_CASE_STATUSES))
            .order_by(PendingChange.entered_at, Case.id)
        )
    )


def _review_tasks(uow: UnitOfWork, case_ids: Iterable[int]) -> dict[int, int]:
    tasks = uow.session.scalars(
        select(CaseTask)
        .where(CaseTask.case_id.in_(set(case_ids)), CaseTask.state.in_(("ready", "claimed")))
        .order_by(CaseTask.id)
    )
    return {t.case_id: t.id for t in tasks if t.bpmn_id.startswith(REVIEW_PREFIX)}


def _names_on_register(uow: UnitOfWork, numbers: set[str]) -> dict[str, str]:
    if not numbers:
        return {}
    rows = uow.session.execute(
        select(
            Resident.atena_number, Resident.family_name, Resident.given_name, Resident.name_alphabet
        ).where(Resident.atena_number.in_(numbers))
    )
    return {a: " ".join(p for p in (f, g) if p) or str(alpha or "") for a, f, g, alpha in rows}


def _new_persons(proposal: Mapping[str, Any]) -> list[str]:
    """Names of persons the change would add to the register (転入, 出生 …): not there yet."""
    members = [m for m in proposal.get("members") or [] if isinstance(m, Mapping)]
    if isinstance(proposal.get("member"), Mapping):
        members.append(proposal["member"])
    names = []
    for m in members:
        if m.get("atena_number"):
            continue
        name = " ".join(str(m.get(k) or "") for k in ("family_name", "given_name")).strip()
        names.append(name or str(m.get("name_alphabet") or "").strip())
    return [n for n in names if n]


def _users(uow: UnitOfWork, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(uow.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def _wards(uow: UnitOfWork) -> dict[str, str]:
    rows = uow.session.execute(
        select(Ward.code, Ward.name).where(Ward.municipality_id == uow.actor.tenant_id)
    )
    return dict(rows.all())


def _rows(uow: UnitOfWork) -> list[ProvisionalRow]:
    found = _provisional(uow)
    tasks = _review_tasks(uow, (c.id for _p, c in found))
    names = _names_on_register(uow, {str(a) for _p, c in found for a in c.subject_atena_numbers or []})
    users = _users(uow, {p.entered_by for p, _c in found if p.entered_by is not None})
    wards = _wards(uow)
    labels = {code: kind.label for code, kind in change_types().items()}
    rows = []
    for pending, case in found:
        numbers = [str(a) for a in case.subject_atena_numbers or []]
        persons = [f"{names[a]}（{a}）" if names.get(a) else a for a in numbers] + _new_persons(
            pending.proposal
        )
        rows.append(
            ProvisionalRow(
                case.id, case.case_number, pending.change_type, labels.get(pending.change_type, pending.change_type),
                persons, numbers, users.get(pending.entered_by or 0, pending.entered_by_login),
                _entered_by_actor(uow, pending), to_jst(pending.entered_at), pending.entered_place,
                wards.get(pending.entered_place or "", pending.entered_place or NO_PLACE), pending.entered_terminal,
                list(pending.alerts or []), tasks.get(case.id),
            )
        )  # fmt: skip
    return rows


def _entered_by_actor(uow: UnitOfWork, pending: PendingChange) -> bool:
    if pending.entered_by is not None and uow.actor.user_id is not None:
        return pending.entered_by == uow.actor.user_id
    return pending.entered_by_login == uow.actor.login_id


def _matches(row: ProvisionalRow, filters: ProvisionalFilter) -> bool:
    if filters.place is not None and (row.place or "") != filters.place:
        return False
    if filters.terminal and (row.terminal or "") != filters.terminal:
        return False
    needle = (filters.person or "").strip().replace(" ", "").replace("\u3000", "")
    haystack = [*row.atena_numbers, *(p.replace(" ", "") for p in row.persons)]
    return not needle or any(needle in text for text in haystack)


def provisional_list(uow: UnitOfWork, filters: ProvisionalFilter | None = None) -> ProvisionalList:
    """仮登録一覧: the provisional changes of this municipality waiting for 決裁, filtered (logged as a view)."""
    require(uow.actor, "resident.approve")
    rows = _rows(uow)
    shown = [r for r in rows if _matches(r, filters or ProvisionalFilter())]
    record_access(
        uow, "provisional_changes_listed", "view", sorted({a for r in shown for a in r.atena_numbers}),
        detail={"cases": [r.case_number for r in shown]},
    )  # fmt: skip
    places = sorted({(r.place or "", r.place_label) for r in rows})
    terminals = sorted({r.terminal for r in rows if r.terminal})
    return ProvisionalList(shown, len(rows), places, terminals, approval_limit(uow))


def _approve_one(uow: UnitOfWork, row: ProvisionalRow, acknowledgements: Sequence[str]) -> ApprovalOutcome:
    if row.review_task_id is None:
        return ApprovalOutcome(row.case_id, row.case_number, "refused", ["審査待ちのタスクがありません。"])
    savepoint = uow.session.begin_nested()
    try:
        case = approve(uow, row.review_task_id, acknowledgements)
    except PermissionDeniedError as err:
        savepoint.rollback()
        outcome = "four_eyes" if str(err) == FOUR_EYES_MESSAGE else "refused"
        return ApprovalOutcome(row.case_id, row.case_number, outcome, [str(err)])
    except ValidationError as err:
        savepoint.rollback()
        alerts = all(p.code == "alert_not_acknowledged" for p in err.problems)
        messages = [f"{p.item}：{p.reason}。{p.remedy}" for p in err.problems]
        return ApprovalOutcome(row.case_id, row.case_number, "alerts" if alerts else "refused", messages)
    except DomainError as err:
        savepoint.rollback()
        return ApprovalOutcome(row.case_id, row.case_number, "refused", [str(err)])
    savepoint.commit()  # releases the SAVEPOINT only; the unit of work commits the request
    if case.status == "incident":  # decided; a later step failed and waits on the case page for a retry
        return ApprovalOutcome(row.case_id, row.case_number, "incident", [str(case.incident_error or "")])
    return ApprovalOutcome(row.case_id, row.case_number, "approved")


def _targets(uow: UnitOfWork, case_ids: Sequence[int]) -> list[ProvisionalRow]:
    """The rows of ``case_ids`` in the order given; an id that is no case of this municipality is not found,
    a case that is no longer provisional is reported by the caller."""
    known = set(uow.session.scalars(select(Case.id).where(Case.id.in_(set(case_ids)))))
    missing = [i for i in case_ids if i not in known]
    if missing:
        raise NotFoundError("指定された案件は見つかりません。")
    by_id = {r.case_id: r for r in _rows(uow)}
    return [by_id[i] for i in dict.fromkeys(case_ids) if i in by_id]


def _gone(uow: UnitOfWork, case_ids: Sequence[int], rows: Sequence[ProvisionalRow]) -> list[ApprovalOutcome]:
    listed = {r.case_id for r in rows}
    others = [i for i in dict.fromkeys(case_ids) if i not in listed]
    numbers = dict(uow.session.execute(select(Case.id, Case.case_number).where(Case.id.in_(others))).all())
    return [
        ApprovalOutcome(
            i, numbers.get(i, str(i)), "not_provisional", ["仮登録中ではありません（本登録・取消済み）。"]
        )
        for i in others
    ]


def approve_provisional(
    uow: UnitOfWork,
    case_ids: Sequence[int],
    acknowledgements: Mapping[int, Sequence[str]] | None = None,
) -> list[ApprovalOutcome]:
    """本登録 of the selected provisional changes, one by one through ``approve``; a result per case."""
    require(uow.actor, "resident.approve")
    if not case_ids:
        raise ValidationError(
            [Problem("case_ids", "本登録する案件", "選択されていません", "本登録する案件を選択してください", "required")]
        )  # fmt: skip
    rows = _targets(uow, case_ids)
    acks = acknowledgements or {}
    outcomes = [_approve_one(uow, row, [str(a) for a in acks.get(row.case_id, ())]) for row in rows]
    outcomes += _gone(uow, case_ids, rows)
    _log_outcomes(uow, rows, outcomes)
    return outcomes


def approve_all_provisional(
    uow: UnitOfWork,
    filters: ProvisionalFilter | None = None,
    acknowledgements: Mapping[int, Sequence[str]] | None = None,
) -> list[ApprovalOutcome]:
    """全部本登録: every provisional change the filters show, refused as a whole above the municipality's cap."""
    require(uow.actor, "resident.approve")
    rows = [r for r in _rows(uow) if _matches(r, filters or ProvisionalFilter())]
    limit = approval_limit(uow)
    if not rows:
        raise ValidationError(
            [Problem("approve_all", "全部本登録", "対象の仮登録がありません", "絞り込みの条件を確認してください", "empty")]
        )  # fmt: skip
    if len(rows) > limit:
        raise ValidationError(
            [Problem("approve_all", "全部本登録", f"対象が{len(rows)}件あり、上限の{limit}件を超えています",
                     "入力場所・端末・異動者で絞り込むか、案件を選択して本登録してください", "bulk_approval_limit")]
        )  # fmt: skip
    return approve_provisional(uow, [r.case_id for r in rows], acknowledgements)


def _log_outcomes(
    uow: UnitOfWork, rows: Sequence[ProvisionalRow], outcomes: Sequence[ApprovalOutcome]
) -> None:
    """The refusals the SAVEPOINTs rolled back are logged again here, with the summary of the action."""
    by_id = {r.case_id: r for r in rows}
    for outcome in outcomes:
        if outcome.outcome == "four_eyes":
            row = by_id[outcome.case_id]
            record_access(
                uow, "approval_refused_same_user", "change", row.atena_numbers,
                detail={"case_number": row.case_number, "change_type": row.change_type},
            )  # fmt: skip
    record_access(
        uow, "provisional_changes_approved", "change", sorted({a for r in rows for a in r.atena_numbers}),
        detail={"approved": [o.case_number for o in outcomes if o.approved],
                "not_approved": [o.case_number for o in outcomes if not o.approved]},
    )  # fmt: skip
