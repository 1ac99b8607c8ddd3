"""One catalogue of the Japanese names the screens show for the codes the handlers store (状態, 種類, 送信先 …).

A page never shows a stored code: it asks ``label(code, family)`` (the Jinja filter ``label``) or, for an outbox
destination, ``destination_label``.  A family's labels live in one place: the ones no handler needed before are
defined here; a handler module that already had its own dict (``relay_inbox.STATUS_LABELS`` …) keeps it and is
listed in ``families()``, which imports it only when first asked (those modules import this one).  A code the
family does not know reads as itself, never an error; ``tests/unit/test_labels.py`` proves every code a
handler can write has its label.  The JSON API keeps the codes.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from functools import cache

from handlers.integration.pf_file import PLATFORM_PREFIX
from handlers.integration.subscribers import SUBSCRIBER_PREFIX
from handlers.other_systems.catalog import INQUIRY_PREFIX, PF_UNITS, SYSTEMS
from handlers.rules.move_out import municipality

CASE_STATUS = {"running": "処理中", "waiting": "待機中", "incident": "エラー停止", "completed": "完了",
               "cancelled": "取消"}  # fmt: skip
CASE_EVENT = {
    "started": "開始", "task_claimed": "担当", "task_unclaimed": "担当解除", "task_assigned": "割り当て",
    "task_completed": "完了", "rejected": "差戻し", "incident": "エラー停止", "retried": "再実行", "cancelled": "取消",
    "timer_fired": "期限通知", "completed": "案件完了", "migrated": "新しい版への移行",
    "migration_reverted": "版の移行の取消",
}  # fmt: skip
PENDING_CHANGE_STATUS = {"provisional": "仮登録（審査待ち）", "registered": "本登録済み", "rejected": "差戻し",
                         "cancelled": "取消"}  # fmt: skip
OUTBOX_STATUS = {"pending": "送信待ち", "sent": "送信済み", "dead": "送信失敗（要対応）"}
# the kind of a message sent through the outbox or received from another system (docs/integration.md)
MESSAGE_KIND = {
    "identity_change": "異動の通知（本人確認情報の更新）",
    "household_change": "世帯の変更の通知",
    "move_in_notice": "転入通知",
    "move_out_certificate_info": "転出証明書情報",
    "municipality_notice": "市町村通知（出入国在留管理庁へ）",
    "my_number_request": "個人番号変更要求",
    "my_number_generation": "個人番号生成要求",
    "my_number_change": "個人番号変更要求",
    "my_number_result": "個人番号の生成・変更の応答",
    "certificate_serial": "シリアル番号取得要求",
    "certificate_serial_result": "シリアル番号取得要求の応答",
    "card_destination": "送付先情報",
    "card_destination_targets": "送付先情報の更新対象者",
    "code_request": "符号取得要求",
    "code_result": "符号取得要求の応答",
    "identity_extract": "本人確認情報（整合性確認用）",
    "operating_status": "CSの稼働状況",
    "immigration_notice": "出入国在留管理庁長官通知（法第30条の50）",
    "card_status": "個人番号カード等の発行状況",
    "support_measure_provisional": "仮支援措置の開始の通知",
    "support_measure_in_force": "支援措置の開始の通知",
    "support_measure_terminated": "支援措置の終了の通知",
    "support_measure_switched": "支援措置の切替（旧住所の仮支援）の通知",
    "suppression_set": "個別抑止の設定の通知",
    "suppression_released": "個別抑止の解除の通知",
    "full_extract": "全件データ（宛名連携）",
    "batch": "まとめ送信",
    "registration_inquiry": "他業務照会",
    "pf_receipt": "受領通知（地域情報プラットフォーム）",
    "koseki_notice": "戸籍の届出の通知（地域情報プラットフォーム）",
    "registration": "資格の登録の通知（地域情報プラットフォーム）",
    "wide_area_request": "広域交付の請求",
    "wide_area_answer": "広域交付の回答",
}
# a document issued at 交付 after 本登録 (RegistrationResult.documents)
ISSUED_DOCUMENT = {
    "resident_code_notice": "住民票コード通知票",
    "resident_code_change_notice": "住民票コード変更通知票",
    "resident_code_correction_notice": "住民票コード修正通知票",
    "adult_ward_notice": "成年被後見人転出通知書（転出先市区町村へ）",
    "move_out_certificate": "転出証明書",
    "move_out_certificate_equivalent": "転出証明書に準ずる証明書",
    "ex_officio_notice": "職権記載等通知書",
    "head_change_notice": "世帯主変更通知書",
    "head_change_request_notice": "世帯主変更依頼通知書",
    "residence_card_endorsement": "在留カードへの住居地の記載（裏面）",
}
MIGRATION_JOB_STATUS = {"queued": "開始待ち", "running": "移行中", "finished": "完了", "failed": "異常終了"}
EXTRACTION_JOB_STATUS = {"queued": "待機中", "running": "実行中", "done": "完了", "failed": "異常終了"}
BATCH_RUN_STATUS = {"running": "実行中", "succeeded": "正常終了", "failed": "異常終了"}
BATCH_TRIGGER = {"manual": "手動", "schedule": "スケジュール"}
KOSEKI_NOTICE_STATUS = {"pending": "未処理", "applied": "反映済", "rejected": "取込不可"}
# the BPMN tag of a flow element, as the flow editor's difference table names it
BPMN_ELEMENT = {
    "startEvent": "開始イベント", "endEvent": "終了イベント", "userTask": "ユーザータスク（職員の作業）",
    "serviceTask": "サービスタスク（自動処理）", "scriptTask": "スクリプトタスク", "manualTask": "手作業タスク",
    "task": "タスク", "exclusiveGateway": "排他ゲートウェイ（分岐）", "parallelGateway": "並列ゲートウェイ",
    "inclusiveGateway": "包含ゲートウェイ", "eventBasedGateway": "イベントベースゲートウェイ",
    "boundaryEvent": "境界イベント", "intermediateCatchEvent": "中間イベント（待機・タイマー）",
    "intermediateThrowEvent": "中間イベント（送出）", "callActivity": "呼出しアクティビティ",
    "subProcess": "サブプロセス", "sequenceFlow": "シーケンスフロー（流れ）", "lane": "レーン（担当）",
}  # fmt: skip
CSV_ENCODING = {"utf-8-sig": "UTF-8（BOM付き）", "utf-8": "UTF-8", "cp932": "Shift_JIS"}  # as read (j1430)
# who did it, when it was no person (Actor.system): a flow deployed by its first case, a step run by the engine
ACTOR = {"system": "システム（自動処理）", "scheduler": "スケジューラ（自動実行）"}
BULK_ADDRESS_STATUS = {"provisional": "仮処理（確認待ち）", "final": "本処理済み"}

DESTINATION = {
    "cs": "住基ネット CS",
    "addressee": "団体内統合宛名",
    "koseki_fuhyo": "戸籍附票システム",
    "immigration": "出入国在留管理庁（市町村通知）",
    "kiosk": "コンビニ交付",
    "municipality:*": "他市区町村（中継・全団体）",
}
MUNICIPALITY_PREFIX = "municipality:"

# family → (module, attribute) of a handler's own dict, imported on first use
_ELSEWHERE = {
    "task_state": ("handlers.cases.queues", "STATE_LABELS"),
    "notifier_kind": ("handlers.cases.notifier", "NOTIFIER_KINDS"),
    "relay_status": ("handlers.relay_inbox", "STATUS_LABELS"),
    "immigration_notice_status": ("handlers.immigration_notices", "STATUS_LABELS"),
    "wide_area_status": ("handlers.wide_area", "STATUS_LABELS"),
    "support_measure_status": ("handlers.support_measures", "STATUS_LABELS"),
    "csv_intake_status": ("handlers.csv_intake.results", "STATUS_LABELS"),
    "csv_intake_kind": ("handlers.csv_intake.layouts", "KIND_LABELS"),
    "pf_receipt_status": ("handlers.other_systems.platform_receipts", "STATUS_LABELS"),
    "person_request_kind": ("handlers.juki_net.person_requests", "KIND_LABELS"),
    "person_request_status": ("handlers.juki_net.person_requests", "STATUS_LABELS"),
    "code_request_status": ("handlers.juki_net.code_requests", "STATUS_LABELS"),
    "resident_status": ("handlers.residents.items", "STATUS_LABELS"),
    "resident_kind": ("handlers.residents.items", "KIND_LABELS"),
    "destination_kind": ("handlers.destination_settings", "KIND_LABELS"),
    "subscription": ("handlers.destination_settings", "SUBSCRIPTION_LABELS"),
    "batch_frequency": ("handlers.batches.schedule", "FREQUENCIES"),
    "cs_mismatch_kind": ("handlers.juki_net.consistency", "KIND_LABELS"),
    "card_destination_trigger": ("handlers.juki_net.card_notices", "TRIGGER_LABELS"),
    "input_place_kind": ("handlers.input_places", "KIND_LABELS"),
    "katagaki_kind": ("handlers.katagaki", "KIND_LABELS"),
    "suppression_process": ("handlers.suppression_controls", "PROCESS_LABELS"),
    "suppression_level": ("handlers.suppression_controls", "LEVEL_LABELS"),
}


@cache
def families() -> dict[str, Mapping[str, str]]:
    """Every family of codes and its labels."""
    here: dict[str, Mapping[str, str]] = {
        "case_status": CASE_STATUS, "case_event": CASE_EVENT, "pending_change_status": PENDING_CHANGE_STATUS,
        "outbox_status": OUTBOX_STATUS, "message_kind": MESSAGE_KIND, "issued_document": ISSUED_DOCUMENT,
        "migration_job_status": MIGRATION_JOB_STATUS, "extraction_job_status": EXTRACTION_JOB_STATUS,
        "batch_run_status": BATCH_RUN_STATUS, "batch_trigger": BATCH_TRIGGER,
        "koseki_notice_status": KOSEKI_NOTICE_STATUS, "bulk_address_status": BULK_ADDRESS_STATUS,
        "bpmn_element": BPMN_ELEMENT, "actor": ACTOR, "csv_encoding": CSV_ENCODING,
    }  # fmt: skip
    for family, (module, attribute) in _ELSEWHERE.items():
        here[family] = getattr(importlib.import_module(module), attribute)
    return here


def label(code: str | None, family: str) -> str:
    """The Japanese name of ``code`` in ``family``; the code itself when the family does not know it, "" for
    none.  An unknown family is a programming error (KeyError)."""
    if code is None:
        return ""
    return families()[family].get(code, code)


def _known_system(name: str) -> str:
    """A subscriber's name read as the system of that name (国民健康保険 for ``nhi``) when it is one we know."""
    if name in SYSTEMS:
        return SYSTEMS[name].label
    return PF_UNITS.get(name, name)


def destination_label(destination: str | None, names: Mapping[str, str] | None = None) -> str:
    """An outbox destination as the clerk reads it: ``municipality:141003`` → 他市区町村（神奈川県横浜市）,
    ``subscriber:nhi`` → 宛名連携先「国民健康保険」, a subscriber by the display name the administrator gave it in
    ``names`` (``destination_settings.destination_names``); an unknown destination reads as itself."""
    if not destination:
        return ""
    if destination.startswith(SUBSCRIBER_PREFIX) and names and names.get(destination):
        return f"宛名連携先「{names[destination]}」"
    if destination in DESTINATION:
        return DESTINATION[destination]
    rest = destination.partition(":")[2]
    if destination.startswith(MUNICIPALITY_PREFIX):
        found = municipality(rest)
        return f"他市区町村（{found.name if found else rest}）"
    if destination.startswith(SUBSCRIBER_PREFIX):
        return f"宛名連携先「{_known_system(rest)}」"
    if destination.startswith(INQUIRY_PREFIX) and rest in SYSTEMS:
        return f"他業務照会「{SYSTEMS[rest].label}」"
    if destination.startswith(PLATFORM_PREFIX) and rest in PF_UNITS:
        return f"地域情報PF「{PF_UNITS[rest]}」ユニット"
    return destination


def subject_label(subject: str | None, names: Mapping[str, str] | None = None) -> str:
    """Whom a row of a change's difference concerns (``resident:<宛名番号>``, ``household:new``, ``new:2``); a
    registered person by 氏名 and 宛名番号 when ``names`` (宛名番号 → 氏名) knows them."""
    kind, _, key = (subject or "").partition(":")
    if kind == "resident":
        name = (names or {}).get(key)
        return f"{name}（宛名番号 {key}）" if name else f"宛名番号 {key}"
    if kind == "household":
        return "新しい世帯" if key == "new" else f"世帯番号 {key}"
    if kind == "new":
        return f"新しく記載する人（{key}人目）"
    return subject or "変更内容"


def label_choices(family: str) -> list[tuple[str, str]]:
    """(code, label) of every code of ``family``, for a select."""
    return list(families()[family].items())
