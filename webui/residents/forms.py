"""The resident search form (Japanese labels; GET, so no CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from handlers.residents.search import ResidentQuery
from handlers.residents.search_conditions import BLANK_ITEMS, REMOVAL_REASONS
from handlers.residents.search_wards import SearchWards
from webui.auth.forms import MultiCheckboxField


def _text(label: str, length: int = 100) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=length)])


class ResidentSearchForm(FlaskForm):
    """基本検索 (j320–j340).  The items are grouped as the page shows them (``GROUPS``); in a designated city the
    区 starts at the operator's own ward (``offer_wards``), elsewhere there is no 区."""

    class Meta:
        csrf = False  # a search changes nothing and is sent with GET

    kana = _text("カナ氏名")
    given_kana = _text("カナ名（名のみ）")
    name = _text("漢字氏名・英字氏名・通称")
    former_surname = _text("旧氏")
    former_surname_kana = _text("旧氏カナ")
    alias_kana = _text("通称カナ")
    birth_date = _text("生年月日（和暦/西暦可）", 30)
    sex = SelectField(
        "性別",
        choices=[SelectChoice("", "指定なし"), SelectChoice("1", "男"), SelectChoice("2", "女")],
        default="",
    )
    relation_to_head = _text("続柄（一部でも可）", 40)
    address = _text("住所（方書を含む）", 200)
    address_code = _text("住所コード（先頭から）", 20)
    ward_code = SelectField("区", choices=[SelectChoice("", "全区")], default="")
    atena_number = _text("宛名番号", 20)
    household_number = _text("世帯番号", 20)
    my_number = _text("個人番号", 20)
    resident_code = _text("住民票コード", 20)
    residence_card_number = _text("在留カード番号", 20)
    special_permanent_certificate_number = _text("特別永住者証明書番号", 20)
    blank = MultiCheckboxField(
        "データ未入力の項目で検索",
        choices=[SelectChoice(item, f"{label}が未入力") for item, (label, _clause) in BLANK_ITEMS.items()],
    )
    removal_reason = SelectField(
        "消除事由（除票を検索）",
        choices=[
            SelectChoice("", "指定なし"),
            *(SelectChoice(c, label) for c, label in REMOVAL_REASONS.items()),
        ],
        default="",
    )
    include_removed = BooleanField("除票も含める")
    include_past = BooleanField("過去の氏名・住所も検索する", default=True)
    after = HiddenField(validators=[Optional(), Length(max=200)])  # the next page's cursor

    GROUPS = (
        ("氏名", ("kana", "given_kana", "name", "former_surname", "former_surname_kana", "alias_kana")),
        ("生年月日・性別・続柄", ("birth_date", "sex", "relation_to_head")),
        ("住所", ("ward_code", "address", "address_code")),
        ("番号", ("atena_number", "household_number", "my_number", "resident_code", "residence_card_number",
                  "special_permanent_certificate_number")),
        ("除票・過去の記録", ("removal_reason", "include_removed", "include_past")),
    )  # fmt: skip
    FLAGS = ("blank", "include_removed", "include_past")

    def offer_wards(self, wards: SearchWards, submitted: bool) -> None:
        """The city's wards, the operator's ward selected until the clerk chooses; no 区 outside designated
        cities."""
        if not wards.wards:
            del self.ward_code
            return
        self.ward_code.choices = [
            SelectChoice("", "全区"),
            *(SelectChoice(c, n) for c, n in wards.wards.items()),
        ]
        if not submitted:
            self.ward_code.data = wards.default or ""

    def to_query(self) -> ResidentQuery:
        values: dict[str, Any] = {
            name: (field.data or None) for name, field in self._fields.items() if name not in self.FLAGS
        }
        return ResidentQuery(
            **values,
            blank=frozenset(self.blank.data or ()),
            include_removed=bool(self.include_removed.data),
            include_past=bool(self.include_past.data),
        )


class OtherSystemInquiryForm(FlaskForm):
    """他業務照会 (j1180): ask every configured other system, or the one chosen, for the person's latest
    registration.  POST with a CSRF token."""

    system = StringField("照会先", validators=[Optional(), Length(max=24)])
