"""Who is acting: the user (or system) behind a call, carried into every handler."""

from __future__ import annotations

from dataclasses import dataclass, field

HIDEABLE_ITEMS = ("honseki", "my_number", "resident_code", "residence_status")


@dataclass(frozen=True)
class Actor:
    tenant_id: int
    login_id: str
    user_id: int | None = None
    roles: frozenset[str] = frozenset()
    client_address: str | None = None
    terminal: str | None = None
    ward_code: str | None = None
    hidden_items: frozenset[str] = field(default_factory=frozenset)  # per-user hiding (j1390)
    is_system: bool = False

    @classmethod
    def system(cls, tenant_id: int, name: str = "system") -> Actor:
        return cls(tenant_id=tenant_id, login_id=name, roles=frozenset({"system"}), is_system=True)

    def has_role(self, role: str) -> bool:
        return role in self.roles
