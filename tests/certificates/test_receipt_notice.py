"""住民異動届受理通知 (j580): output on demand for registered 転入・転居・転出・世帯変更・出生 cases, addressed to the
previous address and the notifier or, with no previous address (出生, 国外からの転入), to the new address and the
mover; on any later day; never for a provisional change; never revealing a protected mover's new address."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.certificates import CertificateRefusedError, ReleaseRequiredError
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ConflictError, PermissionDeniedError, ValidationError
from handlers.receipt_notices import ReceiptNoticeRequest, issue_receipt_notice
from handlers.rules.dates import format_wareki
from tests import factories
from tests.cases.test_move_in import moved_out_in_2021
from tests.certificates.pdf_tools import flat, pdf_fonts, pdf_text
from tests.certificates.test_disclosure_and_verification import protect
from tests.conftest import Step  # noqa: F401 - test_receipt_notice_pages imports it from here
from tests.workflows.ex_officio_steps import approve, enter, fill_pool

pytestmark = pytest.mark.req("j580")

TODAY = japan_today()
NEW_ADDRESS = {"address": "神奈川県横浜市中区山下町2番地", "postal_code": "231-0023"}


@pytest.fixture
def notice_city(setup_session: Session, city_a: models.Municipality) -> models.Municipality:
    city_a.settings = {**(city_a.settings or {}), "notice_of_receipt": True}
    setup_session.flush()
    return city_a


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def registered(
    step: Step, clerk: Actor, supervisor: Actor, code: str, intake: dict[str, Any], acks: tuple[str, ...] = ()
) -> models.Case:
    case = enter(step, clerk, code, intake)
    approve(step, supervisor, case, code, acks)
    return case


def notice(step: Step, actor: Actor, case_id: int, name: str = "山田 太郎", **kw: Any) -> Any:
    return step(actor, issue_receipt_notice, ReceiptNoticeRequest(case_id, name, **kw))


def move_in_intake(kind: str = "domestic") -> dict[str, Any]:
    members = [
        factories.japanese_member(family_name="転入", family_name_kana="テンニュウ"),
        factories.japanese_member(family_name="転入", family_name_kana="テンニュウ", given_name="花子",
                                  given_name_kana="ハナコ", sex="2", relation_to_head="妻", birth_date="1982-06-15"),
    ]  # fmt: skip
    for member in members:
        for key in ("became_resident_date", "address_set_date", "previous_address"):
            member.pop(key)
    former = {"address": "長野県佐久市中込1番地", "postal_code": "385-0051", "municipality_code": "202177"}
    if kind == "abroad":
        former = {"address": "アメリカ合衆国"}
    intake: dict[str, Any] = {
        "kind": kind, "change_date": day(-5), "notified_date": day(-1),
        "household": factories.default_address(), "former_address": former, "members": members,
    }  # fmt: skip
    if kind == "domestic":
        intake["move_out_certificate"] = {"planned_move_out_date": day(-5)}
    return intake


def test_move_in_notice_goes_to_the_previous_address_and_the_notifier_with_the_four_items(
    step: Step, clerk_a: Actor, supervisor_a: Actor, notice_city: models.Municipality, tmp_path: Any
) -> None:
    case = registered(step, clerk_a, supervisor_a, "move_in", move_in_intake())
    issued = notice(step, clerk_a, case.id, "転入 一郎", notifier_kind="agent")
    text = flat(pdf_text(issued.pdf))
    assert issued.addressed_to == "previous"
    assert "住民異動届受理通知" in text and "住民異動届を受理しました" in text
    assert "〒385-0051長野県佐久市中込1番地転入一郎様" in text  # 異動前住所・届出人本人
    assert flat(f"届出日{format_wareki(TODAY - dt.timedelta(days=1))}") in text
    assert "異動事由国内転入" in text and "届出人氏名転入一郎" in text
    assert "異動者氏名転入太郎、転入花子" in text
    assert NEW_ADDRESS["address"] not in text and "横浜市中区" not in text.split("住民異動届受理通知")[0]
    assert "IPAmj" in pdf_fonts(issued.pdf, tmp_path) or "Noto" in pdf_fonts(issued.pdf, tmp_path)


def test_a_re_move_in_goes_to_the_address_before_this_move_not_the_old_one_here(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor, notice_city: models.Municipality
) -> None:
    person = moved_out_in_2021(db, clerk_a)
    data = move_in_intake()
    data["members"] = [
        dict(data["members"][0], my_number=person.my_number, re_move_in_of=person.atena_number)
    ]
    case = registered(step, clerk_a, supervisor_a, "move_in", data)
    text = flat(pdf_text(notice(step, clerk_a, case.id, "転入 太郎").pdf))
    assert "〒385-0051長野県佐久市中込1番地転入太郎様" in text
    assert flat(person.household.address) not in text.split("住民異動届受理通知")[0]


def test_move_in_from_abroad_goes_to_the_new_address_and_the_mover(
    step: Step, clerk_a: Actor, supervisor_a: Actor, notice_city: models.Municipality
) -> None:
    case = registered(step, clerk_a, supervisor_a, "move_in", move_in_intake("abroad"))
    issued = notice(step, clerk_a, case.id, "転入 太郎")
    text = flat(pdf_text(issued.pdf))
    address = factories.default_address()["address"]
    assert issued.addressed_to == "new" and flat(f"{address}") in text and "転入太郎様" in text
    assert "異動事由国外転入等" in text and "アメリカ" not in text
    with pytest.raises(ValidationError) as refused:
        notice(step, clerk_a, case.id, "転入 太郎", addressee="previous")
    assert refused.value.problems[0].code == "no_previous_address"


def test_birth_goes_to_the_new_address_and_the_child(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor, notice_city: models.Municipality
) -> None:
    home = factories.make_household(db, clerk_a)
    fill_pool(step, supervisor_a)
    intake = {"household_number": home.household_number, "copy_koseki_from": home.members[0].atena_number,
              "ex_officio_record": "出生届に基づく職権記載",
              "member": {"family_name": "山田", "given_name": "次郎", "birth_date": day(-3), "sex": "1",
                         "relation_to_head": "子"}}  # fmt: skip
    case = registered(step, clerk_a, supervisor_a, "birth", intake, ("resident_code_pool_low",))
    issued = notice(step, clerk_a, case.id, "山田 太郎", notifier_kind="same_household")
    text = flat(pdf_text(issued.pdf))
    assert issued.addressed_to == "new" and "山田次郎様" in text and "異動事由出生" in text
    assert flat(home.address) in text and "届出人氏名山田太郎" in text


def test_move_within_goes_to_the_old_address_and_never_prints_the_new_one(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor, notice_city: models.Municipality
) -> None:
    home = factories.make_household(db, clerk_a)
    old_address = home.address
    numbers = [m.atena_number for m in home.members]
    intake = {
        "atena_numbers": numbers,
        "change_date": day(-3),
        "notified_date": day(0),
        "address": NEW_ADDRESS,
    }
    case = registered(step, clerk_a, supervisor_a, "move_within", intake)
    issued = notice(step, clerk_a, case.id, "山田 太郎")
    text = flat(pdf_text(issued.pdf))
    assert issued.addressed_to == "previous" and flat(old_address) in text and "異動事由転居" in text
    assert "山下町" not in text and "231-0023" not in text
    to_new = flat(pdf_text(notice(step, clerk_a, case.id, "山田 太郎", addressee="new").pdf))
    assert "〒231-0023" + flat(NEW_ADDRESS["address"]) + "山田太郎様" in to_new


def test_move_out_goes_to_the_current_address_without_the_destination_or_to_the_mover_at_the_destination(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor, notice_city: models.Municipality
) -> None:
    home = factories.make_household(db, clerk_a)
    numbers = [m.atena_number for m in home.members]
    intake = {"atena_numbers": numbers, "change_date": day(10), "notified_date": day(0),
              "destination": {"municipality_code": "202177", "address": "中込1番地"}}  # fmt: skip
    case = registered(step, clerk_a, supervisor_a, "move_out", intake)
    text = flat(pdf_text(notice(step, clerk_a, case.id, "山田 太郎").pdf))
    assert flat(home.address) in text and "異動事由国内転出" in text and "中込" not in text
    to_mover = flat(pdf_text(notice(step, clerk_a, case.id, "山田 太郎", addressee="new").pdf))
    assert "長野県佐久市中込1番地山田太郎様" in to_mover and flat(home.address) not in to_mover  # the 転出先


def test_a_late_move_out_with_the_equivalent_certificate_gets_its_notice_with_the_entered_notification_date(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor, notice_city: models.Municipality
) -> None:
    """転出証明書に準ずる証明書を交付する場合の手続: a 転出 notified after the move is removed ex officio at once."""
    home = factories.make_household(db, clerk_a)
    ichiro = home.members[2].atena_number
    intake = {"atena_numbers": [ichiro], "change_date": day(-20), "notified_date": day(-1),
              "destination": {"municipality_code": "202177", "address": "中込1番地"}}  # fmt: skip
    case = registered(step, clerk_a, supervisor_a, "move_out", intake, ("ex_officio_move_out",))
    documents = step(clerk_a, lambda uow: uow.session.scalars(
        select(models.PendingChange).where(models.PendingChange.case_id == case.id)).one().result["documents"])  # fmt: skip
    assert documents == ["move_out_certificate_equivalent"]
    text = flat(pdf_text(notice(step, clerk_a, case.id, "山田 太郎", notifier_kind="same_household").pdf))
    assert (
        flat(f"届出日{format_wareki(TODAY - dt.timedelta(days=1))}") in text
    )  # the 届出日 entered, not today
    assert "異動事由国内転出" in text and "異動者氏名山田一郎" in text and flat(home.address) in text
    assert "中込" not in text


def test_household_change_notice_names_the_mover(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor, notice_city: models.Municipality
) -> None:
    home = factories.make_household(db, clerk_a)
    ichiro = home.members[2].atena_number
    intake = {"change_date": day(-2), "notified_date": day(0), "kind": "household_split",
              "atena_numbers": [ichiro], "relations": {ichiro: "世帯主"}}  # fmt: skip
    case = registered(step, clerk_a, supervisor_a, "household_change", intake)
    text = flat(pdf_text(notice(step, clerk_a, case.id, "山田 一郎").pdf))
    assert "異動事由世帯分離" in text and "異動者氏名山田一郎" in text and flat(home.address) in text


def test_the_notice_can_be_output_on_a_later_day_and_each_output_is_logged(
    step: Step, clerk_a: Actor, supervisor_a: Actor, notice_city: models.Municipality, setup_session: Session
) -> None:
    case = registered(step, clerk_a, supervisor_a, "move_in", move_in_intake())
    later = dt.datetime.combine(TODAY + dt.timedelta(days=40), dt.time(3, 0), tzinfo=dt.UTC)
    issued = step(clerk_a, issue_receipt_notice, ReceiptNoticeRequest(case.id, "転入 太郎"), now=later)
    text = flat(pdf_text(issued.pdf))
    assert format_wareki(TODAY + dt.timedelta(days=40)) in text  # 処理日に限らず、後日でも発行できる
    assert flat(f"届出日{format_wareki(TODAY - dt.timedelta(days=1))}") in text
    rows = setup_session.scalars(
        select(models.AccessLog).where(models.AccessLog.function == "receipt_notice_printed")
    ).all()
    assert len(rows) == 1 and rows[0].action == "print" and set(rows[0].targets) == set(issued.subjects)
    assert rows[0].detail["case_number"] == case.case_number and rows[0].detail["addressed_to"] == "previous"


def test_a_provisional_change_another_kind_of_case_or_a_city_without_the_choice_gets_no_notice(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor, city_a: models.Municipality,
    setup_session: Session,
) -> None:  # fmt: skip
    done = registered(step, clerk_a, supervisor_a, "move_in", move_in_intake())
    with pytest.raises(ConflictError, match="選択機能"):
        notice(step, clerk_a, done.id)
    provisional = enter(step, clerk_a, "move_within", {
        "atena_numbers": [m.atena_number for m in factories.make_household(db, clerk_a).members],
        "change_date": day(-3), "notified_date": day(0), "address": NEW_ADDRESS,
    })  # fmt: skip
    city_a.settings = {**(city_a.settings or {}), "notice_of_receipt": True}
    setup_session.flush()
    with pytest.raises(ConflictError, match="本登録"):
        notice(step, clerk_a, provisional.id)
    with pytest.raises(ValidationError) as blank:  # no 届出人 recorded at its intake: one must be given
        notice(step, clerk_a, done.id, "  ")
    assert blank.value.problems[0].field == "notifier_name"
    auditor = factories.actor_for(
        factories.make_user(setup_session, city_a, login_id="auditor.receipt", roles=["auditor"])
    )
    with pytest.raises(PermissionDeniedError):
        notice(step, auditor, provisional.id)
    assert (
        setup_session.scalars(
            select(models.AccessLog).where(models.AccessLog.function == "receipt_notice_printed")
        ).all()
        == []
    )


def test_a_protected_mover_needs_the_officers_release_and_a_perpetrator_is_refused(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor, notice_city: models.Municipality,
    setup_session: Session,
) -> None:  # fmt: skip
    home = factories.make_household(db, clerk_a)
    numbers = [m.atena_number for m in home.members]
    intake = {
        "atena_numbers": numbers,
        "change_date": day(-3),
        "notified_date": day(0),
        "address": NEW_ADDRESS,
    }
    case = registered(step, clerk_a, supervisor_a, "move_within", intake)
    protect(setup_session, notice_city, numbers[1])
    with pytest.raises(ReleaseRequiredError, match="支援措置"):
        notice(step, clerk_a, case.id, "山田 太郎", addressee="new")
    measure = setup_session.scalars(select(models.SupportMeasure)).one()
    measure.parties.append(models.SupportMeasureParty(
        tenant_id=notice_city.id, role="perpetrator", name="斎藤 鷹雄", birth_date=dt.date(1970, 1, 1),
    ))  # fmt: skip
    setup_session.flush()
    with pytest.raises(CertificateRefusedError, match="加害者"):
        notice(
            step,
            clerk_a,
            case.id,
            "齋藤　鷹雄",
            notifier_kind="agent",
            notifier_birth_date=dt.date(1970, 1, 1),
        )
    assert (
        setup_session.scalars(
            select(models.AccessLog).where(models.AccessLog.function == "receipt_notice_printed")
        ).all()
        == []
    )


@pytest.mark.req("j580", "j190")
def test_a_foreign_mover_whose_name_priority_is_the_alias_is_addressed_by_the_alias(
    step: Step, clerk_a: Actor, supervisor_a: Actor, notice_city: models.Municipality, setup_session: Session
) -> None:
    notice_city.settings = {**(notice_city.settings or {}), "name_priority_for_mail": True}
    setup_session.flush()
    kim = factories.foreign_member(name_alphabet="KIM ICHIRO", family_name="金", given_name="一郎",
                                   alias="金田 一郎", alias_kana="カネダ イチロウ", name_priority="alias")  # fmt: skip
    for key in ("became_resident_date", "address_set_date", "foreign_resident_date"):
        kim.pop(key)
    case = registered(step, clerk_a, supervisor_a, "move_in", dict(move_in_intake("abroad"), members=[kim]))
    text = flat(pdf_text(notice(step, clerk_a, case.id, "金田 一郎").pdf))
    assert "金田一郎様" in text and "KIMICHIRO" not in text.split("住民異動届受理通知")[0], "the 通称 alone"
    assert "異動者氏名金田一郎（金一郎）" in text
