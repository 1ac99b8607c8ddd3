"""The notices of a 住所一括変更 (j1340) to the persons concerned: 「対象者に事前又は事後の通知を出力できること」.

- 事前通知 (``advance``) while the run is provisional, from its plan: each household (住所) or person (本籍) the
  final run would change today — what ``bulk_address.exclusion_reason`` would leave out (changed since the
  仮処理, a 転出予定者 concerned) gets no notice — addressed to the 世帯主 (or the person) at the current address.
- 事後通知 (``after``) once the final run is done, from its result: each household or person it changed and
  that is still as it left them (not excluded at the run, not moved or removed since), at the new address.

Names follow the one rule of the 氏名優先区分 (``handlers.rules.names``, j190): the addressee by one name, the 通称
alone where the municipality keeps the 氏名優先区分 and it says 通称; the persons concerned with their 通称.

One notice per household for an address change, addressed to the 世帯主 (the first member still registered
when the household has none), naming the members concerned; one per person for a 本籍 change.  Each says
who issues it (the 認証者 of the day for the household's ward, ``bulk_notice_issuers``: a designated city's
区長 where registered, else the city's), the change before → after, the 修正日 and the run's 軽微な修正 category.

A notice an output held back for a support measure (below) is printed later one by one for the output's timing
(``compose_one_notice``): an 事前通知 also after the 本処理, then for what the 本処理 changed, like the 事後通知.

Support measures: a notice that concerns a person protected by a support measure, or a member of their
household, is held back — the one rule for lists of persons (``suppression.persons_withheld_from_lists``,
which withholds nothing from the support-measure officer) — and only its key is listed, so the clerk handles
it one by one; a mailing list never carries a protected person's address.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers.certificates.notice_render import BulkChangeNoticeContent
from handlers.changes.minor_correction import MINOR_CATEGORIES
from handlers.csv_intake.bulk_address import exclusion_reason
from handlers.csv_intake.bulk_notice_issuers import NoticeIssuers, issuers_of_run, issuers_on
from handlers.errors import ConflictError, NotFoundError
from handlers.residents.names import names_of, priority_kept
from handlers.rules.dates import format_wareki
from handlers.rules.names import mail_name, names_on_one_line
from handlers.suppression import Withheld, persons_withheld_from_lists
from handlers.uow import UnitOfWork
from models.reporting import BulkAddressChange
from models.resident import Household, Resident

TIMINGS = {"advance": "事前通知", "after": "事後通知"}
ITEMS = {"address": "住所", "honseki": "本籍"}
# The fixed texts (the app keeps no per-municipality notice wording; the 認証文 of certificates are fixed too).
STATEMENTS = {
    ("advance", "address"): "下記の理由により、変更日からあなたの世帯の住所の表示が次のとおり変わります。",
    (
        "after",
        "address",
    ): "下記の理由により、住民票に記載されているあなたの世帯の住所の表示を次のとおり修正しました。",
    ("advance", "honseki"): "下記の理由により、変更日からあなたの本籍の表示が次のとおり変わります。",
    (
        "after",
        "honseki",
    ): "下記の理由により、住民票に記載されているあなたの本籍の表示を次のとおり修正しました。",
}
NO_NOTIFICATION = {
    "advance": "住民票の記載は変更日に市区町村が職権で修正しますので、届出の必要はありません。",
    "after": "届出の必要はありません。",
}
CLOSING = "この通知についてのお問い合わせは、{municipality}の住民記録担当窓口までお願いします。"
WITHHELD_REASON = "支援措置の対象者が含まれるため、一括の通知には含めていません（個別に対応してください）"
CHANGED_SINCE = "本処理の後に異動があったため、通知の対象外です"
LATE_ADVANCE = "（本処理の後に出力）"  # a held-back 事前通知 printed once the final run is done


class NoticeTimingError(ConflictError):
    code = "bulk_notice_timing"


@dataclass(frozen=True)
class PlannedNotice:
    key: str  # 世帯番号 (住所) or 宛名番号 (本籍)
    addressee_atena: str
    subjects: tuple[str, ...]  # 宛名番号 of the persons concerned
    content: BulkChangeNoticeContent


@dataclass(frozen=True)
class NoticeRun:
    notices: list[PlannedNotice]
    withheld: list[dict[str, Any]]  # {"key", "reason"}: never an address
    excluded: list[dict[str, Any]]  # {"key", "reason"}


def check_timing(change: BulkAddressChange, timing: str) -> None:
    if timing == "advance" and change.status != "provisional":
        raise NoticeTimingError(
            "事前通知は本処理の前（仮処理の段階）に出力してください。本処理の後は事後通知を出力できます。"
        )
    if timing == "after" and change.status != "final":
        raise NoticeTimingError("事後通知は本処理の後に出力できます。本処理の前は事前通知を出力できます。")


def _person(uow: UnitOfWork, atena_number: str) -> Resident:
    return uow.session.scalars(select(Resident).where(Resident.atena_number == atena_number)).one()


def _live(household: Household) -> list[Resident]:
    return [m for m in household.members if m.status != "removed"]


def _addressee(household: Household, concerned: list[Resident]) -> Resident:
    head = household.head
    if head is not None and head.status != "removed" and head.household_id == household.id:
        return head
    return (_live(household) or concerned)[0]


def _still_as_left(uow: UnitOfWork, change: BulkAddressChange, entry: dict[str, Any]) -> str | None:
    """事後: why a household or person the final run changed gets no notice now (moved, removed since)."""
    first = _person(uow, entry["members"][0]["atena_number"])
    if first.status == "removed":
        return CHANGED_SINCE
    current = first.household.address if change.target == "address" else first.honseki
    return None if current == entry["after"] else CHANGED_SINCE


def _exclusion(uow: UnitOfWork, change: BulkAddressChange, entry: dict[str, Any]) -> str | None:
    """Why ``entry`` gets no notice as the run stands: before the 本処理, what it would leave out; after it,
    what it left out or what changed since — for a 事後通知 and for a held-back 事前通知 printed late alike."""
    if change.status == "provisional":
        return exclusion_reason(uow, change, entry)
    skipped = {s["key"]: s["reason"] for s in change.skipped}
    if entry["key"] in skipped:
        return str(skipped[entry["key"]])
    return _still_as_left(uow, change, entry)


@dataclass(frozen=True)
class _Issue:
    timing: str
    issue_date_text: str
    issuers: NoticeIssuers
    closing: str

    @property
    def priority(self) -> bool:
        """Whether the municipality keeps the 氏名優先区分 (the addressee's name, the persons concerned: j190)."""
        return priority_kept(self.issuers.municipality)


def _content(
    change: BulkAddressChange, entry: dict[str, Any], issue: _Issue, household: Household, addressee: Resident,
    concerned: list[Resident],
) -> BulkChangeNoticeContent:  # fmt: skip
    """The household's address as the register stands: the current (before) one for a 事前通知, the new one
    after the final run; a 本籍 notice goes where the person lives."""
    title = f"{ITEMS[change.target]}変更のお知らせ（{TIMINGS[issue.timing]}）"
    reference = f"住所一括変更 第{change.id}号　{'世帯番号' if change.target == 'address' else '宛名番号'} {entry['key']}"
    if issue.timing == "advance" and change.status == "final":
        reference += LATE_ADVANCE
    return BulkChangeNoticeContent(
        postal_code=household.postal_code or "", address=household.address,
        katagaki=household.address_katagaki or "",
        addressee_name=mail_name(names_of(addressee), priority_kept=issue.priority),
        issue_date_text=issue.issue_date_text, issuer=issue.issuers.line_for(household), title=title,
        statement=STATEMENTS[(issue.timing, change.target)] + NO_NOTIFICATION[issue.timing], item_label=ITEMS[change.target],
        before=str(entry["before"]), after=str(entry["after"]), change_date_text=format_wareki(change.change_date),
        reason_label=MINOR_CATEGORIES.get(change.minor_category, change.minor_category),
        subject_names=tuple(names_on_one_line(names_of(p), priority_kept=issue.priority) for p in concerned),
        closing=issue.closing, reference=reference,
    )  # fmt: skip


def _notice(
    uow: UnitOfWork, change: BulkAddressChange, entry: dict[str, Any], issue: _Issue, withheld: Withheld
) -> PlannedNotice | None:
    """The notice of one planned household or person, or None when it is held back for a protected person."""
    first = _person(uow, entry["members"][0]["atena_number"])
    household = first.household
    if change.target == "address":
        planned = {m["atena_number"] for m in entry["members"]}
        concerned = [m for m in _live(household) if m.atena_number in planned]
        addressee = _addressee(household, concerned or [first])
    else:
        concerned, addressee = [first], first
    subjects = tuple(p.atena_number for p in concerned or [first])
    everyone = [*(m.atena_number for m in _live(household)), addressee.atena_number, *subjects]
    if any(withheld.withholds(a, household.household_number) for a in everyone):
        return None
    content = _content(change, entry, issue, household, addressee, concerned or [first])
    return PlannedNotice(str(entry["key"]), addressee.atena_number, subjects, content)


def compose_notices(uow: UnitOfWork, change: BulkAddressChange, timing: str, today: dt.date) -> NoticeRun:
    """Every notice of the run for ``timing``, in the order of the CSV, with what was held back or left out."""
    check_timing(change, timing)
    issuers = issuers_of_run(uow, change, today)  # every ward's signer, before any notice
    issue = _Issue(
        timing, format_wareki(today), issuers, CLOSING.format(municipality=issuers.municipality.name)
    )
    withheld = persons_withheld_from_lists(uow, "inquiry")
    notices: list[PlannedNotice] = []
    held: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    for entry in change.plan:
        if reason := _exclusion(uow, change, entry):
            excluded.append({"key": entry["key"], "reason": reason})
            continue
        notice = _notice(uow, change, entry, issue, withheld)
        if notice is None:
            held.append({"key": entry["key"], "reason": WITHHELD_REASON})
        else:
            notices.append(notice)
    return NoticeRun(notices, held, excluded)


def _entry(change: BulkAddressChange, key: str) -> dict[str, Any]:
    entry = next((e for e in change.plan if str(e["key"]) == key), None)
    if entry is None:
        raise NotFoundError(f"住所一括変更 第{change.id}号に {key} はありません。")
    return entry


def left_out_now(uow: UnitOfWork, change: BulkAddressChange, key: str) -> str | None:
    """Why the household or person ``key`` of the run gets no notice now (None when it does)."""
    return _exclusion(uow, change, _entry(change, key))


def compose_one_notice(
    uow: UnitOfWork, change: BulkAddressChange, timing: str, key: str, today: dt.date
) -> PlannedNotice | None:
    """The notice of the household or person ``key`` alone, as ``compose_notices`` makes it (None when the
    support-measure rule holds it back from this user); ConflictError when the run now leaves it out.

    For an output already made, so its timing stays printable once the run has moved on: an 事前通知 held back
    before the 本処理 is printed after it (for the file or a late delivery) for what the 本処理 changed, at the
    household's address as it now stands, marked as printed after the 本処理; a 事後通知 needs the 本処理."""
    if timing == "after":
        check_timing(change, timing)
    entry = _entry(change, key)
    if reason := _exclusion(uow, change, entry):
        raise ConflictError(f"{key} は通知の対象外になっています（{reason}）。")
    issuers = issuers_on(uow, today)  # only this household's ward
    issue = _Issue(
        timing, format_wareki(today), issuers, CLOSING.format(municipality=issuers.municipality.name)
    )
    return _notice(uow, change, entry, issue, persons_withheld_from_lists(uow, "inquiry"))
