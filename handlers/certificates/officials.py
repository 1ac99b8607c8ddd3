"""認証者 (j290, j310, j1050): the mayor and the acting mayor (職務代理者), each with a title, a name and a
period, kept in ``Municipality.settings["officials"]``; designated cities may add ward heads (区長) per ward.

The acting mayor applies automatically on the dates of their period (j310).  The title is always printed with
the prefecture name (j1050), and a name is always required (must-not j310: no "○○長 公印" with a blank name).

Every change (the CLI's whole list, the settings page's one entry) goes through ``_save``: the administrator's
permission, the checks of every entry, one write of the list and one ``certificate_officials_changed`` row.
The page names an entry by its position (``number``, from 1) and the ``version`` it was shown with, so an entry
changed meanwhile by someone else is refused rather than overwritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from handlers.audit import record_access
from handlers.clock import japan_today
from handlers.errors import ConflictError, NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.rules.dates import format_wareki
from handlers.uow import UnitOfWork
from models.tenant import Municipality

CHOICES = ("auto", "mayor", "acting")
MAX_LENGTH = 40  # 職名 and 氏名: what the certifier line of a certificate holds


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


def certifying_entry(
    municipality: Municipality, on: dt.date, choice: str = "auto", ward_code: str | None = None
) -> dict[str, Any]:
    """The registered entry that certifies on ``on`` (the rule of ``official_on``)."""
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
    chosen: dict[str, Any] = wanted[0]
    return chosen


def _official(municipality: Municipality, entry: Mapping[str, Any]) -> Official:
    title = str(entry["title"])
    return Official(
        title, str(entry["name"]), bool(entry.get("acting")), with_prefecture(municipality.prefecture, title)
    )


def official_on(
    municipality: Municipality, on: dt.date, choice: str = "auto", ward_code: str | None = None
) -> Official:
    """The certifier for ``on``: ``auto`` takes the acting mayor whose period covers the date, else the mayor."""
    return _official(municipality, certifying_entry(municipality, on, choice, ward_code))


def _problem(index: int, key: str, item: str, reason: str, remedy: str, code: str) -> Problem:
    return Problem(f"officials[{index}].{key}", item, reason, remedy, code)


def _entry_problems(index: int, entry: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for key, item in (("title", "職名"), ("name", "氏名")):
        text = str(entry.get(key) or "").strip()
        if not text:
            problems.append(_problem(index, key, item, "入力されていません", f"{item}を入力してください", "required"))  # fmt: skip
        elif len(text) > MAX_LENGTH:
            problems.append(_problem(index, key, item, f"{MAX_LENGTH}文字を超えています",
                                     f"{MAX_LENGTH}文字以内で入力してください", "too_long"))  # fmt: skip
    dates: dict[str, dt.date | None] = {}
    for key, item in (("from", "開始日"), ("to", "終了日")):
        try:
            dates[key] = _date(entry.get(key))
        except ValueError:
            problems.append(_problem(index, key, item, "日付が正しくありません", "YYYY-MM-DDで入力してください", "date"))  # fmt: skip
    start, end = dates.get("from"), dates.get("to")
    if start and end and end < start:
        problems.append(_problem(index, "to", "期間", "終了日が開始日より前です", "期間を直してください", "period"))  # fmt: skip
    return problems


def _ward_problems(index: int, entry: Mapping[str, Any], municipality: Municipality) -> list[Problem]:
    """A 区長 (j310) only in a designated city, and only of one of its wards."""
    ward = str(entry.get("ward_code") or "")
    if not ward:
        return []
    if municipality.kind != "designated_city":
        return [_problem(index, "ward_code", "区", "区長は指定都市だけが登録できます", "区を選択せずに登録してください", "not_designated_city")]  # fmt: skip
    if ward not in {w.code for w in municipality.wards}:
        return [_problem(index, "ward_code", "区", f"「{ward}」はこの市の区ではありません", "登録済みの区を選択してください", "unknown_ward")]  # fmt: skip
    return []


def _period_text(entry: Mapping[str, Any]) -> str:
    return f"{format_wareki(_date(entry.get('from')))}〜{format_wareki(_date(entry.get('to')))}"


def _overlap_problems(officials: list[dict[str, Any]], focus: int | None) -> list[Problem]:
    """Two mayors (or two acting mayors) of the same city or ward whose periods overlap would leave the choice of
    the certifier to their order in the list: refused, the later one (or the one being edited) named."""
    problems = []
    for j, later in enumerate(officials):
        for i, earlier in enumerate(officials[:j]):
            if (earlier.get("ward_code") or "", bool(earlier.get("acting"))) != (
                later.get("ward_code") or "",
                bool(later.get("acting")),
            ) or not _overlap(earlier, later):
                continue
            named, other = (i, later) if focus == i else (j, earlier)
            problems.append(_problem(
                named, "from", "期間", f"{other['title']} {other['name']}（{_period_text(other)}）と期間が重なっています",
                "先に登録された認証者に終了日を設定するか、期間を直してください", "overlap",
            ))  # fmt: skip
    return problems


def _overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    a_from, a_to, b_from, b_to = (_date(e.get(k)) for e in (a, b) for k in ("from", "to"))
    return (a_from is None or b_to is None or a_from <= b_to) and (
        b_from is None or a_to is None or b_from <= a_to
    )


def _clean(entry: Mapping[str, Any]) -> dict[str, Any]:
    start, end = _date(entry.get("from")), _date(entry.get("to"))
    return {
        "title": str(entry["title"]).strip(),
        "name": str(entry["name"]).strip(),
        "from": str(start) if start else "",
        "to": str(end) if end else "",
        "acting": bool(entry.get("acting")),
        **({"ward_code": str(entry["ward_code"])} if entry.get("ward_code") else {}),
    }


def _focused(problem: Problem, focus: int) -> Problem:
    """A problem of the entry being edited names its item alone (``name``); another entry's keeps its index."""
    prefix = f"officials[{focus}]."
    if problem.field.startswith(prefix):
        return replace(problem, field=problem.field.removeprefix(prefix))
    number = int(problem.field[len("officials[") : problem.field.index("]")]) + 1
    return replace(problem, item=f"{number}件目の{problem.item}")


def _municipality(uow: UnitOfWork, *, lock: bool = False) -> Municipality:
    municipality = uow.session.get(
        Municipality, uow.actor.tenant_id, with_for_update=lock or None, populate_existing=lock
    )
    assert municipality is not None  # the actor's own tenant
    return municipality


def _save(
    uow: UnitOfWork,
    municipality: Municipality,
    officials: list[dict[str, Any]],
    detail: dict[str, Any],
    focus: int | None = None,
) -> list[dict[str, Any]]:
    """Check every entry and write the list, or write nothing; one access-log row."""
    problems = [
        p
        for i, e in enumerate(officials)
        for p in (*_entry_problems(i, e), *_ward_problems(i, e, municipality))
    ]
    if not problems:
        problems = _overlap_problems(officials, focus)
    if problems:
        raise ValidationError([_focused(p, focus) for p in problems] if focus is not None else problems)
    cleaned = [_clean(e) for e in officials]
    municipality.settings = {**(municipality.settings or {}), "officials": cleaned}
    uow.session.flush()
    record_access(uow, "certificate_officials_changed", "setting", detail={**detail, "count": len(cleaned)})
    return cleaned


def set_officials(uow: UnitOfWork, officials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace the tenant's certifiers (管理者).  Each: title, name, from, to (ISO dates or empty), acting,
    optional ward_code (区長 of a designated city)."""
    require(uow.actor, "admin.settings")
    return _save(uow, _municipality(uow, lock=True), list(officials), {"operation": "replaced"})


# --- the settings page: the register of certifiers, one entry at a time -------------------------------------


@dataclass(frozen=True)
class OfficialEntry:
    number: int  # position in the register, from 1
    version: str  # fingerprint of the entry as shown: a change made meanwhile is refused
    title: str
    name: str
    acting: bool
    kind_label: str  # 市区町村長 / 職務代理者 / 区長 / 区長の職務代理者
    ward_code: str
    ward_name: str
    start: str  # ISO date, "" for no start
    end: str  # ISO date, "" while open
    printed_title: str  # as a certificate prints it, with the prefecture (j1050)
    in_effect: bool  # certifies today (``certifying_entry``)


@dataclass(frozen=True)
class CertifierToday:
    scope: str  # the city, or a ward of a designated city with 区長 registered
    line: str  # the certifier line a certificate issued today prints, "" when none
    problem: str  # why no certificate can be issued today, "" when one can


@dataclass(frozen=True)
class OfficialsRegister:
    entries: tuple[OfficialEntry, ...]
    today: dt.date
    certifiers: tuple[CertifierToday, ...]
    municipality_name: str
    prefecture: str
    designated_city: bool
    wards: dict[str, str]  # code → name of a designated city's wards


def _version(entry: Mapping[str, Any]) -> str:
    text = json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def kind_label(acting: bool, ward_code: str | None) -> str:
    if ward_code:
        return "区長の職務代理者" if acting else "区長"
    return "職務代理者" if acting else "市区町村長"


def certifier_line(printed_title: str, name: str) -> str:
    """The certifier as a certificate prints it (``certificate.html``): the title with the prefecture, the name."""
    return f"{printed_title}　{name}"


def _officials(municipality: Municipality) -> list[dict[str, Any]]:
    return [dict(e) for e in (municipality.settings or {}).get("officials", [])]


def officials_register(uow: UnitOfWork) -> OfficialsRegister:
    """The registered certifiers in their order, each marked when it certifies today, and today's certifier of
    the city and of each ward with a 区長 registered."""
    require(uow.actor, "admin.settings")
    municipality, today = _municipality(uow), japan_today()
    wards = {w.code: w.name for w in municipality.wards} if municipality.kind == "designated_city" else {}
    registered = (municipality.settings or {}).get("officials", [])
    scopes = [None, *(code for code in wards if any(e.get("ward_code") == code for e in registered))]
    chosen, certifiers = [], []
    for scope in scopes:
        label = (
            wards[scope] if scope else (f"{municipality.name}（区役所以外）" if wards else municipality.name)
        )
        try:
            entry = certifying_entry(municipality, today, "auto", scope)
        except NoOfficialError as refused:
            certifiers.append(CertifierToday(label, "", refused.problems[0].message))
            continue
        chosen.append(entry)
        official = _official(municipality, entry)
        certifiers.append(CertifierToday(label, certifier_line(official.printed_title, official.name), ""))
    entries = tuple(
        OfficialEntry(
            number=i, version=_version(e), title=str(e.get("title", "")), name=str(e.get("name", "")),
            acting=bool(e.get("acting")), kind_label=kind_label(bool(e.get("acting")), e.get("ward_code")),
            ward_code=str(e.get("ward_code") or ""), ward_name=wards.get(str(e.get("ward_code") or ""), ""),
            start=str(e.get("from") or ""), end=str(e.get("to") or ""),
            printed_title=with_prefecture(municipality.prefecture, str(e.get("title", ""))),
            in_effect=any(e is c for c in chosen),
        )
        for i, e in enumerate(registered, start=1)
    )  # fmt: skip
    return OfficialsRegister(entries, today, tuple(certifiers), municipality.name, municipality.prefecture,
                             municipality.kind == "designated_city", wards)  # fmt: skip


def official_entry(uow: UnitOfWork, number: int) -> OfficialEntry:
    """One registered certifier, by its position; NotFoundError when there is none there."""
    entries = officials_register(uow).entries
    if not 1 <= number <= len(entries):
        raise NotFoundError("指定された認証者は登録されていません。")
    return entries[number - 1]


def _at(officials: list[dict[str, Any]], number: int, version: str) -> int:
    if not 1 <= number <= len(officials):
        raise NotFoundError("指定された認証者は登録されていません。")
    if _version(officials[number - 1]) != version:
        raise ConflictError(
            "この認証者は、画面を開いた後にほかの操作で変更されています。一覧から開き直してください。"
        )
    return number - 1


def _values(values: Mapping[str, Any]) -> dict[str, Any]:
    """An entry as the page sends it: title, name, from, to (ISO or empty), acting, ward_code."""
    return {"title": str(values.get("title") or "").strip(), "name": str(values.get("name") or "").strip(),
            "from": values.get("from") or "", "to": values.get("to") or "", "acting": bool(values.get("acting")),
            **({"ward_code": str(values["ward_code"])} if values.get("ward_code") else {})}  # fmt: skip


def add_official(uow: UnitOfWork, values: Mapping[str, Any]) -> OfficialEntry:
    """Register one more certifier at the end of the list."""
    require(uow.actor, "admin.settings")
    municipality = _municipality(uow, lock=True)
    officials = [*_officials(municipality), _values(values)]
    number = len(officials)
    _save(uow, municipality, officials, {"operation": "added", "number": number}, focus=number - 1)
    return official_entry(uow, number)


def change_official(uow: UnitOfWork, number: int, version: str, values: Mapping[str, Any]) -> OfficialEntry:
    """Correct the entry shown as ``number`` (with ``version``)."""
    require(uow.actor, "admin.settings")
    municipality = _municipality(uow, lock=True)
    officials = _officials(municipality)
    index = _at(officials, number, version)
    officials[index] = _values(values)
    _save(uow, municipality, officials, {"operation": "changed", "number": number}, focus=index)
    return official_entry(uow, number)


def end_official(uow: UnitOfWork, number: int, version: str, end: dt.date | str) -> OfficialEntry:
    """終了: the last day the entry certifies (the mayor's term ended, the acting period was cut short)."""
    require(uow.actor, "admin.settings")
    municipality = _municipality(uow, lock=True)
    officials = _officials(municipality)
    index = _at(officials, number, version)
    if not end:
        problem = Problem("to", "終了日", "入力されていません", "認証者として最後に印字される日を入力してください", "required")  # fmt: skip
        raise ValidationError([problem])
    officials[index] = {**officials[index], "to": str(end)}
    _save(uow, municipality, officials, {"operation": "ended", "number": number}, focus=index)
    return official_entry(uow, number)


def delete_official(uow: UnitOfWork, number: int, version: str) -> OfficialEntry:
    """Remove an entry registered by mistake; the ones after it move up.  Returns the removed entry."""
    require(uow.actor, "admin.settings")
    municipality = _municipality(uow, lock=True)
    officials = _officials(municipality)
    removed = official_entry(uow, number)
    del officials[_at(officials, number, version)]
    _save(uow, municipality, officials, {"operation": "deleted", "number": number})
    return removed
