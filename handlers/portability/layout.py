"""The standard layout of a tenant export (docs/data-layout.md): one file per register, fixed column order.

Columns come from the models in declaration order, minus the database's own ids; each id that points at
another row is replaced by that row's business key (宛名番号, 世帯番号, the measure's number in the file, a
user's login id), so a file means the same thing in any database.  A model column added later changes the
layout: bump ``LAYOUT_VERSION`` and say so in docs/data-layout.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, String, Text
from sqlalchemy.sql.type_api import TypeEngine

from models.address_dictionary import AddressEntry
from models.audit import AccessLog
from models.certificate import CertificateIssuance
from models.katagaki import Katagaki
from models.removed import RemovedRecordArchive
from models.resident import (
    CautionTemplate,
    Household,
    NumberSequence,
    Resident,
    ResidentHistory,
    ResidentMemo,
    ResidentRemark,
)
from models.support import SupportMeasure, SupportMeasureParty
from models.suppression import Suppression

LAYOUT_NAME = "jumin.tenant"
# 3: フリガナ確認フラグ of 旧氏・通称 (j180), 電子証明書シリアル番号 (j10), 住所辞書 (j250) and 方書 (j260);
# 2: 留意事項 (j140)
LAYOUT_VERSION = 3
NULL_MARKER = "\\N"  # CSV only; a text value that starts with a backslash gets one more (docs/data-layout.md)
KINDS = ("text", "int", "bool", "date", "datetime", "json")
CHECK_DIGIT_COLUMNS = {("residents", "atena_number"), ("households", "household_number")}  # M11W2-7


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # one of KINDS
    nullable: bool
    max_length: int | None = None
    reference: str | None = None  # what a reference column names, e.g. "residents.atena_number"


@dataclass(frozen=True)
class FileSpec:
    name: str  # file stem: residents.csv / residents.jsonl
    title: str  # Japanese name of the register, for reports
    model: type[Any]
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # unique within the file
    order_by_id: bool  # rows in insertion (id) order rather than by key

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _kind(sql_type: TypeEngine[Any]) -> str:
    for python_type, kind in ((Boolean, "bool"), (DateTime, "datetime"), (Date, "date"), (JSON, "json"),
                              (Integer, "int"), (String, "text"), (Text, "text")):  # fmt: skip
        if isinstance(sql_type, python_type):
            return kind
    variant = getattr(sql_type, "impl", None)
    if variant is not None:
        return _kind(variant)
    raise TypeError(f"no layout kind for column type {sql_type!r}")


def model_columns(model: type[Any], skip: tuple[str, ...]) -> tuple[Column, ...]:
    """The model's columns in declaration order, except its id, tenant and ``skip``."""
    columns = []
    for column in model.__table__.columns:
        if column.name in ("id", "tenant_id", *skip):
            continue
        length = getattr(column.type, "length", None)
        columns.append(Column(column.name, _kind(column.type), bool(column.nullable), length))
    return tuple(columns)


def _ref(name: str, reference: str, nullable: bool = True) -> Column:
    kind = "int" if name == "measure_no" else "text"
    return Column(name, kind, nullable, None, reference)


def login_source(name: str) -> str:
    """The model attribute (a user id) a ``*_login`` column stands for: entered_by_login → entered_by."""
    source = name.removesuffix("_login")
    return "user_id" if source == "user" else source


def _login(name: str) -> Column:
    return _ref(name, "users.login_id")


SPECS: tuple[FileSpec, ...] = (
    FileSpec("number_sequences", "採番", NumberSequence, model_columns(NumberSequence, ()), ("name",), False),
    # the dictionary in code order: a 大字 (…000) comes before its 小字; a 小字 names its 大字 by its code
    FileSpec("address_entries", "住所辞書", AddressEntry, model_columns(AddressEntry, ()), ("address_code",), False),
    # 方書 in insertion order: their names sort differently under the databases' collations
    FileSpec("katagaki", "方書", Katagaki, model_columns(Katagaki, ()), ("address_key", "name"), True),
    FileSpec(
        "households", "世帯", Household,
        (*model_columns(Household, ("head_resident_id",)),
         _ref("head_atena_number", "residents.atena_number")),
        ("household_number",), False,
    ),
    FileSpec(
        "residents", "住民（除票を含む）", Resident,
        (_ref("household_number", "households.household_number", False),
         *model_columns(Resident, ("household_id",))),
        ("atena_number",), False,
    ),
    FileSpec("removed_record_archive", "除票（保存庫）", RemovedRecordArchive,
             model_columns(RemovedRecordArchive, ()), ("atena_number",), False),  # fmt: skip
    FileSpec(
        "resident_history", "異動履歴", ResidentHistory,
        (*model_columns(ResidentHistory, ("resident_id", "entered_by")), _login("entered_by_login")),
        ("atena_number", "history_no"), False,
    ),
    FileSpec(
        "resident_memos", "メモ", ResidentMemo,
        (*model_columns(ResidentMemo, ("resident_id", "written_by")), _login("written_by_login")),
        (), True,
    ),
    FileSpec(
        "resident_remarks", "備考（編集の履歴）", ResidentRemark,
        (*model_columns(ResidentRemark, ("written_by",)), _login("written_by_login")),
        (), True,
    ),
    FileSpec(
        "caution_templates", "異動事由ごとの留意事項", CautionTemplate,
        (*model_columns(CautionTemplate, ("updated_by",)), _login("updated_by_login")),
        ("change_reason",), False,
    ),
    FileSpec(
        "support_measures", "支援措置", SupportMeasure,
        (_ref("measure_no", "support_measures.measure_no", False),
         *model_columns(SupportMeasure, ("decided_by",)), _login("decided_by_login")),
        ("measure_no",), True,
    ),
    FileSpec(
        "support_measure_parties", "支援措置の関係者", SupportMeasureParty,
        (_ref("measure_no", "support_measures.measure_no", False),
         *model_columns(SupportMeasureParty, ("measure_id", "resident_id")),
         _ref("resident_atena_number", "residents.atena_number")),
        (), True,
    ),
    FileSpec(
        "suppressions", "抑止", Suppression,
        (*model_columns(Suppression, ("created_by", "released_by")),
         _login("created_by_login"), _login("released_by_login")),
        (), True,
    ),
    FileSpec(
        "certificate_issuances", "交付履歴", CertificateIssuance,
        (*model_columns(CertificateIssuance, ("user_id",)), _login("user_login")),
        ("issue_number",), True,
    ),
    FileSpec("access_log", "アクセスログ", AccessLog, model_columns(AccessLog, ()), ("seq",), False),
)  # fmt: skip

SPEC_BY_NAME = {spec.name: spec for spec in SPECS}


def file_name(spec: FileSpec, fmt: str) -> str:
    return f"{spec.name}.{fmt}"
