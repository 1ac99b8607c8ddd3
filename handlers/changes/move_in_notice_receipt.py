"""転入通知の受理 (j680–j710): the new municipality's notice (Act art. 9(1)) that a person who filed a 転出
here has registered there.

Intake (entered, or imported from CS): ``atena_number``, ``notice_date`` (転入通知年月日), ``confirmed_address``
(転出先住所（確定）), ``confirmed_code``, ``confirmed_postal_code``, ``confirmed_move_out_date``
(転出年月日（確定）: the move-in date the new municipality recorded), ``note``.

The confirmed items are recorded beside the planned ones, never over them (j680).  A confirmed date earlier
than the planned one makes the record a 除票 on that earlier date (notes §3).  A notice for a person whose
record was removed otherwise (職権消除 after a 実態調査) is recorded after an alert; a notice for a person still
living here without a 転出 is refused.  ``missing_move_in_notices`` lists the persons still waiting for their
notice (j710).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.changes.base import Assessment, RegistrationResult, register_change_type
from handlers.changes.move_out_register import remove_moved_out, tenant_ids
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import NotFoundError, Problem
from handlers.permissions import require
from handlers.residents.history import append_history, display_name
from handlers.residents.lookup import find_resident
from handlers.residents.validation import check_postal
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.rules.move_out import MOVE_OUT_REASONS, removal_date
from handlers.uow import UnitOfWork, unit_of_work
from models.resident import Resident

NOTICE_NOTE = "転入通知受理"
CHASED_REASONS = (*sorted(MOVE_OUT_REASONS - {"move_out_abroad"}), "ex_officio_removal")  # j710
DEFAULT_CHASE_DAYS = 30
CHASE_SETTING = "move_in_notice_chase_days"


def _problem(field: str, item: str, reason: str, remedy: str, code: str, level: str = "error") -> Problem:
    return Problem(field, item, reason, remedy, code, level)


def _date(intake: Mapping[str, Any], field: str, item: str, problems: list[Problem]) -> dt.date | None:
    value = intake.get(field)
    if value is None or not str(value).strip():
        problems.append(_problem(field, item, "入力されていません", f"{item}を入力してください", "required"))
        return None
    try:
        parsed = value if isinstance(value, dt.date) else parse_calendar_date(str(value))
    except DateInputError as err:
        problems.append(err.to_problem(field, item))
        return None
    if parsed > japan_today():
        problems.append(
            _problem(
                field, item, "未来の日付です", f"{item}は今日以前の日付を入力してください", "future_date"
            )
        )
    return parsed


def _person(
    uow: UnitOfWork, intake: Mapping[str, Any], problems: list[Problem], alerts: list[Problem]
) -> Resident | None:
    number = str(intake.get("atena_number") or "").strip()
    try:
        resident = find_resident(uow.session, number)
    except NotFoundError:
        problems.append(
            _problem(
                "atena_number",
                "対象者",
                f"宛名番号 {number} の住民は見つかりません",
                "宛名番号を確認してください",
                "not_found",
            )
        )
        return None
    if resident.status == "resident":
        problems.append(
            _problem(
                "atena_number",
                "対象者",
                "この人は転出していません（現に住民です）",
                "実態調査のうえ職権消除するか、転出の届出を処理してから受理してください",
                "not_moved_out",
            )
        )
    elif resident.removal_reason not in MOVE_OUT_REASONS:
        alerts.append(
            _problem(
                "atena_number",
                "対象者",
                "この人にはこの市区町村での転出の記録がありません",
                "職権消除などの記録であることを確認してから受理してください",
                "no_move_out_here",
                "alert",
            )
        )
    if resident.move_in_notice_date is not None:
        alerts.append(
            _problem(
                "notice_date",
                "転入通知年月日",
                f"既に転入通知（{resident.move_in_notice_date.isoformat()}）を受理しています",
                "再送された通知であれば内容を確認し、新しい通知で記録を修正してください",
                "notice_already_received",
                "alert",
            )
        )
    return resident


class MoveInNoticeReceipt:
    code = "move_in_notice_receipt"
    label = "転入通知の受理"
    process_id = "move_in_notice_receipt"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        problems: list[Problem] = []
        alerts: list[Problem] = []
        resident = _person(uow, intake, problems, alerts)
        notice_date = _date(intake, "notice_date", "転入通知年月日", problems)
        confirmed = _date(intake, "confirmed_move_out_date", "転出年月日（確定）", problems)
        address = str(intake.get("confirmed_address") or "").strip()
        if not address:
            problems.append(
                _problem(
                    "confirmed_address",
                    "転出先住所（確定）",
                    "入力されていません",
                    "転入通知に記載された住所を入力してください",
                    "required",
                )
            )
        postal = {"postal_code": intake.get("confirmed_postal_code") or None}
        problems += check_postal(postal, "postal_code", "転出先郵便番号（確定）")
        proposal = {
            "atena_number": resident.atena_number if resident else None,
            "notice_date": notice_date.isoformat() if notice_date else None,
            "confirmed_move_out_date": confirmed.isoformat() if confirmed else None,
            "confirmed_address": address,
            "confirmed_code": str(intake.get("confirmed_code") or "").strip() or None,
            "confirmed_postal_code": postal["postal_code"],
            "note": intake.get("note") or None,
        }
        subjects = [f"resident:{resident.atena_number}"] if resident else []
        return Assessment(proposal, problems, alerts, subjects, notice_date)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        require(uow.actor, "resident.change")
        resident = find_resident(uow.session, proposal["atena_number"])
        confirmed = dt.date.fromisoformat(proposal["confirmed_move_out_date"])
        resident.move_in_notice_date = dt.date.fromisoformat(proposal["notice_date"])
        resident.destination_confirmed_address = proposal["confirmed_address"]
        resident.destination_confirmed_code = proposal["confirmed_code"]
        resident.destination_confirmed_postal_code = proposal["confirmed_postal_code"]
        resident.move_out_confirmed_date = confirmed
        earlier = self._earlier_removal(uow, resident, confirmed, proposal)
        if not earlier:
            note = "／".join(p for p in (NOTICE_NOTE, proposal.get("note")) if p)
            append_history(
                uow.session,
                resident,
                reason_code=resident.removal_reason or "domestic_move_out",
                change_date=resident.removal_date or resident.move_out_planned_date,
                effective_date=japan_today(),
                note=note,
                entered_by=uow.actor.user_id,
                input_terminal=uow.actor.terminal,
            )
        record_access(
            uow,
            "move_in_notice_received",
            "change",
            [resident.atena_number],
            detail={"notice_date": proposal["notice_date"]},
        )
        return RegistrationResult(
            atena_numbers=[resident.atena_number],
            household_numbers=[resident.household.household_number],
            summary={
                "notice_date": proposal["notice_date"],
                "confirmed_move_out_date": proposal["confirmed_move_out_date"],
                "removal_date": resident.removal_date.isoformat() if resident.removal_date else None,
                "status": resident.status,
            },
        )

    @staticmethod
    def _earlier_removal(
        uow: UnitOfWork, resident: Resident, confirmed: dt.date, proposal: Mapping[str, Any]
    ) -> bool:
        """A confirmed date before the planned one: the 除票 takes the earlier date (now, if it has come)."""
        planned = resident.move_out_planned_date
        if planned is None or resident.removal_reason not in MOVE_OUT_REASONS:
            return False
        on = removal_date(planned, confirmed)
        note = "／".join(p for p in (NOTICE_NOTE, proposal.get("note")) if p)
        if resident.status == "moving_out" and on <= japan_today():
            remove_moved_out(uow, resident, on, note=note)
            return True
        if resident.status == "removed" and resident.removal_date is not None and on < resident.removal_date:
            resident.removal_date = on
            append_history(
                uow.session,
                resident,
                reason_code=resident.removal_reason,
                change_date=on,
                effective_date=on,
                note=note,
                entered_by=uow.actor.user_id,
                input_terminal=uow.actor.terminal,
            )
            return True
        return False


MOVE_IN_NOTICE_RECEIPT = register_change_type(MoveInNoticeReceipt())


@dataclass(frozen=True)
class MissingNotice:
    """One person removed by 転出 (or 職権消除) whose 転入通知 has not arrived (転入通知未着者一覧, j710)."""

    atena_number: str
    name: str
    removal_reason: str
    removal_date: dt.date
    destination: str | None
    days_waiting: int


def _missing(resident: Resident, today: dt.date) -> MissingNotice:
    removed_on = resident.removal_date or today
    return MissingNotice(
        resident.atena_number,
        display_name(resident),
        resident.removal_reason or "",
        removed_on,
        resident.destination_planned_address,
        (today - removed_on).days,
    )


def chase_days(uow: UnitOfWork) -> int:
    from models.tenant import Municipality

    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    settings = (municipality.settings or {}) if municipality else {}
    return int(settings.get(CHASE_SETTING, DEFAULT_CHASE_DAYS))


def missing_move_in_notices(
    uow: UnitOfWork, today: dt.date, after_days: int | None = None
) -> list[MissingNotice]:
    """Persons removed by 国内転出 or 職権消除 at least ``after_days`` days ago (the municipality's setting
    ``move_in_notice_chase_days``, default 30) with no 転入通知 recorded, oldest first (j700, j710)."""
    require(uow.actor, "resident.view")
    days = chase_days(uow) if after_days is None else after_days
    cutoff = today - dt.timedelta(days=days)
    rows = uow.session.scalars(
        select(Resident)
        .where(
            Resident.status == "removed",
            Resident.removal_reason.in_(CHASED_REASONS),
            Resident.move_in_notice_date.is_(None),
            Resident.removal_date <= cutoff,
        )
        .order_by(Resident.removal_date, Resident.atena_number)
    ).all()
    found = [_missing(r, today) for r in rows if r.removal_date is not None]
    record_access(
        uow,
        "missing_move_in_notices_listed",
        "search",
        [m.atena_number for m in found],
        detail={"after_days": days, "count": len(found)},
    )
    return found


def list_missing_notices(
    db: Database, *, tenant_code: str, today: dt.date, after_days: int | None = None
) -> list[MissingNotice]:
    """転入通知未着者一覧 of one municipality, as its system actor (``jumin batch missing-move-in-notices``)."""
    tenant_id, _name = tenant_ids(db, tenant_code)
    with unit_of_work(db, Actor.system(tenant_id, "batch:missing-move-in-notices")) as uow:
        return missing_move_in_notices(uow, today, after_days)
