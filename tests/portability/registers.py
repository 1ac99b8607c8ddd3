"""Generated registers for the portability tests: hypothesis strategies and a builder that writes one into a
standalone database (households, residents with history, 除票 live and archived, memos, support measures
with parties, suppressions, issuance history, a hash-chained access log, the address dictionary with 大字 and
小字 — loaded, staff-edited, staff-added, retired, numbers with gaps — and the 方書 register)."""

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
from handlers.rules.address_codes import address_code
from handlers.rules.check_digit import with_m11w27
from handlers.rules.kanji import fold_address
from handlers.uow import unit_of_work
from models.katagaki import KATAGAKI_KINDS

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

AREA = "14101"  # 横浜市鶴見区: the 都道府県 + 市区町村 part of the generated 住所コード
ENTRY_ORIGINS = ("japan_post", "staff_edited", "staff_added")  # loaded; loaded then corrected; added by staff
kana_texts = st.text(alphabet="アイウエオガパァッーヴ", min_size=1, max_size=8)


@dataclass
class EntryPlan:
    """A 大字 (with its 小字 in ``koaza``) or a 小字 of the dictionary."""

    name: str
    kana: str
    origin: str  # ENTRY_ORIGINS
    retired: bool
    gap: int  # numbers left unused before it (places gone before the export): codes are not consecutive
    koaza: list[EntryPlan]


@dataclass
class KatagakiPlan:
    lot: int  # the 地番 it stands at
    name: str
    kana: str | None
    kind: str
    retired: bool


def _entries(koaza: st.SearchStrategy[list[EntryPlan]]) -> st.SearchStrategy[EntryPlan]:
    return st.builds(EntryPlan, name=texts, kana=kana_texts, origin=st.sampled_from(ENTRY_ORIGINS),
                     retired=st.booleans(), gap=st.integers(0, 3), koaza=koaza)  # fmt: skip


dictionaries = st.lists(_entries(st.lists(_entries(st.just([])), max_size=3)), max_size=3)
katagaki_registers = st.lists(
    st.builds(KatagakiPlan, lot=st.integers(1, 9), name=texts, kana=st.none() | kana_texts,
              kind=st.sampled_from(KATAGAKI_KINDS), retired=st.booleans()),
    max_size=3, unique_by=lambda plan: (plan.lot, plan.name),
)  # fmt: skip
SMALL_DICTIONARY = [EntryPlan("鶴見中央", "ツルミチュウオウ", "japan_post", False, 0,
                              [EntryPlan("一丁目", "イッチョウメ", "staff_edited", False, 1, []),
                               EntryPlan("旧二丁目", "キュウニチョウメ", "japan_post", True, 0, [])]),
                    EntryPlan("葛\U000e0102原", "カツラハラ", "staff_added", False, 2, [])]  # fmt: skip
SMALL_KATAGAKI = [KatagakiPlan(3, "ハイツ\"𠮷\",1", "ハイツ", "apartment", False),
                  KatagakiPlan(3, "旧寮", None, "dormitory", True)]  # fmt: skip


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

    def build(
        self,
        households: list[list[PersonPlan]],
        dictionary: list[EntryPlan] = SMALL_DICTIONARY,
        katagaki: list[KatagakiPlan] = SMALL_KATAGAKI,
    ) -> None:
        self.add_dictionary(dictionary)
        self.add_katagaki(katagaki)
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

    def add_dictionary(self, oaza: list[EntryPlan]) -> None:
        """The entries with codes as ``handlers.address_entries`` gives them, gaps left where places went."""
        number = 0
        for plan in oaza:
            number += plan.gap + 1
            self._entry(plan, address_code(AREA, number), plan.name, plan.kana)
            koaza_number = 0
            for child in plan.koaza:
                koaza_number += child.gap + 1
                self._entry(child, address_code(AREA, number, koaza_number), plan.name, plan.kana, child)

    def _entry(
        self, plan: EntryPlan, code: str, oaza: str, oaza_kana: str, koaza: EntryPlan | None = None
    ) -> None:
        loaded = plan.origin != "staff_added"
        self.session.add(models.AddressEntry(
            tenant_id=self.tenant_id, address_code=code, postal_code="2300051" if loaded else None,
            prefecture="神奈川県", prefecture_kana="カナガワケン", city="横浜市", city_kana="ヨコハマシ",
            ward="鶴見区", ward_kana="ツルミク", oaza=oaza, oaza_kana=oaza_kana,
            koaza=koaza.name if koaza else "", koaza_kana=koaza.kana if koaza else "",
            source="japan_post" if plan.origin == "japan_post" else "staff",
            source_key=f"{AREA}:{code}" if loaded else None,
            retired_date=dt.date(2024, 3, 31) if plan.retired else None,
            version=1 if plan.origin == "japan_post" else 3,
        ))  # fmt: skip

    def add_katagaki(self, plans: list[KatagakiPlan]) -> None:
        for plan in plans:
            address = f"神奈川県横浜市鶴見区鶴見中央{plan.lot}番"
            self.session.add(models.Katagaki(
                tenant_id=self.tenant_id, address=address, address_key=fold_address(address),
                address_code=address_code(AREA, 1) if plan.lot % 2 else None, name=plan.name,
                name_kana=plan.kana, kind=plan.kind, retired_date=dt.date(2025, 1, 6) if plan.retired else None,
            ))  # fmt: skip

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


def build_source(template: Path, path: Path, households: list[list[PersonPlan]], tenant_id: int = TENANT_ID,
                 dictionary: list[EntryPlan] = SMALL_DICTIONARY,
                 katagaki: list[KatagakiPlan] = SMALL_KATAGAKI) -> Database:  # fmt: skip
    database = fresh_database(template, path)
    with unit_of_work(database, Actor.system(tenant_id), cross_tenant=True) as uow:
        add_municipality(uow.session, tenant_id)
        RegisterBuilder(uow.session, tenant_id).build(households, dictionary, katagaki)
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
