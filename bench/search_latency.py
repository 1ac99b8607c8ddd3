"""Benchmark: kana-search latency on the register loaded by ``bench.load_residents`` (PostgreSQL).

    .venv/bin/python -m bench.search_latency --searches 1000

A clerk of 横浜市 signs in through the real pages (password, then TOTP) and runs ``--searches`` searches of
the resident search page (``GET /residents/search?kana=…``) through the Flask test client: the whole stack
(form, handler, tenant scope, suppression check, access log, template), minus the HTTP server.  Each query is
a random 2–4 kana prefix of a loaded person's folded kana key.  Prints p50/p95/p99 in ms and the peak RSS
of this process, which serves the register.  Not a test: it prints, it does not assert.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import time

import pyotp
from flask.testing import FlaskClient
from sqlalchemy import select, text

from bench.load_residents import DEFAULT_PG
from handlers.context import Actor
from handlers.db import Database
from handlers.passwords import hash_password
from handlers.uow import unit_of_work
from models.tenant import Municipality
from models.user import User
from webui.app import create_app

LOGIN_ID = "bench.clerk"
PASSWORD = "bench-password-2026"
TOTP_SECRET = "JUMINBENCHJUMINBENCHJUMINBENCH23"


def ensure_clerk(db: Database) -> None:
    with unit_of_work(db, Actor.system(0, "bench"), cross_tenant=True) as uow:
        tenant_id = uow.session.scalar(select(Municipality.id).where(Municipality.code == "141003"))
        if tenant_id is None:
            raise SystemExit("no 横浜市 in the database: run bench.load_residents first")
        user = uow.session.scalars(select(User).where(User.login_id == LOGIN_ID)).one_or_none()
        if user is None:
            user = User(tenant_id=tenant_id, login_id=LOGIN_ID, display_name="性能測定", roles=["clerk"])
            uow.session.add(user)
        # bench.load_test makes a bench.clerk of its own (random password, no TOTP): sign-in needs ours
        user.password_hash, user.totp_secret, user.totp_enrolled = hash_password(PASSWORD), TOTP_SECRET, True
        user.failed_attempts, user.locked_until, user.totp_last_step = 0, None, None


def signed_in_client(db: Database) -> FlaskClient:
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench"}, db=db)
    client = app.test_client()
    response = client.post("/login", data={"login_id": LOGIN_ID, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    response = client.post("/login/totp", data={"code": pyotp.TOTP(TOTP_SECRET).now()})
    assert response.status_code == 302, response.status_code
    return client


def sample_prefixes(db: Database, how_many: int, seed: int) -> list[str]:
    with db.bind.connect() as conn:
        keys = [row[0] for row in conn.execute(text(
            "SELECT kana_key FROM resident TABLESAMPLE SYSTEM (2) WHERE kana_key <> '' LIMIT 20000"
        ))]  # fmt: skip
    rng = random.Random(seed)
    return [key[: rng.randint(2, 4)] for key in rng.choices(keys, k=how_many)]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--past",
        action="store_true",
        help="also match former names (include_past: the resident_search_key part)",
    )
    args = parser.parse_args()
    extra = {"include_past": "y"} if args.past else {}
    db = Database.from_url(os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    ensure_clerk(db)
    client = signed_in_client(db)
    prefixes = sample_prefixes(db, args.searches + 20, args.seed)
    for prefix in prefixes[:20]:  # warm-up: connections, templates, caches
        client.get("/residents/search", query_string={"kana": prefix, **extra})
    timings: list[float] = []
    for prefix in prefixes[20:]:
        started = time.perf_counter()
        response = client.get("/residents/search", query_string={"kana": prefix, **extra})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (prefix, response.status_code)
    with db.bind.connect() as conn:
        residents = conn.execute(text("SELECT count(*) FROM resident")).scalar_one()
        former = conn.execute(text("SELECT count(*) FROM resident_search_key")).scalar_one()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"register: {residents:,} residents, {former:,} search-key rows; {len(timings)} kana-prefix searches"
        f" (2–4 kana){' with former names' if args.past else ''} via the search page"
    )
    print(f"latency ms: p50 {percentile(timings, 50):.1f}  p95 {percentile(timings, 95):.1f}  "
          f"p99 {percentile(timings, 99):.1f}  mean {statistics.fmean(timings):.1f}  max {max(timings):.1f}")  # fmt: skip
    print(f"peak RSS of the serving process: {rss:,.0f} MiB")


if __name__ == "__main__":
    main()
