"""The 年報 tables as rows, and their CSV (UTF-8 with BOM, for spreadsheet software) and XLSX exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from handlers.rules.dates import format_wareki
from handlers.rules.foreign import FOREIGN_CATEGORIES
from handlers.statistics.report import (
    CHANGE_LABELS,
    KINDS,
    SEXES,
    ChangeReport,
    PopulationReport,
    age_group_labels,
)

Table = tuple[str, list[str], list[list[object]]]  # (sheet title, header, rows)


def _population_table(report: PopulationReport) -> Table:
    header = ["区分", "男", "女", "計"]
    rows: list[list[object]] = []
    for kind, label in KINDS.items():
        men, women = report.population[(kind, "1")], report.population[(kind, "2")]
        rows.append([label, men, women, men + women])
    men = sum(v for (_k, s), v in report.population.items() if s == "1")
    women = sum(v for (_k, s), v in report.population.items() if s == "2")
    rows.append(["計", men, women, report.total])
    households = report.households
    rows.append(["世帯数（日本人のみ）", "", "", households["japanese"]])
    rows.append(["世帯数（外国人のみ）", "", "", households["foreign"]])
    rows.append(["世帯数（複数国籍）", "", "", households["mixed"]])
    return (f"人口・世帯数 {format_wareki(report.on)}", header, rows)


def _age_table(report: PopulationReport) -> Table:
    header = ["年齢階級"] + [f"{KINDS[k]}{SEXES[s]}" for k in KINDS for s in SEXES] + ["計"]
    rows: list[list[object]] = []
    for group in age_group_labels():
        values = [report.by_age[(k, s, group)] for k in KINDS for s in SEXES]
        rows.append([group, *values, sum(values)])
    return ("年齢別人口", header, rows)


def _change_table(changes: ChangeReport) -> Table:
    header = ["異動区分"] + [f"{KINDS[k]}{SEXES[s]}" for k in KINDS for s in SEXES] + ["計"]
    rows: list[list[object]] = []
    for code, label in CHANGE_LABELS.items():
        values = [changes.counts[(code, k, s)] for k in KINDS for s in SEXES]
        rows.append([label, *values, sum(values)])
    return (f"異動 {format_wareki(changes.start)}～{format_wareki(changes.end)}", header, rows)


def _foreign_table(report: PopulationReport) -> Table:
    rows: list[list[object]] = [
        [
            FOREIGN_CATEGORIES[category].label if category in FOREIGN_CATEGORIES else category,
            status,
            nationality,
            count,
        ]
        for (category, status, nationality), count in sorted(report.mid_long_term.items())
    ]
    return ("外国人住民（在留資格・国籍別）", ["法第30条の45の区分", "在留資格", "国籍・地域", "人数"], rows)


def report_table(report: PopulationReport, changes: ChangeReport) -> list[Table]:
    return [_population_table(report), _age_table(report), _change_table(changes), _foreign_table(report)]


def _csv_lines(tables: list[Table]) -> Iterator[list[object]]:
    for title, header, rows in tables:
        yield [title]
        yield list(header)
        yield from rows
        yield []


def report_csv(report: PopulationReport, changes: ChangeReport) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(_csv_lines(report_table(report, changes)))
    return buffer.getvalue().encode("utf-8-sig")


def report_xlsx(report: PopulationReport, changes: ChangeReport) -> bytes:
    """One sheet per table (the final 提出物 the batch can produce automatically, j1280)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for index, (title, header, rows) in enumerate(report_table(report, changes), start=1):
        sheet = book.create_sheet(f"{index}")
        sheet.append([title])
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
