"""Outbound notices of the foreign-resident changes: the 本人確認情報 change to 住基ネット CS and the
市町村通知 to the Immigration Services Agency (出入国在留管理庁, j970).

j970 splits a 市町村通知 into three categories: 「住基法・入管法」 (a notification that is at once a 住基法 届出
and an 入管法 住居地届出, e.g. an art. 30-46 転入 with a residence card), 「入管法」 and 「住基法」 (a change of
the foreign-resident record made under the Residents Act only, e.g. its removal on naturalization).
"""

from __future__ import annotations

import datetime as dt

from handlers.changes.base import NoticeDraft
from handlers.residents.history import display_name
from models.resident import Resident

CS = "cs"
IMMIGRATION = "immigration"
MUNICIPALITY_NOTICE = "municipality_notice"
IDENTITY_CHANGE = "identity_change"

BOTH_ACTS = "住基法・入管法"
IMMIGRATION_ACT = "入管法"
RESIDENTS_ACT = "住基法"
NOTICE_CATEGORIES = (BOTH_ACTS, IMMIGRATION_ACT, RESIDENTS_ACT)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def cs_identity_change(
    resident: Resident, *, event: str, reason_code: str, change_date: dt.date
) -> NoticeDraft:
    """The change of 本人確認情報 sent to 住基ネット CS (no 個人番号 in the outbox payload)."""
    return NoticeDraft(
        destination=CS,
        kind=IDENTITY_CHANGE,
        payload={
            "event": event,
            "reason": reason_code,
            "atena_number": resident.atena_number,
            "resident_code": resident.resident_code,
            "resident_kind": resident.resident_kind,
            "status": resident.status,
            "change_date": change_date.isoformat(),
        },
    )


def immigration_notice(
    resident: Resident, *, category: str, event: str, event_label: str, change_date: dt.date
) -> NoticeDraft:
    """A 市町村通知 about a foreign resident (or a person who just stopped being one)."""
    if category not in NOTICE_CATEGORIES:
        raise ValueError(
            f"unknown municipality-notice category {category!r}; expected one of {NOTICE_CATEGORIES}"
        )
    household = resident.household
    return NoticeDraft(
        destination=IMMIGRATION,
        kind=MUNICIPALITY_NOTICE,
        payload={
            "category": category,
            "event": event,
            "event_label": event_label,
            "atena_number": resident.atena_number,
            "name": display_name(resident),
            "name_alphabet": resident.name_alphabet,
            "nationality": resident.nationality,
            "birth_date": _iso(resident.birth_date),
            "sex": resident.sex,
            "foreign_category": resident.foreign_category,
            "residence_card_number": resident.residence_card_number,
            "special_permanent_certificate_number": resident.special_permanent_certificate_number,
            "address": household.address,
            "address_katagaki": household.address_katagaki,
            "change_date": change_date.isoformat(),
        },
    )
