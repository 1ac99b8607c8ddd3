"""Load what a certificate prints from the register (registered snapshots only) and compose its content.

Every snapshot comes from ``handlers.residents.history`` (本登録 data only): a case in review, whose
proposal sits in a PendingChange, never changes what a certificate says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from handlers.certificates.archived import archived_as_of, archived_history
from handlers.certificates.catalog import REMOVED_RECORD_TYPES, TYPES, CertificateType
from handlers.certificates.content import (
    PREVIOUS_CODE_LABELS,
    VALUE_WIDTH_MM,
    Cell,
    CertificateContent,
    PersonBlock,
    fit_cells,
    household_header,
    paginate,
    person_cells,
)
from handlers.certificates.integrated import history_lines, remark_lines, removed_lines
from handlers.certificates.officials import Official
from handlers.certificates.options import CertificateOptions, CertificateRequest
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.residents.history import history_entries, history_rows, household_as_of, resident_as_of
from handlers.residents.remarks import remarks_as_of
from handlers.residents.reorganization import printed_history
from handlers.rules.change_reasons import REASONS
from handlers.rules.dates import format_wareki
from handlers.rules.household_order import MemberOrderInfo, order_members
from models.tenant import Municipality

SOURCE_STATUSES = {
    "current": ("resident", "moving_out"),
    "removed": ("removed",),
    "moving_out": ("moving_out", "removed"),
    "any": ("resident", "moving_out", "removed"),
}
STATUS_MISMATCH = {
    "current": "この方は住民票が消除されています。除票の写し等を選んでください",
    "removed": "この方の住民票は消除されていません。住民票の写し等を選んでください",
    "moving_out": "この方には転出の届出がありません",
    "any": "",
}


def _status_problem(kind: CertificateType, atena_number: str) -> Problem:
    return Problem("subjects", "交付対象者", f"{STATUS_MISMATCH[kind.source]}（宛名番号 {atena_number}）",
                   "証明書の種別を確認してください", "wrong_status")  # fmt: skip


def snapshot_as_of(session: Session, atena_number: str, on: dt.date) -> dict[str, Any] | None:
    """The live register's snapshot, or the 除票用データベース's when the live tables no longer hold the person."""
    return resident_as_of(session, atena_number, on) or archived_as_of(session, atena_number, on)


def load_snapshots(session: Session, request: CertificateRequest, on: dt.date) -> list[dict[str, Any]]:
    """The persons to print as the register stood on ``on``: the subjects, or their whole household."""
    kind = TYPES[request.certificate_type]
    first = snapshot_as_of(session, request.subjects[0], on)
    if first is None:
        raise NotFoundError("指定された宛名番号の住民票はありません。")
    if request.whole_household and kind.layout == "household":
        snapshots = household_as_of(session, first["household_number"], on)
    else:
        snapshots = [first]
        for atena_number in request.subjects[1:]:
            snapshot = snapshot_as_of(session, atena_number, on)
            if snapshot is None:
                raise NotFoundError("指定された宛名番号の住民票はありません。")
            snapshots.append(snapshot)
    problems = [
        _status_problem(kind, s["atena_number"])
        for s in snapshots
        if s["status"] not in SOURCE_STATUSES[kind.source]
    ]
    if kind.code == "adult_ward_notice":  # j1310: only for a person registered as 成年被後見人
        problems += [
            Problem("subjects", "交付対象者", f"この方は成年被後見人ではありません（宛名番号 {s['atena_number']}）",
                    "対象者を確認してください", "not_adult_ward")
            for s in snapshots
            if not s.get("adult_guardianship")
        ]  # fmt: skip
    if problems:
        raise ValidationError(problems)
    if kind.layout != "household" and len(snapshots) > 1:
        raise ValidationError([Problem("subjects", "交付対象者", "この証明書は1人ずつ発行します",
                                       "対象者を1人にしてください", "one_person")])  # fmt: skip
    return snapshots


def in_household_order(snapshots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """j1010: 世帯主, spouse, children …, via handlers.rules.household_order."""
    by_atena = {s["atena_number"]: s for s in snapshots}
    infos = [
        MemberOrderInfo(
            atena_number=s["atena_number"],
            relation_to_head=s.get("relation_to_head") or "",
            birth_date=dt.date.fromisoformat(s["birth_date"][:10]) if s.get("birth_date") else None,
            current_order=int(s.get("household_order") or 0),
        )
        for s in snapshots
    ]
    return [by_atena[info.atena_number] for info in order_members(infos)]


def _entries(session: Session, snapshot: dict[str, Any], on: dt.date) -> list[dict[str, Any]]:
    """The person's history lines up to ``on`` (the 除票用データベース's when the live tables hold none)."""
    rows = history_entries(session, snapshot["atena_number"])
    if not rows:
        return archived_history(session, snapshot["atena_number"], on)
    return [
        {"history_no": r.history_no, "change_reason": r.change_reason, "change_date": r.change_date,
         "change_date_text": r.change_date_text, "note": r.note, "caution": r.caution,
         "caution_items": r.caution_items, "notified_date": r.notified_date}
        for r in rows
        if r.effective_date <= on
    ]  # fmt: skip


def _history_for(
    session: Session, snapshot: dict[str, Any], on: dt.date, include_special: bool = False
) -> list[dict[str, Any]]:
    """The history a certificate prints: from the last 改製 on, special reasons only when asked (j40)."""
    return printed_history(_entries(session, snapshot, on), include_special=include_special)


def integrated_entries(
    session: Session,
    kind: CertificateType,
    snapshot: dict[str, Any],
    options: CertificateOptions,
    on: dt.date,
) -> list[Cell]:
    """統合記載欄 (j140): with the history asked for, the history and its 留意事項, then the 備考; on a
    除票の写し or a 除票記載事項証明書, the 除票's own items (asked for or not: they are the 除票's items)."""
    cells: list[Cell] = []
    if options.include_history and kind.layout != "notice":
        printed = _history_for(session, snapshot, on, options.include_special_history)
        cells += history_lines(printed, snapshot["resident_kind"])
        cells += remark_lines(remarks_as_of(session, snapshot, on))
    if kind.code in REMOVED_RECORD_TYPES:
        removals = [e for e in _entries(session, snapshot, on) if _is_removal(e["change_reason"])]
        notified = removals[-1].get("notified_date") if removals else None
        cells += removed_lines(snapshot, _as_date(notified))
    return cells


def _is_removal(code: str) -> bool:
    reason = REASONS.get(code)
    return reason is not None and reason.category == "removal"


def _as_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def previous_resident_code(session: Session, atena_number: str, on: dt.date) -> str | None:
    """The 住民票コード the person held before the last change or correction registered by ``on``: the code
    of the history snapshot just before the last one whose code differs (None after a first 付番)."""
    codes = [
        r.snapshot.get("resident_code") for r in history_rows(session, atena_number) if r.effective_date <= on
    ]
    for index in range(len(codes) - 1, 0, -1):
        if codes[index] != codes[index - 1]:
            return codes[index - 1] or None
    return None


def _with_previous_code(
    session: Session, kind: CertificateType, snapshot: dict[str, Any], on: dt.date
) -> dict[str, Any]:
    if kind.code not in PREVIOUS_CODE_LABELS:
        return snapshot
    return {
        **snapshot,
        "previous_resident_code": previous_resident_code(session, snapshot["atena_number"], on),
    }


def compose_content(
    session: Session,
    municipality: Municipality,
    request: CertificateRequest,
    options: CertificateOptions,
    official: Official | None,
    on: dt.date,
    issued_on: dt.date,
) -> CertificateContent:
    """The content of one copy: the register as it stood on ``on``, issued on ``issued_on``."""
    kind = TYPES[request.certificate_type]
    snapshots = [_with_previous_code(session, kind, s, on) for s in load_snapshots(session, request, on)]

    def history(snapshot: dict[str, Any]) -> list[Cell]:
        return integrated_entries(session, kind, snapshot, options, on)

    return content_of(municipality, kind, options, snapshots, official, on, issued_on, history)


def content_of(
    municipality: Municipality,
    kind: CertificateType,
    options: CertificateOptions,
    snapshots: list[dict[str, Any]],
    official: Official | None,
    on: dt.date,
    issued_on: dt.date,
    history_of: Callable[[dict[str, Any]], list[Cell]] | None = None,
) -> CertificateContent:
    """The content of one copy from snapshots already loaded (this register's, or the items another
    municipality answered for a 広域交付, j1210), certified by ``municipality``."""
    if kind.layout == "household":
        snapshots = in_household_order(snapshots)
    behaviour = (municipality.settings or {}).get("certificate_overflow", "truncate")
    width = VALUE_WIDTH_MM[kind.layout]
    alerts: list[Problem] = []
    blocks = []
    for snapshot in snapshots:
        cells = fit_cells(person_cells(snapshot, kind, options, on), width, behaviour, alerts, kind.layout)
        history = fit_cells(history_of(snapshot), width, behaviour, alerts, kind.layout) if history_of else []
        blocks.append(PersonBlock(snapshot["atena_number"], cells, history))
    header = []
    if kind.layout == "household":
        header = fit_cells(
            household_header(snapshots[0], options), VALUE_WIDTH_MM["individual"], behaviour, alerts
        )
    return CertificateContent(
        certificate_type=kind,
        municipality_code=municipality.code,
        municipality_name=municipality.name,
        prefecture=municipality.prefecture,
        header=header,
        sheets=paginate(blocks, kind.layout),
        official=official,
        issue_date=issued_on,
        issue_date_text=format_wareki(issued_on),
        options=options,
        alerts=alerts,
    )
