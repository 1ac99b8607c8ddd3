"""除票 (register B, j50, j1300): the yearly move to the 除票用データベース, 150-year retention, one search over
both stores, the archived record's view, tenant isolation and permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import NotFoundError, PermissionDeniedError, ValidationError
from handlers.removed_records import (
    archive,
    archive_old_removed_records,
    purge_expired_archive,
    search_removed,
    view_removed_record,
)
from handlers.support_measures import protected_atena_numbers
from handlers.uow import unit_of_work
from tests import factories

TODAY = dt.date(2026, 6, 1)
OLD = dt.date(2021, 5, 31)  # five years passed on 2026-06-01
RECENT = dt.date(2021, 6, 1)  # exactly five years: stays in the live tables


def _system(city: models.Municipality) -> Actor:
    return Actor.system(city.id)


def _archive(
    db: Database, city: models.Municipality, today: dt.date = TODAY, **kwargs: int
) -> archive.ArchiveReport:
    with unit_of_work(db, _system(city)) as uow:
        return archive_old_removed_records(uow, today=today, **kwargs)


def _count(db: Database, city: models.Municipality, model: type, *where: object) -> int:
    with unit_of_work(db, _system(city)) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _log(db: Database, city: models.Municipality, function: str) -> list[models.AccessLog]:
    with unit_of_work(db, _system(city)) as uow:
        return list(
            uow.session.scalars(
                select(models.AccessLog)
                .where(models.AccessLog.function == function)
                .order_by(models.AccessLog.seq)
            )
        )


@pytest.mark.req("j1300", "j50")
def test_archive_moves_only_removed_records_older_than_five_years(
    db: Database, setup_session: Session, city_a
) -> None:
    old = factories.make_removed_resident(setup_session, city_a, number=11, removal_date=OLD)
    recent = factories.make_removed_resident(setup_session, city_a, number=12, removal_date=RECENT)
    living_household = factories.make_household_row(setup_session, city_a, number=13)
    factories.make_resident_row(setup_session, living_household, number=13, given_name="花子")
    old_atena, old_household_id = old.atena_number, old.household_id
    setup_session.flush()

    report = _archive(db, city_a)

    assert (report.moved, report.cutoff, report.dissolved_households) == (1, RECENT, 1)
    R = models.Resident
    assert _count(db, city_a, R, R.atena_number == old_atena) == 0
    assert _count(db, city_a, R, R.atena_number == recent.atena_number) == 1
    assert _count(db, city_a, R, R.status == "resident") == 1
    H, M = models.ResidentHistory, models.ResidentMemo
    assert _count(db, city_a, H, H.atena_number == old_atena) == 0
    assert _count(db, city_a, M, M.atena_number == old_atena) == 0
    with unit_of_work(db, _system(city_a)) as uow:
        row = uow.session.scalars(select(models.RemovedRecordArchive)).one()
        household = uow.session.get(models.Household, old_household_id)
        assert household is not None and household.status == "dissolved"
        assert household.head_resident_id is None
    assert row.atena_number == old_atena and row.removal_date == OLD
    assert row.retain_until == dt.date(2171, 5, 31)
    assert (row.display_name, row.kana_key, row.birth_date) == (
        "山田 太郎",
        old.kana_key,
        dt.date(1980, 1, 1),
    )
    assert row.record["status"] == "removed" and row.record["removal_date"] == OLD.isoformat()
    assert row.record["destination_planned_address"] == "長野県佐久市中込1番地"
    assert [h["history_no"] for h in row.history] == [1, 2]
    assert [h["change_reason"] for h in row.history] == ["domestic_move_in", "domestic_move_out"]
    assert row.history[0]["snapshot"]["status"] == "resident"
    assert [m["body"] for m in row.memos] == ["転出確認済"]
    (logged,) = _log(db, city_a, "removed_records_archived")
    assert (logged.action, logged.targets) == ("batch", [old_atena])


@pytest.mark.req("j1300")
def test_archive_runs_in_batches_and_is_idempotent(db: Database, setup_session: Session, city_a) -> None:
    for n in range(21, 26):
        factories.make_removed_resident(
            setup_session, city_a, number=n, removal_date=OLD - dt.timedelta(days=n)
        )
    setup_session.flush()

    first = _archive(db, city_a, batch_size=2)
    second = _archive(db, city_a, batch_size=2)

    assert (first.moved, first.batches) == (5, 3)
    assert (second.moved, second.batches) == (0, 0)
    assert _count(db, city_a, models.RemovedRecordArchive) == 5
    logged = _log(db, city_a, "removed_records_archived")
    assert [len(row.targets) for row in logged] == [2, 2, 1, 0]


@pytest.mark.req("j1300")
def test_a_failure_midway_moves_nothing(db: Database, setup_session: Session, city_a, monkeypatch) -> None:
    for n in (31, 32, 33):
        factories.make_removed_resident(setup_session, city_a, number=n, removal_date=OLD)
    setup_session.flush()
    calls = {"n": 0}
    real = archive._dissolve_empty_households

    def fail_on_second_batch(session: Session, household_ids: set[int]) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(session, household_ids)

    monkeypatch.setattr(archive, "_dissolve_empty_households", fail_on_second_batch)

    with pytest.raises(RuntimeError):
        _archive(db, city_a, batch_size=1)

    assert _count(db, city_a, models.RemovedRecordArchive) == 0
    assert _count(db, city_a, models.Resident, models.Resident.status == "removed") == 3
    assert _count(db, city_a, models.ResidentHistory) == 6
    assert _log(db, city_a, "removed_records_archived") == []


@pytest.mark.req("j1300")
def test_a_household_keeps_its_other_members(db: Database, setup_session: Session, city_a) -> None:
    household = factories.make_household_row(setup_session, city_a, number=41)
    head = factories.make_resident_row(setup_session, household, number=41)
    factories.make_resident_row(setup_session, household, number=42, given_name="花子")
    factories.remove_resident_row(setup_session, head, removal_date=OLD)
    setup_session.flush()

    assert _archive(db, city_a).moved == 1

    with unit_of_work(db, _system(city_a)) as uow:
        kept = uow.session.get(models.Household, household.id)
        assert kept is not None
        assert (kept.status, kept.head_resident_id) == ("active", None)


@pytest.mark.req("j1300", "j160")
def test_support_parties_keep_the_atena_number_of_an_archived_person(
    db: Database, setup_session: Session, city_a
) -> None:
    old = factories.make_removed_resident(setup_session, city_a, number=51, removal_date=OLD)
    measure = models.SupportMeasure(
        tenant_id=city_a.id, status="in_force", protected_services=["certificate"]
    )
    party = models.SupportMeasureParty(
        tenant_id=city_a.id,
        role="applicant",
        resident_id=old.id,
        atena_number=old.atena_number,
        name="山田 太郎",
    )
    measure.parties.append(party)
    setup_session.add(measure)
    setup_session.flush()

    _archive(db, city_a)

    with unit_of_work(db, _system(city_a)) as uow:
        kept = uow.session.get(models.SupportMeasureParty, party.id)
        assert kept is not None and (kept.resident_id, kept.atena_number) == (None, old.atena_number)
        assert protected_atena_numbers(uow.session, [old.atena_number]) == {old.atena_number}


@pytest.mark.req("j1300")
def test_retention_of_a_leap_day_removal_ends_on_february_28(
    db: Database, setup_session: Session, city_a
) -> None:
    factories.make_removed_resident(setup_session, city_a, number=61, removal_date=dt.date(2020, 2, 29))
    setup_session.flush()
    _archive(db, city_a)
    with unit_of_work(db, _system(city_a)) as uow:
        row = uow.session.scalars(select(models.RemovedRecordArchive)).one()
    assert row.retain_until == dt.date(2170, 2, 28)


@pytest.mark.req("j1300")
def test_purge_deletes_nothing_within_the_150_year_retention(
    db: Database, setup_session: Session, city_a
) -> None:
    factories.make_removed_resident(setup_session, city_a, number=71, removal_date=dt.date(2018, 1, 10))
    factories.make_removed_resident(setup_session, city_a, number=72, removal_date=dt.date(2019, 3, 1))
    setup_session.flush()
    _archive(db, city_a)

    def purge(today: dt.date) -> int:
        with unit_of_work(db, _system(city_a)) as uow:
            return purge_expired_archive(uow, today=today)

    assert purge(dt.date(2100, 1, 1)) == 0
    assert purge(dt.date(2168, 1, 10)) == 0  # the last day of retention
    assert _count(db, city_a, models.RemovedRecordArchive) == 2
    assert purge(dt.date(2168, 1, 11)) == 1
    assert _count(db, city_a, models.RemovedRecordArchive) == 1
    assert [row.detail["purged"] for row in _log(db, city_a, "removed_records_purged")] == [1]


@pytest.mark.req("j1300", "j50")
def test_one_search_finds_live_and_archived_removed_records_with_their_source(
    db: Database, setup_session: Session, city_a, clerk_a: Actor
) -> None:
    archived = factories.make_removed_resident(setup_session, city_a, number=81, removal_date=OLD)
    live = factories.make_removed_resident(setup_session, city_a, number=82, removal_date=dt.date(2024, 1, 5))
    living = factories.make_household_row(setup_session, city_a, number=83)
    factories.make_resident_row(setup_session, living, number=83)
    setup_session.flush()
    _archive(db, city_a)

    with unit_of_work(db, clerk_a) as uow:
        by_kana = search_removed(uow, kana="ﾔﾏﾀﾞ")
        by_birth = search_removed(uow, birth_date="昭和55年1月1日")
        by_name = search_removed(uow, name="山田", atena_number=archived.atena_number)

    expected = [("live", live.atena_number), ("archive", archived.atena_number)]
    assert [(h.source, h.atena_number) for h in by_kana] == expected
    assert [(h.source, h.atena_number) for h in by_birth] == expected
    assert [(h.source_label, h.removal_date) for h in by_name] == [("除票用DB", OLD)]
    logged = _log(db, city_a, "removed_record_searched")
    assert logged[0].targets == sorted([live.atena_number, archived.atena_number])
    assert logged[0].detail == {"criteria": ["kana_key"], "live": 1, "archive": 1}


@pytest.mark.req("j1300")
def test_a_search_without_conditions_is_refused_in_japanese(db: Database, clerk_a: Actor) -> None:
    with pytest.raises(ValidationError) as caught, unit_of_work(db, clerk_a) as uow:
        search_removed(uow, kana="  ")
    assert caught.value.problems[0].item == "検索条件"


@pytest.mark.req("j1300", "j50")
def test_view_of_an_archived_record_shows_items_and_history_and_is_logged(
    db: Database, setup_session: Session, city_a, users_a
) -> None:
    old = factories.make_removed_resident(setup_session, city_a, number=91, removal_date=OLD)
    users_a["clerk"].hide_my_number = True
    setup_session.flush()
    _archive(db, city_a)

    with unit_of_work(db, factories.actor_for(users_a["supervisor"])) as uow:
        shown = view_removed_record(uow, old.atena_number)
    with unit_of_work(db, factories.actor_for(users_a["clerk"])) as uow:
        hidden = view_removed_record(uow, old.atena_number)

    assert shown["record"]["my_number"] == "123456789018"
    assert hidden["record"]["my_number"] == "（非表示）"
    assert hidden["history"][0]["snapshot"]["my_number"] == "（非表示）"
    assert [h["history_no"] for h in shown["history"]] == [1, 2]
    assert shown["retain_until"] == dt.date(2171, 5, 31)
    logged = _log(db, city_a, "removed_record_viewed")
    assert [(r.targets, r.my_number_shown) for r in logged] == [
        ([old.atena_number], True),
        ([old.atena_number], False),
    ]


@pytest.mark.req("j1300")
def test_another_city_sees_nothing_of_the_archive(
    db: Database, setup_session: Session, city_a, users_b
) -> None:
    old = factories.make_removed_resident(setup_session, city_a, number=101, removal_date=OLD)
    setup_session.flush()
    _archive(db, city_a)
    clerk_b = factories.actor_for(users_b["clerk"])

    with unit_of_work(db, clerk_b) as uow:
        assert search_removed(uow, kana="ヤマダ") == []
        assert search_removed(uow, atena_number=old.atena_number) == []
        with pytest.raises(NotFoundError):
            view_removed_record(uow, old.atena_number)


@pytest.mark.req("j1300")
def test_another_citys_batch_moves_nothing_of_this_city(
    db: Database, setup_session: Session, city_a, city_b
) -> None:
    factories.make_removed_resident(setup_session, city_a, number=111, removal_date=OLD)
    setup_session.flush()
    assert _archive(db, city_b).moved == 0
    assert _count(db, city_a, models.Resident, models.Resident.status == "removed") == 1


@pytest.mark.req("j1300")
def test_only_batch_operators_may_run_the_archive(db: Database, clerk_a: Actor, supervisor_a: Actor) -> None:
    with pytest.raises(PermissionDeniedError), unit_of_work(db, clerk_a) as uow:
        archive_old_removed_records(uow, today=TODAY)
    with pytest.raises(PermissionDeniedError), unit_of_work(db, clerk_a) as uow:
        purge_expired_archive(uow, today=TODAY)
    with unit_of_work(db, supervisor_a) as uow:
        assert archive_old_removed_records(uow, today=TODAY).moved == 0


@pytest.mark.req("j1300")
def test_the_command_archives_one_city_or_all(
    app, db: Database, setup_session: Session, city_a, city_b
) -> None:
    factories.make_removed_resident(setup_session, city_a, number=121, removal_date=OLD)
    factories.make_removed_resident(setup_session, city_b, number=122, removal_date=OLD)
    setup_session.flush()
    runner = app.test_cli_runner()

    one = runner.invoke(args=["batch", "archive-removed", "--tenant", "141003", "--today", "2026-06-01"])
    assert one.exit_code == 0, one.output
    assert "141003 横浜市: 移行 1 件" in one.output
    assert _count(db, city_b, models.RemovedRecordArchive) == 0

    every = runner.invoke(args=["batch", "archive-removed", "--all-tenants", "--today", "2026-06-01"])
    assert every.exit_code == 0, every.output
    assert "141003 横浜市: 移行 0 件" in every.output and "202118 上田市: 移行 1 件" in every.output
    assert _count(db, city_b, models.RemovedRecordArchive) == 1

    neither = runner.invoke(args=["batch", "archive-removed"])
    assert neither.exit_code != 0


@pytest.mark.req("j1300", "j440")
def test_search_marks_a_person_protected_by_a_support_measure(
    db: Database, setup_session: Session, city_a, clerk_a: Actor
) -> None:
    old = factories.make_removed_resident(setup_session, city_a, number=131, removal_date=OLD)
    measure = models.SupportMeasure(
        tenant_id=city_a.id, status="provisional", protected_services=["certificate"]
    )
    measure.parties.append(
        models.SupportMeasureParty(
            tenant_id=city_a.id, role="applicant", atena_number=old.atena_number, name="山田 太郎"
        )
    )
    setup_session.add(measure)
    setup_session.flush()
    _archive(db, city_a)

    with unit_of_work(db, clerk_a) as uow:
        (hit,) = search_removed(uow, atena_number=old.atena_number)
        assert view_removed_record(uow, old.atena_number)["protected"] is True
    assert (hit.source, hit.protected) == ("archive", True)


@pytest.mark.req("j1300")
def test_a_reused_atena_number_removed_again_keeps_both_removals(
    db: Database, setup_session: Session, city_a
) -> None:
    first = factories.make_removed_resident(
        setup_session, city_a, number=141, removal_date=dt.date(2010, 4, 1)
    )
    atena_number = first.atena_number
    setup_session.flush()
    _archive(db, city_a, today=dt.date(2016, 6, 1))
    setup_session.expunge_all()  # the archived rows are gone; SQLite may reuse their ids
    household = factories.make_household_row(setup_session, city_a, number=142)
    again = factories.make_resident_row(setup_session, household, number=141)
    factories.remove_resident_row(setup_session, again, removal_date=OLD)
    assert again.atena_number == atena_number
    setup_session.flush()

    assert _archive(db, city_a).moved == 1

    with unit_of_work(db, _system(city_a)) as uow:
        row = uow.session.scalars(select(models.RemovedRecordArchive)).one()
    assert row.removal_date == OLD and row.retain_until == dt.date(2171, 5, 31)
    assert [r["removal_date"] for r in row.record["earlier_removals"]] == ["2010-04-01"]
    assert len(row.history) == 4 and len(row.memos) == 2
