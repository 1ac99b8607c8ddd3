"""住民異動届受理通知 (j580): on demand, a notice that a 転入・転居・転出・世帯変更 notification (and the 出生 and
転出証明書に準ずる証明書 paths the standard names) was accepted, printed from the registered case at any later
date, not only on the day it was processed.

What it prints (the standard's list): 届出日, 異動事由, 届出人氏名, 異動者氏名 and the statement that the
notification was accepted.  Whom it goes to:

- ``previous``: the 異動前住所, to the 届出人 (the default when there is a previous address);
- ``new``: the 異動後住所, to the mover themself, when there is no previous address or sending there is not
  appropriate: 出生, 国外からの転入 (and the clerk may choose it for any other reason).

Rules: permission ``certificate.issue``; the municipality's choice ``notice_of_receipt`` (j580) must be on; only a
case whose change is registered (本登録) — a provisional change is invisible; the one disclosure decision
(``handlers.suppression.check_disclosure``, purpose ``certificate``, the 届出人 as requester) for the movers, so a
perpetrator named as notifier is refused and a protected mover needs the officer's release; a notice addressed to
the previous address never prints a new address.  The 届出人 is the one entered at intake and kept with the case
(``PendingChange.notifier``, ``handlers.cases.notifier``); only a case without one (entered before it was kept,
or through a door that did not ask) takes the notifier at output, and a case with one refuses another name.  Every output writes one ``receipt_notice_printed`` access-log row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.cases.notifier import NOTIFIER_KINDS, notifier_label
from handlers.certificates.issuance import enforce_disclosure
from handlers.certificates.notice_render import ReceiptNoticeContent, render_receipt_notice
from handlers.clock import JST, japan_today, to_jst
from handlers.errors import ConflictError, NotFoundError, Problem, ValidationError
from handlers.permissions import has_permission, require
from handlers.residents.names import names_of_snapshot, priority_kept
from handlers.rules.change_reasons import REASONS
from handlers.rules.dates import format_wareki
from handlers.rules.disclosure import Identity, Requester
from handlers.rules.names import PersonNames, mail_name, names_on_one_line
from handlers.suppression import DisclosureRequest
from handlers.suppression_controls import request_release
from handlers.tenants import setting
from handlers.uow import UnitOfWork
from models.case import Case
from models.change import PendingChange
from models.resident import ResidentHistory
from models.tenant import Municipality

# The procedures of j580 (and 出生 / 国外からの転入, which the standard names for the mover's own address).
NOTICE_CHANGE_TYPES = frozenset(
    {"move_in", "move_within", "move_out", "household_change", "birth", "foreign_move_in_30_46"}
)
# No previous address, or sending there is not appropriate: the notice goes to the new address and the mover.
TO_MOVER_REASONS = frozenset({"birth", "move_in_from_abroad"})
MOVE_OUT_REASONS = frozenset({"domestic_move_out", "move_out_abroad"})
ADDRESSEES = {"auto": "自動", "previous": "異動前住所・届出人", "new": "異動後住所・異動者本人"}
STATEMENT = "次のとおり住民異動届を受理しましたので通知します。"


class NoticeNotOfferedError(ConflictError):
    code = "receipt_notice_not_offered"


@dataclass(frozen=True)
class ReceiptNoticeRequest:
    case_id: int
    notifier_name: str  # 届出人氏名
    notifier_kind: str = "self"  # NOTIFIER_KINDS
    addressee: str = "auto"  # ADDRESSEES
    notifier_birth_date: dt.date | None = None  # with the name, what the perpetrator check compares
    notifier_atena_number: str | None = None  # when the notifier is a resident here


@dataclass(frozen=True)
class Mover:
    atena_number: str
    names: PersonNames  # 氏名, 通称 and 氏名優先区分, for handlers.rules.names
    reason: str  # 異動事由 code of the case's history row
    notified_date: dt.date | None
    new_address: tuple[str, str, str]  # (〒, 住所, 方書) after the change
    previous_address: (
        tuple[str, str, str] | None
    )  # before the change; None when there was none here or before

    @property
    def name(self) -> str:
        return self.names.name


@dataclass(frozen=True)
class IssuedReceiptNotice:
    pdf: bytes
    addressed_to: str  # previous / new
    case_number: str
    subjects: tuple[str, ...]


def _problem(field: str, item: str, reason: str, remedy: str, code: str) -> Problem:
    return Problem(field, item, reason, remedy, code)


def request_problems(request: ReceiptNoticeRequest) -> list[Problem]:
    problems = []
    if not request.notifier_name.strip():
        problems.append(_problem("notifier_name", "届出人氏名", "入力されていません", "届出人の氏名を入力してください",
                                 "required"))  # fmt: skip
    if request.notifier_kind not in NOTIFIER_KINDS:
        problems.append(_problem("notifier_kind", "届出人の区分", "選べる値ではありません", "一覧から選んでください",
                                 "choice"))  # fmt: skip
    if request.addressee not in ADDRESSEES:
        problems.append(
            _problem("addressee", "宛先", "選べる値ではありません", "一覧から選んでください", "choice")
        )
    return problems


def with_recorded_notifier(
    request: ReceiptNoticeRequest, recorded: dict[str, Any] | None
) -> ReceiptNoticeRequest:
    """The request as the notice is made: the 届出人 recorded at intake when there is one (a different name asked
    at output is refused), else the one given at output."""
    if not recorded:
        return request
    asked = request.notifier_name.strip()
    if asked and "".join(asked.split()) != "".join(str(recorded["name"]).split()):
        raise ValidationError([_problem(
            "notifier_name", "届出人氏名", f"届出人は受付時に「{notifier_label(recorded)}」と記録されています",
            "受理通知は記録された届出人あてに作成します。届出人氏名を空欄にしてください", "notifier_recorded",
        )])  # fmt: skip
    born = recorded.get("birth_date")
    return replace(
        request, notifier_name=str(recorded["name"]), notifier_kind=str(recorded.get("kind") or "self"),
        notifier_birth_date=dt.date.fromisoformat(born) if born else None,
        notifier_atena_number=recorded.get("atena_number") or None,
    )  # fmt: skip


def _address(snapshot: dict[str, Any], prefix: str) -> tuple[str, str, str]:
    return (
        str(snapshot.get(f"{prefix}postal_code") or ""),
        str(snapshot.get(f"{prefix}address") or ""),
        str(snapshot.get(f"{prefix}address_katagaki") or ""),
    )


def _previous_address(
    session: Any, row: ResidentHistory, snapshot: dict[str, Any]
) -> tuple[str, str, str] | None:
    """The address before the change: the 転入前住所 of a 転入 (also a 再転入: not the old address here), else
    the person's previous history row here."""
    if row.change_reason in TO_MOVER_REASONS:
        return None
    if row.change_reason == "domestic_move_in" and snapshot.get("previous_address"):
        return (str(snapshot.get("previous_postal_code") or ""), str(snapshot["previous_address"]), "")
    before = session.scalars(
        select(ResidentHistory).where(
            ResidentHistory.atena_number == row.atena_number, ResidentHistory.history_no < row.history_no
        ).order_by(ResidentHistory.history_no.desc()).limit(1)
    ).first()  # fmt: skip
    if before is not None:
        return _address(before.snapshot, "household_")
    if snapshot.get("previous_address"):
        return (str(snapshot.get("previous_postal_code") or ""), str(snapshot["previous_address"]), "")
    return None


def _new_address(row: ResidentHistory, snapshot: dict[str, Any]) -> tuple[str, str, str]:
    """The address after the change: the 転出先 of a 転出, else the household's address the row records."""
    if row.change_reason in MOVE_OUT_REASONS and snapshot.get("destination_planned_address"):
        postal = str(snapshot.get("destination_planned_postal_code") or "")
        return (postal, str(snapshot["destination_planned_address"]), "")
    return _address(snapshot, "household_")


def movers_of(uow: UnitOfWork, case: Case) -> list[Mover]:
    """The persons the case registered, from the history rows its 本登録 appended (first row per person)."""
    rows = uow.session.scalars(
        select(ResidentHistory)
        .where(ResidentHistory.case_id == case.id)
        .order_by(ResidentHistory.id)
    ).all()  # fmt: skip
    movers: dict[str, Mover] = {}
    for row in rows:
        if row.atena_number in movers:
            continue
        snapshot = row.snapshot
        movers[row.atena_number] = Mover(
            row.atena_number, names_of_snapshot(snapshot), row.change_reason, row.notified_date,
            _new_address(row, snapshot), _previous_address(uow.session, row, snapshot),
        )  # fmt: skip
    return list(movers.values())


def _registered_case(uow: UnitOfWork, case_id: int) -> tuple[Case, PendingChange]:
    case = uow.session.get(Case, case_id)
    if case is None:
        raise NotFoundError("案件が見つかりません。")
    if case.change_type not in NOTICE_CHANGE_TYPES:
        raise NoticeNotOfferedError(
            "住民異動届受理通知は転入・転居・転出・世帯変更（出生を含む）の案件についてのみ発行できます。"
        )
    pending = uow.session.scalars(select(PendingChange).where(PendingChange.case_id == case.id)).first()
    if pending is None or pending.status != "registered":
        raise NoticeNotOfferedError(
            "本登録が済んでいない案件の受理通知は発行できません。審査・本登録の後に発行してください。"
        )
    return case, pending


def _municipality(uow: UnitOfWork) -> Municipality:
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    if municipality is None:
        raise NotFoundError("市区町村が登録されていません。")
    if not setting(municipality, "notice_of_receipt"):
        raise NoticeNotOfferedError(
            "この市区町村は住民異動届受理通知を発行しない設定です（選択機能「住民異動届受理通知の発行」）。"
        )
    return municipality


def offered(uow: UnitOfWork, case_id: int) -> dict[str, Any] | None:
    """For the case page: whether a notice can be output for this case and its default addressee (no log)."""
    if not has_permission(uow.actor, "certificate.issue"):
        return None
    try:
        case, pending = _registered_case(uow, case_id)
        _municipality(uow)
    except (NoticeNotOfferedError, NotFoundError, ConflictError):
        return None
    movers = movers_of(uow, case)
    if not movers:
        return None
    has_previous = movers[0].previous_address is not None
    return {"default_addressee": "previous" if has_previous else "new", "previous_possible": has_previous,
            "movers": [m.name for m in movers], "notifier": notifier_label(pending.notifier)}  # fmt: skip


def choose_addressee(asked: str, movers: list[Mover]) -> str:
    """previous (異動前住所・届出人) when there is a previous address, else new (異動後住所・異動者本人)."""
    has_previous = movers[0].previous_address is not None
    if asked == "previous" and not has_previous:
        raise ValidationError([_problem(
            "addressee", "宛先", "異動前の住所がない（出生・国外からの転入等）ため、異動前住所には送付できません",
            "宛先を「異動後住所・異動者本人」にしてください", "no_previous_address",
        )])  # fmt: skip
    if asked == "auto":
        return "previous" if has_previous else "new"
    return asked


def _notifier(request: ReceiptNoticeRequest) -> Identity:
    return Identity(
        atena_number=(request.notifier_atena_number or "").strip() or None,
        name=request.notifier_name.strip(),
        birth_date=request.notifier_birth_date,
    )


def disclosure_request(request: ReceiptNoticeRequest, movers: list[Mover]) -> DisclosureRequest:
    """THE disclosure question of a notice: the movers' data to the notifier (as a certificate is), so the
    officer's release of one stopped notice (``request_notice_release``) is the release the output finds."""
    return DisclosureRequest(
        requester=Requester(request.notifier_kind, _notifier(request)),
        subjects=tuple(m.atena_number for m in movers),
        purpose="certificate",
    )


def _pass_disclosure(uow: UnitOfWork, request: ReceiptNoticeRequest, movers: list[Mover]) -> None:
    enforce_disclosure(uow, disclosure_request(request, movers), "この受理通知は発行")


def _issuer(municipality: Municipality) -> str:
    return f"{municipality.name}長"


def notified_on(case: Case, proposal: dict[str, Any]) -> dt.date:
    """届出日 when the history rows carry none (a 転出 entered late, recorded ex officio): the intake's 届出日,
    else the day the case was received."""
    try:
        return dt.date.fromisoformat(str(proposal.get("notified_date") or ""))
    except ValueError:
        return case.created_at.astimezone(JST).date()


def compose(
    municipality: Municipality, case: Case, request: ReceiptNoticeRequest, movers: list[Mover], to: str,
    today: dt.date, proposal: dict[str, Any],
) -> ReceiptNoticeContent:  # fmt: skip
    first, kept = movers[0], priority_kept(municipality)  # the 氏名優先区分 (j190): the addressee, the movers
    if to == "previous":
        postal, address, katagaki = first.previous_address or ("", "", "")
        addressee_name = request.notifier_name.strip()
    else:
        postal, address, katagaki = first.new_address
        addressee_name = mail_name(first.names, priority_kept=kept)
    notified = first.notified_date or notified_on(case, proposal)
    reason = REASONS.get(first.reason)
    return ReceiptNoticeContent(
        postal_code=postal, address=address, katagaki=katagaki, addressee_name=addressee_name,
        issue_date_text=format_wareki(today), issuer=_issuer(municipality),
        notified_date_text=format_wareki(notified), reason_label=reason.label if reason else first.reason,
        notifier_name=request.notifier_name.strip(),
        mover_names=tuple(names_on_one_line(m.names, priority_kept=kept) for m in movers),
        statement=STATEMENT, case_number=case.case_number,
    )  # fmt: skip


def _case_and_movers(
    uow: UnitOfWork, request: ReceiptNoticeRequest
) -> tuple[Case, PendingChange, list[Mover], ReceiptNoticeRequest]:
    """The case, its change, its movers, and the request with the 届出人 recorded at intake."""
    require(uow.actor, "certificate.issue")
    case, pending = _registered_case(uow, request.case_id)  # another municipality's case: not found, first
    request = with_recorded_notifier(request, pending.notifier)
    problems = request_problems(request)
    if problems:
        raise ValidationError(problems)
    _municipality(uow)
    movers = movers_of(uow, case)
    if not movers:
        raise NoticeNotOfferedError("この案件には受理通知に記載する異動者がいません。")
    return case, pending, movers, request


def issue_receipt_notice(
    uow: UnitOfWork, request: ReceiptNoticeRequest, *, now: dt.datetime | None = None
) -> IssuedReceiptNotice:
    """Output one 住民異動届受理通知 for a registered case (on the day or any later day)."""
    case, pending, movers, request = _case_and_movers(uow, request)
    to = choose_addressee(request.addressee, movers)
    _pass_disclosure(uow, request, movers)
    today = to_jst(now).date() if now else japan_today()
    content = compose(_municipality(uow), case, request, movers, to, today, pending.proposal or {})
    subjects = tuple(m.atena_number for m in movers)
    pdf = render_receipt_notice(content)
    record_access(
        uow, "receipt_notice_printed", "print", subjects,
        detail={"case_number": case.case_number, "addressed_to": to, "notifier_kind": request.notifier_kind,
                "notifier_from": "intake" if pending.notifier else "output"},
    )  # fmt: skip
    return IssuedReceiptNotice(pdf, to, case.case_number, subjects)


def request_notice_release(uow: UnitOfWork, request: ReceiptNoticeRequest) -> int:
    """A notice stopped for a protected mover: ask the support-measure officer to review exactly this one
    (``handlers.suppression_controls.request_release``); returns the release request's number."""
    _case, _pending, movers, request = _case_and_movers(uow, request)
    return request_release(uow, disclosure_request(request, movers))
