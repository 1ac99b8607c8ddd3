"""地域情報プラットフォーム連携 (j1170): the register sends its deltas to the business units as files in the
platform layout (one per near-real-time run, or one per notice), with character-code conversion for Shift_JIS
units; it takes the files the units drop every few minutes — UTF-8 or Shift_JIS — applying each whole or
rejecting it whole, never twice, reporting the result back through the outbox."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.integration.subscribers import queue_copy
from handlers.other_systems.platform import exchange_all
from handlers.outbox_dispatch import schedule_delivery
from handlers.outbox_sweep import sweep
from handlers.uow import unit_of_work
from tests import factories
from tests.integration.conftest import messages, queue_messages

NS = {"pf": "urn:jumin:pf:1"}


@pytest.fixture
def person(delivering: Database, clerk_a: Actor) -> str:
    return factories.make_household(delivering, clerk_a).members[0].atena_number


def sent_files(folder: Path) -> list[Path]:
    return sorted((folder / "send").glob("*.xml"))


def records_of(path: Path) -> list[dict[str, str]]:
    root = ET.fromstring(path.read_bytes())
    return [
        {**record.attrib, **{i.get("name", ""): i.text or "" for i in record.findall("pf:Item", NS)}}
        for record in root.findall("pf:Body/pf:Record", NS)
    ]


def drop(folder: Path, name: str, data: bytes) -> None:
    (folder / "receive").mkdir(parents=True, exist_ok=True)
    (folder / "receive" / name).write_bytes(data)


def registrations(db: Database, actor: Actor) -> dict[tuple[str, str], models.OtherSystemRegistration]:
    with unit_of_work(db, actor) as uow:
        rows = uow.session.scalars(select(models.OtherSystemRegistration)).all()
        return {(r.atena_number, r.system): r for r in rows}


def receipts(db: Database, actor: Actor) -> list[models.PlatformFileReceipt]:
    with unit_of_work(db, actor) as uow:
        return list(
            uow.session.scalars(select(models.PlatformFileReceipt).order_by(models.PlatformFileReceipt.id))
        )


@pytest.mark.req("j1170")
def test_deltas_reach_a_unit_as_one_platform_layout_file_per_near_realtime_run(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor, tmp_path: Path
) -> None:
    factories.make_platform_unit(
        setup_session, city_a, "nhi", str(tmp_path), subscription="near_realtime_delta"
    )
    queue_messages(delivering, clerk_a, "addressee", 3)
    assert sent_files(tmp_path) == []  # near-real-time: nothing until the run
    sweep(delivering, near_realtime=True)
    [file] = sent_files(tmp_path)
    assert file.name == "141003_nhi_0000000001.xml"
    root = ET.fromstring(file.read_bytes())
    header = {e.tag.split("}")[1]: e.text for e in root.find("pf:Header", NS) or []}
    assert header["SenderUnit"] == "jumin" and header["ReceiverUnit"] == "nhi"
    assert header["SenderOrganization"] == "141003" and header["RecordCount"] == "3"
    records = records_of(file)
    assert [r["seq"] for r in records] == ["1", "2", "3"] and {r["kind"] for r in records} == {
        "identity_change"
    }
    assert records[0]["name"] == "髙橋 一郎" and records[0]["atena_number"] == "0000000019"
    assert (
        records[0]["support_measures.0000000019.protected"] == "false"
    )  # the support-measure data goes along
    assert {m.status for m in messages(delivering, clerk_a, "platform:nhi")} == {"sent"}


@pytest.mark.req("j1170")
def test_a_shift_jis_unit_gets_jis_safe_names_with_the_mj_original_beside(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor, tmp_path: Path
) -> None:
    factories.make_platform_unit(setup_session, city_a, "national_pension", str(tmp_path), kind="pf_file_sjis",
                                 subscription="realtime_delta")  # fmt: skip
    with unit_of_work(delivering, clerk_a) as uow:
        payload = {"atena_number": "0000000019", "name": "𠮷野 葛\U000e0100子"}  # 𠮷: not in Shift_JIS at all
        queue_copy(uow, "addressee", "identity_change", payload, "S:1", None)
        uow.session.flush()
        schedule_delivery(uow, ["addressee"])
    [file] = sent_files(tmp_path)
    data = file.read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="Shift_JIS"?>')
    text = data.decode("cp932")  # the whole file is Shift_JIS (Windows-31J)
    assert ">吉野 葛子<" in text and 'mj="&#134071;野 葛&#917760;子"' in text  # the MJ original as references
    document = ET.fromstring(text.split("?>", 1)[1])  # expat reads no Shift_JIS: the decoded text
    [name] = [i for i in document.iter("{urn:jumin:pf:1}Item") if i.get("name") == "name"]
    assert (name.text, name.get("mj")) == ("吉野 葛子", "𠮷野 葛\U000e0100子")


@pytest.mark.req("j1170", "j1180")
def test_registrations_a_unit_sends_are_kept_as_the_persons_latest_and_acknowledged(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor, tmp_path: Path,
    person: str,
) -> None:  # fmt: skip
    factories.make_platform_unit(setup_session, city_a, "nhi", str(tmp_path))
    record = {"kind": "registration", "atena_number": person,
              "items": {"registered": "true", "as_of": "2026-11-27", "acquired_date": "2020-04-01",
                        "insurance_card_number": "記号1-番号2"}}  # fmt: skip
    drop(tmp_path, "nhi-0001.xml", factories.platform_file("nhi", [record]))
    [run] = exchange_all(delivering)
    assert [(f.file_name, f.status, f.records) for f in run.files] == [("nhi-0001.xml", "applied", 1)]
    row = registrations(delivering, clerk_a)[(person, "nhi")]
    assert (row.source, row.registered, row.items) == ("platform", True, {"acquired_date": "2020-04-01",
                                                                            "lost_date": None})  # fmt: skip
    assert row.fetched_at is not None and row.as_of.isoformat() == "2026-11-27"
    assert (tmp_path / "receive" / "done" / "nhi-0001.xml").exists() and not (
        tmp_path / "receive" / "nhi-0001.xml"
    ).exists()
    [ack] = records_of(sent_files(tmp_path)[0])
    assert (ack["kind"], ack["status"], ack["message_id"], ack["record_count"]) == (
        "pf_receipt",
        "applied",
        "MSG-1",
        "1",
    )
    with unit_of_work(delivering, Actor.system(city_a.id)) as uow:
        [logged] = uow.session.scalars(
            select(models.AccessLog).where(models.AccessLog.function == "platform_file_received")
        )
        assert (
            logged.targets == [person]
            and logged.login_id == "platform:nhi"
            and logged.detail["status"] == "applied"
        )


@pytest.mark.req("j1170")
def test_a_shift_jis_koseki_file_joins_the_pending_koseki_notices_in_unicode(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor, tmp_path: Path,
    person: str,
) -> None:  # fmt: skip
    factories.make_platform_unit(setup_session, city_a, "koseki", str(tmp_path), kind="pf_file_sjis")
    record = {"kind": "koseki_notice", "atena_number": person,
              "items": {"notice_date": "2026-11-20", "honseki": "東京都千代田区千代田一番", "hittosha": "渡邊 太郎"}}  # fmt: skip
    drop(tmp_path, "koseki-1.xml", factories.platform_file("koseki", [record], encoding="Shift_JIS"))
    [run] = exchange_all(delivering)
    assert run.files[0].status == "applied"
    with unit_of_work(delivering, clerk_a) as uow:
        [notice] = uow.session.scalars(select(models.KosekiNoticeInbox)).all()
        assert (notice.atena_number, notice.status) == (person, "pending")
        assert notice.payload == {"honseki": "東京都千代田区千代田一番", "hittosha": "渡邊 太郎"}
    assert receipts(delivering, clerk_a)[0].encoding == "Shift_JIS"


@pytest.mark.req("j1170")
def test_a_file_is_never_applied_twice(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor, tmp_path: Path,
    person: str,
) -> None:  # fmt: skip
    factories.make_platform_unit(setup_session, city_a, "koseki", str(tmp_path))
    record = {
        "kind": "koseki_notice",
        "atena_number": person,
        "items": {"notice_date": "2026-11-20", "honseki": "東京都"},
    }
    data = factories.platform_file("koseki", [record], message_id="K-7")
    drop(tmp_path, "a.xml", data)
    exchange_all(delivering)
    drop(tmp_path, "a.xml", data)  # the unit sends it again
    drop(tmp_path, "b.xml", data)  # and under another name
    [run] = exchange_all(delivering)
    assert [f.status for f in run.files] == ["duplicate", "duplicate"]
    with unit_of_work(delivering, clerk_a) as uow:
        assert len(uow.session.scalars(select(models.KosekiNoticeInbox)).all()) == 1
    assert [(r.message_key, r.status) for r in receipts(delivering, clerk_a)] == [("K-7", "applied")]
    done = {p.name for p in (tmp_path / "receive" / "done").iterdir()}
    assert len(done) == 3 and {"a.xml", "b.xml"} <= done  # the second a.xml kept beside the first
    assert not list((tmp_path / "receive").glob("*.xml"))


@pytest.mark.req("j1170")
def test_a_faulty_file_is_rejected_whole_reported_back_and_set_aside(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor, tmp_path: Path,
    person: str,
) -> None:  # fmt: skip
    factories.make_platform_unit(setup_session, city_a, "long_term_care", str(tmp_path))
    good = {"kind": "registration", "atena_number": person, "items": {"registered": "true"}}
    unknown = {"kind": "registration", "atena_number": "9999999999", "items": {"registered": "true"}}
    bad_date = {
        "kind": "registration",
        "atena_number": person,
        "items": {"registered": "yes", "lost_date": "2026-13-01"},
    }
    drop(tmp_path, "ltc.xml", factories.platform_file("long_term_care", [good, unknown, bad_date]))
    [run] = exchange_all(delivering)
    [outcome] = run.files
    assert outcome.status == "rejected"
    assert any(e.startswith("2件目：宛名番号 9999999999") for e in outcome.errors)
    assert any(e.startswith("3件目：") and "資格喪失年月日" in e for e in outcome.errors)
    assert registrations(delivering, clerk_a) == {}  # nothing of the file applied
    assert (tmp_path / "receive" / "error" / "ltc.xml").exists()
    [receipt] = receipts(delivering, clerk_a)
    assert receipt.status == "rejected" and receipt.errors == outcome.errors
    [ack] = records_of(sent_files(tmp_path)[0])
    assert ack["status"] == "rejected" and ack["errors.0"] == outcome.errors[0]
    drop(
        tmp_path, "ltc-fixed.xml", factories.platform_file("long_term_care", [good])
    )  # the same MessageId, fixed
    [run] = exchange_all(delivering)
    assert (
        run.files[0].status == "applied"
        and registrations(delivering, clerk_a)[(person, "long_term_care")].registered
    )
    assert [r.status for r in receipts(delivering, clerk_a)] == ["applied"]


@pytest.mark.req("j1170")
@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            factories.platform_file("nhi", [], organization="202118"),
            "送信先団体 202118 はこの団体ではありません",
        ),
        (factories.platform_file("nhi", [], encoding="EUC-JP"), "文字コード EUC-JP には対応していません"),
        (
            factories.platform_file("child_allowance", []),
            "送信元ユニット child_allowance はこの連携フォルダのユニット nhi",
        ),
        (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>", "DOCTYPE"),
        (b"\x82\xa0 Shift_JIS without a declaration", "UTF-8 として読めません"),
        (b"<PfMessage><unclosed></PfMessage>", "XMLとして読めません"),
        (
            b"<PfMessage xmlns='urn:jumin:pf:1' version='1'><Header/></PfMessage>",
            "Header に MessageId",
        ),
    ],
)
def test_a_file_that_is_not_for_us_or_not_in_the_layout_is_refused_with_its_reason(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor, tmp_path: Path,
    data: bytes, reason: str,
) -> None:  # fmt: skip
    factories.make_platform_unit(setup_session, city_a, "nhi", str(tmp_path))
    drop(tmp_path, "x.xml", data)
    [run] = exchange_all(delivering)
    assert run.files[0].status == "rejected" and reason in " ".join(run.files[0].errors)
    assert (tmp_path / "receive" / "error" / "x.xml").exists()


@pytest.mark.req("j1170")
def test_an_unwritable_exchange_folder_is_retried_through_the_outbox(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor, tmp_path: Path
) -> None:
    blocked = tmp_path / "pf"
    blocked.write_text("a file where the folder should be")
    factories.make_platform_unit(
        setup_session, city_a, "child_allowance", str(blocked), subscription="realtime_delta"
    )
    queue_messages(delivering, clerk_a, "addressee", 1)
    [message] = messages(delivering, clerk_a, "platform:child_allowance")
    assert (message.status, message.attempts) == ("pending", 1) and "書き込めません" in (
        message.last_error or ""
    )
    blocked.unlink()
    with unit_of_work(delivering, clerk_a) as uow:
        uow.session.execute(models.OutboxMessage.__table__.update().values(next_attempt_at=None))
    sweep(delivering)
    assert [m.status for m in messages(delivering, clerk_a, "platform:child_allowance")] == ["sent"]
    assert [p.name for p in sent_files(blocked)] == ["141003_child_allowance_0000000001.xml"]


@pytest.mark.req("j1170")
def test_the_exchange_command_takes_the_files_sends_what_waits_and_fails_on_a_rejection(
    app: Flask, setup_session: Session, city_a: models.Municipality, clerk_a: Actor, tmp_path: Path,
    person: str,
) -> None:  # fmt: skip
    factories.make_platform_unit(
        setup_session, city_a, "nhi", str(tmp_path), subscription="near_realtime_delta"
    )
    record = {"kind": "registration", "atena_number": person, "items": {"registered": "false"}}
    drop(tmp_path, "n1.xml", factories.platform_file("nhi", [record], message_id="N-1"))
    result = app.test_cli_runner().invoke(args=["platform", "exchange"])
    assert result.exit_code == 0, result.output
    assert f"{city_a.id}/nhi n1.xml: applied 1件" in result.output
    assert [p.name for p in sent_files(tmp_path)] == ["141003_nhi_0000000001.xml"]  # the 受信結果, in the run
    drop(
        tmp_path,
        "n2.xml",
        factories.platform_file("nhi", [{**record, "atena_number": "9999999999"}], message_id="N-2"),
    )
    result = app.test_cli_runner().invoke(args=["platform", "exchange"])
    assert result.exit_code == 1 and "rejected" in result.output and "9999999999" in result.output


@pytest.mark.req("j1170")
def test_a_file_not_taken_for_a_fault_of_ours_stays_for_the_next_run_and_one_taken_but_not_moved_is_not_applied_again(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor, tmp_path: Path,
    person: str, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from handlers.other_systems import platform

    factories.make_platform_unit(setup_session, city_a, "nhi", str(tmp_path))
    record = {"kind": "registration", "atena_number": person, "items": {"registered": "true"}}
    drop(tmp_path, "n.xml", factories.platform_file("nhi", [record]))

    def database_down(*_args: object, **_kw: object) -> None:
        raise RuntimeError("database unavailable")

    with monkeypatch.context() as patched:
        patched.setattr(platform, "store_answer", database_down)
        [run] = exchange_all(delivering)
    assert [(f.status, f.errors) for f in run.files] == [("failed", ["RuntimeError: database unavailable"])]
    assert (tmp_path / "receive" / "n.xml").exists() and receipts(delivering, clerk_a) == []
    with monkeypatch.context() as patched:
        patched.setattr(platform, "_move", lambda *_: (_ for _ in ()).throw(OSError("busy")))
        [run] = exchange_all(delivering)  # applied and committed, but the file could not be moved
    assert run.files[0].status == "applied" and (tmp_path / "receive" / "n.xml").exists()
    [run] = exchange_all(delivering)
    assert run.files[0].status == "duplicate" and (tmp_path / "receive" / "done" / "n.xml").exists()
    assert [r.status for r in receipts(delivering, clerk_a)] == ["applied"]


@pytest.mark.req("j1170")
def test_beat_takes_the_units_files_every_few_minutes(
    delivering: Database, setup_session: Session, city_a: models.Municipality, tmp_path: Path, person: str
) -> None:
    from worker import tasks
    from worker.celery_app import celery_app

    schedule = celery_app.conf.beat_schedule["platform-exchange"]
    assert schedule["task"] == "jumin.platform.exchange" and schedule["schedule"] <= 300  # 数分間隔
    factories.make_platform_unit(setup_session, city_a, "nhi", str(tmp_path))
    record = {"kind": "registration", "atena_number": person, "items": {"registered": "true"}}
    drop(tmp_path, "n.xml", factories.platform_file("nhi", [record]))
    token = tasks._in_process_db.set(delivering)
    try:
        assert tasks.exchange_platform_files.delay().get() == {"applied": 1}
    finally:
        tasks._in_process_db.reset(token)
