"""The access log as files (j1370 分析・ファイル出力): the search and every analysis download as CSV with Japanese
headers, all the rows of the filter and only those, streamed; auditors only, one municipality's rows only, and
the download is itself logged."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers import audit, audit_export
from handlers.audit import record_access
from handlers.clock import JST
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from models.audit import AccessLog
from tests import factories
from tests.web.test_audit_log_screen import log_rows, sign_in_as

pytestmark = pytest.mark.req("j1370")

HEADER = [
    "連番", "日時", "利用者ID", "利用者名", "端末名", "IPアドレス", "機能", "機能コード", "操作種別",
    "対象（宛名番号）", "個人番号表示", "夜間・休日",
]  # fmt: skip


def log_at(
    db: Database, actor: Actor, monkeypatch: pytest.MonkeyPatch, when: dt.datetime, function: str, action: str,
    targets: list[str] | None = None, times: int = 1,
) -> None:  # fmt: skip
    monkeypatch.setattr(audit, "_now", lambda: when.astimezone(dt.UTC))
    with unit_of_work(db, actor) as uow:
        for _ in range(times):
            record_access(uow, function, action, targets or [])
    monkeypatch.undo()


@pytest.fixture
def logged(
    db: Database, clerk_a: Actor, users_b: dict[str, models.User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """City A: the screen tests' five rows (seq 1–5); city B: the same with its own function."""
    log_rows(db, clerk_a, monkeypatch)
    log_rows(db, factories.actor_for(users_b["clerk"]), monkeypatch, function="city_b_function")


@pytest.fixture
def sign_ins(
    db: Database, users_a: dict[str, models.User], monkeypatch: pytest.MonkeyPatch, logged: None
) -> None:
    """City A: the clerk signs in twice and fails once; the supervisor fails twice and is locked; on 6 June the
    clerk searches three times (two persons each), the supervisor once."""
    clerk, supervisor = (factories.actor_for(users_a[r]) for r in ("clerk", "supervisor"))
    monday, saturday = dt.datetime(2026, 6, 1, 8, 30, tzinfo=JST), dt.datetime(2026, 6, 6, 10, 0, tzinfo=JST)
    log_at(db, clerk, monkeypatch, monday, "sign_in_failed", "auth")
    log_at(db, clerk, monkeypatch, monday, "sign_in_succeeded", "auth")
    log_at(db, clerk, monkeypatch, saturday, "sign_in_succeeded", "auth")
    log_at(db, supervisor, monkeypatch, monday, "sign_in_failed", "auth", times=2)
    log_at(db, supervisor, monkeypatch, monday, "account_locked", "auth")
    log_at(
        db, clerk, monkeypatch, saturday, "resident_searched", "search", ["000000011", "000000029"], times=3
    )
    log_at(db, supervisor, monkeypatch, saturday, "resident_searched", "search", ["000000011"])


def download(client: FlaskClient, query: str = "") -> tuple[list[str], list[list[str]]]:
    response = client.get(f"/audit-log/download?{query}")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith("\ufeff".encode()), "UTF-8 with a BOM, as the other CSV outputs"
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return header, rows


def exported_rows(session: Session, tenant_id: int) -> list[AccessLog]:
    return list(
        session.scalars(
            select(AccessLog)
            .where(AccessLog.tenant_id == tenant_id, AccessLog.function == "audit_log_exported")
            .execution_options(populate_existing=True)
        )
    )


def test_the_csv_has_every_row_of_the_filter_and_only_those_with_japanese_headers(
    client: FlaskClient, users_a: dict[str, models.User], logged: None
) -> None:
    sign_in_as(client, users_a["auditor"])
    _, night = download(client, "off_hours_only=y")
    assert [row[0] for row in night] == ["4", "3", "2"]  # 23:30, a Saturday, みどりの日
    assert all(row[11] == "該当" for row in night)
    header, rows = download(client, "target=000000011")
    assert header == HEADER
    assert [row[0] for row in rows] == ["4", "1"]  # newest first
    assert rows[1] == [
        "1", "2026-06-03 10:00:00", "clerk@141003", rows[1][3], "", "127.0.0.1", "住民記録照会", "resident_viewed",
        "照会", "000000011", "なし", "",
    ]  # fmt: skip


def test_the_csv_has_all_the_rows_not_only_the_page_shown(
    db: Database, client: FlaskClient, clerk_a: Actor, users_a: dict[str, models.User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    log_at(
        db,
        clerk_a,
        monkeypatch,
        dt.datetime(2026, 6, 3, 10, tzinfo=JST),
        "resident_viewed",
        "view",
        times=120,
    )
    sign_in_as(client, users_a["auditor"])
    html = client.get("/audit-log?function=resident_viewed").get_data(as_text=True)
    assert "検索結果（120件、1／3ページ）" in html and "CSVファイルに出力（全120件）" in html
    _, rows = download(client, "function=resident_viewed")
    assert [int(row[0]) for row in rows] == list(range(120, 0, -1))


def test_another_municipalitys_rows_never_appear_in_the_file(
    client: FlaskClient, users_b: dict[str, models.User], logged: None
) -> None:
    sign_in_as(client, users_b["auditor"])
    _, rows = download(client)
    assert len(rows) == 5
    assert {row[2] for row in rows} == {"clerk@202118"}
    assert {row[7] for row in rows} == {"city_b_function"}


def test_a_clerk_gets_403_and_no_file_and_nothing_is_logged(
    client: FlaskClient, setup_session: Session, users_a: dict[str, models.User], logged: None
) -> None:
    sign_in_as(client, users_a["clerk"])
    response = client.get("/audit-log/download")
    assert response.status_code == 403
    assert response.mimetype != "text/csv"
    assert exported_rows(setup_session, users_a["clerk"].tenant_id) == []


def test_the_download_is_logged_with_its_filter_and_row_count_and_is_not_in_its_own_file(
    client: FlaskClient, setup_session: Session, users_a: dict[str, models.User], logged: None
) -> None:
    auditor = users_a["auditor"]
    sign_in_as(client, auditor)
    _, rows = download(client, "target=000000011&occurred_from=2026-05-01")
    (row,) = exported_rows(setup_session, auditor.tenant_id)
    assert (row.action, row.login_id, row.targets) == ("export", "auditor@141003", ["000000011"])
    assert row.detail == {
        "filters": {"target": "000000011", "occurred_from": "2026-05-01"},
        "rows": 2,
        "through_seq": 5,
    }
    assert len(rows) == 2
    _, everything = download(client)
    assert len(everything) == 6, "the first download's row, not the second's"
    assert everything[0][6] == "アクセスログのファイル出力" and everything[0][8] == "データ抽出・出力"


def test_a_large_result_streams_in_chunks(
    db: Database, client: FlaskClient, clerk_a: Actor, users_a: dict[str, models.User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    log_at(
        db, clerk_a, monkeypatch, dt.datetime(2026, 6, 3, 10, tzinfo=JST), "resident_viewed", "view", times=35
    )
    monkeypatch.setattr(audit_export, "CHUNK_ROWS", 10)
    sign_in_as(client, users_a["auditor"])
    response = client.get("/audit-log/download")
    assert response.is_streamed and "Content-Length" not in response.headers, "yielded, never built whole"
    chunks = list(response.response)
    response.close()
    assert len(chunks) == 1 + 4  # the header, then 10 + 10 + 10 + 5 rows
    assert [chunk.count(b"\r\n") for chunk in chunks] == [1, 10, 10, 10, 5]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("analysis=off_hours", [["2", "3", "4", "8", "12", "13", "14", "15"], "該当"]),
        ("analysis=failed_logins", [["6", "9", "10", "11"], "sign_in_failed"]),
        ("analysis=person_accesses&target=000000029", [["3", "12", "13", "14"], "000000029"]),
    ],
)
def test_each_list_analysis_downloads_its_rows(
    client: FlaskClient, users_a: dict[str, models.User], sign_ins: None, query: str, expected: list[object]
) -> None:
    seqs, marker = expected
    sign_in_as(client, users_a["auditor"])
    header, rows = download(client, query)
    assert header == HEADER
    assert sorted(row[0] for row in rows) == sorted(seqs)  # type: ignore[arg-type]
    assert all(marker in ",".join(row) or row[7] == "account_locked" for row in rows)


def test_id_by_id_sign_in_counts_download_and_show(
    client: FlaskClient, users_a: dict[str, models.User], sign_ins: None
) -> None:
    sign_in_as(client, users_a["auditor"])
    header, rows = download(client, "analysis=logins_by_user")
    assert header == [
        "利用者ID",
        "利用者名",
        "ログイン数",
        "ログイン失敗数",
        "アカウントロック数",
        "最終ログイン日時",
    ]
    by_id = {row[0]: row for row in rows}
    assert set(by_id) == {"clerk@141003", "supervisor@141003"}
    assert by_id["clerk@141003"][2:] == ["2", "1", "0", "2026-06-06 10:00:00"]
    assert by_id["supervisor@141003"][2:] == ["0", "2", "1", ""]
    html = client.get("/audit-log?analysis=logins_by_user").get_data(as_text=True)
    assert (
        "ID別ログイン数一覧（2件）" in html and "<td>令和8年6月6日 10:00:00</td>" in html
    )  # 和暦 on screen, ISO in the file


def test_mass_searches_list_the_users_and_days_at_or_over_the_threshold(
    client: FlaskClient, users_a: dict[str, models.User], sign_ins: None
) -> None:
    sign_in_as(client, users_a["auditor"])
    header, rows = download(client, "analysis=mass_searches&mass_searches=3")
    assert header == ["日付", "利用者ID", "利用者名", "検索回数", "該当者数（延べ）"]
    assert [[r[0], r[1], r[3], r[4]] for r in rows] == [["2026-06-06", "clerk@141003", "3", "6"]]
    _, rows = download(client, "analysis=mass_searches&mass_searches=1")
    assert sorted((r[0], r[1], r[3]) for r in rows) == [
        ("2026-06-03", "clerk@141003", "1"),
        ("2026-06-06", "clerk@141003", "3"),
        ("2026-06-06", "supervisor@141003", "1"),
    ]
    html = client.get("/audit-log?analysis=mass_searches&mass_searches=3").get_data(as_text=True)
    assert "大量検索実行一覧（1件）" in html and "<td>令和8年6月6日</td>" in html  # the day in 和暦 on screen


def test_the_person_analysis_without_a_number_is_explained_in_japanese_and_nothing_is_exported(
    client: FlaskClient, setup_session: Session, users_a: dict[str, models.User], logged: None
) -> None:
    sign_in_as(client, users_a["auditor"])
    response = client.get("/audit-log/download?analysis=person_accesses")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "宛名番号が入力されていません" in html
    assert exported_rows(setup_session, users_a["auditor"].tenant_id) == []
