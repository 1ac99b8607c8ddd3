"""届出の準用 (j760): each 届出 procedure of 4.1 — 転入, 転居, 転出, 世帯変更等 — may also be done ex officio (職権)
when no notification was made, under the same rules except the 届出日 (4.1.0.2, j570).

Intake: ``ex_officio`` (true) and the ex-officio items of ``handlers.changes.ex_officio``: the 職権記録書 (required),
申出による職権記載等 with its 申出日, and whether to issue the 職権記載等通知書.  Then:

* no 届出日 is asked, defaulted or kept (an entered one is refused: it would say a notification was made), so
  the 届出期間 alerts (late notification, 転出 14 days after the move) do not arise;
* every other rule of the procedure applies unchanged (異動日, addresses, 続柄, 再転入, the head leaving …);
* the case has no legal due date (the 14 days of 転入・転居・世帯変更 bind the notifier; 転出 keeps its planned
  date);
* the proposal and the case's result say ``ex_officio`` and keep the 職権記録書; each history row carries no
  届出日 and the 職権記録書 (and the 申出日, when on request) in its 留意事項;
* the 職権記載等通知書 is issued at 交付 when asked for; 特例転入 and 特例転出 rest on the person's own
  notification with the card, so they cannot be done ex officio.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from handlers.changes.ex_officio import EX_OFFICIO_NOTICE, flag, history_note, read_ex_officio
from handlers.clock import japan_today
from handlers.errors import Problem
from handlers.residents.parsing import clean_text

NOTE_SEPARATOR = "／"


def is_ex_officio(intake: Mapping[str, Any]) -> bool:
    return flag(intake.get("ex_officio"))


def notified_input(intake: Mapping[str, Any]) -> Any:
    """The 届出日 to check: none ex officio; for a notification the entered one, today when blank (j570)."""
    if is_ex_officio(intake):
        return None
    return intake.get("notified_date") or japan_today()


def read_origin(intake: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """``{"ex_officio": False}`` for a notification; ex officio, the checked ex-officio items."""
    if not is_ex_officio(intake):
        return {"ex_officio": False}
    if clean_text(intake.get("notified_date")) is not None:
        problems.append(
            Problem(
                "notified_date", "届出日", "職権による記載等に届出日が入力されています",
                "職権で行う場合は届出日を空欄にしてください（届出があった場合は届出として入力してください）",
                "notified_date_ex_officio",
            )
        )  # fmt: skip
    return {"ex_officio": True, **read_ex_officio(intake, problems, koseki=False)}


def due_event(origin: Mapping[str, Any], change_date: dt.date | None) -> dt.date | None:
    """The event that starts the case's legal due date: the 異動日 of a notification (the 14 days bind the
    notifier, Act arts. 22–25); none ex officio, where no one was bound to notify."""
    return None if origin.get("ex_officio") else change_date


def special_problem(field: str, item: str) -> Problem:
    """特例転入・特例転出 are the person's own notification with the card: never ex officio."""
    return Problem(
        field, item, "職権による記載等では使えません",
        "特例によらない通常の手続として、職権で処理してください", "special_not_ex_officio",
    )  # fmt: skip


def origin_note(proposal: Mapping[str, Any], note: Any) -> str | None:
    """The history rows' 留意事項: ex officio the 職権記録書 first, then the clerk's note."""
    text = clean_text(note)
    if not proposal.get("ex_officio_record"):
        return text
    return NOTE_SEPARATOR.join(p for p in (history_note(proposal), text) if p)


def origin_documents(proposal: Mapping[str, Any], documents: list[str]) -> list[str]:
    """The procedure's documents, then the 職権記載等通知書 when an ex-officio case asks for it."""
    if proposal.get("ex_officio_record") and proposal.get("notify_person"):
        return [*documents, EX_OFFICIO_NOTICE]
    return documents
