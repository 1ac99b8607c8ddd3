"""The 住民異動届受理通知 form on the case page (j580): who notified, and where the notice goes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from handlers.receipt_notices import ADDRESSEES, NOTIFIER_KINDS, ReceiptNoticeRequest
from handlers.rules.date_input import DateInputError, parse_calendar_date


class ReceiptNoticeForm(FlaskForm):
    notifier_name = StringField("届出人氏名（受付時の記録がない案件のみ）", validators=[Length(max=100)])
    notifier_kind = SelectField(
        "届出人の区分", choices=[SelectChoice(k, v) for k, v in NOTIFIER_KINDS.items()], default="self"
    )
    notifier_birth_date = StringField("届出人の生年月日（任意）", validators=[Optional(), Length(max=20)])
    notifier_atena_number = StringField(
        "届出人の宛名番号（住民の場合、任意）", validators=[Optional(), Length(max=10)]
    )
    addressee = SelectField(
        "宛先", choices=[SelectChoice(k, v) for k, v in ADDRESSEES.items()], default="auto"
    )

    def to_request(self, case_id: int) -> ReceiptNoticeRequest:
        """The handler's request; an unreadable birth date is reported on the field (DateInputError)."""
        birth = self.notifier_birth_date.data or ""
        return ReceiptNoticeRequest(
            case_id=case_id,
            notifier_name=self.notifier_name.data or "",
            notifier_kind=self.notifier_kind.data or "",
            addressee=self.addressee.data or "",
            notifier_birth_date=parse_calendar_date(birth) if birth.strip() else None,
            notifier_atena_number=self.notifier_atena_number.data or None,
        )


__all__ = ["DateInputError", "ReceiptNoticeForm"]
