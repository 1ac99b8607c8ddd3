"""認証者 (j290, j310, j1050): the mayor and the acting mayor (職務代理者), each with a title, a name and a
period, kept in ``Municipality.settings["officials"]``; designated cities may add ward heads (区長) per ward.

The acting mayor applies automatically on the dates of their period (j310).  The title is always printed with
the prefecture name (j1050), and a name is always required (must-not j310: no "○○長 公印" with a blank name).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from handlers.audit import record_access
from handlers.errors import Problem, ValidationError
from handlers.permissions import require
from handlers.rules.dates import format_wareki
from handlers.uow import UnitOfWork
from models.tenant import Municipality

CHOICES = ("auto", "mayor", "acting")


@dataclass(frozen=True)
class Official:
    title: str  # e.g. 横浜市長 / 横浜市長職務代理者 副市長
    name: str
    acting: bool
    printed_title: str  # with the prefecture name


class NoOfficialError(ValidationError):
    pass


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _covers(entry: dict[str, Any], on: dt.date) -> bool:
    start, end = _date(entry.get("from")), _date(entry.get("to"))
    return (start is None or start <= on) and (end is None or on <= end)


def with_prefecture(prefecture: str, title: str) -> str:
    return title if title.startswith(prefecture) else f"{prefecture}{title}"


def official_on(
    municipality: Municipality, on: dt.date, choice: str = "auto", ward_code: str | None = None
) -> Official:
    """The certifier for ``on``: ``auto`` takes the acting mayor whose period covers the date, else the mayor."""
    entries = [e for e in (municipality.settings or {}).get("officials", []) if _covers(e, on)]
    if ward_code is not None and any(e.get("ward_code") == ward_code for e in entries):
        entries = [e for e in entries if e.get("ward_code") == ward_code]
    else:
        entries = [e for e in entries if not e.get("ward_code")]
    acting = [e for e in entries if e.get("acting")]
    mayor = [e for e in entries if not e.get("acting")]
    wanted = {"auto": acting or mayor, "mayor": mayor, "acting": acting}[choice]
    if not wanted:
        problem = Problem(
            "official", "認証者", f"{format_wareki(on)}に有効な認証者が登録されていません",
            "認証者（市区町村長・職務代理者）を登録してください", "no_official",
        )  # fmt: skip
        raise NoOfficialError([problem])
    entry = wanted[0]
    title = str(entry["title"])
    return Official(
        title, str(entry["name"]), bool(entry.get("acting")), with_prefecture(municipality.prefecture, title)
    )


def _entry_problems(index: int, entry: dict[str, Any]) -> list[Problem]:
    problems = []
    for key, item in (("title", "職名"), ("name", "氏名")):
        if not str(entry.get(key) or "").strip():
            problems.append(
                Problem(
                    f"officials[{index}].{key}",
                    item,
                    "入力されていません",
                    f"{item}を入力してください",
                    "required",
                )
            )
    try:
        start, end = _date(entry.get("from")), _date(entry.get("to"))
    except ValueError:
        problems.append(
            Problem(
                f"officials[{index}].from",
                "期間",
                "日付が正しくありません",
                "YYYY-MM-DDで入力してください",
                "date",
            )
        )
        return problems
    if start and end and end < start:
        problems.append(
            Problem(
                f"officials[{index}].to", "期間", "終了日が開始日より前です", "期間を直してください", "period"
            )
        )
    return problems  # fmt: skip


def set_officials(uow: UnitOfWork, officials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace the tenant's certifiers (管理者).  Each: title, name, from, to (ISO dates or empty), acting,
    optional ward_code (区長 of a designated city)."""
    require(uow.actor, "admin.settings")
    problems = [p for i, entry in enumerate(officials) for p in _entry_problems(i, entry)]
    if problems:
        raise ValidationError(problems)
    cleaned = [
        {
            "title": str(e["title"]).strip(),
            "name": str(e["name"]).strip(),
            "from": (_date(e.get("from")) or "") and str(_date(e.get("from"))),
            "to": (_date(e.get("to")) or "") and str(_date(e.get("to"))),
            "acting": bool(e.get("acting")),
            **({"ward_code": str(e["ward_code"])} if e.get("ward_code") else {}),
        }
        for e in officials
    ]
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    assert municipality is not None  # the actor's own tenant
    municipality.settings = {**(municipality.settings or {}), "officials": cleaned}
    uow.session.flush()
    record_access(uow, "certificate_officials_changed", "setting", detail={"count": len(cleaned)})
    return cleaned
