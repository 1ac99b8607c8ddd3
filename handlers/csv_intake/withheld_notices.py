"""The notices a 住所一括変更's output held back (j1340): a household or person concerning someone protected by a
support measure is left out of the bulk PDF and CSV and only listed by number "to be handled one by one".

Whoever the support-measure rule withholds nothing from (``suppression.persons_withheld_from_lists``: the
support-measure officer, ``support.view``) prints such a notice here, one at a time, as it stands today; a clerk
without that right gets nothing.  Any held-back notice of an output stays printable once the run has moved on —
an 事前通知 after the 本処理 too, for the file or a late delivery (``bulk_notices.compose_one_notice``) — except
one the run now leaves out (not changed by the 本処理, moved or removed since), whose reason the list shows.
Nothing of a held-back notice is kept: it is composed again from the run's plan and the register at each print,
so a protected person's address is never copied.  Each print is one ``bulk_change_withheld_notice_printed``
access-log row (帳票発行): the 宛名番号 of the addressee and the persons concerned, the run, the output and the key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer

from handlers.audit import record_access
from handlers.certificates.notice_render import render_bulk_change_notices
from handlers.clock import japan_today
from handlers.csv_intake.bulk_notices import TIMINGS, compose_one_notice, left_out_now
from handlers.errors import NotFoundError, PermissionDeniedError
from handlers.permissions import require
from handlers.uow import UnitOfWork
from models.reporting import BulkAddressChange, BulkAddressNotice

OFFICER = "support.view"  # the permission that makes persons_withheld_from_lists withhold nothing


def _job(uow: UnitOfWork, job_id: int) -> BulkAddressNotice:
    job = uow.session.get(BulkAddressNotice, job_id)
    if job is None or job.status != "done":
        raise NotFoundError(f"通知の出力 {job_id} はありません。")
    return job


OUTPUTS_SHOWN = 100


def outputs_holding_notices(uow: UnitOfWork) -> list[BulkAddressNotice]:
    """The finished outputs that held notices back, newest first (the officer's list: where to print them)."""
    require(uow.actor, OFFICER)
    done = uow.session.scalars(
        select(BulkAddressNotice)
        .options(defer(BulkAddressNotice.pdf), defer(BulkAddressNotice.csv))  # a list: not the files' bytes
        .where(BulkAddressNotice.status == "done")
        .order_by(BulkAddressNotice.id.desc())
        .limit(OUTPUTS_SHOWN * 10)
    )
    return [job for job in done if job.withheld][:OUTPUTS_SHOWN]


def withheld_of_output(uow: UnitOfWork, job_id: int) -> tuple[BulkAddressNotice, list[dict[str, Any]]]:
    """An output and the notices it held back, for the officer's page: {"key", "reason", "left_out"}, where
    ``left_out`` says why a notice can no longer be printed (the run now leaves it out), else None."""
    require(uow.actor, OFFICER)
    job = _job(uow, job_id)
    change = _change(uow, job)
    return job, [{**w, "left_out": left_out_now(uow, change, str(w["key"]))} for w in job.withheld or []]


def _change(uow: UnitOfWork, job: BulkAddressNotice) -> BulkAddressChange:
    change = uow.session.get(BulkAddressChange, job.change_id)
    assert change is not None  # the job's own run
    return change


def print_withheld_notice(
    uow: UnitOfWork, job_id: int, key: str, *, today: dt.date | None = None
) -> tuple[bytes, str]:
    """One held-back notice of output ``job_id`` as a PDF: (body, file name); logged as 帳票発行."""
    require(uow.actor, OFFICER)
    job = _job(uow, job_id)
    if key not in {str(w["key"]) for w in job.withheld or []}:
        raise NotFoundError(f"通知の出力 {job_id} に保留された {key} の通知はありません。")
    change = _change(uow, job)
    notice = compose_one_notice(uow, change, job.timing, key, today or japan_today())
    if notice is None:  # only when the rule withholds from this user after all
        raise PermissionDeniedError("支援措置の対象者に関する通知は、支援措置の担当者だけが出力できます。")
    pdf = render_bulk_change_notices([notice.content])
    detail = {"change_id": change.id, "job_id": job.id, "timing": job.timing, "key": key,
              "notice": f"{TIMINGS[job.timing]}（一括出力から保留した通知の個別出力）"}  # fmt: skip
    targets = dict.fromkeys([notice.addressee_atena, *notice.subjects])
    record_access(uow, "bulk_change_withheld_notice_printed", "print", targets=targets, detail=detail)
    return pdf, f"bulk-address-{change.id}-{job.timing}-{job.id}-{key}.pdf"
