"""旧氏の記載・変更・削除 (j70, 令第30条の13–15): on the person's 請求, a Japanese resident's 旧氏 (with its
フリガナ) is recorded, changed to another 旧氏, or deleted; each appends one history row whose reason is the
standard's (旧氏の記載 / 旧氏の変更 / 旧氏の削除) and whose 請求日 is kept (j200).

Intake: ``atena_number``; ``kind`` — ``record`` / ``change`` / ``delete``; ``former_surname`` and
``former_surname_kana`` with its フリガナ確認フラグ ``former_surname_kana_confirmed`` (record, change); ``claim_date`` (請求日, default today, never later); ``change_date``
(default today, never later).

A 旧氏 is a surname the person bore before, so it may not be the current 氏; it can be recorded only when none
is recorded, and changed or deleted only when one is.  At 本登録 住基ネット (CS) gets an ``identity_change``
notice (旧氏 is one of the 本人確認情報).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from handlers.changes.base import Assessment, RegistrationResult, register_change_type
from handlers.changes.name_items import (
    NameRequest,
    assess_name_request,
    describe_name_changes,
    entered_text,
    kana_confirmed,
    register_name_request,
)
from handlers.errors import Problem
from handlers.residents.parsing import clean_text
from handlers.rules.kana import to_katakana
from handlers.uow import UnitOfWork
from models.resident import Resident

REQUEST = NameRequest(
    item="旧氏",
    asked_field="claim_date",
    asked_label="請求日",
    kinds={
        "record": "former_surname_record",  # 旧氏の記載
        "change": "former_surname_change",  # 旧氏の変更
        "delete": "former_surname_delete",  # 旧氏の削除
    },
    resident_kind="japanese",
)


def _problem(reason: str, remedy: str, code: str, field: str = "kind") -> Problem:
    return Problem(field, "旧氏", reason, remedy, code)


def state_problems(resident: Resident, kind: str) -> list[Problem]:
    """記載 needs no 旧氏 recorded yet; 変更 and 削除 need one."""
    if kind == "record" and resident.former_surname:
        return [
            _problem(
                "既に旧氏が記載されています",
                "旧氏の変更または旧氏の削除を選択してください",
                "former_surname_already_recorded",
            )
        ]
    if kind != "record" and not resident.former_surname:
        return [
            _problem("旧氏が記載されていません", "旧氏の記載を選択してください", "former_surname_missing")
        ]
    return []


def _new_surname_problems(resident: Resident, surname: str | None) -> list[Problem]:
    if surname is None:
        return []
    if surname == clean_text(resident.former_surname):
        return [
            _problem("現在の旧氏と同じです", "変更後の旧氏を入力してください", "unchanged", "former_surname")
        ]
    if surname == clean_text(resident.family_name):
        return [
            _problem(
                "現在の氏と同じです",
                "旧氏には、戸籍に記載されている（いた）現在の氏以外の氏を入力してください",
                "same_as_surname",
                "former_surname",
            )
        ]
    return []


def _changes(
    resident: Resident, kind: str, intake: Mapping[str, Any], problems: list[Problem], _when: dt.date | None
) -> dict[str, Any]:
    problems += state_problems(resident, kind)
    if kind == "delete":
        return {"former_surname": None, "former_surname_kana": None, "former_surname_kana_confirmed": False}
    surname = entered_text(intake, "former_surname", "旧氏", problems)
    problems += _new_surname_problems(resident, surname)
    kana = clean_text(intake.get("former_surname_kana"))
    return {
        "former_surname": surname,
        "former_surname_kana": to_katakana(kana) if kana else None,
        "former_surname_kana_confirmed": kana_confirmed(intake, "former_surname_kana_confirmed", kana),
    }


class FormerSurname:
    code = "former_surname"
    label = "旧氏の記載・変更・削除"
    process_id = "former_surname"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        return assess_name_request(uow, REQUEST, intake, _changes)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        return register_name_request(uow, REQUEST, proposal)

    def describe_changes(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> list[dict[str, Any]]:
        return describe_name_changes(uow, proposal)


FORMER_SURNAME = register_change_type(FormerSurname())
