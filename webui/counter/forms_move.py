"""Intake forms of the address changes: 転入 (family as a list of persons, new or existing household), 転居 and
転出.  Labels and messages are Japanese; ``to_intake`` turns the form into the change type's intake."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, FormField, HiddenField, SelectField, StringField, SubmitField
from wtforms.fields import FieldList
from wtforms.validators import InputRequired, Length, Optional

from webui.counter.foreign_items import SEIREKI, ForeignItemsForm
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
from webui.counter.forms_origin import NotifierMixin, OriginMixin

REQUIRED = "入力してください。"
CHOOSE = "選択してください。"  # a required choice (性別, 続柄 …)
MOVE_IN_KINDS = [
    ("domestic", "国内転入（転出証明書あり）"),
    ("abroad", "国外転入等"),
    ("special", "特例転入"),
    ("unnotified", "未届転入"),
]
DESTINATION_KINDS = [
    ("keep", "世帯全員で転居（世帯はそのまま）"),
    ("new", "一部の人が新しい世帯をつくる"),
    ("existing", "転居先の既存の世帯に加わる"),
]


class DatesMixin:
    change_date = DateTextField(
        "異動日（和暦・西暦）", validators=[InputRequired(REQUIRED), CalendarDate()],
        description="例：令和7年4月1日、R7.4.1、2025-04-01",
    )  # fmt: skip
    notified_date = DateTextField(
        "届出日（空欄は今日）", validators=[Optional(), CalendarDate()], description="例：令和7年4月10日"
    )


class AddressMixin:
    postal_code = StringField("郵便番号", validators=[Optional(), Length(max=8)], description="例：231-0017")
    address = StringField("住所", validators=[InputRequired(REQUIRED), Length(max=200)])
    address_code = StringField(
        "住所コード（住所辞書から）", validators=[Optional(), Length(max=11)],
        description="郵便番号・住所カナ入力・一覧からの選択で住所辞書の住所を入れると入ります",
    )  # fmt: skip
    address_katagaki = StringField("方書", validators=[Optional(), Length(max=200)])

    def address_items(self) -> dict[str, Any]:
        return blank_to_none(
            {
                "postal_code": self.postal_code.data,
                "address": self.address.data,
                "address_code": self.address_code.data,
                "address_katagaki": self.address_katagaki.data,
            }
        )


KIND_CHOICES = choices([("japanese", "日本人"), ("foreign", "外国人")])
JAPANESE_ONLY = (
    "honseki",
    "hittosha",
    "former_surname",
    "former_surname_kana",
    "former_surname_kana_confirmed",
)
FOREIGN_ONLY = (
    "name_alphabet",
    "alias",
    "alias_kana",
    "alias_kana_confirmed",
    "foreign_resident_date",
    "foreign",
)


class MemberForm(Form):
    """One person moving in (転入者): a Japanese resident, or a foreign one with the name in alphabet and the
    art. 30-45 category items (日本人と外国人の区別, j550)."""

    resident_kind = SelectField("住民の種別", choices=KIND_CHOICES, default="japanese")
    family_name = StringField("氏", validators=[InputRequired(REQUIRED), Length(max=100)])
    given_name = StringField("名", validators=[InputRequired(REQUIRED), Length(max=100)])
    family_name_kana = StringField("氏（フリガナ）", validators=[InputRequired(REQUIRED), Length(max=100)])
    given_name_kana = StringField("名（フリガナ）", validators=[InputRequired(REQUIRED), Length(max=100)])
    name_kana_confirmed = BooleanField("氏名のフリガナを本人に確認した")
    birth_date = StringField(
        "生年月日（和暦・西暦）", validators=[InputRequired(REQUIRED), Length(max=40)], description="例：昭和55年4月1日"
    )  # fmt: skip
    sex = SelectField("性別", choices=SEX_CHOICES, validators=[InputRequired(CHOOSE)])
    relation_to_head = SelectField(
        "世帯主との続柄", choices=RELATION_CHOICES, validators=[InputRequired(CHOOSE)]
    )
    honseki = StringField(
        "本籍（日本人）", validators=[Optional(), Length(max=200)], description="なし・不明も可"
    )
    hittosha = StringField("筆頭者（日本人）", validators=[Optional(), Length(max=100)])
    former_surname = StringField(
        "旧氏（日本人・転出証明書に記載がある場合）", validators=[Optional(), Length(max=100)]
    )
    former_surname_kana = StringField("旧氏（フリガナ）", validators=[Optional(), Length(max=100)])
    former_surname_kana_confirmed = BooleanField("旧氏のフリガナを本人に確認した")
    my_number = StringField("個人番号", validators=[Optional(), Length(max=20)])
    resident_code = StringField("住民票コード（空欄は新規付番）", validators=[Optional(), Length(max=20)])
    re_move_in_of = StringField(
        "再転入の場合：除票の宛名番号", validators=[Optional(), Length(max=10)],
        description="本人の履歴の本籍（合併で現存しない市町村を除く）を本籍の候補に表示します",
    )  # fmt: skip
    name_alphabet = StringField(
        "氏名（アルファベット・外国人）",
        validators=[Optional(), Length(max=200)],
        description="例：SMITH JOHN",
    )
    alias = StringField(
        "通称（外国人・転出証明書に記載がある場合）", validators=[Optional(), Length(max=200)]
    )
    alias_kana = StringField("通称（フリガナ）", validators=[Optional(), Length(max=200)])
    alias_kana_confirmed = BooleanField("通称のフリガナを本人に確認した")
    foreign_resident_date = DateTextField(
        "外国人住民となった年月日（外国人・空欄は異動日）", validators=[Optional(), CalendarDate()],
        description=SEIREKI,
        western=True,
    )  # fmt: skip
    foreign = FormField(ForeignItemsForm, label="国籍・在留資格等（外国人のみ）")

    def validate(self, extra_validators: Any = None) -> bool:
        if self.resident_kind.data == "foreign":  # a foreign resident may have no name in kanji
            self.family_name.validators = [Optional(), Length(max=100)]
            self.given_name.validators = [Optional(), Length(max=100)]
            self.name_alphabet.validators = [InputRequired(REQUIRED), Length(max=200)]
        return bool(super().validate(extra_validators))

    def items(self) -> dict[str, Any]:
        kind = "foreign" if self.resident_kind.data == "foreign" else "japanese"
        skipped = JAPANESE_ONLY if kind == "foreign" else FOREIGN_ONLY
        values = blank_to_none(
            {n: f.data for n, f in self._fields.items() if n not in (*skipped, "foreign", "resident_kind")}
        )
        if kind == "foreign":
            values.update(self.foreign.form.items())
        return {**values, "resident_kind": kind}


def fill_members(members: FieldList, entered: list[Any]) -> None:
    """Each person's earlier values into the rows of ``members`` (the nested 国籍・在留資格等 too)."""
    people = [m for m in entered if isinstance(m, dict)]
    while len(members.entries) < len(people):
        members.append_entry()
    for entry, person in zip(members.entries, people, strict=False):
        for name, field in entry.form._fields.items():
            if isinstance(field, FormField):
                for sub_name, sub in field.form._fields.items():
                    sub.data = person.get(sub_name) or ""
            elif name == "resident_kind":
                field.data = person.get(name) or "japanese"
            else:
                field.data = person.get(name) or ""


class MoveInForm(DatesMixin, AddressMixin, OriginMixin, NotifierMixin, FlaskForm):
    kind = SelectField("転入の種類", choices=choices(MOVE_IN_KINDS), default="domestic")
    join_existing = BooleanField("既存の世帯に加わる（世帯番号を指定）")
    household_number = StringField("加わる世帯の世帯番号", validators=[Optional(), Length(max=20)])
    former_postal_code = StringField("転入前郵便番号", validators=[Optional(), Length(max=8)])
    former_address = StringField("転入前住所", validators=[Optional(), Length(max=200)])
    former_municipality_code = StringField(
        "転入前の市区町村コード（6桁）",
        validators=[Optional(), Length(max=6)],
        description="例：202177（佐久市）",
    )
    planned_move_out_date = DateTextField(
        "転出予定年月日（転出証明書）", validators=[Optional(), CalendarDate()]
    )
    unnotified_address = StringField("未届の住所（未届転入のみ）", validators=[Optional(), Length(max=200)])
    note = StringField("備考", validators=[Optional(), Length(max=400)])
    relay_inbox_id = HiddenField()  # the 転出証明書情報 a 特例転入 was prefilled from (used once, at 本登録)
    members = FieldList(FormField(MemberForm), label="転入者", min_entries=1, max_entries=12)
    add_member = SubmitField("転入者を1人追加")
    remove_member = SubmitField("最後の転入者を削除")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.join_existing.data:
            self.address.flags.required = True

    def validate(self, extra_validators: Any = None) -> bool:
        if self.join_existing.data:  # the household's address is the existing one's
            self.address.validators = [Optional()]
        return bool(super().validate(extra_validators))

    def to_intake(self) -> dict[str, Any]:
        intake: dict[str, Any] = {
            "kind": self.kind.data,
            "change_date": self.change_date.data,
            "notified_date": self.notified_date.data or None,
            "members": [entry.form.items() for entry in self.members.entries],
            "note": self.note.data or None,
            **self.origin_items(),
            **self.notifier_items(),
        }
        if self.join_existing.data:
            intake["household_number"] = (self.household_number.data or "").strip()
        else:
            intake["household"] = self.address_items()
        former = blank_to_none(
            {"address": self.former_address.data, "postal_code": self.former_postal_code.data,
             "municipality_code": self.former_municipality_code.data}
        )  # fmt: skip
        if former:
            intake["former_address"] = former
        certificate = blank_to_none(
            {
                "planned_move_out_date": self.planned_move_out_date.data,
                "relay_inbox_id": self.relay_inbox_id.data,
            }
        )
        if certificate:
            intake["move_out_certificate"] = certificate
        if self.kind.data == "unnotified":
            intake["unnotified_address"] = self.unnotified_address.data
        return intake

    def fill(self, intake: dict[str, Any]) -> None:
        """Show an earlier intake again (再入力 after a rejection)."""
        household = intake.get("household") or {}
        former = intake.get("former_address") or {}
        for name, value in {
            "kind": intake.get("kind"), "change_date": intake.get("change_date"),
            "notified_date": intake.get("notified_date"), "note": intake.get("note"),
            "household_number": intake.get("household_number"), "join_existing": bool(intake.get("household_number")),
            "postal_code": household.get("postal_code"), "address": household.get("address"),
            "address_code": household.get("address_code"),
            "address_katagaki": household.get("address_katagaki"), "former_address": former.get("address"),
            "former_postal_code": former.get("postal_code"),
            "former_municipality_code": former.get("municipality_code"),
            "planned_move_out_date": (intake.get("move_out_certificate") or {}).get("planned_move_out_date"),
            "relay_inbox_id": str((intake.get("move_out_certificate") or {}).get("relay_inbox_id") or ""),
            "unnotified_address": intake.get("unnotified_address"),
        }.items():  # fmt: skip
            getattr(self, name).data = value or ("" if name != "join_existing" else False)
        fill_members(self.members, intake.get("members") or [])
        self.fill_origin(intake)
        self.fill_notifier(intake)


class MoveWithinForm(DatesMixin, AddressMixin, OriginMixin, NotifierMixin, FlaskForm):
    atena_numbers = StringField(
        "転居する人の宛名番号", validators=[InputRequired(REQUIRED)], description="空白・読点区切りで複数可"
    )
    destination_kind = SelectField("転居後の世帯", choices=choices(DESTINATION_KINDS), default="keep")
    household_number = StringField("加わる世帯の世帯番号（既存の世帯に加わる場合）", validators=[Optional()])
    load_relations = SubmitField("世帯員を表示して続柄を入力")
    relations = FieldList(FormField(RelationRowForm), label="続柄", min_entries=0, max_entries=30)
    note = StringField("備考", validators=[Optional(), Length(max=400)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_relation_rows(self.relations)

    def relation_people(self) -> tuple[list[str], list[str]]:
        """(movers, households) whose members get a 続柄 row."""
        existing = self.destination_kind.data == "existing"
        return atena_list(self.atena_numbers.data), atena_list(self.household_number.data) if existing else []

    def fill(self, intake: dict[str, Any]) -> None:
        """Show an earlier intake again (再入力); the 続柄 rows are filled by the page from the register."""
        address = intake.get("address") or {}
        destination = intake.get("destination") or {}
        for name, value in {
            "atena_numbers": " ".join(intake.get("atena_numbers") or []), "change_date": intake.get("change_date"),
            "notified_date": intake.get("notified_date"), "note": intake.get("note"),
            "postal_code": address.get("postal_code"), "address": address.get("address"),
            "address_code": address.get("address_code"), "address_katagaki": address.get("address_katagaki"),
            "destination_kind": destination.get("kind") or "keep",
            "household_number": destination.get("household_number"),
        }.items():  # fmt: skip
            getattr(self, name).data = value or ""
        self.fill_origin(intake)
        self.fill_notifier(intake)

    def to_intake(self) -> dict[str, Any]:
        relations = relations_of(self.relations)
        return {
            "atena_numbers": atena_list(self.atena_numbers.data),
            "change_date": self.change_date.data,
            "notified_date": self.notified_date.data or None,
            "address": self.address_items(),
            "destination": blank_to_none(
                {"kind": self.destination_kind.data, "household_number": self.household_number.data}
            )
            | ({"relations": relations} if relations else {}),
            "note": self.note.data or None,
            **self.origin_items(),
            **self.notifier_items(),
        }


class MoveOutForm(OriginMixin, NotifierMixin, FlaskForm):
    atena_numbers = StringField(
        "転出する人の宛名番号", validators=[InputRequired(REQUIRED)], description="空白・読点区切りで複数可"
    )
    change_date = DateTextField(
        "転出予定日（または転出した日）", validators=[InputRequired(REQUIRED), CalendarDate()],
        description="未来の日付も可。例：令和7年5月1日",
    )  # fmt: skip
    notified_date = DateTextField("届出日（空欄は今日）", validators=[Optional(), CalendarDate()])
    abroad = BooleanField("国外へ転出")
    municipality_code = StringField(
        "転出先の市区町村",
        validators=[Optional(), Length(max=40)],
        description="コード（6桁）または候補から選択",
    )
    postal_code = StringField("転出先の郵便番号", validators=[Optional(), Length(max=8)])
    address = StringField("転出先の住所", validators=[Optional(), Length(max=200)])
    country = StringField("転出先の国（国外転出）", validators=[Optional(), Length(max=60)])
    special_move_out = BooleanField("特例転出（マイナンバーカードによる）")
    note = StringField("備考", validators=[Optional(), Length(max=400)])

    def to_intake(self) -> dict[str, Any]:
        code = (self.municipality_code.data or "").strip().split(" ", 1)[0]
        destination = blank_to_none(
            {"municipality_code": code, "address": self.address.data, "postal_code": self.postal_code.data,
             "country": self.country.data}
        )  # fmt: skip
        destination["abroad"] = bool(self.abroad.data)
        return {
            "atena_numbers": atena_list(self.atena_numbers.data),
            "change_date": self.change_date.data,
            "notified_date": self.notified_date.data or None,
            "destination": destination,
            "special_move_out": bool(self.special_move_out.data),
            "note": self.note.data or None,
            **self.origin_items(),
            **self.notifier_items(),
        }

    def fill(self, intake: dict[str, Any]) -> None:
        """Show an earlier intake again (再入力 after a rejection), the destination included."""
        fill_flat(self, intake)
        fill_flat(self, intake.get("destination") or {})
        self.fill_origin(intake)
        self.fill_notifier(intake)
