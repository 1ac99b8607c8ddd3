"""Builders for test data.  Residents and households are built through the handlers, not raw rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

import models
from handlers.auth import actor_for_user
from handlers.context import Actor
from handlers.passwords import hash_password

DEFAULT_PASSWORD = "correct horse battery staple"
# Fixed base32 TOTP secret for test users (never used outside tests and the demo).
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

ROLE_NAMES = ("clerk", "supervisor", "analyst", "support_officer", "auditor", "administrator")


def make_municipality(
    session: Session, *, code: str, name: str, prefecture: str, kind: str = "general"
) -> models.Municipality:
    muni = models.Municipality(code=code, name=name, prefecture=prefecture, kind=kind, settings={})
    session.add(muni)
    session.flush()
    return muni


_HASH_CACHE: dict[str, str] = {}


def make_user(
    session: Session,
    municipality: models.Municipality,
    *,
    login_id: str,
    roles: list[str],
    password: str = DEFAULT_PASSWORD,
    enrolled: bool = True,
) -> models.User:
    if password not in _HASH_CACHE:
        _HASH_CACHE[password] = hash_password(password)
    user = models.User(
        tenant_id=municipality.id,
        login_id=login_id,
        display_name=login_id,
        password_hash=_HASH_CACHE[password],
        roles=roles,
        totp_secret=TEST_TOTP_SECRET if enrolled else None,
        totp_enrolled=enrolled,
    )
    session.add(user)
    session.flush()
    return user


def make_role_users(session: Session, municipality: models.Municipality) -> dict[str, models.User]:
    return {
        role: make_user(session, municipality, login_id=f"{role}@{municipality.code}", roles=[role])
        for role in ROLE_NAMES
    }


def actor_for(user: models.User, *, client_address: str = "127.0.0.1") -> Actor:
    return actor_for_user(user, client_address)


# --- 除票 and 支援措置 rows (register B and C tests) ----------------------------------------------------
# Raw rows with real search keys and history snapshots, for the archive batch and the support measures.


def make_household_row(
    session: Session, municipality: models.Municipality, *, number: int
) -> models.Household:
    from handlers.rules.check_digit import with_m11w27

    household = models.Household(
        tenant_id=municipality.id, household_number=with_m11w27(f"{number:09d}"), address="中央一丁目1番1号"
    )
    session.add(household)
    session.flush()
    return household


def make_resident_row(
    session: Session,
    household: models.Household,
    *,
    number: int,
    family_name: str = "山田",
    given_name: str = "太郎",
    family_name_kana: str = "ヤマダ",
    given_name_kana: str = "タロウ",
    birth_date: dt.date = dt.date(1980, 1, 1),
    moved_in: dt.date = dt.date(2000, 4, 1),
) -> models.Resident:
    """A resident (status ``resident``) with one history snapshot (転入 on ``moved_in``)."""
    from handlers.residents.search_keys import refresh_resident_keys
    from handlers.rules.check_digit import with_m11w27

    resident = models.Resident(
        tenant_id=household.tenant_id,
        atena_number=with_m11w27(f"{number:09d}"),
        household=household,
        resident_kind="japanese",
        family_name=family_name,
        given_name=given_name,
        family_name_kana=family_name_kana,
        given_name_kana=given_name_kana,
        birth_date=birth_date,
        sex="1",
        relation_to_head="世帯主",
        became_resident_date=moved_in,
        my_number="123456789018",
    )
    refresh_resident_keys(resident)
    session.add(resident)
    session.flush()
    if household.head_resident_id is None:
        household.head = resident
    add_history_row(session, resident, reason_code="domestic_move_in", change_date=moved_in)
    return resident


def add_history_row(
    session: Session, resident: models.Resident, *, reason_code: str, change_date: dt.date
) -> models.ResidentHistory:
    """The next history snapshot of the person (as ``handlers.residents.history.append_history`` writes it,
    but with the tenant set, for the cross-tenant setup session)."""
    from handlers.residents.history import snapshot_of

    session.flush()
    resident.history_no += 1
    row = models.ResidentHistory(
        tenant_id=resident.tenant_id,
        resident_id=resident.id,
        atena_number=resident.atena_number,
        history_no=resident.history_no,
        change_reason=reason_code,
        change_date=change_date,
        effective_date=change_date,
        processed_date=change_date,
        household_number=resident.household.household_number,
        status=resident.status,
        snapshot=snapshot_of(resident),
    )
    session.add(row)
    session.flush()
    return row


def remove_resident_row(
    session: Session, resident: models.Resident, *, removal_date: dt.date, reason: str = "domestic_move_out"
) -> models.Resident:
    """Make the person a live 除票 (status ``removed``) with a history snapshot and one memo."""
    resident.status = "removed"
    resident.removal_reason = reason
    resident.removal_date = removal_date
    resident.destination_planned_address = "長野県佐久市中込1番地"
    session.add(
        models.ResidentMemo(
            tenant_id=resident.tenant_id,
            resident_id=resident.id,
            atena_number=resident.atena_number,
            body="転出確認済",
        )
    )
    add_history_row(session, resident, reason_code=reason, change_date=removal_date)
    return resident


def make_removed_resident(
    session: Session, municipality: models.Municipality, *, number: int, removal_date: dt.date, **names: Any
) -> models.Resident:
    """A one-person household whose member was removed on ``removal_date``."""
    household = make_household_row(session, municipality, number=number)
    resident = make_resident_row(session, household, number=number, **names)
    return remove_resident_row(session, resident, removal_date=removal_date)


# --- households and residents through the handlers (register A) -----------------------------------------

_NUMBER_SEED = iter(range(1, 10**9))


def valid_my_number() -> str:
    """A fresh 個人番号 with a correct check digit (unique within the test run)."""
    from handlers.rules.check_digit import my_number_check_digit

    body = f"{next(_NUMBER_SEED) + 30_000_000_000:011d}"
    return body + my_number_check_digit(body)


def valid_resident_code() -> str:
    """A fresh 住民票コード (10 digits + M11W2-7 check digit)."""
    from handlers.rules.check_digit import with_m11w27

    return with_m11w27(f"{next(_NUMBER_SEED) + 5_000_000_000:010d}")


def japanese_member(**overrides: Any) -> dict[str, Any]:
    """One Japanese member's input as a clerk would enter it (defaults: 山田 太郎, 世帯主)."""
    member: dict[str, Any] = {
        "resident_kind": "japanese",
        "family_name": "山田",
        "given_name": "太郎",
        "family_name_kana": "ヤマダ",
        "given_name_kana": "タロウ",
        "birth_date": "昭和55年4月1日",
        "sex": "1",
        "relation_to_head": "世帯主",
        "became_resident_date": "2020-04-01",
        "address_set_date": "2020-04-01",
        "honseki": "東京都千代田区千代田1番",
        "hittosha": "山田 太郎",
        "previous_address": "東京都千代田区千代田1番1号",
        "my_number": valid_my_number(),
        "resident_code": valid_resident_code(),
    }
    member.update(overrides)
    return member


def foreign_member(**overrides: Any) -> dict[str, Any]:
    """One foreign resident's input: a 中長期在留者 with a 在留カード."""
    member: dict[str, Any] = {
        "resident_kind": "foreign",
        "name_alphabet": "SMITH JOHN",
        "family_name_kana": "スミス",
        "given_name_kana": "ジョン",
        "birth_date": "1990-07-15",
        "sex": "1",
        "relation_to_head": "世帯主",
        "became_resident_date": "2023-04-01",
        "address_set_date": "2023-04-01",
        "foreign_resident_date": "2023-04-01",
        "nationality": "アメリカ合衆国",
        "foreign_category": "mid_long_term",
        "residence_status": "技術・人文知識・国際業務",
        "period_of_stay": "3年",
        "stay_expiry_date": "2026-03-31",
        "residence_card_number": "AB12345678CD",
        "my_number": valid_my_number(),
        "resident_code": valid_resident_code(),
    }
    member.update(overrides)
    return member


def japanese_family() -> list[dict[str, Any]]:
    """山田 太郎 (世帯主), 花子 (妻), 一郎 (子)."""
    return [
        japanese_member(),
        japanese_member(
            given_name="花子",
            given_name_kana="ハナコ",
            birth_date="昭和57年6月15日",
            sex="2",
            relation_to_head="妻",
        ),
        japanese_member(
            given_name="一郎", given_name_kana="イチロウ", birth_date="平成22年1月20日", relation_to_head="子"
        ),
    ]


def default_address(**overrides: Any) -> dict[str, Any]:
    address: dict[str, Any] = {"address": "神奈川県横浜市中区港町1丁目1番地", "postal_code": "231-0017"}
    address.update(overrides)
    return address


def make_household(
    db: Any,
    actor: Actor,
    members: list[dict[str, Any]] | None = None,
    *,
    foreign: bool = False,
    household: dict[str, Any] | None = None,
    reason_code: str = "domestic_move_in",
    change_date: str | dt.date = "2020-04-01",
) -> models.Household:
    """Register a household through ``handlers.residents.registration`` in its own unit of work."""
    from handlers.residents.registration import register_household
    from handlers.uow import unit_of_work

    if members is None:
        members = [foreign_member()] if foreign else japanese_family()
    with unit_of_work(db, actor) as uow:
        created = register_household(
            uow, household or default_address(), members, reason_code=reason_code, change_date=change_date
        )
        created.members  # noqa: B018 - load the members before the session closes
    return created


# --- 方書 (j260, j520) ----------------------------------------------------------------------------------------


def katagaki_values(**overrides: Any) -> dict[str, Any]:
    """A 方書 entry as the 方書管理 page sends it: 港ハイツ at the default test address's lot."""
    values: dict[str, Any] = {"address": "神奈川県横浜市中区港町1丁目1番地", "address_code": "",
                              "name": "港ハイツ", "name_kana": "ミナトハイツ", "kind": "apartment"}  # fmt: skip
    values.update(overrides)
    return values


def make_katagaki(db: Any, actor: Actor, **overrides: Any) -> Any:
    """Register one 方書 through the handler (``actor`` needs ``katagaki.manage``); returns its view."""
    from handlers.katagaki import save_katagaki
    from handlers.uow import unit_of_work

    with unit_of_work(db, actor) as uow:
        return save_katagaki(uow, None, katagaki_values(**overrides))


def make_inquiry_destinations(
    session: Session, municipality: models.Municipality, url_of: Any, secret: str, systems: tuple[str, ...]
) -> None:
    """他業務照会 (j1180): an enabled ``inquiry:<system>`` destination for each system, at ``url_of(system)``."""
    for system in systems:
        session.add(
            models.IntegrationDestination(
                tenant_id=municipality.id, name=f"inquiry:{system}", kind="inquiry", url=url_of(system),
                secret=secret, enabled=True,
            )
        )  # fmt: skip
    session.flush()


def make_platform_unit(
    session: Session, municipality: models.Municipality, unit: str, directory: str, **values: Any
) -> models.IntegrationDestination:
    """地域情報プラットフォーム連携 (j1170): the unit's exchange folder as destination ``platform:<unit>``."""
    row = models.IntegrationDestination(
        tenant_id=municipality.id, name=f"platform:{unit}", kind=values.pop("kind", "pf_file"),
        directory=directory, enabled=True, **values,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def platform_file(
    unit: str,
    records: list[dict[str, Any]],
    *,
    message_id: str = "MSG-1",
    organization: str = "141003",
    encoding: str = "UTF-8",
) -> bytes:
    """A file a platform unit drops for us (our platform layout, docs/other-systems.md).  A record is
    ``{"kind": …, "atena_number": …, "items": {name: value}}``."""
    from xml.sax.saxutils import escape, quoteattr

    def record(r: dict[str, Any]) -> str:
        attrs = "".join(
            f" {k}={quoteattr(str(r[k]))}" for k in ("kind", "atena_number", "resident_code") if r.get(k)
        )
        items = "".join(
            f"<Item name={quoteattr(n)}>{escape(str(v))}</Item>" for n, v in r.get("items", {}).items()
        )
        return f"<Record{attrs}>{items}</Record>"

    header = {"MessageId": message_id, "DataKind": "registration", "SenderUnit": unit, "ReceiverUnit": "jumin",
              "ReceiverOrganization": organization, "CreatedAt": "2026-11-27T09:00:00+09:00",
              "RecordCount": str(len(records))}  # fmt: skip
    head = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in header.items())
    text = (f'<?xml version="1.0" encoding="{encoding}"?>\n<PfMessage xmlns="urn:jumin:pf:1" version="1">'
            f"<Header>{head}</Header><Body>{''.join(record(r) for r in records)}</Body></PfMessage>\n")  # fmt: skip
    return text.encode("cp932" if encoding.lower() == "shift_jis" else "utf-8")


def protect(session: Session, municipality: models.Municipality, atena_number: str) -> models.SupportMeasure:
    """A support measure in force protecting ``atena_number`` (支援措置, raw rows as an officer's decision)."""
    return make_support_measure(session, municipality, atena_number)


# --- 支援措置 and 広域交付 (j1210) ----------------------------------------------------------------------------


def make_support_measure(
    session: Session, city: models.Municipality, atena_number: str
) -> models.SupportMeasure:
    """A measure in force protecting ``atena_number`` (DV, certificates and the current address)."""
    today = dt.date.today()
    measure = models.SupportMeasure(
        tenant_id=city.id, status="in_force", provisional=False, start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=335), request_date=today - dt.timedelta(days=30), victim_kind="dv",
        protected_services=["certificate"], protected_addresses=["current"],
    )  # fmt: skip
    measure.parties = [
        models.SupportMeasureParty(
            tenant_id=city.id, role="applicant", atena_number=atena_number, name="被害者"
        )
    ]
    session.add(measure)
    session.flush()
    return measure


def wide_area_fields(**overrides: Any) -> dict[str, Any]:
    """A 広域交付 request as the counter enters it: 山田 太郎 of 横浜市 asks for his own copy, 運転免許証 shown."""
    fields: dict[str, Any] = {
        "home_code": "141003",
        "certificate_type": "copy_individual",
        "name": "山田 太郎",
        "birth_date": "昭和55年4月1日",
        "address": "横浜市中区港町1丁目1番地",
        "relation": "self",
        "requester_name": "山田 太郎",
        "requester_birth_date": "1980-04-01",
        "id_document": "driver_license",
    }
    fields.update(overrides)
    return fields


# --- 統合記載欄 (j140) ----------------------------------------------------------------------------------------


def set_caution(db: Any, actor: Actor, atena_number: str, history_no: int, text: str, *items: str) -> Any:
    """The 留意事項 of one history row, through ``handlers.residents.cautions.correct_caution``."""
    from handlers.residents.cautions import correct_caution
    from handlers.uow import unit_of_work

    with unit_of_work(db, actor) as uow:
        return correct_caution(uow, atena_number, history_no, {"caution": text, "caution_items": list(items)})


def set_remarks(db: Any, actor: Actor, atena_number: str, body: str) -> str:
    """The person's 備考, through ``handlers.residents.remarks.save_remarks``."""
    from handlers.residents.remarks import save_remarks
    from handlers.uow import unit_of_work

    with unit_of_work(db, actor) as uow:
        return save_remarks(uow, atena_number, body)


# --- 住所辞書 (j250) -------------------------------------------------------------------------------------------


def japan_post_town(town: str, kana: str, postal: str, *, ward: str = "中区", jis: str = "14104") -> Any:
    """One town as ``japan_post_towns`` reads it from Japan Post's data: by default in 横浜市中区."""
    from handlers.address_dictionary import JapanPostTown

    ward_kana = {"中区": "ナカク", "西区": "ニシク", "鶴見区": "ツルミク"}.get(ward, "")
    return JapanPostTown(
        jis_code=jis, prefecture="神奈川県", prefecture_kana="カナガワケン", city="横浜市",
        city_kana="ヨコハマシ", ward=ward, ward_kana=ward_kana, town=town, town_kana=kana, postal_code=postal,
    )  # fmt: skip


def japan_post_release() -> list[Any]:
    """A small release of 横浜市's towns: three of 中区 and one of 西区."""
    return [
        japan_post_town("山下町", "ヤマシタチョウ", "2310023"),
        japan_post_town("港町", "ミナトチョウ", "2310017"),
        japan_post_town("本町", "ホンチョウ", "2310005"),
        japan_post_town("高島", "タカシマ", "2200011", ward="西区", jis="14103"),
    ]


def load_address_dictionary(db: Any, actor: Actor, towns: list[Any] | None = None) -> Any:
    """Load (or refresh) the actor's municipality's address dictionary from ``towns``; returns the report."""
    from handlers.address_refresh import refresh_from_japan_post
    from handlers.uow import unit_of_work

    with unit_of_work(db, actor) as uow:
        return refresh_from_japan_post(uow, japan_post_release() if towns is None else towns)


def address_entry_values(**overrides: Any) -> dict[str, Any]:
    """A 小字 (丁目) as the 住所辞書管理 page sends it: 山下町一丁目 in 横浜市中区."""
    values: dict[str, Any] = {"area": "14104", "oaza": "山下町", "oaza_kana": "ヤマシタチョウ", "koaza": "一丁目",
                              "koaza_kana": "イッチョウメ", "postal_code": "231-0023"}  # fmt: skip
    values.update(overrides)
    return values
