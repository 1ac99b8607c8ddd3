"""異動の取消し (j980, j990): cancel a change registered by mistake — itself a new change that APPENDS history.

* 取消（増） (reason 異動の取消し（増）, a 記載 reason): cancels a removal (a 転出 or 死亡 registered by mistake);
  the person is a resident again, as before the removal.
* 取消（減） (異動の取消し（減）, a 消除 reason): cancels a record creation (a 転入 or 出生 by mistake); the person
  becomes a 除票.
* 取消（修正） (異動の取消し（修正）, a 修正 reason): cancels an amendment; the items are restored from the
  snapshot before it.  There is no 「転居取消」 reason (j210 【実装しない機能】): a mistaken 転居 is cancelled here.
  Address changes return the person to the former household (or a new one at the former address, see
  ``handlers.changes.cancellation_restore``).

Intake: ``atena_number`` and ``history_no`` (the 履歴番号 of the change to cancel); ``atena_numbers`` (who is
cancelled — the whole or a part of the persons of that change, j460; default the named person alone);
``change_date`` (default today, not later); the ex-officio items, with ``on_request``/``requested_date`` when
cancelled on request (j990 → j790).

Rules chosen from j980: only the latest change of each person can be cancelled (its restoration is the
snapshot just before it; cancel later changes first, newest first).  Changes to a 住民票コード or 個人番号 are
not cancelled (the replaced number is void at 住基ネット): correct them with their own change types.  A person
already moved to the removed-records archive is refused; j980 allows restoring them by re-entering the data.
No alert is raised for a 転出 whose 転入通知 was received or whose planned date passed (j980 【実装しない機能】).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.changes.base import Assessment, NoticeDraft, RegistrationResult, register_change_type
from handlers.changes.cancellation_restore import (
    DECREASE,
    cancellation_kind,
    head_conflict,
    history_at,
    place,
    placement_of,
    remove_person,
    restore_items,
    settle,
)
from handlers.changes.ex_officio import (
    cs_notice,
    documents,
    history_dates,
    history_note,
    past_or_today,
    read_ex_officio,
)
from handlers.errors import Problem
from handlers.permissions import require
from handlers.residents.history import append_history
from handlers.residents.lookup import find_resident
from handlers.rules.change_reasons import REASONS
from handlers.uow import UnitOfWork
from models.removed import RemovedRecordArchive
from models.resident import Household, Resident, ResidentHistory

NOT_CANCELLABLE = ("resident_code_", "my_number_")


@dataclass(frozen=True)
class Target:
    resident: Resident
    row: ResidentHistory
    before: ResidentHistory | None
    kind: str


def _problem(field: str, item: str, reason: str, remedy: str, code: str) -> Problem:
    return Problem(field, item, reason, remedy, code)


def _person(uow: UnitOfWork, number: str, problems: list[Problem]) -> Resident | None:
    found = uow.session.scalars(select(Resident).where(Resident.atena_number == number)).one_or_none()
    if found is not None:
        return found
    archived = uow.session.scalars(
        select(RemovedRecordArchive).where(RemovedRecordArchive.atena_number == number)
    ).one_or_none()
    if archived is not None:
        problems.append(
            _problem(
                "atena_number",
                f"宛名番号{number}",
                "この住民の記録は除票用データベースに移行済みのため、取消しで復元できません",
                "異動前の住民データを職権記載等で入力し直して復元してください",
                "archived",
            )
        )
    else:
        problems.append(
            _problem(
                "atena_number",
                f"宛名番号{number}",
                "住民が見つかりません",
                "宛名番号を確認してください",
                "not_found",
            )
        )
    return None


def same_change(row: ResidentHistory, named: ResidentHistory) -> bool:
    """Rows of one change: the same case, or (registered outside a case) the same reason, 異動日 and 処理日."""
    if row.case_id is not None or named.case_id is not None:
        return row.case_id == named.case_id
    return (row.change_reason, row.change_date, row.processed_date) == (
        named.change_reason,
        named.change_date,
        named.processed_date,
    )


def _row_problems(
    resident: Resident, row: ResidentHistory | None, named: ResidentHistory | None
) -> list[Problem]:
    item = f"宛名番号{resident.atena_number}の取り消す異動"
    if row is None or (named is not None and row is not named and not same_change(row, named)):
        return [
            _problem(
                "history_no",
                item,
                "取り消す異動（履歴番号）がこの住民の同じ異動にありません",
                "取り消す異動を異動履歴から選択してください",
                "history_not_found",
            )
        ]
    if row.history_no != resident.history_no:
        return [
            _problem(
                "history_no",
                item,
                "最新の異動ではありません",
                "後の異動から順に（新しい異動から）取り消してください",
                "not_latest",
            )
        ]
    if row.change_reason.startswith(NOT_CANCELLABLE):
        return [
            _problem(
                "history_no",
                item,
                "住民票コード・個人番号の異動は取り消せません",
                "住民票コードの修正または個人番号の職権修正で行ってください",
                "not_cancellable",
            )
        ]
    return []


def _numbers(intake: Mapping[str, Any]) -> tuple[str, list[str]]:
    named = str(intake.get("atena_number") or "").strip()
    others = [str(n).strip() for n in intake.get("atena_numbers") or [] if str(n).strip() != named]
    return named, [named, *others]


def _history_no(raw: Any) -> int | None:
    try:
        return int(str(raw).strip())
    except ValueError:
        return None


def read_targets(uow: UnitOfWork, intake: Mapping[str, Any], problems: list[Problem]) -> list[Target]:
    named, numbers = _numbers(intake)
    history_no = _history_no(intake.get("history_no"))
    targets: list[Target] = []
    named_row: ResidentHistory | None = None
    for number in numbers:
        resident = _person(uow, number, problems)
        if resident is None:
            continue
        if number == named:
            row = history_at(uow.session, number, history_no) if history_no else None
            named_row = row
        else:
            row = history_at(uow.session, number, resident.history_no)
        found = _row_problems(resident, row, named_row if number != named else None)
        problems.extend(found)
        if row is not None and not found:
            before = history_at(uow.session, number, row.history_no - 1)
            targets.append(Target(resident, row, before, cancellation_kind(row, before)))
    return targets


def _placement_problems(uow: UnitOfWork, targets: list[Target], together: list[str]) -> list[Problem]:
    found = []
    for target in targets:
        if target.kind == DECREASE or target.before is None:
            continue
        snapshot = target.before.snapshot
        if head_conflict(
            uow.session, snapshot, placement_of(uow.session, target.resident, snapshot, together), together
        ):
            found.append(
                _problem(
                    "atena_numbers",
                    f"宛名番号{target.resident.atena_number}",
                    "従前の世帯には既に別の世帯主がいます",
                    "先に従前の世帯の世帯主変更を行ってから取り消してください",
                    "duplicate_head",
                )
            )
    return found


def _subjects(uow: UnitOfWork, targets: list[Target]) -> list[str]:
    subjects = {f"resident:{t.resident.atena_number}" for t in targets}
    for target in targets:
        subjects.add(f"household:{target.resident.household.household_number}")
        if target.before is not None:
            former = uow.session.scalars(
                select(Household).where(
                    Household.household_number == target.before.snapshot["household_number"]
                )
            ).one_or_none()
            if former is not None and former.status == "active":
                subjects.add(f"household:{former.household_number}")
    return sorted(subjects)


class ChangeCancellation:
    code = "change_cancellation"
    label = "異動の取消し"
    process_id = "change_cancellation"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        problems: list[Problem] = []
        proposal = read_ex_officio(intake, problems, koseki=False)
        targets = read_targets(uow, intake, problems)
        together = [t.resident.atena_number for t in targets]
        problems += _placement_problems(uow, targets, together)
        when = past_or_today(intake.get("change_date"), "change_date", "異動日", problems)
        proposal.update(
            change_date=when.isoformat() if when else None,
            targets=[
                {"atena_number": t.resident.atena_number, "history_no": t.row.history_no, "kind": t.kind}
                for t in targets
            ],
        )
        return Assessment(proposal, problems, [], _subjects(uow, targets), when)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        require(uow.actor, "resident.change")
        when = dt.date.fromisoformat(str(proposal["change_date"]))
        together = [str(t["atena_number"]) for t in proposal["targets"]]
        recreated: dict[str, Household] = {}
        touched: set[Household] = set()
        people: list[tuple[Resident, ResidentHistory, str]] = []
        for item in proposal["targets"]:
            resident = find_resident(uow.session, str(item["atena_number"]))
            row = history_at(uow.session, resident.atena_number, int(item["history_no"]))
            before = history_at(uow.session, resident.atena_number, int(item["history_no"]) - 1)
            assert row is not None
            if item["kind"] == DECREASE or before is None:
                touched.add(remove_person(resident, when))
            else:
                placement = placement_of(uow.session, resident, before.snapshot, together)
                restore_items(resident, before.snapshot)
                touched |= place(uow.session, resident, before.snapshot, placement, recreated)
            people.append((resident, row, str(item["kind"])))
        uow.session.flush()
        for household in touched:
            uow.session.refresh(household, ["members"])
            settle(household)
        for resident, row, kind in people:
            _append(uow, resident, row, kind, proposal, when)
        numbers = [r.atena_number for r, _, _ in people]
        record_access(
            uow, "change_cancelled", "change", numbers, detail={"reasons": sorted({k for _, _, k in people})}
        )
        notices: list[NoticeDraft] = []
        for resident, _, kind in people:
            notices += [cs_notice("identity_change", resident, kind), _addressee(resident, kind)]
        households = sorted(
            {r.household.household_number for r, _, _ in people} | {h.household_number for h in touched}
        )
        return RegistrationResult(
            numbers, households, notices, documents(proposal), {"cancelled": list(proposal["targets"])}
        )


def _append(
    uow: UnitOfWork,
    resident: Resident,
    row: ResidentHistory,
    kind: str,
    proposal: Mapping[str, Any],
    when: dt.date,
) -> None:
    label = REASONS[row.change_reason].label if row.change_reason in REASONS else row.change_reason
    append_history(
        uow.session,
        resident,
        reason_code=kind,
        change_date=when,
        effective_date=row.effective_date,
        note=history_note(proposal) + f"（履歴番号{row.history_no}の異動「{label}」を取り消した）",
        entered_by=uow.actor.user_id,
        input_terminal=uow.actor.terminal,
        **history_dates(proposal),
    )


def _addressee(resident: Resident, kind: str) -> NoticeDraft:
    return NoticeDraft(
        "addressee",
        "identity_change",
        {"atena_number": resident.atena_number, "history_no": resident.history_no, "reason": kind},
    )


CHANGE_CANCELLATION = register_change_type(ChangeCancellation())
