"""Fixtures for the BPMN engine tests: test service operators and a helper running each step in its own
unit of work (so the workflow is saved and restored between every step)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from handlers.uow import UnitOfWork
from models.resident import NumberSequence
from tests.conftest import Step  # noqa: F401 - the tests import it from here
from workflows.engine import registry
from workflows.engine.registry import ServiceContext

MOVE_IN_OPERATORS = ("move_in.record_provisional", "move_in.register", "move_in.queue_notices")


class RecordingOperators:
    """Test operators: each bumps a per-tenant counter row named after it (a record change that must roll
    back with a failure) and returns a dict; ``fail[name]`` makes one raise."""

    def __init__(self) -> None:
        self.fail: dict[str, Exception] = {}

    def make(self, name: str) -> Callable[..., dict[str, Any]]:
        def operator(ctx: ServiceContext, **params: Any) -> dict[str, Any]:
            counter = bump_counter(ctx.uow, name)
            if name in self.fail:
                raise self.fail[name]
            return {"operator": name, "case_number": ctx.case.case_number, "count": counter, "params": params}

        return operator


def counter_name(operator: str) -> str:
    return "t_" + operator.replace("move_in.", "")[:20]


def bump_counter(uow: UnitOfWork, operator: str) -> int:
    name = counter_name(operator)
    row = uow.session.scalars(select(NumberSequence).where(NumberSequence.name == name)).one_or_none()
    if row is None:
        row = NumberSequence(name=name, next_value=0)
        uow.session.add(row)
    row.next_value += 1
    uow.session.flush()
    return row.next_value


def read_counter(uow: UnitOfWork, operator: str) -> int:
    row = uow.session.scalars(
        select(NumberSequence).where(NumberSequence.name == counter_name(operator))
    ).first()
    return row.next_value if row else 0


@pytest.fixture
def operators() -> Iterator[RecordingOperators]:
    recording = RecordingOperators()
    for name in MOVE_IN_OPERATORS:
        registry.register(name)(recording.make(name))
    yield recording
    for name in MOVE_IN_OPERATORS:
        registry.unregister(name)
