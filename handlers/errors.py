"""Domain errors.  Every refusal names the item, the reason and the remedy, in Japanese (j1440)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One error (blocks) or alert (needs acknowledgement) about one item."""

    field: str  # identifier of the item (form field / JSON key)
    item: str  # the item's Japanese name
    reason: str  # 理由
    remedy: str  # 対処
    code: str  # stable machine code, e.g. check_digit
    level: str = "error"  # error / alert

    def __post_init__(self) -> None:
        # a reason taken from an exception's sentence ends in 「。」; every message adds its own before the remedy
        object.__setattr__(self, "reason", self.reason.rstrip("。"))

    @property
    def message(self) -> str:
        return f"{self.item}：{self.reason}。{self.remedy}"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "message": self.message}


class DomainError(Exception):
    status = 400
    code = "domain_error"

    def to_json(self) -> dict[str, Any]:
        return {"error": self.code, "message": str(self)}


class ValidationError(DomainError):
    code = "validation_failed"
    status = 422

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("入力内容に誤りがあります：" + " / ".join(p.message for p in problems))

    def to_json(self) -> dict[str, Any]:
        return {
            "error": self.code,
            "message": "入力内容に誤りがあります。",
            "problems": [p.to_json() for p in self.problems],
        }


class NotFoundError(DomainError):
    status = 404
    code = "not_found"


class PermissionDeniedError(DomainError):
    status = 403
    code = "permission_denied"


class ConflictError(DomainError):
    status = 409
    code = "conflict"


class TenancyError(DomainError):
    """A read or write that would cross, or is missing, the tenant boundary."""

    status = 403
    code = "tenant_boundary"
