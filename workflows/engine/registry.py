"""Service-task operators: the handler functions a BPMN service task may call, by registry key.

A service task names its operator with ``spiffworkflow:serviceTaskOperator id="move_in.register"``.
Domain modules register their handlers at import time::

    @register("move_in.register")
    def register_move_in(ctx: ServiceContext, **params: Any) -> dict[str, Any]: ...

The handler runs inside the case's unit of work (``ctx.uow``); it must not commit.  Its return value is
stored in the task data under the service task's result variable, so return plain JSON data (ids, not rows).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from handlers.context import Actor
    from handlers.uow import UnitOfWork
    from models.case import Case

Operator = Callable[..., Any]

_OPERATORS: dict[str, Operator] = {}


class UnknownOperatorError(LookupError):
    """A service task names an operator nobody registered."""


@dataclass(frozen=True)
class ServiceContext:
    """What a service operator gets besides its parameters: the unit of work, the case and the actor."""

    uow: UnitOfWork
    case: Case
    task_id: str  # BPMN id of the service task
    data: dict[str, Any] = field(default_factory=dict)  # a copy of the task data

    @property
    def actor(self) -> Actor:
        return self.uow.actor

    @property
    def session(self) -> Any:
        return self.uow.session


def register(name: str) -> Callable[[Operator], Operator]:
    """Decorator: make ``fn`` the operator called ``name`` (e.g. ``"move_in.register"``)."""

    def decorate(fn: Operator) -> Operator:
        existing = _OPERATORS.get(name)
        if existing is not None and existing is not fn:
            raise ValueError(f"operator {name!r} is already registered by {existing.__qualname__}")
        _OPERATORS[name] = fn
        return fn

    return decorate


def unregister(name: str) -> None:
    """Remove an operator (tests register their own and clean up)."""
    _OPERATORS.pop(name, None)


# Resolvers supply operators nobody registered by name (the case framework's generic "<code>.register" …
# of every change type).  An explicit registration wins.  The provider modules install their resolvers at
# import; they are imported the first time a name is looked up, so operators exist before any flow is
# validated, deployed or run.
Resolver = Callable[[str], "Operator | None"]
_RESOLVERS: list[Resolver] = []
RESOLVER_MODULES = (
    "handlers.cases.operators",  # generic "<code>.record_provisional/register/queue_notices" per change type
    "handlers.support_measure_flow",  # "support_measure.*"
    "handlers.certificate_requests",  # "certificate_request.check_disclosure"
)
_providers_loaded = False


def add_resolver(resolver: Resolver) -> None:
    if resolver not in _RESOLVERS:
        _RESOLVERS.append(resolver)


def _resolve(name: str) -> Operator | None:
    global _providers_loaded
    if not _providers_loaded:
        _providers_loaded = True
        for module in RESOLVER_MODULES:
            importlib.import_module(module)
    for resolver in _RESOLVERS:
        found = resolver(name)
        if found is not None:
            return found
    return None


def get(name: str) -> Operator:
    found = _OPERATORS.get(name) or _resolve(name)
    if found is None:
        raise UnknownOperatorError(f"サービス処理 {name!r} は登録されていません。")
    return found


def is_registered(name: str) -> bool:
    return name in _OPERATORS or _resolve(name) is not None


def names() -> Iterator[str]:
    return iter(sorted(_OPERATORS))
