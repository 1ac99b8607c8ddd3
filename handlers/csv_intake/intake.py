"""CSV intake (j1430): 住民異動届 data become cases in the intake queue through ``open_case`` (the same
``assess`` as the counter form); certificate applications and 個人番号カード券面事項 become prepared rows (a
request to issue, a person matched for the search).  Each accepted row is keyed by its content, so a re-upload
creates nothing twice; with ``all_or_nothing`` one bad row refuses the whole file.  Each group of rows is
written in its own SAVEPOINT: a refused group leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.cases import open_case
from handlers.csv_intake.layouts import LAYOUTS, row_problems
from handlers.csv_intake.reading import read_csv
from handlers.errors import ValidationError
from handlers.permissions import require
from handlers.rules.date_input import parse_calendar_date
from handlers.uow import UnitOfWork
from models.reporting import CsvImport, CsvImportRow
from models.resident import Resident

# intake field (last part of a Problem.field) → CSV column, to report the column of an assess() problem
FIELD_COLUMNS = {
    "change_date": "異動日", "notified_date": "届出日", "address": "住所", "postal_code": "郵便番号",
    "address_katagaki": "方書", "former_address": "前住所", "municipality_code": "前住所市区町村コード",
    "planned_move_out_date": "転出予定日", "family_name": "氏", "given_name": "名", "family_name_kana": "氏フリガナ",
    "given_name_kana": "名フリガナ", "birth_date": "生年月日", "sex": "性別", "relation_to_head": "続柄",
    "honseki": "本籍", "hittosha": "筆頭者", "resident_code": "住民票コード",
}  # fmt: skip


@dataclass
class RowGroup:
    key: str  # sha256 of the kind and the group's cells
    lines: list[int]
    rows: list[dict[str, str]]


@dataclass
class ImportReport:
    import_id: int
    status: str  # imported / partial / rejected
    created: int = 0
    skipped_duplicates: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)  # {row, column, reason}


def _groups(kind: str, lines: list[tuple[int, list[str]]]) -> list[RowGroup]:
    header = LAYOUTS[kind]
    grouped: dict[str, RowGroup] = {}
    for line, cells in lines:
        values = dict(zip(header, (c.strip() for c in cells), strict=True))
        name = values["申請番号"] if kind == "change_notice" else f"line:{line}"
        group = grouped.setdefault(name, RowGroup("", [], []))
        group.lines.append(line)
        group.rows.append(values)
    for group in grouped.values():
        body = json.dumps([kind, group.rows], ensure_ascii=False, sort_keys=True)
        group.key = hashlib.sha256(body.encode()).hexdigest()
    return list(grouped.values())


def _date_text(value: str) -> str | None:
    return parse_calendar_date(value).isoformat() if value else None


def move_in_intake(rows: list[dict[str, str]]) -> dict[str, Any]:
    """The move_in intake the counter form would send, from a 申請番号's rows (the first row: the household)."""
    first = rows[0]
    members = [
        {
            "resident_kind": "japanese", "family_name": r["氏"], "given_name": r["名"], "family_name_kana": r["氏フリガナ"],
            "given_name_kana": r["名フリガナ"], "birth_date": r["生年月日"], "sex": r["性別"], "relation_to_head": r["続柄"],
            "honseki": r["本籍"], "hittosha": r["筆頭者"], "resident_code": r["住民票コード"],
        }
        for r in rows
    ]  # fmt: skip
    return {
        "kind": "domestic",
        "change_date": _date_text(first["異動日"]),
        "notified_date": _date_text(first["届出日"]),
        "household": {
            "address": first["住所"],
            "postal_code": first["郵便番号"],
            "address_katagaki": first["方書"],
        },
        "former_address": {"address": first["前住所"], "municipality_code": first["前住所市区町村コード"]},
        "move_out_certificate": {
            "planned_move_out_date": _date_text(first["転出予定日"]) or _date_text(first["異動日"])
        },
        "members": members,
        "source": "csv_intake",
    }


def _assess_problems(err: ValidationError, group: RowGroup) -> list[dict[str, Any]]:
    found = []
    for p in err.problems:
        parts = p.field.split(".")
        index = next((int(x) for x in parts if x.isdigit()), 0)
        line = group.lines[min(index, len(group.lines) - 1)]
        found.append(
            {"row": line, "column": FIELD_COLUMNS.get(parts[-1], p.item), "reason": f"{p.reason}。{p.remedy}"}
        )
    return found


def _accept_change_notice(uow: UnitOfWork, group: RowGroup) -> tuple[int | None, dict[str, Any]]:
    case = open_case(uow, "move_in", move_in_intake(group.rows))
    return case.id, {"case_number": case.case_number}


def _accept_certificate(uow: UnitOfWork, group: RowGroup) -> tuple[int | None, dict[str, Any]]:
    row = group.rows[0]
    exists = uow.session.scalar(select(Resident.id).where(Resident.atena_number == row["宛名番号"]))
    if exists is None:
        raise _row_error(group.lines[0], "宛名番号", "該当する住民がいません")
    return None, {"atena_number": row["宛名番号"], "certificate": row["証明書種別"], "copies": int(row["通数"]),
                  "requester_kind": row["請求者区分"], "requester_name": row["請求者氏名"], "status": "prepared"}  # fmt: skip


def _accept_card_face(uow: UnitOfWork, group: RowGroup) -> tuple[int | None, dict[str, Any]]:
    row = group.rows[0]
    match = uow.session.scalar(select(Resident.atena_number).where(Resident.my_number == row["個人番号"]))
    return None, {"name": row["氏名"], "address": row["住所"], "birth_date": _date_text(row["生年月日"]),
                  "sex": row["性別"], "matched_atena_number": match, "status": "prepared_search"}  # fmt: skip


class RowRefused(Exception):
    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__("row refused")
        self.problems = problems


def _row_error(line: int, column: str, reason: str) -> RowRefused:
    return RowRefused([{"row": line, "column": column, "reason": reason}])


ACCEPT: dict[str, Callable[[UnitOfWork, RowGroup], tuple[int | None, dict[str, Any]]]] = {
    "change_notice": _accept_change_notice,
    "certificate_application": _accept_certificate,
    "card_face": _accept_card_face,
}


def _precheck(kind: str, group: RowGroup) -> list[dict[str, Any]]:
    return [
        {"row": line, "column": column, "reason": reason}
        for line, values in zip(group.lines, group.rows, strict=True)
        for column, reason in row_problems(kind, values)
    ]


def _take(uow: UnitOfWork, record: CsvImport, group: RowGroup) -> list[dict[str, Any]]:
    """Accept one group in a SAVEPOINT; its problems (nothing written) when refused."""
    if problems := _precheck(record.kind, group):
        return problems
    try:
        with uow.session.begin_nested():
            case_id, data = ACCEPT[record.kind](uow, group)
            uow.session.add(CsvImportRow(import_id=record.id, kind=record.kind, row_number=group.lines[0],
                                         row_key=group.key, case_id=case_id, data=data))  # fmt: skip
            uow.session.flush()
    except ValidationError as err:
        return _assess_problems(err, group)
    except RowRefused as err:
        return err.problems
    return []


def import_csv(
    uow: UnitOfWork, kind: str, file_name: str, data: bytes, *, all_or_nothing: bool = False
) -> ImportReport:
    """Read, check and take the rows of one file; the report lists every refused row by line, column and reason."""
    require(uow.actor, "resident.change")
    if kind not in LAYOUTS:
        raise KeyError(kind)
    parsed = read_csv(data, LAYOUTS[kind])
    record = CsvImport(kind=kind, file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), encoding=parsed.encoding,
                       all_or_nothing=all_or_nothing, status="imported", row_count=len(parsed.rows),
                       created_by=uow.actor.login_id)  # fmt: skip
    uow.session.add(record)
    uow.session.flush()
    report = ImportReport(record.id, "imported")
    groups = _groups(kind, parsed.rows)
    known = set(uow.session.scalars(select(CsvImportRow.row_key).where(CsvImportRow.kind == kind,
                                                                       CsvImportRow.row_key.in_([g.key for g in groups]))))  # fmt: skip
    with uow.session.begin_nested() as whole:
        for group in groups:
            if group.key in known:
                report.skipped_duplicates += len(group.lines)
                continue
            problems = _take(uow, record, group)
            report.problems += problems
            report.created += 0 if problems else 1
        if all_or_nothing and report.problems:
            whole.rollback()
            report.created = 0
    report.problems.sort(key=lambda p: (p["row"], p["column"]))
    report.status = (
        "rejected" if report.problems and not report.created else "partial" if report.problems else "imported"
    )
    record.status, record.created_count = report.status, report.created
    record.error_count, record.problems = len(report.problems), report.problems
    record_access(uow, "csv_imported", "change", detail={"kind": kind, "file": file_name, "created": report.created,
                  "refused": len(report.problems), "duplicates": report.skipped_duplicates},
                  my_number_shown=kind == "card_face")  # fmt: skip
    return report
