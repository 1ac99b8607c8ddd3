"""What the batch pages ask of the batches (j1280): one batch with its schedule, remembered parameters and
recent runs; and the check before a manual start (permission, a registered batch, only its own parameters)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers.batches.registry import BATCHES, BatchDefinition
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.rules.digits import whole_number
from handlers.staff_names import staff_names
from handlers.uow import UnitOfWork
from models.reporting import BatchRun, BatchSchedule


@dataclass(frozen=True)
class BatchDetail:
    definition: BatchDefinition
    schedule: BatchSchedule | None
    parameters: dict[str, Any]  # the remembered parameters (last used or saved), defaults filled in
    edited: frozenset[str]  # parameters the last run changed from the time before
    runs: list[BatchRun]
    staff: dict[str, str]  # login ID → 氏名 of who started the runs (handlers.staff_names)


def _definition(code: str) -> BatchDefinition:
    if code not in BATCHES:
        raise NotFoundError(f"バッチ「{code}」は登録されていません。")
    return BATCHES[code]


def batch_detail(uow: UnitOfWork, code: str, limit: int = 20) -> BatchDetail:
    require(uow.actor, "batch.run")
    definition = _definition(code)
    schedule = uow.session.scalars(
        select(BatchSchedule).where(BatchSchedule.batch_code == code)
    ).one_or_none()
    runs = list(
        uow.session.scalars(
            select(BatchRun).where(BatchRun.batch_code == code).order_by(BatchRun.id.desc()).limit(limit)
        )
    )
    remembered = {**definition.defaults, **(schedule.parameters if schedule else {})}
    edited = frozenset(runs[0].changed_parameters) if runs else frozenset()
    staff = staff_names(uow, (run.started_by for run in runs))
    return BatchDetail(definition, schedule, remembered, edited, runs, staff)


def prepare_manual_run(uow: UnitOfWork, code: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """The parameters a manual start passes on: only the batch's own names (anything else is dropped), each
    choice one of its choices and each number a whole number in its range (full-width digits read), so a
    refused value is never run nor remembered for the schedule.  The caller queues ``jumin.batches.run``
    with them after commit."""
    require(uow.actor, "batch.run")
    definition = _definition(code)
    kept = {k: v for k, v in parameters.items() if k in definition.defaults and v is not None}
    problems = [
        Problem(name, definition.parameter_labels[name], "選択肢にない値です", f"{'・'.join(choices.values())}から選択してください",
                "not_a_choice")
        for name, choices in definition.parameter_choices.items()
        if name in kept and str(kept[name]) not in choices
    ]  # fmt: skip
    for name, (low, high) in definition.parameter_ranges.items():
        if name in kept:
            kept[name] = _whole_number(definition, name, kept[name], low, high, problems)
    if problems:
        raise ValidationError(problems)
    return kept


def _whole_number(
    definition: BatchDefinition, name: str, value: Any, low: int, high: int, problems: list[Problem]
) -> int | str:
    text = str(value).strip()
    if text == "" and definition.defaults[name] == "":
        return ""
    number = whole_number(text)
    if number is not None and low <= number <= high:
        return number
    label = definition.parameter_labels[name]
    problems.append(Problem(name, label, f"{low}から{high}までの整数ではありません",
                            f"半角数字で{low}以上{high}以下を入力してください", "range"))  # fmt: skip
    return text
