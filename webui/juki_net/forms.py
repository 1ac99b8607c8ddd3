"""Forms of the 住基ネット CS pages (Japanese labels; the handlers check the rules again)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

TRIGGER_CHOICES = [
    SelectChoice("", "すべて"),
    SelectChoice("change", "異動"),
    SelectChoice("cs_request", "CS更新対象者"),
    SelectChoice("residence", "居所の設定"),
]


class CodeRequestForm(FlaskForm):
    """符号取得要求: the person by 宛名番号."""

    atena_number = StringField(
        "宛名番号",
        validators=[
            InputRequired("宛名番号を入力してください。"),
            Length(max=10, message="宛名番号は10桁です。"),
        ],
    )


class CardHistorySearchForm(FlaskForm):
    """送付先情報の送信履歴の検索 (a GET search: no CSRF token)."""

    class Meta:
        csrf = False

    atena_number = StringField(
        "宛名番号", validators=[Optional(), Length(max=10, message="宛名番号は10桁です。")]
    )
    date_from = DateField("作成日（から）", validators=[Optional()])
    date_to = DateField("作成日（まで）", validators=[Optional()])
    trigger = SelectField("作成の契機", choices=TRIGGER_CHOICES, validators=[Optional()])


class MailingResidenceForm(FlaskForm):
    """番号通知書類の送付先とする居所."""

    atena_number = StringField(
        "宛名番号", validators=[InputRequired("宛名番号を入力してください。"), Length(max=10)]
    )
    address = StringField("居所", validators=[InputRequired("居所を入力してください。"), Length(max=200)])
    address_katagaki = StringField("方書", validators=[Optional(), Length(max=200)])
    postal_code = StringField("郵便番号", validators=[Optional(), Length(max=8)])
    reason = TextAreaField("理由", validators=[InputRequired("理由を入力してください。"), Length(max=400)])


class EndResidenceForm(FlaskForm):
    """番号通知書類の送付先とする居所の終了."""

    atena_number = StringField(
        "宛名番号", validators=[InputRequired("宛名番号を入力してください。"), Length(max=10)]
    )


class SerialRequestForm(FlaskForm):
    """利用者証明用電子証明書のシリアル番号の取得要求: the person by 宛名番号."""

    atena_number = StringField(
        "宛名番号",
        validators=[
            InputRequired("宛名番号を入力してください。"),
            Length(max=10, message="宛名番号は10桁です。"),
        ],
    )
