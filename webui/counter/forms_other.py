"""Intake forms of the other change types: 世帯変更等, 出生・住所設定 (a new person), 死亡・失踪, the ex-officio
corrections (職権修正・軽微な修正・誤記修正・戸籍通知), 転入通知の受理 and 出入国在留管理庁長官通知."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, FormField, SelectField, StringField, SubmitField
from wtforms.fields import FieldList
from wtforms.validators import InputRequired, Length, Optional

from handlers.changes.minor_correction import MINOR_CATEGORIES
from handlers.residents.items import RESIDENT_ITEMS
from webui.counter.form_support import (
    RELATION_CHOICES,
    SEX_CHOICES,
    CalendarDate,
    DateTextField,
    RelationRowForm,
    atena_list,
    blank_to_none,
    choices,
    fill_flat,
    name_relation_rows,
    relations_of,
)
from webui.counter.forms_move import CHOOSE, REQUIRED, AddressMixin, DatesMixin
from webui.counter.forms_origin import NotifierMixin, OriginMixin

HOUSEHOLD_KINDS = [
    ("household_split", "世帯分離"),
    ("household_merge", "世帯合併"),
    ("household_change", "世帯変更"),
    ("head_change", "世帯主変更"),
]
ITEM_CHOICES = [("", "選択してください"), *((s.field, s.label) for s in RESIDENT_ITEMS if s.kind != "bool")]
HOUSEHOLD_ITEM_CHOICES = [("address", "住所"), ("address_katagaki", "方書"), ("postal_code", "郵便番号")]


class ExOfficioMixin:
    """職権記録書 and the dates of j750–j790."""

    ex_officio_record = StringField(
        "職権記録書（職権で行った内容と理由）", validators=[InputRequired(REQUIRED), Length(max=400)]
    )
    koseki_date = DateTextField("戸籍届出・通知日（空欄は今日）", validators=[Optional(), CalendarDate()])
    on_request = BooleanField("申出による職権記載等")
    requested_date = DateTextField("申出日（空欄は今日）", validators=[Optional(), CalendarDate()])
    notify_person = BooleanField("職権記載等通知書を発行する")

    def ex_officio_items(self) -> dict[str, Any]:
        return {
            **blank_to_none(
                {"ex_officio_record": self.ex_officio_record.data, "koseki_date": self.koseki_date.data,
                 "requested_date": self.requested_date.data}
            ),
            "on_request": bool(self.on_request.data),
            "notify_person": bool(self.notify_person.data),
        }  # fmt: skip


class HouseholdChangeForm(DatesMixin, OriginMixin, NotifierMixin, FlaskForm):
    kind = SelectField("種類", choices=choices(HOUSEHOLD_KINDS))
    atena_numbers = StringField(
        "対象者の宛名番号（分離・変更）", validators=[Optional()], description="空白・読点区切り"
    )
    household_number = StringField("世帯番号（合併する世帯・世帯主変更の世帯）", validators=[Optional()])
    target_household_number = StringField("加わる先の世帯番号（合併・変更）", validators=[Optional()])
    new_head = StringField("新しい世帯主の宛名番号（世帯主変更）", validators=[Optional()])
    load_relations = SubmitField("世帯員を表示して続柄を入力")
    relations = FieldList(FormField(RelationRowForm), label="続柄", min_entries=0, max_entries=30)
    de_facto_head = StringField("事実上の世帯主（備考に記載）", validators=[Optional(), Length(max=100)])
    note = StringField("備考", validators=[Optional(), Length(max=400)])

    def to_intake(self) -> dict[str, Any]:
        return {
            **blank_to_none(
                {"kind": self.kind.data, "change_date": self.change_date.data, "notified_date": self.notified_date.data,
                 "household_number": self.household_number.data, "target_household_number":
                 self.target_household_number.data, "new_head": self.new_head.data,
                 "de_facto_head": self.de_facto_head.data, "note": self.note.data}
            ),
            "atena_numbers": atena_list(self.atena_numbers.data),
            "relations": relations_of(self.relations),
            **self.origin_items(),
            **self.notifier_items(),
        }  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_relation_rows(self.relations)

    def relation_people(self) -> tuple[list[str], list[str]]:
        """(persons, households) whose members get a 続柄 row: the persons named and the households involved."""
        households = [self.household_number.data or "", self.target_household_number.data or ""]
        return atena_list(self.atena_numbers.data) + atena_list(self.new_head.data), [
            h.strip() for h in households
        ]


class ChildForm(Form):
    family_name = StringField("氏", validators=[InputRequired(REQUIRED), Length(max=100)])
    given_name = StringField("名", validators=[InputRequired(REQUIRED), Length(max=100)])
    family_name_kana = StringField("氏（フリガナ）", validators=[InputRequired(REQUIRED)])
    given_name_kana = StringField("名（フリガナ）", validators=[InputRequired(REQUIRED)])
    birth_date = StringField("生年月日（和暦・西暦）", validators=[InputRequired(REQUIRED)])
    sex = SelectField("性別", choices=SEX_CHOICES, validators=[InputRequired(CHOOSE)])
    relation_to_head = SelectField(
        "世帯主との続柄", choices=RELATION_CHOICES, validators=[InputRequired(CHOOSE)]
    )
    honseki = StringField(
        "本籍",
        validators=[Optional(), Length(max=200)],
        description="なし・不明も可（出生で世帯員から写す場合は空欄）",
    )
    hittosha = StringField("筆頭者（本籍があるとき）", validators=[Optional(), Length(max=100)])
    previous_address = StringField("転入前住所（住所設定で判明している場合）", validators=[Optional()])

    def items(self) -> dict[str, Any]:
        return {**blank_to_none({n: f.data for n, f in self._fields.items()}), "resident_kind": "japanese"}


class NewPersonForm(ExOfficioMixin, AddressMixin, FlaskForm):
    """出生 and 住所設定: a person added to an existing household or a new one."""

    household_number = StringField("世帯番号（既存の世帯に入る場合）", validators=[Optional()])
    copy_koseki_from = StringField("本籍・筆頭者を写す世帯員の宛名番号（出生）", validators=[Optional()])
    previous_address_kind = SelectField(
        "転入前住所（住所設定）",
        choices=choices(
            [("unknown", "不明"), ("none", "なし（空欄）"), ("known", "判明している（下の欄に入力）")]
        ),
        default="unknown",  # 出生 does not show it (IntakeSpec.without): unposted, it must still be a choice
    )
    member = FormField(ChildForm, label="本人")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.address.validators = [Optional(), Length(max=200)]

    def to_intake(self) -> dict[str, Any]:
        intake: dict[str, Any] = {**self.ex_officio_items(), "member": self.member.form.items()}
        number = (self.household_number.data or "").strip()
        if number:
            intake["household_number"] = number
        else:
            intake["household"] = self.address_items()
        if self.copy_koseki_from.data:
            intake["copy_koseki_from"] = self.copy_koseki_from.data.strip()
        intake["previous_address_kind"] = self.previous_address_kind.data
        return intake

    def fill(self, intake: dict[str, Any]) -> None:
        """Show an earlier intake again (再入力 after a rejection): the household, the person, the 職権 items."""
        fill_flat(self, intake)
        fill_flat(self, intake.get("household") or {})
        fill_flat(self.member.form, intake.get("member") or {})


class AddressSettingForm(NewPersonForm):
    """住所設定: a new person as for 出生, with the 住所を定めた年月日 (the change's date, j800) and the 本籍."""

    address_set_date = DateTextField(
        "住所を定めた年月日（和暦・西暦）", validators=[InputRequired(REQUIRED), CalendarDate()],
        description="住民となった年月日も同じ日になります",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member.form.honseki.flags.required = True

    def to_intake(self) -> dict[str, Any]:
        intake = super().to_intake()
        intake["member"]["address_set_date"] = self.address_set_date.data
        return intake

    def fill(self, intake: dict[str, Any]) -> None:
        super().fill(intake)
        self.address_set_date.data = (intake.get("member") or {}).get("address_set_date") or ""


class DeathForm(ExOfficioMixin, FlaskForm):
    """死亡 and 失踪."""

    atena_number = StringField("宛名番号", validators=[InputRequired(REQUIRED)])
    event_date = StringField(
        "死亡日・死亡とみなされる日（和暦・西暦、不詳可）", validators=[InputRequired(REQUIRED), Length(max=40)],
        description="例：令和7年3月1日、年月日不詳",
    )  # fmt: skip

    def to_intake(self) -> dict[str, Any]:
        return {**self.ex_officio_items(), "atena_number": self.atena_number.data.strip(),
                "event_date": self.event_date.data}  # fmt: skip


class ChangeRowForm(Form):
    item = SelectField("修正する項目", choices=choices(ITEM_CHOICES), validators=[Optional()])
    value = StringField("修正後の内容", validators=[Optional(), Length(max=200)])


class CorrectionForm(ExOfficioMixin, FlaskForm):
    """職権修正, 軽微な修正, 誤記修正 and 戸籍通知: items of one person and their household's address."""

    atena_number = StringField("宛名番号", validators=[InputRequired(REQUIRED)])
    change_date = DateTextField("異動日（空欄は今日）", validators=[Optional(), CalendarDate()])
    changes = FieldList(FormField(ChangeRowForm), label="修正内容", min_entries=3, max_entries=3)
    same_koseki_household = BooleanField(
        "同じ本籍・筆頭者の世帯員にも、この本籍・筆頭者の修正を一括して行う（本籍・筆頭者の修正のみ）"
    )
    household_item = SelectField(
        "世帯の住所の修正", choices=choices([("", "修正しない"), *HOUSEHOLD_ITEM_CHOICES])
    )
    household_value = StringField("世帯の住所の修正後の内容", validators=[Optional(), Length(max=200)])
    minor_category = SelectField(
        "軽微な修正の区分",
        choices=choices([("", "（軽微な修正のみ）"), *MINOR_CATEGORIES.items()]),
        validators=[Optional()],
    )
    corrected_history_no = StringField("誤記のある履歴番号（誤記修正のみ）", validators=[Optional()])
    koseki_event = StringField("戸籍の事件（戸籍通知のみ。例：婚姻）", validators=[Optional()])

    def to_intake(self) -> dict[str, Any]:
        changes = {e.form.item.data: e.form.value.data for e in self.changes.entries if e.form.item.data}
        household = {self.household_item.data: self.household_value.data} if self.household_item.data else {}
        return {
            **self.ex_officio_items(),
            "atena_number": self.atena_number.data.strip(), "changes": changes, "household_changes": household,
            "same_koseki_household": bool(self.same_koseki_household.data),
            **blank_to_none({"change_date": self.change_date.data, "minor_category": self.minor_category.data,
                             "corrected_history_no": self.corrected_history_no.data,
                             "koseki_event": self.koseki_event.data}),
        }  # fmt: skip

    def fill(self, intake: dict[str, Any]) -> None:
        """Show an earlier intake again (再入力 after a rejection): the items, the household's, the 職権 items."""
        fill_flat(self, intake)
        for entry, (item, value) in zip(
            self.changes.entries, dict(intake.get("changes") or {}).items(), strict=False
        ):
            entry.form.item.data, entry.form.value.data = item, value
        for item, value in dict(intake.get("household_changes") or {}).items():
            self.household_item.data, self.household_value.data = item, value


class NoticeReceiptForm(FlaskForm):
    atena_number = StringField("宛名番号", validators=[InputRequired(REQUIRED)])
    notice_date = DateTextField("転入通知年月日", validators=[InputRequired(REQUIRED), CalendarDate()])
    confirmed_move_out_date = DateTextField(
        "転出年月日（確定）", validators=[InputRequired(REQUIRED), CalendarDate()]
    )
    confirmed_postal_code = StringField("転出先郵便番号（確定）", validators=[Optional()])
    confirmed_address = StringField("転出先住所（確定）", validators=[InputRequired(REQUIRED)])
    confirmed_code = StringField("転出先住所コード（確定）", validators=[Optional()])
    note = StringField("備考", validators=[Optional()])

    def to_intake(self) -> dict[str, Any]:
        return blank_to_none({n: f.data for n, f in self._fields.items() if n != "csrf_token"})


class ImmigrationNoticeForm(FlaskForm):
    # the pending notices are offered by the page (IntakeSpec.choices); a posted one no longer pending is
    # refused by the handler in Japanese, not by the choice check
    notice_id = SelectField(
        "取り込む通知（未処理の出入国在留管理庁長官通知）", choices=[], validate_choice=False,
        validators=[InputRequired(CHOOSE)],
    )  # fmt: skip
    note = StringField("備考", validators=[Optional()])

    def to_intake(self) -> dict[str, Any]:
        return blank_to_none({"notice_id": self.notice_id.data, "note": self.note.data})
