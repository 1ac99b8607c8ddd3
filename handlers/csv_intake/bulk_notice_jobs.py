"""The notices of a 住所一括変更 (j1340) as an output job: asked for at the door (``request_bulk_notices``), made
in the background (Celery; eagerly in the embedded default) by ``run_bulk_notice_job`` — a run of tens of
thousands of households must not hold a request — and downloaded as one PDF (one A4 page per notice) and one
CSV list for a mail merge.

The job runs as the clerk who asked (their permission and roles: the support-measure rule depends on them).
Composing reads the register in one short transaction; the PDF is rendered ``CHUNK`` notices at a time
(WeasyPrint, the certificates' fonts) and the parts joined (pypdf), each chunk's progress in its own short
transaction.  One ``bulk_change_notices_printed`` access-log row (帳票発行) per output — what, how many, for
whom, by whom — and one ``bulk_change_notices_downloaded`` per download.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer

from handlers.audit import record_access
from handlers.certificates.notice_render import BulkChangeNoticeContent, render_bulk_change_notices
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.csv_intake.bulk_notice_issuers import issuers_of_run
from handlers.csv_intake.bulk_notices import TIMINGS, NoticeRun, check_timing, compose_notices
from handlers.csv_intake.results import bulk_change
from handlers.db import Database
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.job_rows import requester_of, update_job
from handlers.permissions import require
from handlers.uow import UnitOfWork, unit_of_work
from models.reporting import BulkAddressChange, BulkAddressNotice

CHUNK = 100  # notices per WeasyPrint document
CSV_HEADER = ["番号", "通知", "世帯番号・宛名番号", "宛先の宛名番号", "宛先氏名", "郵便番号", "住所", "方書",
              "変更前", "変更後", "変更日", "対象者"]  # fmt: skip
FILES = {"pdf": ("application/pdf", "pdf"), "csv": ("text/csv; charset=utf-8", "csv")}


def request_bulk_notices(uow: UnitOfWork, change_id: int, timing: str) -> BulkAddressNotice:
    """Check and queue one output; the caller starts ``run_bulk_notice_job`` after commit.  事前 only while the
    run is provisional, 事後 only after the final run; a 認証者 must be in effect today for each ward concerned."""
    require(uow.actor, "resident.change")
    if timing not in TIMINGS:
        raise ValidationError([Problem("timing", "通知の種類", "選べる値ではありません", "事前通知か事後通知を選んでください", "choice")])  # fmt: skip
    change = bulk_change(uow, change_id)  # another municipality's run: not found
    check_timing(change, timing)
    issuers_of_run(uow, change, japan_today())  # a certifier for every ward the run concerns
    job = BulkAddressNotice(change_id=change.id, timing=timing, status="queued", created_by=uow.actor.login_id,
                            created_by_user_id=uow.actor.user_id)  # fmt: skip
    uow.session.add(job)
    uow.session.flush()
    return job


def _job_actor(db: Database, tenant_id: int, job_id: int) -> Actor:
    return requester_of(
        db, tenant_id, BulkAddressNotice, job_id, "bulk_notice", f"通知の出力 {job_id} はありません。"
    )


def _update(db: Database, actor: Actor, job_id: int, **values: Any) -> None:
    update_job(db, actor, BulkAddressNotice, job_id, **values)


def _compose(db: Database, actor: Actor, job_id: int, today: dt.date) -> tuple[NoticeRun, str]:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "resident.change")
        job = uow.session.get(BulkAddressNotice, job_id)
        assert job is not None
        change = uow.session.get(BulkAddressChange, job.change_id)
        assert change is not None
        run = compose_notices(uow, change, job.timing, today)
        job.status, job.progress = "running", 0
        return run, job.timing


def _render(db: Database, actor: Actor, job_id: int, contents: Sequence[BulkChangeNoticeContent]) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for start in range(0, len(contents), CHUNK):
        writer.append(io.BytesIO(render_bulk_change_notices(contents[start : start + CHUNK])))
        _update(db, actor, job_id, progress=min(start + CHUNK, len(contents)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def notice_list_csv(run: NoticeRun, timing: str) -> bytes:
    """The list for a mail merge: one line per notice (UTF-8 with BOM, CRLF)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for number, notice in enumerate(run.notices, start=1):
        c = notice.content
        writer.writerow([number, TIMINGS[timing], notice.key, notice.addressee_atena, c.addressee_name,
                         c.postal_code, c.address, c.katagaki, c.before, c.after, c.change_date_text,
                         "、".join(c.subject_names)])  # fmt: skip
    return out.getvalue().encode("utf-8-sig")


def _finish(db: Database, actor: Actor, job_id: int, run: NoticeRun, timing: str, pdf: bytes | None) -> None:
    with unit_of_work(db, actor) as uow:
        job = uow.session.get(BulkAddressNotice, job_id)
        assert job is not None
        job.status, job.notice_count, job.progress = "done", len(run.notices), len(run.notices)
        job.withheld, job.excluded = run.withheld, run.excluded
        job.pdf, job.csv = pdf, notice_list_csv(run, timing)
        job.finished_at = dt.datetime.now(dt.UTC)
        subjects = [s for n in run.notices for s in n.subjects]
        detail = {"change_id": job.change_id, "job_id": job.id, "timing": timing, "count": len(run.notices),
                  "withheld": len(run.withheld), "excluded": len(run.excluded)}  # fmt: skip
        record_access(uow, "bulk_change_notices_printed", "print", targets=subjects, detail=detail)


def run_bulk_notice_job(db: Database, tenant_id: int, job_id: int, *, today: dt.date | None = None) -> None:
    """Make a queued output to the end; a failure is recorded on the job (status failed, error) and re-raised."""
    actor = _job_actor(db, tenant_id, job_id)
    try:
        run, timing = _compose(db, actor, job_id, today or japan_today())
        pdf = _render(db, actor, job_id, [n.content for n in run.notices]) if run.notices else None
        _finish(db, actor, job_id, run, timing, pdf)
    except Exception as err:
        _update(db, actor, job_id, status="failed", error=f"{type(err).__name__}: {err}")
        raise


def notices_of_change(uow: UnitOfWork, change_id: int) -> list[BulkAddressNotice]:
    """The outputs of one run, newest first (for its page)."""
    require(uow.actor, "resident.change")
    return list(
        uow.session.scalars(
            select(BulkAddressNotice)
            .options(defer(BulkAddressNotice.pdf), defer(BulkAddressNotice.csv))  # the page links the files
            .where(BulkAddressNotice.change_id == change_id)
            .order_by(BulkAddressNotice.id.desc())
        )
    )


def notice_file(uow: UnitOfWork, job_id: int, kind: str) -> tuple[bytes, str, str]:
    """The PDF or the CSV of a finished output: (body, media type, file name); logged as a download."""
    require(uow.actor, "resident.change")
    job = uow.session.get(BulkAddressNotice, job_id)
    body = getattr(job, kind, None) if job is not None and kind in FILES else None
    if job is None or body is None:
        raise NotFoundError(f"通知の出力 {job_id} のファイルはありません。")
    media, extension = FILES[kind]
    detail = {"change_id": job.change_id, "job_id": job.id, "timing": job.timing, "file": kind,
              "count": job.notice_count}  # fmt: skip
    record_access(uow, "bulk_change_notices_downloaded", "export", detail=detail)
    return body, media, f"bulk-address-{job.change_id}-{job.timing}-{job.id}.{extension}"
