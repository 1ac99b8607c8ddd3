"""The destination settings form (Japanese labels).  The secret is write-only: the form never carries the
stored one, and a blank entry keeps it.  ``handlers.destination_settings`` checks everything again."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, InputRequired, Length, Optional, Regexp

from handlers.destination_settings import (
    DISPLAY_NAME_MAX,
    KIND_LABELS,
    SECRET_MIN_LENGTH,
    SUBSCRIPTION_LABELS,
    DestinationView,
)

ABSOLUTE_PATH = r"^/"


class DestinationForm(FlaskForm):
    name = StringField(
        "連携先", validators=[InputRequired("連携先を入力してください。"), Length(max=60)],
        description="cs（CS）・addressee（団体内統合宛名）・koseki_fuhyo（戸籍附票）・municipality:*（他市区町村）・subscriber:tax（宛名連携先）など",
    )  # fmt: skip
    display_name = StringField(
        "表示名（宛名連携先のみ）", validators=[Optional(), Length(max=DISPLAY_NAME_MAX)],
        description="画面に表示する名前。例：介護保険システム（空欄なら連携先の名前から表示します）",
    )  # fmt: skip
    kind = SelectField("送信方式", choices=[SelectChoice(code, label) for code, label in KIND_LABELS.items()])
    url = StringField(
        "送信先URL（JSON・中継）",
        validators=[
            Optional(),
            Length(max=300),
            URL(require_tld=False, message="URLの形式で入力してください。"),
        ],
        description="例：https://atena.example.lg.jp/notices",
    )
    directory = StringField(
        "出力先フォルダ（固定長ファイル）",
        validators=[
            Optional(),
            Length(max=300),
            Regexp(ABSOLUTE_PATH, message="/ で始まる絶対パスを入力してください。"),
        ],
        description="例：/srv/jumin/outbox/koseki_fuhyo",
    )
    new_secret = PasswordField(
        "HMAC鍵（変更するときだけ入力）", validators=[Optional(), Length(min=SECRET_MIN_LENGTH, max=200, message=f"{SECRET_MIN_LENGTH}文字以上で入力してください。")],
        description="設定済みの鍵は表示しません。空欄のままなら変わりません。",
    )  # fmt: skip
    subscription = SelectField(
        "連携方式（宛名連携先のみ）",
        choices=[
            SelectChoice("", "（宛名連携先以外）"),
            *(SelectChoice(k, v) for k, v in SUBSCRIPTION_LABELS.items()),
        ],
    )
    receives_protected = BooleanField("支援措置対象者の住所も送る（宛名連携先）")
    enabled = BooleanField("有効", default=True)

    def fill(self, view: DestinationView) -> None:
        for name in ("name", "display_name", "kind", "url", "directory", "subscription", "enabled",
                     "receives_protected"):  # fmt: skip
            getattr(self, name).data = getattr(view, name)

    def values(self) -> dict[str, Any]:
        return {
            "name": (self.name.data or "").strip(),
            "display_name": (self.display_name.data or "").strip() or None,
            "kind": self.kind.data,
            "url": (self.url.data or "").strip() or None,
            "directory": (self.directory.data or "").strip() or None,
            "new_secret": self.new_secret.data or None,
            "subscription": self.subscription.data or None,
            "receives_protected": bool(self.receives_protected.data),
            "enabled": bool(self.enabled.data),
        }
