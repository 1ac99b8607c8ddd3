"""Complete table rows for synthetic people: every column of ``household``, ``resident`` and
``resident_history``, with search keys and the history snapshot computed by the residents handlers' own
functions (``refresh_resident_keys``, ``refresh_household_keys``, ``snapshot_of``) applied to plain data.
"""

from __future__ import annotations

import datetime as dt
import random
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table

from handlers.residents.history import snapshot_of
from handlers.residents.search_keys import refresh_resident_keys
from handlers.synthetic.foreigners import foreign_dates
from handlers.synthetic.people import Member, age_on
from handlers.synthetic.places import Address
from models.resident import Household, Resident, ResidentHistory

SYNTHETIC_TERMINAL = "synthetic"  # 入力端末 of every generated history row
KEY_FIELDS = ("kana_key", "given_kana_key", "name_key")


def _scalar_defaults(table: Table) -> dict[str, Any]:
    """Column → value for a new row: the column's Python-side scalar default, else None."""
    values: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        arg = getattr(default, "arg", None)
        values[column.name] = arg if default is not None and not callable(arg) else None
    values.pop("created_at", None)
    return values


HOUSEHOLD_DEFAULTS = _scalar_defaults(cast(Table, Household.__table__))
RESIDENT_DEFAULTS = _scalar_defaults(cast(Table, Resident.__table__))
# What every new person has before its items are set: the defaults that are not None (False flags, keys '').
PERSON_START = {key: value for key, value in RESIDENT_DEFAULTS.items() if value is not None}
# Every item ``resident_row`` may set; the other columns keep their default.
PERSON_ITEMS = frozenset(PERSON_START) | {
    "atena_number", "resident_kind", "family_name", "given_name", "family_name_kana", "given_name_kana",
    "birth_date", "sex", "relation_to_head", "became_resident_date", "address_set_date", "notified_date",
    "my_number", "resident_code", "card_status", "previous_address", "previous_address_code", "honseki",
    "hittosha", "late_elderly_acquired_date", "nhi_acquired_date", "pension_kind", "pension_acquired_date",
    "basic_pension_number", "long_term_care_acquired_date", "nationality", "name_alphabet",
    "foreign_resident_date", "old_alien_registration_date", "foreign_category", "residence_status",
    "period_of_stay", "stay_expiry_date", "residence_card_number", "special_permanent_certificate_number",
    "residence_notified",
}  # fmt: skip
HISTORY_DEFAULTS = _scalar_defaults(cast(Table, ResidentHistory.__table__))


@lru_cache(maxsize=200_000)
def search_keys(family: str | None, given: str | None, family_kana: str | None, given_kana: str | None,
                alphabet: str | None) -> tuple[str, str, str]:  # fmt: skip
    """kana_key, given_kana_key and name_key, by the residents handlers' rule (names repeat: cached)."""
    person = SimpleNamespace(family_name=family, given_name=given, family_name_kana=family_kana,
                             given_name_kana=given_kana, name_alphabet=alphabet, alias=None)  # fmt: skip
    refresh_resident_keys(cast(Resident, person))
    return person.kana_key, person.given_kana_key, person.name_key


def household_row(tenant_id: int, number: str, address: Address, head_atena: str) -> dict[str, Any]:
    row = dict(HOUSEHOLD_DEFAULTS)
    row.update(
        tenant_id=tenant_id,
        household_number=number,
        ward_code=address.ward_code,
        address_code=address.address_code,
        address=address.address,
        address_katagaki=address.katagaki,
        postal_code=address.postal_code,
        status="active",
        version=1,
        head_atena_number=head_atena,
        address_key=address.key,  # refresh_household_keys' fold_address, from cached pieces (places.py)
    )
    return row


def _insurance(rng: random.Random, birth: dt.date, since: dt.date, as_of: dt.date) -> dict[str, Any]:
    age = age_on(birth, as_of)
    values: dict[str, Any] = {}
    if age >= 75:
        values.update(late_elderly=True, late_elderly_acquired_date=max(since, _birthday(birth, 75)))
    elif age >= 20 and rng.random() < 0.22:
        values.update(nhi=True, nhi_acquired_date=max(since, _birthday(birth, 20)))
        if age < 60:
            values.update(national_pension=True, pension_kind="1号",
                          pension_acquired_date=_birthday(birth, 20),
                          basic_pension_number=f"{rng.randrange(10**10):010d}")  # fmt: skip
    if age >= 65:
        values.update(long_term_care=True, long_term_care_acquired_date=max(since, _birthday(birth, 65)))
    return values


def _birthday(birth: dt.date, years: int) -> dt.date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return birth.replace(year=birth.year + years, day=28)


def resident_row(
    rng: random.Random,
    *,
    atena_number: str,
    order: int,
    member: Member,
    birth: dt.date,
    moved_in: dt.date,
    previous: tuple[str, str] | None,
    numbers: tuple[str, str],
    as_of: dt.date,
) -> tuple[dict[str, Any], str, dt.date]:
    """The resident's items (``PERSON_START`` and the items that have a value: never a None item, no
    ``tenant_id``; ``full_resident_row`` makes the table row), and the 異動事由 and 異動日 of its first
    history row."""
    born_here = previous is None
    since = birth if born_here else moved_in
    notified = min(as_of, since + dt.timedelta(days=rng.randint(0, 13)))
    kind = str(member.extra.get("kind", "japanese"))
    row = dict(PERSON_START)
    row.update(
        atena_number=atena_number, household_order=order, resident_kind=kind,
        status="resident", history_no=1, version=1, family_name_kana=member.family[1],
        given_name_kana=member.given[1], name_kana_confirmed=rng.random() < 0.6, birth_date=birth,
        sex=member.sex, relation_to_head=member.relation, became_resident_date=since, address_set_date=since,
        notified_date=notified, my_number=numbers[0], resident_code=numbers[1],
    )  # fmt: skip
    if member.family[0]:
        row["family_name"] = member.family[0]
    if member.given[0]:
        row["given_name"] = member.given[0]
    if rng.random() < 0.78:
        row["card_status"] = "交付済"
    if previous is not None:
        row.update(previous_address=previous[0], previous_address_code=previous[1])
    row.update(_insurance(rng, birth, since, as_of))
    reason, change_date = ("birth", birth) if born_here else ("domestic_move_in", moved_in)
    if kind == "foreign":
        row.update(foreign_dates(rng, member, since, as_of))
        row.update({k: v for k, v in member.extra.items() if k in RESIDENT_DEFAULTS})
        row["became_resident_date"] = row["foreign_resident_date"]
        if "old_alien_registration_date" in row:
            reason, change_date = "ex_officio_record", row["foreign_resident_date"]
    else:
        row.update(honseki=member.extra["honseki"], hittosha=member.extra["hittosha"])
        row["electoral_registered"] = age_on(birth, as_of) >= 18 and (as_of - since).days >= 92
    row["kana_key"], row["given_kana_key"], row["name_key"] = search_keys(
        row.get("family_name"), row.get("given_name"), row["family_name_kana"], row["given_name_kana"],
        row.get("name_alphabet"),
    )  # fmt: skip
    return row, reason, change_date


def full_resident_row(tenant_id: int, person: dict[str, Any], household_number: str) -> dict[str, Any]:
    """The table row (every column) of a resident's items, with the household it is linked by."""
    return {**RESIDENT_DEFAULTS, **person, "tenant_id": tenant_id, "household_number": household_number}


def first_history_items(
    tenant_id: int, person: dict[str, Any], household_number: str, reason: str, change_date: dt.date
) -> dict[str, Any]:
    """履歴番号 1 of a person, the 記載 (転入 or 出生), without its snapshot and ids."""
    row = dict(HISTORY_DEFAULTS)
    row.update(
        tenant_id=tenant_id, atena_number=person["atena_number"], history_no=1,
        change_reason=reason, change_date=change_date, effective_date=change_date,
        processed_date=person["notified_date"], notified_date=person["notified_date"],
        input_terminal=SYNTHETIC_TERMINAL, household_number=household_number, status=person["status"],
    )  # fmt: skip
    return row


def first_history_row(
    resident: dict[str, Any],
    household: dict[str, Any],
    head: dict[str, Any],
    reason: str,
    change_date: dt.date,
) -> dict[str, Any]:
    """履歴番号 1 of a person with its snapshot in stored (compact) form (ids filled in by the loader)."""
    row = first_history_items(resident["tenant_id"], resident, household["household_number"], reason,
                              change_date)  # fmt: skip
    row["snapshot"] = snapshot_from_rows(resident, household, head)
    return row


def household_snapshot_items(household: dict[str, Any], head: dict[str, Any]) -> dict[str, Any]:
    """The items of a snapshot that come from the household and its head (``models.snapshot.HOUSEHOLD_KEYS``
    without the None ones), the same for every member; ``head`` is its row or its items."""
    family, given = head.get("family_name"), head.get("given_name")
    head_name = " ".join(p for p in (family, given) if p) or head.get("name_alphabet") or ""
    data = {"household_number": household["household_number"], "household_address": household["address"]}
    for key, value in (
        ("household_address_katagaki", household["address_katagaki"]),
        ("household_postal_code", household["postal_code"]),
        ("household_address_code", household["address_code"]),
        ("household_ward_code", household["ward_code"]),
    ):
        if value is not None:
            data[key] = value
    data["head_atena_number"] = head["atena_number"]
    data["head_name"] = head_name
    return data


def snapshot_from_rows(
    resident: dict[str, Any], household: dict[str, Any], head: dict[str, Any]
) -> dict[str, Any]:
    """The stored form of what ``snapshot_of`` gives for these rows (``models.snapshot.compact_snapshot``:
    no None items, so no ``id``/``household_id`` either: the loader adds them), built straight from the
    dicts.  Dates stay ``date`` objects, which orjson writes in ISO form as ``snapshot_of`` does; a test proves
    it equal to the handler's on generated data.  (The loader's ``COPY`` text joins a person's items and
    ``household_snapshot_items`` instead: the same document, tested equal.)"""
    data = {key: value for key, value in resident.items() if value is not None}
    del data["tenant_id"]
    data.update(household_snapshot_items(household, head))
    return data


def snapshot_by_handler(
    resident: dict[str, Any], household: dict[str, Any], head: dict[str, Any]
) -> dict[str, Any]:
    """The residents handlers' own ``snapshot_of`` applied to plain rows (the reference for tests)."""
    return snapshot_of(cast(Resident, _as_person(resident, household, head)))


def _as_person(resident: dict[str, Any], household: dict[str, Any], head: dict[str, Any]) -> SimpleNamespace:
    """Plain rows dressed as a ``Resident`` with its ``household`` and ``head``, for ``snapshot_of``."""
    head_ns = SimpleNamespace(**head)
    household_ns = SimpleNamespace(**household, head=head_ns)
    return SimpleNamespace(**resident, household=household_ns)
