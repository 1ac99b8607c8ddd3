"""Register A: current residents (住民), Japanese and foreign, and their households (世帯).

Rows stay here after removal (status ``removed``) until the yearly batch moves them to the removed-records
store (``models.removed``).  Flexible dates (j80) are kept as a sortable ``date`` plus the original text
(``*_text``), set only when the value is not an ordinary calendar date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TenantScoped, TimestampMixin
from models.snapshot import SnapshotType

REMOVED = "status = 'removed'"  # a 除票 (the predicate of the removed persons' partial index)

# Search keys compare byte-wise (COLLATE "C" on PostgreSQL) so that a btree index serves both
# ``LIKE 'prefix%'`` and ORDER BY; SQLite's default BINARY collation already does.
SearchKey = String(200).with_variant(String(200, collation="C"), "postgresql")


class Household(TenantScoped, TimestampMixin, Base):
    __tablename__ = "household"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (
        UniqueConstraint("tenant_id", "household_number"),
        Index("ix_household_tenant_address_code", "tenant_id", "address_code"),  # 住所コード search (j340)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_number: Mapped[str] = mapped_column(String(10))  # 世帯番号 (M11W2-7 check digit)
    head_resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("resident.id", use_alter=True, deferrable=True, initially="IMMEDIATE"), nullable=True
    )  # 世帯主: may be unset (j100); checked at once, but the bulk loader defers it (heads written with the
    # household, before the residents)
    ward_code: Mapped[str | None] = mapped_column(String(6))
    address_code: Mapped[str | None] = mapped_column(String(11))  # 住所コード
    address: Mapped[str] = mapped_column(String(200))  # 住所
    address_katagaki: Mapped[str | None] = mapped_column(String(200))  # 方書
    postal_code: Mapped[str | None] = mapped_column(String(7))  # 郵便番号
    address_key: Mapped[str] = mapped_column(SearchKey, default="")  # fold_address(住所 + 方書), for search
    status: Mapped[str] = mapped_column(String(12), default="active")  # active / dissolved
    version: Mapped[int] = mapped_column(Integer, default=1)

    members: Mapped[list[Resident]] = relationship(
        back_populates="household",
        foreign_keys="Resident.household_id",
        order_by="Resident.household_order",
    )
    head: Mapped[Resident | None] = relationship(foreign_keys=[head_resident_id], post_update=True)

    __mapper_args__ = {"version_id_col": version}


class Resident(TenantScoped, TimestampMixin, Base):
    __tablename__ = "resident"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (
        UniqueConstraint("tenant_id", "atena_number"),
        Index("ix_resident_tenant_kana", "tenant_id", "kana_key", "atena_number"),  # the search order
        Index("ix_resident_tenant_given_kana", "tenant_id", "given_kana_key"),
        Index("ix_resident_tenant_name", "tenant_id", "name_key"),
        Index("ix_resident_tenant_birth", "tenant_id", "birth_date"),
        Index("ix_resident_tenant_resident_code", "tenant_id", "resident_code"),
        Index("ix_resident_tenant_my_number", "tenant_id", "my_number"),
        Index("ix_resident_tenant_card", "tenant_id", "residence_card_number"),
        # The 除票 a 転入's person may be (j600), found by 氏 and 生年月日 among the removed only: the current
        # residents born the same day are not read (the predicate is spelled out in the query as here).
        Index(
            "ix_resident_removed_name",
            "tenant_id",
            "family_name",
            "birth_date",
            postgresql_where=text(REMOVED),
            sqlite_where=text(REMOVED),
        ),  # fmt: skip
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    atena_number: Mapped[str] = mapped_column(String(10))  # 宛名番号 (M11W2-7 check digit)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    household_order: Mapped[int] = mapped_column(Integer, default=1)  # 並び順 (j1010)
    resident_kind: Mapped[str] = mapped_column(String(10))  # japanese / foreign (住民種別)
    status: Mapped[str] = mapped_column(String(12), default="resident")  # resident / moving_out / removed
    history_no: Mapped[int] = mapped_column(Integer, default=0)  # current 履歴番号

    # --- name (氏名) ---
    family_name: Mapped[str | None] = mapped_column(String(100))  # 氏 (kanji); optional for foreigners
    given_name: Mapped[str | None] = mapped_column(String(100))  # 名
    family_name_kana: Mapped[str | None] = mapped_column(String(100))  # フリガナ (katakana, j180)
    given_name_kana: Mapped[str | None] = mapped_column(String(100))
    name_kana_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)  # フリガナ確認フラグ
    name_alphabet: Mapped[str | None] = mapped_column(String(200))  # foreign residents' name in alphabet
    former_surname: Mapped[str | None] = mapped_column(String(100))  # 旧氏
    former_surname_kana: Mapped[str | None] = mapped_column(String(100))
    former_surname_kana_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    alias: Mapped[str | None] = mapped_column(String(200))  # 通称
    alias_kana: Mapped[str | None] = mapped_column(String(200))
    alias_kana_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    alias_recorded_date: Mapped[dt.date | None] = mapped_column(Date)
    alias_recorded_municipality: Mapped[str | None] = mapped_column(String(6))
    alias_deleted_date: Mapped[dt.date | None] = mapped_column(Date)
    alias_deleted_municipality: Mapped[str | None] = mapped_column(String(6))
    name_priority: Mapped[str | None] = mapped_column(String(10))  # 氏名優先区分 (j190): name / alias

    # --- search keys (derived by handlers.rules.kana / handlers.rules.kanji) ---
    kana_key: Mapped[str] = mapped_column(SearchKey, default="")
    given_kana_key: Mapped[str] = mapped_column(SearchKey, default="")
    name_key: Mapped[str] = mapped_column(SearchKey, default="")

    # --- personal items ---
    birth_date: Mapped[dt.date | None] = mapped_column(Date)  # sortable value (None when wholly unknown)
    birth_date_text: Mapped[str | None] = mapped_column(String(60))  # non-calendar / unknown form (j80)
    sex: Mapped[str] = mapped_column(String(1))  # 1 = 男, 2 = 女
    relation_to_head: Mapped[str] = mapped_column(String(40))  # 世帯主との続柄 (j110)
    became_resident_date: Mapped[dt.date | None] = mapped_column(Date)  # 住民となった年月日
    became_resident_date_text: Mapped[str | None] = mapped_column(String(60))
    address_set_date: Mapped[dt.date | None] = mapped_column(Date)  # 住所を定めた年月日
    address_set_date_text: Mapped[str | None] = mapped_column(String(60))
    notified_date: Mapped[dt.date | None] = mapped_column(Date)  # 届出の年月日
    previous_address: Mapped[str | None] = mapped_column(String(200))  # 転入前住所
    previous_address_code: Mapped[str | None] = mapped_column(String(11))
    previous_postal_code: Mapped[str | None] = mapped_column(String(7))
    last_registered_address: Mapped[str | None] = mapped_column(String(200))  # 最終登録住所地
    honseki: Mapped[str | None] = mapped_column(String(200))  # 本籍 ("なし"/"不明" allowed, j120)
    hittosha: Mapped[str | None] = mapped_column(String(100))  # 筆頭者
    my_number: Mapped[str | None] = mapped_column(String(12))  # 個人番号
    resident_code: Mapped[str | None] = mapped_column(String(11))  # 住民票コード
    electoral_registered: Mapped[bool] = mapped_column(Boolean, default=False)  # 選挙人名簿登録
    adult_guardianship: Mapped[bool] = mapped_column(Boolean, default=False)  # 成年被後見人
    card_status: Mapped[str | None] = mapped_column(String(20))  # マイナンバーカード等 交付状況
    signing_certificate_serial: Mapped[str | None] = mapped_column(String(40))  # 署名用電子証明書シリアル番号
    user_certificate_serial: Mapped[str | None] = mapped_column(
        String(40)
    )  # 利用者証明用電子証明書シリアル番号

    # --- insurance, pension, allowance (Act art. 7 items) ---
    nhi: Mapped[bool] = mapped_column(Boolean, default=False)  # 国民健康保険
    nhi_acquired_date: Mapped[dt.date | None] = mapped_column(Date)
    nhi_lost_date: Mapped[dt.date | None] = mapped_column(Date)
    late_elderly: Mapped[bool] = mapped_column(Boolean, default=False)  # 後期高齢者医療
    late_elderly_acquired_date: Mapped[dt.date | None] = mapped_column(Date)
    late_elderly_lost_date: Mapped[dt.date | None] = mapped_column(Date)
    long_term_care: Mapped[bool] = mapped_column(Boolean, default=False)  # 介護保険
    long_term_care_acquired_date: Mapped[dt.date | None] = mapped_column(Date)
    long_term_care_lost_date: Mapped[dt.date | None] = mapped_column(Date)
    national_pension: Mapped[bool] = mapped_column(Boolean, default=False)  # 国民年金
    basic_pension_number: Mapped[str | None] = mapped_column(String(10))  # 基礎年金番号
    pension_kind: Mapped[str | None] = mapped_column(String(10))  # 種別 (1号, 3号, 任意)
    pension_kind_changed_date: Mapped[dt.date | None] = mapped_column(Date)
    pension_acquired_date: Mapped[dt.date | None] = mapped_column(Date)
    pension_lost_date: Mapped[dt.date | None] = mapped_column(Date)
    child_allowance_start: Mapped[str | None] = mapped_column(String(7))  # 児童手当 YYYY-MM
    child_allowance_end: Mapped[str | None] = mapped_column(String(7))

    # --- foreign residents (Act art. 30-45, j20) ---
    nationality: Mapped[str | None] = mapped_column(String(60))  # 国籍・地域
    foreign_resident_date: Mapped[dt.date | None] = mapped_column(Date)  # 外国人住民となった年月日
    foreign_resident_date_text: Mapped[str | None] = mapped_column(String(60))
    old_alien_registration_date: Mapped[dt.date | None] = mapped_column(Date)  # 旧外登法による登録年月日
    foreign_category: Mapped[str | None] = mapped_column(String(30))  # 30条45 区分
    residence_status: Mapped[str | None] = mapped_column(String(60))  # 在留資格
    period_of_stay: Mapped[str | None] = mapped_column(String(30))  # 在留期間
    stay_expiry_date: Mapped[dt.date | None] = mapped_column(Date)  # 在留期間の満了の日
    residence_card_number: Mapped[str | None] = mapped_column(String(12))  # 在留カード番号
    special_permanent_certificate_number: Mapped[str | None] = mapped_column(String(12))
    landing_period: Mapped[str | None] = mapped_column(String(60))  # 上陸期間 (一時庇護許可者)
    provisional_stay_period: Mapped[str | None] = mapped_column(String(60))  # 仮滞在期間
    residence_notified: Mapped[bool | None] = mapped_column(Boolean)  # 住居地の届出の有無
    landing_permit_move_in: Mapped[bool | None] = mapped_column(Boolean)  # 上陸許可証による転入の旨

    # --- removal (除票) items, j50 ---
    removal_reason: Mapped[str | None] = mapped_column(String(40))  # 消除事由 (異動事由 code)
    removal_date: Mapped[dt.date | None] = mapped_column(Date)  # 消除日 / event date
    destination_planned_address: Mapped[str | None] = mapped_column(String(200))  # 転出先住所（予定）
    destination_planned_code: Mapped[str | None] = mapped_column(String(11))
    destination_planned_postal_code: Mapped[str | None] = mapped_column(String(7))
    move_out_planned_date: Mapped[dt.date | None] = mapped_column(Date)  # 転出予定年月日
    destination_confirmed_address: Mapped[str | None] = mapped_column(String(200))  # 転出先住所（確定）
    destination_confirmed_code: Mapped[str | None] = mapped_column(String(11))
    destination_confirmed_postal_code: Mapped[str | None] = mapped_column(String(7))
    move_out_confirmed_date: Mapped[dt.date | None] = mapped_column(Date)  # 転出年月日（確定）
    move_in_notice_date: Mapped[dt.date | None] = mapped_column(Date)  # 転入通知年月日

    remarks: Mapped[str | None] = mapped_column(Text)  # 備考 (統合記載欄 type C)
    version: Mapped[int] = mapped_column(Integer, default=1)

    household: Mapped[Household] = relationship(back_populates="members", foreign_keys=[household_id])
    history: Mapped[list[ResidentHistory]] = relationship(
        back_populates="resident", order_by="ResidentHistory.history_no"
    )

    __mapper_args__ = {"version_id_col": version}


class ResidentHistory(TenantScoped, TimestampMixin, Base):
    """One snapshot of a resident per registered change, keyed by (宛名番号, 履歴番号) (j200)."""

    __tablename__ = "resident_history"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (
        UniqueConstraint("tenant_id", "atena_number", "history_no"),
        Index("ix_resident_history_asof", "tenant_id", "atena_number", "effective_date"),
        Index("ix_resident_history_household", "tenant_id", "household_number", "effective_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="SET NULL"))
    atena_number: Mapped[str] = mapped_column(String(10))
    history_no: Mapped[int] = mapped_column(Integer)  # 履歴番号, 1, 2, 3 …
    change_reason: Mapped[str] = mapped_column(String(40))  # 異動事由 code (handlers.rules.change_reasons)
    change_date: Mapped[dt.date | None] = mapped_column(Date)  # 異動日
    change_date_text: Mapped[str | None] = mapped_column(String(60))
    effective_date: Mapped[dt.date] = mapped_column(Date)  # the date from which this snapshot holds
    processed_date: Mapped[dt.date] = mapped_column(Date)  # 処理日 (always the day of registration)
    notified_date: Mapped[dt.date | None] = mapped_column(Date)  # 届出日
    requested_date: Mapped[dt.date | None] = mapped_column(Date)  # 申出日
    notice_date: Mapped[dt.date | None] = mapped_column(Date)  # 通知日
    claim_date: Mapped[dt.date | None] = mapped_column(Date)  # 請求日
    input_place: Mapped[str | None] = mapped_column(String(60))  # 入力場所
    input_terminal: Mapped[str | None] = mapped_column(String(60))  # 入力端末
    note: Mapped[str | None] = mapped_column(Text)  # the internal note (職権記録書 …), never printed
    caution: Mapped[str | None] = mapped_column(Text)  # 留意事項 (統合記載欄 type B), printed with the line
    caution_items: Mapped[str | None] = mapped_column(String(400))  # the items it concerns, comma-separated
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    case_id: Mapped[int | None] = mapped_column(Integer)  # case that caused it (issue 3)
    # denormalised from the snapshot for as-of queries and statistics
    household_number: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12))
    snapshot: Mapped[dict[str, Any]] = mapped_column(SnapshotType())  # stored compact (models.snapshot)

    resident: Mapped[Resident | None] = relationship(back_populates="history")


class ResidentSearchKey(TenantScoped, Base):
    """A folded search key of a person that ``resident`` has no column for (j340): the 旧氏, the フリガナ of
    旧氏 and 通称 (``former_surname``, ``former_surname_kana``, ``alias_kana``: the current ones), and the
    person's former names and addresses (``past_kana``, ``past_given_kana``, ``past_name``,
    ``past_address``: keys the person had and no longer has).  Written with the history rows
    (``handlers.residents.search_key_rows``); derived, so never exported."""

    __tablename__ = "resident_search_key"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (
        Index("ix_resident_search_key_lookup", "tenant_id", "kind", "key", "atena_number"),
        Index("ix_resident_search_key_person", "tenant_id", "atena_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    atena_number: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(SearchKey)


class ResidentMemo(TenantScoped, TimestampMixin, Base):
    """メモ (j150): free text per person, every edit kept as a new row; never printed."""

    __tablename__ = "resident_memo"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="SET NULL"))
    atena_number: Mapped[str] = mapped_column(String(10), index=True)
    body: Mapped[str] = mapped_column(Text)
    written_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class ResidentRemark(TenantScoped, TimestampMixin, Base):
    """備考 (統合記載欄 type C, j140): one row per entry or edit, the latest in force; kept apart from the
    history and printed after it."""

    __tablename__ = "resident_remark"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (Index("ix_resident_remark_atena", "tenant_id", "atena_number", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    atena_number: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)  # the whole 備考 as it stands after this edit ("" cleared)
    written_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class CautionTemplate(TenantScoped, TimestampMixin, Base):
    """A 留意事項 registered in advance for one 異動事由 (j140), filled in when that change is registered."""

    __tablename__ = "caution_template"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "change_reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    change_reason: Mapped[str] = mapped_column(String(40))  # 異動事由 code
    text: Mapped[str] = mapped_column(Text)
    items: Mapped[str | None] = mapped_column(String(400))  # the items it concerns, comma-separated
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class NumberSequence(TenantScoped, Base):
    """Per-tenant counters for 宛名番号, 世帯番号 and other numbers, locked row by row when issued."""

    __tablename__ = "number_sequence"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    next_value: Mapped[int] = mapped_column(Integer, default=1)
