"""Forms of the 認証者 settings page (Japanese labels).  Dates are typed in 和暦 or 西暦 as on every form of
the app; ``handlers.certificates.officials`` checks everything else (a name is required, the period's order,
the ward, overlapping periods)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from handlers.certificates.officials import OfficialEntry
from webui.counter.form_support import CalendarDate, DateTextField

KIND_CHOICES = [SelectChoice("mayor", "市区町村長（区長）"), SelectChoice("acting", "職務代理者")]
CITY_WIDE = SelectChoice("", "（区長ではない：市区町村長・その職務代理者）")


class OfficialForm(FlaskForm):
    version = HiddenField()  # the entry as it was shown: a change made meanwhile is refused
    title = StringField(
        "職名", description="都道府県名は付けずに入力します（印字のときに付きます）。例：横浜市長、横浜市長職務代理者 副市長、中区長"
    )  # fmt: skip
    name = StringField("氏名", description="証明書に印字される氏名。空欄にはできません。例：山中 竹春")
    kind = SelectField("区分", choices=KIND_CHOICES, default="mayor",
                       description="職務代理者は、その期間だけ市区町村長（区長）に代わって印字されます")  # fmt: skip
    ward_code = SelectField("区（指定都市の区長のとき）", choices=[CITY_WIDE], validate_choice=False)
    start = DateTextField("開始日（空欄は定めなし）", validators=[Optional(), CalendarDate()],
                          description="和暦または西暦。例：令和3年8月30日、R3.8.30、2021-08-30")  # fmt: skip
    end = DateTextField("終了日（空欄は定めなし）", validators=[Optional(), CalendarDate()],
                        description="認証者として最後に印字される日")  # fmt: skip

    def offer_wards(self, wards: dict[str, str]) -> None:
        self.ward_code.choices = [CITY_WIDE, *(SelectChoice(code, name) for code, name in wards.items())]

    def fill(self, entry: OfficialEntry) -> None:
        self.version.data, self.title.data, self.name.data = entry.version, entry.title, entry.name
        self.kind.data = "acting" if entry.acting else "mayor"
        self.ward_code.data, self.start.data, self.end.data = entry.ward_code, entry.start, entry.end

    def values(self) -> dict[str, Any]:
        return {"title": self.title.data or "", "name": self.name.data or "", "from": self.start.data or "",
                "to": self.end.data or "", "acting": self.kind.data == "acting",
                "ward_code": self.ward_code.data or None}  # fmt: skip


class EndForm(FlaskForm):
    version = HiddenField()
    end = DateTextField("終了日", validators=[CalendarDate()],
                        description="認証者として最後に印字される日。和暦または西暦（例：令和8年3月31日、2026-03-31）")  # fmt: skip


class DeleteForm(FlaskForm):
    version = HiddenField()
