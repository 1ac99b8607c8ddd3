"""Generated registers for the portability tests: hypothesis strategies and a builder that writes one into a
standalone database (households, residents with history, 除票 live and archived, memos, support measures
with parties, suppressions, issuance history and a hash-chained access log)."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from sqlalchemy.orm import Session

import models
from handlers.audit import append
from handlers.context import Actor
from handlers.db import Database, make_engine
from handlers.residents.history import snapshot_of
from handlers.residents.search_keys import refresh_household_keys, refresh_resident_keys
from handlers.rules.check_digit import with_m11w27
from handlers.uow import unit_of_work

TENANT_ID = 7
CODE = "141003"

# Tokens that break naive code: IVS sequences, non-BMP, compatibility ideographs, CSV specials, backslashes.
NAME_TOKENS = ("葛\U000e0102", "邊\U000e0104", "𠮷", "髙", "﨑", "邉", "辺", "山", "田", "花子", "a", "Ö", "ß",
               '"', ",", "\r\n", "\n", "\\", "\\N", " ", "　", "null", "ｱ", "ﾟ", "\u3099")  # fmt: skip
UNKNOWN_DATES = ("年月日不詳", "昭和10年頃", "平成元年3月不詳", "大正14年不詳", "1950年頃")
RELATIONS = ("世帯主", "妻", "子", "子の子", "子の子の子", "子の子の子の子", "母", "縁故者", "同居人")

texts = st.lists(st.sampled_from(NAME_TOKENS), min_size=1, max_size=5).map("".join)
optional_texts = st.none() | texts
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31))


@dataclass
class PersonPlan:
    family_name: str | None
    given_name: str | None
    kana: str
    foreign: bool
    birth: dt.date | None
    birth_text: str | None
    relation: str
    removed: bool
    memos: list[str]
    changes: int


people = st.builds(
    PersonPlan,
    family_name=optional_texts,
    given_name=texts,
    kana=st.text(alphabet="アイウエオガパァッー　", min_size=1, max_size=8),
    foreign=st.booleans(),
    birth=st.none() | dates,
    birth_text=st.none() | st.sampled_from(UNKNOWN_DATES),
    relation=st.sampled_from(RELATIONS),
    removed=st.booleans(),
    memos=st.lists(texts, max_size=2),
    changes=st.integers(min_value=1, max_value=3),
)
registers = st.lists(st.lists(people, min_size=1, max_size=4), min_size=1, max_size=4)


def fresh_database(template: Path, path: Path) -> Database:
    """A SQLite database file with the whole schema (copied from ``template``)."""
    shutil.copyfile(template, path)
    return Database(make_engine(f"sqlite:///{path}"))


def make_template(path: Path) -> Path:
    engine = make_engine(f"sqlite:///{path}")
    models.Base.metadata.create_all(engine)
    engine.dispose()
    return path


def add_municipality(session: Session, tenant_id: int = TENANT_ID) -> models.Municipality:
    municipality = models.Municipality(
        id=tenant_id, code=CODE, name="横浜市", prefecture="神奈川県", kind="designated_city", settings={}
    )
    session.add(municipality)
    session.add(
        models.User(tenant_id=tenant_id, login_id=f"clerk{tenant_id}", display_name="窓口", password_hash="x")
    )
    session.flush()
    return municipality


class RegisterBuilder:
    def __init__(self, session: Session, tenant_id: int = TENANT_ID) -> None:
        self.session, self.tenant_id = session, tenant_id
        self.next_number = 1
        self.actor = Actor(tenant_id=tenant_id, login_id=f"clerk{tenant_id}", user_id=None)

    def _number(self) -> str:
        value, self.next_number = self.next_number, self.next_number + 1
        return with_m11w27(f"{value:09d}")

    def build(self, households: list[list[PersonPlan]]) -> None:
        for n, plans in enumerate(households):
            household = models.Household(tenant_id=self.tenant_id, household_number=self._number(),
                                         address=f"中央{n + 1}丁目\\N,\"1\"", address_katagaki=plans[0].given_name)  # fmt: skip
            refresh_household_keys(household)
            self.session.add(household)
            for order, plan in enumerate(plans, start=1):
                self.add_person(household, plan, order)
        self.add_registers_c_and_log()
        for name in ("atena", "household"):  # as handlers.residents.numbering keeps them
            self.session.add(
                models.NumberSequence(tenant_id=self.tenant_id, name=name, next_value=self.next_number)
            )
        self.session.flush()

    def add_person(self, household: models.Household, plan: PersonPlan, order: int) -> None:
        person = models.Resident(
            tenant_id=self.tenant_id, atena_number=self._number(), household=household, household_order=order,
            resident_kind="foreign" if plan.foreign else "japanese", family_name=plan.family_name,
            given_name=plan.given_name, family_name_kana=plan.kana, given_name_kana=plan.kana,
            name_alphabet="SMITH JOHN" if plan.foreign else None, nationality="米国" if plan.foreign else None,
            birth_date=plan.birth, birth_date_text=plan.birth_text, sex="2", relation_to_head=plan.relation,
            remarks=plan.given_name,
        )  # fmt: skip
        refresh_resident_keys(person)
        self.session.add(person)
        self.session.flush()
        if household.head_resident_id is None:
            household.head = person
        for step in range(plan.changes):
            self.history(
                person, "move_in" if step == 0 else "correction", dt.date(2001, 1, 1) + dt.timedelta(step)
            )
        if plan.removed:
            person.status, person.removal_reason, person.removal_date = (
                "removed",
                "death",
                dt.date(2020, 2, 29),
            )
            self.history(person, "death", dt.date(2020, 2, 29))
        for body in plan.memos:
            self.session.add(models.ResidentMemo(tenant_id=self.tenant_id, resident_id=person.id,
                                                 atena_number=person.atena_number, body=body))  # fmt: skip

    def history(self, person: models.Resident, reason: str, when: dt.date) -> None:
        self.session.flush()
        person.history_no += 1
        self.session.add(models.ResidentHistory(
            tenant_id=self.tenant_id, resident_id=person.id, atena_number=person.atena_number,
            history_no=person.history_no, change_reason=reason, change_date=when, change_date_text=None,
            effective_date=when, processed_date=when, household_number=person.household.household_number,
            status=person.status, snapshot=snapshot_of(person), note=person.given_name,
            caution=f"留意{person.given_name}", caution_items="previous_address,address",
        ))  # fmt: skip

    def add_registers_c_and_log(self) -> None:
        self.session.flush()
        first = self.session.query(models.Resident).filter_by(tenant_id=self.tenant_id).first()
        archived = self._number()
        self.session.add(models.RemovedRecordArchive(
            tenant_id=self.tenant_id, atena_number=archived, household_number=self._number(),
            removal_reason="move_out", removal_date=dt.date(2010, 1, 1), retain_until=dt.date(2160, 1, 1),
            display_name="邊\U000e0104 𠮷", kana_key="ヘン", name_key="辺吉", birth_date=None,
            record={"family_name": "邊\U000e0104", "birth_date_text": "年月日不詳"}, history=[{"history_no": 1}],
            memos=["古いメモ"],
        ))  # fmt: skip
        self.session.add(
            models.ResidentMemo(tenant_id=self.tenant_id, atena_number=archived, body="保存庫のメモ")
        )
        self.session.add(
            models.ResidentRemark(tenant_id=self.tenant_id, atena_number=archived, body="備考\n2行目")
        )
        self.session.add(models.CautionTemplate(tenant_id=self.tenant_id, change_reason="domestic_move_in",
                                                text="定型の留意事項", items="previous_address"))  # fmt: skip
        measure = models.SupportMeasure(tenant_id=self.tenant_id, status="in_force", provisional=False,
                                        victim_kind="dv", start_date=dt.date(2025, 4, 1),
                                        protected_services=["閲覧"], protected_addresses=["current"])  # fmt: skip
        measure.parties = [
            models.SupportMeasureParty(tenant_id=self.tenant_id, role="applicant", resident_id=first.id if first else None,
                                       atena_number=first.atena_number if first else None, name="申出者"),
            models.SupportMeasureParty(tenant_id=self.tenant_id, role="perpetrator", name="加害者 葛\U000e0102"),
        ]  # fmt: skip
        self.session.add(measure)
        if first is not None:
            self.session.add(models.Suppression(tenant_id=self.tenant_id, atena_number=first.atena_number,
                                                process="certificate", level="error", start_date=dt.date(2025, 4, 1),
                                                reason="支援措置"))  # fmt: skip
        self.session.add(models.CertificateIssuance(
            tenant_id=self.tenant_id, issue_number="R7-000001", issued_at=dt.datetime(2025, 5, 1, 9, 0, tzinfo=dt.UTC),
            place="本庁", terminal="T1", printer="P1", login_id=f"clerk{self.tenant_id}", certificate_type="juminhyo",
            subjects=[first.atena_number] if first else [], items_printed=["氏名"], options={"honseki": False},
            pages=1, fee=300, requester_kind="self", content_digest="0" * 64, signature="s",
        ))  # fmt: skip
        for n in range(3):
            append(self.session, self.actor, "resident_viewed", "view", [first.atena_number] if first else [],
                   detail={"n": n, "name": "𠮷"})  # fmt: skip


def build_source(template: Path, path: Path, households: list[list[PersonPlan]],
                 tenant_id: int = TENANT_ID) -> Database:  # fmt: skip
    database = fresh_database(template, path)
    with unit_of_work(database, Actor.system(tenant_id), cross_tenant=True) as uow:
        add_municipality(uow.session, tenant_id)
        RegisterBuilder(uow.session, tenant_id).build(households)
    return database


def system_actor(tenant_id: int = TENANT_ID) -> Actor:
    return Actor.system(tenant_id, "portability-test")


def files_of(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.name != "manifest.json"}


def manifest_without_time(directory: Path) -> dict[str, Any]:
    import json

    data = json.loads((directory / "manifest.json").read_text("utf-8"))
    data.pop("exported_at")
    return data
