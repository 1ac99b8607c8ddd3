"""整合性確認 (j1100): the register's 本人確認情報 compared periodically with CS's extract, the mismatches kept
for staff, each check in the access log."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.batches import run_batch_now, run_due, save_schedule
from handlers.context import Actor
from handlers.db import Database
from handlers.juki_net.consistency import consistency_report
from handlers.uow import unit_of_work
from models import AccessLog, CsConsistencyMismatch, CsReceivedFile, Household, Municipality, User
from tests import factories
from tests.juki_net.conftest import as_cs_holds
from tests.juki_net.fake_cs import FakeCs
from tests.web.conftest import login_as

pytestmark = pytest.mark.req("j1100")


def run_check(db: Database, city: Municipality, fake_cs: FakeCs) -> str:
    run = run_batch_now(
        db, city.id, "cs_consistency_check", {"directory": str(fake_cs.inbound)}, started_by="test"
    )
    assert run.status == "succeeded", run.output
    return run.output or ""


def mismatches(db: Database, actor: Actor) -> set[tuple[str, str | None, str | None, str | None, str | None]]:
    with unit_of_work(db, actor) as uow:
        rows = uow.session.scalars(select(CsConsistencyMismatch)).all()
        return {(m.kind, m.atena_number, m.item, m.ours, m.theirs) for m in rows}


def test_a_register_that_agrees_with_the_cs_extract_shows_no_mismatch(
    db: Database, city_a: Municipality, clerk_a: Actor, family: Household, fake_cs: FakeCs
) -> None:
    fake_cs.send_extract([as_cs_holds(m, family) for m in family.members])
    output = run_check(db, city_a, fake_cs)
    assert "CS 3 人・住民記録 3 人、不一致 0 件" in output
    assert mismatches(db, clerk_a) == set()
    with unit_of_work(db, clerk_a) as uow:
        report = consistency_report(uow)
        assert report["check"].persons_at_cs == 3 and report["rows"] == []
    with unit_of_work(db, clerk_a) as uow:
        logged = uow.session.scalars(
            select(AccessLog.function).where(AccessLog.function.like("cs_consistency%"))
        )
        assert set(logged) == {"cs_consistency_checked", "cs_consistency_listed"}


def test_the_check_lists_each_differing_item_and_each_person_only_one_side_holds(
    db: Database,
    setup_session: Session,
    city_a: Municipality,
    clerk_a: Actor,
    family: Household,
    fake_cs: FakeCs,
) -> None:
    taro, hanako, ichiro = family.members
    gone = factories.make_removed_resident(
        setup_session, city_a, number=900, removal_date=dt.date(2025, 1, 1)
    )
    gone.resident_code = factories.valid_resident_code()
    setup_session.flush()
    stranger = factories.valid_resident_code()
    fake_cs.send_extract([
        as_cs_holds(taro, family, name="山田 太朗", address="神奈川県横浜市中区港町2丁目1番地"),
        as_cs_holds(hanako, family, sex="1"),
        {"resident_code": stranger, "name": "佐藤 一"},
        {"resident_code": gone.resident_code, "name": "除票 者"},
    ])  # ichiro is missing at CS  # fmt: skip
    output = run_check(db, city_a, fake_cs)
    assert "不一致 6 件" in output
    assert mismatches(db, clerk_a) == {
        ("item_differs", taro.atena_number, "name", "山田 太郎", "山田 太朗"),
        ("item_differs", taro.atena_number, "address", family.address, "神奈川県横浜市中区港町2丁目1番地"),
        ("item_differs", hanako.atena_number, "sex", "2", "1"),
        ("missing_at_cs", ichiro.atena_number, None, None, None),
        ("unknown_here", None, None, None, None),
        ("removed_here", gone.atena_number, None, None, None),
    }
    with unit_of_work(db, clerk_a) as uow:
        logged = uow.session.scalars(
            select(AccessLog).where(AccessLog.function == "cs_consistency_checked")
        ).one()
        assert set(logged.targets) == {
            taro.atena_number,
            hanako.atena_number,
            ichiro.atena_number,
            gone.atena_number,
        }


def test_names_are_compared_as_the_network_carries_them(
    db: Database, city_a: Municipality, clerk_a: Actor, fake_cs: FakeCs
) -> None:
    home = factories.make_household(
        db, clerk_a, [factories.japanese_member(family_name="髙橋", hittosha="髙橋 太郎")]
    )
    fake_cs.send_extract([as_cs_holds(home.members[0], home, name="高橋 太郎")])
    assert "不一致 0 件" in run_check(db, city_a, fake_cs)


def test_an_extract_is_checked_once_and_an_unreadable_file_is_refused_with_its_reason(
    db: Database, city_a: Municipality, clerk_a: Actor, family: Household, fake_cs: FakeCs
) -> None:
    fake_cs.send_extract([as_cs_holds(m, family) for m in family.members])
    (fake_cs.inbound / "broken.dat").write_bytes(b"not a cs file\r\n")
    first = run_check(db, city_a, fake_cs)
    assert "broken.dat: 取込不可（1行目：見出しレコード（H）がありません" in first
    assert "新しい受信ファイルはありません" in run_check(db, city_a, fake_cs)
    with unit_of_work(db, clerk_a) as uow:
        files = {(f.file_name, f.kind, f.status) for f in uow.session.scalars(select(CsReceivedFile))}
    assert files == {("broken.dat", "unreadable", "refused"), ("JLIS01_identity_extract_0000000001.dat",
                                                                "identity_extract", "processed")}  # fmt: skip


def test_an_extract_whose_person_has_no_resident_code_is_refused_and_checks_nothing(
    db: Database, city_a: Municipality, clerk_a: Actor, family: Household, fake_cs: FakeCs
) -> None:
    fake_cs.send_extract([as_cs_holds(family.members[0], family, resident_code="")])
    assert "1人目：住民票コードがありません" in run_check(db, city_a, fake_cs)
    with unit_of_work(db, clerk_a) as uow:
        assert consistency_report(uow)["check"] is None


def test_the_check_runs_on_its_schedule_without_anyone_starting_it(
    db: Database, city_a: Municipality, supervisor_a: Actor, family: Household, fake_cs: FakeCs
) -> None:
    fake_cs.send_extract([as_cs_holds(m, family) for m in family.members[:2]])
    start = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)
    with unit_of_work(db, supervisor_a) as uow:
        save_schedule(uow, "cs_consistency_check", frequency="daily", run_at="03:00",
                      parameters={"directory": str(fake_cs.inbound)}, now=start)  # fmt: skip
    [run] = run_due(db, now=start + dt.timedelta(days=1))
    assert run.trigger == "schedule" and "不一致 1 件" in (run.output or "")


def test_the_mismatch_page_shows_the_differences_and_withholds_a_protected_persons_household(
    db: Database, setup_session: Session, city_a: Municipality, users_a: dict[str, User], family: Household,
    fake_cs: FakeCs, client: FlaskClient,
) -> None:  # fmt: skip
    single = factories.make_household(db, factories.actor_for(users_a["clerk"]),
                                      [factories.japanese_member(family_name="鈴木", given_name="次郎")])  # fmt: skip
    factories.protect(setup_session, city_a, family.members[1].atena_number)
    fake_cs.send_extract([
        *(as_cs_holds(m, family, name="別人 名前") for m in family.members),
        as_cs_holds(single.members[0], single, name="鈴木 二郎"),
    ])  # fmt: skip
    run_check(db, city_a, fake_cs)
    login_as(client, users_a["clerk"])
    page = client.get("/juki-net/consistency").get_data(as_text=True)
    assert "鈴木 二郎" in page and single.members[0].atena_number in page
    assert "別人 名前" not in page and family.members[0].atena_number not in page
    assert page.count("支援措置対象者のため表示しません") == 3
    assert "<td>令和8年11月1日</td>" in page and "2026-11-01" not in page  # CS's extract date, in 和暦 (j90)


@pytest.mark.req("j1390")
def test_a_differing_my_number_is_shown_only_to_a_user_who_does_not_hide_it_and_its_showing_is_logged(
    db: Database, city_a: Municipality, clerk_a: Actor, family: Household, fake_cs: FakeCs
) -> None:
    taro = family.members[0]
    other = factories.valid_my_number()
    fake_cs.send_extract([as_cs_holds(taro, family, my_number=other),
                          *(as_cs_holds(m, family) for m in family.members[1:])])  # fmt: skip
    run_check(db, city_a, fake_cs)
    hiding = dataclasses.replace(clerk_a, hidden_items=frozenset({"my_number"}))
    for actor, values in ((clerk_a, (taro.my_number, other)), (hiding, (None, None))):
        with unit_of_work(db, actor) as uow:
            [row] = consistency_report(uow)["rows"]
            assert (row.item_label, row.ours, row.theirs) == ("個人番号", *values)
    with unit_of_work(db, clerk_a) as uow:
        listed = uow.session.scalars(
            select(AccessLog.my_number_shown)
            .where(AccessLog.function == "cs_consistency_listed")
            .order_by(AccessLog.id)
        ).all()
    assert listed == [True, False]


def test_the_consistency_page_with_a_check_id_that_is_no_id_answers_404_or_the_latest_check(
    client: FlaskClient, users_a: dict[str, User]
) -> None:
    login_as(client, users_a["clerk"])
    for check in (str(2**31), "9" * 30):  # past the integer column (was a 500 on PostgreSQL): no such check
        assert client.get("/juki-net/consistency", query_string={"check": check}).status_code == 404, check
    assert client.get("/juki-net/consistency", query_string={"check": "x"}).status_code == 200  # no number
    assert client.get("/juki-net/consistency", query_string={"check": "-1"}).status_code == 404
