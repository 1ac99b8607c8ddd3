"""Certificate forms: issuance (clerk), disposal of a spoiled copy, public verification.  Japanese labels."""

from __future__ import annotations

import datetime as dt
import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from handlers.certificates import TYPES, CertificateOptions, CertificateRequest
from handlers.certificates.history_query import IssuanceQuery
from handlers.certificates.options import MAX_COPIES, PURPOSE_MAX, REQUESTER_NAME_MAX
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.rules.disclosure import REQUESTER_KINDS, Identity

OFFICIAL_CHOICES = [
    SelectChoice("auto", "自動（職務代理期間は職務代理者）"),
    SelectChoice("mayor", "市区町村長"),
    SelectChoice("acting", "職務代理者"),
]


def _date(text: str | None) -> dt.date | None:
    """A day typed in 和暦 or 西暦, as every other date field of the counter accepts it."""
    return parse_calendar_date(text) if text and text.strip() else None


class CertificateIssueForm(FlaskForm):
    subjects = StringField(
        "交付対象者（宛名番号、複数は空白区切り）", validators=[DataRequired(), Length(max=400)]
    )
    certificate_type = SelectField(
        "証明書の種別", choices=[SelectChoice(code, t.label) for code, t in TYPES.items()]
    )
    whole_household = BooleanField("世帯全員")
    include_head_relation = BooleanField("世帯主・続柄を記載")
    include_honseki = BooleanField("本籍・筆頭者を記載")
    include_resident_code = BooleanField("住民票コードを記載")
    include_my_number = BooleanField("個人番号を記載")
    include_history = BooleanField("履歴を記載")
    include_special_history = BooleanField("特別養子縁組・性別の変更の履歴も記載（通常は記載しない）")
    include_kana = BooleanField("フリガナを記載")
    include_foreign_items = BooleanField("外国人住民の在留資格等を記載", default=True)
    omit_katagaki = BooleanField("方書を省略（記載事項証明書のみ）")
    official_use = BooleanField("「公用」と表示")
    seal = BooleanField("公印を印字", default=True)
    official = SelectField("認証者", choices=OFFICIAL_CHOICES, default="auto")
    measure_end_date = StringField(
        "支援措置の終了日（支援措置期間終了通知、和暦・西暦）", validators=[Optional()]
    )
    requester_kind = SelectField(
        "請求者の区分",
        choices=[SelectChoice(code, label) for code, label in REQUESTER_KINDS.items()],
        default="self",
    )
    requester_name = StringField("請求者の氏名", validators=[Optional(), Length(max=REQUESTER_NAME_MAX)])
    purpose = StringField("請求事由・使用目的", validators=[Optional(), Length(max=PURPOSE_MAX)])
    copies = IntegerField("通数", default=1, validators=[NumberRange(min=1, max=MAX_COPIES)])
    as_of = StringField("基準日（過去時点で作成する場合、和暦・西暦）", validators=[Optional()])
    overflow_acknowledged = BooleanField("文字溢れを確認しました")

    def to_request(self, terminal: str | None) -> CertificateRequest:
        options = CertificateOptions(
            include_head_relation=self.include_head_relation.data,
            include_honseki=self.include_honseki.data,
            include_resident_code=self.include_resident_code.data,
            include_my_number=self.include_my_number.data,
            include_history=self.include_history.data,
            include_special_history=self.include_special_history.data,
            include_kana=self.include_kana.data,
            include_foreign_items=self.include_foreign_items.data,
            omit_katagaki=self.omit_katagaki.data,
            official_use=self.official_use.data,
            official=self.official.data,
            seal=self.seal.data,
            measure_end_date=_date(self.measure_end_date.data),
        )
        return CertificateRequest(
            certificate_type=self.certificate_type.data,
            subjects=tuple(re.split(r"[\s,、]+", self.subjects.data.strip())),
            whole_household=self.whole_household.data,
            options=options,
            requester_kind=self.requester_kind.data,
            requester=Identity(name=self.requester_name.data or None),
            purpose=self.purpose.data or "",
            copies=self.copies.data or 1,
            terminal=terminal,
            as_of=_date(self.as_of.data),
        )

    def validate_measure_end_date(self, field: StringField) -> None:
        self._check_date(field)

    def validate_as_of(self, field: StringField) -> None:
        self._check_date(field)

    @staticmethod
    def _check_date(field: StringField) -> None:
        from wtforms.validators import ValidationError as FieldError

        try:
            _date(field.data)
        except DateInputError as error:
            raise FieldError(f"{error.reason}。{error.remedy}") from error


class HistoryQueryForm(FlaskForm):
    """交付履歴照会 (j360): the items of the issuance history to narrow by (GET, no CSRF)."""

    class Meta:
        csrf = False

    issued_from = StringField("交付年月日（自、和暦・西暦）", validators=[Optional()])
    issued_to = StringField("交付年月日（至、和暦・西暦）", validators=[Optional()])
    certificate_type = SelectField(
        "証明書の種別", choices=[SelectChoice("", "（すべて）"), *(SelectChoice(c, t.label) for c, t in TYPES.items())],
        validate_choice=False,
    )  # fmt: skip
    place = StringField("交付場所（一部）", validators=[Optional(), Length(max=60)])
    terminal = StringField("端末名", validators=[Optional(), Length(max=60)])
    login_id = StringField("ユーザID", validators=[Optional(), Length(max=60)])
    issue_number = StringField("発行番号", validators=[Optional(), Length(max=120)])
    status = SelectField(
        "処分情報", choices=[SelectChoice("", "（すべて）"), SelectChoice("issued", "交付"), SelectChoice("disposed", "処分済み")],
        validate_choice=False,
    )  # fmt: skip

    def validate_issued_from(self, field: StringField) -> None:
        CertificateIssueForm._check_date(field)

    def validate_issued_to(self, field: StringField) -> None:
        CertificateIssueForm._check_date(field)

    def to_query(self) -> IssuanceQuery:
        return IssuanceQuery(
            issued_from=_date(self.issued_from.data), issued_to=_date(self.issued_to.data),
            certificate_type=self.certificate_type.data or "", place=self.place.data or "",
            terminal=self.terminal.data or "", login_id=self.login_id.data or "",
            issue_number=self.issue_number.data or "", status=self.status.data or "",
        )  # fmt: skip


class DisposeForm(FlaskForm):
    issue_number = StringField("発行番号", validators=[DataRequired(), Length(max=120)])
    reason = StringField("処分理由", validators=[DataRequired(), Length(max=200)])


class VerifyForm(FlaskForm):
    payload = TextAreaField("検証コード（QRコードの内容）", validators=[Optional(), Length(max=2000)])
    pdf = FileField("証明書のPDFファイル")
