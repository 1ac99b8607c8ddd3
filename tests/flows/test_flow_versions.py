"""Versions of a municipality's flow: deploy, deviation from the standard, diff between versions, roll back."""

from __future__ import annotations

import pytest

from handlers.context import Actor
from handlers.errors import PermissionDeniedError
from handlers.flow_deviation import diff_flows
from handlers.flows import (
    deploy_flow,
    deviation_report,
    diff_versions,
    flow_versions,
    list_flows,
    rollback_flow,
)
from tests.flows.conftest import RecordingOperators, Step, standard

pytestmark = pytest.mark.req("j530")

MOVE_IN = standard("move_in")
RENAMED = MOVE_IN.replace('name="交付物の発行"', 'name="交付物の発行と説明"')
MOVED_LANE = MOVE_IN.replace("<bpmn:flowNodeRef>queue_notices</bpmn:flowNodeRef>\n", "").replace(
    "<bpmn:flowNodeRef>issue_documents</bpmn:flowNodeRef>",
    "<bpmn:flowNodeRef>issue_documents</bpmn:flowNodeRef><bpmn:flowNodeRef>queue_notices</bpmn:flowNodeRef>",
)


def test_the_deviation_report_names_each_changed_element_and_field() -> None:
    other = RENAMED.replace('value="move_in_documents"', 'value="move_in_documents_v2"').replace(
        "approved == True</bpmn:conditionExpression>",
        'approved == True and reason != "x"</bpmn:conditionExpression>',
    )
    diff = diff_flows(MOVE_IN, other, "move_in")
    by_id = {d.element_id: d for d in diff.deviations}
    assert {f.field for f in by_id["issue_documents"].fields} == {"name", "form_key"}
    assert by_id["flow_approved"].fields[0].after == 'approved == True and reason != "x"'
    lane_change = diff_flows(MOVE_IN, MOVED_LANE, "move_in").deviations
    assert [(d.element_id, d.fields[0].before, d.fields[0].after) for d in lane_change] == [
        ("queue_notices", "審査", "窓口")
    ]


def test_an_added_step_shows_as_added_and_its_neighbours_as_rerouted() -> None:
    added = MOVE_IN.replace(
        '<bpmn:sequenceFlow id="flow_to_end" sourceRef="issue_documents" targetRef="end_move_in"/>',
        '<bpmn:sequenceFlow id="flow_to_end" sourceRef="issue_documents" targetRef="explain_rules"/>'
        '<bpmn:userTask id="explain_rules" name="ごみ出しの説明"/>'
        '<bpmn:sequenceFlow id="flow_explained" sourceRef="explain_rules" targetRef="end_move_in"/>',
    )
    diff = diff_flows(MOVE_IN, added, "move_in")
    assert {d.element_id for d in diff.by_change("added")} == {"explain_rules", "flow_explained"}
    changed = {d.element_id: d for d in diff.by_change("changed")}
    assert changed["issue_documents"].fields[0].after == "explain_rules"
    assert changed["flow_to_end"].fields[0].after == "issue_documents → explain_rules"
    removed = diff_flows(added, MOVE_IN, "move_in")
    assert {d.element_id for d in removed.by_change("removed")} == {"explain_rules", "flow_explained"}


def test_deploy_makes_a_new_version_with_author_and_comment_and_roll_back_redeploys_an_earlier_one(
    step: Step, analyst_a: Actor, operators: RecordingOperators
) -> None:
    assert step(analyst_a, deviation_report, "move_in").is_same
    v2 = step(analyst_a, deploy_flow, "move_in", RENAMED, "名称を窓口の表示に合わせる")
    assert (v2.version, v2.author, v2.comment) == (2, analyst_a.login_id, "名称を窓口の表示に合わせる")
    versions = step(analyst_a, flow_versions, "move_in")
    assert [(v.version, v.author) for v in versions] == [(2, analyst_a.login_id), (1, "system")]
    assert step(analyst_a, deviation_report, "move_in").element_ids() == ["issue_documents"]
    assert step(analyst_a, diff_versions, "move_in", 1, 2).element_ids() == ["issue_documents"]
    summary = {s.process_id: s for s in step(analyst_a, list_flows)}
    assert (summary["move_in"].version, summary["move_in"].deviations) == (2, 1)
    assert summary["move_out"].version is None

    v3 = step(analyst_a, rollback_flow, "move_in", 1)
    assert (v3.version, v3.comment, v3.author) == (3, "rollback to v1", analyst_a.login_id)
    assert v3.bpmn_xml == MOVE_IN
    assert step(analyst_a, deviation_report, "move_in").is_same


def test_only_analysts_edit_flows(step: Step, clerk_a: Actor) -> None:
    with pytest.raises(PermissionDeniedError):
        step(clerk_a, deploy_flow, "move_in", RENAMED, "x")
    with pytest.raises(PermissionDeniedError):
        step(clerk_a, list_flows)
