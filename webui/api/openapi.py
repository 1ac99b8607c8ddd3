"""The OpenAPI 3.1 document of the JSON API, written by hand and served at ``GET /api/openapi.json``.

A test checks that every ``/api/`` rule of the app is described here, so an endpoint cannot ship undocumented.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from handlers.residents.search_conditions import BLANK_ITEMS, CONDITIONS, REMOVAL_REASONS
from webui.api import MAX_BODY_BYTES, bp
from webui.input_guard import LARGEST_INTEGER


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "401": _json(_ref("Error"), "認証トークンがない、または無効"),
    "403": _json(_ref("Error"), "権限がない（四つの目の原則による決裁拒否を含む）"),
    "404": _json(_ref("Error"), "見つからない（他の市区町村のデータも同じ）"),
    "409": _json(_ref("Error"), "競合（他の職員が担当中、既に完了 など）"),
    "422": _json(
        _ref("ValidationError"),
        "入力内容の誤り（項目・理由・対処）。本文がJSONのオブジェクトでない、項目の型が違う、"
        "文字列にNUL・対になっていないサロゲートがある、整数が2147483647を超える場合も",
    ),
}
TOO_LARGE = {
    "413": _json(_ref("Error"), f"要求本文が大きすぎる（{MAX_BODY_BYTES // (1024 * 1024)} MiB まで）")
}


def _op(summary: str, ok: dict[str, Any], *, body: str | None = None, params: list[Any] | None = None,
        ok_status: str = "200") -> dict[str, Any]:  # fmt: skip
    operation: dict[str, Any] = {"summary": summary, "responses": {ok_status: ok, **ERRORS}}
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
        operation["responses"].update(TOO_LARGE)
    if params:
        operation["parameters"] = params
    return operation


def _answering(operation: dict[str, Any], status: str, response: dict[str, Any]) -> dict[str, Any]:
    """``operation`` with its own answer for ``status`` instead of the common error's."""
    return {**operation, "responses": {**operation["responses"], status: response}}


def _path_param(name: str, kind: str = "integer") -> dict[str, Any]:
    """A path parameter; an id is a database integer (a larger number matches no route: 404)."""
    schema: dict[str, Any] = {"type": kind}
    if kind == "integer":
        schema.update(minimum=0, maximum=LARGEST_INTEGER)
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query(name: str, kind: str = "string", values: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind, **({"enum": values} if values else {})}
    return {"name": name, "in": "query", "required": False, "schema": schema}


def _array_query(name: str, values: list[str]) -> dict[str, Any]:
    """A repeated (or comma-separated) query parameter of listed values."""
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": True,
            "schema": {"type": "array", "items": {"type": "string", "enum": values}}}  # fmt: skip


# the value conditions of the resident search (handlers.residents.search_conditions), 消除事由 listed apart
SEARCH_PARAMETERS = tuple(name for name in CONDITIONS if name != "removal_reason")


OBJECT = {"type": "object", "additionalProperties": True}

_TEXT, _TEXTS, _NULLABLE = (
    {"type": "string"},
    {"type": "array", "items": {"type": "string"}},
    {"type": ["string", "null"]},
)
# the answers of the resident, household, certificate and 電子申請 doors (the items the handlers return)
ANSWERS: dict[str, Any] = {
    "Me": {"type": "object", "required": ["login_id", "tenant_code", "tenant_name", "roles"],
           "properties": {"login_id": _TEXT, "tenant_code": _TEXT, "tenant_name": _TEXT, "roles": _TEXTS}},
    "ResidentHit": {"type": "object", "required": ["atena_number", "name", "status", "protected"],
                    "properties": {"atena_number": _TEXT, "name": _TEXT, "kana": _NULLABLE, "birth_date": _NULLABLE,
                                   "sex": _NULLABLE, "address": _NULLABLE, "household_number": _NULLABLE,
                                   "resident_kind": _TEXT, "status": _TEXT, "status_label": _TEXT,
                                   "protected": {"type": "boolean"}, "protection_label": _NULLABLE,
                                   "measure_ids": {"type": "array", "items": {"type": "integer"}},
                                   "matched_past": _TEXTS, "past_match_label": _NULLABLE}},
    "ResidentSearch": {"type": "object", "required": ["results", "truncated", "next_after"],
                       "properties": {"results": {"type": "array", "items": _ref("ResidentHit")},
                                      "truncated": {"type": "boolean"},
                                      "next_after": {**_NULLABLE, "description": "次のページ：after に渡す"}}},
    "ResidentRecord": {"type": "object", "required": ["atena_number", "status", "sections", "history"],
                       "description": "住民記録（項目は sections、世帯員・履歴・他業務の登録を含む）",
                       "properties": {"atena_number": _TEXT, "name": _TEXT, "status": _TEXT, "version": {"type": "integer"},
                                      "household_number": _NULLABLE, "as_of": _NULLABLE,
                                      "sections": {"type": "array", "items": OBJECT},
                                      "history": {"type": "array", "items": OBJECT},
                                      "household_members": {"type": "array", "items": OBJECT}}},
    "OtherSystems": {"type": "object", "required": ["atena_number", "systems"],
                     "properties": {"atena_number": _TEXT, "systems": {"type": "array", "items": OBJECT}}},
    "InquiryAccepted": {"type": "object", "required": ["atena_number", "requested"],
                        "properties": {"atena_number": _TEXT, "requested": _TEXTS}},
    "HouseholdRegistered": {"type": "object", "required": ["household_number", "members"], "properties": {
        "household_number": _TEXT, "members": {"type": "array", "items": {
            "type": "object", "required": ["atena_number", "household_order"],
            "properties": {"atena_number": _TEXT, "household_order": {"type": "integer"}}}}}},
    "IssuedCertificate": {"type": "object", "required": ["certificate_type", "issue_numbers", "fee", "pages"],
                          "properties": {"certificate_type": _TEXT, "issue_numbers": _TEXTS, "fee": {"type": "integer"},
                                         "pages": {"type": "integer"}}},
    "EApplicationCase": {"type": "object", "required": ["case_id", "case_number", "status"],
                         "properties": {"case_id": {"type": "integer"}, "case_number": _TEXT, "status": _TEXT}},
}  # fmt: skip

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error", "message"],
              "properties": {"error": {"type": "string"}, "message": {"type": "string"}}},
    "Problem": {"type": "object", "required": ["field", "item", "reason", "remedy", "code", "level", "message"],
                "properties": {k: {"type": "string"} for k in
                               ("field", "item", "reason", "remedy", "code", "level", "message")}},
    "ValidationError": {"type": "object", "required": ["error", "message", "problems"],
                        "properties": {"error": {"const": "validation_failed"}, "message": {"type": "string"},
                                       "problems": {"type": "array", "items": _ref("Problem")}}},
    "CaseRequest": {"type": "object", "required": ["change_type", "intake"],
                    "properties": {"change_type": {"type": "string", "examples": ["move_in"]},
                                   "intake": {**OBJECT, "description": "転入・転居・転出・世帯変更では notifier（届出人：name、kind＝self／same_household／agent、birth_date、atena_number）を含められる。個人番号の異動（my_number_change）は MyNumberChangeIntake"}}},
    "MyNumberChangeIntake": {
        "type": "object", "required": ["atena_number", "kind"],
        "description": "個人番号の異動（j900, j1130）。個人番号は入力しない（入力すると422：generated_by_cs／held_by_cs）。本登録で住基ネット（CS）に変更要求（basis＝claim／ex_officio、generate）を送り、CSの応答の個人番号を記載するまで案件は待機（waiting）",
        "properties": {
            "atena_number": {"type": "string"},
            "kind": {"enum": ["change_request", "ex_officio_change", "ex_officio_correction", "ex_officio_record"],
                     "description": "change_request：変更請求（番号法施行令3条4項、CSが生成）、ex_officio_change：職権による変更（漏えい、施行令4条1項、CSが生成）、ex_officio_correction：職権修正（誤記、CSが保有する番号を応答）、ex_officio_record：職権記載（記載漏れ、同）"},
            "claim_date": {"type": "string", "format": "date", "description": "請求日（変更請求のみ、省略は今日）"},
            "decision_date": {"type": "string", "format": "date", "description": "職権決定日（職権による変更のみ、省略は今日）"},
            "ex_officio_record": {"type": "string", "description": "職権記録書（職権の種類で必須：職権で行う事項と理由）"},
            "on_request": {"type": "boolean"}, "requested_date": {"type": "string", "format": "date"},
            "notify_person": {"type": "boolean", "description": "職権記載等通知書を発行する"},
            "change_date": {"type": "string", "format": "date"}}},
    "Task": {"type": "object", "properties": {
        "id": {"type": "integer"}, "case_id": {"type": "integer"}, "case_number": {"type": "string"},
        "bpmn_id": {"type": "string"}, "name": {"type": "string"}, "role": {"type": ["string", "null"]},
        "state": {"enum": ["ready", "claimed", "completed", "cancelled"]},
        "claimed_by": {"type": ["string", "null"]}, "due_date": {"type": ["string", "null"], "format": "date"}}},
    "Case": {"type": "object", "properties": {
        "id": {"type": "integer"}, "case_number": {"type": "string"}, "change_type": {"type": "string"},
        "status": {"enum": ["running", "waiting", "incident", "completed", "cancelled"]},
        "due_date": {"type": ["string", "null"], "format": "date"},
        "tasks": {"type": "array", "items": _ref("Task")}}},
    "CaseView": {"type": "object", "required": ["case", "tasks", "timeline", "pending_change", "outbox"],
                 "properties": {"case": _ref("Case"), "tasks": {"type": "array", "items": _ref("Task")},
                                "timeline": {"type": "array", "items": OBJECT},
                                "pending_change": {"oneOf": [OBJECT, {"type": "null"}]},
                                "locks": {"type": "array", "items": {"type": "string"}},
                                "outbox": {"type": "array", "items": OBJECT}}},
    "CompleteTask": {"type": "object", "description": "審査タスク: decision/acknowledgements/reason、入力タスク: intake",
                     "properties": {"decision": {"enum": ["approve", "reject"]},
                                    "acknowledgements": {"type": "array", "items": {"type": "string"}},
                                    "reason": {"type": "string"}, "intake": OBJECT}},
    "CsChangeRequest": {"type": "object", "properties": {
        "id": {"type": "integer"}, "case_id": {"type": "integer"}, "request_key": {"type": "string"},
        "status": {"enum": ["queued", "sent", "done", "failed"]}}},
    "EApplication": {"type": "object", "required": ["application", "signature", "certificate"],
                     "description": "application: 署名した申請JSONのBase64、signature: RSA-SHA256署名のBase64、certificate: 署名用電子証明書（PEM）",
                     "properties": {"application": {"type": "string"}, "signature": {"type": "string"},
                                    "certificate": {"type": "string"}}},
    "CancelCase": {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
    "CertificateRequest": {"type": "object", "required": ["certificate_type", "subjects"],
                           "properties": {"certificate_type": {"type": "string", "examples": ["copy_individual"]},
                                          "subjects": {"type": "array", "items": {"type": "string"}},
                                          "whole_household": {"type": "boolean"}, "copies": {"type": "integer"},
                                          "requester_kind": {"type": "string"}, "requester_name": {"type": "string"},
                                          "purpose": {"type": "string"}}},
    "KioskCertificateRequest": {
        "type": "object", "required": ["request_id", "person", "terminal", "document", "scope"],
        "description": "コンビニ交付（j1210）の交付要求。証明書交付センターがカードの利用者証明用電子証明書と暗証番号で本人を確認し、住民票コードに解決したうえで送る（Jumin独自の形式：docs/integration.md）。同じ request_id の再送には同じ応答を返し、二重に交付しない",
        "properties": {"request_id": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,64}$"},
                       "person": {"type": "object", "required": ["resident_code", "card_serial"],
                                  "properties": {"resident_code": {"type": "string", "pattern": "^[0-9]{11}$"},
                                                 "card_serial": {"type": "string", "description": "利用者証明用電子証明書のシリアル番号（英数字40桁以内）"}}},
                       "terminal": {"type": "object", "required": ["code", "name"],
                                    "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
                       "document": {"enum": ["residence_copy", "entry_certificate"]},
                       "scope": {"enum": ["self", "household", "members"]},
                       "members": {"type": "array", "items": {"type": "string"}, "description": "scope＝members：世帯員一覧（POST /api/kiosk/household）の member_ref、または世帯員の住民票コード"},
                       "options": {"type": "object", "description": "head_relation（世帯主・続柄）・honseki（本籍・筆頭者）だけ記載できる。my_number・resident_code・history・special_history・official_use・omit_katagaki を true にすると拒否（option_not_allowed）",
                                   "additionalProperties": {"type": "boolean"}},
                       "copies": {"type": "integer", "minimum": 1, "maximum": 20}}},
    "KioskCertificate": {"type": "object", "properties": {
        "request_id": {"type": "string"}, "outcome": {"const": "issued"}, "document": {"type": "string"},
        "certificate_type": {"type": "string"}, "issue_numbers": {"type": "array", "items": {"type": "string"}},
        "pages": {"type": "integer"}, "copies": {"type": "integer"}, "fee": {"type": "integer"},
        "media_type": {"const": "application/pdf"}, "pdf": {"type": "string", "contentEncoding": "base64"}}},
    "KioskRefusal": {"type": "object", "required": ["error", "message", "request_id", "reason"], "properties": {
        "error": {"const": "kiosk_refused"}, "message": {"type": "string"}, "request_id": {"type": "string"},
        "outcome": {"const": "refused"},
        "reason": {"enum": ["not_offered", "person_not_found", "card_mismatch", "member_not_in_household",
                            "option_not_allowed", "not_issuable", "unavailable"]}}},
    "KioskHouseholdRequest": {
        "type": "object", "required": ["request_id", "person", "terminal"],
        "description": "コンビニ交付（j1210）の世帯員一覧の要求（世帯の一部を選ぶ画面のため）。request_id・person・terminal は交付要求と同じ形式",
        "properties": {"request_id": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,64}$"},
                       "person": {"type": "object", "required": ["resident_code", "card_serial"],
                                  "properties": {"resident_code": {"type": "string", "pattern": "^[0-9]{11}$"},
                                                 "card_serial": {"type": "string"}}},
                       "terminal": {"type": "object", "required": ["code", "name"],
                                    "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}}},
    "KioskHousehold": {
        "type": "object", "required": ["request_id", "outcome", "members"],
        "description": "カード所有者の世帯の現在の世帯員（世帯の順）。氏名・通称と続柄のほかは返さない",
        "properties": {"request_id": {"type": "string"}, "outcome": {"const": "listed"},
                       "members": {"type": "array", "items": {
                           "type": "object", "required": ["member_ref", "name", "alias", "names", "relation"],
                           "additionalProperties": False,
                           "properties": {"member_ref": {"type": "string", "pattern": "^m-[A-Za-z0-9_-]{22}$",
                                                         "description": "交付要求の members に送る参照（このカードでだけ有効。住民票コードではない）"},
                                          "name": {"type": "string", "description": "氏名（証明書の記載のとおり）"},
                                          "alias": {"type": "string", "description": "通称（証明書の記載のとおり。ないときは空文字）"},
                                          "names": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                                                    "description": "画面に表示する氏名と通称の順（氏名優先区分が通称の外国人住民は通称が先。市区町村が氏名優先区分を管理しないときは氏名が先）"},
                                          "relation": {"type": "string", "description": "続柄"}}}}}},
    "KioskAnswerExpired": {"type": "object", "required": ["error", "message", "request_id", "issue_numbers"],
                           "description": "交付済みの要求IDの再送だが、再送用に保存していた証明書PDFは保存時間（選択機能 kiosk_answer_retention_hours、既定24時間）を過ぎて消去済み。二重に交付せず、この要求IDは再利用できない",
                           "properties": {"error": {"const": "answer_expired"}, "message": {"type": "string"},
                                          "request_id": {"type": "string"}, "outcome": {"const": "issued"},
                                          "issue_numbers": {"type": "array", "items": {"type": "string"}}}},
    "InquiryRequest": {"type": "object", "properties": {"systems": {"type": "array", "items": {
        "enum": ["election", "nhi", "late_elderly", "long_term_care", "national_pension", "child_allowance",
                 "card"]}}}},
    "ReceiptNoticeRequest": {"type": "object",
                             "description": "届出人は受付時の記録（intake.notifier）を使う。記録のない案件だけ notifier_name が必須",
                             "properties": {"notifier_name": {"type": "string"},
                                            "notifier_kind": {"enum": ["self", "same_household", "agent"]},
                                            "addressee": {"enum": ["auto", "previous", "new"]},
                                            "notifier_birth_date": {"type": "string"},
                                            "notifier_atena_number": {"type": "string"}}},
    "WideAreaRequest": {"type": "object", "required": ["home_code", "certificate_type", "relation", "requester_name",
                                                       "id_document"],
                        "description": "広域交付（住基法12条の4）の請求。対象者は住民票コード、または氏名・生年月日・住所で指定",
                        "properties": {"home_code": {"type": "string", "description": "住所地の全国地方公共団体コード（6桁）"},
                                       "certificate_type": {"enum": ["copy_individual", "copy_household"]},
                                       "resident_code": {"type": "string"}, "name": {"type": "string"},
                                       "birth_date": {"type": "string"}, "address": {"type": "string"},
                                       "include_head_relation": {"type": "boolean"},
                                       "include_resident_code": {"type": "boolean"},
                                       "relation": {"enum": ["self", "same_household"]},
                                       "requester_name": {"type": "string"}, "requester_birth_date": {"type": "string"},
                                       "id_document": {"enum": ["my_number_card", "juki_card", "driver_license",
                                                                "passport", "residence_card", "other_photo_id"]},
                                       "purpose": {"type": "string"}}},
    "WideAreaStatus": {"type": "object", "description": "広域交付の請求の状態。expired: 回答期限までに住所地から回答がなく失敗として終了（遅れて届いた回答は使わない）",
                       "properties": {"id": {"type": "integer"}, "request_number": {"type": "string"},
                                      "home_code": {"type": "string"}, "certificate_type": {"type": "string"},
                                      "status": {"enum": ["sent", "answered", "refused", "issued", "expired"]},
                                      "status_label": {"type": "string"}, "reason": {"type": ["string", "null"]},
                                      "persons": {"type": "integer"},
                                      "requested_at": {"type": "string", "format": "date-time"},
                                      "answer_due_at": {"type": ["string", "null"], "format": "date-time"},
                                      "answered_at": {"type": ["string", "null"], "format": "date-time"},
                                      "issue_numbers": {"type": "array", "items": {"type": "string"}}}},
    "HouseholdRequest": {"type": "object", "required": ["household", "members", "reason_code", "change_date"],
                         "properties": {"household": OBJECT, "members": {"type": "array", "items": OBJECT},
                                        "reason_code": {"type": "string"}, "change_date": {"type": "string"},
                                        "notified_date": {"type": "string"}, "note": {"type": "string"}}},
    **ANSWERS,
}  # fmt: skip

PATHS: dict[str, Any] = {
    "/api/me": {"get": _op("トークンの利用者・市区町村・役割", _json(_ref("Me"), "利用者"))},
    "/api/openapi.json": {"get": _op("このAPI仕様（OpenAPI 3.1）", _json(OBJECT, "OpenAPI文書"))},
    "/api/residents": {"get": _op("住民検索（基本検索 j340）", _json(_ref("ResidentSearch"), "検索結果"),
                                  params=[*(_query(name) for name in SEARCH_PARAMETERS),
                                          _array_query("blank", sorted(BLANK_ITEMS)),
                                          _query("removal_reason", "string", sorted(REMOVAL_REASONS)),
                                          _query("include_removed", "boolean"), _query("include_past", "boolean"),
                                          _query("after")])},
    "/api/residents/{atena_number}": {"get": _op("住民記録照会", _json(_ref("ResidentRecord"), "住民記録"),
                                                 params=[_path_param("atena_number", "string"), _query("as_of")])},
    "/api/residents/{atena_number}/other-systems": {"get": _op(
        "他業務照会の結果（他システムの最新の登録情報と取得日時）", _json(_ref("OtherSystems"), "他業務の登録情報"),
        params=[_path_param("atena_number", "string")])},
    "/api/residents/{atena_number}/other-systems/inquiries": {"post": _op(
        "他業務照会の依頼（回答は送信キュー経由で届く）", _json(_ref("InquiryAccepted"), "照会した業務"), body="InquiryRequest",
        params=[_path_param("atena_number", "string")], ok_status="202")},
    "/api/households": {"post": _op("世帯の登録", _json(_ref("HouseholdRegistered"), "登録した世帯"), body="HouseholdRequest",
                                    ok_status="201")},
    "/api/certificates": {"post": _op("証明書の交付（発行番号・手数料を返す）", _json(_ref("IssuedCertificate"), "交付した証明書"),
                                      body="CertificateRequest", ok_status="201")},
    "/api/kiosk/certificates": {"post": _answering(_answering(
        _op("コンビニ交付：端末での証明書の交付（PDFをBase64で返す。同じ要求IDの再送は同じ応答）",
            _json(_ref("KioskCertificate"), "交付した証明書"), body="KioskCertificateRequest", ok_status="201"),
        "403", _json({"anyOf": [_ref("KioskRefusal"), _ref("Error")]},
                     "交付できない（KioskRefusal、理由を記録）または権限がない（Error）")),
        "410", _json(_ref("KioskAnswerExpired"), "交付済みの要求IDの再送で、再送用の証明書は保存時間を過ぎて消去済み（二重交付しない）"))},
    "/api/kiosk/household": {"post": _answering(
        _op("コンビニ交付：カード所有者の世帯員一覧（世帯の一部の選択用。参照・氏名・続柄だけ）",
            _json(_ref("KioskHousehold"), "世帯員"), body="KioskHouseholdRequest"),
        "403", _json({"anyOf": [_ref("KioskRefusal"), _ref("Error")]},
                     "一覧を返せない（KioskRefusal：世帯に支援措置・抑止の対象者がいれば not_issuable）または権限がない（Error）"))},
    "/api/e-applications": {"post": _op("電子申請（公的個人認証の署名付き証明書交付請求）の受付", _json(_ref("EApplicationCase"), "開始した交付請求の案件"),
                                        body="EApplication", ok_status="201")},
    "/api/wide-area-requests": {
        "post": _op("広域交付の請求（住所地へ送信）", _json(_ref("WideAreaStatus"), "送信した請求"), body="WideAreaRequest",
                    ok_status="201"),
        "get": _op("広域交付の請求の一覧", _json({"type": "object", "properties": {
            "requests": {"type": "array", "items": _ref("WideAreaStatus")}}}, "請求")),
    },
    "/api/wide-area-requests/{request_id}": {"get": _op("広域交付の請求の状態（回答期限を過ぎたものは失敗として終了）",
                                                        _json(_ref("WideAreaStatus"), "請求"),
                                                        params=[_path_param("request_id")])},
    "/api/wide-area-requests/{request_id}/print": {"post": _op(
        "広域交付の写しの交付（1回だけ。発行番号・手数料を返す）", _json(_ref("IssuedCertificate"), "交付した写し"),
        params=[_path_param("request_id")], ok_status="201")},
    "/api/cases": {"post": _op("異動の受付（仮登録まで）", _json(_ref("Case"), "受付した案件"), body="CaseRequest",
                               ok_status="201")},
    "/api/cases/{case_id}": {"get": _op("案件照会", _json(_ref("CaseView"), "案件"), params=[_path_param("case_id")])},
    "/api/cases/{case_id}/cancel": {"post": _op("案件の取消", _json(_ref("Case"), "取り消した案件"),
                                                body="CancelCase", params=[_path_param("case_id")])},
    "/api/cases/{case_id}/retry": {"post": _op("エラー停止した案件の再実行（停止した処理から続ける）",
                                               _json(_ref("Case"), "再実行した案件（再び停止すればstatusはincident）"),
                                               params=[_path_param("case_id")])},
    "/api/cases/{case_id}/my-number/ask-again": {"post": _op(
        "個人番号の変更要求の再要求（前回の変更要求にCSがエラーを返し、案件が待機中のときだけ）",
        _json(_ref("CsChangeRequest"), "新しい変更要求（送信待ち）"), params=[_path_param("case_id")], ok_status="201")},
    "/api/cases/{case_id}/receipt-notice": {"post": _op(
        "住民異動届受理通知の出力（PDF）",
        {"description": "受理通知のPDF（X-Addressed-To: previous／new）",
         "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
        body="ReceiptNoticeRequest", params=[_path_param("case_id")])},
    "/api/tasks": {"get": _op("タスク一覧", _json({"type": "object", "properties": {
        "tasks": {"type": "array", "items": _ref("Task")}}}, "タスク"),
        params=[_query("role"), _query("state"), _query("mine")])},
    "/api/tasks/{task_id}/claim": {"post": _op("タスクの引受け", _json(_ref("Task"), "引き受けたタスク"),
                                               params=[_path_param("task_id")])},
    "/api/tasks/{task_id}/complete": {"post": _op("タスクの完了（決裁・差戻し・再入力）", _json(_ref("Case"), "案件"),
                                                  body="CompleteTask", params=[_path_param("task_id")])},
}  # fmt: skip

# an inquiry without a body asks every configured system
PATHS["/api/residents/{atena_number}/other-systems/inquiries"]["post"]["requestBody"]["required"] = False

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Jumin API", "version": "1.0.0", "description": "住民記録システム Jumin のJSON API"},
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
    "security": [{"bearer": []}],
    "paths": PATHS,
}


@bp.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(DOCUMENT)
