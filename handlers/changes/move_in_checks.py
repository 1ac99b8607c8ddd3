"""The checks of a 転入 intake (j560–j620) that need the register: the destination household, 再転入 (j600),
the 14-day notification period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.address_lookup import dictionary_code_problems
from handlers.changes.notification_origin import is_ex_officio, notified_input, special_problem
from handlers.changes.removed_matches import MatchKeys, removed_matching
from handlers.errors import Problem
from handlers.residents.events import ChangeRequest, check_change_request
from handlers.residents.validation import validate_household_input
from handlers.rules.date_input import DateInputError, parse_flexible_date
from handlers.rules.deadlines import legal_deadline
from handlers.rules.digits import ascii_digits
from handlers.rules.move_out import municipality
from handlers.rules.relationship import HEAD, normalize_relationship
from handlers.uow import UnitOfWork
from models.resident import Household, Resident

KINDS = {
    "domestic": "domestic_move_in",  # 国内転入
    "abroad": "move_in_from_abroad",  # 国外転入等
    "special": "domestic_move_in",  # 特例転入
    "unnotified": "domestic_move_in",  # 未届転入
}


def read_request(intake: Mapping[str, Any], problems: list[Problem]) -> ChangeRequest:
    kind = str(intake.get("kind") or "")
    if kind not in KINDS:
        problems.append(
            Problem(
                "kind",
                "転入の種類",
                "選択されていません",
                "国内転入・国外転入等・特例転入・未届転入から選択してください",
                "required",
            )
        )
    if kind == "unnotified" and not str(intake.get("unnotified_address") or "").strip():
        problems.append(
            Problem(
                "unnotified_address",
                "未届の住所",
                "入力されていません",
                "最後に住んでいた未届の住所を入力してください",
                "required",
            )
        )
    kinds = [
        str(m.get("resident_kind") or "japanese")
        for m in intake.get("members") or []
        if isinstance(m, Mapping)
    ]
    notified = notified_input(intake)  # none ex officio (j760)
    if kind == "special" and is_ex_officio(intake):
        problems.append(special_problem("kind", "転入の種類"))
    request, found = check_change_request(
        KINDS.get(kind, "domestic_move_in"),
        intake.get("change_date"),
        notified,
        category="record",
        kinds=kinds,
    )
    problems.extend(found)
    return request


@dataclass
class Destination:
    household: Household | None
    proposal: dict[str, Any]
    subjects: list[str] = field(default_factory=list)

    def head_problems(self, members: Sequence[Mapping[str, Any]]) -> list[Problem]:
        heads = [m for m in members if normalize_relationship(str(m.get("relation_to_head") or "")) == HEAD]
        has_head = self.household is not None and self.household.head is not None
        if self.household is None and not heads:
            return []  # a new household may have its head unset (j100)
        if len(heads) > 1 or (heads and has_head):
            return [
                Problem(
                    "members",
                    "世帯主との続柄",
                    "世帯主が複数になります",
                    "世帯主は一人だけにしてください",
                    "duplicate_head",
                )
            ]
        return []


def read_former_municipality(intake: Mapping[str, Any], problems: list[Problem]) -> str | None:
    """The 転入前 municipality's code (全国地方公共団体コード, 6 digits), where the 転入通知 goes (j680): blank, or a
    municipality that exists."""
    code = ascii_digits(str((intake.get("former_address") or {}).get("municipality_code") or "")).strip()
    if not code:
        return None
    if municipality(code) is None:
        problems.append(
            Problem(
                "former_address.municipality_code",
                "転入前の市区町村コード",
                f"「{code}」は市区町村コードとして登録されていません",
                "転入前住所の市区町村の6桁のコード（例：202177）を入力してください",
                "unknown_municipality",
            )
        )
    return code


def read_destination(uow: UnitOfWork, intake: Mapping[str, Any], problems: list[Problem]) -> Destination:
    """Join an existing household (世帯番号) or form a new one at the entered address (j460, j470)."""
    number = str(intake.get("household_number") or "").strip()
    if number:
        household = uow.session.scalars(select(Household).where(Household.household_number == number)).first()
        if household is None or household.status != "active":
            problems.append(
                Problem(
                    "household_number",
                    "世帯番号",
                    "この世帯はありません",
                    "世帯番号を確認してください",
                    "not_found",
                )
            )
            return Destination(None, {"household_number": number})
        return Destination(household, {"household_number": number}, [f"household:{number}"])
    address = dict(intake.get("household") or {})
    _parsed, found = validate_household_input(address)
    problems.extend(found + dictionary_code_problems(uow.session, address))
    return Destination(None, {"household": address})


def _birth(value: Any) -> dt.date | None:
    try:
        return parse_flexible_date(str(value)).value if value else None
    except DateInputError:
        return None


def _named(index: int, problem: Problem) -> Problem:
    return Problem(
        f"members[{index}].{problem.field}", f"{problem.item}（{index + 1}人目）", problem.reason, problem.remedy,
        problem.code, problem.level,
    )  # fmt: skip


def _chosen_removed_record_problems(session: Session, index: int, chosen: str) -> list[Problem]:
    """The 除票 a person marked 再転入 names must exist."""
    found = session.scalars(select(Resident).where(Resident.atena_number == chosen)).first()
    if found is not None and found.status == "removed":
        return []
    return [
        _named(
            index,
            Problem(
                "re_move_in_of",
                "再転入",
                "この宛名番号の除票はありません",
                "宛名番号を確認してください",
                "not_removed",
            ),
        )
    ]


def re_move_in_problems_of(
    session: Session, members: Sequence[Mapping[str, Any]]
) -> list[tuple[list[Problem], list[Problem]]]:
    """(errors, alerts) of 再転入 (j600) for every entered person, in order: a person marked 再転入 must name a
    除票; a 除票 with the same 個人番号, 住民票コード or 在留カード番号 as a person not so marked is an error, the
    same 氏名・性別・生年月日 an alert (a number match wins).  The 除票 of all of them are found in one query
    (``removed_matching``)."""
    keys = MatchKeys()
    searched = {
        index
        for index, member in enumerate(members)
        if not str(member.get("re_move_in_of") or "").strip() and _add_match_keys(keys, member)
    }
    removed = removed_matching(session, keys) if searched else []
    results = []
    for index, member in enumerate(members):
        chosen = str(member.get("re_move_in_of") or "").strip()
        if index in searched:
            results.append(_judged(index, member, [r for r in removed if _matches(r, member)]))
        elif chosen:
            results.append((_chosen_removed_record_problems(session, index, chosen), []))
        else:
            results.append(([], []))
    return results


def _number_keys(member: Mapping[str, Any]) -> list[tuple[Any, Any]]:
    keys = [
        (Resident.my_number, member.get("my_number")),
        (Resident.resident_code, member.get("resident_code")),
        (Resident.residence_card_number, member.get("residence_card_number")),
    ]
    return [(column, value) for column, value in keys if value]


def _name_key(member: Mapping[str, Any]) -> tuple[Any, Any, str, dt.date] | None:
    """(氏, 名, 性別, 生年月日) when the person has a 氏 and a valid 生年月日."""
    birth = _birth(member.get("birth_date"))
    if birth is None or not member.get("family_name"):
        return None
    return member.get("family_name"), member.get("given_name"), str(member.get("sex")), birth


def _add_match_keys(keys: MatchKeys, member: Mapping[str, Any]) -> bool:
    """Add what a 除票 of the person would share (the same 個人番号, 住民票コード or 在留カード番号, or the same
    氏名・性別・生年月日) to ``keys``; whether there was anything to add."""
    numbers = _number_keys(member)
    for column, value in numbers:
        keys.add_number(column.key, str(value).strip())
    name = _name_key(member)
    if name is not None:
        keys.add_name(name)
    return bool(numbers) or name is not None


def _matches(resident: Any, member: Mapping[str, Any]) -> bool:
    """What ``_add_match_keys`` searches the person by, evaluated on a 除票 already read."""
    if any(_same_number(resident, column, value) for column, value in _number_keys(member)):
        return True
    name = _name_key(member)
    return (
        name is not None
        and (resident.family_name, resident.given_name, resident.sex, resident.birth_date) == name
    )


def _judged(index: int, member: Mapping[str, Any], removed: list[Any]) -> tuple[list[Problem], list[Problem]]:
    """A number match wins (error); else a name match is an alert."""
    for match in removed:
        if any(_same_number(match, column, value) for column, value in _number_keys(member)):
            return [_named(index, _re_move_in(match.atena_number, "error"))], []
    return ([], [_named(index, _re_move_in(removed[0].atena_number, "alert"))]) if removed else ([], [])


def _same_number(resident: Any, column: Any, value: Any) -> bool:
    return bool(getattr(resident, column.key) == str(value).strip())


def _re_move_in(atena_number: str, level: str) -> Problem:
    if level == "error":
        return Problem(
            "re_move_in_of", "再転入", f"個人番号・住民票コード・在留カード番号が除票（宛名番号{atena_number}）と一致します",
            f"再転入を選択し、宛名番号{atena_number}を指定してください", "re_move_in_required",
        )  # fmt: skip
    return Problem(
        "re_move_in_of", "再転入", f"氏名・性別・生年月日が除票（宛名番号{atena_number}）と一致します",
        f"同一人であれば再転入を選択し、宛名番号{atena_number}を指定してください", "re_move_in_candidate", "alert",
    )  # fmt: skip


def late_alert(request: ChangeRequest) -> list[Problem]:
    """An alert when the 届出日 is after the 14-day period of the 異動日 (legal_deadline)."""
    if request.change_date is None or request.notified_date is None:
        return []
    if request.notified_date <= legal_deadline(request.change_date):
        return []
    return [
        Problem(
            "notified_date", "届出日", "届出期間（14日）を経過しています",
            "届出が遅れた理由を確認してください（届出期間経過通知の対象です）", "late_notification", "alert",
        )
    ]  # fmt: skip
