"""Per-tenant destination settings (docs/integration.md): the systems notices go to — 住基ネット CS, 団体内統合宛名
(j1150), 宛名連携 subscribers with their subscription mode (j1190), the 戸籍附票 system (j1200), other
municipalities through the relay, the other systems asked by 他業務照会 (j1180) and the regional platform's
business units (j1170) — viewed and edited by the administrator (``admin.settings``).

A 宛名連携 subscriber (``subscriber:<name>``) may carry a display name, which every screen naming the destination
shows (``destination_names``: one statement per page, handed to ``labels.destination_label``).

The HMAC secret is never shown: a view says only whether one is set (masked), and an edit can replace it but
not read it (a blank entry keeps it).  Every save is logged as a ``setting`` action without the secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import select

from handlers.audit import record_access
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.integration.pf_file import PLATFORM_PREFIX
from handlers.integration.subscribers import SUBSCRIBER_PREFIX
from handlers.labels import destination_label
from handlers.other_systems.catalog import INQUIRY_PREFIX, PF_UNITS, SYSTEMS
from handlers.permissions import require
from handlers.uow import UnitOfWork
from models.integration import DESTINATION_KINDS, SUBSCRIPTIONS, IntegrationDestination

NAME_PATTERN = re.compile(
    r"^(cs|addressee|koseki_fuhyo|immigration|kiosk|municipality:(\*|\d{6})|subscriber:[a-z0-9_-]{1,40}"
    rf"|inquiry:({'|'.join(SYSTEMS)})|platform:({'|'.join(PF_UNITS)}))$"
)
KIND_LABELS = {
    "http_json": "JSON（HTTP・HMAC署名）",
    "file_drop": "固定長ファイル連携",
    "relay": "CS中継サービス",
    "inquiry": "他業務照会（HTTP・HMAC署名）",
    "pf_file": "地域情報PF準拠ファイル連携（UTF-8）",
    "pf_file_sjis": "地域情報PF準拠ファイル連携（Shift_JIS）",
}
SIGNED_KINDS = ("http_json", "inquiry")
FOLDER_KINDS = ("file_drop", "pf_file", "pf_file_sjis")
SUBSCRIPTION_LABELS = {
    "full": "全件",
    "realtime_delta": "即時差分",
    "near_realtime_delta": "準即時差分（10分以内）",
}
MASK = "●●●●●●●●（設定済み）"
SECRET_MIN_LENGTH = 16
DISPLAY_NAME_MAX = 60  # IntegrationDestination.display_name
PLAIN_KINDS = ("http_json", "file_drop", "relay")


@dataclass(frozen=True)
class DestinationView:
    id: int
    name: str
    label: str
    kind: str
    kind_label: str
    url: str
    directory: str
    secret_set: bool
    secret_shown: str  # masked: never the secret itself
    subscription: str
    subscription_label: str
    enabled: bool
    receives_protected: bool
    display_name: str


def _view(row: IntegrationDestination) -> DestinationView:
    names = {row.name: row.display_name} if row.display_name else None
    return DestinationView(
        id=row.id, name=row.name, label=destination_label(row.name, names), kind=row.kind,
        kind_label=KIND_LABELS.get(row.kind, row.kind), url=row.url or "", directory=row.directory or "",
        secret_set=bool(row.secret), secret_shown=MASK if row.secret else "未設定",
        subscription=row.subscription or "", subscription_label=SUBSCRIPTION_LABELS.get(row.subscription or "", ""),
        enabled=bool(row.enabled), receives_protected=bool(row.receives_protected),
        display_name=row.display_name or "",
    )  # fmt: skip


def destination_names(uow: UnitOfWork, shown: Iterable[str | None]) -> dict[str, str]:
    """destination → the display name its administrator gave it, for the 宛名連携 subscribers among the
    destinations a page shows (``shown``), of the caller's municipality: one statement, none without a
    subscriber; what ``destination_label`` names them by."""
    wanted = {name for name in shown if name and name.startswith(SUBSCRIBER_PREFIX)}
    if not wanted:
        return {}
    rows = uow.session.execute(
        select(IntegrationDestination.name, IntegrationDestination.display_name).where(
            IntegrationDestination.name.in_(wanted), IntegrationDestination.display_name.is_not(None)
        )
    )
    return {name: display_name for name, display_name in rows if display_name}


def list_destinations(uow: UnitOfWork) -> list[DestinationView]:
    require(uow.actor, "admin.settings")
    rows = uow.session.scalars(select(IntegrationDestination).order_by(IntegrationDestination.name))
    return [_view(row) for row in rows]


def _row(uow: UnitOfWork, destination_id: int) -> IntegrationDestination:
    row = uow.session.get(IntegrationDestination, int(destination_id))
    if row is None or row.tenant_id != uow.actor.tenant_id:
        raise NotFoundError("指定された連携先は見つかりません。")
    return row


def destination(uow: UnitOfWork, destination_id: int) -> DestinationView:
    require(uow.actor, "admin.settings")
    return _view(_row(uow, destination_id))


def _problem(field: str, item: str, reason: str, remedy: str, code: str = "invalid") -> Problem:
    return Problem(field, item, reason, remedy, code)


def kinds_for(name: str) -> tuple[str, ...]:
    """The transports a destination may use: 他業務照会 its own, a platform unit the platform files."""
    if name.startswith(INQUIRY_PREFIX):
        return ("inquiry",)
    if name.startswith(PLATFORM_PREFIX):
        return ("pf_file", "pf_file_sjis")
    return PLAIN_KINDS


def _other_system_problems(name: str, kind: str, subscription: str | None) -> list[Problem]:
    """他業務照会 (j1180) takes its own transport; a platform unit (j1170) the platform files and, if any,
    a delta subscription."""
    found = []
    if kind in DESTINATION_KINDS and kind not in kinds_for(name):
        found.append(_problem("kind", "送信方式", "この連携先には使えない送信方式です",
                              "他業務照会は「他業務照会」、地域情報PFは「地域情報PF準拠ファイル連携」を選択してください"))  # fmt: skip
    if name.startswith(PLATFORM_PREFIX) and subscription not in (
        None,
        "realtime_delta",
        "near_realtime_delta",
    ):
        found.append(_problem("subscription", "連携方式", "業務ユニットには差分の連携方式だけを指定できます",
                              "即時差分・準即時差分から選択するか空欄にしてください"))  # fmt: skip
    return found


def _url_ok(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def destination_problems(values: Mapping[str, Any]) -> list[Problem]:
    """The one check of a destination's settings (forms and any other door)."""
    name, kind = str(values.get("name") or ""), str(values.get("kind") or "")
    url, directory = str(values.get("url") or ""), str(values.get("directory") or "")
    found: list[Problem] = []
    if not NAME_PATTERN.match(name):
        found.append(_problem("name", "連携先", f"「{name}」は連携先の名前ではありません",
                              "cs・addressee・koseki_fuhyo・municipality:<6桁コード>・subscriber:<英小文字> などを指定してください"))  # fmt: skip
    if kind not in DESTINATION_KINDS:
        found.append(
            _problem("kind", "送信方式", "選択されていません", "送信方式を選択してください", "required")
        )
    if kind in SIGNED_KINDS and not url:
        found.append(
            _problem("url", "送信先URL", "入力されていません", "送信先のURLを入力してください", "required")
        )
    if url and not _url_ok(url):
        found.append(_problem("url", "送信先URL", "URLの形式ではありません", "http:// または https:// で始まるURLを入力してください"))  # fmt: skip
    if kind in FOLDER_KINDS and not directory.startswith("/"):
        found.append(_problem("directory", "出力先フォルダ", "絶対パスではありません",
                              "/ で始まる出力先フォルダを入力してください", "required"))  # fmt: skip
    subscription = values.get("subscription") or None
    found += _other_system_problems(name, kind, subscription)
    if name.startswith(SUBSCRIBER_PREFIX) and subscription not in SUBSCRIPTIONS:
        found.append(_problem("subscription", "連携方式", "選択されていません",
                              "全件・即時差分・準即時差分から選択してください", "required"))  # fmt: skip
    if subscription and not name.startswith((SUBSCRIBER_PREFIX, PLATFORM_PREFIX)):
        found.append(
            _problem(
                "subscription",
                "連携方式",
                "宛名連携先・地域情報PFの業務ユニットにだけ指定できます",
                "連携方式を空欄にしてください",
            )
        )
    found += _display_name_problems(name, str(values.get("display_name") or ""))
    secret = str(values.get("new_secret") or "")
    if secret and len(secret) < SECRET_MIN_LENGTH:
        found.append(_problem("new_secret", "HMAC鍵", f"{SECRET_MIN_LENGTH}文字未満です",
                              f"{SECRET_MIN_LENGTH}文字以上で入力してください", "too_short"))  # fmt: skip
    return found


def _display_name_problems(name: str, display_name: str) -> list[Problem]:
    if not display_name:
        return []
    if not name.startswith(SUBSCRIBER_PREFIX):
        return [
            _problem("display_name", "表示名", "宛名連携先にだけ指定できます", "表示名を空欄にしてください")
        ]
    if len(display_name) > DISPLAY_NAME_MAX:
        return [_problem("display_name", "表示名", f"{DISPLAY_NAME_MAX}文字を超えています",
                         f"{DISPLAY_NAME_MAX}文字以内で入力してください", "too_long")]  # fmt: skip
    return []


def save_destination(
    uow: UnitOfWork, destination_id: int | None, values: Mapping[str, Any]
) -> IntegrationDestination:
    """Create (``destination_id`` None) or change one destination; a blank ``new_secret`` keeps the secret."""
    require(uow.actor, "admin.settings")
    problems = destination_problems(values)
    row = _row(uow, destination_id) if destination_id is not None else None
    name = str(values.get("name") or "")
    clash = uow.session.scalar(select(IntegrationDestination.id).where(IntegrationDestination.name == name))
    if values.get("kind") in SIGNED_KINDS and not (
        values.get("new_secret") or (row is not None and row.secret)
    ):
        problems.append(_problem("new_secret", "HMAC鍵", "設定されていません", "署名に使うHMAC鍵を入力してください", "required"))  # fmt: skip
    if clash is not None and (row is None or clash != row.id):
        problems.append(_problem("name", "連携先", "同じ名前の連携先が既にあります", "既存の連携先を編集してください", "duplicate"))  # fmt: skip
    if problems:
        raise ValidationError(problems)
    if row is None:
        row = IntegrationDestination(tenant_id=uow.actor.tenant_id, name=name)
        uow.session.add(row)
    before = _audit_items(row)
    row.name, row.kind = name, str(values["kind"])
    row.url, row.directory = values.get("url") or None, values.get("directory") or None
    row.subscription = values.get("subscription") or None
    row.enabled, row.receives_protected = bool(values.get("enabled")), bool(values.get("receives_protected"))
    row.display_name = str(values.get("display_name") or "").strip() or None
    replaced = bool(values.get("new_secret"))
    if replaced:
        row.secret = str(values["new_secret"])
    uow.session.flush()
    after = _audit_items(row)
    changed = sorted(k for k in after if before.get(k) != after[k]) + (["secret"] if replaced else [])
    record_access(
        uow, "integration_destination_saved", "setting", [],
        detail={"destination": row.name, "created": destination_id is None, "changed": changed},
    )  # fmt: skip
    return row


def _audit_items(row: IntegrationDestination) -> dict[str, Any]:
    keys = ("name", "display_name", "kind", "url", "directory", "subscription", "enabled", "receives_protected")  # fmt: skip
    return {key: getattr(row, key, None) for key in keys}
