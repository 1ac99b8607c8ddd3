"""住所一括変更 (j1340): 「対象者に事前又は事後の通知を出力できること」 — the 事前通知 of a provisional run and the 事後通知
of a final one, one per household (住所) or per person (本籍), none for those the run leaves out, none in the
bulk output for a household with a protected person, one PDF page per notice, a CSV list, one access-log row."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.certificates.officials import NoOfficialError
from handlers.context import Actor
from handlers.csv_intake.bulk_address import apply_bulk_change, plan_bulk_change
from handlers.csv_intake.bulk_notice_jobs import request_bulk_notices, run_bulk_notice_job
from handlers.csv_intake.bulk_notices import NoticeTimingError
from handlers.db import Database
from handlers.errors import PermissionDeniedError
from handlers.rules.dates import format_wareki
from handlers.uow import unit_of_work
from models import AccessLog, BulkAddressNotice, Household, Resident
from tests import factories
from tests.certificates.conftest import OFFICIALS
from tests.certificates.pdf_tools import flat, pages_text

pytestmark = pytest.mark.req("j1340")
CHANGE_DATE = dt.date(2026, 4, 1)
PLACES = {
    "yamada": ("神奈川県横浜市中区港町1丁目1番地", "神奈川県横浜市中区みなと町1丁目1番地"),
    "sato": ("神奈川県横浜市中区港町2丁目5番地", "神奈川県横浜市中区みなと町2丁目5番地"),
}
HONSEKI_AFTER = "東京都千代田区千代田一丁目1番"


@pytest.fixture
def certifying(setup_session: Session, city_a: models.Municipality) -> models.Municipality:
    city_a.settings = {**(city_a.settings or {}), "officials": OFFICIALS}
    setup_session.flush()
    return city_a


@pytest.fixture
def households(db: Database, clerk_a: Actor, certifying: models.Municipality) -> dict[str, Household]:
    sato = [factories.japanese_member(family_name="佐藤", family_name_kana="サトウ", given_name="次郎",
                                      given_name_kana="ジロウ")]  # fmt: skip
    return {
        "yamada": factories.make_household(db, clerk_a, household=factories.default_address(address=PLACES["yamada"][0])),
        "sato": factories.make_household(db, clerk_a, sato, household=factories.default_address(
            address=PLACES["sato"][0], postal_code="2310018", address_katagaki="港ハイツ202号室")),
    }  # fmt: skip


def address_csv(households: dict[str, Household]) -> bytes:
    lines = ["世帯番号,変更前住所,変更後住所,変更後郵便番号"]
    lines += [f"{h.household_number},{PLACES[k][0]},{PLACES[k][1]}," for k, h in households.items()]
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def plan(db: Database, actor: Actor, data: bytes, target: str = "address") -> int:
    with unit_of_work(db, actor) as uow:
        return plan_bulk_change(
            uow, target, data, minor_category="residence_indication", change_date=CHANGE_DATE
        ).id


def output(db: Database, actor: Actor, change_id: int, timing: str, tenant_id: int) -> BulkAddressNotice:
    with unit_of_work(db, actor) as uow:
        job_id = request_bulk_notices(uow, change_id, timing).id
    run_bulk_notice_job(db, tenant_id, job_id, today=dt.date(2026, 3, 2))
    with unit_of_work(db, actor) as uow:
        job = uow.session.get(BulkAddressNotice, job_id)
        assert job is not None
        uow.session.expunge(job)
    return job


def csv_rows(job: BulkAddressNotice) -> list[dict[str, str]]:
    assert job.csv is not None
    return list(csv.DictReader(io.StringIO(job.csv.decode("utf-8-sig"))))


def set_status(db: Database, actor: Actor, atena_number: str, **values: Any) -> None:
    with unit_of_work(db, actor) as uow:
        person = uow.session.scalars(select(Resident).where(Resident.atena_number == atena_number)).one()
        for key, value in values.items():
            setattr(
                person.household if key.startswith("household_") else person,
                key.removeprefix("household_"),
                value,
            )


def test_advance_notices_go_one_per_household_to_the_head_at_the_current_address(
    db, clerk_a, city_a, households
):
    change_id = plan(db, clerk_a, address_csv(households))
    job = output(db, clerk_a, change_id, "advance", city_a.id)
    assert job.status == "done" and job.notice_count == 2 and job.withheld == [] and job.excluded == []
    rows = csv_rows(job)
    assert [(r["宛先氏名"], r["住所"], r["変更前"], r["変更後"]) for r in rows] == [
        ("山田 太郎", PLACES["yamada"][0], *PLACES["yamada"]),
        ("佐藤 次郎", PLACES["sato"][0], *PLACES["sato"]),
    ]
    assert rows[1]["方書"] == "港ハイツ202号室" and rows[1]["郵便番号"] == "2310018"
    assert {r["変更日"] for r in rows} == {format_wareki(CHANGE_DATE)}
    assert {r["通知"] for r in rows} == {"事前通知"}
    assert rows[0]["対象者"] == "山田 太郎、山田 花子、山田 一郎"
    pages = [flat(p) for p in pages_text(job.pdf or b"")]
    assert len(pages) == 2
    first = pages[0]
    for text in ("住所変更のお知らせ（事前通知）", "〒231-0017", "山田太郎様", flat(PLACES["yamada"][1]),
                 "変更日" + flat(format_wareki(CHANGE_DATE)), "住居表示の実施又は変更に伴う住所の修正",
                 "神奈川県横浜市長山中竹春", "届出の必要はありません", "令和8年3月2日"):  # fmt: skip
        assert text in first, text
    assert "佐藤次郎様" in pages[1] and "港ハイツ202号室" in pages[1]


def test_after_notices_follow_the_final_run_to_the_new_address(db, clerk_a, city_a, households):
    change_id = plan(db, clerk_a, address_csv(households))
    with unit_of_work(db, clerk_a) as uow:
        apply_bulk_change(uow, change_id)
    job = output(db, clerk_a, change_id, "after", city_a.id)
    rows = csv_rows(job)
    assert [(r["宛先氏名"], r["住所"], r["通知"]) for r in rows] == [
        ("山田 太郎", PLACES["yamada"][1], "事後通知"), ("佐藤 次郎", PLACES["sato"][1], "事後通知"),
    ]  # fmt: skip
    pages = [flat(p) for p in pages_text(job.pdf or b"")]
    assert len(pages) == 2 and "住所変更のお知らせ（事後通知）" in pages[0] and "修正しました" in pages[0]


def test_advance_and_after_are_offered_only_before_and_after_the_final_run(db, clerk_a, city_a, households):
    change_id = plan(db, clerk_a, address_csv(households))
    with pytest.raises(NoticeTimingError), unit_of_work(db, clerk_a) as uow:
        request_bulk_notices(uow, change_id, "after")
    with unit_of_work(db, clerk_a) as uow:
        apply_bulk_change(uow, change_id)
    with pytest.raises(NoticeTimingError), unit_of_work(db, clerk_a) as uow:
        request_bulk_notices(uow, change_id, "advance")


def test_honseki_notices_go_one_per_person_at_their_address(db, clerk_a, city_a, households):
    yamada = households["yamada"].members
    lines = ["宛名番号,変更前本籍,変更後本籍"]
    lines += [f"{m.atena_number},{m.honseki},{HONSEKI_AFTER}" for m in yamada[:2]]
    change_id = plan(db, clerk_a, ("\r\n".join(lines) + "\r\n").encode(), "honseki")
    job = output(db, clerk_a, change_id, "advance", city_a.id)
    rows = csv_rows(job)
    assert [(r["世帯番号・宛名番号"], r["宛先氏名"], r["住所"], r["変更後"]) for r in rows] == [
        (yamada[0].atena_number, "山田 太郎", PLACES["yamada"][0], HONSEKI_AFTER),
        (yamada[1].atena_number, "山田 花子", PLACES["yamada"][0], HONSEKI_AFTER),
    ]
    pages = [flat(p) for p in pages_text(job.pdf or b"")]
    assert len(pages) == 2 and "本籍変更のお知らせ（事前通知）" in pages[1] and "山田花子様" in pages[1]


def test_households_the_run_leaves_out_get_no_notice(db, clerk_a, city_a, households):
    change_id = plan(db, clerk_a, address_csv(households))
    sato = households["sato"]
    set_status(db, clerk_a, sato.members[0].atena_number, status="moving_out")  # 転出予定者
    advance = output(db, clerk_a, change_id, "advance", city_a.id)
    assert [r["宛先氏名"] for r in csv_rows(advance)] == ["山田 太郎"]
    assert len(pages_text(advance.pdf or b"")) == 1
    assert [x["key"] for x in advance.excluded] == [sato.household_number]
    assert "転出予定者" in advance.excluded[0]["reason"]
    with unit_of_work(db, clerk_a) as uow:
        apply_bulk_change(uow, change_id)
    yamada = households["yamada"].members[0].atena_number
    # the 山田 household moved after the final run
    set_status(db, clerk_a, yamada, household_address="神奈川県横浜市西区別町1番地")
    after = output(db, clerk_a, change_id, "after", city_a.id)
    assert after.notice_count == 0 and after.pdf is None and csv_rows(after) == []
    assert sorted(x["key"] for x in after.excluded) == sorted(h.household_number for h in households.values())


def test_a_household_with_a_protected_person_is_held_back_from_the_bulk_output(
    db, clerk_a, city_a, households, setup_session
):
    yamada = households["yamada"]
    factories.protect(setup_session, city_a, yamada.members[1].atena_number)  # the wife; the head is not
    change_id = plan(db, clerk_a, address_csv(households))
    job = output(db, clerk_a, change_id, "advance", city_a.id)
    assert job.withheld == [{"key": yamada.household_number, "reason": job.withheld[0]["reason"]}]
    assert "支援措置" in job.withheld[0]["reason"] and PLACES["yamada"][0] not in job.withheld[0]["reason"]
    assert [r["宛先氏名"] for r in csv_rows(job)] == ["佐藤 次郎"]
    everything = (job.csv or b"").decode("utf-8-sig") + "".join(pages_text(job.pdf or b""))
    assert "山田" not in everything and flat(PLACES["yamada"][0]) not in flat(everything)
    officer = factories.make_user(
        setup_session, city_a, login_id="clerk-officer", roles=["clerk", "support_officer"]
    )
    trusted = output(db, factories.actor_for(officer), change_id, "advance", city_a.id)
    assert trusted.withheld == [] and trusted.notice_count == 2, (
        "the support-measure officer is withheld nothing"
    )


def test_the_output_is_logged_as_a_print_by_whom_and_how_many(db, clerk_a, city_a, households, setup_session):
    change_id = plan(db, clerk_a, address_csv(households))
    job = output(db, clerk_a, change_id, "advance", city_a.id)
    row = setup_session.scalars(
        select(AccessLog).where(AccessLog.function == "bulk_change_notices_printed")
    ).one()
    assert row.action == "print" and row.login_id == clerk_a.login_id
    assert row.detail == {"change_id": change_id, "job_id": job.id, "timing": "advance", "count": 2,
                          "withheld": 0, "excluded": 0}  # fmt: skip
    assert sorted(row.targets) == sorted(m.atena_number for h in households.values() for m in h.members)


def test_no_notice_is_queued_without_a_certifier_nor_by_someone_who_may_not_enter_changes(
    db, clerk_a, city_a, users_a, households, setup_session
):
    change_id = plan(db, clerk_a, address_csv(households))
    with (
        pytest.raises(PermissionDeniedError),
        unit_of_work(db, factories.actor_for(users_a["analyst"])) as uow,
    ):
        request_bulk_notices(uow, change_id, "advance")
    city_a.settings = {**city_a.settings, "officials": []}
    setup_session.flush()
    with pytest.raises(NoOfficialError), unit_of_work(db, clerk_a) as uow:
        request_bulk_notices(uow, change_id, "advance")


# --- the signer of each ward's notices in a designated city (j1050) -----------------------------------------

NAKA, NISHI = ("141046", "中区"), ("141038", "西区")
WARD_HEAD = {
    "title": "横浜市中区長",
    "name": "中 太郎",
    "from": "",
    "to": "",
    "acting": False,
    "ward_code": NAKA[0],
}


@pytest.fixture
def wards(setup_session: Session, city_a: models.Municipality, households: dict[str, Household], db, clerk_a):  # type: ignore[no-untyped-def]
    """山田 in 中区 (its 区長 registered), 佐藤 in 西区 (none: the mayor signs)."""
    setup_session.add_all([models.Ward(municipality_id=city_a.id, code=c, name=n) for c, n in (NAKA, NISHI)])
    city_a.settings = {**city_a.settings, "officials": [*OFFICIALS, WARD_HEAD]}
    setup_session.flush()
    for key, (code, _) in (("yamada", NAKA), ("sato", NISHI)):
        set_status(db, clerk_a, households[key].members[0].atena_number, household_ward_code=code)
    return households


@pytest.mark.req("j1340", "j1050")
def test_each_notice_of_a_designated_city_is_signed_by_the_certifier_of_its_ward(db, clerk_a, city_a, wards):
    change_id = plan(db, clerk_a, address_csv(wards))
    yamada, sato = (
        flat(p) for p in pages_text(output(db, clerk_a, change_id, "advance", city_a.id).pdf or b"")
    )
    assert "神奈川県横浜市中区長中太郎" in yamada and "山中竹春" not in yamada
    assert "神奈川県横浜市長山中竹春" in sato and "中太郎" not in sato
    members = wards["yamada"].members
    lines = [
        "宛名番号,変更前本籍,変更後本籍",
        f"{members[1].atena_number},{members[1].honseki},{HONSEKI_AFTER}",
    ]
    honseki_id = plan(db, clerk_a, ("\r\n".join(lines) + "\r\n").encode(), "honseki")
    [person] = (flat(p) for p in pages_text(output(db, clerk_a, honseki_id, "advance", city_a.id).pdf or b""))
    assert "山田花子様" in person and "神奈川県横浜市中区長中太郎" in person, (
        "本籍: the person's household's ward"
    )


@pytest.mark.req("j1340", "j1050")
def test_an_ordinary_city_signs_every_notice_with_its_mayor(db, clerk_a, city_a, wards, setup_session):
    city_a.kind = (
        "general"  # a ward code left on a household (and in the register) is no 区長 of an ordinary city
    )
    setup_session.flush()
    change_id = plan(db, clerk_a, address_csv(wards))
    pages = [flat(p) for p in pages_text(output(db, clerk_a, change_id, "advance", city_a.id).pdf or b"")]
    assert len(pages) == 2 and all("神奈川県横浜市長山中竹春" in p and "中太郎" not in p for p in pages)


@pytest.mark.req("j1340", "j1050")
def test_a_ward_without_a_certifier_refuses_the_output_before_any_notice(
    db, clerk_a, city_a, wards, setup_session
):
    change_id = plan(db, clerk_a, address_csv(wards))
    with unit_of_work(db, clerk_a) as uow:
        queued = request_bulk_notices(uow, change_id, "advance").id
    city_a.settings = {**city_a.settings, "officials": [WARD_HEAD]}  # the mayor's entry gone: 西区 has none
    setup_session.flush()
    with pytest.raises(NoOfficialError) as refused, unit_of_work(db, clerk_a) as uow:
        request_bulk_notices(uow, change_id, "advance")
    [problem] = refused.value.problems
    assert problem.item == "西区の認証者" and "有効な認証者が登録されていません" in problem.message
    assert setup_session.scalars(select(BulkAddressNotice.id)).all() == [queued], "nothing more queued"
    with pytest.raises(NoOfficialError):
        run_bulk_notice_job(db, city_a.id, queued, today=dt.date(2026, 3, 2))
    setup_session.expire_all()
    job = setup_session.get(BulkAddressNotice, queued)
    assert job is not None and job.status == "failed" and job.pdf is None and job.notice_count in (None, 0)
    assert not setup_session.scalars(
        select(AccessLog).where(AccessLog.function == "bulk_change_notices_printed")
    ).all()


@pytest.mark.req("j1340", "j190")
@pytest.mark.parametrize("kept", [True, False], ids=["priority-kept", "priority-not-kept"])
def test_a_notice_is_addressed_by_the_name_priority(db, clerk_a, city_a, certifying, setup_session, kept):
    kim = factories.foreign_member(name_alphabet="KIM ICHIRO", family_name="金", given_name="一郎",
                                   alias="金田 一郎", alias_kana="カネダ イチロウ", name_priority="alias")  # fmt: skip
    family = factories.make_household(
        db, clerk_a, [kim], household=factories.default_address(address=PLACES["yamada"][0])
    )
    city_a.settings = {**(city_a.settings or {}), "name_priority_for_mail": kept}
    setup_session.flush()
    data = f"世帯番号,変更前住所,変更後住所,変更後郵便番号\r\n{family.household_number},{PLACES['yamada'][0]},{PLACES['yamada'][1]},\r\n"
    [row] = csv_rows(output(db, clerk_a, plan(db, clerk_a, data.encode()), "advance", city_a.id))
    if kept:  # 通称 alone on the envelope (j190); the persons concerned with both, the 通称 first
        assert (row["宛先氏名"], row["対象者"]) == ("金田 一郎", "金田 一郎（金 一郎）")
    else:
        assert (row["宛先氏名"], row["対象者"]) == ("金 一郎", "金 一郎（金田 一郎）")
