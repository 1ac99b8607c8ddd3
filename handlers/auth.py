"""Sign-in (j1380): password with lockout, a second factor (TOTP) for every account, and the Actor of a
signed-in user.  Every sign-in event is written to the access log (action ``auth``) in the caller's
transaction, in the user's own tenant; a failure for a login id nobody has belongs to no tenant and goes to the
operator's security log and metrics instead (``handlers.security_events``), with the same answer and the same
password-hash work as a wrong password.

The sign-in door is the one place that looks users up across tenants: its functions take a session opened
with ``cross_tenant=True`` (``unit_of_work(db, door_actor(...), cross_tenant=True)``) and refuse any other.
Refusals are returned, not raised, so that the failure count and the log rows commit with the transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any, Protocol

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.context import HIDEABLE_ITEMS, Actor
from handlers.errors import ConflictError, Problem, TenancyError, ValidationError
from handlers.passwords import hash_password, needs_rehash, verify_password
from handlers.rules.instants import as_utc
from handlers.security_events import record_unknown_login
from handlers.settings import Settings
from handlers.tenancy import CROSS_TENANT_KEY
from handlers.uow import UnitOfWork
from handlers.user_admin import password_problems
from models.tenant import Municipality
from models.user import User

# One message for an unknown login id, a wrong password, a locked or a disabled account: it must not tell
# anyone which login ids exist.
REFUSAL_MESSAGE = (
    "ログインIDまたはパスワードが正しくありません。続けて失敗するとアカウントが一時的にロックされます。"
    "ロックされた場合は、時間をおいて再度お試しいただくか、システム管理者に解除を依頼してください。"
)
TOTP_REFUSAL_MESSAGE = "確認コードが正しくないか、既に使用されたコードです。認証アプリに表示されている最新の6桁のコードを入力してください。"
TOTP_ISSUER = "Jumin"
TOTP_VALID_WINDOW = 1  # accept the previous and the next 30-second step (clock drift)


@dataclass(frozen=True)
class LockoutPolicy:
    max_failed: int = 5
    lockout_minutes: int = 30

    @classmethod
    def from_settings(cls, settings: Settings) -> LockoutPolicy:
        return cls(max_failed=settings.max_failed_logins, lockout_minutes=settings.lockout_minutes)


@dataclass(frozen=True)
class PasswordResult:
    accepted: bool
    user_id: int | None = None
    needs_enrolment: bool = False
    message: str | None = None


@dataclass(frozen=True)
class SessionIdentity:
    actor: Actor
    display_name: str
    tenant_name: str


@dataclass(frozen=True)
class SignInResult:
    accepted: bool
    identity: SessionIdentity | None = None  # who is now signed in
    message: str | None = None
    restart: bool = False  # the half-signed-in state is void: start again from the password


@dataclass(frozen=True)
class Enrolment:
    secret: str
    provisioning_uri: str


def door_actor(login_id: str, client_address: str | None) -> Actor:
    """Whoever stands at a door before we know their tenant.  Only for a cross-tenant unit of work."""
    return Actor(tenant_id=0, login_id=login_id[:60], client_address=client_address)


class UserFacts(Protocol):
    """What an Actor is made of: a ``User``, or a row of its columns (``id``, ``tenant_id``, ``login_id``,
    ``roles``, ``ward_code`` and the ``hide_<item>`` flags)."""

    @property
    def id(self) -> Any: ...
    @property
    def tenant_id(self) -> Any: ...
    @property
    def login_id(self) -> Any: ...
    @property
    def roles(self) -> Any: ...
    @property
    def ward_code(self) -> Any: ...


def actor_for_user(user: UserFacts, client_address: str | None = None) -> Actor:
    """The Actor of a user, with the items this user must not see hidden on every screen (j1390)."""
    hidden = frozenset(item for item in HIDEABLE_ITEMS if getattr(user, f"hide_{item}"))
    return Actor(
        tenant_id=user.tenant_id,
        login_id=user.login_id,
        user_id=user.id,
        roles=frozenset(user.roles or ()),
        client_address=client_address,
        ward_code=user.ward_code,
        hidden_items=hidden,
    )


# --- password ---------------------------------------------------------------------------------------


def check_password(
    session: Session,
    login_id: str,
    password: str,
    client_address: str | None,
    policy: LockoutPolicy | None = None,
) -> PasswordResult:
    """First step of sign-in.  Counts failures, locks the account at ``policy.max_failed``."""
    _require_cross_tenant(session)
    policy = policy or LockoutPolicy()
    user = session.scalars(select(User).where(User.login_id == login_id.strip())).one_or_none()
    if user is None:
        verify_password(_dummy_hash(), password)  # the same work as for a wrong password
        record_unknown_login(login_id, client_address)  # no municipality's log: the operator's (j1370)
        return PasswordResult(False, message=REFUSAL_MESSAGE)
    actor = actor_for_user(user, client_address)
    now = _now()
    if not user.active or is_locked(user, now):
        verify_password(user.password_hash, password)
        reason = "inactive" if not user.active else "locked"
        _log(session, actor, "sign_in_failed", stage="password", reason=reason)
        return PasswordResult(False, message=REFUSAL_MESSAGE)
    if not verify_password(user.password_hash, password):
        _count_failure(session, user, actor, policy, now, stage="password")
        return PasswordResult(False, message=REFUSAL_MESSAGE)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return PasswordResult(True, user_id=user.id, needs_enrolment=not user.totp_enrolled)


def is_locked(user: User, now: dt.datetime | None = None) -> bool:
    return user.locked_until is not None and as_utc(user.locked_until) > (now or _now())


def _count_failure(
    session: Session, user: User, actor: Actor, policy: LockoutPolicy, now: dt.datetime, *, stage: str
) -> None:
    if user.locked_until is not None and not is_locked(user, now):
        user.failed_attempts, user.locked_until = 0, None  # an expired lock starts a new count
    user.failed_attempts = (user.failed_attempts or 0) + 1
    _log(session, actor, "sign_in_failed", stage=stage, reason="wrong", failed_attempts=user.failed_attempts)
    if user.failed_attempts >= policy.max_failed:
        user.locked_until = now + dt.timedelta(minutes=policy.lockout_minutes)
        _log(session, actor, "account_locked", until=user.locked_until.isoformat(), stage=stage)


# --- second factor ----------------------------------------------------------------------------------


def verify_totp(user: User, code: str, *, at: dt.datetime | None = None) -> bool:
    """True for a current code of the user's secret that is newer than the last one accepted; remembers
    its time step so the same code cannot be used twice."""
    if not user.totp_secret:
        return False
    code = unicodedata.normalize("NFKC", code or "").replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = totp.timecode(at or _now())
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # replay of a used code (or an older one)
            user.totp_last_step = step
            return True
    return False


def begin_enrolment(user: User) -> Enrolment:
    """Give the user a secret (kept until confirmed, so a reload shows the same one) and its URI."""
    if user.totp_enrolled:
        raise ConflictError(
            "二要素認証は既に登録されています。再登録が必要な場合はシステム管理者に初期化を依頼してください。"
        )
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32(length=32)
        user.totp_last_step = None
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.login_id, issuer_name=TOTP_ISSUER)
    return Enrolment(secret=user.totp_secret, provisioning_uri=uri)


def confirm_enrolment(user: User, code: str) -> bool:
    """Complete enrolment when the code proves the user's authenticator holds the secret."""
    if user.totp_enrolled or not verify_totp(user, code):
        return False
    user.totp_enrolled = True
    return True


def check_second_factor(
    session: Session, user_id: int, code: str, client_address: str | None, policy: LockoutPolicy | None = None
) -> SignInResult:
    """Second step of sign-in for an enrolled user who has passed the password step."""
    user = _pending_user(session, user_id)
    if user is None or not user.totp_enrolled:
        return SignInResult(False, message=REFUSAL_MESSAGE, restart=True)
    return _second_step(session, user, code, client_address, policy or LockoutPolicy(), enrolling=False)


def start_enrolment(session: Session, user_id: int) -> Enrolment | None:
    user = _pending_user(session, user_id)
    if user is None or user.totp_enrolled:
        return None
    return begin_enrolment(user)


def finish_enrolment(
    session: Session, user_id: int, code: str, client_address: str | None, policy: LockoutPolicy | None = None
) -> SignInResult:
    """Confirm the enrolment code; the user is then signed in (the code was their second factor)."""
    user = _pending_user(session, user_id)
    if user is None or user.totp_enrolled or not user.totp_secret:
        return SignInResult(False, message=REFUSAL_MESSAGE, restart=True)
    return _second_step(session, user, code, client_address, policy or LockoutPolicy(), enrolling=True)


def _second_step(
    session: Session,
    user: User,
    code: str,
    client_address: str | None,
    policy: LockoutPolicy,
    *,
    enrolling: bool,
) -> SignInResult:
    actor = actor_for_user(user, client_address)
    now = _now()
    stage = "enrolment" if enrolling else "totp"
    if not user.active or is_locked(user, now):
        _log(session, actor, "sign_in_failed", stage=stage, reason="locked" if user.active else "inactive")
        return SignInResult(False, message=REFUSAL_MESSAGE, restart=True)
    accepted = confirm_enrolment(user, code) if enrolling else verify_totp(user, code)
    if not accepted:
        _count_failure(session, user, actor, policy, now, stage=stage)
        if is_locked(user, now):
            return SignInResult(False, message=REFUSAL_MESSAGE, restart=True)
        return SignInResult(False, message=TOTP_REFUSAL_MESSAGE)
    if enrolling:
        _log(session, actor, "totp_enrolled")
    user.failed_attempts, user.locked_until, user.last_login_at = 0, None, now
    _log(session, actor, "sign_in_succeeded", second_factor="totp")
    return SignInResult(True, identity=_identity_of(session, user))


def _pending_user(session: Session, user_id: int) -> User | None:
    _require_cross_tenant(session)
    user = session.get(User, user_id)
    return user if user is not None and user.active else None


# --- signed-in sessions -----------------------------------------------------------------------------


def load_session_identity(session: Session, user_id: int) -> SessionIdentity | None:
    """Who a session cookie's user id is, or None if that user may no longer be signed in."""
    _require_cross_tenant(session)
    user = session.get(User, user_id)
    if user is None or not user.active or not user.totp_enrolled:
        return None
    return _identity_of(session, user)


def _identity_of(session: Session, user: User) -> SessionIdentity:
    municipality = session.get(Municipality, user.tenant_id)
    tenant_name = municipality.name if municipality is not None else ""
    return SessionIdentity(actor_for_user(user), user.display_name, tenant_name)


def change_own_password(uow: UnitOfWork, current_password: str, new_password: str) -> None:
    """The signed-in user replaces their password (the administrator can only reset it)."""
    user = uow.session.get(User, uow.actor.user_id) if uow.actor.user_id is not None else None
    if user is None:
        raise TenancyError("利用者としてログインしていないため、パスワードを変更できません。")
    problems = []
    if not verify_password(user.password_hash, current_password):
        problems.append(
            Problem(
                "current_password", "現在のパスワード", "正しくありません", "入力し直してください", "wrong"
            )
        )
    problems += password_problems(new_password, field="new_password")
    if new_password and new_password == current_password:
        problems.append(
            Problem(
                "new_password",
                "新しいパスワード",
                "現在のパスワードと同じです",
                "別のパスワードにしてください",
                "same",
            )
        )
    if problems:
        raise ValidationError(problems)
    user.password_hash = hash_password(new_password)
    _log(uow.session, uow.actor, "password_changed")


def record_sign_out(uow: UnitOfWork) -> None:
    _log(uow.session, uow.actor, "signed_out")


def record_session_expired(uow: UnitOfWork, idle_minutes: int) -> None:
    _log(uow.session, uow.actor, "session_expired", idle_minutes=idle_minutes)


# --- helpers ----------------------------------------------------------------------------------------


def _log(session: Session, actor: Actor, function: str, **detail: Any) -> None:
    audit.append(session, actor, function, "auth", detail=detail, tenant_id=actor.tenant_id)


def _require_cross_tenant(session: Session) -> None:
    if not session.info.get(CROSS_TENANT_KEY):
        raise TenancyError("サインインの照合は、市区町村をまたぐ照会として開いたセッションでのみ行えます。")


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(16))


def prepare_unknown_login_check() -> None:
    """Make the hash an unknown login id is checked against now, once per process (the app factory calls it):
    made lazily, the first unknown login id of a process would also pay for hashing, and the time would tell
    that the login id does not exist."""
    _dummy_hash()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
