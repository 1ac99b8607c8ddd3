"""戸籍通知 (j770, j780, j790): a 住民票記載事項通知 from the 本籍地 (Act art. 9(2)), or a 戸籍届出 received here,
updates the items the 戸籍 vouches for — 本籍・筆頭者 (戸籍の表示), the name and its reading (e.g. after a
marriage), 性別, and the 続柄 that follows from it (妻（未届） → 妻) — ex officio.

Intake: ``atena_number``; ``changes`` (only the items above); ``koseki_event`` (the 戸籍 event, e.g. 婚姻,
転籍; optional, written into the 留意事項); ``koseki_date`` (戸籍届出・通知日, default today, never later, j780);
``change_date`` (異動日, default today); the ex-officio items (``ex_officio_record``, ``on_request`` and
``requested_date`` when done on the person's request (j790), ``notify_person``).

The reason is 職権修正; a changed head's name is carried into every member's snapshot (j840).  Rules and
registration are the ex-officio corrections' (``handlers.changes.corrections``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.changes.base import Assessment, RegistrationResult, register_change_type
from handlers.changes.corrections import assess_correction, describe_changes, register_correction
from handlers.errors import Problem
from handlers.residents.parsing import clean_text
from handlers.uow import UnitOfWork

REASON = "ex_officio_correction"
KOSEKI_ITEMS = frozenset(
    {
        "honseki",
        "hittosha",
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "name_kana_confirmed",
        "sex",
        "relation_to_head",
    }
)


def not_from_koseki(changes: Mapping[str, Any]) -> list[Problem]:
    """Items a 戸籍 notice does not vouch for are changed by 職権修正 or a 届出 instead."""
    return [
        Problem(
            f"changes.{key}",
            key,
            "戸籍通知で修正できる項目ではありません",
            "本籍・筆頭者・氏名・性別・続柄以外は職権修正などの該当する異動で修正してください",
            "not_from_koseki",
        )
        for key in changes
        if key.removesuffix("_text") not in KOSEKI_ITEMS
    ]


def household_problems(intake: Mapping[str, Any]) -> list[Problem]:
    if not intake.get("household_changes"):
        return []
    return [
        Problem(
            "household_changes",
            "世帯の住所",
            "戸籍通知で住所は修正できません",
            "住所の修正は職権修正または軽微な修正で行ってください",
            "not_from_koseki",
        )
    ]


class KosekiNotice:
    code = "koseki_notice"
    label = "戸籍通知による記載"
    process_id = "koseki_notice"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        assessment = assess_correction(uow, intake, REASON, koseki=True)
        assessment.problems += not_from_koseki(dict(intake.get("changes") or {}))
        assessment.problems += household_problems(intake)
        assessment.proposal["koseki_event"] = clean_text(intake.get("koseki_event"))
        return assessment

    def describe_changes(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> list[dict[str, Any]]:
        return describe_changes(uow, proposal)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        event = proposal.get("koseki_event")
        note = f"（戸籍通知：{event}、通知日 {proposal['koseki_date']}）" if event else "（戸籍通知）"
        result = register_correction(uow, proposal, extra_note=note)
        result.summary["koseki_event"] = event
        return result


KOSEKI_NOTICE = register_change_type(KosekiNotice())
