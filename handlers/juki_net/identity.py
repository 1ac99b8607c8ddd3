"""本人確認情報: the items 住基ネット holds about a person (氏名 and 通称, 生年月日, 性別, 住所, 住民票コード, 個人番号 and
the latest change: 異動事由 and 異動年月日), read from our register as CS would carry them: names and addresses
through ``to_network_charset`` (住基ネット統一文字 stand-in), dates as ISO text or their non-calendar form (j80)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import and_, select

from handlers.integration.charset import to_network_charset
from handlers.residents.history import display_name
from handlers.uow import UnitOfWork
from models.resident import Household, Resident, ResidentHistory

IDENTITY_ITEMS: dict[str, str] = {
    "name": "氏名",
    "alias": "通称",
    "birth_date": "生年月日",
    "sex": "性別",
    "address": "住所",
    "address_katagaki": "方書",
    "my_number": "個人番号",
    "change_reason": "異動事由",
    "change_date": "異動年月日",
}
CURRENT_STATUSES = ("resident", "moving_out")


def _normal(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def identity_of(resident: Resident, household: Household, history: ResidentHistory | None) -> dict[str, Any]:
    """The person's 本人確認情報 items (``IDENTITY_ITEMS`` plus ``resident_code``), each text or None."""
    birth = resident.birth_date_text or (resident.birth_date.isoformat() if resident.birth_date else None)
    change_date = None
    if history is not None:
        change_date = history.change_date_text or (
            history.change_date.isoformat() if history.change_date else None
        )
    items = {
        "resident_code": resident.resident_code,
        "name": to_network_charset(display_name(resident)),
        "alias": to_network_charset(resident.alias),
        "birth_date": birth,
        "sex": resident.sex,
        "address": to_network_charset(household.address),
        "address_katagaki": to_network_charset(household.address_katagaki),
        "my_number": resident.my_number,
        "change_reason": history.change_reason if history is not None else None,
        "change_date": change_date,
    }
    return {key: _normal(value) for key, value in items.items()}


def identities(
    uow: UnitOfWork, *, current: bool = True, codes: Sequence[str] = ()
) -> Iterator[tuple[Resident, dict[str, Any]]]:
    """Each person's 本人確認情報 with their latest history row: the current residents (``current``) or the
    persons holding one of ``codes`` (whatever their status), in 宛名番号 order."""
    statement = (
        select(Resident, Household, ResidentHistory)
        .join(Household, Household.id == Resident.household_id)
        .outerjoin(
            ResidentHistory,
            and_(
                ResidentHistory.atena_number == Resident.atena_number,
                ResidentHistory.history_no == Resident.history_no,
                ResidentHistory.tenant_id == Resident.tenant_id,
            ),
        )
        .order_by(Resident.atena_number)
    )
    if current:
        statement = statement.where(Resident.status.in_(CURRENT_STATUSES))
    else:
        statement = statement.where(Resident.resident_code.in_(list(codes)))
    streamed = statement.execution_options(yield_per=1000)  # a whole register is read in batches
    for resident, household, history in uow.session.execute(streamed):
        yield resident, identity_of(resident, household, history)
