"""The record view (照会) of one person for screens and the API: every item with its Japanese label, dates in
和暦 for Japanese and 西暦 for foreign residents (j90), the actor's hidden items masked (j1390), the 支援措置
flag, the household in order and the history list.

The view is built from a snapshot dict (``history.snapshot_of`` for now, ``history.resident_as_of`` for an
as-of view) so both read the same way.  メモ (j150) is shown on screen only: it sits under ``screen_only`` and
never in ``items``, which is what anything printable uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import joinedload

from handlers.audit import record_access
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.errors import NotFoundError
from handlers.other_systems.registrations import registrations_of
from handlers.permissions import require
from handlers.residents.history import (
    history_entries,
    household_as_of,
    resident_as_of,
    snapshot_of,
)
from handlers.residents.items import (
    FOREIGN_ITEMS,
    HIDDEN_ITEM_FIELDS,
    INSURANCE_ITEMS,
    KIND_LABELS,
    MASK,
    NAME_ITEMS,
    OTHER_ITEMS,
    PERSONAL_ITEMS,
    REMOVAL_ITEMS,
    SEX_LABELS,
    STATUS_LABELS,
    ItemSpec,
)
from handlers.residents.lookup import NOT_FOUND_MESSAGE
from handlers.residents.protection import active_measures_by_person, check_inquiry, protection_view
from handlers.rules.change_reasons import REASONS
from handlers.rules.check_digit import format_postal_code
from handlers.rules.dates import format_resident_date
from handlers.rules.foreign import FOREIGN_CATEGORIES
from handlers.support_measures import protected_atena_numbers
from handlers.suppression import MEMBER_FACTS
from handlers.tenancy import built_once
from handlers.uow import UnitOfWork
from models.resident import Household, Resident, ResidentMemo

SECTIONS: tuple[tuple[str, tuple[ItemSpec, ...]], ...] = (
    ("氏名", NAME_ITEMS),
    ("個人事項", PERSONAL_ITEMS),
    ("保険・年金・手当", INSURANCE_ITEMS),
    ("外国人住民", FOREIGN_ITEMS),
    ("消除", REMOVAL_ITEMS),
    ("その他", OTHER_ITEMS),
)


def reason_label(code: str) -> str:
    found = REASONS.get(code)
    return found.label if found else code


def hidden_fields(actor: Actor) -> set[str]:
    return {f for item in actor.hidden_items for f in HIDDEN_ITEM_FIELDS.get(item, ())}


NAME_PRIORITY_LABELS = {"name": "氏名", "alias": "通称"}  # 氏名優先区分 as the alias flow writes it (j190)


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def display_value(spec: ItemSpec, snapshot: dict[str, Any]) -> str:
    value = snapshot.get(spec.field)
    kind = snapshot["resident_kind"]
    if spec.kind == "flex_date":
        return format_resident_date(spec.field, _as_date(value), snapshot.get(f"{spec.field}_text"), kind)
    if spec.kind == "date":
        return format_resident_date(spec.field, _as_date(value), None, kind)
    if spec.kind == "bool":
        return "" if value is None else ("有" if value else "無")
    if spec.field == "sex":
        return SEX_LABELS.get(value or "", "")
    if spec.field.endswith("postal_code"):
        return format_postal_code(value)
    if spec.field == "name_priority" and value:
        return NAME_PRIORITY_LABELS.get(value, str(value))
    if spec.field == "foreign_category" and value:
        category = FOREIGN_CATEGORIES.get(value)
        return category.label if category else str(value)
    if spec.field == "removal_reason" and value:
        return reason_label(value)
    return "" if value is None else str(value)


def _sections(snapshot: dict[str, Any], hidden: set[str]) -> list[dict[str, Any]]:
    shown = []
    for title, specs in SECTIONS:
        if title == "外国人住民" and snapshot["resident_kind"] != "foreign":
            continue
        if title == "消除" and snapshot["status"] == "resident":
            continue
        items = []
        for spec in specs:
            masked = spec.field in hidden
            raw = snapshot.get(spec.field)
            items.append(
                {
                    "field": spec.field,
                    "label": spec.label,
                    "value": MASK if masked else display_value(spec, snapshot),
                    "raw": MASK if masked else raw,
                    "hidden": masked,
                }
            )
        shown.append({"title": title, "items": items})
    return shown


def present_snapshot(actor: Actor, snapshot: dict[str, Any], *, protected: bool) -> dict[str, Any]:
    hidden = hidden_fields(actor)
    kind = snapshot["resident_kind"]
    return {
        "atena_number": snapshot["atena_number"],
        "household_number": snapshot["household_number"],
        "resident_kind": kind,
        "kind_label": KIND_LABELS.get(kind, kind),
        "status": snapshot["status"],
        "status_label": STATUS_LABELS.get(snapshot["status"], snapshot["status"]),
        "version": snapshot.get("version"),
        "history_no": snapshot.get("history_no"),
        "name": _snapshot_name(snapshot),
        "protected": protected,
        "address": " ".join(
            p for p in (snapshot["household_address"], snapshot["household_address_katagaki"]) if p
        ),
        "postal_code": format_postal_code(snapshot.get("household_postal_code")),
        "head_name": snapshot.get("head_name") or "（世帯主なし）",
        "sections": _sections(snapshot, hidden),
        "my_number_shown": bool(snapshot.get("my_number")) and "my_number" not in hidden,
    }


def _snapshot_name(snapshot: dict[str, Any]) -> str:
    kanji = " ".join(p for p in (snapshot.get("family_name"), snapshot.get("given_name")) if p)
    return kanji or snapshot.get("name_alphabet") or ""


def _snapshot(uow: UnitOfWork, resident: Resident, on: dt.date | None) -> dict[str, Any]:
    snapshot = snapshot_of(resident) if on is None else resident_as_of(uow.session, resident.atena_number, on)
    if snapshot is None:
        raise NotFoundError(f"{on.isoformat() if on else ''}時点のこの住民の記録はありません。")
    return snapshot


def present_resident(uow: UnitOfWork, resident: Resident, *, on: dt.date | None = None) -> dict[str, Any]:
    """The view model of ``resident`` now, or as the register stood on ``on``."""
    snapshot = _snapshot(uow, resident, on)
    protected = resident.atena_number in protected_atena_numbers(uow.session, [resident.atena_number])
    view = present_snapshot(uow.actor, snapshot, protected=protected)
    view["as_of"] = on.isoformat() if on else None
    return view


# what a household member's row shows (a live member is read from the person, not from a whole snapshot)
_MEMBER_FIELDS = (
    "atena_number", "family_name", "given_name", "name_alphabet", "family_name_kana", "given_name_kana",
    "relation_to_head", "birth_date", "birth_date_text", "resident_kind", "sex", "household_order",
)  # fmt: skip


def _member_rows(members: list[dict[str, Any]], protected: Collection[str]) -> list[dict[str, Any]]:
    return [
        {
            "atena_number": m["atena_number"],
            "name": _snapshot_name(m),
            "kana": " ".join(p for p in (m.get("family_name_kana"), m.get("given_name_kana")) if p),
            "relation_to_head": m.get("relation_to_head") or "",
            "birth_date": format_resident_date(
                "birth_date", _as_date(m.get("birth_date")), m.get("birth_date_text"), m["resident_kind"]
            ),
            "sex": SEX_LABELS.get(m.get("sex") or "", ""),
            "protected": m["atena_number"] in protected,
        }
        for m in members
    ]


_MEMBER_COLUMNS = tuple(getattr(Resident, name) for name in _MEMBER_FIELDS)
_LATEST_MEMO = (
    select(ResidentMemo.body)
    .where(ResidentMemo.atena_number == Resident.atena_number)
    .order_by(ResidentMemo.id.desc())
    .limit(1)
    .scalar_subquery()
    .label("memo")
)


# Every resident (any status) of one household: first the disclosure facts of each (``MEMBER_FACTS``: 宛名番号,
# 世帯番号, protected, whether a suppression may concern them), which the 照会 decision takes instead of reading
# the household again, then what a member's row shows and the status
_HOUSEHOLD_ROWS = built_once(
    select(*MEMBER_FACTS, *_MEMBER_COLUMNS[1:], Resident.status)
    .join(Household, Household.id == Resident.household_id)
    .where(Resident.household_id == bindparam("household_id"))
)
_FIELD_AT = len(MEMBER_FACTS) - 1  # the column of _MEMBER_FIELDS[1] is the row's item _FIELD_AT + 1


def _household_rows(uow: UnitOfWork, resident: Resident) -> list[Row[Any]]:
    return list(uow.session.execute(_HOUSEHOLD_ROWS, {"household_id": resident.household_id}))


def _live_members(rows: list[Row[Any]], resident: Resident) -> tuple[list[dict[str, Any]], set[str] | None]:
    """The live members of the person's household in household order, and which of them and the person a
    measure in force or provisional protects (None when the person is not among the rows: read it apart)."""
    live = [
        {"atena_number": row[0], **{name: row[_FIELD_AT + i] for i, name in enumerate(_MEMBER_FIELDS) if i}}
        for row in rows
        if row.status != "removed"
    ]
    live.sort(key=lambda m: (m["household_order"], m["atena_number"]))
    flagged = {row.atena_number for row in rows if row.is_protected}
    found = any(row.atena_number == resident.atena_number for row in rows)
    return live, flagged if found else None


def _members_and_measures(
    uow: UnitOfWork, resident: Resident, on: dt.date | None, number: str, rows: list[Row[Any]] | None
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The members of the person's household now (from its ``rows``), or of household ``number`` on ``on``, in
    household order; and the measures protecting the person and them, read only for the protected ones."""
    flagged = None
    if on is None:
        members, flagged = _live_members(rows or [], resident)
    else:
        members = household_as_of(uow.session, number, on)
    persons = {resident.atena_number, *(m["atena_number"] for m in members)}
    return members, active_measures_by_person(uow, persons if flagged is None else persons & flagged)


# The person, the household and its head, and the person's latest メモ.  Of the head only what the snapshot
# takes (its 宛名番号 and name): a whole second person's ~90 columns cost more to read and build than the rest.
_RESIDENT_WITH_HOUSEHOLD = built_once(
    select(Resident, _LATEST_MEMO)
    .where(Resident.atena_number == bindparam("atena_number"))
    .options(
        joinedload(Resident.household)
        .joinedload(Household.head)
        .load_only(Resident.atena_number, Resident.family_name, Resident.given_name, Resident.name_alphabet)
    )
)


def _resident_with_household(uow: UnitOfWork, atena_number: str) -> tuple[Resident, str | None]:
    """The person with the household and its head, and the person's latest メモ, in one statement."""
    found = uow.session.execute(_RESIDENT_WITH_HOUSEHOLD, {"atena_number": atena_number}).one_or_none()
    if found is None:
        raise NotFoundError(NOT_FOUND_MESSAGE)
    return found[0], found[1]


def _history_list(uow: UnitOfWork, resident: Resident) -> list[dict[str, Any]]:
    kind = resident.resident_kind
    return [
        {
            "history_no": row.history_no,
            "change_reason": row.change_reason,
            "reason_label": reason_label(row.change_reason),
            "change_date": format_resident_date("change_date", row.change_date, row.change_date_text, kind),
            "effective_date": row.effective_date.isoformat(),
            "processed_date": format_resident_date("processed_date", row.processed_date, None, kind),
            "notified_date": format_resident_date("notified_date", row.notified_date, None, kind),
            "caution": row.caution or "",  # 留意事項 (j140)
        }
        for row in history_entries(uow.session, resident.atena_number)
    ]


def view_resident(uow: UnitOfWork, atena_number: str, *, on: dt.date | None = None) -> dict[str, Any]:
    """照会: the person's items, household members in order and history, logged as ``resident_viewed``.
    The 照会 first passes the disclosure decision (an error-level 照会 suppression refuses it, j410) and the
    view carries the protection block (支援措置 marks, alerts; links and period alerts for the officer).
    The measures protecting the person and the members are read once, for the marks and the block."""
    require(uow.actor, "resident.view")
    resident, memo = _resident_with_household(uow, atena_number)
    rows = _household_rows(uow, resident) if on is None else None  # the decision's and the view's members
    decision, notice = check_inquiry(uow, atena_number, rows)
    snapshot = _snapshot(uow, resident, on)
    members, measures = _members_and_measures(uow, resident, on, snapshot["household_number"], rows)
    view = present_snapshot(uow.actor, snapshot, protected=atena_number in measures)
    view["as_of"] = on.isoformat() if on else None
    view["protection"] = protection_view(
        uow, atena_number, decision, japan_today(), measures=measures.get(atena_number, [])
    )
    view["suppression_notice"] = notice
    view["household_members"] = _member_rows(members, measures)
    view["history"] = _history_list(uow, resident)
    view["screen_only"] = {"memo": memo}
    # 他業務照会 (j1180): the other systems' latest registrations, with the current record only
    kind = resident.resident_kind
    view["other_systems"] = registrations_of(uow.session, atena_number, kind) if on is None else None
    targets = [atena_number, *(m["atena_number"] for m in view["household_members"])]
    record_access(
        uow,
        "resident_viewed",
        "view",
        targets,
        my_number_shown=view["my_number_shown"],
        detail={"as_of": view["as_of"]} if on else None,
    )
    return view
