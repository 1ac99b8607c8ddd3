"""証明書交付請求 (certificate request) as a case: the request is taken at the counter, the disclosure check
decides, and an allowed request gives the clerk the issuance task (``issue_certificate``, filled by the
certificates work); a refused one ends with the refusal recorded in the case and the access log.

The disclosure check is the ONE decision, ``handlers.suppression.check_disclosure`` (j410, j440; 住基法12条の3):
a perpetrator is refused whoever they claim to act for; a request whose scope includes a protected person ends
refused with ``needs_release`` until the support-measure officer releases exactly that request (the clerk asks
with ``request_certificate_release``).  The flow's check only decides; the release is used up when the
clerk's issuance task (``issue_requested_certificate``) actually prints the copy, so an identical request
after that needs a new release.  It changes no
record, so it is not a change type: it starts ``workflows/certificate_request.bpmn`` directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from handlers.audit import record_access
from handlers.certificates.catalog import TYPES
from handlers.certificates.issuance import IssuedCertificate, issue_certificate, printed_subjects
from handlers.certificates.issuance import disclosure_request as certificate_disclosure_request
from handlers.certificates.options import request_from_case
from handlers.clock import japan_today
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.residents.lookup import find_resident
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.rules.disclosure import REQUESTER_KINDS, DisclosureRequest
from handlers.suppression import check_disclosure as decide_disclosure
from handlers.suppression_controls import request_release
from handlers.uow import UnitOfWork
from models.case import Case, CaseTask
from workflows.engine import runner
from workflows.engine.registry import ServiceContext, register

PROCESS_ID = "certificate_request"
ISSUE_TASK = "issue_certificate"
# The certificates a counter request may ask for, by their handlers/certificates/catalog.py code.
COUNTER_TYPES = ("copy_individual", "copy_household", "entry_certificate", "removed_copy",
                 "removed_entry_certificate")  # fmt: skip
CERTIFICATE_TYPES = {code: TYPES[code].label for code in COUNTER_TYPES}
IDENTITY_KEYS = ("atena_number", "name", "kana", "birth_date")
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
    reason_code: str  # ok / released / needs_release / perpetrator / restricted_item / suppressed / …
    message: str
    alerts: tuple[Problem, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "reason_code": self.reason_code, "message": self.message,
                "alerts": [a.to_json() for a in self.alerts]}  # fmt: skip


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


def _identity_fields(
    value: Any, field_name: str, item: str, problems: list[Problem]
) -> dict[str, str] | None:
    """A stated person (requester or the person acted for) as plain strings; 生年月日 checked and kept ISO."""
    if not isinstance(value, Mapping):
        return None
    found = {k: str(value[k]).strip() for k in IDENTITY_KEYS if value.get(k) not in (None, "")}
    if found.get("birth_date"):
        try:
            found["birth_date"] = parse_calendar_date(found["birth_date"]).isoformat()
        except DateInputError as err:
            problems.append(err.to_problem(f"{field_name}.birth_date", f"{item}の生年月日"))
    return found or None


def normalized_request(uow: UnitOfWork, request: Mapping[str, Any]) -> dict[str, Any]:
    """The request as the case keeps it; every problem refuses it before a case is opened."""
    subjects = [str(s).strip() for s in request.get("subjects") or () if str(s).strip()]
    problems = _choice_problems(request) + _subject_problems(uow, subjects)
    copies = request.get("copies", 1)
    if not (isinstance(copies, int) and 1 <= copies <= MAX_COPIES):
        reason = f"1から{MAX_COPIES}までで指定してください"
        problems.append(_problem("copies", "通数", reason, "通数を直してください", "range"))
    requester = _identity_fields(request.get("requester"), "requester", "請求者", problems)
    on_behalf_of = _identity_fields(request.get("on_behalf_of"), "on_behalf_of", "代理される者", problems)
    if problems:
        raise ValidationError(problems)
    return {
        "requester_kind": request["requester_kind"],
        "requester": requester or {},
        "on_behalf_of": on_behalf_of,
        "subjects": subjects,
        "certificate_type": request["certificate_type"],
        "options": sorted(set(request.get("options") or ())),
        "purpose": str(request.get("purpose") or "").strip(),
        "copies": copies,
    }


def disclosure_request(uow: UnitOfWork, request: Mapping[str, Any]) -> DisclosureRequest:
    """The normalized counter request as the one disclosure decision reads it: the same question issuance
    asks (``handlers.certificates.issuance.disclosure_request``, for the persons the copy would print today),
    so the officer's release of this request is the one issuance honours."""
    certificate = request_from_case(request)
    today = japan_today()
    return certificate_disclosure_request(certificate, printed_subjects(uow.session, certificate, today))


NEEDS_RELEASE_MESSAGE = (
    "交付対象者（同一世帯を含む）に支援措置の対象者が含まれるため、このままでは交付できません。"
    "支援措置責任者に解除（この請求に限る）を申請し、解除後に同じ内容で改めて請求を受け付けてください。"
)


def _decide(uow: UnitOfWork, request: Mapping[str, Any]) -> Decision:
    # Decide only: an officer's release is used up by issuance, when the copy is actually printed.
    decision = decide_disclosure(uow, disclosure_request(uow, request), consume_release=False)
    if decision.outcome == "needs_release":
        return Decision(False, "needs_release", NEEDS_RELEASE_MESSAGE, decision.alerts)
    return Decision(decision.allowed, decision.reason_code, decision.message, decision.alerts)


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
            "alerts": [a.code for a in decision.alerts],
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
    disclosure_request(uow, normalized)  # a subject of the wrong status (除票 for a 写し…) opens no case
    return runner.start_case(uow, PROCESS_ID, data={"request": normalized}, subjects=normalized["subjects"])


def request_certificate_release(uow: UnitOfWork, request: Mapping[str, Any]) -> int:
    """The clerk stopped with ``needs_release`` asks the support-measure officer to review exactly that
    request (j440); returns the release request's id.  Once granted, the same request passes once."""
    require(uow.actor, "certificate.issue")
    return request_release(uow, disclosure_request(uow, normalized_request(uow, request)))


def issue_requested_certificate(
    uow: UnitOfWork, task_id: int, *, now: dt.datetime | None = None
) -> IssuedCertificate:
    """The clerk's ``issue_certificate`` task: print the copies the case's request asks for (issuance asks
    the same disclosure question again and uses up an officer's release), then complete the task."""
    require(uow.actor, "certificate.issue")
    task = uow.session.get(CaseTask, task_id)
    case = uow.session.get(Case, task.case_id) if task is not None else None
    if task is None or case is None or case.process_id != PROCESS_ID or task.bpmn_id != ISSUE_TASK:
        raise NotFoundError("証明書の発行タスクが見つかりません。")
    request = runner.task_data(uow, task_id)["request"]
    issued = issue_certificate(uow, request_from_case(request), now=now)
    runner.complete_task(uow, task_id, {"issued": True, "issue_numbers": issued.issue_numbers})
    return issued
