"""The items of a resident and a household: identifier, Japanese label and kind of value (j10, j20, j50).

One catalogue serves validation (how to parse an item), the record view and the API (how to label it).
Kinds: ``text``; ``flex_date`` (a date that may be non-calendar or unknown, j80: stored as a value plus the
original text in ``<field>_text``); ``date`` (a strict calendar date); ``bool``; ``year_month`` (YYYY-MM).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ItemSpec:
    field: str
    label: str
    kind: str = "text"
    max_length: int | None = None
    printable: bool = True


def _t(field: str, label: str, max_length: int = 200) -> ItemSpec:
    return ItemSpec(field, label, "text", max_length)


def _d(field: str, label: str) -> ItemSpec:
    return ItemSpec(field, label, "date")


def _b(field: str, label: str) -> ItemSpec:
    return ItemSpec(field, label, "bool")


NAME_ITEMS = (
    _t("family_name", "氏", 100),
    _t("given_name", "名", 100),
    _t("family_name_kana", "氏（フリガナ）", 100),
    _t("given_name_kana", "名（フリガナ）", 100),
    _b("name_kana_confirmed", "フリガナ確認"),
    _t("name_alphabet", "氏名（アルファベット）"),
    _t("former_surname", "旧氏", 100),
    _t("former_surname_kana", "旧氏（フリガナ）", 100),
    _b("former_surname_kana_confirmed", "旧氏フリガナ確認"),
    _t("alias", "通称"),
    _t("alias_kana", "通称（フリガナ）"),
    _b("alias_kana_confirmed", "通称フリガナ確認"),
    _d("alias_recorded_date", "通称を記載した年月日"),
    _t("alias_recorded_municipality", "通称を記載した市区町村", 6),
    _d("alias_deleted_date", "通称を削除した年月日"),
    _t("alias_deleted_municipality", "通称を削除した市区町村", 6),
    _t("name_priority", "氏名優先区分", 10),
)

PERSONAL_ITEMS = (
    ItemSpec("birth_date", "生年月日", "flex_date"),
    _t("sex", "性別", 1),
    _t("relation_to_head", "世帯主との続柄", 40),
    ItemSpec("became_resident_date", "住民となった年月日", "flex_date"),
    ItemSpec("address_set_date", "住所を定めた年月日", "flex_date"),
    _d("notified_date", "届出の年月日"),
    _t("previous_address", "転入前住所"),
    _t("previous_address_code", "転入前住所コード", 11),
    ItemSpec("previous_postal_code", "転入前郵便番号"),
    _t("last_registered_address", "最終登録住所地"),
    _t("honseki", "本籍"),
    _t("hittosha", "筆頭者", 100),
    ItemSpec("my_number", "個人番号"),
    ItemSpec("resident_code", "住民票コード"),
    _b("electoral_registered", "選挙人名簿への登録"),
    _b("adult_guardianship", "成年被後見人"),
    _t("card_status", "個人番号カード等の交付状況", 20),
    _t("signing_certificate_serial", "署名用電子証明書シリアル番号", 40),
    _t("user_certificate_serial", "利用者証明用電子証明書シリアル番号", 40),
)

INSURANCE_ITEMS = (
    _b("nhi", "国民健康保険"),
    _d("nhi_acquired_date", "国民健康保険の資格取得日"),
    _d("nhi_lost_date", "国民健康保険の資格喪失日"),
    _b("late_elderly", "後期高齢者医療"),
    _d("late_elderly_acquired_date", "後期高齢者医療の資格取得日"),
    _d("late_elderly_lost_date", "後期高齢者医療の資格喪失日"),
    _b("long_term_care", "介護保険"),
    _d("long_term_care_acquired_date", "介護保険の資格取得日"),
    _d("long_term_care_lost_date", "介護保険の資格喪失日"),
    _b("national_pension", "国民年金"),
    _t("basic_pension_number", "基礎年金番号", 10),
    _t("pension_kind", "国民年金の種別", 10),
    _d("pension_kind_changed_date", "国民年金の種別変更日"),
    _d("pension_acquired_date", "国民年金の資格取得日"),
    _d("pension_lost_date", "国民年金の資格喪失日"),
    ItemSpec("child_allowance_start", "児童手当の支給開始年月", "year_month"),
    ItemSpec("child_allowance_end", "児童手当の支給終了年月", "year_month"),
)

FOREIGN_ITEMS = (
    _t("nationality", "国籍・地域", 60),
    ItemSpec("foreign_resident_date", "外国人住民となった年月日", "flex_date"),
    _d("old_alien_registration_date", "旧外国人登録法による登録年月日"),
    _t("foreign_category", "法第30条の45に規定する区分", 30),
    _t("residence_status", "在留資格", 60),
    _t("period_of_stay", "在留期間", 30),
    _d("stay_expiry_date", "在留期間の満了の日"),
    ItemSpec("residence_card_number", "在留カード番号"),
    ItemSpec("special_permanent_certificate_number", "特別永住者証明書番号"),
    _t("landing_period", "上陸期間", 60),
    _t("provisional_stay_period", "仮滞在期間", 60),
    _b("residence_notified", "住居地の届出の有無"),
    _b("landing_permit_move_in", "上陸許可証による転入"),
)

REMOVAL_ITEMS = (
    _t("removal_reason", "消除事由", 40),
    _d("removal_date", "消除事由の生じた年月日"),
    _t("destination_planned_address", "転出先住所（予定）"),
    _t("destination_planned_code", "転出先住所コード（予定）", 11),
    ItemSpec("destination_planned_postal_code", "転出先郵便番号（予定）"),
    _d("move_out_planned_date", "転出予定年月日"),
    _t("destination_confirmed_address", "転出先住所（確定）"),
    _t("destination_confirmed_code", "転出先住所コード（確定）", 11),
    ItemSpec("destination_confirmed_postal_code", "転出先郵便番号（確定）"),
    _d("move_out_confirmed_date", "転出年月日（確定）"),
    _d("move_in_notice_date", "転入通知年月日"),
)

OTHER_ITEMS = (ItemSpec("remarks", "備考", "text", 2000),)

RESIDENT_ITEMS: tuple[ItemSpec, ...] = (
    NAME_ITEMS + PERSONAL_ITEMS + INSURANCE_ITEMS + FOREIGN_ITEMS + REMOVAL_ITEMS + OTHER_ITEMS
)
RESIDENT_ITEM_BY_FIELD = {spec.field: spec for spec in RESIDENT_ITEMS}

HOUSEHOLD_ITEMS: tuple[ItemSpec, ...] = (
    _t("address", "住所"),
    _t("address_katagaki", "方書"),
    ItemSpec("postal_code", "郵便番号"),
    _t("address_code", "住所コード", 11),
    _t("ward_code", "区", 6),
)
HOUSEHOLD_ITEM_BY_FIELD = {spec.field: spec for spec in HOUSEHOLD_ITEMS}

# フリガナ確認フラグ (j180) → the フリガナ it confirms: a flag is kept only with its フリガナ, and cleared to False
# (never None) when the フリガナ goes.
KANA_CONFIRMATIONS = {
    "former_surname_kana_confirmed": "former_surname_kana",
    "alias_kana_confirmed": "alias_kana",
}

# Items a user may have hidden on every screen (j1390), by Actor.hidden_items key.
HIDDEN_ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    "honseki": ("honseki", "hittosha"),
    "my_number": ("my_number",),
    "resident_code": ("resident_code",),
    "residence_status": (
        "residence_status",
        "period_of_stay",
        "stay_expiry_date",
        "residence_card_number",
        "special_permanent_certificate_number",
    ),
}
MASK = "（非表示）"

SEX_LABELS = {"1": "男", "2": "女"}
KIND_LABELS = {"japanese": "日本人住民", "foreign": "外国人住民"}
STATUS_LABELS = {"resident": "住民", "moving_out": "転出予定", "removed": "除票"}
