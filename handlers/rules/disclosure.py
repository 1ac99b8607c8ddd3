"""The disclosure decision (j410, j440; 住基法12条の3): given who asks, for whom, for which persons and for what,
and the facts loaded about those persons, allow, refuse, or stop until the support-measure officer releases.

Pure: ``decide`` reads only its arguments.  ``handlers.suppression.check_disclosure`` loads the facts, calls it,
consumes a release and writes the access log.

Order of the rules (the first that applies wins):
1. the requester, or the person they act for, matches a registered perpetrator of a measure protecting any
   person in scope → refuse ``perpetrator`` (nothing releases this);
2. 個人番号 / 住民票コード asked by a third party → refuse ``restricted_item``;
3. an error-level per-process suppression on a subject → refuse ``suppressed``;
4. at an unattended terminal (``UNATTENDED_CHANNELS``: コンビニ交付) a protected person in the scope of a certificate,
   or an alert-level suppression nobody is there to acknowledge → refuse ``protected_unattended`` /
   ``alert_unattended`` (no release, and no temporary lift, ever reaches a terminal: j410, j440);
5. a certificate, 除票, 附票 or inspection whose scope includes a protected person → ``needs_release``
   (``protected``), or refuse ``protected_remote`` for 広域交付, or allow ``released`` with the officer's release;
6. otherwise allow (``ok``), with alerts for alert-level suppressions and protected subjects of a 照会 or 異動入力.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from handlers.errors import Problem
from handlers.rules.kana import fold_kana
from handlers.rules.kanji import fold_name

REQUESTER_KINDS = {
    "self": "本人",
    "same_household": "同一世帯員",
    "agent": "代理人",
    "third_party": "第三者",
    "official": "公用請求",
    "other_municipality": "広域交付",
}
PURPOSES = {
    "certificate": "住民票の写し等の交付",
    "removed_certificate": "除票の写し等の交付",
    "inspection": "住民基本台帳の一部の写しの閲覧",
    "koseki_fuhyo": "戸籍の附票の写し等の交付",
    "inquiry": "照会",
    "change_input": "異動入力",
}
ITEMS = {"my_number": "個人番号", "resident_code": "住民票コード", "honseki": "本籍・筆頭者"}
PROTECTED_PURPOSES = frozenset({"certificate", "removed_certificate", "inspection", "koseki_fuhyo"})
# Which per-process suppression (j410) applies to a purpose; the inspection list has none of its own.
PURPOSE_PROCESS = {
    "certificate": "certificate",
    "removed_certificate": "certificate",
    "koseki_fuhyo": "certificate",
    "inquiry": "inquiry",
    "change_input": "change_input",
}
THIRD_PARTY_RESTRICTED_ITEMS = frozenset({"my_number", "resident_code"})  # 住基法12条の3
THIRD_PARTY_KINDS = frozenset({"third_party"})
# Where the copy is handed over: the counter (staff), or a terminal nobody staffs (コンビニ交付, j1210)
CHANNELS = {"counter": "窓口", "kiosk": "コンビニ交付"}
UNATTENDED_CHANNELS = frozenset({"kiosk"})


@dataclass(frozen=True)
class Identity:
    """A person as the requester states them: 宛名番号 if resident here, name, kana and birth date."""

    atena_number: str | None = None
    name: str | None = None
    kana: str | None = None
    birth_date: dt.date | None = None


@dataclass(frozen=True)
class Requester:
    kind: str  # REQUESTER_KINDS
    identity: Identity = field(default_factory=Identity)


@dataclass(frozen=True)
class DisclosureRequest:
    requester: Requester
    subjects: tuple[str, ...]  # 宛名番号 of the persons whose data is asked for
    purpose: str  # PURPOSES
    items: tuple[str, ...] = ()  # extra items asked for: ITEMS
    on_behalf_of: Identity | None = None
    households: tuple[str, ...] = ()  # 世帯番号 of a household certificate (世帯全員)
    channel: str = (
        "counter"  # CHANNELS: not part of the fingerprint (a release is never looked up unattended)
    )


@dataclass(frozen=True)
class Decision:
    outcome: str  # allow / refuse / needs_release
    reason_code: str
    message: str  # Japanese, for the clerk
    subjects_protected: tuple[str, ...] = ()
    alerts: tuple[Problem, ...] = ()  # the caller must show these (level "alert")
    release_id: int | None = None  # the officer's release this decision consumes

    @property
    def allowed(self) -> bool:
        return self.outcome == "allow"


@dataclass(frozen=True)
class Perpetrator:
    measure_id: int
    atena_number: str | None
    name: str
    kana_key: str
    birth_date: dt.date | None


@dataclass(frozen=True)
class ActiveSuppression:
    suppression_id: int
    atena_number: str | None
    household_number: str | None
    level: str  # error / alert


@dataclass(frozen=True)
class DisclosureFacts:
    """What the loader found: protected persons in scope (after temporary lifts), perpetrators of their
    measures, the suppressions in force for the purpose's process, and a granted unused release."""

    protected: frozenset[str] = frozenset()  # 宛名番号 in scope (subjects and their households)
    perpetrators: tuple[Perpetrator, ...] = ()
    suppressions: tuple[ActiveSuppression, ...] = ()
    release_id: int | None = None


def identity_matches(identity: Identity | None, perpetrator: Perpetrator) -> bool:
    """Same 宛名番号, or the same birth date and the same name (kanji variants folded) or kana (fold_kana)."""
    if identity is None:
        return False
    if identity.atena_number and identity.atena_number == perpetrator.atena_number:
        return True
    if identity.birth_date is None or identity.birth_date != perpetrator.birth_date:
        return False
    kana = fold_kana(identity.kana or "")
    if kana and kana == perpetrator.kana_key:
        return True
    name = fold_name(identity.name or "")
    return bool(name) and name == fold_name(perpetrator.name)


def _refuse(code: str, message: str, protected: Iterable[str] = ()) -> Decision:
    return Decision("refuse", code, message, tuple(sorted(protected)))


def _alert(code: str, item: str, reason: str, remedy: str) -> Problem:
    return Problem("subjects", item, reason, remedy, code, level="alert")


def _alerts(request: DisclosureRequest, facts: DisclosureFacts) -> tuple[Problem, ...]:
    alerts = []
    if any(s.level == "alert" for s in facts.suppressions):
        reason = "この処理にはアラート抑止が設定されています"
        alerts.append(_alert("suppression_alert", "抑止", reason, "内容を確認してから処理してください"))
    if request.purpose not in PROTECTED_PURPOSES and facts.protected & set(request.subjects):
        reason = "支援措置（仮支援措置を含む）の対象者が含まれています"
        alerts.append(
            _alert("protected_subject", "支援措置", reason, "住所等を他に漏らさないよう注意してください")
        )
    return tuple(alerts)


UNATTENDED_MESSAGE = "この証明書は端末では交付できません。住所地の市区町村の窓口で請求してください。"


def decide(request: DisclosureRequest, facts: DisclosureFacts) -> Decision:
    protected = tuple(sorted(facts.protected))
    claimed = (request.requester.identity, request.on_behalf_of)
    if any(identity_matches(i, p) for i in claimed for p in facts.perpetrators):
        message = "請求者が支援措置の加害者として登録されているため、交付・閲覧・照会はできません。"
        return _refuse("perpetrator", message, protected)
    asked = set(request.items) & THIRD_PARTY_RESTRICTED_ITEMS
    if asked and request.requester.kind in THIRD_PARTY_KINDS:
        names = "・".join(ITEMS[i] for i in sorted(asked))
        return _refuse("restricted_item", f"第三者からの請求には{names}を記載できません（住基法12条の3）。")
    if any(s.level == "error" for s in facts.suppressions):
        return _refuse("suppressed", f"{PURPOSES[request.purpose]}は抑止されています（エラー）。", protected)
    if request.channel in UNATTENDED_CHANNELS:
        if request.purpose in PROTECTED_PURPOSES and protected:
            return _refuse("protected_unattended", UNATTENDED_MESSAGE, protected)
        if facts.suppressions:
            return _refuse("alert_unattended", UNATTENDED_MESSAGE, protected)
    alerts = _alerts(request, facts)
    if request.purpose in PROTECTED_PURPOSES and protected:
        if request.requester.kind == "other_municipality":
            message = "支援措置の対象者が含まれるため、広域交付はできません。住所地の窓口で請求してください。"
            return _refuse("protected_remote", message, protected)
        if facts.release_id is not None:
            message = "支援措置責任者の解除により、この請求に限り処理できます。"
            return Decision("allow", "released", message, protected, alerts, facts.release_id)
        message = "支援措置の対象者が含まれるため処理できません。支援措置責任者による審査・解除が必要です。"
        return Decision("needs_release", "protected", message, protected, alerts)
    return Decision("allow", "ok", "処理できます。", protected, alerts)
