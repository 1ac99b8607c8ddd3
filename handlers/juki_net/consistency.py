"""整合性確認 (j1100): compare our 本人確認情報 with an extract CS sent (a file of kind ``identity_extract``,
docs/integration.md) and keep every mismatch for staff:

* ``item_differs`` — a person both hold, one item different (ours as CS would carry it, CS's as sent);
* ``missing_at_cs`` — a current resident of ours CS does not hold (or who has no 住民票コード);
* ``unknown_here`` — a 住民票コード CS holds that no person of ours has;
* ``removed_here`` — CS holds as current a person who is a 除票 here.

The batch ``cs_consistency_check`` (handlers.batches.registry, handlers.juki_net.received) runs it periodically on
the files CS left in the receiving folder; the page /juki-net/consistency lists the checks and their mismatches, with the list rule for
protected persons (``persons_withheld_from_lists``) applied.  Every check and every listing is in the access log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.errors import NotFoundError, Problem
from handlers.juki_net.cs_files import CsFile, CsFileError, take_file
from handlers.juki_net.identity import IDENTITY_ITEMS, identities
from handlers.permissions import require
from handlers.suppression import persons_withheld_from_lists
from handlers.uow import UnitOfWork
from models.juki_net import CsConsistencyCheck, CsConsistencyMismatch

EXTRACT_KIND = "identity_extract"
KIND_LABELS = {
    "item_differs": "項目の不一致",
    "missing_at_cs": "CSに存在しない",
    "unknown_here": "住民記録に存在しない",
    "removed_here": "住民記録では消除済み",
}


def _extract_persons(cs_file: CsFile) -> dict[str, Mapping[str, Any]]:
    """CS's persons by 住民票コード; a file without them, or with a person lacking a code, is refused."""
    persons = cs_file.payload.get("persons") or []
    if not isinstance(persons, list) or not all(isinstance(p, Mapping) for p in persons):
        raise CsFileError(
            [
                Problem(
                    "persons",
                    "本人確認情報",
                    "人の一覧がありません",
                    "抽出ファイルを確認してください",
                    "cs_file",
                )
            ]
        )
    by_code: dict[str, Mapping[str, Any]] = {}
    problems = []
    for index, person in enumerate(persons):
        code = str(person.get("resident_code") or "")
        if not code or code in by_code:
            reason = "住民票コードがありません" if not code else f"住民票コード {code} が重複しています"
            problems.append(
                Problem(
                    f"persons[{index}]",
                    f"{index + 1}人目",
                    reason,
                    "抽出ファイルを確認してください",
                    "cs_file",
                )
            )
        by_code[code] = person
    if problems:
        raise CsFileError(problems)
    return by_code


def _mismatch(kind: str, atena: str | None, code: str | None, item: str | None = None,
              ours: Any = None, theirs: Any = None) -> dict[str, Any]:  # fmt: skip
    return {
        "kind": kind,
        "atena_number": atena,
        "resident_code": code,
        "item": item,
        "ours": ours,
        "theirs": theirs,
    }


def compare(uow: UnitOfWork, at_cs: Mapping[str, Mapping[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    """(how many current residents we hold, the mismatches) between the register and CS's persons."""
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    here = 0
    for resident, ours in identities(uow):
        here += 1
        code = ours["resident_code"]
        theirs = at_cs.get(code or "")
        if theirs is None:
            found.append(_mismatch("missing_at_cs", resident.atena_number, code))
            continue
        seen.add(str(code))
        for item in IDENTITY_ITEMS:
            value = str(theirs.get(item) or "").strip() or None
            if value != ours[item]:
                found.append(_mismatch("item_differs", resident.atena_number, code, item, ours[item], value))
    rest = [code for code in at_cs if code not in seen]
    removed = {
        str(r.resident_code): r.atena_number for r, _items in identities(uow, current=False, codes=rest)
    }
    for code in rest:
        kind = "removed_here" if code in removed else "unknown_here"
        found.append(_mismatch(kind, removed.get(code), code))
    return here, found


def check_extract(uow: UnitOfWork, cs_file: CsFile) -> CsConsistencyCheck:
    """Compare the register with one extract and keep the check, its mismatches and the file (taken once)."""
    require(uow.actor, "resident.view")
    at_cs = _extract_persons(cs_file)
    here, found = compare(uow, at_cs)
    received = take_file(uow, cs_file, {"persons": len(at_cs), "mismatches": len(found)})
    check = CsConsistencyCheck(
        tenant_id=uow.actor.tenant_id, received_file_id=received.id,
        extract_date=str(cs_file.payload.get("extract_date") or "")[:10] or None,
        checked_at=dt.datetime.now(dt.UTC), checked_by=uow.actor.login_id[:60],
        persons_at_cs=len(at_cs), persons_here=here, mismatch_count=len(found),
    )  # fmt: skip
    uow.session.add(check)
    uow.session.flush()
    uow.session.add_all(
        CsConsistencyMismatch(tenant_id=uow.actor.tenant_id, check_id=check.id, **m) for m in found
    )
    uow.session.flush()
    targets = sorted({m["atena_number"] for m in found if m["atena_number"]})
    record_access(uow, "cs_consistency_checked", "view", targets,
                  detail={"check_id": check.id, "file": cs_file.name, "mismatches": len(found)})  # fmt: skip
    return check


@dataclass(frozen=True)
class MismatchRow:
    kind: str
    kind_label: str
    atena_number: str | None  # None when withheld or unknown here
    resident_code: str | None
    item_label: str | None
    ours: str | None
    theirs: str | None
    withheld: bool


def _row(mismatch: CsConsistencyMismatch, hidden: bool, user_hides: frozenset[str]) -> MismatchRow:
    """One mismatch as shown: nothing of a withheld person; an item the user has hidden (j1390) left out."""
    value_hidden = hidden or mismatch.item in user_hides
    return MismatchRow(
        mismatch.kind, KIND_LABELS.get(mismatch.kind, mismatch.kind),
        None if hidden else mismatch.atena_number,
        None if hidden or "resident_code" in user_hides else mismatch.resident_code,
        IDENTITY_ITEMS.get(mismatch.item or "", mismatch.item), None if value_hidden else mismatch.ours,
        None if value_hidden else mismatch.theirs, hidden,
    )  # fmt: skip


def consistency_report(uow: UnitOfWork, check_id: int | None = None, limit: int = 20) -> dict[str, Any]:
    """The recent checks and the mismatches of one (the latest by default).  A mismatch about a person the
    list rule withholds (支援措置) shows neither number nor values; logged against the persons shown."""
    require(uow.actor, "resident.view")
    checks = list(
        uow.session.scalars(select(CsConsistencyCheck).order_by(CsConsistencyCheck.id.desc()).limit(limit))
    )
    chosen = checks[0] if checks and check_id is None else None
    if check_id is not None:
        chosen = uow.session.get(CsConsistencyCheck, check_id)
        if chosen is None or chosen.tenant_id != uow.actor.tenant_id:
            raise NotFoundError("指定された整合性確認は見つかりません。")
    rows: list[MismatchRow] = []
    if chosen is not None:
        withheld = persons_withheld_from_lists(uow, "inquiry")
        mismatches = uow.session.scalars(
            select(CsConsistencyMismatch)
            .where(CsConsistencyMismatch.check_id == chosen.id)
            .order_by(CsConsistencyMismatch.id)
        )
        hides = uow.actor.hidden_items
        rows = [
            _row(m, bool(m.atena_number) and withheld.withholds(str(m.atena_number)), hides)
            for m in mismatches
        ]
    shown = sorted({r.atena_number for r in rows if r.atena_number})
    my_number_shown = any(r.item_label == IDENTITY_ITEMS["my_number"] and (r.ours or r.theirs) for r in rows)
    record_access(uow, "cs_consistency_listed", "view", shown, my_number_shown=my_number_shown,
                  detail={"check_id": chosen.id if chosen else None, "rows": len(rows)})  # fmt: skip
    return {"checks": checks, "check": chosen, "rows": rows}
