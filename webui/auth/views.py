"""Sign-in pages: password, then the second factor (or its enrolment), sign-out and the idle timeout.

Until the second factor is passed the person is only *pending* (a user id in the session), never signed in
with Flask-Login, so no other page is reachable.  Rules, lockout and the audit live in ``handlers.auth``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import segno
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from handlers import auth
from handlers.errors import ValidationError
from handlers.permissions import ROLES
from handlers.uow import UnitOfWork, unit_of_work
from handlers.user_admin import HIDEABLE_ITEM_NAMES
from webui.auth.forms import CodeForm, LoginForm, PasswordChangeForm, attach_problems
from webui.security import SessionUser, current_actor, login_manager, login_required, start_page
from webui.uow import current_db, web_uow

bp = Blueprint("auth", __name__, template_folder="templates")

PENDING_USER = "pending_user_id"
PENDING_SINCE = "pending_since"
PENDING_ENROLMENT = "pending_enrolment"
NEXT_URL = "next_url"
LAST_SEEN = "last_seen"
PENDING_MAX_SECONDS = 300
IDLE_MESSAGE = "一定時間操作がなかったため、ログアウトしました。"
RESTART_MESSAGE = "もう一度ログインIDとパスワードを入力してください。"


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_session_user)
    app.before_request(enforce_idle_timeout)
    auth.prepare_unknown_login_check()  # now, not at the first unknown login id (its time would tell)
    from webui.auth.admin import bp as admin_bp

    app.register_blueprint(admin_bp)


def load_session_user(user_id: str) -> SessionUser | None:
    if not user_id.isdigit():
        return None
    with _door_uow("session") as uow:
        identity = auth.load_session_identity(uow.session, int(user_id))
    if identity is None:
        return None
    return SessionUser(identity.actor, identity.display_name, identity.tenant_name)


def enforce_idle_timeout() -> Response | None:
    """Sign out a session idle for longer than SESSION_IDLE_MINUTES; otherwise note this request."""
    if request.blueprint == "api" or request.endpoint in (None, "static"):
        return None
    if not current_user.is_authenticated:
        return None
    now = time.time()
    idle_minutes = int(current_app.config["SESSION_IDLE_MINUTES"])
    last_seen = session.get(LAST_SEEN)
    # (A signed session without ``last_seen`` cannot be forged; it only comes from code that signs in
    # without these pages, so it starts counting now.)
    if isinstance(last_seen, int | float) and now - last_seen > idle_minutes * 60:
        with web_uow() as uow:
            auth.record_session_expired(uow, idle_minutes)
        _end_session()
        flash(IDLE_MESSAGE, "info")
        return redirect(url_for("auth.login"))
    session[LAST_SEEN] = now
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(_landing())
    form = LoginForm()
    refusal = None
    if form.validate_on_submit():
        login_id, password = form.login_id.data or "", form.password.data or ""
        with _door_uow(login_id) as uow:
            result = auth.check_password(uow.session, login_id, password, request.remote_addr, _policy())
        if result.accepted and result.user_id is not None:
            _begin_pending(result.user_id, result.needs_enrolment, request.args.get("next"))
            return redirect(url_for("auth.enrol" if result.needs_enrolment else "auth.totp"))
        refusal = result.message
    return render_template("auth/login.html", form=form, refusal=refusal)


@bp.route("/login/totp", methods=["GET", "POST"])
def totp() -> Response | str:
    if current_user.is_authenticated:  # already signed in: nothing to confirm, keep the session
        return redirect(_landing())
    user_id = _pending_user_id()
    if user_id is None:
        return _restart()
    if session.get(PENDING_ENROLMENT):
        return redirect(url_for("auth.enrol"))
    form = CodeForm()
    refusal = None
    if form.validate_on_submit():
        with _door_uow(str(user_id)) as uow:
            result = auth.check_second_factor(
                uow.session, user_id, form.code.data or "", request.remote_addr, _policy()
            )
        if result.accepted and result.identity is not None:
            return _complete_sign_in(result.identity)
        if result.restart:
            return _restart(result.message)
        refusal = result.message
    return render_template("auth/totp.html", form=form, refusal=refusal)


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol() -> Response | str:
    if current_user.is_authenticated:  # already signed in: nothing to confirm, keep the session
        return redirect(_landing())
    user_id = _pending_user_id()
    if user_id is None:
        return _restart()
    form = CodeForm()
    refusal = None
    if form.validate_on_submit():
        with _door_uow(str(user_id)) as uow:
            result = auth.finish_enrolment(
                uow.session, user_id, form.code.data or "", request.remote_addr, _policy()
            )
        if result.accepted and result.identity is not None:
            flash("二要素認証を登録しました。", "info")
            return _complete_sign_in(result.identity)
        if result.restart:
            return _restart(result.message)
        refusal = result.message
    with _door_uow(str(user_id)) as uow:
        enrolment = auth.start_enrolment(uow.session, user_id)
    if enrolment is None:
        return _restart()
    qr = segno.make(enrolment.provisioning_uri, error="m")
    qr_svg = Markup(qr.svg_inline(scale=4, title="二要素認証の登録用QRコード"))  # noqa: S704 - segno output
    secret_groups = " ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4))
    return render_template("auth/enrol.html", form=form, refusal=refusal, qr_svg=qr_svg, secret=secret_groups)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    with web_uow() as uow:
        auth.record_sign_out(uow)
    _end_session()
    flash("ログアウトしました。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@login_required
def account() -> str:
    return render_template(
        "auth/account.html", actor=current_actor(), role_names=ROLES, hidden_item_names=HIDEABLE_ITEM_NAMES
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response | tuple[str, int]:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            with web_uow() as uow:
                auth.change_own_password(uow, form.current_password.data or "", form.new_password.data or "")
        except ValidationError as err:
            attach_problems(form, err)
        else:
            flash("パスワードを変更しました。", "info")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form), 422 if form.errors else 200


# --- session state ----------------------------------------------------------------------------------


def _begin_pending(user_id: int, needs_enrolment: bool, next_url: str | None) -> None:
    session.clear()
    session[PENDING_USER] = user_id
    session[PENDING_SINCE] = time.time()
    session[PENDING_ENROLMENT] = needs_enrolment
    if _is_local_path(next_url):
        session[NEXT_URL] = next_url


def _pending_user_id() -> int | None:
    user_id, since = session.get(PENDING_USER), session.get(PENDING_SINCE)
    if not isinstance(user_id, int) or not isinstance(since, int | float):
        return None
    if time.time() - since > PENDING_MAX_SECONDS:
        return None
    return user_id


def _complete_sign_in(identity: auth.SessionIdentity) -> Response:
    next_url = session.get(NEXT_URL)
    session.clear()  # nothing of the half-signed-in state survives
    login_user(SessionUser(identity.actor, identity.display_name, identity.tenant_name))
    session[LAST_SEEN] = time.time()
    return redirect(str(next_url) if _is_local_path(next_url) else _landing())


def _restart(message: str | None = None) -> Response:
    session.clear()
    flash(message or RESTART_MESSAGE, "error")
    return redirect(url_for("auth.login"))


def _end_session() -> None:
    logout_user()
    session.clear()


def _is_local_path(url: object) -> bool:
    return isinstance(url, str) and url.startswith("/") and not url.startswith("//") and "\\" not in url


def _landing() -> str:
    return start_page()


def _policy() -> auth.LockoutPolicy:
    config = current_app.config
    return auth.LockoutPolicy(int(config["MAX_FAILED_LOGINS"]), int(config["LOCKOUT_MINUTES"]))


@contextmanager
def _door_uow(login_id: str) -> Iterator[UnitOfWork]:
    """The sign-in door's unit of work: cross-tenant, because the user's tenant is not known yet."""
    with unit_of_work(current_db(), auth.door_actor(login_id, request.remote_addr), cross_tenant=True) as uow:
        yield uow
