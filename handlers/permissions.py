"""Roles and permissions (j1380), checked in handlers so every door enforces them alike."""

from __future__ import annotations

from handlers.context import Actor
from handlers.errors import PermissionDeniedError

ROLES: dict[str, str] = {
    "clerk": "窓口職員",
    "supervisor": "審査者（決裁者）",
    "analyst": "業務分析担当",
    "support_officer": "支援措置責任者",
    "auditor": "監査担当",
    "administrator": "システム管理者",
    "kiosk": "コンビニ交付システム（証明書交付センター）",
}
# Roles of other systems, given only to a system's API token (`jumin token`), never to a person who signs in.
SYSTEM_ROLES = frozenset({"kiosk"})
STAFF_ROLES: dict[str, str] = {role: label for role, label in ROLES.items() if role not in SYSTEM_ROLES}

PERMISSIONS: dict[str, str] = {
    "resident.search": "住民検索",
    "resident.view": "住民記録照会",
    "resident.change": "異動入力",
    "resident.approve": "異動決裁（本登録）",
    "resident.memo": "メモ編集",
    "certificate.issue": "証明書発行",
    "support.view": "支援対象者照会",
    "support.set": "支援措置設定",
    "support.release": "支援措置解除",
    "support.lift_temporarily": "支援措置一時解除",
    "audit.view": "アクセスログ照会",
    "flows.edit": "業務フロー編集",
    "extraction.run": "EUC抽出",
    "statistics.view": "統計照会",
    "batch.run": "バッチ実行",
    "export.run": "データ出力",
    "resident_code.issue": "住民票コード付番",
    "admin.users": "利用者管理",
    "admin.settings": "設定変更",
    "katagaki.manage": "方書管理",
    "certificate.kiosk": "コンビニ交付（端末での証明書交付）",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "clerk": frozenset(
        {"resident.search", "resident.view", "resident.change", "resident.memo", "certificate.issue"}
    ),
    "supervisor": frozenset(
        {
            "resident.search",
            "resident.view",
            "resident.change",
            "resident.approve",
            "resident.memo",
            "certificate.issue",
            "resident_code.issue",
            "batch.run",
            "statistics.view",
            "katagaki.manage",
        }
    ),
    "analyst": frozenset({"flows.edit", "extraction.run"}),
    "support_officer": frozenset(
        {
            "resident.search",
            "resident.view",
            "support.view",
            "support.set",
            "support.release",
            "support.lift_temporarily",
        }
    ),
    "auditor": frozenset({"audit.view"}),
    "administrator": frozenset(
        {"admin.users", "admin.settings", "batch.run", "export.run", "katagaki.manage"}
    ),
    "kiosk": frozenset({"certificate.kiosk"}),
    "system": frozenset(PERMISSIONS),
}


def permissions_of(actor: Actor) -> frozenset[str]:
    granted: set[str] = set()
    for role in actor.roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def has_permission(actor: Actor, permission: str) -> bool:
    return permission in permissions_of(actor)


def require(actor: Actor, permission: str) -> None:
    if permission not in PERMISSIONS:
        raise KeyError(permission)
    if not has_permission(actor, permission):
        raise PermissionDeniedError(f"この操作（{PERMISSIONS[permission]}）を行う権限がありません。")
