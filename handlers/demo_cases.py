"""Demo cases: changes the demo clerk has entered and that wait for review, so that a newcomer who signs in as
the supervisor finds work in the queue.  They are opened through the case doors as the counter opens them
(four eyes: the clerk entered them, so the supervisor may approve them and the clerk may not).

A 転入 of a couple from the other demo city, and a 転居 of the 山田 household within the city.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from handlers.auth import actor_for_user
from handlers.cases.doors import open_case
from handlers.context import Actor
from handlers.db import Database
from handlers.synthetic.generator import synthetic_my_number
from handlers.uow import unit_of_work
from models.user import User

DEMO_CASE_SERIAL_BASE = 950_000_000  # above the demo households' numbers (900,000,000 …)

MOVE_IN = {  # city → (new address, postal code), (former address, its municipality code)
    "yokohama": (("神奈川県横浜市中区山下町2番地", "231-0023"), ("長野県佐久市岩村田1200番地", "202177")),
    "saku": (("長野県佐久市野沢200番地", "385-0053"), ("神奈川県横浜市西区高島二丁目7番1号", "141003")),
}
MOVE_WITHIN = {
    "yokohama": ("神奈川県横浜市中区本町三丁目5番地", "231-0005"),
    "saku": ("長野県佐久市中込3100番地", "385-0051"),
}


def open_demo_cases(
    db: Database, slug: str, tenant_id: int, registered: dict[str, list[str]], today: dt.date
) -> int:
    """Open the demo cases of one city as its demo clerk; the number opened."""
    clerk = _clerk(db, slug, tenant_id)
    opened = 0
    with unit_of_work(db, clerk) as uow:
        open_case(uow, "move_in", move_in_intake(slug, tenant_id, today))
        opened += 1
    if registered.get("yamada"):
        with unit_of_work(db, clerk) as uow:
            open_case(uow, "move_within", move_within_intake(slug, registered["yamada"], today))
            opened += 1
    return opened


def move_in_intake(slug: str, tenant_id: int, today: dt.date) -> dict[str, Any]:
    (address, postal), (former, former_code) = MOVE_IN[slug]
    moved = (today - dt.timedelta(days=3)).isoformat()
    people = (("健", "ケン", "昭和60年5月10日", "1", "世帯主"), ("由美", "ユミ", "昭和62年9月2日", "2", "妻"))
    members = [
        {"resident_kind": "japanese", "family_name": "小川", "family_name_kana": "オガワ", "given_name": given,
         "given_name_kana": kana, "birth_date": birth, "sex": sex, "relation_to_head": relation,
         "honseki": "長野県佐久市中込3000番地", "hittosha": "小川　健",
         "my_number": synthetic_my_number(tenant_id, DEMO_CASE_SERIAL_BASE + index)}
        for index, (given, kana, birth, sex, relation) in enumerate(people)
    ]  # fmt: skip
    return {
        "kind": "domestic",
        "change_date": moved,
        "notified_date": today.isoformat(),
        "household": {"address": address, "postal_code": postal},
        "former_address": {"address": former, "municipality_code": former_code},
        "move_out_certificate": {"planned_move_out_date": moved},
        "members": members,
        "notifier": {"name": "小川　健", "kind": "self"},
    }


def move_within_intake(slug: str, atena_numbers: list[str], today: dt.date) -> dict[str, Any]:
    address, postal = MOVE_WITHIN[slug]
    return {
        "atena_numbers": atena_numbers,
        "change_date": (today - dt.timedelta(days=1)).isoformat(),
        "notified_date": today.isoformat(),
        "address": {"address": address, "postal_code": postal},
    }


def _clerk(db: Database, slug: str, tenant_id: int) -> Actor:
    with unit_of_work(db, Actor.system(tenant_id, "demo")) as uow:
        user = uow.session.scalars(select(User).where(User.login_id == f"clerk.{slug}")).one()
        return replace(actor_for_user(user, "127.0.0.1"), terminal="demo")
