"""A small town for the suppression tests: protected families, a perpetrator, suppressed neighbours.

Names in ``World.atena`` (宛名番号 by role):
- ``victim`` (申出者) and ``child`` (併せて支援を求める者) of measure ``in_force`` (ended 2025-03-31, not
  extended: still protected), and ``grandma``, an unprotected member of their household ``family``;
- ``abuser``, a resident registered as that measure's perpetrator (斎藤 太郎, サイトウ タロウ, 1975-05-05); the
  measure also names a non-resident perpetrator 伊藤 次郎 (イトウ ジロウ, 1970-01-01);
- ``newcomer``, protected by the ``provisional`` measure (request taken, not decided);
- ``former``, whose measure ``terminated`` was ended;
- ``neighbour`` with a certificate error suppression and an inquiry alert suppression;
- ``lodger`` whose household ``lodging`` has a change-input error suppression;
- ``stranger``, nobody special.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.support_measures import (
    create_support_measure,
    decide_support_measure,
    terminate_support_measure,
)
from handlers.suppression_controls import set_suppression
from handlers.uow import unit_of_work
from tests import factories

ABUSER_BIRTH = dt.date(1975, 5, 5)
ITO_BIRTH = dt.date(1970, 1, 1)


@dataclass
class World:
    atena: dict[str, str] = field(default_factory=dict)
    households: dict[str, str] = field(default_factory=dict)
    measures: dict[str, int] = field(default_factory=dict)
    suppressions: dict[str, int] = field(default_factory=dict)


def _person(session: Session, city: models.Municipality, number: int, household: models.Household,
            **names: Any) -> models.Resident:  # fmt: skip
    return factories.make_resident_row(session, household, number=number, **names)


def _measure(
    db: Database, officer: Actor, applicant: str, co: list[str], perpetrators: list[dict[str, Any]]
) -> int:
    with unit_of_work(db, officer) as uow:
        measure = create_support_measure(
            uow,
            applicant={"name": "支援 対象", "atena_number": applicant},
            co_applicants=[{"name": "支援 同伴", "atena_number": a} for a in co],
            perpetrators=perpetrators,
            protected_services=["inspection", "certificate", "koseki_fuhyo"],
            protected_addresses=["current"],
            request_date=dt.date(2024, 4, 1),
            victim_kind="dv",
        )
        return measure.id


def build_world(db: Database, setup_session: Session, city: models.Municipality, officer: Actor) -> World:
    world = World()
    homes = {name: factories.make_household_row(setup_session, city, number=n)
             for name, n in (("family", 401), ("abuser", 402), ("new", 403), ("former", 404),
                             ("neighbour", 405), ("lodging", 406), ("stranger", 407))}  # fmt: skip
    people = {
        "victim": (411, "family", {"given_name": "花子", "given_name_kana": "ハナコ"}),
        "child": (412, "family", {"given_name": "一郎", "given_name_kana": "イチロウ"}),
        "grandma": (413, "family", {"given_name": "梅", "given_name_kana": "ウメ"}),
        "abuser": (
            414,
            "abuser",
            {"family_name": "斎藤", "family_name_kana": "サイトウ", "birth_date": ABUSER_BIRTH},
        ),
        "newcomer": (415, "new", {"family_name": "田中"}),
        "former": (416, "former", {"family_name": "高橋"}),
        "neighbour": (417, "neighbour", {"family_name": "鈴木"}),
        "lodger": (418, "lodging", {"family_name": "渡辺"}),
        "stranger": (419, "stranger", {"family_name": "小林"}),
    }
    for name, (number, home, names) in people.items():
        world.atena[name] = _person(setup_session, city, number, homes[home], **names).atena_number
    world.households = {name: h.household_number for name, h in homes.items()}
    setup_session.flush()
    a = world.atena
    perpetrators = [
        {"name": "斎藤 太郎", "atena_number": a["abuser"], "birth_date": ABUSER_BIRTH},
        {"name": "伊藤 次郎", "name_kana": "イトウ ジロウ", "birth_date": ITO_BIRTH, "note": "元交際相手"},
    ]
    world.measures["in_force"] = _measure(db, officer, a["victim"], [a["child"]], perpetrators)
    world.measures["provisional"] = _measure(db, officer, a["newcomer"], [], [{"name": "田中 某"}])
    world.measures["terminated"] = _measure(db, officer, a["former"], [], [{"name": "高橋 某"}])
    with unit_of_work(db, officer) as uow:
        decide_support_measure(uow, world.measures["in_force"], start_date=dt.date(2024, 4, 1))
        decide_support_measure(uow, world.measures["terminated"], start_date=dt.date(2024, 4, 1))
        terminate_support_measure(
            uow, world.measures["terminated"], reason="victim_request", date=dt.date(2025, 1, 6)
        )
        on = {"start_date": dt.date(2024, 1, 1), "reason": "裁判所からの依頼"}
        world.suppressions["neighbour_certificate"] = set_suppression(
            uow,
            atena_number=a["neighbour"],
            process="certificate",
            level="error",
            end_date=dt.date(2024, 12, 31),
            **on,
        ).id
        world.suppressions["neighbour_inquiry"] = set_suppression(
            uow, atena_number=a["neighbour"], process="inquiry", level="alert", **on
        ).id
        world.suppressions["lodging_change"] = set_suppression(
            uow, household_number=world.households["lodging"], process="change_input", level="error", **on
        ).id
    return world
