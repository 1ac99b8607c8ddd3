"""届出人 (the notifier) of a notification, entered at intake and kept with the case (j580, j570).

A 転入・転居・転出・世帯変更 notification is made by someone: the mover, the head or a member of the household, or an
agent.  The intake may carry ``notifier``: ``{"name", "kind", "birth_date"?, "atena_number"?}``.  It is checked
here (one place for every door: the counter form, the API, the CSV intake), refused with the case's other
problems, and stored on the case's ``PendingChange.notifier`` when the provisional change is written, so the
住民異動届受理通知 is addressed from what was entered (``handlers.receipt_notices``).  A change done ex officio has
no notification, hence no notifier; the other change types take none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.clock import japan_today
from handlers.errors import Problem
from handlers.rules.date_input import DateInputError, parse_calendar_date

NOTIFIER_KINDS = {"self": "異動者本人", "same_household": "世帯主・同一世帯員", "agent": "代理人"}
# The 届出 procedures (j560–j740) whose notification names its notifier
NOTIFIED_CHANGE_TYPES = frozenset({"move_in", "move_within", "move_out", "household_change"})
NAME_MAX = 100


def _problem(field: str, item: str, reason: str, remedy: str, code: str) -> Problem:
    return Problem(f"notifier_{field}", item, reason, remedy, code)  # the counter form's field ids


def read_notifier(change_type: str, intake: Mapping[str, Any]) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The intake's 届出人 as stored (None when none was entered), and the problems that refuse it."""
    raw = intake.get("notifier")
    if raw in (None, {}, ""):
        return None, []
    if change_type not in NOTIFIED_CHANGE_TYPES:
        return None, [_problem("name", "届出人", "この異動には届出人を記録しません", "届出人の入力を消してください",
                               "not_notified")]  # fmt: skip
    if intake.get("ex_officio"):
        return None, [_problem("name", "届出人", "職権で行う場合は届出がないため、届出人はいません",
                               "届出人の入力を消すか、職権の選択を外してください", "ex_officio_notifier")]  # fmt: skip
    if not isinstance(raw, Mapping):
        return None, [_problem("name", "届出人", "届出人の形式が正しくありません",
                               "氏名・区分を指定してください", "format")]  # fmt: skip
    problems: list[Problem] = []
    name = str(raw.get("name") or "").strip()
    if not name:
        problems.append(
            _problem("name", "届出人氏名", "入力されていません", "届出人の氏名を入力してください", "required")
        )
    elif len(name) > NAME_MAX:
        problems.append(
            _problem(
                "name", "届出人氏名", f"{NAME_MAX}文字を超えています", "氏名を確認してください", "too_long"
            )
        )
    kind = str(raw.get("kind") or "self")
    if kind not in NOTIFIER_KINDS:
        problems.append(_problem("kind", "届出人の区分", "選べる値ではありません",
                                 "異動者本人・世帯主・同一世帯員・代理人から選んでください", "choice"))  # fmt: skip
    born = str(raw.get("birth_date") or "").strip()
    birth_date = None
    if born:
        try:
            born_on = parse_calendar_date(born)
        except DateInputError as err:
            problems.append(err.to_problem("notifier_birth_date", "届出人の生年月日"))
        else:
            birth_date = born_on.isoformat()
            if born_on > japan_today():
                problems.append(_problem("birth_date", "届出人の生年月日", "今日より後の日付です",
                                         "生年月日を確認してください", "future_date"))  # fmt: skip
    atena = str(raw.get("atena_number") or "").strip()
    if atena and not (atena.isascii() and atena.isdigit() and len(atena) <= 10):
        problems.append(_problem("atena_number", "届出人の宛名番号", "10桁以内の数字ではありません",
                                 "宛名番号を確認してください", "format"))  # fmt: skip
    if problems:
        return None, problems
    return {"name": name, "kind": kind, "birth_date": birth_date, "atena_number": atena or None}, []


def notifier_label(notifier: Mapping[str, Any] | None) -> str:
    """The stored 届出人 as the case page shows it: 「山田 花子（世帯主・同一世帯員）」."""
    if not notifier:
        return ""
    return f"{notifier.get('name')}（{NOTIFIER_KINDS.get(str(notifier.get('kind')), '')}）"
