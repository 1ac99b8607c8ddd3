"""証明書交付請求 (certificate request) as a case: the request is taken at the counter, the disclosure check
decides, and an allowed request gives the clerk the issuance task (``issue_certificate``, filled by the
certificates work); a refused one ends with the refusal recorded in the case and the access log.

The disclosure check here applies the rules that are certain: a request whose subjects include a person under a
support measure (支援措置, j440) is refused (``support_measure``) until the support officer releases it; a third
party (住基法12条の3) never gets 個人番号 or 住民票コード.  It changes no record, so it is not a change type: it
starts ``workflows/certificate_request.bpmn`` directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from handlers.audit import record_access
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.residents.lookup import find_resident
from handlers.rules.disclosure import REQUESTER_KINDS
from handlers.support_measures import protected_atena_numbers
from handlers.uow import UnitOfWork
from models.case import Case
from workflows.engine import runner
from workflows.engine.registry import ServiceContext, register

PROCESS_ID = "certificate_request"
# The codes of handlers/certificates/catalog.py for the certificates a counter request may ask for.
CERTIFICATE_TYPES = {
    "copy_individual": "住民票の写し（個人票）",
    "copy_household": "住民票の写し（世帯連記式）",
    "entry_certificate": "住民票記載事項証明書",
    "removed_copy": "住民票の除票の写し",
    "removed_entry_certificate": "住民票除票記載事項証明書",
}
OPTIONS = {  # printed only when asked (j1000)
    "include_head_relation": "世帯主・続柄",
    "include_honseki": "本籍・筆頭者",
    "include_resident_code": "住民票コード",
    "include_my_number": "個人番号",
}
THIRD_PARTY_REFUSED = ("include_my_number", "include_resident_code")
PURPOSE_REQUIRED = frozenset({"third_party", "official"})  # 請求事由 must be stated (12条の3, 12条の2)
MAX_COPIES = 20


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason_code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _problem(field: str, item: str, reason: str, remedy: str, code: str) -> Problem:
    return Problem(field, item, reason, remedy, code)


def _subject_problems(uow: UnitOfWork, subjects: list[str]) -> list[Problem]:
    if not subjects:
        return [
            _problem("subjects", "交付対象者", "指定されていません", "宛名番号を入力してください", "required")
        ]
    problems = []
    for atena_number in subjects:
        try:
            find_resident(uow.session, atena_number)
        except NotFoundError as err:
            problems.append(
                _problem("subjects", "交付対象者", str(err), "宛名番号を確認してください", "not_found")
            )
    return problems


def _choice_problems(request: Mapping[str, Any]) -> list[Problem]:
    problems = []
    if request.get("requester_kind") not in REQUESTER_KINDS:
        problems.append(
            _problem(
                "requester_kind", "請求者の区分", "選択されていません", "区分を選んでください", "required"
            )
        )
    if request.get("certificate_type") not in CERTIFICATE_TYPES:
        problems.append(
            _problem(
                "certificate_type", "証明書の種別", "選択されていません", "種別を選んでください", "required"
            )
        )
    unknown = sorted(set(request.get("options") or ()) - set(OPTIONS))
    if unknown:
        reason = f"指定できない記載事項です（{', '.join(unknown)}）"
        problems.append(_problem("options", "記載事項", reason, "記載事項を選び直してください", "invalid"))
    if not str((request.get("requester") or {}).get("name") or "").strip():
        problems.append(
            _problem(
                "requester",
                "請求者の氏名",
                "入力されていません",
                "請求者の氏名を入力してください",
                "required",
            )
        )
    if request.get("requester_kind") in PURPOSE_REQUIRED and not str(request.get("purpose") or "").strip():
        problems.append(
            _problem(
                "purpose",
                "請求事由",
                "入力されていません",
                "請求事由（使用目的）を入力してください",
                "required",
            )
        )
    return problems  # fmt: skip


def normalized_request(uow: UnitOfWork, request: Mapping[str, Any]) -> dict[str, Any]:
    """The request as the case keeps it; every problem refuses it before a case is opened."""
    subjects = [str(s).strip() for s in request.get("subjects") or () if str(s).strip()]
    problems = _choice_problems(request) + _subject_problems(uow, subjects)
    copies = request.get("copies", 1)
    if not (isinstance(copies, int) and 1 <= copies <= MAX_COPIES):
        reason = f"1から{MAX_COPIES}までで指定してください"
        problems.append(_problem("copies", "通数", reason, "通数を直してください", "range"))
    if problems:
        raise ValidationError(problems)
    requester = request.get("requester") or {}
    return {
        "requester_kind": request["requester_kind"],
        "requester": {k: str(v) for k, v in requester.items() if v is not None},
        "subjects": subjects,
        "certificate_type": request["certificate_type"],
        "options": sorted(set(request.get("options") or ())),
        "purpose": str(request.get("purpose") or "").strip(),
        "copies": copies,
    }


def _decide(uow: UnitOfWork, request: Mapping[str, Any]) -> Decision:
    if protected_atena_numbers(uow.session, list(request["subjects"])):
        return Decision(
            False,
            "support_measure",
            "交付対象者に支援措置の対象者が含まれるため交付できません。支援措置責任者の確認が必要です。",
        )
    asked = set(request.get("options") or ())
    if request["requester_kind"] == "third_party" and asked & set(THIRD_PARTY_REFUSED):
        return Decision(
            False,
            "third_party_restricted_item",
            "第三者からの請求には個人番号・住民票コードを記載した証明書を交付できません。",
        )
    return Decision(True, "allowed", "交付できます。")


def check_certificate_request(uow: UnitOfWork, request: Mapping[str, Any]) -> Decision:
    """The disclosure decision for a (normalized) request, logged with the persons it concerns."""
    decision = _decide(uow, request)
    record_access(
        uow,
        "certificate_request_decided",
        "print" if decision.allowed else "view",
        list(request["subjects"]),
        detail={
            "allowed": decision.allowed,
            "reason_code": decision.reason_code,
            "requester_kind": request["requester_kind"],
            "certificate_type": request["certificate_type"],
            "options": list(request.get("options") or ()),
        },
    )
    return decision


@register("certificate_request.check_disclosure")
def check_disclosure(ctx: ServiceContext, **_params: Any) -> dict[str, Any]:
    """Service task of certificate_request.bpmn: the decision becomes the case's ``disclosure`` variable."""
    return check_certificate_request(ctx.uow, ctx.data["request"]).to_json()


def open_certificate_request(uow: UnitOfWork, request: Mapping[str, Any]) -> Case:
    """受付: check the request, open its case and run the disclosure check; an allowed request waits for the
    clerk's issuance task, a refused one is closed with the refusal."""
    require(uow.actor, "certificate.issue")
    normalized = normalized_request(uow, request)
    return runner.start_case(uow, PROCESS_ID, data={"request": normalized}, subjects=normalized["subjects"])
