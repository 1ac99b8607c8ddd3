"""本籍入力補助 (j510): besides typing it, the clerk may choose a person's 本籍 from the registered 現住所,
転入前住所, 世帯主の本籍 and 世帯員の本籍 (``honseki_candidates``), and, for a 再転入者, from the person's own
history, leaving out every 本籍 whose municipality no longer exists after a merger
(``readmission_honseki_candidates``, ``handlers.rules.municipalities``).

The household read is an 異動入力 of the persons and household named, so it passes the one disclosure decision
(``change_input``: an error-level suppression refuses it, and the decision is logged); a user whose 本籍 is a
hidden item (j1390) is offered the addresses only.  The candidates are suggestions: the 本籍 stays free text,
so (旧)町名 and the like can be entered as they stand in the 戸籍.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from handlers.cases.change_input_gate import change_input_check
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.residents.history import display_name, history_rows
from handlers.residents.lookup import find_household, find_resident
from handlers.residents.validation import HONSEKI_PLACEHOLDERS
from handlers.rules.digits import ascii_digits
from handlers.rules.kanji import fold_address
from handlers.rules.municipalities import municipality_exists
from handlers.uow import UnitOfWork
from models.resident import Household, Resident

SOURCE_LABELS = {
    "current_address": "現住所",
    "previous_address": "転入前住所",
    "head_honseki": "世帯主の本籍",
    "member_honseki": "世帯員の本籍",
    "own_history": "本人の履歴",
}


@dataclass(frozen=True)
class HonsekiCandidate:
    source: str  # SOURCE_LABELS
    label: str  # what the clerk reads beside the value, e.g. 世帯員の本籍（山田 花子）
    honseki: str
    hittosha: str = ""  # offered with a 本籍 taken from a person (the same 戸籍), never with an address

    def to_json(self) -> dict[str, str]:
        return {
            "source": self.source,
            "label": self.label,
            "honseki": self.honseki,
            "hittosha": self.hittosha,
        }


@dataclass(frozen=True)
class HonsekiQuery:
    atena_number: str = ""  # the registered person whose 本籍 is entered (修正・戸籍通知)
    household_number: str = ""  # the registered household the person joins (転入・出生)
    address: str = ""  # 現住所 as entered on the form
    former_address: str = ""  # 転入前住所 as entered on the form
    entered: tuple[str, ...] = ()  # 本籍 already typed for the other persons of the same intake
    re_move_in_of: str = ""  # the 除票 of a 再転入者: their own history's 本籍 come first


def _candidate(
    source: str, honseki: str | None, hittosha: str | None = None, who: str = ""
) -> HonsekiCandidate | None:
    value = (honseki or "").strip()
    if not value or value in HONSEKI_PLACEHOLDERS:
        return None
    label = f"{SOURCE_LABELS[source]}（{who}）" if who else SOURCE_LABELS[source]
    return HonsekiCandidate(source, label, value, (hittosha or "").strip())


def _unique(candidates: Iterable[HonsekiCandidate | None]) -> list[HonsekiCandidate]:
    """Each 本籍 (and 筆頭者) once, the first source kept: 二丁目 and 2丁目 are the same place."""
    seen: set[tuple[str, str]] = set()
    kept: list[HonsekiCandidate] = []
    for candidate in candidates:
        if candidate is None:
            continue
        key = (fold_address(candidate.honseki), candidate.hittosha)
        if key not in seen:
            seen.add(key)
            kept.append(candidate)
    return kept


def _gate(uow: UnitOfWork, persons: Iterable[str], households: Iterable[str]) -> None:
    keys = [f"resident:{p}" for p in persons] + [f"household:{h}" for h in households]
    errors, _alerts = change_input_check(uow, keys)
    if errors:
        raise ValidationError(errors)


def _household_honseki(household: Household, person: Resident | None) -> Iterator[HonsekiCandidate | None]:
    head = household.head
    if head is not None and head is not person and head.status == "resident":
        yield _candidate("head_honseki", head.honseki, head.hittosha, display_name(head))
    for member in household.members:
        if member is not person and member is not head and member.status == "resident":
            yield _candidate("member_honseki", member.honseki, member.hittosha, display_name(member))


NUMBER_ITEMS = {"atena_number": "宛名番号", "household_number": "世帯番号", "re_move_in_of": "再転入"}
REGISTER_NUMBER = re.compile(r"^[0-9]{1,10}$")


def _numbers(query: HonsekiQuery) -> HonsekiQuery:
    """``query`` with its register numbers folded to ASCII digits; a number that cannot be one (letters, more
    than ten digits) is refused.  A number that is well formed but not on the register is not refused here: it
    is 'not found' (``NotFoundError``): the page's script asks while the clerk is still typing it."""
    folded = {item: ascii_digits(getattr(query, item)).strip() for item in NUMBER_ITEMS}
    problems = [
        Problem(item, label, "数字10桁以内ではありません", "数字（10桁以内）で入力してください", "malformed")
        for item, label in NUMBER_ITEMS.items()
        if folded[item] and not REGISTER_NUMBER.match(folded[item])
    ]
    if problems:
        raise ValidationError(problems)
    return replace(query, atena_number=folded["atena_number"], household_number=folded["household_number"],
                   re_move_in_of=folded["re_move_in_of"])  # fmt: skip


def honseki_candidates(uow: UnitOfWork, query: HonsekiQuery) -> list[HonsekiCandidate]:
    """The 本籍 the clerk may choose for the person entered: for a 再転入者 their own history's first, then
    現住所, 転入前住所, and the 本籍 of the head and of the other members (of the registered household, or typed
    for the others of the same intake).  A malformed number is refused (``ValidationError``), a person or
    household this municipality does not have is not found (``NotFoundError``)."""
    require(uow.actor, "resident.change")
    query = _numbers(query)
    person = find_resident(uow.session, query.atena_number) if query.atena_number else None
    household = person.household if person is not None else None
    if household is None and query.household_number:
        household = find_household(uow.session, query.household_number)
    _gate(uow, [person.atena_number] if person else [], [household.household_number] if household else [])
    found: list[HonsekiCandidate | None] = []
    if query.re_move_in_of.strip():
        found += readmission_honseki_candidates(uow, query.re_move_in_of)
    found += [
        _candidate("current_address", query.address or (household.address if household else "")),
        _candidate("previous_address", query.former_address or (person.previous_address if person else "")),
    ]
    if "honseki" not in uow.actor.hidden_items:
        if household is not None:
            found += _household_honseki(household, person)
        found += [_candidate("member_honseki", value, who="入力中") for value in query.entered]
    return _unique(found)


def _own_history(uow: UnitOfWork, atena_number: str) -> list[tuple[int, str | None, str | None]]:
    """(履歴番号, 本籍, 筆頭者) of every snapshot of the 除票, newest first (a 再転入 readmits a 除票 still in the
    register: ``handlers.residents.households.readmit_resident``)."""
    try:
        person = find_resident(uow.session, atena_number)
    except NotFoundError:
        raise ValidationError([_not_removed()]) from None
    if person.status != "removed":
        raise ValidationError([_not_removed()])
    rows = history_rows(uow.session, atena_number)
    return [(r.history_no, r.snapshot.get("honseki"), r.snapshot.get("hittosha")) for r in reversed(rows)]


def _not_removed() -> Problem:
    return Problem("re_move_in_of", "再転入", "指定された宛名番号の除票が見つかりません",
                   "再転入する人の除票の宛名番号を指定してください", "not_removed")  # fmt: skip


def readmission_honseki_candidates(uow: UnitOfWork, atena_number: str) -> list[HonsekiCandidate]:
    """再転入 (j510, j600): the 本籍 of the person's own history, newest first, without those whose municipality
    no longer exists (merged away); a 本籍 the rule cannot place (no 都道府県) is kept."""
    require(uow.actor, "resident.change")
    number = atena_number.strip()
    _gate(uow, [number], [])
    if "honseki" in uow.actor.hidden_items:
        return []
    found = [
        _candidate("own_history", honseki, hittosha, f"履歴番号 {history_no}")
        for history_no, honseki, hittosha in _own_history(uow, number)
        if municipality_exists(str(honseki or "")) is not False
    ]
    return _unique(found)
