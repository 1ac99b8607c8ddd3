"""Municipalities (tenants): creation with a validated 全国地方公共団体コード, kind, wards, and the choices each
makes among the standard's "may implement" functions (実装してもしなくても良い機能) as settings.

Municipality rows are not tenant data themselves (they *are* the tenants), so lookups by code are allowed
from any session; everything beneath them is scoped by ``handlers.tenancy``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.context import Actor
from handlers.db import Database
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.rules.check_digit import municipality_code_valid
from handlers.uow import UnitOfWork, unit_of_work
from models.tenant import Municipality, Ward
from models.user import User

KINDS: dict[str, str] = {"designated_city": "指定都市", "core_city": "中核市", "general": "一般市区町村"}


@dataclass(frozen=True)
class Option:
    """One "may implement" function a municipality switches on or off (or sets), with its section key."""

    key: str
    label: str
    section: str
    default: Any


REQUIRED_FOR_DESIGNATED_CITIES = frozenset(
    {"variant_kanji_search", "move_in_notice_auto_import", "caution_autofill"}
)
# kiosk_answer_retention_hours: 1 hour to 30 days, the center's retry window (handlers.kiosk.retention)
NUMBER_RANGES = {"resident_code_pool_alert": (0, 100_000), "temporary_lift_minutes": (1, 1_440),
                 "bulk_approval_limit": (1, 10_000),
                 "kiosk_answer_retention_hours": (1, 720)}  # fmt: skip

MAY_IMPLEMENT: tuple[Option, ...] = (
    Option("variant_kanji_search", "異体字検索（指定都市は必須）", "j330", False),
    Option("name_priority_for_mail", "氏名優先区分（宛名・一覧に通称と氏名のどちらを使うか）", "j190", False),
    Option("head_change_ex_officio", "世帯員1人残留時の職権世帯主変更", "j490", True),
    Option("move_in_notice_auto_import", "転入通知の自動取込（指定都市は必須）", "j690", False),
    Option("caution_autofill", "留意事項の自動入力（指定都市は必須）", "j140", False),
    Option("notice_of_receipt", "住民異動届受理通知の発行", "j580", False),
    Option("support_start_notice", "支援措置開始の通知", "j440", False),
    Option("certificate_overflow_blank", "文字あふれ時に空欄で印字", "j1070", False),
    Option("omit_items_unless_requested", "続柄・本籍等は請求時のみ記載", "j1000", True),
    Option("resident_code_pool_alert", "住民票コード空き番号の警告しきい値", "j870", 100),
    Option("temporary_lift_minutes", "支援措置一時解除の有効時間（分）", "j410", 30),
    Option("bulk_approval_limit", "仮登録の全部本登録の件数上限", "j530", 50),
    Option("kiosk_issuance", "コンビニ交付（マイナンバーカードによる端末での証明書交付）", "j1210", False),
    Option("kiosk_answer_retention_hours", "コンビニ交付の再送用証明書の保存時間（時間）", "j1210", 24),
)
_OPTIONS = {o.key: o for o in MAY_IMPLEMENT}


def effective_settings(municipality: Municipality) -> dict[str, Any]:
    """Every option with this municipality's choice or the default; what a designated city must implement
    is on there whatever is stored (the page then shows it checked, and saving it unchanged is accepted)."""
    chosen = municipality.settings or {}
    required = REQUIRED_FOR_DESIGNATED_CITIES if municipality.kind == "designated_city" else frozenset()
    return {o.key: True if o.key in required else chosen.get(o.key, o.default) for o in MAY_IMPLEMENT}


def setting(municipality: Municipality, key: str) -> Any:
    return effective_settings(municipality)[key]


def setting_of(chosen: Mapping[str, Any] | None, key: str) -> Any:
    """The option ``key`` from a municipality's stored ``settings`` (read without the row): its choice, or the
    default."""
    option = _OPTIONS[key]
    return (chosen or {}).get(key, option.default)


def _problems(code: str, name: str, prefecture: str, kind: str, settings: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    if not municipality_code_valid(code):
        problems.append(
            Problem(
                "code", "全国地方公共団体コード", "6桁の数字でないか、検査数字が一致しません",
                "総務省の団体コード一覧で6桁（検査数字を含む）を確認してください", "check_digit",
            )
        )  # fmt: skip
    if not name.strip():
        problems.append(
            Problem("name", "団体名", "入力されていません", "団体名を入力してください", "required")
        )
    if not prefecture.strip():
        problems.append(
            Problem(
                "prefecture", "都道府県", "入力されていません", "都道府県名を入力してください", "required"
            )
        )
    if kind not in KINDS:
        problems.append(
            Problem("kind", "団体区分", "指定都市・中核市・一般市区町村のいずれでもありません",
                    "区分を選び直してください", "choice")
        )  # fmt: skip
    problems.extend(
        Problem("settings", "選択機能", f"「{key}」は標準仕様の選択機能にありません",
                "設定項目を確認してください", "unknown_option")
        for key in settings if key not in _OPTIONS
    )  # fmt: skip
    return problems


def create_municipality(
    session: Session,
    *,
    code: str,
    name: str,
    prefecture: str,
    kind: str,
    settings: Mapping[str, Any] | None = None,
    wards: Mapping[str, str] | None = None,
) -> Municipality:
    """Register a tenant.  Wards (code → name) only for a 指定都市.  Nothing is written on any problem."""
    settings = dict(settings or {})
    problems = _problems(code, name, prefecture, kind, settings)
    if wards and kind != "designated_city":
        problems.append(
            Problem("wards", "行政区", "指定都市以外に行政区は設定できません", "団体区分を確認してください",
                    "wards_not_allowed")
        )  # fmt: skip
    problems.extend(
        Problem("wards", "行政区コード", f"{ward_code} の検査数字が一致しません", "区のコードを確認してください",
                "check_digit")
        for ward_code in (wards or {}) if not municipality_code_valid(ward_code)
    )  # fmt: skip
    if session.scalars(select(Municipality.id).where(Municipality.code == code)).first() is not None:
        problems.append(
            Problem("code", "全国地方公共団体コード", "この団体は既に登録されています", "別の団体か確認してください",
                    "duplicate")
        )  # fmt: skip
    if problems:
        raise ValidationError(problems)
    municipality = Municipality(code=code, name=name, prefecture=prefecture, kind=kind, settings=settings)
    municipality.wards = [Ward(code=c, name=n) for c, n in sorted((wards or {}).items())]
    session.add(municipality)
    session.flush()
    return municipality


def update_settings(uow: UnitOfWork, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The actor's municipality changes its choices (administrator; logged as a settings change)."""
    from handlers.audit import record_access

    require(uow.actor, "admin.settings")
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    if municipality is None:
        raise NotFoundError("団体が見つかりません。")
    problems = _problems(
        municipality.code, municipality.name, municipality.prefecture, municipality.kind, changes
    ) + value_problems(municipality.kind, changes)
    if problems:
        raise ValidationError(problems)
    municipality.settings = {**(municipality.settings or {}), **changes}
    record_access(uow, "settings_changed", "setting", detail={"changed": sorted(changes)})
    return effective_settings(municipality)


def value_problems(kind: str, changes: Mapping[str, Any]) -> list[Problem]:
    """Each chosen value of the right type and range; what a designated city must implement stays on."""
    found = []
    for key, value in changes.items():
        option = _OPTIONS.get(key)
        if option is None:
            continue  # reported by _problems
        if isinstance(option.default, bool):
            if not isinstance(value, bool):
                found.append(Problem(key, option.label, "する・しないのどちらかではありません", "選び直してください", "choice"))  # fmt: skip
            elif not value and kind == "designated_city" and key in REQUIRED_FOR_DESIGNATED_CITIES:
                found.append(Problem(key, option.label, "指定都市では必須の機能です", "「する」のままにしてください", "required_for_designated_city"))  # fmt: skip
            continue
        low, high = NUMBER_RANGES.get(key, (0, 1_000_000))
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            found.append(Problem(key, option.label, f"{low}から{high}までの整数ではありません", "数値を直してください", "range"))  # fmt: skip
    return found


def municipality_by_code(session: Session, code: str) -> Municipality | None:
    return session.scalars(select(Municipality).where(Municipality.code == code)).one_or_none()


def municipality_of(session: Session, tenant_id: int) -> Municipality:
    municipality = session.get(Municipality, tenant_id)
    if municipality is None:
        raise NotFoundError("団体が見つかりません。")
    return municipality


def system_actor_for_code(db: Database, code: str, name: str = "system") -> Actor:
    """The system actor of the municipality with this code (CLI and batches); NotFoundError if unknown."""
    with unit_of_work(db, Actor.system(0, name)) as uow:
        municipality = municipality_by_code(uow.session, code)
    if municipality is None:
        raise NotFoundError(f"市区町村コード {code} の団体は登録されていません。")
    return Actor.system(municipality.id, name)


def user_id_for_login(session: Session, login_id: str) -> int | None:
    """A user of the session's municipality by login id (tenant-scoped like every user query)."""
    return session.scalars(select(User.id).where(User.login_id == login_id)).one_or_none()
