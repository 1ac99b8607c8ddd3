"""The ONE disclosure decision (j410, j440): every door that would disclose resident data asks
``check_disclosure`` first.  This module loads the facts; ``handlers.rules.disclosure`` decides.

Every call, allowed or refused, writes one access-log row ``disclosure_decided`` naming the requester kind,
the purpose, the outcome and the reason (never an address).  No permission is needed to ask: the door that
asks has checked its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from handlers.audit import record_access
from handlers.clock import JST
from handlers.errors import Problem, ValidationError
from handlers.permissions import has_permission
from handlers.rules.disclosure import (
    ITEMS,
    PROTECTED_PURPOSES,
    PURPOSE_PROCESS,
    PURPOSES,
    REQUESTER_KINDS,
    UNATTENDED_CHANNELS,
    ActiveSuppression,
    Decision,
    DisclosureFacts,
    DisclosureRequest,
    Identity,
    Perpetrator,
    Requester,
    decide,
)
from handlers.rules.instants import as_utc
from handlers.support_measures import (
    ACTIVE_STATUSES,
    PROTECTED_ROLES,
    protected_flag,
    protection_statuses,
)
from handlers.tenancy import built_once
from handlers.uow import UnitOfWork
from models.removed import RemovedRecordArchive
from models.resident import Household, Resident
from models.support import SupportMeasure, SupportMeasureParty
from models.suppression import DisclosureRelease, Suppression, TemporaryLift

__all__ = [
    "MEMBER_FACTS", "Decision", "DisclosureRequest", "Identity", "Requester", "Withheld", "check_disclosure",
    "load_facts", "households_of", "persons_withheld_from_lists", "request_fingerprint", "utcnow",
]  # fmt: skip


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- the request -----------------------------------------------------------------------------------------


def _identity_json(identity: Identity | None) -> dict[str, Any] | None:
    if identity is None:
        return None
    birth = identity.birth_date.isoformat() if identity.birth_date else None
    return {
        "atena_number": identity.atena_number,
        "name": identity.name,
        "kana": identity.kana,
        "birth": birth,
    }


def request_fingerprint(request: DisclosureRequest) -> str:
    """sha256 of the canonical request: the same requester, persons, purpose and items give the same print."""
    body = {
        "kind": request.requester.kind,
        "requester": _identity_json(request.requester.identity),
        "on_behalf_of": _identity_json(request.on_behalf_of),
        "subjects": sorted(set(request.subjects)),
        "households": sorted(set(request.households)),
        "purpose": request.purpose,
        "items": sorted(set(request.items)),
    }
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _check_request(request: DisclosureRequest) -> None:
    problems = []
    if request.requester.kind not in REQUESTER_KINDS:
        problems.append(
            Problem(
                "requester.kind", "請求者の区分", "選べる値ではありません", "一覧から選んでください", "choice"
            )
        )
    if request.purpose not in PURPOSES:
        problems.append(
            Problem("purpose", "請求の目的", "選べる値ではありません", "一覧から選んでください", "choice")
        )
    for item in request.items:
        if item not in ITEMS:
            problems.append(
                Problem("items", item, "記載項目ではありません", "記載項目を確認してください", "choice")
            )
    if not request.subjects and not request.households:
        problems.append(
            Problem("subjects", "対象者", "指定されていません", "対象者を指定してください", "required")
        )
    if problems:
        raise ValidationError(problems)


# --- the facts -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    asked: set[str]  # persons asked for, incl. members of the households asked for
    persons: set[str]  # they and every member of their households
    households: set[str]  # their 世帯番号
    flagged: set[str]  # the members a measure in force or provisional protects (before temporary lifts)
    all_members: bool  # every person asked for is a member read here (none only in the 除票 archive)
    suppression_possible: bool  # False: no suppression can concern the request (see _household_members)


_MEMBER_PROTECTED = protected_flag(Resident.atena_number)  # built once, as its statement's other parts
# Built once with their parameters bound at execution: building a statement (and its cache key) cost more than
# running it.  ``expanding`` lists: an empty list matches nothing.
_MEMBERS_OF_HOUSEHOLDS = built_once(
    select(Resident.atena_number)
    .join(Household, Household.id == Resident.household_id)
    .where(Household.household_number.in_(bindparam("households", expanding=True)))
)
# Whether any suppression not released is set on the member or on the member's household (any process, any
# start date): a superset of what ``_suppressions`` reads, so when no member is flagged it would read nothing.
_MEMBER_SUPPRESSED = (
    select(Suppression.id)
    .where(
        Suppression.released_at.is_(None),
        or_(
            Suppression.atena_number == Resident.atena_number,
            Suppression.household_number == Household.household_number,
        ),
    )
    .exists()
    .label("is_suppressed")
)
# What the facts need of each member of the households of the persons asked for: the 宛名番号, the 世帯番号,
# whether a measure protects them and whether a suppression may concern them.  A door that reads those members
# itself (the record view) selects these columns first, joined to the household, and hands its rows over
# (``check_disclosure(members=…)``) instead of their being read twice.
MEMBER_FACTS = (Resident.atena_number, Household.household_number, _MEMBER_PROTECTED, _MEMBER_SUPPRESSED)
_MEMBERS_WITH_PROTECTION = built_once(
    select(*MEMBER_FACTS)
    .join(Household, Household.id == Resident.household_id)
    .where(
        Resident.household_id.in_(
            select(Resident.household_id).where(Resident.atena_number.in_(bindparam("asked", expanding=True)))
        )
    )
)


def _household_members(
    session: Session, request: DisclosureRequest, members: Sequence[Sequence[Any]] | None
) -> _Scope:
    asked = set(request.subjects)
    if members is not None:
        if request.households:
            raise ValueError("members are given only for a request of persons, not of households")
        rows = members
    else:
        if request.households:
            asked |= set(session.scalars(_MEMBERS_OF_HOUSEHOLDS, {"households": list(request.households)}))
        rows = session.execute(_MEMBERS_WITH_PROTECTION, {"asked": list(asked)}).all()
    read = {row[1] for row in rows}
    members_read = {row[0] for row in rows}
    flagged = {row[0] for row in rows if row[2]}
    all_members = asked <= members_read
    # a suppression can concern the request only through a flagged member, a person asked for who is not a
    # member read here, or a household asked for that has no member read here
    possible = any(row[3] for row in rows) or not all_members or not set(request.households) <= read
    return _Scope(asked, asked | members_read, read | set(request.households), flagged, all_members, possible)


def _live_lifts(
    session: Session, column: Any, ids: Collection[int], purpose: str, now: dt.datetime
) -> set[int]:
    """Ids (of measures or suppressions) temporarily lifted for ``purpose`` and not yet expired."""
    if not ids:
        return set()
    rows = session.execute(
        select(column, TemporaryLift.expires_at).where(
            column.in_(list(ids)), TemporaryLift.purpose == purpose
        )
    ).all()
    return {row[0] for row in rows if as_utc(row[1]) > now}


def _protection(
    session: Session, scope: set[str], purpose: str, now: dt.datetime, lifts: bool = True
) -> tuple[frozenset[str], tuple[Perpetrator, ...]]:
    rows = session.execute(  # no alias: building one per call cost more than the statement
        select(SupportMeasure.id, SupportMeasureParty.atena_number)
        .join(SupportMeasureParty, SupportMeasureParty.measure_id == SupportMeasure.id)
        .where(
            SupportMeasure.status.in_(ACTIVE_STATUSES),
            SupportMeasureParty.role.in_(PROTECTED_ROLES),
            SupportMeasureParty.atena_number.in_(scope),
        )
    ).all()
    measure_ids = {row[0] for row in rows}
    if not measure_ids:
        return frozenset(), ()  # nobody in scope is protected: no lifts, no perpetrators to read
    lifted = _live_lifts(session, TemporaryLift.measure_id, measure_ids, purpose, now) if lifts else set()
    protected = frozenset(row[1] for row in rows if row[0] not in lifted and row[1])
    parties = session.scalars(
        select(SupportMeasureParty).where(
            SupportMeasureParty.measure_id.in_(measure_ids), SupportMeasureParty.role == "perpetrator"
        )
    )
    perpetrators = tuple(
        Perpetrator(p.measure_id, p.atena_number, p.name, p.kana_key, p.birth_date) for p in parties
    )
    return protected, perpetrators


# the suppressions of one process in force today on the persons or households asked for (columns only)
_SUPPRESSIONS = built_once(
    select(Suppression.id, Suppression.atena_number, Suppression.household_number, Suppression.level).where(
        Suppression.process == bindparam("process"),
        Suppression.released_at.is_(None),
        Suppression.start_date <= bindparam("today"),
        or_(
            Suppression.atena_number.in_(bindparam("asked", expanding=True)),
            Suppression.household_number.in_(bindparam("households", expanding=True)),
        ),
    )
)


def _suppressions(
    session: Session,
    asked: set[str],
    households: set[str],
    purpose: str,
    now: dt.datetime,
    lifts: bool = True,
) -> tuple[ActiveSuppression, ...]:
    process = PURPOSE_PROCESS.get(purpose)
    if process is None:
        return ()
    params = {
        "process": process,
        "today": now.astimezone(JST).date(),
        "asked": list(asked),
        "households": list(households),
    }
    rows = session.execute(_SUPPRESSIONS, params).all()
    lifted = (
        _live_lifts(session, TemporaryLift.suppression_id, {s.id for s in rows}, purpose, now)
        if lifts
        else set()
    )
    return tuple(
        ActiveSuppression(s.id, s.atena_number, s.household_number, s.level)
        for s in rows
        if s.id not in lifted
    )


def _release_id(session: Session, fingerprint: str) -> int | None:
    return session.scalar(
        select(DisclosureRelease.id)
        .where(
            DisclosureRelease.fingerprint == fingerprint,
            DisclosureRelease.released_at.is_not(None),
            DisclosureRelease.used_at.is_(None),
        )
        .order_by(DisclosureRelease.id)
        .limit(1)
    )


def load_facts(
    session: Session,
    request: DisclosureRequest,
    now: dt.datetime,
    members: Sequence[Sequence[Any]] | None = None,
) -> DisclosureFacts:
    """The facts of ``request``.  ``members``: rows starting with the ``MEMBER_FACTS`` columns of every resident
    (any status) of the households of the persons asked for, when the caller has read them already.

    At an unattended terminal (コンビニ交付) a temporary lift does not count and no release is looked up: a lift
    is never passed to the terminal (j410) and a release is the officer's for one counter request (j440)."""
    attended = request.channel not in UNATTENDED_CHANNELS
    scope = _household_members(session, request, members)
    protected: frozenset[str] = frozenset()
    perpetrators: tuple[Perpetrator, ...] = ()
    if scope.flagged or not scope.all_members:  # else the members' flags say nobody in scope is protected
        protected, perpetrators = _protection(session, scope.persons, request.purpose, now, attended)
    suppressions: tuple[ActiveSuppression, ...] = ()
    if scope.suppression_possible:  # else the members' flags say no suppression concerns the request
        suppressions = _suppressions(session, scope.asked, scope.households, request.purpose, now, attended)
    release_id = None
    if attended and request.purpose in PROTECTED_PURPOSES and protected:
        release_id = _release_id(session, request_fingerprint(request))
    return DisclosureFacts(protected, perpetrators, suppressions, release_id)


# --- the door --------------------------------------------------------------------------------------------


def check_disclosure(
    uow: UnitOfWork,
    request: DisclosureRequest,
    *,
    now: dt.datetime | None = None,
    consume_release: bool = True,
    members: Sequence[Sequence[Any]] | None = None,
) -> Decision:
    """Decide one disclosure and log it.  An ``allow`` that relies on the officer's release uses it up,
    unless ``consume_release`` is False: a step that only decides whether the disclosure may go ahead (the
    certificate-request flow's check) leaves the release for the door that actually discloses (issuance).
    ``members``: see ``load_facts``."""
    _check_request(request)
    moment = now or utcnow()
    decision = decide(request, load_facts(uow.session, request, moment, members))
    if consume_release and decision.allowed and decision.release_id is not None:
        release = uow.session.get(DisclosureRelease, decision.release_id)
        assert release is not None  # just loaded in this transaction
        release.used_at = moment
        uow.session.flush()
    detail: dict[str, Any] = {
        "requester_kind": request.requester.kind,
        "purpose": request.purpose,
        "items": sorted(set(request.items)),
        "outcome": decision.outcome,
        "reason_code": decision.reason_code,
    }
    if decision.release_id is not None:
        detail["release_id"] = decision.release_id
        detail["release_used"] = consume_release
    if request.households:
        detail["households"] = sorted(set(request.households))
    if request.channel != "counter":
        detail["channel"] = request.channel
    record_access(uow, "disclosure_decided", "view", targets=request.subjects, detail=detail)
    return decision


# --- lists of persons ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Withheld:
    """Who a list of persons leaves out: the protected persons and every member of their households (the
    address and the 世帯番号 of an unprotected member are the protected person's)."""

    protected: frozenset[str] = frozenset()  # the persons a measure protects
    persons: frozenset[str] = frozenset()  # they and every member (live or archived 除票) of their households
    households: frozenset[str] = frozenset()  # the 世帯番号 of those households

    def withholds(self, atena_number: str, household_number: str | None = None) -> bool:
        return atena_number in self.persons or household_number in self.households


def households_of(session: Session, protected: Collection[str]) -> Withheld:
    """``protected`` with every member of their households: the live members, and the archived 除票 filed
    under the same 世帯番号."""
    live = session.execute(
        select(Household.id, Household.household_number)
        .join(Resident, Resident.household_id == Household.id)
        .where(Resident.atena_number.in_(list(protected)))
    ).all()
    numbers = frozenset(row[1] for row in live) | frozenset(
        session.scalars(
            select(RemovedRecordArchive.household_number).where(
                RemovedRecordArchive.atena_number.in_(list(protected))
            )
        )
    )
    members = set(
        session.scalars(select(Resident.atena_number).where(Resident.household_id.in_([r[0] for r in live])))
    )
    members |= set(
        session.scalars(
            select(RemovedRecordArchive.atena_number).where(
                RemovedRecordArchive.household_number.in_(list(numbers))
            )
        )
    )
    return Withheld(frozenset(protected), frozenset(members | set(protected)), numbers)


def persons_withheld_from_lists(uow: UnitOfWork, purpose: str, *, now: dt.datetime | None = None) -> Withheld:
    """THE rule for every list of persons (inspection list, extraction and sampling, …): leave out each
    person protected by a support measure in force or provisional, and every member of their household.

    The protected persons are decided by ``check_disclosure`` for ``purpose`` (temporary lifts for that purpose
    honoured; one ``disclosure_decided`` row).  The support-measure officer (``support.view``) is withheld
    nothing, except from the inspection list, which is made for the public (j1320)."""
    if purpose != "inspection" and has_permission(uow.actor, "support.view"):
        return Withheld()
    candidates = tuple(sorted(protection_statuses(uow.session)))
    if not candidates:
        return Withheld()
    request = DisclosureRequest(requester=Requester("official"), subjects=candidates, purpose=purpose)
    decision = check_disclosure(uow, request, now=now, consume_release=False)
    protected = set(decision.subjects_protected)
    if not protected:
        return Withheld()
    return households_of(uow.session, protected)
