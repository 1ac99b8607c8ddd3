"""The request layout of コンビニ交付 (j1210) and what a kiosk may hand over.

J-LIS's 広域交付システムインタフェース仕様書 is not public; this is Jumin's own JSON layout, modelled on the
service (docs/integration.md「コンビニ交付」).  The 証明書交付センター has checked the card's 利用者証明用電子証明書
and PIN and resolved the card to a 住民票コード; it sends:

    {"request_id": "…", "person": {"resident_code": "…", "card_serial": "…"},
     "terminal": {"code": "…", "name": "…"}, "document": "residence_copy", "scope": "self",
     "members": ["m-…" or "住民票コード", …], "options": {"head_relation": true, "honseki": false}, "copies": 1}

What a kiosk may print (the rule, here only): 住民票の写し of the card holder, of their whole household or of
chosen members of it, and the card holder's 住民票記載事項証明書; of the counter's options only 世帯主・続柄 and
本籍・筆頭者.  個人番号, 住民票コード, the history and 「公用」 are never printed at a kiosk: asking for one is a
refusal (``option_not_allowed``), not a copy without it.

Before a 世帯の一部 copy the center asks for the household's members (``parse_household_request``: the same
``request_id``, ``person`` and ``terminal``, nothing else) and sends back the references it was given.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handlers.certificates.options import MAX_COPIES, CertificateOptions
from handlers.errors import Problem, ValidationError

DOCUMENTS = {"residence_copy": "住民票の写し", "entry_certificate": "住民票記載事項証明書"}
SCOPES = {"self": "本人のみ", "household": "世帯全員", "members": "世帯の一部"}
# the options a kiosk may print (the counter's CertificateOptions include_head_relation and include_honseki)
PRINTABLE_OPTIONS = {"head_relation": "世帯主・続柄", "honseki": "本籍・筆頭者"}
# asked for, they refuse the request: never printed at a kiosk
REFUSED_OPTIONS = {"my_number": "個人番号", "resident_code": "住民票コード", "history": "履歴",
                   "special_history": "特別養子縁組等の履歴", "official_use": "公用", "omit_katagaki": "方書の省略"}  # fmt: skip
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
RESIDENT_CODE = re.compile(r"^\d{11}$")
MEMBER = re.compile(r"^(\d{11}|m-[A-Za-z0-9_-]{22})$")  # a 住民票コード or a member reference (person.py)
CARD_SERIAL = re.compile(r"^[A-Za-z0-9]{1,40}$")
TERMINAL_CODE = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
TERMINAL_NAME_MAX = 40


@dataclass(frozen=True)
class KioskCertificateRequest:
    request_id: str
    resident_code: str
    card_serial: str
    terminal_code: str
    terminal_name: str
    document: str
    scope: str
    members: tuple[str, ...]  # the chosen members' references or 住民票コード (scope ``members``)
    options: tuple[str, ...]  # the option keys asked for (true)
    copies: int
    fingerprint: str  # sha256 of the canonical request: a retry must send the same

    @property
    def certificate_type(self) -> str:
        if self.document == "entry_certificate":
            return "entry_certificate"
        return "copy_individual" if self.scope == "self" else "copy_household"

    @property
    def refused_options(self) -> list[str]:
        return [key for key in self.options if key not in PRINTABLE_OPTIONS]

    def certificate_options(self) -> CertificateOptions:
        return CertificateOptions(
            include_head_relation="head_relation" in self.options, include_honseki="honseki" in self.options
        )


def _problem(field: str, item: str, reason: str, remedy: str, code: str = "format") -> Problem:
    return Problem(field, item, reason, remedy, code)


def _text(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    return value.strip() if isinstance(value, str) else ""


def _part(body: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = body.get(key)
    return value if isinstance(value, Mapping) else {}


def _identity_problems(person: Mapping[str, Any], terminal: Mapping[str, Any]) -> list[Problem]:
    problems = []
    if not RESIDENT_CODE.match(_text(person, "resident_code")):
        problems.append(_problem("person.resident_code", "住民票コード", "11桁の数字ではありません",
                                 "証明書交付センターが解決した住民票コードを送信してください"))  # fmt: skip
    if not CARD_SERIAL.match(_text(person, "card_serial")):
        problems.append(_problem("person.card_serial", "利用者証明用電子証明書のシリアル番号",
                                 "英数字40桁以内ではありません", "カードの証明書のシリアル番号を送信してください"))  # fmt: skip
    if not TERMINAL_CODE.match(_text(terminal, "code")):
        problems.append(_problem("terminal.code", "端末コード", "英数字・記号（._-）40文字以内ではありません",
                                 "店舗・端末のコードを送信してください"))  # fmt: skip
    name = _text(terminal, "name")
    if not name or len(name) > TERMINAL_NAME_MAX:
        problems.append(_problem("terminal.name", "端末名", f"1文字以上{TERMINAL_NAME_MAX}文字以内ではありません",
                                 "店舗名・設置場所を送信してください"))  # fmt: skip
    return problems


def _document_problems(body: Mapping[str, Any], members: Any, options: Any) -> list[Problem]:
    problems = []
    # a choice is a text: an array or object sent instead is no choice (and no key of the tables)
    document, scope = (
        value if isinstance(value, str) else None for value in (body.get("document"), body.get("scope"))
    )
    if document not in DOCUMENTS:
        problems.append(_problem("document", "証明書の種別", "residence_copy・entry_certificate のいずれでもありません",
                                 "種別を指定してください", "choice"))  # fmt: skip
    if scope not in SCOPES:
        problems.append(_problem("scope", "交付対象", "self・household・members のいずれでもありません",
                                 "交付対象を指定してください", "choice"))  # fmt: skip
    elif document == "entry_certificate" and scope != "self":
        problems.append(_problem("scope", "交付対象", "住民票記載事項証明書は本人のみです", "self を指定してください",
                                 "one_person"))  # fmt: skip
    if scope == "members" and not (
        isinstance(members, list) and members and all(isinstance(m, str) and MEMBER.match(m) for m in members)
    ):
        problems.append(_problem("members", "世帯の一部", "世帯員の参照（member_ref）または住民票コード（11桁）の配列ではありません",
                                 "世帯員一覧で受け取った参照を送信してください"))  # fmt: skip
    if not isinstance(options, Mapping) or not all(isinstance(v, bool) for v in options.values()):
        problems.append(_problem("options", "記載事項の選択", "項目名と真偽値の組ではありません",
                                 '{"head_relation": true} の形で送信してください'))  # fmt: skip
    elif unknown := sorted(set(options) - set(PRINTABLE_OPTIONS) - set(REFUSED_OPTIONS)):
        problems.append(_problem("options", "記載事項の選択", f"{'・'.join(unknown)} は記載事項にありません",
                                 "記載事項の名前を確認してください", "choice"))  # fmt: skip
    copies = body.get("copies", 1)
    if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= MAX_COPIES:
        problems.append(_problem("copies", "通数", f"1から{MAX_COPIES}までの整数ではありません", "通数を直してください",
                                 "range"))  # fmt: skip
    return problems


def _object(body: object) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise ValidationError([_problem("body", "要求本文", "JSONのオブジェクトではありません",
                                        "docs/integration.md のコンビニ交付の形式で送信してください")])  # fmt: skip
    return body


def _envelope_problems(body: Mapping[str, Any]) -> list[Problem]:
    """The request id, the person and the terminal: what every kiosk request sends."""
    problems = []
    if not REQUEST_ID.match(_text(body, "request_id")):
        problems.append(_problem("request_id", "要求ID", "英数字・記号（._:-）64文字以内ではありません",
                                 "再送信でも同じ要求IDを送信してください"))  # fmt: skip
    return problems + _identity_problems(_part(body, "person"), _part(body, "terminal"))


@dataclass(frozen=True)
class KioskHouseholdRequest:
    """The center's question before a 世帯の一部 copy: who are the card holder's household members."""

    request_id: str
    resident_code: str
    card_serial: str
    terminal_code: str
    terminal_name: str


def parse_household_request(sent: object) -> KioskHouseholdRequest:
    """The household-list request as sent, checked against the layout (422 with every problem)."""
    body = _object(sent)
    problems = _envelope_problems(body)
    if problems:
        raise ValidationError(problems)
    person, terminal = _part(body, "person"), _part(body, "terminal")
    return KioskHouseholdRequest(
        request_id=_text(body, "request_id"), resident_code=_text(person, "resident_code"),
        card_serial=_text(person, "card_serial"), terminal_code=_text(terminal, "code"),
        terminal_name=_text(terminal, "name"),
    )  # fmt: skip


def parse_kiosk_request(sent: object) -> KioskCertificateRequest:
    """The request as sent, checked against the layout (422 with every problem; nothing is recorded: a request
    that is not in the layout has no request id to answer a retry by)."""
    body = _object(sent)
    person, terminal = _part(body, "person"), _part(body, "terminal")
    members, options = body.get("members") or [], body.get("options") or {}
    problems = _envelope_problems(body) + _document_problems(body, members, options)
    if problems:
        raise ValidationError(problems)
    request: dict[str, Any] = {
        "request_id": _text(body, "request_id"), "resident_code": _text(person, "resident_code"),
        "card_serial": _text(person, "card_serial"), "terminal_code": _text(terminal, "code"),
        "terminal_name": _text(terminal, "name"), "document": str(body["document"]), "scope": str(body["scope"]),
        "members": tuple(members) if body["scope"] == "members" else (),
        "options": tuple(sorted(key for key, value in options.items() if value)), "copies": int(body.get("copies", 1)),
    }  # fmt: skip
    canonical = json.dumps(request, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=list)
    return KioskCertificateRequest(**request, fingerprint=hashlib.sha256(canonical.encode()).hexdigest())
