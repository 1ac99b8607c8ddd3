"""The contract world: city A with a protected family and everything a door can name by id, city B with a user
holding every role (and a token with every role), so no door can blame a missing permission.

City A (横浜市):
- the family household ``family`` at ``PROTECTED_ADDRESS``: ``victim`` 御手洗 桜子 (申出者), ``child`` 御手洗 蓮
  (併せて支援を求める者) and ``grandma`` 御手洗 千代, an unprotected member;
- ``abuser`` 斎藤 鷹雄 (a resident registered as the perpetrator) and the non-resident perpetrator 伊藤 鷲郎,
  known by name and birth date;
- ``stranger`` 勅使河原 仁, nobody special (a certificate request of theirs is waiting for issuance);
- ``removed`` 除票野 忠, a live 除票;
- the measure in force, an inquiry alert suppression on the stranger, a pending release request, a case with
  its issuance task, outbox notices, a migration job.

Every string in ``World.markers`` belongs to city A only: a response to city B containing one is a leak.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.api_tokens import issue_token
from handlers.certificate_requests import open_certificate_request, request_certificate_release
from handlers.certificates import CertificateRequest, issue_certificate
from handlers.context import Actor
from handlers.db import Database
from handlers.removed_records.archive import archive_old_removed_records
from handlers.residents.search_keys import refresh_household_keys
from handlers.rules.kanji import fold_address
from handlers.support_measures import create_support_measure, decide_support_measure
from handlers.suppression_controls import set_suppression
from handlers.uow import unit_of_work
from tests import factories

PROTECTED_ADDRESS = "神奈川県横浜市泉区和泉町秘匿三丁目7番9号"
ABUSER_BIRTH = dt.date(1975, 5, 5)
ITO_BIRTH = dt.date(1970, 1, 1)
ALL_ROLES = list(factories.ROLE_NAMES)
OFFICIALS = [{"title": "横浜市長", "name": "山中 竹春", "from": "2021-08-30", "to": "", "acting": False}]

PEOPLE: dict[str, tuple[int, str, dict[str, Any]]] = {
    "victim": (511, "family", {"family_name": "御手洗", "given_name": "桜子", "family_name_kana": "ミタライ",
                               "given_name_kana": "サクラコ", "birth_date": dt.date(1988, 3, 3)}),
    "child": (512, "family", {"family_name": "御手洗", "given_name": "蓮", "family_name_kana": "ミタライ",
                              "given_name_kana": "レン", "birth_date": dt.date(2015, 6, 6)}),
    "grandma": (513, "family", {"family_name": "御手洗", "given_name": "千代", "family_name_kana": "ミタライ",
                                "given_name_kana": "チヨ", "birth_date": dt.date(1950, 9, 9)}),
    "abuser": (514, "abuser", {"family_name": "斎藤", "given_name": "鷹雄", "family_name_kana": "サイトウ",
                               "given_name_kana": "タカオ", "birth_date": ABUSER_BIRTH}),
    "stranger": (515, "stranger", {"family_name": "勅使河原", "given_name": "仁",
                                   "family_name_kana": "テシガワラ", "given_name_kana": "ジン"}),
}  # fmt: skip
ADDRESSES = {
    "family": PROTECTED_ADDRESS,
    "abuser": "神奈川県横浜市戸塚区戸塚町鷹巣2番",
    "stranger": "神奈川県横浜市中区本町勅使5番",
}


@dataclass
class World:
    atena: dict[str, str] = field(default_factory=dict)
    households: dict[str, str] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)  # what a URL names: measure_id, case_id, task_id …
    markers: list[str] = field(default_factory=list)  # city A's strings that city B must never see
    b_token: str = ""  # an API token of city B with every role
    a_token: str = ""  # an API token of city A with the clerk role

    @property
    def url_values(self) -> dict[str, Any]:
        values = dict(self.ids)
        values.update({f"atena_{k}": v for k, v in self.atena.items()})
        values.update({f"household_{k}": v for k, v in self.households.items()})
        return values


def _people(world: World, session: Session, city: models.Municipality) -> None:
    homes: dict[str, models.Household] = {}
    for number, name in ((501, "family"), (502, "abuser"), (503, "stranger")):
        home = factories.make_household_row(session, city, number=number)
        home.address = ADDRESSES[name]
        refresh_household_keys(home)
        homes[name] = home
    for name, (number, home, names) in PEOPLE.items():
        world.atena[name] = factories.make_resident_row(
            session, homes[home], number=number, **names
        ).atena_number
    removed = factories.make_removed_resident(
        session, city, number=520, removal_date=dt.date(2015, 3, 31), family_name="除票野", given_name="忠",
        family_name_kana="ジョヒョウノ", given_name_kana="タダシ",
    )  # fmt: skip
    world.atena["removed"] = removed.atena_number
    world.households = {name: h.household_number for name, h in homes.items()}
    world.households["removed"] = removed.household.household_number


def _measure(world: World, db: Database, officer: Actor) -> None:
    a = world.atena
    with unit_of_work(db, officer) as uow:
        measure = create_support_measure(
            uow,
            applicant={"name": "御手洗 桜子", "atena_number": a["victim"]},
            co_applicants=[{"name": "御手洗 蓮", "atena_number": a["child"]}],
            perpetrators=[
                {"name": "斎藤 鷹雄", "atena_number": a["abuser"], "birth_date": ABUSER_BIRTH},
                {
                    "name": "伊藤 鷲郎",
                    "name_kana": "イトウ ワシロウ",
                    "birth_date": ITO_BIRTH,
                    "note": "元交際相手",
                },
            ],
            protected_services=["inspection", "certificate", "koseki_fuhyo"],
            protected_addresses=["current"],
            request_date=dt.date(2024, 4, 1),
            victim_kind="dv",
        )
        decide_support_measure(uow, measure.id, start_date=dt.date(2024, 4, 1))
        world.ids["measure_id"] = measure.id
        world.ids["suppression_id"] = set_suppression(
            uow, atena_number=a["stranger"], process="inquiry", level="alert",
            start_date=dt.date(2024, 1, 1), reason="関係機関からの依頼",
        ).id  # fmt: skip


def _counter_work(world: World, db: Database, clerk: Actor, setup_session: Session) -> None:
    a = world.atena
    victim_copy = certificate_request(a["victim"], requester_kind="self", requester={"name": "御手洗 桜子"})
    with unit_of_work(db, clerk) as uow:
        world.ids["release_id"] = request_certificate_release(uow, victim_copy)
        case = open_certificate_request(uow, certificate_request(a["stranger"]))
        world.ids["case_id"] = case.id
        world.markers.append(case.case_number)
    task = setup_session.scalars(select(models.CaseTask).where(models.CaseTask.case_id == case.id)).one()
    world.ids["task_id"] = task.id
    message = setup_session.scalars(
        select(models.OutboxMessage).where(models.OutboxMessage.tenant_id == clerk.tenant_id)
    ).first()
    assert message is not None, "the measure queued its notices"
    world.ids["message_id"] = message.id
    definition = setup_session.scalars(
        select(models.ProcessDefinition).where(models.ProcessDefinition.tenant_id == clerk.tenant_id)
    ).first()
    assert definition is not None
    job = models.MigrationJob(
        tenant_id=clerk.tenant_id, process_id=definition.process_id, target_definition_id=definition.id,
        case_ids=[case.id], total=1, created_by="analyst@141003", errors={str(case.id): "御手洗の案件"},
    )  # fmt: skip
    setup_session.add(job)
    setup_session.flush()
    world.ids["job_id"] = job.id
    _reporting_rows(world, setup_session, clerk.tenant_id)


def _reporting_rows(world: World, session: Session, tenant_id: int) -> None:
    """An extraction result, a CSV import, a bulk address change with its notices and a batch run of city A,
    each carrying city A's strings (what another municipality must never get back)."""
    a = world.atena
    secret = f"{a['stranger']},勅使河原 仁,神奈川県横浜市中区本町勅使5番\n".encode()
    rows = {
        "extraction_job_id": models.ExtractionJob(
            tenant_id=tenant_id, conditions={}, output="csv_utf8", status="done", created_by="analyst@141003",
            row_count=1, result=secret, result_name="extraction.csv", result_type="text/csv",
        ),
        "import_id": models.CsvImport(
            tenant_id=tenant_id, kind="change_notice", file_name="勅使河原.csv", sha256="0" * 64,
            status="imported", created_by="clerk@141003", problems=[{"row": 1, "reason": a["stranger"]}],
        ),
        "change_id": models.BulkAddressChange(
            tenant_id=tenant_id, target="address", minor_category="住居表示", change_date=dt.date(2024, 4, 1),
            plan=[{"atena_number": a["stranger"], "before": "本町勅使5番", "after": "本町勅使6番"}],
            created_by="clerk@141003",
        ),
        "run_id": models.BatchRun(
            tenant_id=tenant_id, batch_code="removed_archive", trigger="manual", status="succeeded",
            started_at=dt.datetime(2024, 4, 1, tzinfo=dt.UTC), output=f"勅使河原 {a['stranger']}",
            result=secret, result_name="run.csv", started_by="supervisor@141003",
        ),
    }  # fmt: skip
    rows.update(_inbound_rows(world, tenant_id))
    for key, row in rows.items():
        session.add(row)
        session.flush()
        world.ids[key] = row.id
    notice = models.BulkAddressNotice(
        tenant_id=tenant_id, change_id=world.ids["change_id"], timing="advance", status="done", notice_count=1,
        pdf=secret, csv=secret, created_by="clerk@141003",
    )  # fmt: skip
    session.add(notice)
    session.flush()
    world.ids["notice_job_id"] = notice.id


def _inbound_rows(world: World, tenant_id: int) -> dict[str, Any]:
    """A relay message, a 戸籍 notice, a (disabled) destination and a 方書 of city A, carrying city A's
    strings."""
    now = dt.datetime(2024, 4, 1, tzinfo=dt.UTC)
    return {
        "relay_inbox_id": models.RelayInbox(
            tenant_id=tenant_id, received_at=now, sender_code="202177", kind="move_out_certificate_info",
            idempotency_key="202177:W-1:1", resident_code="12345678901", name="勅使河原 仁", status="review",
            payload={"name": "勅使河原 仁", "address": "神奈川県横浜市中区本町勅使5番", "birth_date": "1980-04-01"},
        ),
        "koseki_notice_id": models.KosekiNoticeInbox(
            tenant_id=tenant_id, received_at=now, notice_date=dt.date(2024, 4, 1), atena_number=world.atena["stranger"],
            payload={"hittosha": "勅使河原 仁"}, status="pending",
        ),
        "destination_id": models.IntegrationDestination(
            tenant_id=tenant_id, name="subscriber:teshigawara", kind="http_json", url="https://example.invalid/n",
            secret="勅使河原の鍵", subscription="near_realtime_delta", enabled=False,
        ),
        "place_id": (place := models.InputPlace(tenant_id=tenant_id, code="TESHI", name="勅使河原出張所",
                                                kind="sub_branch", enabled=True)),
        "terminal_id": models.InputTerminal(tenant_id=tenant_id, code="TESHI-01", name="勅使河原の端末",
                                            place=place, enabled=True),
        "wide_area_request_id": models.WideAreaRequest(
            tenant_id=tenant_id, request_number="W00000001", requested_at=now, requested_by="clerk@141003",
            home_code="202177", certificate_type="copy_individual", person={"name": "勅使河原 仁"},
            requester={"relation": "self", "name": "勅使河原 仁"}, options={}, status="answered",
            answer={"outcome": "answered", "persons": [{"atena_number": "1", "family_name": "勅使河原",
                    "given_name": "仁", "resident_kind": "japanese", "household_address": ADDRESSES["stranger"]}]},
            issue_numbers=[],
        ),
        "katagaki_id": models.Katagaki(
            tenant_id=tenant_id, address=ADDRESSES["stranger"], address_key=fold_address(ADDRESSES["stranger"]),
            name="勅使河原荘", kind="apartment",
        ),
        "address_entry_id": models.AddressEntry(
            tenant_id=tenant_id, address_code="14104999000", postal_code="2310099", prefecture="神奈川県",
            prefecture_kana="カナガワケン", city="横浜市", city_kana="ヨコハマシ", ward="中区", ward_kana="ナカク",
            oaza="勅使河原町", oaza_kana="テシガワラチョウ", koaza="", koaza_kana="", source="staff",
        ),
    }  # fmt: skip


def certificate_request(atena_number: str, **overrides: Any) -> dict[str, Any]:
    base = {
        "requester_kind": "self",
        "requester": {"name": "勅使河原 仁", "atena_number": atena_number},
        "subjects": [atena_number],
        "certificate_type": "copy_individual",
        "options": [],
        "purpose": "",
        "copies": 1,
    }
    return base | overrides


def _markers(world: World) -> None:
    world.markers += list(world.atena.values()) + list(world.households.values())
    world.markers += [
        "御手洗",
        "ミタライ",
        "桜子",
        "勅使河原",
        "テシガワラ",
        "斎藤",
        "鷹雄",
        "除票野",
        "鷲郎",
    ]
    world.markers += ["和泉町秘匿", "戸塚町鷹巣", "本町勅使"]


def build_world(
    db: Database,
    setup_session: Session,
    city_a: models.Municipality,
    city_b: models.Municipality,
    users_a: dict[str, models.User],
) -> World:
    world = World()
    city_a.settings = {**(city_a.settings or {}), "officials": OFFICIALS}
    _people(world, setup_session, city_a)
    setup_session.flush()
    officer = factories.actor_for(users_a["support_officer"])
    clerk = factories.actor_for(users_a["clerk"])
    _measure(world, db, officer)
    with unit_of_work(db, Actor.system(city_a.id, "archive")) as uow:  # the 除票 goes to the removed store
        archive_old_removed_records(uow, today=dt.date(2024, 4, 1))
    _counter_work(world, db, clerk, setup_session)
    world.ids["user_id"] = users_a["clerk"].id
    world.ids.update(code="move_in", process_id="certificate_request", batch_code="removed_archive",
                     official_number=1)  # fmt: skip
    with unit_of_work(db, clerk) as uow:
        copy = CertificateRequest("copy_individual", (world.atena["stranger"],), requester_kind="self")
        world.ids["issue_number"] = issue_certificate(uow, copy).issue_numbers[0]
    _markers(world)
    everything_b = factories.make_user(setup_session, city_b, login_id="all@202118", roles=ALL_ROLES)
    world.ids["b_user_id"] = everything_b.id
    with unit_of_work(db, factories.actor_for(everything_b)) as uow:
        world.b_token = issue_token(uow, name="佐久市全権", roles=ALL_ROLES)
    with unit_of_work(db, factories.actor_for(users_a["administrator"])) as uow:
        world.a_token = issue_token(uow, name="横浜市窓口", roles=["clerk"])
    return world
