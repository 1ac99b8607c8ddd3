"""転出 (move-out to another municipality or abroad, j640–j670, j490, j500; 除票 timing, notes §3).

Intake: ``atena_numbers``, ``change_date`` (the planned move-out date; may be after the 届出日, or the actual date
of a move already made), ``notified_date``, ``destination`` ({abroad: bool, municipality_code (JIS X 0402),
address (full address, or the foreign address), postal_code, country}), ``special_move_out`` (特例転出, the
card-based route), ``note``.

* A notification more than 14 days after the actual move is recorded ex officio (職権, j640); the document is
  then the 転出証明書に準ずる証明書 instead of the 転出証明書 (j660).  特例転出 issues no 転出証明書; the
  転出証明書情報 goes to CS (j670).
* At 本登録 each mover becomes ``moving_out`` with the planned destination and date and a history row; the
  record becomes a 除票 on the planned date (``apply_due_move_outs``, daily) — at once when that date has passed.
  Until then the person still counts as present.
* The head leaving two or more members behind is an alert (a 世帯主変更 should come first, j490); one member left
  becomes head ex officio when the head's record becomes a 除票.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from handlers.changes.base import Assessment, NoticeDraft, RegistrationResult, register_change_type
from handlers.changes.move_out_register import register_move_out
from handlers.changes.movers import Movers, check_dates, find_movers, head_problems, iso, subjects
from handlers.changes.notification_origin import origin_note, read_origin, special_problem
from handlers.errors import Problem
from handlers.residents.validation import check_postal
from handlers.rules.move_out import ABROAD_REASON, DOMESTIC_REASON, is_ex_officio, municipality
from handlers.support_measure_status import switch_to_former_address_protection
from handlers.uow import UnitOfWork
from models.tenant import Municipality


def _problem(field: str, item: str, reason: str, remedy: str, code: str, level: str = "error") -> Problem:
    return Problem(field, item, reason, remedy, code, level)


def _abroad(destination: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
    address = str(destination.get("address") or "").strip()
    country = str(destination.get("country") or "").strip() or None
    if not address and not country:
        problems.append(
            _problem(
                "destination.address",
                "転出先住所（予定）",
                "入力されていません",
                "国外転出の場合は転出先の国名または国外の住所を入力してください",
                "required",
            )
        )
    return {"address": address or country, "code": None, "postal_code": None, "country": country}


def _domestic(uow: UnitOfWork, destination: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
    code = str(destination.get("municipality_code") or "").strip()
    address = str(destination.get("address") or "").strip()
    values: dict[str, Any] = {"postal_code": destination.get("postal_code") or None}
    problems.extend(check_postal(values, "postal_code", "転出先郵便番号（予定）"))
    found = municipality(code) if code else None
    if code and found is None:
        problems.append(
            _problem(
                "destination.municipality_code",
                "転出先市区町村",
                f"「{code}」は市区町村コードとして登録されていません",
                "市区町村を一覧から選択してください",
                "unknown_municipality",
            )
        )
    own = uow.session.get(Municipality, uow.actor.tenant_id)
    if found is not None and own is not None and found.code == own.code:
        problems.append(
            _problem(
                "destination.municipality_code",
                "転出先市区町村",
                "転出先が同じ市区町村です",
                "市区町村内での住所の変更は転居として処理してください",
                "same_municipality",
            )
        )
    if not code and not address:
        problems.append(
            _problem(
                "destination.address",
                "転出先住所（予定）",
                "入力されていません",
                "転出先の市区町村を選択するか、住所を入力してください",
                "required",
            )
        )
    full = address if address else (found.name if found else "")
    if (
        found is not None
        and address
        and not address.startswith(found.prefecture)
        and not address.startswith(found.city)
    ):
        full = found.name + address
    return {
        "address": full or None,
        "code": found.code if found else None,
        "postal_code": values["postal_code"],
        "country": None,
    }


def _ex_officio_alert(moved: dt.date) -> Problem:
    return _problem(
        "notified_date",
        "届出日",
        f"転出した日（{moved.isoformat()}）から14日を過ぎた届出です",
        "届出ではなく職権で記載します。転出証明書に代えて転出証明書に準ずる証明書を交付してください",
        "ex_officio_move_out",
        "alert",
    )


class MoveOut:
    code = "move_out"
    label = "転出"
    process_id = "move_out"
    deadline = "planned_date"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        problems: list[Problem] = []
        alerts: list[Problem] = []
        movers = find_movers(uow.session, intake.get("atena_numbers"), problems)
        destination = dict(intake.get("destination") or {})
        abroad = bool(destination.get("abroad"))
        reason = ABROAD_REASON if abroad else DOMESTIC_REASON
        request = check_dates(intake, reason, "removal", [m.resident_kind for m in movers.movers], problems)
        place = _abroad(destination, problems) if abroad else _domestic(uow, destination, problems)
        special = bool(intake.get("special_move_out"))
        origin = read_origin(intake, problems)  # 届出 or 職権 (j760)
        moved, notified = request.change_date, request.notified_date
        late = moved is not None and notified is not None and is_ex_officio(moved, notified)
        if late:
            alerts.append(_ex_officio_alert(moved))  # type: ignore[arg-type]
        self._special_problems(special, abroad, late, problems)
        if special and origin["ex_officio"]:
            problems.append(special_problem("special_move_out", "特例転出"))
        head = head_problems(movers, alerts)
        proposal = {
            "reason": reason,
            "movers": movers.atena_numbers,
            "source_household": movers.household.household_number if movers.household else None,
            "destination": place,
            "special_move_out": special,
            **origin,
            "ex_officio": late or origin["ex_officio"],  # by a late notification (j640) or without one (j760)
            "head_outcome": head.outcome,
            "new_head": head.new_head,
            "change_date": iso(moved),
            "notified_date": iso(notified),
            "note": origin_note(origin, intake.get("note")),
        }
        return Assessment(proposal, problems, alerts, subjects(movers), moved)

    @staticmethod
    def _special_problems(special: bool, abroad: bool, ex_officio: bool, problems: list[Problem]) -> None:
        if special and abroad:
            problems.append(
                _problem(
                    "special_move_out",
                    "特例転出",
                    "国外転出には使えません",
                    "通常の転出として処理してください",
                    "special_not_allowed",
                )
            )
        elif special and ex_officio:
            problems.append(
                _problem(
                    "special_move_out",
                    "特例転出",
                    "転出した日から14日を過ぎているため使えません",
                    "通常の転出（職権記載）として処理してください",
                    "special_not_allowed",
                )
            )

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        """本登録; a mover under a support measure is switched at once to provisional protection as the
        former-address municipality, so there is no gap during the move (j440)."""
        result = register_move_out(uow, proposal)
        destination_code = (proposal.get("destination") or {}).get("code")
        for atena_number in proposal["movers"]:
            switch_to_former_address_protection(uow, atena_number, destination_code)
        return result


MOVE_OUT = register_change_type(MoveOut())

__all__ = ["MOVE_OUT", "MoveOut", "Movers", "NoticeDraft"]
