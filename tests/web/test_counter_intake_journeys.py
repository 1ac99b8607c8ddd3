"""What a clerk met using every intake form in a browser (the `journeys` review): the order of the items, the
items a change type reads, the required marks, dates kept as typed, the messages of a refusal."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

import models
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.immigration_notices import import_immigration_notices
from handlers.residents.history import display_name
from handlers.residents.resident_code_pool import load_pool
from handlers.uow import unit_of_work
from models.case import Case
from tests import factories
from tests.web.test_counter_forms import approve, pending_proposal
from tests.web.test_counter_pages import case_id_of, move_in_form, open_task, rows, signed_in, summary_of
from tests.workflows.foreign_steps import fresh_card_number
from webui.counter.intake_forms import COUNTER_ORDER, INTAKE_SPECS

YESTERDAY = japan_today() - dt.timedelta(days=1)
NEXT_YEAR = f"令和{japan_today().year - 2018 + 1}年1月1日"
UNSECTIONED = [code for code in COUNTER_ORDER if not INTAKE_SPECS[code].sections]


def position(page: str, field_id: str) -> int:
    found = page.find(f'id="{field_id}"')
    assert found >= 0, field_id
    return found


@pytest.mark.req("j390")
@pytest.mark.parametrize("code", UNSECTIONED)
def test_a_form_shows_whom_the_change_concerns_first_and_the_notifier_and_ex_officio_items_last(
    app: Flask, users_a: dict[str, models.User], code: str
) -> None:
    page = signed_in(app, users_a["clerk"]).get(f"/cases/new/{code}").get_data(as_text=True)
    form = INTAKE_SPECS[code].form
    person = next(n for n in ("atena_numbers", "atena_number", "notice_id") if hasattr(form, n))
    trailing = [n for n in ("notifier_name", "ex_officio", "ex_officio_record") if hasattr(form, n)]
    for name in trailing:
        assert position(page, person) < position(page, name), (code, name)
    if hasattr(form, "notifier_name"):
        assert "<h2" in page and ">届出人</h2>" in page
    if hasattr(form, "ex_officio"):
        assert ">職権で行う場合（届出の準用）</h2>" in page
    elif hasattr(form, "ex_officio_record"):
        assert ">職権記載等</h2>" in page


@pytest.mark.req("j780")
def test_a_shared_form_shows_only_the_items_its_change_type_reads(
    app: Flask, users_a: dict[str, models.User]
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    minor = clerk.get("/cases/new/minor_correction").get_data(as_text=True)
    assert 'id="minor_category"' in minor
    assert not any(f'id="{n}"' in minor for n in ("corrected_history_no", "koseki_event", "koseki_date"))
    koseki = clerk.get("/cases/new/koseki_notice").get_data(as_text=True)
    assert (
        'id="koseki_event"' in koseki and 'id="koseki_date"' in koseki and 'id="minor_category"' not in koseki
    )
    birth = clerk.get("/cases/new/birth").get_data(as_text=True)
    assert 'id="copy_koseki_from"' in birth and 'id="previous_address_kind"' not in birth
    for code in ("my_number_change", "resident_code_issue", "change_cancellation", "address_setting"):
        assert 'id="koseki_date"' not in clerk.get(f"/cases/new/{code}").get_data(as_text=True), code


@pytest.mark.req("j750")
def test_the_ex_officio_record_is_marked_required_and_asked_for_before_the_handler_runs(
    app: Flask, users_a: dict[str, models.User]
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    page = clerk.get("/cases/new/death").get_data(as_text=True)
    assert re.search(r'<label for="ex_officio_record">[^<]*<span class="req">必須</span>', page)
    blank = clerk.post("/cases/new/death", data={})
    assert "職権記録書（職権で行った内容と理由）：入力してください。" in summary_of(blank)
    # a 個人番号の変更請求 is no ex-officio change: no 職権記録書 asked for
    request = clerk.post("/cases/new/my_number_change", data={"kind": "change_request"})
    assert "職権記録書" not in summary_of(request)


@pytest.mark.req("j1440", "j10")
def test_a_date_typed_in_wareki_comes_back_as_typed_when_the_form_is_refused(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    home = factories.make_household(db, clerk_a)
    clerk = signed_in(app, users_a["clerk"])
    refused = clerk.post(
        "/cases/new/move_within",
        data={"atena_numbers": home.members[0].atena_number, "change_date": NEXT_YEAR, "notified_date": "R1.5.1",
              "address": "神奈川県横浜市中区山下町2番地", "destination_kind": "keep"},
    )  # fmt: skip
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "異動日：未来の日付です" in summary_of(refused)
    assert f'value="{NEXT_YEAR}"' in page and 'value="R1.5.1"' in page
    assert not re.search(r'value="\d{4}-\d{2}-\d{2}"', page)


@pytest.mark.req("j1440")
def test_a_refusal_whose_reason_is_a_sentence_reads_with_one_full_stop(
    app: Flask, users_a: dict[str, models.User]
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    refused = clerk.post(
        "/cases/new/naturalization",
        data={"atena_number": "0000009999", "change_date": YESTERDAY.isoformat(), "family_name": "金",
              "family_name_kana": "キム", "honseki": "なし"},
    )  # fmt: skip
    summary = summary_of(refused)
    assert "宛名番号：指定された宛名番号の住民は見つかりません。宛名番号を確認してください" in summary
    assert "。。" not in refused.get_data(as_text=True)


@pytest.mark.req("j800")
def test_an_address_setting_is_entered_with_the_date_the_address_was_set(
    app: Flask, db: Database, users_a: dict[str, models.User], supervisor_a: Actor, clerk_a: Actor
) -> None:
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, [factories.valid_resident_code() for _ in range(3)])
    clerk = signed_in(app, users_a["clerk"])
    form = {
        "address": "神奈川県横浜市中区港町3丁目1番地", "previous_address_kind": "unknown",
        "member-family_name": "住所", "member-given_name": "設定", "member-family_name_kana": "ジュウショ",
        "member-given_name_kana": "セッテイ", "member-birth_date": "昭和60年1月1日", "member-sex": "2",
        "member-relation_to_head": "世帯主", "member-honseki": "不明", "ex_officio_record": "実態調査により住所設定",
    }  # fmt: skip
    page = clerk.get("/cases/new/address_setting").get_data(as_text=True)
    assert re.search(r'<label for="address_set_date">[^<]*<span class="req">必須</span>', page)
    missing = clerk.post("/cases/new/address_setting", data=form)
    assert "住所を定めた年月日（和暦・西暦）：入力してください。" in summary_of(missing)
    entered = clerk.post("/cases/new/address_setting", data={**form, "address_set_date": "令和7年4月1日"})
    member = pending_proposal(db, clerk_a, case_id_of(entered))["member"]
    assert (member["address_set_date"], member["became_resident_date"]) == ("2025-04-01", "2025-04-01")


@pytest.mark.req("j470", "j720")
def test_a_missing_relation_brings_up_the_persons_relation_rows_linked_from_the_summary(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    home = factories.make_household(db, clerk_a)
    leaving = home.members[-1].atena_number
    clerk = signed_in(app, users_a["clerk"])
    form = {"kind": "household_split", "atena_numbers": leaving, "change_date": YESTERDAY.isoformat()}
    refused = clerk.post("/cases/new/household_change", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and f"続柄（宛名番号 {leaving}）" in summary_of(refused)
    assert '<a href="#relations-0-relation">' in page and 'id="relations-0-relation"' in page
    assert re.search(rf'name="relations-0-atena_number"[^>]*value="{leaving}"', page)
    rows = {"relations-0-atena_number": leaving, "relations-0-relation": "世帯主"}
    entered = clerk.post("/cases/new/household_change", data={**form, **rows})
    assert pending_proposal(db, clerk_a, case_id_of(entered))["relations"] == {leaving: "世帯主"}


@pytest.mark.req("j960")
def test_the_immigration_notice_form_offers_the_pending_notices_to_choose_from(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    assert "未処理の通知はありません" in clerk.get("/cases/new/immigration_notice").get_data(as_text=True)
    card = fresh_card_number()
    factories.make_household(db, clerk_a, [factories.foreign_member(residence_card_number=card)])
    row = {"kind": "period_extension", "event_date": YESTERDAY.isoformat(), "residence_card_number": card,
           "payload": {"period_of_stay": "5年", "stay_expiry_date": "2031-03-31"}}  # fmt: skip
    with unit_of_work(db, clerk_a) as uow:
        notice_id = import_immigration_notices(uow, [row])[0].id
    page = clerk.get("/cases/new/immigration_notice").get_data(as_text=True)
    assert re.search(rf'<option value="{notice_id}">{notice_id}：在留期間の更新許可 [^<]*{card}', page)
    entered = clerk.post("/cases/new/immigration_notice", data={"notice_id": str(notice_id)})
    assert pending_proposal(db, clerk_a, case_id_of(entered))["notice_id"] == notice_id
    again = clerk.post("/cases/new/immigration_notice", data={"notice_id": "999999"})
    assert again.status_code == 422 and "見つかりません。通知を一覧から選んでください" in summary_of(again)


@pytest.mark.req("j530")
def test_the_clerk_finishes_the_documents_task_on_the_case_page_and_the_case_is_completed(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    home = factories.make_household(db, clerk_a)
    clerk = signed_in(app, users_a["clerk"])
    entered = clerk.post(
        "/cases/new/move_out",
        data={"atena_numbers": " ".join(m.atena_number for m in home.members), "change_date": YESTERDAY.isoformat(),
              "municipality_code": "202177", "address": "長野県佐久市中込1番地"},
    )  # fmt: skip
    case_id = case_id_of(entered)
    approve(app, db, users_a, clerk_a, case_id)
    page = clerk.get(f"/cases/{case_id}").get_data(as_text=True)
    task = open_task(db, clerk_a, case_id, "issue_documents")
    subjects = "+".join(m.atena_number for m in home.members)
    assert f'href="/certificates/issue?subject={subjects}">証明書の発行へ</a>' in page
    assert f'action="/tasks/{task.id}/complete"' in page and "交付を終えて完了する" in page
    done = clerk.post(f"/tasks/{task.id}/complete", follow_redirects=True).get_data(as_text=True)
    assert "交付物の発行を完了しました。案件は完了です。" in done and "開いているタスクはありません。" in done
    assert rows(db, clerk_a, Case, Case.id == case_id)[0].status == "completed"


@pytest.mark.req("j1440")
def test_the_forms_own_messages_are_japanese_too(app: Flask, users_a: dict[str, models.User]) -> None:
    clerk = signed_in(app, users_a["clerk"])
    refused = clerk.post("/cases/new/move_out", data={"note": "長" * 401, "notifier_kind": "nobody"})
    summary = summary_of(refused)
    assert "備考：フィールドは 400 文字を超えることはできません。" in summary
    assert "届出人の区分：選択肢が正しくありません。" in summary
    assert not re.search(r"[A-Za-z]{4,}", summary), summary


@pytest.mark.req("j810")
def test_a_birth_is_entered_without_the_address_setting_items_its_page_does_not_show(
    app: Flask, db: Database, users_a: dict[str, models.User], supervisor_a: Actor, clerk_a: Actor
) -> None:
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, [factories.valid_resident_code() for _ in range(3)])
    home = factories.make_household(db, clerk_a)
    clerk = signed_in(app, users_a["clerk"])
    entered = clerk.post(
        "/cases/new/birth",
        data={"household_number": home.household_number, "copy_koseki_from": home.members[0].atena_number,
              "member-family_name": home.members[0].family_name, "member-given_name": "次郎",
              "member-family_name_kana": home.members[0].family_name_kana, "member-given_name_kana": "ジロウ",
              "member-birth_date": YESTERDAY.isoformat(), "member-sex": "1", "member-relation_to_head": "子",
              "ex_officio_record": "出生届に基づく職権記載"},
    )  # fmt: skip
    assert pending_proposal(db, clerk_a, case_id_of(entered))["member"]["given_name"] == "次郎"


@pytest.mark.req("j1130")
def test_a_task_waiting_for_another_systems_answer_offers_no_button_to_finish_it(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    home = factories.make_household(db, clerk_a)
    clerk = signed_in(app, users_a["clerk"])
    entered = clerk.post(
        "/cases/new/my_number_change",
        data={"atena_number": home.members[0].atena_number, "kind": "change_request"},
    )
    case_id = case_id_of(entered)
    approve(app, db, users_a, clerk_a, case_id)
    page = clerk.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "住基ネットの応答で完了" in page and "交付を終えて完了する" not in page


@pytest.mark.req("j1440")
def test_the_error_summary_lists_the_items_in_the_order_the_page_shows_them(
    app: Flask, users_a: dict[str, models.User]
) -> None:
    refused = signed_in(app, users_a["clerk"]).post("/cases/new/address_setting", data={})
    items = [text.split("：", 1)[0] for text in summary_of(refused).split(" / ")]
    assert (
        items[0] == "住所を定めた年月日（和暦・西暦）" and items[-1] == "職権記録書（職権で行った内容と理由）"
    )
    assert items.index("氏") < items.index("世帯主との続柄")
    assert "性別：選択してください。" in summary_of(refused)  # a choice is chosen, not typed


@pytest.mark.req("j390")
def test_the_case_page_names_the_new_household_and_person_of_a_move_in_not_their_codes(
    app: Flask, db: Database, users_a: dict[str, models.User], supervisor_a: Actor
) -> None:
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, [factories.valid_resident_code() for _ in range(3)])
    clerk = signed_in(app, users_a["clerk"])
    entered = clerk.post("/cases/new/move_in", data=move_in_form())
    page = clerk.get(f"/cases/{case_id_of(entered)}").get_data(as_text=True)
    assert "<td>新しい世帯</td>" in page and "<td>新しく記載する人（1人目）</td>" in page
    assert "household:new" not in page and "new:1" not in page


@pytest.mark.req("j680")
def test_a_move_in_from_a_municipality_code_that_does_not_exist_is_refused_at_its_field(
    app: Flask, db: Database, users_a: dict[str, models.User], supervisor_a: Actor, clerk_a: Actor
) -> None:
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, [factories.valid_resident_code() for _ in range(3)])
    clerk = signed_in(app, users_a["clerk"])
    refused = clerk.post("/cases/new/move_in", data=move_in_form(former_municipality_code="999999"))
    assert refused.status_code == 422
    assert (
        '<a href="#former_municipality_code">転入前の市区町村コード：「999999」は市区町村コードとして登録されていません'
        in (refused.get_data(as_text=True))
    )
    entered = clerk.post("/cases/new/move_in", data=move_in_form(former_municipality_code="２０２１７７"))
    assert pending_proposal(db, clerk_a, case_id_of(entered))["former_municipality_code"] == "202177"


@pytest.mark.req("j320")
def test_register_numbers_typed_in_full_width_digits_find_the_person(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    home = factories.make_household(db, clerk_a)
    wide = home.members[0].atena_number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    clerk = signed_in(app, users_a["clerk"])
    entered = clerk.post(
        "/cases/new/former_surname",
        data={
            "atena_number": wide,
            "kind": "record",
            "former_surname": "佐藤",
            "former_surname_kana": "サトウ",
        },
    )
    assert pending_proposal(db, clerk_a, case_id_of(entered))["atena_number"] == home.members[0].atena_number


def rejected_and_reopened(
    clerk: FlaskClient, supervisor: FlaskClient, db: Database, actor: Actor, code: str, form: dict[str, str]
) -> str:
    """The intake page of a case entered with ``form``, rejected by the supervisor and opened again (再入力)."""
    case_id = case_id_of(clerk.post(f"/cases/new/{code}", data=form))
    review = open_task(db, actor, case_id, "review_")
    rejected = supervisor.post(
        f"/tasks/{review.id}/review", data={"decision": "reject", "reason": "確認のため"}
    )
    assert rejected.status_code == 302
    return clerk.get(f"/tasks/{open_task(db, actor, case_id, 'intake_').id}/intake").get_data(as_text=True)


def shown_value(page: str, field_id: str) -> str:
    match = re.search(rf'<input[^>]*id="{field_id}"[^>]*value="([^"]*)"', page) or re.search(
        rf'<select[^>]*id="{field_id}".*?<option[^>]*selected[^>]*value="([^"]*)"'
        rf'|<select[^>]*id="{field_id}".*?<option value="([^"]*)" selected',
        page,
        re.S,
    )
    assert match, field_id
    return next(group for group in match.groups() if group is not None)


@pytest.mark.req("j530")
def test_a_rejected_intake_comes_back_with_every_item_entered_and_its_dates_in_wareki(
    app: Flask, db: Database, users_a: dict[str, models.User], supervisor_a: Actor, clerk_a: Actor
) -> None:
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, [factories.valid_resident_code() for _ in range(3)])
    one, two, three = (factories.make_household(db, clerk_a) for _ in range(3))
    wareki = f"令和{YESTERDAY.year - 2018}年{YESTERDAY.month}月{YESTERDAY.day}日"
    people = (signed_in(app, users_a["clerk"]), signed_in(app, users_a["supervisor"]), db, clerk_a)
    move_out = rejected_and_reopened(*people, "move_out", {
        "atena_numbers": one.members[0].atena_number, "change_date": wareki, "municipality_code": "202177",
        "address": "長野県佐久市中込1番地", "postal_code": "385-0051",
    })  # fmt: skip
    assert shown_value(move_out, "change_date") == wareki
    assert (shown_value(move_out, "municipality_code"), shown_value(move_out, "address")) == (
        "202177", "長野県佐久市中込1番地",
    )  # fmt: skip
    birth = rejected_and_reopened(*people, "birth", {
        "household_number": two.household_number, "copy_koseki_from": two.members[0].atena_number,
        "member-family_name": "窓口", "member-given_name": "次郎", "member-family_name_kana": "マドグチ",
        "member-given_name_kana": "ジロウ", "member-birth_date": wareki, "member-sex": "1",
        "member-relation_to_head": "子", "ex_officio_record": "出生届に基づく職権記載",
    })  # fmt: skip
    assert (shown_value(birth, "member-given_name"), shown_value(birth, "member-sex")) == ("次郎", "1")
    assert shown_value(birth, "member-relation_to_head") == "子"
    correction = rejected_and_reopened(*people, "ex_officio_correction", {
        "atena_number": three.members[0].atena_number, "changes-0-item": "honseki",
        "changes-0-value": "東京都港区芝公園4丁目2番", "ex_officio_record": "戸籍照会により確認", "household_item": "",
    })  # fmt: skip
    assert (shown_value(correction, "changes-0-item"), shown_value(correction, "changes-0-value")) == (
        "honseki", "東京都港区芝公園4丁目2番",
    )  # fmt: skip


@pytest.mark.req("j530")
def test_the_review_of_a_naturalization_and_of_a_birth_shows_what_will_be_registered(
    app: Flask, db: Database, users_a: dict[str, models.User], supervisor_a: Actor, clerk_a: Actor
) -> None:
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, [factories.valid_resident_code() for _ in range(3)])
    foreigner = factories.make_household(db, clerk_a, foreign=True).members[0]
    foreign = foreigner.atena_number
    home = factories.make_household(db, clerk_a)
    clerk, supervisor = signed_in(app, users_a["clerk"]), signed_in(app, users_a["supervisor"])
    naturalized = case_id_of(clerk.post("/cases/new/naturalization", data={
        "atena_number": foreign, "change_date": YESTERDAY.isoformat(), "family_name": "金", "given_name": "民俊",
        "family_name_kana": "キム", "given_name_kana": "ミンジュン", "honseki": "神奈川県横浜市中区本町二丁目10番地",
        "hittosha": "金 民俊", "name_kana_confirmed": "y",
    }))  # fmt: skip
    born = case_id_of(clerk.post("/cases/new/birth", data={
        "household_number": home.household_number, "copy_koseki_from": home.members[0].atena_number,
        "member-family_name": "窓口", "member-given_name": "次郎", "member-family_name_kana": "マドグチ",
        "member-given_name_kana": "ジロウ", "member-birth_date": YESTERDAY.isoformat(), "member-sex": "1",
        "member-relation_to_head": "子", "ex_officio_record": "出生届に基づく職権記載",
    }))  # fmt: skip
    for case_id, caption, shown in (
        (
            naturalized,
            f"{display_name(foreigner)}（宛名番号 {foreign}）",
            "神奈川県横浜市中区本町二丁目10番地",
        ),
        (born, "新しく記載する人（1人目）", "次郎"),
    ):
        page = supervisor.get(f"/tasks/{open_task(db, clerk_a, case_id, 'review_').id}/review").get_data(
            as_text=True
        )
        assert "登録内容との差分はありません" not in page
        assert f"<caption>{caption}</caption>" in page and shown in page
