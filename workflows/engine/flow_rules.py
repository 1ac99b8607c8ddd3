"""The steps the law needs in every flow, checked on the XML before a deploy (no SpiffWorkflow).

- 本登録 only after a review: every service task whose operator ends in ``.register`` can be reached from
  the start only through a review task (審査・決裁).  A review task is the kind ``handlers.cases.approve``
  completes (the four-eyes rule lives there): a user task whose id starts with ``review_``, in a lane of
  the supervisor role, with a ``*_review`` form.
- Suppression before issuance (支援措置): in a certificate flow, every issuance task can be reached only
  through the disclosure decision ``certificate_request.check_disclosure``.
- Every node is reachable from a start event; every lane maps to a role; every condition on a sequence flow parses in the restricted evaluator.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from workflows.engine.elements import FlowElement, FlowModel
from workflows.engine.lanes import role_for_lane
from workflows.engine.safe_env import check_expression

REVIEW_PREFIX = "review_"  # handlers.cases.doors.REVIEW_PREFIX: approve() completes only these
REVIEW_FORM_SUFFIX = "_review"
REGISTER_SUFFIX = ".register"
DISCLOSURE_OPERATOR = "certificate_request.check_disclosure"
CERTIFICATE_PREFIX = "certificate"
ISSUE_PREFIX = "issue_"
ISSUE_FORM_PREFIX = "certificate_issue"


@dataclass(frozen=True)
class FlowCheck:
    element_id: str
    message: str  # Japanese
    code: str


def is_review_task(element: FlowElement) -> bool:
    return (
        element.kind == "userTask"
        and element.id.startswith(REVIEW_PREFIX)
        and role_for_lane(element.lane) == "supervisor"
        and element.form_key.endswith(REVIEW_FORM_SUFFIX)
    )


def reachable_avoiding(model: FlowModel, gate: Callable[[FlowElement], bool]) -> set[str]:
    """Nodes reachable from a start event on some path that passes through no ``gate`` node."""
    graph = model.successors()
    seen: set[str] = set()
    queue = deque(model.starts())
    while queue:
        node_id = queue.popleft()
        element = model.elements.get(node_id)
        if node_id in seen or element is None or gate(element):
            continue
        seen.add(node_id)
        queue.extend(graph.get(node_id, []))
    return seen


def _label(element: FlowElement) -> str:
    return f"「{element.name}」" if element.name else element.id


def review_problems(model: FlowModel) -> list[FlowCheck]:
    problems: list[FlowCheck] = []
    for element in model.nodes():
        if (
            element.kind == "userTask"
            and element.id.startswith(REVIEW_PREFIX)
            and not is_review_task(element)
        ):
            problems.append(
                FlowCheck(
                    element.id,
                    f"審査タスク{_label(element)}は審査者のレーンに置き、画面（formKey）を「…{REVIEW_FORM_SUFFIX}」"
                    "にしてください（入力者以外が決裁する四つの目の原則）",
                    "flow_review_kind",
                )
            )
    open_paths = reachable_avoiding(model, is_review_task)
    for element in model.nodes():
        if element.operator.endswith(REGISTER_SUFFIX) and element.id in open_paths:
            problems.append(
                FlowCheck(
                    element.id,
                    f"本登録{_label(element)}の前に、審査・決裁（審査者レーンの review_ で始まるユーザータスク）を"
                    "通らない経路があります",
                    "flow_review_missing",
                )
            )
    return problems


def is_issuance_task(element: FlowElement) -> bool:
    return element.is_task and (
        element.id.startswith(ISSUE_PREFIX) or element.form_key.startswith(ISSUE_FORM_PREFIX)
    )


def disclosure_problems(model: FlowModel) -> list[FlowCheck]:
    if not model.process_id.startswith(CERTIFICATE_PREFIX):
        return []
    open_paths = reachable_avoiding(model, lambda e: e.operator == DISCLOSURE_OPERATOR)
    return [
        FlowCheck(
            element.id,
            f"交付{_label(element)}の前に、交付可否の判定（{DISCLOSURE_OPERATOR}：支援措置等の抑止の判断）を"
            "通らない経路があります",
            "flow_disclosure_missing",
        )
        for element in model.nodes()
        if is_issuance_task(element) and element.id in open_paths
    ]


def lane_problems(model: FlowModel) -> list[FlowCheck]:
    return [
        FlowCheck(lane.id, f"レーン「{lane.name}」に対応する役割がありません", "flow_unknown_lane")
        for lane in model.lanes()
        if role_for_lane(lane.name) is None
    ]


def condition_problems(model: FlowModel) -> list[FlowCheck]:
    problems: list[FlowCheck] = []
    for flow in model.flows():
        problem = check_expression(flow.condition) if flow.condition else None
        if problem:
            problems.append(
                FlowCheck(flow.id, f"条件式「{flow.condition}」：{problem}", "flow_bad_condition")
            )
    return problems


def unreachable_problems(model: FlowModel) -> list[FlowCheck]:
    reached = reachable_avoiding(model, lambda _element: False)
    return [
        FlowCheck(node.id, "開始イベントから到達できません", "flow_unreachable")
        for node in model.nodes()
        if node.id not in reached
    ]


def check_flow_rules(model: FlowModel) -> list[FlowCheck]:
    """Reachability, lanes, conditions and the law's required steps of one process."""
    return (
        unreachable_problems(model)
        + lane_problems(model)
        + condition_problems(model)
        + review_problems(model)
        + disclosure_problems(model)
    )
