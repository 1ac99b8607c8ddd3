"""個人番号カード・住基カードの発行状況 from CS (j1110): CS's ``card_status`` file lists, per person named by
住民票コード, the card and its state (交付, 一時停止, 廃止 …) as J-LIS's card management system knows them; each
person of the register found gets the state as their item 個人番号カード等の交付状況 (``Resident.card_status``,
shown on the record and in 交付履歴照会, j360), so staff see whether the person holds a card.

Layout (Jumin's own, docs/integration.md "Files received from CS"):
``{"kind": "card_status", "cards": [{"resident_code": "…", "card": "my_number_card" | "juki_card",
"status": "issued" | "suspended" | "resumed" | "revoked" | "returned" | "expired", "date": "YYYY-MM-DD"}, …]}``.
The whole file is refused when any entry is malformed; persons not in the register (or not current) are
reported and skipped.  Every person updated is named in one access-log row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.errors import Problem
from handlers.juki_net.cs_files import CsFile, CsFileError, take_file
from handlers.juki_net.identity import CURRENT_STATUSES
from handlers.uow import UnitOfWork
from models.resident import Resident

STATUS_KIND = "card_status"
CARDS = {"my_number_card": "個人番号カード", "juki_card": "住基カード"}
STATES = {"issued": "交付済", "suspended": "一時停止", "resumed": "交付済", "revoked": "廃止", "returned": "返納",
          "expired": "有効期限切れ"}  # fmt: skip


@dataclass(frozen=True)
class CardState:
    resident_code: str
    label: str  # the item's value, e.g. 個人番号カード交付済


def _entry(index: int, entry: Any) -> CardState | Problem:
    where = f"{index + 1}件目"
    if not isinstance(entry, Mapping):
        return Problem(
            "cards",
            where,
            "カードの状況の形式が違います",
            "CSからの受信ファイルを確認してください",
            "cs_file",
        )
    code = str(entry.get("resident_code") or "").strip()
    card, state = CARDS.get(str(entry.get("card") or "")), STATES.get(str(entry.get("status") or ""))
    try:
        dt.date.fromisoformat(str(entry.get("date") or ""))
        dated = True
    except ValueError:
        dated = False
    if not (code.isdigit() and len(code) == 11) or card is None or state is None or not dated:
        return Problem(
            "cards", where, "住民票コード・カードの種類・状況・年月日のいずれかが読み取れません",
            "CSからの受信ファイルを確認してください", "cs_file",
        )  # fmt: skip
    return CardState(code, f"{card}{state}")


def read_card_states(cs_file: CsFile) -> list[CardState]:
    """The file's entries, or a refusal naming every malformed one."""
    entries = cs_file.payload.get("cards")
    if not isinstance(entries, list) or not entries:
        problem = Problem("cards", "カードの状況", "対象者がいません（または形式が違います）",
                          "CSからの受信ファイルを確認してください", "cs_file")  # fmt: skip
        raise CsFileError([problem], file_name=cs_file.name, digest=cs_file.digest)
    read = [_entry(index, entry) for index, entry in enumerate(entries)]
    problems = [item for item in read if isinstance(item, Problem)]
    if problems:
        raise CsFileError(problems, file_name=cs_file.name, digest=cs_file.digest)
    return [item for item in read if isinstance(item, CardState)]


def apply_card_states(uow: UnitOfWork, cs_file: CsFile) -> str:
    """Set each current person's 交付状況 (the file's last entry for a person wins); one line for the batch."""
    states = {state.resident_code: state.label for state in read_card_states(cs_file)}
    persons = uow.session.scalars(
        select(Resident).where(
            Resident.resident_code.in_(list(states)), Resident.status.in_(CURRENT_STATUSES)
        )
    ).all()
    updated = []
    for person in persons:
        label = states[str(person.resident_code)]
        if person.card_status != label:
            person.card_status = label
            updated.append(person.atena_number)
    missing = sorted(set(states) - {str(p.resident_code) for p in persons})
    if updated:
        record_access(uow, "card_status_received", "change", updated, detail={"file": cs_file.name})
    take_file(uow, cs_file, {"persons": len(states), "updated": len(updated), "not_found": missing})
    lines = [f"カードの発行状況 {len(states)} 人、更新 {len(updated)} 人、該当なし {len(missing)} 人"]
    return "\n".join([*lines, *(f"  該当なし：住民票コード {code}" for code in missing)])
