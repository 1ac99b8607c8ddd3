"""異動入力の抑止 (j410): every change intake passes the ONE disclosure decision with purpose ``change_input``
for the persons and households it locks.  An error-level 異動入力 suppression refuses the intake; an
alert-level one, and a person under a support measure, add alerts that must be acknowledged at review.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers.errors import Problem
from handlers.rules.disclosure import DisclosureRequest, Identity, Requester
from handlers.suppression import check_disclosure
from handlers.uow import UnitOfWork

SUPPRESSED = Problem(
    "atena_numbers",
    "異動入力",
    "対象の住民または世帯に異動入力の抑止（エラー）が設定されています",
    "支援措置責任者に確認し、抑止の解除または一時解除を受けてから入力してください",
    "change_input_suppressed",
)


def _split(lock_keys: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    persons = sorted({k.split(":", 1)[1] for k in lock_keys if k.startswith("resident:")})
    households = sorted({k.split(":", 1)[1] for k in lock_keys if k.startswith("household:")})
    return tuple(persons), tuple(households)


def change_input_check(uow: UnitOfWork, lock_keys: Sequence[str]) -> tuple[list[Problem], list[Problem]]:
    """(errors, alerts) of the 異動入力 decision for the intake's lock keys ("resident:…", "household:…");
    nothing to decide when the intake names nobody yet registered (a birth, a first move-in)."""
    persons, households = _split(lock_keys)
    if not persons and not households:
        return [], []
    request = DisclosureRequest(
        Requester("official", Identity()), persons, "change_input", households=households
    )
    decision = check_disclosure(uow, request)
    if decision.reason_code == "suppressed":
        return [SUPPRESSED], []
    return [], list(decision.alerts)
