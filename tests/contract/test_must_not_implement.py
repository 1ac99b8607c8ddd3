"""Proof that the functions chapter 3 lists under 【実装しない機能】 are absent or refused, one test per function
we can check (docs/conformance.md lists these beside the section keys).  A test marked xfail(strict) is a
known violation the report shows as such; it fails as soon as the violation is fixed, so the mark is removed."""

from __future__ import annotations

import datetime as dt
import inspect
import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import Session

import models
from handlers.changes.death import death_kind_problems
from handlers.changes.household_change import HouseholdChange
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import PermissionDeniedError, ValidationError
from handlers.residents.registration import amend_resident
from handlers.rules.change_reasons import REASONS
from handlers.rules.date_input import DateInputError, parse_flexible_date
from handlers.rules.relationship import is_allowed_relationship
from handlers.uow import unit_of_work
from models.certificate import IssuanceDeletionRefusedError
from models.suppression import SUPPRESSION_PROCESSES
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.req("j210")
def test_there_is_no_move_cancellation_reason() -> None:
    """転居取消 is not an 異動事由: a mistaken 転居 is undone with 異動の取消し（修正）."""
    assert not [
        r
        for r in REASONS.values()
        if "転居取消" in r.label or re.search(r"cancel", r.code) and "move" in r.code
    ]


@pytest.mark.req("j480")
def test_a_processing_date_given_with_the_intake_is_not_used(db: Database, clerk_a: Actor) -> None:
    member = factories.japanese_member(processed_date="2001-01-01")
    try:
        household = factories.make_household(db, clerk_a, [member], household={**factories.default_address(),
                                                                               "processed_date": "2001-01-01"})  # fmt: skip
    except ValidationError:
        return  # refused outright: no other 処理日 either
    with unit_of_work(db, clerk_a) as uow:
        dates = set(uow.session.scalars(select(models.ResidentHistory.processed_date).where(
            models.ResidentHistory.household_number == household.household_number)))  # fmt: skip
    assert dates == {japan_today()}


@pytest.mark.req("j110")
@pytest.mark.parametrize(
    "relation", ["祖父", "孫", "おじ", "甥", "準世帯主", "家事使用人", "子の子の子の子の子"]
)
def test_relationships_outside_the_list_are_refused(relation: str) -> None:
    assert not is_allowed_relationship(relation)


@pytest.mark.req("j860", "j200")
def test_a_clerical_correction_appends_history_and_never_overwrites_it(db: Database, clerk_a: Actor) -> None:
    household = factories.make_household(db, clerk_a, [factories.japanese_member(given_name="太朗")])
    atena = household.members[0].atena_number
    with unit_of_work(db, clerk_a) as uow:
        before = {row.history_no: dict(row.snapshot) for row in uow.session.scalars(
            select(models.ResidentHistory).where(models.ResidentHistory.atena_number == atena))}  # fmt: skip
        amend_resident(uow, atena, {"given_name": "太郎"}, reason_code="clerical_correction",
                       change_date=japan_today())  # fmt: skip
    with unit_of_work(db, clerk_a) as uow:
        after = {row.history_no: dict(row.snapshot) for row in uow.session.scalars(
            select(models.ResidentHistory).where(models.ResidentHistory.atena_number == atena))}  # fmt: skip
    assert len(after) == len(before) + 1
    assert all(after[number] == snapshot for number, snapshot in before.items())


@pytest.mark.req("j300")
def test_issuance_history_cannot_be_deleted(setup_session: Session, city_a: models.Municipality) -> None:
    row = models.CertificateIssuance(
        tenant_id=city_a.id, issue_number="X-1", issued_at=dt.datetime.now(dt.UTC), place="本庁", terminal="T",
        printer="P", login_id="clerk", certificate_type="juminhyo", subjects=[], items_printed=[], options={},
        pages=1, requester_kind="self", content_digest="0" * 64, signature="s",
    )  # fmt: skip
    setup_session.add(row)
    setup_session.flush()
    with pytest.raises(IssuanceDeletionRefusedError):
        setup_session.delete(row)
        setup_session.flush()
    setup_session.rollback()


@pytest.mark.req("j300")
def test_the_database_refuses_a_raw_delete_of_issuance_history(
    setup_session: Session, city_a: models.Municipality
) -> None:
    setup_session.add(models.CertificateIssuance(
        tenant_id=city_a.id, issue_number="X-2", issued_at=dt.datetime.now(dt.UTC), place="本庁", terminal="T",
        printer="P", login_id="clerk", certificate_type="juminhyo", subjects=[], items_printed=[], options={},
        pages=1, requester_kind="self", content_digest="0" * 64, signature="s",
    ))  # fmt: skip
    setup_session.flush()
    with pytest.raises(Exception, match="refused"), setup_session.begin_nested():
        setup_session.execute(text("DELETE FROM certificate_issuance WHERE issue_number = 'X-2'"))


@pytest.mark.req("j80")
@pytest.mark.parametrize("typed", ["みなし昭和20年1月1日", "昭和20年1月1日（みなし）"])
def test_deemed_birth_dates_are_not_accepted(typed: str) -> None:
    with pytest.raises(DateInputError):
        parse_flexible_date(typed)


@pytest.mark.req("j450")
def test_there_is_no_refusal_registration_suppression() -> None:
    """住民異動不受理 is not a suppression process, and no handler or model speaks of 不受理 as one."""
    assert set(SUPPRESSION_PROCESSES) == {"change_input", "certificate", "inquiry"}
    sources = [p for d in ("handlers", "models") for p in (ROOT / d).rglob("*.py")]
    assert not [
        p for p in sources if re.search(r"不受理|non_acceptance|refusal_registration", p.read_text("utf-8"))
    ]


@pytest.mark.req("j820")
def test_presumed_death_is_not_a_selectable_reason() -> None:
    assert [p.code for p in death_kind_problems({"death_kind": "推定死亡"})] == ["death_kind_not_selectable"]
    assert not [r for r in REASONS.values() if "推定死亡" in r.label]


@pytest.mark.req("j720")
def test_a_household_change_with_an_address_change_is_refused(db: Database, clerk_a: Actor) -> None:
    household = factories.make_household(db, clerk_a)
    intake = {"kind": "household_change", "change_date": japan_today().isoformat(),
              "atena_numbers": [household.members[1].atena_number], "address": "別の住所1番"}  # fmt: skip
    with unit_of_work(db, clerk_a) as uow:
        assessment = HouseholdChange().assess(uow, intake)
    assert "address_change_forbidden" in [p.code for p in assessment.problems]


# j530 【実装しない機能】「決裁では、決裁者の氏名や決裁日が登録管理できること」: the register holds no 決裁 items.
# Read as the standard's other items are read — a 管理項目 entered, kept and managed with the record — it excludes
# a 決裁者 / 決裁日 item of the 住民票 or its 異動履歴, which a municipality's own 電子決裁 keeps.  What the
# system does keep is the trail of who did each step, which the standard asks for elsewhere (操作ログ j1420,
# four eyes at 審査 j540) and issue 3 asks for (acknowledgements with who and when): it is written by the
# system from the signed-in user and the clock, never entered, edited or searched as an item, and never
# printed, extracted or exported with the record (docs/conformance.md, j530 note).
KESSAI = re.compile(r"approv|decid|decision|kessai|決裁", re.IGNORECASE)
RECORD_MODELS = (models.Resident, models.ResidentHistory, models.Household, models.PendingChange,
                 models.RemovedRecordArchive, models.ResidentMemo)  # fmt: skip


@pytest.mark.req("j530")
def test_the_record_and_its_history_have_no_approver_or_approval_date_item() -> None:
    columns = [f"{m.__tablename__}.{c.name}" for m in RECORD_MODELS for c in m.__table__.columns]
    assert columns and not [c for c in columns if KESSAI.search(c)]


@pytest.mark.req("j530")
def test_no_approver_or_approval_date_is_printed_extracted_or_exported() -> None:
    from handlers.extraction.conditions import FIELDS
    from handlers.portability.layout import SPECS
    from handlers.residents.items import HOUSEHOLD_ITEMS, RESIDENT_ITEMS

    # support_measures.decided_*: the municipality's decision to grant a support measure (支援の要否の決定 of
    # the DV/stalking procedure, j440), not the 決裁 of an 異動
    exported = [
        f"{spec.name}.{name}"
        for spec in SPECS
        if spec.name != "support_measures"
        for name in spec.column_names
    ]
    extracted = [f"{f.name} {f.label}" for f in FIELDS.values()]
    shown = [f"{item.field} {item.label}" for item in (*RESIDENT_ITEMS, *HOUSEHOLD_ITEMS)]
    assert exported and extracted and shown
    assert not [n for n in exported + extracted + shown if KESSAI.search(n)]


@pytest.mark.req("j530")
def test_the_approval_takes_no_approver_name_or_date_from_anyone() -> None:
    """The 決裁 door takes the task and the acknowledgements only: who approved is the signed-in user and
    when is the clock, recorded by the system as the operation log is, never entered or changed."""
    from handlers.cases import doors
    from webui.api.openapi import SCHEMAS

    assert list(inspect.signature(doors.approve).parameters) == ["uow", "task_id", "acknowledgements"]
    assert set(SCHEMAS["CompleteTask"]["properties"]) == {"decision", "acknowledgements", "reason", "intake"}


@pytest.mark.req("j1420")
def test_no_os_native_printing_bypasses_the_access_log() -> None:
    """Certificates are PDFs made and logged by the handlers; no page calls window.print, no code spools to a
    printer (lp/lpr) or the OS print dialog."""
    scanned = [*(ROOT / "webui" / "templates").rglob("*.html"), *(ROOT / "webui" / "static" / "js").rglob("*.js"),
               *(ROOT / "handlers").rglob("*.py"), *(ROOT / "worker").rglob("*.py")]  # fmt: skip
    pattern = re.compile(r"window\.print|\blpr?\b\s*['\"]|\"lpr?\"|'lpr?'|win32print|cups")
    assert not [str(p.relative_to(ROOT)) for p in scanned if pattern.search(p.read_text("utf-8"))]


@pytest.mark.req("j520")
def test_a_katagaki_never_brings_up_its_address_as_a_candidate(
    db: Database, app: Flask, users_a: dict[str, models.User]
) -> None:
    """方書 → 住所地番 is not offered (j520 実装しない機能): the counter's only look-up of the 方書 register goes
    from an address to its 方書; given the 方書 in any parameter it answers nothing, and the register's list,
    which shows both, is the supervisors' management page, refused to the counter's clerk."""
    from handlers.katagaki import katagaki_for_address, list_katagaki
    from handlers.permissions import has_permission
    from tests.web.conftest import login_as

    lot = "神奈川県横浜市中区港町1丁目1番地"
    factories.make_katagaki(db, factories.actor_for(users_a["supervisor"]), address=lot, name="港ハイツ")
    clerk = factories.actor_for(users_a["clerk"])
    with unit_of_work(db, clerk) as uow:
        assert katagaki_for_address(uow, "港ハイツ") == []
        with pytest.raises(PermissionDeniedError):
            list_katagaki(uow)
    assert list(inspect.signature(katagaki_for_address).parameters) == ["uow", "address"]
    assert not has_permission(clerk, "katagaki.manage")
    client = app.test_client()
    login_as(client, users_a["clerk"])
    counter_rules = [
        r.rule for r in app.url_map.iter_rules() if "katagaki" in r.rule and "/settings/" not in r.rule
    ]
    assert counter_rules == ["/counter/katagaki"]
    for name in ("address", "katagaki", "name", "q"):
        body = client.get("/counter/katagaki", query_string={name: "港ハイツ"}).get_data(as_text=True)
        assert "港町" not in body and "番地" not in body


@pytest.mark.req("j1180")
def test_other_system_inquiry_asks_for_and_keeps_none_of_the_excluded_items() -> None:
    """他業務照会 offers no 投票権・登録/抹消年月日・投票区・事由 of the 選挙人名簿, no 被保険者証の記号・番号
    (国保・後期高齢・介護) and no 米穀の配給 system; an answer that carries them anyway keeps none of them."""
    from handlers.other_systems.catalog import SYSTEMS
    from handlers.other_systems.registrations import parse_record

    assert set(SYSTEMS) == {"election", "nhi", "late_elderly", "long_term_care", "national_pension",
                            "child_allowance", "card"}  # fmt: skip
    assert SYSTEMS["election"].items == ()  # only 登録の有無
    labels = " ".join(item.label for adapter in SYSTEMS.values() for item in adapter.items)
    assert not re.search("投票|抹消|事由|被保険者証|米穀|配給", labels)
    excluded = {"voting_right": True, "registered_date": "2020-01-01", "removed_date": "2021-01-01",
                "voting_district": "第3投票区", "insurance_card_symbol": "記号", "insurance_card_number": "123"}  # fmt: skip
    for system in ("election", "nhi", "late_elderly", "long_term_care"):
        answer = parse_record(system, "0000000019", {"registered": True, "items": excluded})
        assert all(value is None for value in answer.items.values())
        assert not set(answer.items) & set(excluded)


@pytest.mark.req("j580")
def test_there_is_no_notice_of_the_notification_content_to_the_movers() -> None:
    """No 通知書 tells the movers what their latest change said: the one notice about a notification is the
    住民異動届受理通知, which carries only 届出日, 異動事由, 届出人氏名, 異動者氏名 and the statement of acceptance
    (besides its addressee, date, issuer and 受付番号); no certificate type is such a notice."""
    from dataclasses import fields

    from handlers.certificates import TYPES
    from handlers.certificates.notice_render import ReceiptNoticeContent

    printed = {f.name for f in fields(ReceiptNoticeContent)}
    assert printed == {"postal_code", "address", "katagaki", "addressee_name", "issue_date_text", "issuer",
                       "notified_date_text", "reason_label", "notifier_name", "mover_names", "statement",
                       "case_number"}  # fmt: skip
    assert not [t for t in TYPES.values() if re.search(r"届出内容|異動内容|異動通知", t.label)]


@pytest.mark.req("j1400")
def test_the_manual_is_no_printed_booklet() -> None:
    """The manual is the on-screen Markdown only: nothing builds or ships a booklet (冊子) of it."""
    manual = ROOT / "docs" / "manual"
    assert {p.suffix for p in manual.iterdir()} == {".md"}
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert not re.search(r"manual.*\.(pdf|docx?|epub)|booklet|冊子", makefile)


@pytest.mark.req("j310")
def test_a_certifier_cannot_be_left_without_a_name(
    db: Database,
    app: Flask,
    users_a: dict[str, models.User],
    city_a: models.Municipality,
    setup_session: Session,
) -> None:
    """No 「○○長 公印」 with a blank name: the one check of the certifiers (``set_officials`` and the settings
    page's entries) refuses an empty or blank name (a full-width space too), whichever door it comes through."""
    from handlers.certificates import set_officials
    from tests.web.conftest import login_as

    admin = factories.actor_for(users_a["administrator"])
    for blank in ("", " ", "　"):
        with pytest.raises(ValidationError) as refused, unit_of_work(db, admin) as uow:
            set_officials(uow, [{"title": "横浜市長", "name": blank, "from": "", "to": "", "acting": False}])
        assert [(p.item, p.code) for p in refused.value.problems] == [("氏名", "required")]
    client = app.test_client()
    login_as(client, users_a["administrator"])
    page = client.post("/settings/officials/new", data={"title": "横浜市長", "name": "　", "kind": "mayor"})
    assert page.status_code == 422 and "氏名：入力されていません" in page.get_data(as_text=True)
    setup_session.refresh(city_a)
    assert "officials" not in (city_a.settings or {})
