"""軽微な修正 (j850, 規則第11条第3項第2号): a correction of one of the kinds the rule lists, chosen at intake
(``minor_category``) and kept in the history row's 留意事項."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.changes.base import Assessment, RegistrationResult, register_change_type
from handlers.changes.corrections import assess_correction, describe_changes, register_correction
from handlers.errors import Problem
from handlers.uow import UnitOfWork

MINOR_CATEGORIES = {
    "common_characters": "常用平易な文字への変更に伴う氏名又は住所の修正",
    "character_identification": "文字の同定に伴う氏名又は住所の修正",
    "area_renamed": "行政区画、郡、区、町若しくは字又はその名称の変更に伴う住所の修正",
    "lot_number_changed": "地番の変更に伴う住所の修正",
    "residence_indication": "住居表示の実施又は変更に伴う住所の修正",
    "building_name": "建築物の名称又は建物の賃貸人の変更に伴う住所の修正",
    "minister_approved": "その他総務大臣が適当と認めるものに伴う氏名又は住所の修正",
}


def category_problems(category: Any) -> list[Problem]:
    if category in MINOR_CATEGORIES:
        return []
    return [
        Problem(
            "minor_category",
            "軽微な修正の区分",
            "規則に定める軽微な修正の区分ではありません",
            "軽微な修正の区分を一覧から選択してください（該当しない場合は職権修正で行ってください）",
            "minor_category",
        )
    ]


class MinorCorrection:
    code = "minor_correction"
    label = "軽微な修正"
    process_id = "minor_correction"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        assessment = assess_correction(uow, intake, "minor_correction")
        assessment.problems.extend(category_problems(intake.get("minor_category")))
        assessment.proposal["minor_category"] = intake.get("minor_category")
        return assessment

    def describe_changes(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> list[dict[str, Any]]:
        return describe_changes(uow, proposal)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        label = MINOR_CATEGORIES[str(proposal["minor_category"])]
        return register_correction(uow, proposal, extra_note=f"（軽微な修正：{label}）")


MINOR_CORRECTION = register_change_type(MinorCorrection())
