"""User administration pages (/admin/users) for the administrator role (admin.users).  Thin: every rule and
the audit are in ``handlers.user_admin``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from handlers import user_admin
from handlers.auth import is_locked
from handlers.errors import ValidationError
from handlers.permissions import ROLES
from webui.auth.forms import ConfirmForm, PasswordResetForm, UserCreateForm, UserEditForm, attach_problems
from webui.security import permission_required
from webui.uow import web_uow

bp = Blueprint("user_admin", __name__, url_prefix="/admin/users", template_folder="templates")


@bp.route("")
@permission_required("admin.users")
def index() -> str:
    with web_uow() as uow:
        users = user_admin.list_users(uow)
    now = dt.datetime.now(dt.UTC)
    rows = [(user, is_locked(user, now)) for user in users]
    return render_template("auth/admin_users.html", rows=rows, roles=ROLES, action_form=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
@permission_required("admin.users")
def create() -> Response | tuple[str, int]:
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            with web_uow() as uow:
                user = user_admin.create_user(
                    uow,
                    login_id=form.login_id.data or "",
                    display_name=form.display_name.data or "",
                    password=form.password.data or "",
                    roles=form.roles.data or [],
                    ward_code=form.ward_code.data,
                    hidden_items=form.hidden_items.data or [],
                )
        except ValidationError as err:
            attach_problems(form, err)
            return render_template("auth/admin_user_new.html", form=form), 422
        flash(f"利用者「{user.login_id}」を登録しました。初回ログイン時に二要素認証を登録します。", "info")
        return redirect(url_for("user_admin.edit", user_id=user.id))
    return render_template("auth/admin_user_new.html", form=form), 422 if form.errors else 200


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@permission_required("admin.users")
def edit(user_id: int) -> Response | tuple[str, int]:
    with web_uow() as uow:
        user = user_admin.get_user(uow, user_id)
    form = UserEditForm(data={"roles": list(user.roles or []), "hidden_items": _hidden_of(user)})
    if form.validate_on_submit():
        try:
            with web_uow() as uow:
                user_admin.update_user_roles(uow, user_id, form.roles.data or [])
                user = user_admin.set_hidden_items(uow, user_id, form.hidden_items.data or [])
        except ValidationError as err:
            attach_problems(form, err)
        else:
            flash("権限と非表示項目を変更しました。", "info")
            return redirect(url_for("user_admin.edit", user_id=user_id))
    return _edit_page(user, form, PasswordResetForm(formdata=None))


@bp.route("/<int:user_id>/unlock", methods=["POST"])
@permission_required("admin.users")
def unlock(user_id: int) -> Response:
    if ConfirmForm().validate_on_submit():
        with web_uow() as uow:
            user = user_admin.unlock_user(uow, user_id)
        flash(f"利用者「{user.login_id}」のロックを解除しました。", "info")
    return redirect(url_for("user_admin.edit", user_id=user_id))


@bp.route("/<int:user_id>/active", methods=["POST"])
@permission_required("admin.users")
def set_active(user_id: int) -> Response:
    """利用停止 (``active=0``) or 利用再開 (``active=1``)."""
    if ConfirmForm().validate_on_submit():
        active = request.form.get("active") == "1"
        try:
            with web_uow() as uow:
                user = user_admin.set_user_active(uow, user_id, active=active)
        except ValidationError as err:
            flash("".join(p.message for p in err.problems), "error")
        else:
            done = (
                "の利用を再開しました。"
                if active
                else "を利用停止にしました。ログイン中の場合は次の操作でログアウトします。"
            )
            flash(f"利用者「{user.login_id}」{done}", "info")
    return redirect(url_for("user_admin.edit", user_id=user_id))


@bp.route("/<int:user_id>/reset-totp", methods=["POST"])
@permission_required("admin.users")
def reset_totp(user_id: int) -> Response:
    if ConfirmForm().validate_on_submit():
        with web_uow() as uow:
            user = user_admin.reset_totp(uow, user_id)
        flash(
            f"利用者「{user.login_id}」の二要素認証を初期化しました。次回ログイン時に再登録します。", "info"
        )
    return redirect(url_for("user_admin.edit", user_id=user_id))


@bp.route("/<int:user_id>/password", methods=["POST"])
@permission_required("admin.users")
def reset_password(user_id: int) -> Response | tuple[str, int]:
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            with web_uow() as uow:
                user = user_admin.reset_password(uow, user_id, form.password.data or "")
        except ValidationError as err:
            attach_problems(form, err)
        else:
            flash(f"利用者「{user.login_id}」のパスワードを初期化しました。", "info")
            return redirect(url_for("user_admin.edit", user_id=user_id))
    with web_uow() as uow:
        user = user_admin.get_user(uow, user_id)
    edit_form = UserEditForm(
        formdata=None, data={"roles": list(user.roles or []), "hidden_items": _hidden_of(user)}
    )
    return _edit_page(user, edit_form, form)


def _edit_page(user: Any, form: UserEditForm, password_form: PasswordResetForm) -> tuple[str, int]:
    status = 422 if form.errors or password_form.errors else 200
    page = render_template(
        "auth/admin_user_edit.html",
        user=user,
        locked=is_locked(user),
        form=form,
        password_form=password_form,
        action_form=ConfirmForm(),
    )
    return page, status


def _hidden_of(user: Any) -> list[str]:
    return user_admin.hidden_items_of(user)
