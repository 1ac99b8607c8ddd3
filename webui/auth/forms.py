"""Forms of the sign-in pages and of user administration (labels and messages in Japanese)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from handlers.errors import ValidationError
from handlers.permissions import STAFF_ROLES
from handlers.user_admin import HIDEABLE_ITEM_NAMES, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in STAFF_ROLES.items()]


def _hidden_item_choices() -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in HIDEABLE_ITEM_NAMES.items()]


class LoginForm(FlaskForm):
    login_id = StringField(
        "ログインID",
        validators=[
            InputRequired(message="ログインIDを入力してください。"),
            Length(max=60, message="ログインIDは60文字以内で入力してください。"),
        ],
    )
    password = PasswordField(
        "パスワード",
        validators=[
            InputRequired(message="パスワードを入力してください。"),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=f"パスワードは{MAX_PASSWORD_LENGTH}文字以内で入力してください。",
            ),
        ],
    )


class CodeForm(FlaskForm):
    code = StringField(
        "確認コード",
        validators=[
            InputRequired(message="確認コードを入力してください。"),
            Regexp(r"^\s*[0-9０-９]{6}\s*$", message="確認コードは6桁の数字で入力してください。"),
        ],
    )


class UserCreateForm(FlaskForm):
    login_id = StringField(
        "ログインID",
        validators=[
            InputRequired(message="ログインIDを入力してください。"),
            Length(max=60, message="ログインIDは60文字以内で入力してください。"),
        ],
    )
    display_name = StringField(
        "氏名",
        validators=[
            InputRequired(message="氏名を入力してください。"),
            Length(max=60, message="氏名は60文字以内で入力してください。"),
        ],
    )
    password = PasswordField(
        "初期パスワード",
        validators=[
            InputRequired(message="初期パスワードを入力してください。"),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=f"初期パスワードは{MIN_PASSWORD_LENGTH}文字以上で入力してください。",
            ),
        ],
    )
    ward_code = StringField("所属区（区コード）", validators=[Optional(), Length(max=6)])
    roles = MultiCheckboxField(
        "権限", choices=_role_choices(), validators=[InputRequired(message="権限を1つ以上選択してください。")]
    )
    hidden_items = MultiCheckboxField("非表示にする項目", choices=_hidden_item_choices())


class UserEditForm(FlaskForm):
    roles = MultiCheckboxField(
        "権限", choices=_role_choices(), validators=[InputRequired(message="権限を1つ以上選択してください。")]
    )
    hidden_items = MultiCheckboxField("非表示にする項目", choices=_hidden_item_choices())


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        "新しい初期パスワード",
        validators=[
            InputRequired(message="新しい初期パスワードを入力してください。"),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=f"パスワードは{MIN_PASSWORD_LENGTH}文字以上で入力してください。",
            ),
        ],
    )


class ConfirmForm(FlaskForm):
    """A button-only form (unlock, reset): carries the CSRF token."""


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "現在のパスワード", validators=[InputRequired(message="現在のパスワードを入力してください。")]
    )
    new_password = PasswordField(
        "新しいパスワード",
        validators=[
            InputRequired(message="新しいパスワードを入力してください。"),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=f"パスワードは{MIN_PASSWORD_LENGTH}文字以上で入力してください。",
            ),
        ],
    )
    new_password_confirm = PasswordField(
        "新しいパスワード（確認）",
        validators=[
            EqualTo("new_password", message="確認のため、新しいパスワードと同じものを入力してください。")
        ],
    )


def attach_problems(form: FlaskForm, err: ValidationError) -> None:
    """Show the handler's problems beside the fields they are about (or at the top if no such field)."""
    for problem in err.problems:
        field = form._fields.get(problem.field)
        text = f"{problem.reason}。{problem.remedy}。"
        if field is not None:
            field.errors = [*field.errors, text]
        else:
            form.form_errors.append(problem.message)
