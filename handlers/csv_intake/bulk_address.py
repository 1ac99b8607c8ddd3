"""住所一括変更 (j1340): town or lot renaming from a CSV — 世帯番号 + before/after 住所, or 宛名番号 + before/after
本籍 — first as a provisional run (every affected household and person with before → after, kept for the
confirmation list), then the final run, recorded person by person as 軽微な修正 through the change type
``minor_correction`` (history appended) and notified to 住基ネット (CS) through the outbox.

Persons whose data changed since the provisional run, and 転出予定者, are left out of the final run with the
reason (j1340 allows excluding them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.changes.minor_correction import MINOR_CATEGORIES, MINOR_CORRECTION
from handlers.csv_intake.reading import read_csv
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.outbox_dispatch import schedule_delivery
from handlers.outbox_sequence import next_outbox_seq
from handlers.permissions import require
from handlers.residents.history import display_name
from handlers.uow import UnitOfWork
from models.change import OutboxMessage
from models.reporting import BulkAddressChange
from models.resident import Household, Resident

LAYOUTS = {
    "address": ["世帯番号", "変更前住所", "変更後住所", "変更後郵便番号"],
    "honseki": ["宛名番号", "変更前本籍", "変更後本籍"],
}


def _plan_address(uow: UnitOfWork, line: int, cells: list[str]) -> tuple[dict[str, Any] | None, str | None]:
    number, before, after, postal = (c.strip() for c in cells)
    household = uow.session.scalars(
        select(Household).where(Household.household_number == number)
    ).one_or_none()
    if household is None:
        return None, "該当する世帯がありません"
    if household.address != before:
        return None, f"変更前住所が現在の住所「{household.address}」と一致しません"
    members = [{"atena_number": m.atena_number, "name": display_name(m), "status": m.status} for m in household.members
               if m.status != "removed"]  # fmt: skip
    return {"line": line, "key": number, "before": before, "after": after, "postal_code": postal or None,
            "members": members}, None  # fmt: skip


def _plan_honseki(uow: UnitOfWork, line: int, cells: list[str]) -> tuple[dict[str, Any] | None, str | None]:
    number, before, after = (c.strip() for c in cells)
    person = uow.session.scalars(select(Resident).where(Resident.atena_number == number)).one_or_none()
    if person is None or person.status == "removed":
        return None, "該当する住民がいません"
    if person.honseki != before:
        return None, f"変更前本籍が現在の本籍「{person.honseki}」と一致しません"
    members = [{"atena_number": person.atena_number, "name": display_name(person), "status": person.status}]
    return {"line": line, "key": number, "before": before, "after": after, "members": members}, None


def plan_bulk_change(
    uow: UnitOfWork, target: str, data: bytes, *, minor_category: str, change_date: dt.date
) -> BulkAddressChange:
    """仮処理: read the CSV, match every row, and keep the plan (nothing in the register changes)."""
    require(uow.actor, "resident.change")
    if target not in LAYOUTS or minor_category not in MINOR_CATEGORIES:
        raise ValidationError(
            [
                Problem(
                    "target", "一括変更の種類", "選べる値ではありません", "一覧から選んでください", "choice"
                )
            ]
        )
    parsed = read_csv(data, LAYOUTS[target])
    plan, problems = [], []
    planner = _plan_address if target == "address" else _plan_honseki
    for line, cells in parsed.rows:
        entry, reason = planner(uow, line, cells)
        if entry is not None:
            plan.append(entry)
        else:
            problems.append({"row": line, "column": LAYOUTS[target][0], "reason": reason})
    change = BulkAddressChange(target=target, minor_category=minor_category, change_date=change_date,
                               plan=plan, problems=problems, created_by=uow.actor.login_id)  # fmt: skip
    uow.session.add(change)
    uow.session.flush()
    targets = [m["atena_number"] for e in plan for m in e["members"]]
    record_access(uow, "bulk_change_planned", "search", targets, detail={"id": change.id, "target": target})
    return change


def _intake(change: BulkAddressChange, entry: dict[str, Any], atena: str) -> dict[str, Any]:
    base = {"atena_number": atena, "change_date": change.change_date.isoformat(), "minor_category": change.minor_category,
            "ex_officio_record": f"住所一括変更（{MINOR_CATEGORIES[change.minor_category]}）第{change.id}号"}  # fmt: skip
    if change.target == "address":
        household = {"address": entry["after"]}
        if entry.get("postal_code"):
            household["postal_code"] = entry["postal_code"]
        return {**base, "household_changes": household}
    return {**base, "changes": {"honseki": entry["after"]}}


def exclusion_reason(uow: UnitOfWork, change: BulkAddressChange, entry: dict[str, Any]) -> str | None:
    """Why the final run leaves ``entry`` out (changed since the 仮処理, or a 転出予定者 concerned), else None;
    the 事前通知 asks the same, so a household the run would leave out gets no notice."""
    first = uow.session.scalars(
        select(Resident).where(Resident.atena_number == entry["members"][0]["atena_number"])
    ).one()
    current = first.household.address if change.target == "address" else first.honseki
    if current != entry["before"]:
        return "仮処理の後に変更されています"
    if any(
        m.status == "moving_out" for m in (first.household.members if change.target == "address" else [first])
    ):
        return "転出予定者を含むため除外しました"
    return None


def _queue_notices(uow: UnitOfWork, change: BulkAddressChange, notices: list[Any]) -> None:
    for index, notice in enumerate(notices, start=1):
        uow.session.add(OutboxMessage(tenant_id=uow.actor.tenant_id, destination=notice.destination, kind=notice.kind,
                                      payload=dict(notice.payload), idempotency_key=f"bulk:{change.id}:{index}",
                                      seq=next_outbox_seq(uow, notice.destination), status="pending", attempts=0))  # fmt: skip
    uow.session.flush()
    schedule_delivery(uow, {n.destination for n in notices})


def apply_bulk_change(uow: UnitOfWork, change_id: int) -> BulkAddressChange:
    """本処理: each planned household (or person) as 軽微な修正, then the CS notices through the outbox."""
    require(uow.actor, "resident.change")
    change = uow.session.get(BulkAddressChange, change_id)
    if change is None or change.status != "provisional":
        raise NotFoundError("仮処理中の住所一括変更がありません。")
    applied, skipped, notices = [], [], []
    for entry in change.plan:
        if reason := exclusion_reason(uow, change, entry):
            skipped.append({"key": entry["key"], "reason": reason})
            continue
        intake = _intake(change, entry, entry["members"][0]["atena_number"])
        assessment = MINOR_CORRECTION.assess(uow, intake)
        if assessment.problems:
            skipped.append({"key": entry["key"], "reason": "／".join(p.message for p in assessment.problems)})
            continue
        result = MINOR_CORRECTION.register(uow, assessment.proposal)
        applied += result.atena_numbers
        notices += result.notices
    _queue_notices(uow, change, notices)
    change.status, change.applied, change.skipped = "final", applied, skipped
    change.finished_at = dt.datetime.now(dt.UTC)
    record_access(
        uow, "bulk_change_applied", "change", applied, detail={"id": change.id, "skipped": len(skipped)}
    )
    return change
