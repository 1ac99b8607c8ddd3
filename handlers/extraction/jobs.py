"""Extraction jobs (j1360, j1330): created at the door, run in the background (Celery; eagerly in the embedded
default) chunk by chunk, each chunk and each progress update in its own short transaction, so the counter
is never held up by a lock or a long transaction.

Suppression: persons protected by a support measure AND every member of their households are left out of every
list unless the requester is the support-measure officer — decided once per job by the one rule for lists,
``handlers.suppression.persons_withheld_from_lists`` (purpose 照会).
The access log gets one ``extraction_run`` row per job: the conditions, the output, the number of persons
and their 宛名番号 (never a 個人番号).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.extraction.conditions import Node, describe, parse_conditions
from handlers.extraction.outputs import MEDIA_TYPES, OUTPUTS, Writer, writer_for
from handlers.extraction.source import Scope, count_matches, fetch_by_keys, fetch_chunk, fetch_keys, sources
from handlers.job_rows import requester_of, update_job
from handlers.permissions import require
from handlers.suppression import Withheld, persons_withheld_from_lists
from handlers.uow import UnitOfWork, unit_of_work
from models.reporting import ExtractionJob

CHUNK_SIZE = 2000


@dataclass(frozen=True)
class JobSpec:
    node: Node
    scope: Scope
    sample: dict[str, int] | None  # {"count", "seed"} for random sampling (j1330)


def _output_problem(output: str) -> ValidationError:
    return ValidationError(
        [
            Problem(
                "output",
                "出力形式",
                f"「{output}」は選べません",
                "一覧から出力形式を選んでください",
                "choice",
            )
        ]
    )


def create_extraction_job(
    uow: UnitOfWork,
    conditions: Any,
    output: str,
    *,
    include_removed: bool = False,
    reference_date: dt.date | None = None,
    sample: dict[str, int] | None = None,
) -> ExtractionJob:
    """Check the conditions and queue a job; the caller starts ``run_extraction_job`` after commit."""
    require(uow.actor, "extraction.run")
    if output not in OUTPUTS:
        raise _output_problem(output)
    node = parse_conditions(conditions)
    stored = {
        "tree": describe(node),
        "include_removed": include_removed,
        "reference_date": (reference_date or japan_today()).isoformat(),
    }
    if sample is not None:
        stored["sample"] = {"count": int(sample["count"]), "seed": int(sample["seed"])}
    job = ExtractionJob(
        kind="sampling" if sample else "extraction",
        conditions=stored,
        output=output,
        status="queued",
        created_by=uow.actor.login_id,
        created_by_user_id=uow.actor.user_id,
    )
    uow.session.add(job)
    uow.session.flush()
    return job


def job_spec(job: ExtractionJob) -> JobSpec:
    stored = job.conditions
    scope = Scope(bool(stored["include_removed"]), dt.date.fromisoformat(stored["reference_date"]))
    return JobSpec(parse_conditions(stored["tree"]), scope, stored.get("sample"))


def job_actor(db: Database, tenant_id: int, job_id: int) -> Actor:
    """The requester of the job (their roles decide suppression), or the system for a scheduled job."""
    return requester_of(
        db, tenant_id, ExtractionJob, job_id, "extraction", f"抽出ジョブ {job_id} はありません。"
    )


def _update(db: Database, actor: Actor, job_id: int, **values: Any) -> None:
    update_job(db, actor, ExtractionJob, job_id, **values)


def _load(db: Database, actor: Actor, job_id: int) -> tuple[JobSpec, str, Withheld, int]:
    with unit_of_work(db, actor) as uow:
        job = uow.session.get(ExtractionJob, job_id)
        if job is None:
            raise NotFoundError(f"抽出ジョブ {job_id} はありません。")
        spec = job_spec(job)
        total = count_matches(uow.session, spec.node, spec.scope)
        excluded = persons_withheld_from_lists(uow, "inquiry")
        job.status, job.total, job.progress = "running", total, 0
        return spec, job.output, excluded, total


def _kept(rows: list[dict[str, Any]], excluded: Withheld, seen: list[str]) -> list[dict[str, Any]]:
    kept = [r for r in rows if not excluded.withholds(r["atena_number"], r["household_number"])]
    seen.extend(r["atena_number"] for r in kept)
    return kept


def _stream(
    db: Database, actor: Actor, job_id: int, spec: JobSpec, writer: Writer, excluded: Withheld
) -> tuple[list[str], int]:
    """Write every match chunk by chunk; returns (宛名番号 written, persons withheld)."""
    written: list[str] = []
    scanned = 0
    for source in sources(spec.scope):
        after: str | None = None
        while True:
            with unit_of_work(db, actor) as uow:
                rows = fetch_chunk(uow.session, spec.node, spec.scope, source, after, CHUNK_SIZE)
            if not rows:
                break
            after = rows[-1]["atena_number"]
            scanned += len(rows)
            writer.write(_kept(rows, excluded, written))
            _update(db, actor, job_id, progress=scanned)
    return written, scanned - len(written)


def _sample(
    db: Database, actor: Actor, spec: JobSpec, writer: Writer, excluded: Withheld
) -> tuple[list[str], int]:
    """Random sampling (j1330): the matches (withheld persons left out) sampled with the seed, reproducibly."""
    assert spec.sample is not None
    with unit_of_work(db, actor) as uow:
        keys = list(fetch_keys(uow.session, spec.node, spec.scope))
    eligible = [k for k in keys if k[1] not in excluded.persons]
    chosen = sorted(
        random.Random(spec.sample["seed"]).sample(eligible, min(spec.sample["count"], len(eligible)))
    )
    written: list[str] = []
    for source in sources(spec.scope):
        wanted = [atena for src, atena in chosen if src == source]
        for start in range(0, len(wanted), CHUNK_SIZE):
            with unit_of_work(db, actor) as uow:
                rows = fetch_by_keys(
                    uow.session, spec.node, spec.scope, source, wanted[start : start + CHUNK_SIZE]
                )
            writer.write(_kept(rows, excluded, written))
    return written, len(keys) - len(eligible)


def _finish(
    db: Database, actor: Actor, job_id: int, writer: Writer, written: list[str], left_out: int
) -> None:
    data = writer.finish()
    with unit_of_work(db, actor) as uow:
        job = uow.session.get(ExtractionJob, job_id)
        assert job is not None
        media, extension = MEDIA_TYPES.get(job.output, (None, None))
        job.status, job.row_count, job.excluded_protected = "done", writer.rows, left_out
        job.progress = job.total or writer.rows
        job.result = data or None
        job.result_type = media
        job.result_name = f"extraction-{job.id}.{extension}" if extension else None
        job.finished_at = dt.datetime.now(dt.UTC)
        detail = {
            "job_id": job.id, "kind": job.kind, "conditions": job.conditions, "output": job.output,
            "count": writer.rows, "excluded_protected": left_out, "replaced_characters": writer.replaced,
        }  # fmt: skip
        record_access(uow, "extraction_run", "export", targets=written, detail=detail)


def run_extraction_job(db: Database, tenant_id: int, job_id: int) -> None:
    """Run a queued job to the end; a failure is recorded on the job (status failed, error) and re-raised."""
    actor = job_actor(db, tenant_id, job_id)
    try:
        spec, output, excluded, _total = _load(db, actor, job_id)
        writer = writer_for(output)
        if spec.sample is not None:
            written, left_out = _sample(db, actor, spec, writer, excluded)
        else:
            written, left_out = _stream(db, actor, job_id, spec, writer, excluded)
        _finish(db, actor, job_id, writer, written, left_out)
    except Exception as err:
        _update(db, actor, job_id, status="failed", error=f"{type(err).__name__}: {err}")
        raise


def job_status(uow: UnitOfWork, job_id: int) -> dict[str, Any]:
    """The progress the page polls (JSON)."""
    require(uow.actor, "extraction.run")
    job = uow.session.get(ExtractionJob, job_id)
    if job is None:
        raise NotFoundError(f"抽出ジョブ {job_id} はありません。")
    percent = 100 if job.status == "done" else int(100 * job.progress / job.total) if job.total else 0
    return {
        "id": job.id, "status": job.status, "progress": job.progress, "total": job.total, "percent": percent,
        "row_count": job.row_count, "excluded_protected": job.excluded_protected, "error": job.error,
        "has_result": job.result is not None,
    }  # fmt: skip


def job_result(uow: UnitOfWork, job_id: int) -> ExtractionJob:
    require(uow.actor, "extraction.run")
    job = uow.session.get(ExtractionJob, job_id)
    if job is None or job.result is None:
        raise NotFoundError(f"抽出ジョブ {job_id} の結果はありません。")
    record_access(uow, "extraction_downloaded", "export", detail={"job_id": job.id, "count": job.row_count})
    return job


def recent_jobs(uow: UnitOfWork, limit: int = 20) -> list[ExtractionJob]:
    require(uow.actor, "extraction.run")
    return list(uow.session.scalars(select(ExtractionJob).order_by(ExtractionJob.id.desc()).limit(limit)))
