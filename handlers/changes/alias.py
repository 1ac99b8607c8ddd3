"""通称の記載・削除 (j70, 令第30条の16): on the 申出 of a foreign resident, a 通称 (with its フリガナ) is recorded
or deleted; each appends one history row whose reason is the standard's (通称の記載 / 通称の削除) and whose 申出日
is kept (j200).

Intake: ``atena_number``; ``kind`` — ``record`` / ``delete``; ``alias`` and ``alias_kana`` with its
フリガナ確認フラグ ``alias_kana_confirmed`` (record); ``requested_date`` (申出日, default today, never later);
``change_date`` (default today, never later).

The record keeps when and where the 通称 was recorded and deleted (j20): 記載 sets 通称を記載した年月日 and
市区町村 (this municipality) and clears the deletion items; 削除 sets 通称を削除した年月日 and 市区町村 and keeps
those of the deleted 通称.  One 通称 at a time: a second one is recorded only after the first is deleted.  A
person whose 氏名優先区分 (j190) was the 通称 goes back to the 氏名 when it is deleted.
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
from models.tenant import Municipality

REQUEST = NameRequest(
    item="通称",
    asked_field="requested_date",
    asked_label="申出日",
    kinds={"record": "alias_record", "delete": "alias_delete"},  # 通称の記載 / 通称の削除
    resident_kind="foreign",
)


def state_problems(resident: Resident, kind: str) -> list[Problem]:
    """記載 needs no 通称 recorded (one at a time); 削除 needs one."""
    if kind == "record" and resident.alias:
        return [
            Problem(
                "kind", "通称", "既に通称が記載されています",
                "通称を改める場合は、先に通称の削除を行ってください", "alias_already_recorded",
            )
        ]  # fmt: skip
    if kind == "delete" and not resident.alias:
        return [
            Problem("kind", "通称", "通称が記載されていません", "対象者を確認してください", "alias_missing")
        ]
    return []


def _municipality_code(resident: Resident, uow_session: Any) -> str:
    municipality = uow_session.get(Municipality, resident.tenant_id)
    return str(municipality.code) if municipality is not None else ""


def changes_for(
    resident: Resident,
    kind: str,
    intake: Mapping[str, Any],
    problems: list[Problem],
    when: dt.date | None,
    municipality_code: str,
) -> dict[str, Any]:
    problems += state_problems(resident, kind)
    if kind == "delete":
        changes: dict[str, Any] = {
            "alias": None,
            "alias_kana": None,
            "alias_kana_confirmed": False,
            "alias_deleted_date": when,
            "alias_deleted_municipality": municipality_code,
        }
        if resident.name_priority == "alias":
            changes["name_priority"] = "name"
        return changes
    alias = entered_text(intake, "alias", "通称", problems)
    kana = clean_text(intake.get("alias_kana"))
    return {
        "alias": alias,
        "alias_kana": to_katakana(kana) if kana else None,
        "alias_kana_confirmed": kana_confirmed(intake, "alias_kana_confirmed", kana),
        "alias_recorded_date": when,
        "alias_recorded_municipality": municipality_code,
        "alias_deleted_date": None,
        "alias_deleted_municipality": None,
    }


class Alias:
    code = "alias"
    label = "通称の記載・削除"
    process_id = "alias"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        def changes_of(
            resident: Resident,
            kind: str,
            entered: Mapping[str, Any],
            problems: list[Problem],
            when: dt.date | None,
        ) -> dict[str, Any]:
            code = _municipality_code(resident, uow.session)
            return changes_for(resident, kind, entered, problems, when, code)

        return assess_name_request(uow, REQUEST, intake, changes_of)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        return register_name_request(uow, REQUEST, proposal)

    def describe_changes(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> list[dict[str, Any]]:
        return describe_name_changes(uow, proposal)


ALIAS = register_change_type(Alias())
