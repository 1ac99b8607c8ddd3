"""CSV intake forms (Japanese labels, CSRF): the upload with its kind and the all-or-nothing switch; the bulk
address change upload with its 軽微な修正 category and date; the confirmation of the final run; the output of
its notices."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from handlers.changes.minor_correction import MINOR_CATEGORIES
from handlers.csv_intake.layouts import KIND_LABELS

DATE_HINT = "例：2026-04-01、令和8年4月1日"
BULK_TARGETS = {"address": "住所（世帯番号・変更前住所・変更後住所・変更後郵便番号）",
                "honseki": "本籍（宛名番号・変更前本籍・変更後本籍）"}  # fmt: skip


class UploadForm(FlaskForm):
    file = FileField("CSVファイル", validators=[FileRequired("CSVファイルを選んでください")],
                     description="UTF-8（BOM付き・なし）またはShift_JIS。1行目は様式どおりの見出し")  # fmt: skip
    kind = SelectField("種類", choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    all_or_nothing = BooleanField("1行でも誤りがあればファイル全体を取り込まない（全件または取込なし）")


class BulkUploadForm(FlaskForm):
    file = FileField("CSVファイル", validators=[FileRequired("CSVファイルを選んでください")])
    target = SelectField("変更する項目", choices=[SelectChoice(k, v) for k, v in BULK_TARGETS.items()])
    minor_category = SelectField(
        "軽微な修正の区分",
        choices=[SelectChoice(k, v) for k, v in MINOR_CATEGORIES.items()],
        default="area_renamed",
    )
    change_date = StringField("修正日", validators=[DataRequired("修正日を入力してください"), Length(max=30)],
                              description=DATE_HINT)  # fmt: skip


class ConfirmForm(FlaskForm):
    """The final run of a provisional bulk change (only the CSRF token and the button)."""


class NoticeForm(FlaskForm):
    """The 事前・事後通知 of a bulk change: which of the two (the button pressed)."""

    timing = HiddenField(validators=[AnyOf(("advance", "after"))])
