"""What a flow scenario needs before its case opens (``given``) and the placeholders of its data.

A scenario may arrange, inside its rolled-back SAVEPOINT and through the real handlers::

    "given": {"households": [{"household": {"address": ...}, "members": [{...}, ...]}],
              "immigration_notices": [{"kind": ..., "residence_card_number": ..., "payload": {...}}],
              "resident_code_pool": 3,
              "settings": {"resident_code_pool_alert": 1000},
              "cases": [{"change_type": "move_out", "intake": {...}, "steps": [...]}]}

``immigration_notices`` are 長官通知 rows imported as a clerk (``import_immigration_notices``);
``households`` are registered as a clerk would (``register_household``; a member marked
``"without_resident_code": true`` then loses its code, like a record converted without one); ``resident_code_pool`` loads that
many fresh 住民票コード as a supervisor (``load_pool``); ``settings`` overrides the municipality's
"may implement" options (handlers.tenants.MAY_IMPLEMENT) for the scenario only; ``cases`` are earlier cases
run to their end first (a 転出 before its 転入通知, a 死亡 before its 取消).

Strings in the intake, the steps and ``given`` are placeholders when they are exactly:
``{today}`` / ``{today-5}`` / ``{today+3}`` (ISO date), ``{household:0}`` (世帯番号 of the first given household),
``{resident:0.2}`` (宛名番号 of its third member), ``{immigration_notice:0}`` (id of the first given notice),
``{my_number}`` / ``{resident_code}`` / ``{card_number}`` (a fresh valid 個人番号 / 住民票コード / 在留カード番号;
with a label, ``{card_number:a}``, the same fresh number wherever the label recurs).  Dictionary keys are resolved the same way.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from handlers.clock import japan_today
from handlers.context import Actor
from handlers.errors import Problem, ValidationError
from handlers.immigration_notices import import_immigration_notices
from handlers.residents.registration import register_household
from handlers.residents.resident_code_pool import load_pool
from handlers.rules.check_digit import my_number_check_digit, with_m11w27
from handlers.tenants import update_settings
from handlers.uow import UnitOfWork

TOKEN = re.compile(
    r"^\{(?:today(?:(?P<sign>[+-])(?P<days>\d+))?|household:(?P<household>\d+)"
    r"|resident:(?P<h>\d+)\.(?P<m>\d+)|immigration_notice:(?P<notice>\d+)"
    r"|(?P<fresh>my_number|resident_code|card_number)(?::(?P<label>\w+))?)\}$"
)
MAX_GIVEN_HOUSEHOLDS = 10
MAX_POOL_CODES = 20


def scenario_actor(uow: UnitOfWork, role: str) -> UnitOfWork:
    """The same transaction, acting as a distinct scenario user of ``role`` (the four-eyes rule holds)."""
    actor = Actor(tenant_id=uow.actor.tenant_id, login_id=f"scenario-{role}", roles=frozenset({role}))
    return UnitOfWork(uow.session, actor)


def fresh_value(kind: str) -> str:
    """A fresh, valid number of ``kind`` (random: a clash with the register is practically impossible)."""
    if kind == "my_number":
        body = f"{secrets.randbelow(10**11):011d}"
        return body + my_number_check_digit(body)
    if kind == "resident_code":
        return with_m11w27(f"{secrets.randbelow(9 * 10**9) + 10**9:010d}")
    return f"SC{secrets.randbelow(10**8):08d}AB"


@dataclass
class Placeholders:
    """The values placeholders stand for in one run of a scenario."""

    households: list[tuple[str, list[str]]] = field(default_factory=list)  # (世帯番号, 宛名番号 of members)
    notice_ids: list[int] = field(default_factory=list)  # 長官通知 (ImmigrationNotice) ids
    labelled: dict[str, str] = field(default_factory=dict)  # "{card_number:a}" → the same fresh number

    def resolve(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(self.resolve(k)): self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        match = TOKEN.match(value) if isinstance(value, str) else None
        return value if match is None else self._value(match)

    def _value(self, match: re.Match[str]) -> str | int:
        if match.group("fresh"):
            kind, label = match.group("fresh"), match.group("label")
            if label is None:
                return fresh_value(kind)
            return self.labelled.setdefault(f"{kind}:{label}", fresh_value(kind))
        if match.group("notice") is not None:
            index = int(match.group("notice"))
            if index >= len(self.notice_ids):
                raise _given_error(f"前提の長官通知 {index} がありません")
            return self.notice_ids[index]
        if match.group("household") is not None:
            return self._household(int(match.group("household")))[0]
        if match.group("h") is not None:
            members = self._household(int(match.group("h")))[1]
            index = int(match.group("m"))
            if index >= len(members):
                raise _given_error(f"世帯 {match.group('h')} に {index + 1} 人目の世帯員がありません")
            return members[index]
        days = int(match.group("days") or 0) * (-1 if match.group("sign") == "-" else 1)
        return (japan_today() + dt.timedelta(days=days)).isoformat()

    def _household(self, index: int) -> tuple[str, list[str]]:
        if index >= len(self.households):
            raise _given_error(f"前提の世帯 {index} がありません")
        return self.households[index]


def _given_error(reason: str) -> ValidationError:
    return ValidationError(
        [Problem("given", "テストシナリオの前提", reason, "前提を確認してください。", "given")]
    )


def _register_households(uow: UnitOfWork, specs: list[Any], refs: Placeholders) -> None:
    clerk = scenario_actor(uow, "clerk")
    for spec in specs[:MAX_GIVEN_HOUSEHOLDS]:
        members = [
            {"my_number": fresh_value("my_number"), "resident_code": fresh_value("resident_code"), **m}
            for m in refs.resolve(list(spec.get("members") or []))
        ]
        uncoded = [i for i, m in enumerate(members) if m.pop("without_resident_code", False)]
        created = register_household(
            clerk,
            refs.resolve(dict(spec.get("household") or {})),
            members,
            reason_code=str(spec.get("reason_code") or "domestic_move_in"),
            change_date=str(refs.resolve(spec.get("change_date") or "2020-04-01")),
        )
        for index in uncoded:  # a record converted from an older system without its 住民票コード
            created.members[index].resident_code = None
        refs.households.append((created.household_number, [m.atena_number for m in created.members]))


def arrange(uow: UnitOfWork, given: Mapping[str, Any]) -> Placeholders:
    """Set up what ``given`` asks for (in the caller's SAVEPOINT) and return the placeholders' values."""
    refs = Placeholders()
    if given.get("settings"):
        update_settings(scenario_actor(uow, "administrator"), dict(given["settings"]))
    _register_households(uow, list(given.get("households") or []), refs)
    notices = refs.resolve(list(given.get("immigration_notices") or []))
    if notices:
        imported = import_immigration_notices(scenario_actor(uow, "clerk"), notices[:MAX_GIVEN_HOUSEHOLDS])
        refs.notice_ids.extend(n.id for n in imported)
    pool = min(int(given.get("resident_code_pool") or 0), MAX_POOL_CODES)
    if pool:
        load_pool(scenario_actor(uow, "supervisor"), [fresh_value("resident_code") for _ in range(pool)])
    return refs
