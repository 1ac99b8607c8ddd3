"""Intake forms of the foreign residents' changes: 法第30条の46転入, 法第30条の47届出, 帰化・国籍取得 and 国籍喪失,
and the items of the art. 30-45 category (区分 with its 在留資格, 在留期間, 満了日, 在留カード番号 / 特別永住者証明書番号,
上陸期間, 仮滞在期間) that the 転入 form's members use too.  Dates of foreign residents are shown in 西暦 (j20); they
may be typed in 西暦 or 和暦."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, FormField, SelectField, StringField, SubmitField
from wtforms.fields import FieldList
from wtforms.validators import InputRequired, Length, Optional

from webui.counter.foreign_items import SEIREKI, ForeignItemsForm
from webui.counter.form_support import (
    RELATION_CHOICES,
    SEX_CHOICES,
    CalendarDate,
    DateTextField,
    blank_to_none,
    fill_flat,
)
from webui.counter.forms_move import CHOOSE, REQUIRED, AddressMixin, DatesMixin, fill_members


class ForeignMemberForm(Form):
    """One foreign resident: the name in alphabet first, the kana reading, and the category items."""

    name_alphabet = StringField(
        "氏名（アルファベット）",
        validators=[InputRequired(REQUIRED), Length(max=200)],
        description="例：SMITH JOHN",
    )
    family_name = StringField("漢字氏名の氏（ある場合）", validators=[Optional(), Length(max=100)])
    given_name = StringField("漢字氏名の名（ある場合）", validators=[Optional(), Length(max=100)])
    family_name_kana = StringField("氏（フリガナ）", validators=[InputRequired(REQUIRED), Length(max=100)])
    given_name_kana = StringField("名（フリガナ）", validators=[InputRequired(REQUIRED), Length(max=100)])
    birth_date = StringField(
        "生年月日",
        validators=[InputRequired(REQUIRED), Length(max=40)],
        description="西暦で入力（例：1990-07-15）",
    )
    sex = SelectField("性別", choices=SEX_CHOICES, validators=[InputRequired(CHOOSE)])
    relation_to_head = SelectField(
        "世帯主との続柄", choices=RELATION_CHOICES, validators=[InputRequired(CHOOSE)]
    )
    my_number = StringField("個人番号", validators=[Optional(), Length(max=20)])
    resident_code = StringField("住民票コード（空欄は新規付番）", validators=[Optional(), Length(max=20)])
    foreign_resident_date = DateTextField(
        "外国人住民となった年月日（空欄は異動日）",
        validators=[Optional(), CalendarDate()],
        description=SEIREKI,
        western=True,
    )
    foreign = FormField(ForeignItemsForm, label="国籍・在留資格等")

    def items(self) -> dict[str, Any]:
        values = blank_to_none({n: f.data for n, f in self._fields.items() if n != "foreign"})
        return {**values, **self.foreign.form.items(), "resident_kind": "foreign"}


class ForeignArrivalForm(DatesMixin, AddressMixin, FlaskForm):
    """法第30条の46転入: a new household of foreign residents arriving from abroad (転入前住所 may be blank)."""

    members = FieldList(FormField(ForeignMemberForm), label="外国人住民", min_entries=1, max_entries=12)
    add_member = SubmitField("外国人住民を1人追加")
    remove_member = SubmitField("最後の外国人住民を削除")
    note = StringField("備考", validators=[Optional(), Length(max=400)])

    def arrival_intake(self) -> dict[str, Any]:
        return {
            "change_date": self.change_date.data,
            "notified_date": self.notified_date.data or None,
            "household": self.address_items(),
            "members": [entry.form.items() for entry in self.members.entries],
            "note": self.note.data or None,
        }

    def to_intake(self) -> dict[str, Any]:
        return self.arrival_intake()

    def fill(self, intake: dict[str, Any]) -> None:
        """Show an earlier intake again (再入力 after a rejection)."""
        household = intake.get("household") or {}
        for name in ("change_date", "notified_date", "note"):
            getattr(self, name).data = intake.get(name) or ""
        for name in ("postal_code", "address", "address_code", "address_katagaki"):
            getattr(self, name).data = household.get(name) or ""
        fill_members(self.members, intake.get("members") or [])


class ForeignStatusAcquiredForm(ForeignArrivalForm):
    """法第30条の47届出: a person living here becomes a covered foreign resident.  With a 宛名番号 (a 経過滞在者
    already recorded) the category items of the first person amend that record; without one, a new household."""

    atena_number = StringField(
        "宛名番号（経過滞在者として記録済みの場合のみ）", validators=[Optional(), Length(max=20)],
        description="入力した場合は、1人目の国籍・在留資格等でその方の記録を修正します",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if (self.atena_number.data or "").strip():  # amending: no household, the person is on the register
            self.address.validators = [Optional()]
            for entry in self.members.entries:
                for name in ("name_alphabet", "family_name_kana", "given_name_kana", "birth_date", "sex",
                             "relation_to_head"):  # fmt: skip
                    entry.form[name].validators = [Optional()]

    def to_intake(self) -> dict[str, Any]:
        number = (self.atena_number.data or "").strip()
        if not number:
            return self.arrival_intake()
        first = self.members.entries[0].form.foreign.form.items()
        return {
            "atena_number": number, "change_date": self.change_date.data,
            "notified_date": self.notified_date.data or None, "note": self.note.data or None,
            **{k: v for k, v in first.items() if k not in ("nationality", "foreign_resident_date")},
        }  # fmt: skip


class NaturalizationForm(DatesMixin, FlaskForm):
    """帰化・国籍取得: the foreign resident's 宛名番号 and the Japanese items from the 戸籍 notice."""

    atena_number = StringField("宛名番号（外国人住民）", validators=[InputRequired(REQUIRED)])
    family_name = StringField("氏（戸籍の漢字）", validators=[InputRequired(REQUIRED), Length(max=100)])
    given_name = StringField("名（戸籍の漢字）", validators=[Optional(), Length(max=100)])
    family_name_kana = StringField("氏（フリガナ）", validators=[InputRequired(REQUIRED), Length(max=100)])
    given_name_kana = StringField("名（フリガナ）", validators=[Optional(), Length(max=100)])
    name_kana_confirmed = BooleanField("フリガナを本人に確認した")
    honseki = StringField("本籍", validators=[InputRequired(REQUIRED), Length(max=200)])
    hittosha = StringField("筆頭者", validators=[Optional(), Length(max=100)])
    note = StringField("備考", validators=[Optional(), Length(max=400)])

    def to_intake(self) -> dict[str, Any]:
        values = blank_to_none({n: f.data for n, f in self._fields.items() if n != "csrf_token"})
        values["name_kana_confirmed"] = bool(self.name_kana_confirmed.data)
        return values


class NationalityLossForm(DatesMixin, FlaskForm):
    """国籍喪失: the Japanese resident's 宛名番号, the name in alphabet, the nationality and (when a status was
    already granted) the category with its items; otherwise the person is a 国籍喪失による経過滞在者."""

    atena_number = StringField("宛名番号（日本人住民）", validators=[InputRequired(REQUIRED)])
    name_alphabet = StringField("氏名（アルファベット）", validators=[Optional(), Length(max=200)])
    foreign = FormField(ForeignItemsForm, label="国籍・在留資格等（区分が空欄なら国籍喪失による経過滞在者）")
    note = StringField("備考", validators=[Optional(), Length(max=400)])

    def to_intake(self) -> dict[str, Any]:
        items = {k: v for k, v in self.foreign.form.items().items() if k != "foreign_resident_date"}
        return {
            **blank_to_none({"atena_number": self.atena_number.data, "change_date": self.change_date.data,
                             "notified_date": self.notified_date.data, "name_alphabet": self.name_alphabet.data,
                             "note": self.note.data}),
            **items,
        }  # fmt: skip

    def fill(self, intake: dict[str, Any]) -> None:
        """Show an earlier intake again (再入力 after a rejection), the 国籍・在留資格等 included."""
        fill_flat(self, intake)
        fill_flat(self.foreign.form, intake)
