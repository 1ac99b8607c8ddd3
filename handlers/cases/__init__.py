"""The case framework: every change type runs 受付 → 仮登録 → 審査・決裁 → 本登録 → 通知 through these doors.

Doors (``handlers.cases.doors``): ``open_case``, ``resubmit_intake``, ``approve``, ``reject``, ``cancel``;
``retry`` of a case stopped in an incident (``handlers.cases.incidents``);
the view: ``case_view``.  The generic service operators of every change type live in
``handlers.cases.operators``.
"""

from handlers.cases.doors import (
    approve,
    cancel,
    claim,
    complete_case_task,
    due_date_for,
    open_case,
    reject,
    resubmit_intake,
)
from handlers.cases.incidents import incident_cases, retry
from handlers.cases.view import case_summary, case_tasks, case_view, list_tasks

__all__ = [
    "approve", "cancel", "case_summary", "case_tasks", "case_view", "claim", "complete_case_task", "due_date_for",
    "incident_cases", "list_tasks", "open_case", "reject", "resubmit_intake", "retry",
]  # fmt: skip
