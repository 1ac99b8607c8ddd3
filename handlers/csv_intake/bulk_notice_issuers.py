"""Who signs the notices of a 住所一括変更 (j1340, j1050): the 認証者 ``certificates.officials.official_on`` gives
for the household's ward — a designated city's 区長 where one is registered for the ward, else the city's
certifier, as on the counter's certificates — worked out once per ward and run.

Every ward the run concerns is checked before any notice is made: a ward without a certifier in effect refuses
the whole output with ``official_on``'s problem, the ward named.  The wards are those of the households the
plan names as they stand now (a household that moved since into another ward is checked there too, although
a 事後通知 leaves it out).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import select

from handlers.certificates.officials import NoOfficialError, certifier_line, official_on
from handlers.errors import NotFoundError, Problem
from handlers.uow import UnitOfWork
from models.reporting import BulkAddressChange
from models.resident import Household, Resident
from models.tenant import Municipality

IN_CHUNK = 1000  # 宛名番号 per IN (…) of the query of the run's wards


class NoticeIssuers:
    """The 認証者 line of each ward's notices on one day, each ward's worked out once."""

    def __init__(self, municipality: Municipality, on: dt.date) -> None:
        self.municipality, self.on = municipality, on
        self.designated = municipality.kind == "designated_city"
        self._lines: dict[str | None, str] = {}

    def ward_of(self, household: Household) -> str | None:
        """The ward whose 区長 may sign: a designated city's household's ward, none elsewhere."""
        return household.ward_code if self.designated else None

    def line(self, ward_code: str | None) -> str:
        """The certifier line for ``ward_code``; NoOfficialError naming the ward when none is in effect."""
        if ward_code not in self._lines:
            try:
                official = official_on(self.municipality, self.on, "auto", ward_code)
            except NoOfficialError as refused:
                raise NoOfficialError([self._named(p, ward_code) for p in refused.problems]) from refused
            self._lines[ward_code] = certifier_line(official.printed_title, official.name)
        return self._lines[ward_code]

    def line_for(self, household: Household) -> str:
        return self.line(self.ward_of(household))

    def _named(self, problem: Problem, ward_code: str | None) -> Problem:
        if ward_code is None:
            return problem
        names = {w.code: w.name for w in self.municipality.wards}
        return replace(problem, item=f"{names.get(ward_code, ward_code)}の認証者")


def _municipality(uow: UnitOfWork) -> Municipality:
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    if municipality is None:
        raise NotFoundError("市区町村が登録されていません。")
    return municipality


def _wards_of_run(uow: UnitOfWork, change: BulkAddressChange) -> set[str | None]:
    """The wards of the households the run's plan names (the household of each entry's first person)."""
    firsts = [str(entry["members"][0]["atena_number"]) for entry in change.plan]
    wards: set[str | None] = set()
    for start in range(0, len(firsts), IN_CHUNK):
        wards.update(
            uow.session.scalars(
                select(Household.ward_code)
                .join(Resident, Resident.household_id == Household.id)
                .where(Resident.atena_number.in_(firsts[start : start + IN_CHUNK]))
                .distinct()
            )
        )
    return wards


def issuers_on(uow: UnitOfWork, on: dt.date) -> NoticeIssuers:
    """The signers of notices issued on ``on``, each ward's worked out when first asked for."""
    return NoticeIssuers(_municipality(uow), on)


def issuers_of_run(uow: UnitOfWork, change: BulkAddressChange, on: dt.date) -> NoticeIssuers:
    """The signers of the run's notices issued on ``on``, every ward concerned checked up front
    (NoOfficialError, the ward named, when one has no certifier in effect)."""
    issuers = issuers_on(uow, on)
    wards = _wards_of_run(uow, change) if issuers.designated else {None}
    for ward in sorted(wards, key=lambda w: w or ""):
        issuers.line(ward)
    return issuers
