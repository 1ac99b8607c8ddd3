"""What a certificate request asks for (j1000) and the rules that narrow it whatever was asked.

Rules (pure):
- 個人番号 and 住民票コード are never printed for a third-party request (住基法12条の3);
- 本籍・筆頭者 is never printed on a copy issued for another municipality (広域交付, 12条の4);
- 方書 may be omitted only on a 記載事項証明書 whose request asks so (j1030);
- 「公用」 only on the types that allow it (j1060).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from handlers.certificates.catalog import NOTICE_REQUESTER_KINDS, OFFICE_NOTICES, RESIDENT_CODE_NOTICES, TYPES
from handlers.errors import Problem, ValidationError
from handlers.rules.disclosure import REQUESTER_KINDS, Identity

THIRD_PARTY_KINDS = frozenset({"third_party"})
REMOTE_KINDS = frozenset({"other_municipality"})
MAX_COPIES = 20
REQUESTER_NAME_MAX = 100  # 請求者の氏名, characters
PURPOSE_MAX = 200  # 請求事由・使用目的, characters


@dataclass(frozen=True)
class CertificateOptions:
    include_head_relation: bool = False  # 世帯主・続柄
    include_honseki: bool = False  # 本籍・筆頭者
    include_resident_code: bool = False  # 住民票コード
    include_my_number: bool = False  # 個人番号
    include_history: bool = False  # 履歴
    include_special_history: bool = (
        False  # 特別養子縁組・その解消・性別の変更の履歴 (j40: left out by default)
    )
    include_kana: bool = False  # フリガナ (j1020)
    include_foreign_items: bool = True  # 国籍・地域, 30条45区分, 在留資格 … (foreign residents)
    omit_katagaki: bool = False  # 方書の省略 (記載事項証明書 only, j1030)
    official_use: bool = False  # 「公用」 (j1060)
    official: str = "auto"  # auto / mayor / acting (j1050, j310)
    seal: bool = True  # 電子公印の印字
    measure_end_date: dt.date | None = None  # 支援措置期間終了通知: the end date


@dataclass(frozen=True)
class CertificateRequest:
    certificate_type: str
    subjects: tuple[str, ...]  # 宛名番号 of the persons asked for
    whole_household: bool = False  # 世帯全員 (the household of the first subject)
    options: CertificateOptions = field(default_factory=CertificateOptions)
    requester_kind: str = "self"
    requester: Identity = field(default_factory=Identity)
    on_behalf_of: Identity | None = None
    purpose: str = ""  # 請求事由 / 使用目的
    copies: int = 1
    place: str = "本庁"  # 交付場所 (history only: never printed, must-not j1040)
    terminal: str | None = None  # defaults to the actor's terminal
    printer: str = "PDF"
    as_of: dt.date | None = None  # render the register as it stood on this date (default: today)
    channel: str = "counter"  # handed over at the counter or at a kiosk (コンビニ交付, handlers.kiosk)


def _problem(field_name: str, item: str, reason: str, remedy: str, code: str) -> Problem:
    return Problem(field_name, item, reason, remedy, code)


def _length_problems(request: CertificateRequest) -> list[Problem]:
    """The request's free texts within the lengths the counter's form allows (every door, the API too)."""
    problems = []
    for name, item, text, most in (
        ("requester_name", "請求者の氏名", request.requester.name or "", REQUESTER_NAME_MAX),
        ("purpose", "請求事由・使用目的", request.purpose, PURPOSE_MAX),
    ):
        if len(text) > most:
            reason = f"{most}文字を超えています（{len(text)}文字）"
            problems.append(
                _problem(name, item, reason, f"{item}を{most}文字以内で入力してください", "too_long")
            )
    return problems


def request_problems(request: CertificateRequest) -> list[Problem]:
    problems = []
    if request.certificate_type not in TYPES:
        problems.append(
            _problem(
                "certificate_type", "証明書の種別", "選択されていません", "種別を選んでください", "required"
            )
        )
    if request.requester_kind not in REQUESTER_KINDS:
        problems.append(
            _problem(
                "requester_kind", "請求者の区分", "選択されていません", "区分を選んでください", "required"
            )
        )
    if not request.subjects:
        problems.append(
            _problem("subjects", "交付対象者", "指定されていません", "宛名番号を入力してください", "required")
        )
    if not 1 <= request.copies <= MAX_COPIES:
        reason = f"1から{MAX_COPIES}までで指定してください"
        problems.append(_problem("copies", "通数", reason, "通数を直してください", "range"))
    problems.extend(_length_problems(request))
    if (
        request.certificate_type in RESIDENT_CODE_NOTICES
        and request.requester_kind not in NOTICE_REQUESTER_KINDS
    ):
        reason = "住民票コード通知票は本人・同一世帯員・代理人・公用以外には交付できません"
        problems.append(
            _problem("requester_kind", "請求者の区分", reason, "請求者を確認してください", "restricted_item")
        )
    if request.certificate_type in OFFICE_NOTICES and request.requester_kind != "official":
        reason = "市区町村間の通知書は公用でのみ作成できます"
        problems.append(
            _problem("requester_kind", "請求者の区分", reason, "公用を選んでください", "restricted_item")
        )
    if request.certificate_type == "support_end_notice" and request.options.measure_end_date is None:
        problems.append(
            _problem(
                "measure_end_date",
                "支援措置の終了日",
                "入力されていません",
                "終了日を入力してください",
                "required",
            )
        )
    return problems  # fmt: skip


def asked_items(request: CertificateRequest) -> tuple[str, ...]:
    """The restricted items (handlers.rules.disclosure.ITEMS) the request asks for, for the disclosure check."""
    options = request.options
    items = []
    if options.include_my_number:
        items.append("my_number")
    if options.include_resident_code or request.certificate_type in RESIDENT_CODE_NOTICES:
        items.append("resident_code")
    if options.include_honseki:
        items.append("honseki")
    return tuple(items)


def effective_options(request: CertificateRequest) -> CertificateOptions:
    """The options after the rules that no request can override."""
    options = request.options
    kind = TYPES[request.certificate_type]
    if request.requester_kind in THIRD_PARTY_KINDS:
        options = replace(options, include_my_number=False, include_resident_code=False)
    if request.requester_kind in REMOTE_KINDS:
        options = replace(options, include_honseki=False)
    if not kind.entry_certificate:
        options = replace(options, omit_katagaki=False)
    if not kind.official_use_allowed:
        options = replace(options, official_use=False)
    return options


def validate_request(request: CertificateRequest) -> None:
    problems = request_problems(request)
    if problems:
        raise ValidationError(problems)


def identity_from_fields(fields: Mapping[str, Any] | None) -> Identity | None:
    """A stated person as the request keeps it (宛名番号, 氏名, カナ, ISO 生年月日) as an Identity."""
    if not fields:
        return None
    birth = fields.get("birth_date")
    return Identity(
        atena_number=fields.get("atena_number") or None,
        name=fields.get("name") or None,
        kana=fields.get("kana") or None,
        birth_date=dt.date.fromisoformat(str(birth)) if birth else None,
    )


def request_from_case(data: Mapping[str, Any]) -> CertificateRequest:
    """The request a certificate-request case keeps (``handlers.certificate_requests.normalized_request``) as a
    CertificateRequest, for the clerk's ``issue_certificate`` task of ``certificate_request.bpmn``."""
    asked = set(data.get("options") or ())
    options = CertificateOptions(
        include_head_relation="include_head_relation" in asked,
        include_honseki="include_honseki" in asked,
        include_resident_code="include_resident_code" in asked,
        include_my_number="include_my_number" in asked,
    )
    return CertificateRequest(
        certificate_type=str(data["certificate_type"]),
        subjects=tuple(str(s) for s in data.get("subjects") or ()),
        whole_household=bool(data.get("whole_household")) or data["certificate_type"] == "copy_household",
        options=options,
        requester_kind=str(data["requester_kind"]),
        requester=identity_from_fields(data.get("requester")) or Identity(),
        on_behalf_of=identity_from_fields(data.get("on_behalf_of")),
        purpose=str(data.get("purpose") or ""),
        copies=int(data.get("copies") or 1),
    )
