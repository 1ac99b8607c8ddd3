"""The batch registry (j1280): every batch that can be started now or on a schedule, with its parameters'
defaults.  Each body runs in its own unit of work as the municipality's system actor and returns its output
text (and, for the statistics, the XLSX to submit).

経過滞在者 (j1350): the standard forbids a LIST of 経過滞在者 (出生・国籍喪失) in v1.0, so the watch batch reports
only how many have stayed more than 60 days; the person-level signal is the alert ``transitional_stay_alert``
shown on that person's own record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from handlers.address_dictionary import japan_post_towns
from handlers.address_refresh import refresh_from_japan_post
from handlers.changes.move_in_notice_receipt import missing_move_in_notices
from handlers.changes.move_out_register import apply_due_move_outs
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import Problem
from handlers.juki_net.consistency import EXTRACT_KIND
from handlers.juki_net.received import RECEIVED_KINDS, take_received_files
from handlers.kiosk.retention import drop_expired_answers
from handlers.removed_records.archive import archive_old_removed_records
from handlers.rules.dates import format_wareki
from handlers.rules.support_period import PERIOD_ALERT_LABELS, period_alert
from handlers.statistics import changes_between, population_on, report_xlsx
from handlers.tenants import municipality_of
from handlers.uow import UnitOfWork, unit_of_work
from models.resident import Resident
from models.support import SupportMeasure

TRANSITIONAL_CATEGORIES = ("transitional_birth", "transitional_nationality_loss")
TRANSITIONAL_DAYS = 60
STATISTICS_PERIODS = {"previous_month": "前月", "current_month": "当月（今日まで）"}


@dataclass(frozen=True)
class BatchOutcome:
    output: str
    result: bytes | None = None
    result_name: str | None = None


@dataclass(frozen=True)
class BatchDefinition:
    code: str
    label: str
    body: Callable[[UnitOfWork, dict[str, Any], dt.date], BatchOutcome]
    defaults: dict[str, Any] = field(default_factory=dict)
    parameter_labels: dict[str, str] = field(default_factory=dict)
    parameter_choices: dict[str, dict[str, str]] = field(default_factory=dict)  # name → value → its label
    # name → the whole numbers it takes (an empty default means it may be left blank)
    parameter_ranges: dict[str, tuple[int, int]] = field(default_factory=dict)

    def shown(self, name: str, value: Any) -> str:
        """A parameter's value as the page shows it: a choice by its label, an empty one as （空欄）."""
        if value is None or value == "":
            return "（空欄）"
        return self.parameter_choices.get(name, {}).get(str(value), str(value))


def _archive(uow: UnitOfWork, params: dict[str, Any], today: dt.date) -> BatchOutcome:
    report = archive_old_removed_records(uow, today=today, batch_size=int(params["batch_size"]))
    return BatchOutcome(
        f"移行 {report.moved} 件（{format_wareki(report.cutoff)}より前の消除）、世帯の消滅 {report.dissolved_households} 件"
    )


def _support_endings(uow: UnitOfWork, params: dict[str, Any], today: dt.date) -> BatchOutcome:
    rows = uow.session.execute(
        select(SupportMeasure.id, SupportMeasure.end_date).where(SupportMeasure.status == "in_force")
    ).all()
    lines = [
        f"支援措置 {mid}: {PERIOD_ALERT_LABELS[alert]}（終了日 {format_wareki(end)}）"
        for mid, end in rows
        if (alert := period_alert(end, today)) is not None
    ]
    return BatchOutcome("\n".join([f"期間終了の警告 {len(lines)} 件", *lines]))


def _transitional_watch(uow: UnitOfWork, params: dict[str, Any], today: dt.date) -> BatchOutcome:
    cutoff = today - dt.timedelta(days=int(params["days"]))
    count = uow.session.scalar(
        select(func.count())
        .select_from(Resident)
        .where(
            Resident.status != "removed",
            Resident.foreign_category.in_(TRANSITIONAL_CATEGORIES),
            Resident.foreign_resident_date <= cutoff,
        )
    )
    note = "（一覧表の作成は標準仕様書9.8で実装しない機能のため、件数のみ。各人の住民記録に警告を表示）"
    return BatchOutcome(f"{params['days']}日を超える経過滞在者 {count} 人{note}")


def transitional_stay_alert(
    resident: Resident, today: dt.date, days: int = TRANSITIONAL_DAYS
) -> Problem | None:
    """The alert on one 経過滞在者's own record once they have stayed more than ``days`` days (60: the time to
    obtain a status of residence after birth or loss of nationality)."""
    since = resident.foreign_resident_date
    if (
        resident.foreign_category not in TRANSITIONAL_CATEGORIES
        or since is None
        or (today - since).days <= days
    ):
        return None
    reason = f"経過滞在者となってから{(today - since).days}日が経過しています"
    return Problem(
        "foreign_category",
        "経過滞在者",
        reason,
        "在留資格の取得状況を確認してください",
        "transitional_stay",
        "alert",
    )


def _move_outs(uow: UnitOfWork, params: dict[str, Any], today: dt.date) -> BatchOutcome:
    changed = apply_due_move_outs(uow, today)
    return BatchOutcome(f"転出予定日の到来による除票 {len(changed)} 件\n" + "\n".join(changed))


def _missing_notices(uow: UnitOfWork, params: dict[str, Any], today: dt.date) -> BatchOutcome:
    days = int(params["after_days"]) if params.get("after_days") not in (None, "") else None
    rows = missing_move_in_notices(uow, today, days)
    lines = [f"{r.atena_number}\t{format_wareki(r.removal_date)}\t{r.days_waiting}日" for r in rows]
    return BatchOutcome("\n".join([f"転入通知未着 {len(rows)} 件", *lines]))


def _statistics(uow: UnitOfWork, params: dict[str, Any], today: dt.date) -> BatchOutcome:
    """The previous month's 年報 tables as XLSX (the submission produced automatically, j1280)."""
    first_of_month = today.replace(day=1)
    end = first_of_month - dt.timedelta(days=1) if params["period"] == "previous_month" else today
    start = end.replace(day=1)
    report, changes = population_on(uow, end), changes_between(uow, start, end)
    output = f"基準日 {format_wareki(end)}：人口 {report.total} 人、期間 {format_wareki(start)}～{format_wareki(end)} の異動集計"
    return BatchOutcome(output, report_xlsx(report, changes), f"statistics-{end.isoformat()}.xlsx")


def _cs_consistency(uow: UnitOfWork, params: dict[str, Any], today: dt.date) -> BatchOutcome:
    """整合性確認 (j1100): every new 本人確認情報 extract CS left in the receiving folder."""
    lines = take_received_files(uow, str(params["directory"]), (EXTRACT_KIND,))
    return BatchOutcome("\n".join(["CS本人確認情報との整合性確認", *lines]))


def _cs_files(uow: UnitOfWork, params: dict[str, Any], today: dt.date) -> BatchOutcome:
    """符号取得要求の応答 (j1140), 送付先情報の更新対象者 (j1120), 個人番号の生成・変更要求の応答 (j1130), シリアル番号
    の応答 and CS's operating status (j1160) CS left in the receiving folder."""
    lines = take_received_files(uow, str(params["directory"]), RECEIVED_KINDS)
    return BatchOutcome("\n".join(["CSからの受信ファイルの取込", *lines]))


def _kiosk_retention(uow: UnitOfWork, params: dict[str, Any], today: dt.date) -> BatchOutcome:
    """コンビニ交付 (j1210): the PDFs kept for the center's retries, dropped after the municipality's retention."""
    report = drop_expired_answers(uow)
    return BatchOutcome(
        f"再送用の証明書PDFの消去 {report.dropped} 件（保存時間 {report.retention_hours} 時間を経過した交付分。"
        "要求・交付の記録は残します）"
    )


def _address_dictionary(uow: UnitOfWork, params: dict[str, Any], today: dt.date) -> BatchOutcome:
    """住所辞書の更新 (j250, monthly): the municipality's dictionary brought up to the Japan Post data installed
    with the release, as ``jumin address load`` does (codes kept, staff's entries left alone)."""
    report = refresh_from_japan_post(
        uow, japan_post_towns(municipality_of(uow.session, uow.actor.tenant_id).code)
    )
    counts = "、".join(f"{REFRESH_LABELS[key]} {value} 件" for key, value in report.to_json().items())
    return BatchOutcome(f"住所辞書の更新：{counts}")


REFRESH_LABELS = {"added": "追加", "updated": "更新", "retired": "廃止", "reinstated": "再使用",
                  "kept_by_staff": "職員の修正を保持"}  # fmt: skip
KIOSK_RETENTION = "kiosk_answer_retention"

BATCHES: dict[str, BatchDefinition] = {
    b.code: b
    for b in (
        BatchDefinition("archive_removed", "除票の除票用データベースへの移行（年1回）", _archive, {"batch_size": 1000},
                        {"batch_size": "一度に移行する件数"}, parameter_ranges={"batch_size": (1, 100_000)}),
        BatchDefinition("support_measure_endings", "支援措置の期間終了の警告", _support_endings),
        BatchDefinition("transitional_watch", "経過滞在者の確認（件数のみ）", _transitional_watch, {"days": TRANSITIONAL_DAYS},
                        {"days": "経過日数"}, parameter_ranges={"days": (1, 3_650)}),
        BatchDefinition("move_outs_due", "転出予定日到来者の除票（毎日）", _move_outs),
        BatchDefinition("missing_move_in_notices", "転入通知未着者の確認", _missing_notices, {"after_days": ""},
                        {"after_days": "消除からの日数（空欄は団体の設定）"}, parameter_ranges={"after_days": (1, 3_650)}),
        BatchDefinition("statistics_snapshot", "統計（住民基本台帳関係年報）XLSX作成", _statistics,
                        {"period": "previous_month"}, {"period": "対象期間"}, {"period": STATISTICS_PERIODS}),
        BatchDefinition("cs_consistency_check", "CS本人確認情報との整合性確認（定期）", _cs_consistency,
                        {"directory": ""}, {"directory": "CSからの受信フォルダ"}),
        BatchDefinition("cs_received_files", "CSからの受信ファイル取込（符号・個人番号・シリアル番号の応答、送付先更新対象者、カードの発行状況、稼働状況、出入国在留管理庁長官通知）", _cs_files,
                        {"directory": ""}, {"directory": "CSからの受信フォルダ"}),
        BatchDefinition("address_dictionary_refresh", "住所辞書の更新（日本郵便の郵便番号データ、毎月）", _address_dictionary),
        BatchDefinition(KIOSK_RETENTION, "コンビニ交付の再送用証明書PDFの消去（保存時間の経過分、毎時）", _kiosk_retention),
    )
}  # fmt: skip


def run_body(db: Database, tenant_id: int, code: str, params: dict[str, Any], today: dt.date) -> BatchOutcome:
    with unit_of_work(db, Actor.system(tenant_id, f"batch:{code}")) as uow:
        return BATCHES[code].body(uow, params, today)
