"""The contract every change type (転入, 転居, 転出, 出生 …) fulfils, and the registry of types.

The case framework (``handlers.cases``) drives a case through 受付 → 審査 → 登録 → 通知 → 交付 and calls the
change type at two points only:

* ``assess(uow, intake)`` at intake (and again at approval): parse and check the entered data against the
  register and the law.  It returns an ``Assessment``: the normalised ``proposal`` to keep as the provisional
  change (仮登録; JSON-safe, ids not rows), the errors that block (``problems``), the alerts that need an
  explicit acknowledgement (``alerts``), the subjects to lock while the case is open, and the event date that
  drives the legal deadline.  It must not change the register.
* ``register(uow, proposal)`` at 本登録: apply the proposal through the residents handlers (appending history,
  never overwriting) and return what changed and which notices go out.  It runs in the case's transaction.

Change types register themselves at import with ``register_change_type``; ``handlers.changes.catalog`` imports
every module so the registry is complete.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from handlers.errors import Problem
from handlers.uow import UnitOfWork


@dataclass(frozen=True)
class NoticeDraft:
    """One outbound notice to queue in the outbox at 本登録 (delivered by Celery after commit)."""

    destination: str  # cs / addressee / koseki_fuhyo / municipality:<code> / department:<name>
    kind: str  # e.g. identity_change, move_in_notice, move_out_certificate
    payload: dict[str, Any]


@dataclass
class Assessment:
    proposal: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)  # level "error": block registration
    alerts: list[Problem] = field(default_factory=list)  # level "alert": need acknowledgement
    # lock keys: "resident:<宛名番号>", "household:<世帯番号>"
    subjects: list[str] = field(default_factory=list)
    event_date: dt.date | None = None  # 異動日 (or planned date for 転出): drives the deadline

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class RegistrationResult:
    atena_numbers: list[str]  # persons whose record changed (history rows appended)
    household_numbers: list[str]
    notices: list[NoticeDraft] = field(default_factory=list)
    # documents to issue at 交付 (e.g. move_out_certificate)
    documents: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)  # JSON-safe facts for the case timeline


class ChangeType(Protocol):
    code: str  # stable code, also the prefix of its service operators: "move_in"
    label: str  # Japanese name shown in the UI: "転入"
    process_id: str  # BPMN process id; the file is workflows/<process_id>.bpmn
    deadline: str  # "event_plus_14" / "planned_date" / "none"  (legal due date of the case)

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment: ...

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult: ...


_TYPES: dict[str, ChangeType] = {}


def register_change_type(change_type: ChangeType) -> ChangeType:
    existing = _TYPES.get(change_type.code)
    if existing is not None and existing is not change_type:
        raise ValueError(f"change type {change_type.code!r} is already registered")
    _TYPES[change_type.code] = change_type
    return change_type


def change_type(code: str) -> ChangeType:
    try:
        return _TYPES[code]
    except KeyError:
        raise KeyError(f"unknown change type {code!r}") from None


def change_types() -> dict[str, ChangeType]:
    return dict(_TYPES)
