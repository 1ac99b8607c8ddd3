"""Several real processes share the work: 3 gunicorn workers, 2 Celery workers (Redis) and 3 client processes
on one PostgreSQL database that this test creates and drops, the app connecting as the non-owner role (row-level
security on).  No number is issued twice (宛名番号, 世帯番号, 住民票コード from the pool, 発行番号), no task is
completed twice, no notice is sent twice (the receiver counts by idempotency key).

PostgreSQL and Redis only; skipped with the reason otherwise.  Correctness rests on the database (row locks,
conditional UPDATEs, SKIP LOCKED, advisory locks), never on a lock inside a process.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bench import cluster
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from models import CaseTask, CertificateIssuance, Household, OutboxMessage, Resident, ResidentCodePoolEntry

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

CASES_PER_CLIENT = 8
CLIENTS = 3
MEMBERS = 2
REDIS = "redis://127.0.0.1:6379/0"

# Each client process: open its cases as the clerk (numbers issued at once in 3 processes), then race the
# other clients to approve EVERY review task as the supervisor, then issue certificates for the newcomers.
CLIENT = r"""
import json, sys
from bench import cluster
port, clerk, supervisor, first, count, members = sys.argv[1:7]
port, first, count, members = int(port), int(first), int(count), int(members)
out = {"opened": [], "statuses": [], "approved": [], "conflicts": 0, "certificates": [], "errors": []}
def call(method, path, token, body=None):
    status, payload = cluster.request("127.0.0.1", port, method, path, body, token)
    out["statuses"].append(status)
    if status >= 500:
        out["errors"].append([method, path, status, str(payload)[:300]])
    return status, payload
for serial in range(first, first + count):
    status, case = call("POST", "/api/cases", clerk, {"change_type": "move_in",
                        "intake": cluster.move_in_intake(serial, members)})
    if status == 201:
        out["opened"].append(case["id"])
with open(sys.argv[7], "w") as f:
    f.write("opened")
import os, time
while not os.path.exists(sys.argv[8]):
    time.sleep(0.05)
status, body = call("GET", "/api/tasks?role=supervisor&state=ready", supervisor)
tasks = [t for t in body["tasks"] if t["bpmn_id"] == "review_move_in"]
for task in tasks:
    status, body = call("POST", f"/api/tasks/{task['id']}/complete", supervisor,
                        {"decision": "approve", "acknowledgements": []})
    if status == 200:
        out["approved"].append(task["id"])
    elif status in (404, 409, 422):
        out["conflicts"] += 1
        out.setdefault("refusals", []).append([status, str(body)[:200]])
for case_id in out["opened"]:
    status, view = call("GET", f"/api/cases/{case_id}", clerk)
    subjects = view["case"]["subject_atena_numbers"] if status == 200 else []
    out.setdefault("views", []).append([status, view["case"]["status"], subjects] if status == 200 else [status])
    if subjects:
        status, issued = call("POST", "/api/certificates", clerk,
                              {"certificate_type": "copy_individual", "subjects": subjects[:1], "copies": 2})
        if status == 201:
            out["certificates"].extend(issued["issue_numbers"])
print(json.dumps(out))
"""


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def cluster_database(database_url: str) -> Iterator[tuple[str, str]]:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("needs PostgreSQL (JUMIN_TEST_DATABASE_URL): several processes share one database")
    if not _redis_answers():
        pytest.skip(f"needs Redis at {REDIS} for the Celery workers")
    suffix = uuid.uuid4().hex[:8]
    owner = make_url(database_url).set(database=f"{make_url(database_url).database}_mp_{suffix}")
    owner_url = owner.render_as_string(hide_password=False)
    role = f"jumin_app_mp_{suffix}"
    cluster.create_database(owner_url)
    try:
        yield owner_url, cluster.app_role_url(owner_url, role)
    finally:
        cluster.drop_database(owner_url, role)


def _run_clients(port: int, tokens: dict[str, str], tmp: Path) -> list[dict]:
    go = tmp / "go"
    clients = []
    for n in range(CLIENTS):
        argv = [cluster.PYTHON, "-c", CLIENT, str(port), tokens["clerk"], tokens["supervisor"],
                str(n * CASES_PER_CLIENT), str(CASES_PER_CLIENT), str(MEMBERS), str(tmp / f"opened-{n}"), str(go)]  # fmt: skip
        clients.append(subprocess.Popen(argv, cwd=cluster.ROOT, stdout=subprocess.PIPE, text=True))
    deadline = time.time() + 240
    while not all((tmp / f"opened-{n}").exists() for n in range(CLIENTS)) and time.time() < deadline:
        time.sleep(0.1)
    go.touch()  # every case is open: now all clients race for the same review tasks
    results = []
    for proc in clients:
        stdout, _ = proc.communicate(timeout=max(10, deadline - time.time()))
        assert proc.returncode == 0
        results.append(json.loads(stdout.strip().splitlines()[-1]))
    return results


def _wait_for_outbox(db: Database, receiver: cluster.NoticeReceiver, timeout: float = 120) -> int:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with unit_of_work(db, Actor.system(0, "test"), cross_tenant=True) as uow:
            pending = uow.session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")
            )
        if pending == 0:
            return 0
        time.sleep(0.5)
    return int(pending or 0)


@pytest.mark.req("j1090")
def test_processes_sharing_the_work_never_issue_complete_or_send_anything_twice(
    cluster_database: tuple[str, str], tmp_path: Path
) -> None:
    owner_url, app_url = cluster_database
    owner_db = Database.from_url(owner_url)
    expected_cases = CLIENTS * CASES_PER_CLIENT
    with cluster.NoticeReceiver() as receiver:
        world = cluster.seed_world(owner_db, codes=expected_cases * MEMBERS + 200, receiver=receiver.url)
        port = cluster.free_port()
        env = cluster.process_env(
            app_url, REDIS, f"jumin-mp-{uuid.uuid4().hex[:8]}", {"WEB_CONCURRENCY": "3"}
        )
        procs = cluster.Processes(tmp_path, env)
        try:
            procs.start("web", cluster.gunicorn_argv(port, 3))
            procs.start("worker-1", cluster.celery_worker_argv("w1", 2))
            procs.start("worker-2", cluster.celery_worker_argv("w2", 2))
            cluster.wait_for_http(port)
            results = _run_clients(port, world.tokens, tmp_path)
            still_pending = _wait_for_outbox(owner_db, receiver)
        finally:
            procs.stop_all()
        counts = receiver.counts()
    logs = {p.name: p.read_text(errors="replace")[-3000:] for p in tmp_path.glob("*.log")}

    errors = [e for r in results for e in r["errors"]]
    assert errors == [], (errors, logs["web.log"])
    opened = [c for r in results for c in r["opened"]]
    approved = [t for r in results for t in r["approved"]]
    certificates = [n for r in results for n in r["certificates"]]
    assert len(opened) == expected_cases
    assert len(approved) == expected_cases and len(set(approved)) == expected_cases  # each task once
    assert sum(r["conflicts"] for r in results) == expected_cases * (CLIENTS - 1)  # the losers were told
    assert len(certificates) == len(set(certificates)) == expected_cases * 2, results  # 発行番号 never twice

    with unit_of_work(owner_db, Actor.system(0, "test"), cross_tenant=True) as uow:
        s = uow.session
        residents = s.execute(select(Resident.atena_number, Resident.resident_code)).all()
        assert len(residents) == expected_cases * MEMBERS
        assert len({r.atena_number for r in residents}) == len(residents)  # 宛名番号
        assert len({r.resident_code for r in residents}) == len(residents)  # 住民票コード
        used = s.scalar(select(func.count()).select_from(ResidentCodePoolEntry).where(
            ResidentCodePoolEntry.taken.is_(True)))  # fmt: skip
        assert used == len(residents)
        households = s.scalars(select(Household.household_number)).all()
        assert len(households) == len(set(households)) == expected_cases  # 世帯番号
        done = s.scalar(select(func.count()).select_from(CaseTask).where(
            CaseTask.bpmn_id == "review_move_in", CaseTask.state == "completed"))  # fmt: skip
        assert done == expected_cases
        assert s.scalar(select(func.count()).select_from(CertificateIssuance)) == expected_cases * 2
        keys = s.scalars(select(OutboxMessage.idempotency_key).where(OutboxMessage.destination == "cs")).all()
        row_level_security = s.execute(text("SELECT relrowsecurity FROM pg_class WHERE relname = 'resident'"))
        assert row_level_security.scalar_one() is True

    assert still_pending == 0, logs.get("worker-1.log")
    assert keys and all(counts[k] == 1 for k in keys), {k: counts[k] for k in keys if counts[k] != 1}
    assert max(counts.values()) == 1  # no notice of any destination arrived twice
    owner_db.bind.dispose()
    assert _request_ids_followed_into_tasks(tmp_path)


def _request_ids_followed_into_tasks(logdir: Path) -> bool:
    """Some approval's request id (web log) is the request id of a delivery task's log line (worker logs)."""

    def lines(name: str) -> list[dict]:
        return [json.loads(line) for line in (logdir / name).read_text().splitlines() if line.startswith("{")]

    approvals = {
        e["request_id"] for e in lines("web.log")
        if e.get("endpoint") == "api.complete_task_api" and e.get("status") == 200
    }  # fmt: skip
    deliveries = {
        e["request_id"] for name in ("worker-1.log", "worker-2.log") for e in lines(name)
        if e["message"] == "task jumin.outbox.deliver_destinations started"
    }  # fmt: skip
    return bool(approvals & deliveries)
