"""Real processes on this machine for the multi-process test and the load benchmark: a dedicated PostgreSQL
database reached through the non-owner application role (row-level security applies), gunicorn with several
workers, Celery workers on Redis, and a local HTTP receiver counting notices by idempotency key.

Everything listens on 127.0.0.1 only.  Each process writes its log to ``logdir``.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

import models
from handlers import rls
from handlers.api_tokens import issue_token
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database, make_engine
from handlers.passwords import hash_password
from handlers.residents.resident_code_pool import load_pool
from handlers.rules.check_digit import my_number_check_digit, with_m11w27
from handlers.uow import unit_of_work
from tests.pg_available import ensure_database

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CITY = {"code": "141003", "name": "横浜市", "prefecture": "神奈川県", "kind": "general"}
OFFICIALS = [
    {"title": "横浜市長", "name": "山中 竹春", "from": "2021-08-30", "to": "", "acting": False}
]  # 認証者
ROLES = ("clerk", "supervisor", "administrator")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the database -------------------------------------------------------------------------------------------


def create_database(owner_url: str) -> None:
    """A fresh database with the schema from the models and the row-level security policies."""
    if not ensure_database(owner_url):
        raise RuntimeError(f"PostgreSQL does not answer at {owner_url}")
    engine = make_engine(owner_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    models.Base.metadata.create_all(engine)
    rls.apply_to_engine(engine)
    engine.dispose()


def app_role_url(owner_url: str, role: str) -> str:
    """Create (or update) ``role`` with DML grants in the owner's database; the URL to connect as it."""
    engine = make_engine(owner_url)
    with engine.begin() as conn:
        rls.create_app_role(conn, role)
    engine.dispose()
    return make_url(owner_url).set(username=role, password=None).render_as_string(hide_password=False)


def drop_database(owner_url: str, role: str | None = None) -> None:
    url = make_url(owner_url)
    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")  # fmt: skip
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        if role:
            exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
            if exists:
                conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
    admin.dispose()


@dataclass
class World:
    tenant_id: int
    tokens: dict[str, str]  # role → bearer secret


def seed_world(db: Database, *, codes: int, receiver: str | None, code_base: int = 7_000_000_000) -> World:
    """横浜市 with a clerk, a supervisor and an administrator (each with an API token), a 住民票コード pool of
    ``codes`` codes, and the CS and other-municipality notices pointed at ``receiver`` (http_json)."""
    with unit_of_work(db, Actor.system(0, "bench:seed"), cross_tenant=True) as uow:
        city = models.Municipality(**CITY, settings={"officials": OFFICIALS})
        uow.session.add(city)
        uow.session.flush()
        password = hash_password("bench horse battery staple")
        users = {
            role: models.User(tenant_id=city.id, login_id=f"{role}@{city.code}", display_name=role,
                              password_hash=password, roles=[role], totp_enrolled=False)
            for role in ROLES
        }  # fmt: skip
        uow.session.add_all(users.values())
        for name in ("cs", "municipality:*", "addressee", "koseki_fuhyo") if receiver else ():
            uow.session.add(
                models.IntegrationDestination(tenant_id=city.id, name=name, kind="http_json", url=receiver)
            )
        uow.session.flush()
        tenant_id, user_ids = city.id, {role: u.id for role, u in users.items()}
    admin = Actor(tenant_id=tenant_id, login_id="administrator", user_id=user_ids["administrator"],
                  roles=frozenset({"administrator"}))  # fmt: skip
    tokens = {}
    with unit_of_work(db, admin) as uow:
        for role in ("clerk", "supervisor"):
            tokens[role] = issue_token(uow, name=f"bench-{role}", user_id=user_ids[role])
    supervisor = Actor(tenant_id=tenant_id, login_id="supervisor", user_id=user_ids["supervisor"],
                       roles=frozenset({"supervisor"}))  # fmt: skip
    with unit_of_work(db, supervisor) as uow:
        load_pool(uow, [with_m11w27(f"{code_base + n:010d}") for n in range(codes)])
    return World(tenant_id, tokens)


def my_number(serial: int) -> str:
    body = f"{41_000_000_000 + serial:011d}"
    return body + my_number_check_digit(body)


GIVEN = [("太郎", "タロウ", "1", "世帯主"), ("花子", "ハナコ", "2", "妻"), ("一郎", "イチロウ", "1", "子")]


def move_in_intake(serial: int, members: int = 2) -> dict[str, Any]:
    """A family 転入 from 佐久市 five days ago, each ``serial`` at its own address with its own マイナンバー."""
    moved = (japan_today() - dt.timedelta(days=5)).isoformat()
    people = [
        {"resident_kind": "japanese", "family_name": "並行", "given_name": given, "family_name_kana": "ヘイコウ",
         "given_name_kana": kana, "birth_date": f"{1960 + index * 7}-04-01", "sex": sex,
         "relation_to_head": relation, "honseki": "長野県佐久市中込1番", "hittosha": "並行 太郎",
         "my_number": my_number(serial * 10 + index)}
        for index, (given, kana, sex, relation) in enumerate(GIVEN[:members])
    ]  # fmt: skip
    return {
        "kind": "domestic", "change_date": moved, "notified_date": japan_today().isoformat(),
        "household": {"address": f"神奈川県横浜市中区港町2丁目{serial + 1}番地", "postal_code": "231-0017"},
        "former_address": {"address": "長野県佐久市中込1番地", "municipality_code": "202118"},
        "move_out_certificate": {"planned_move_out_date": moved}, "members": people,
    }  # fmt: skip


# --- processes ----------------------------------------------------------------------------------------------


@dataclass
class Processes:
    logdir: Path
    env: dict[str, str]
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.logdir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
        self.running[name] = proc
        return proc

    def stop_all(self) -> None:
        for proc in self.running.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.time() + 20
        for proc in self.running.values():
            try:
                proc.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def process_env(
    database_url: str, broker: str | None, queue: str, extra: dict[str, str] | None = None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUMIN_", "PYTEST"))}
    env.update(DATABASE_URL=database_url, SECRET_KEY="cluster-secret", LOG_FORMAT="json", CELERY_QUEUE=queue,
               PYTHONPATH=str(ROOT), OUTBOX_RETRY_BASE_SECONDS="0.2")  # fmt: skip
    if broker:
        env["CELERY_BROKER_URL"] = broker
    env.update(extra or {})
    return env


def gunicorn_argv(port: int, workers: int) -> list[str]:
    return [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "webui.wsgi:app"]  # fmt: skip


def celery_worker_argv(name: str, concurrency: int) -> list[str]:
    return [PYTHON, "-m", "celery", "-A", "worker.celery_app", "worker", "--hostname", f"{name}@%h",
            "--concurrency", str(concurrency), "--loglevel", "INFO", "--without-gossip", "--without-mingle"]  # fmt: skip


def wait_for_http(port: int, path: str = "/readyz", timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            status, _ = request("127.0.0.1", port, "GET", path)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"nothing answered 200 on 127.0.0.1:{port}{path} within {timeout} s")


def request(host: str, port: int, method: str, path: str, body: Any = None, token: str | None = None,
            conn: http.client.HTTPConnection | None = None, timeout: float = 60.0) -> tuple[int, Any]:  # fmt: skip
    """One JSON request (on ``conn`` when given, kept alive); returns (status, parsed body or text)."""
    own = conn is None
    conn = conn or http.client.HTTPConnection(host, port, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        if own:
            conn.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, raw.decode("utf-8", "replace")


# --- the notice receiver ------------------------------------------------------------------------------------


class NoticeReceiver:
    """Accepts every POST with 200 and counts it by ``X-Jumin-Idempotency-Key``."""

    def __init__(self) -> None:
        self.keys: queue.SimpleQueue[str] = queue.SimpleQueue()  # filled by the server's threads
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.keys.put(self.headers.get("X-Jumin-Idempotency-Key") or "?")
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notices"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._seen: list[str] = []

    def counts(self) -> Counter[str]:
        """How often each idempotency key arrived so far."""
        seen: list[str] = []
        while not self.keys.empty():
            seen.append(self.keys.get())
        self._seen.extend(seen)
        return Counter(self._seen)

    def __enter__(self) -> NoticeReceiver:
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
