"""Administration of the people who sign in (j1380, j1390), for the administrator role (``admin.users``).

Each change is written to the access log with action ``setting`` in the same transaction.  Users are those
of the administrator's own municipality (the session's tenant); login ids are unique across the deployment.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from handlers import audit
from handlers.context import HIDEABLE_ITEMS
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.passwords import hash_password
from handlers.permissions import ROLES, SYSTEM_ROLES, require
from handlers.uow import UnitOfWork
from models.tenant import Ward
from models.user import User

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200  # what the sign-in form takes: a longer password could never be typed there
HIDEABLE_ITEM_NAMES: dict[str, str] = {
    "honseki": "本籍・筆頭者（戸籍の表示）",
    "my_number": "個人番号",
    "resident_code": "住民票コード",
    "residence_status": "在留資格等",
}
assert set(HIDEABLE_ITEM_NAMES) == set(HIDEABLE_ITEMS)


def list_users(uow: UnitOfWork) -> list[User]:
    require(uow.actor, "admin.users")
    return list(uow.session.scalars(select(User).order_by(User.login_id)))


def get_user(uow: UnitOfWork, user_id: int) -> User:
    require(uow.actor, "admin.users")
    user = uow.session.get(User, user_id)
    if user is None:
        raise NotFoundError("指定された利用者は見つかりません。")
    return user


def create_user(
    uow: UnitOfWork,
    *,
    login_id: str,
    display_name: str,
    password: str,
    roles: Iterable[str],
    ward_code: str | None = None,
    hidden_items: Iterable[str] = (),
) -> User:
    """Register a user of the administrator's municipality.  The user enrols a second factor at first
    sign-in."""
    require(uow.actor, "admin.users")
    login_id, display_name = login_id.strip(), display_name.strip()
    ward = (ward_code or "").strip() or None
    problems = _identity_problems(login_id, display_name) + password_problems(password)
    problems += ward_problems(uow, ward)
    role_list, hidden = _checked_roles(roles, problems), _checked_hidden(hidden_items, problems)
    if problems:
        raise ValidationError(problems)
    user = User(
        login_id=login_id,
        display_name=display_name,
        password_hash=hash_password(password),
        roles=role_list,
        ward_code=ward,
        totp_enrolled=False,
        failed_attempts=0,
        active=True,
    )
    _apply_hidden(user, hidden)
    try:
        with uow.session.begin_nested():
            uow.session.add(user)
            uow.session.flush()
    except IntegrityError:
        raise ValidationError(
            [
                Problem(
                    "login_id",
                    "ログインID",
                    "既に使われています",
                    "別のログインIDを指定してください",
                    "duplicate",
                )
            ]
        ) from None
    _log(uow, "user_created", user, roles=role_list, hidden_items=sorted(hidden))
    return user


def ward_problems(uow: UnitOfWork, ward_code: str | None) -> list[Problem]:
    """A user's 所属区 must be a ward of the administrator's municipality; a city without wards (any but a
    指定都市) takes none."""
    if not ward_code:
        return []
    wards = set(uow.session.scalars(select(Ward.code).where(Ward.municipality_id == uow.actor.tenant_id)))
    if ward_code in wards:
        return []
    if not wards:
        return [
            Problem(
                "ward_code",
                "所属区",
                "この市区町村には区がありません",
                "所属区を空欄にしてください",
                "no_wards",
            )
        ]
    return [
        Problem(
            "ward_code",
            "所属区",
            f"「{ward_code}」はこの市の区の区コードではありません",
            "この市の区の区コード（6桁）を入力してください",
            "unknown_ward",
        )
    ]


def update_user_roles(uow: UnitOfWork, user_id: int, roles: Iterable[str]) -> User:
    user = get_user(uow, user_id)
    problems: list[Problem] = []
    role_list = _checked_roles(roles, problems)
    if user.id == uow.actor.user_id and "administrator" not in role_list:
        problems.append(
            Problem(
                "roles",
                "権限",
                "自分自身からシステム管理者の権限を外すことはできません",
                "他のシステム管理者に依頼してください",
                "own_admin_role",
            )
        )
    if problems:
        raise ValidationError(problems)
    before = list(user.roles or [])
    user.roles = role_list
    _log(uow, "user_roles_changed", user, before=before, after=role_list)
    return user


def set_hidden_items(uow: UnitOfWork, user_id: int, items: Iterable[str]) -> User:
    """Choose which of 戸籍の表示, 個人番号, 住民票コード, 在留資格等 this user never sees (j1390)."""
    user = get_user(uow, user_id)
    problems: list[Problem] = []
    hidden = _checked_hidden(items, problems)
    if problems:
        raise ValidationError(problems)
    _apply_hidden(user, hidden)
    _log(uow, "user_hidden_items_changed", user, hidden_items=sorted(hidden))
    return user


def reset_totp(uow: UnitOfWork, user_id: int) -> User:
    """Forget the user's second factor: they enrol again at their next sign-in."""
    user = get_user(uow, user_id)
    user.totp_secret, user.totp_enrolled, user.totp_last_step = None, False, None
    _log(uow, "user_totp_reset", user)
    return user


def unlock_user(uow: UnitOfWork, user_id: int) -> User:
    user = get_user(uow, user_id)
    user.failed_attempts, user.locked_until = 0, None
    _log(uow, "user_unlocked", user)
    return user


def set_user_active(uow: UnitOfWork, user_id: int, *, active: bool) -> User:
    """利用停止・利用再開 (j1380): a stopped user cannot sign in, and one signed in is signed out at the next
    request (the session loader refuses an inactive user).  The administrator cannot stop themself."""
    user = get_user(uow, user_id)
    if not active and user.id == uow.actor.user_id:
        why, remedy = "自分自身を利用停止にすることはできません", "他のシステム管理者に依頼してください"
        raise ValidationError([Problem("active", "状態", why, remedy, "own_account")])
    user.active = active
    _log(uow, "user_enabled" if active else "user_disabled", user)
    return user


def reset_password(uow: UnitOfWork, user_id: int, new_password: str) -> User:
    """Set an initial password chosen by the administrator (パスワードの初期化)."""
    user = get_user(uow, user_id)
    problems = password_problems(new_password)
    if problems:
        raise ValidationError(problems)
    user.password_hash = hash_password(new_password)
    _log(uow, "user_password_reset", user)
    return user


def _identity_problems(login_id: str, display_name: str) -> list[Problem]:
    problems = []
    if not login_id or len(login_id) > 60 or any(ch.isspace() for ch in login_id):
        problems.append(
            Problem(
                "login_id",
                "ログインID",
                "空白を含まない60文字以内で指定されていません",
                "入力し直してください",
                "format",
            )
        )
    if not display_name or len(display_name) > 60:
        problems.append(
            Problem(
                "display_name",
                "氏名",
                "1文字以上60文字以内で指定されていません",
                "入力し直してください",
                "format",
            )
        )
    return problems


def password_problems(password: str, *, field: str = "password") -> list[Problem]:
    """The password policy: MIN_PASSWORD_LENGTH to MAX_PASSWORD_LENGTH characters."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return [
            Problem(
                field,
                "パスワード",
                f"{MAX_PASSWORD_LENGTH}文字を超えています（ログイン画面で入力できません）",
                f"{MIN_PASSWORD_LENGTH}文字以上{MAX_PASSWORD_LENGTH}文字以内で指定してください",
                "too_long",
            )
        ]
    if len(password) >= MIN_PASSWORD_LENGTH:
        return []
    return [
        Problem(
            field,
            "パスワード",
            f"{MIN_PASSWORD_LENGTH}文字未満です",
            f"{MIN_PASSWORD_LENGTH}文字以上で指定してください",
            "too_short",
        )
    ]


def unknown_role_problems(roles: Iterable[str]) -> list[Problem]:
    """The problem naming the roles that are not in ``ROLES`` (none when every role is known)."""
    unknown = [r for r in roles if r not in ROLES]
    if not unknown:
        return []
    return [
        Problem(
            "roles",
            "権限",
            f"不明な権限です（{'、'.join(unknown)}）",
            "一覧から選択してください",
            "unknown_role",
        )
    ]


def _checked_roles(roles: Iterable[str], problems: list[Problem]) -> list[str]:
    role_list = sorted(set(roles))
    unknown = unknown_role_problems(role_list)
    problems.extend(unknown)
    systems = [ROLES[r] for r in role_list if r in SYSTEM_ROLES]
    if systems:
        problems.append(
            Problem(
                "roles",
                "権限",
                f"他のシステム用の権限は職員に付与できません（{'、'.join(systems)}）",
                "システム用のAPIトークンに付与してください",
                "system_role",
            )
        )
    if not unknown and not role_list:
        problems.append(Problem("roles", "権限", "選択されていません", "1つ以上選択してください", "required"))
    return role_list


def _checked_hidden(items: Iterable[str], problems: list[Problem]) -> set[str]:
    hidden = set(items)
    unknown = sorted(hidden - set(HIDEABLE_ITEMS))
    if unknown:
        problems.append(
            Problem(
                "hidden_items",
                "非表示項目",
                f"不明な項目です（{'、'.join(unknown)}）",
                "一覧から選択してください",
                "unknown_item",
            )
        )
    return hidden & set(HIDEABLE_ITEMS)


def _apply_hidden(user: User, hidden: set[str]) -> None:
    for item in HIDEABLE_ITEMS:
        setattr(user, f"hide_{item}", item in hidden)


def _log(uow: UnitOfWork, function: str, user: User, **detail: Any) -> None:
    audit.record_access(
        uow, function, "setting", detail={"user": user.login_id, "user_id": user.id, **detail}
    )


def hidden_items_of(user: User) -> list[str]:
    """The items this user has chosen to hide on every screen (j1390)."""
    return [item for item in HIDEABLE_ITEMS if getattr(user, f"hide_{item}")]
