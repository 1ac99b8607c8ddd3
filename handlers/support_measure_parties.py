"""The persons of a 支援措置 (j160): 申出者, 併せて支援を求める者 and 加害者, validated from plain mappings and
linked to this municipality's residents by 宛名番号."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.errors import Problem
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.rules.digits import ascii_digits
from handlers.rules.kana import fold_kana
from models.resident import Resident
from models.support import SupportMeasureParty

ROLE_LABELS = {"applicant": "申出者", "co_applicant": "併せて支援を求める者", "perpetrator": "加害者"}
TEXT_FIELDS = {
    "name": "氏名",
    "name_kana": "氏名（フリガナ）",
    "alias": "通称",
    "alias_kana": "通称（フリガナ）",
    "address": "住所",
    "honseki": "本籍",
    "previous_honseki": "前本籍等",
    "contact": "連絡先",
    "relation_to_applicant": "申出者との関係",
    "note": "その他",
}
PARTY_FIELDS = {**TEXT_FIELDS, "atena_number": "宛名番号", "birth_date": "生年月日", "sex": "性別",
                "previous_addresses": "前住所等"}  # fmt: skip
SEXES = ("1", "2")


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _birth_date(value: Any, field: str, problems: list[Problem]) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    if not str(value).strip():
        return None
    try:
        return parse_calendar_date(str(value))
    except DateInputError as err:
        problems.append(err.to_problem(field, "生年月日"))
        return None


def _resident_id(
    session: Session, atena_number: str | None, field: str, problems: list[Problem]
) -> int | None:
    if atena_number is None:
        return None
    resident_id = session.scalar(select(Resident.id).where(Resident.atena_number == atena_number))
    if resident_id is None:
        reason = "この市区町村の住民記録にありません"
        remedy = "宛名番号を確認するか、この市区町村の住民でなければ空欄にしてください"
        problems.append(Problem(field, "宛名番号", reason, remedy, "not_found"))
    return resident_id


def _unknown_items(data: Mapping[str, Any], prefix: str, problems: list[Problem]) -> None:
    for key in data:
        if key not in PARTY_FIELDS:
            reason = "支援措置の項目ではありません"
            problems.append(
                Problem(f"{prefix}.{key}", key, reason, "項目名を確認してください", "unknown_item")
            )


def build_party(
    session: Session,
    data: Mapping[str, Any],
    *,
    role: str,
    prefix: str,
    order_no: int,
    problems: list[Problem],
) -> SupportMeasureParty:
    """One party from a mapping of PARTY_FIELDS; problems are appended, never raised here."""
    _unknown_items(data, prefix, problems)
    name = _text(data.get("name"))
    if name is None:
        item = f"{ROLE_LABELS[role]}の氏名"
        problems.append(
            Problem(f"{prefix}.name", item, "入力されていません", "氏名を入力してください", "required")
        )
    sex = _text(data.get("sex"))
    if sex is not None and sex not in SEXES:
        reason = "1（男）または2（女）ではありません"
        problems.append(Problem(f"{prefix}.sex", "性別", reason, "1 か 2 を選んでください", "choice"))
    atena_text = _text(data.get("atena_number"))
    atena_number = ascii_digits(atena_text) if atena_text else None
    texts = {key: _text(data.get(key)) for key in TEXT_FIELDS}
    return SupportMeasureParty(
        role=role,
        order_no=order_no,
        **{**texts, "name": name or ""},
        kana_key=fold_kana(texts["name_kana"] or ""),
        atena_number=atena_number,
        resident_id=_resident_id(session, atena_number, f"{prefix}.atena_number", problems),
        birth_date=_birth_date(data.get("birth_date"), f"{prefix}.birth_date", problems),
        sex=sex,
        previous_addresses=[a for a in (_text(v) for v in data.get("previous_addresses") or []) if a],
    )


def build_parties(
    session: Session,
    applicant: Mapping[str, Any] | None,
    co_applicants: Sequence[Mapping[str, Any]],
    perpetrators: Sequence[Mapping[str, Any]],
    problems: list[Problem],
) -> list[SupportMeasureParty]:
    if not applicant:
        reason, remedy = "入力されていません", "申出者の氏名などを入力してください"
        problems.append(Problem("applicant.name", "申出者", reason, remedy, "required"))
        applicant = {"name": "-"}  # keep validating the others; the problem above blocks the save
    parties = [
        build_party(session, applicant, role="applicant", prefix="applicant", order_no=0, problems=problems)
    ]
    groups = (("co_applicant", "co_applicants", co_applicants), ("perpetrator", "perpetrators", perpetrators))
    for role, key, items in groups:
        for index, data in enumerate(items):
            prefix = f"{key}[{index}]"
            parties.append(
                build_party(session, data, role=role, prefix=prefix, order_no=index + 1, problems=problems)
            )
    return parties


def party_view(party: SupportMeasureParty) -> dict[str, Any]:
    return {
        "role": party.role,
        "role_label": ROLE_LABELS[party.role],
        "atena_number": party.atena_number,
        "resident_linked": party.resident_id is not None,
        **{key: getattr(party, key) for key in TEXT_FIELDS},
        "birth_date": party.birth_date,
        "sex": party.sex,
        "previous_addresses": list(party.previous_addresses or []),
    }
