"""Validation before deploy: each kind of bad flow is refused with its message and the element it is about."""

from __future__ import annotations

import pytest

import handlers.certificate_requests  # noqa: F401 - registers certificate_request.check_disclosure
import handlers.changes.catalog  # noqa: F401 - registers the change types' operators
from handlers.context import Actor
from handlers.errors import ValidationError
from handlers.flows import deploy_flow
from tests.flows.conftest import Step, standard
from workflows.engine.loader import validate_bpmn

pytestmark = pytest.mark.req("j530")

MOVE_IN = standard("move_in")
CERTIFICATE = standard("certificate_request")

# Bypass the review: the provisional record leads straight to the gateway.
NO_REVIEW = MOVE_IN.replace(
    '<bpmn:sequenceFlow id="flow_to_review" sourceRef="record_provisional" targetRef="review_move_in"/>',
    '<bpmn:sequenceFlow id="flow_to_review" sourceRef="record_provisional" targetRef="review_decision"/>',
)
# The review moved to the clerks' lane: the person who entered the change could approve it.
REVIEW_IN_CLERK_LANE = MOVE_IN.replace("<bpmn:flowNodeRef>review_move_in</bpmn:flowNodeRef>\n", "").replace(
    "<bpmn:flowNodeRef>intake_move_in</bpmn:flowNodeRef>",
    "<bpmn:flowNodeRef>intake_move_in</bpmn:flowNodeRef><bpmn:flowNodeRef>review_move_in</bpmn:flowNodeRef>",
)
# Issue the certificate before deciding on suppression.
NO_DISCLOSURE_CHECK = CERTIFICATE.replace(
    'sourceRef="start_certificate_request" targetRef="check_disclosure"',
    'sourceRef="start_certificate_request" targetRef="issue_certificate"',
)

BAD_FLOWS = [
    ("unparsable", "<bpmn:definitions", "", "BPMN"),
    (
        "unknown operator",
        MOVE_IN.replace('id="move_in.queue_notices"', 'id="move_in.fax_everyone"'),
        "queue_notices",
        "サービス処理「move_in.fax_everyone」は登録されていません",
    ),
    (
        "unknown lane",
        MOVE_IN.replace('name="窓口"', 'name="受付係"'),
        "Lane_Clerk",
        "レーン「受付係」に対応する役割がありません",
    ),
    (
        "condition that does not parse",
        MOVE_IN.replace(
            "approved == True</bpmn:conditionExpression>", "approved ==</bpmn:conditionExpression>"
        ),
        "flow_approved",
        "条件式「approved ==」",
    ),
    (
        "hostile condition",
        MOVE_IN.replace(
            "approved == True</bpmn:conditionExpression>", "().__class__</bpmn:conditionExpression>"
        ),
        "flow_approved",
        "条件式",
    ),
    (
        "unreachable task",
        MOVE_IN.replace(
            'sourceRef="queue_notices" targetRef="issue_documents"',
            'sourceRef="queue_notices" targetRef="end_move_in"',
        ),
        "issue_documents",
        "開始イベントから到達できません",
    ),
    ("registration without review", NO_REVIEW, "register_move_in", "本登録「本登録」の前に、審査・決裁"),
    ("review in the clerks' lane", REVIEW_IN_CLERK_LANE, "review_move_in", "四つの目の原則"),
    (
        "review with another form",
        MOVE_IN.replace('value="move_in_review"', 'value="move_in_check"'),
        "review_move_in",
        "四つの目の原則",
    ),
    ("issuance before the disclosure decision", NO_DISCLOSURE_CHECK, "issue_certificate", "交付可否の判定"),
]


def test_the_national_standard_flows_pass_validation() -> None:
    for process_id in ("move_in", "move_out", "birth", "death", "household_change", "certificate_request"):
        assert validate_bpmn(standard(process_id)) == [], process_id


@pytest.mark.parametrize(("kind", "xml", "element_id", "message"), BAD_FLOWS, ids=[b[0] for b in BAD_FLOWS])
def test_each_kind_of_bad_flow_is_refused_naming_the_element(
    kind: str, xml: str, element_id: str, message: str
) -> None:
    problems = validate_bpmn(xml)
    matching = [p for p in problems if message in p.message]
    assert matching, f"{kind}: {[(p.element_id, p.message) for p in problems]}"
    assert matching[0].element_id == element_id


def test_a_refused_deploy_lists_each_problem_with_its_element_and_adds_no_version(
    step: Step, analyst_a: Actor
) -> None:
    bad = NO_REVIEW.replace('id="move_in.queue_notices"', 'id="move_in.fax_everyone"')
    with pytest.raises(ValidationError) as refused:
        step(analyst_a, deploy_flow, "move_in", bad, "審査を省略")
    fields = {p.field for p in refused.value.problems}
    assert {"register_move_in", "queue_notices"} <= fields
    assert all(p.reason and p.item.startswith("業務フロー定義") for p in refused.value.problems)
    from handlers.flows import flow_versions

    assert step(analyst_a, flow_versions, "move_in") == []
