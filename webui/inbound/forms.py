"""Forms of the inbound-notice pages (Japanese labels; the handlers check the rules again)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from webui.counter.form_support import CalendarDate, DateTextField

DECISIONS = [SelectChoice("accept", "受理する"), SelectChoice("refuse", "受理しない")]


class RelayDecisionForm(FlaskForm):
    """A supervisor's decision on a relay message left for review."""

    decision = RadioField(
        "判断", choices=DECISIONS, validators=[InputRequired("受理するかしないかを選択してください。")]
    )
    reason = TextAreaField("理由（受理しないときは必須）", validators=[Optional(), Length(max=400)])
    atena_number = StringField(
        "対象者の宛名番号（住民票コードで見つからなかった通知を受理するとき）",
        validators=[Optional(), Length(max=10)],
    )


class CertificateSearchForm(FlaskForm):
    """転出証明書情報の照会: by 住民票コード, or by name and birth date (a GET search: no CSRF token)."""

    class Meta:
        csrf = False

    resident_code = StringField("住民票コード", validators=[Optional(), Length(max=11)])
    name = StringField("氏名（一部でも可）", validators=[Optional(), Length(max=100)])
    birth_date = DateTextField(
        "生年月日", validators=[Optional(), CalendarDate()], description="例：昭和55年4月1日、1980-04-01"
    )

    def searched(self) -> bool:
        return bool(self.resident_code.data or self.name.data)


class RefuseNoticeForm(FlaskForm):
    reason = TextAreaField(
        "取込不可の理由", validators=[InputRequired("理由を入力してください。"), Length(max=400)]
    )


class ApplyNoticeForm(FlaskForm):
    """反映: confirming the before/after opens the 戸籍通知 case (CSRF only)."""
