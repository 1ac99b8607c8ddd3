"""The flow pages: list, modeler, deploy refusals naming elements, versions with diff and roll back, migration."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from models import User
from tests.flows.conftest import RecordingOperators, standard
from tests.web.conftest import login_as

pytestmark = pytest.mark.req("j530")

MOVE_IN = standard("move_in")
RENAMED = MOVE_IN.replace('name="交付物の発行"', 'name="交付物の発行と説明"')
NO_REVIEW = MOVE_IN.replace(
    'sourceRef="record_provisional" targetRef="review_move_in"',
    'sourceRef="record_provisional" targetRef="review_decision"',
)


@pytest.fixture
def analyst(client: FlaskClient, users_a: dict[str, User]) -> FlaskClient:
    login_as(client, users_a["analyst"])
    return client


def test_the_list_shows_each_standard_flow_and_the_modeler_loads_the_vendored_bpmn_js(
    analyst: FlaskClient,
) -> None:
    page = analyst.get("/flows").get_data(as_text=True)
    assert 'data-process-id="move_in"' in page and "全国標準のまま" in page
    modeler = analyst.get("/flows/move_in").get_data(as_text=True)
    assert "vendor/bpmn-js/bpmn-modeler.production.min.js" in modeler and "js/modeler.js" in modeler
    assert "<script>" not in modeler  # no inline scripts
    assert "move_in.register" in modeler  # operator choices
    assert analyst.get("/flows/move_in/flow.bpmn").get_data(as_text=True) == MOVE_IN


def test_a_clerk_cannot_open_the_flow_pages(client: FlaskClient, users_a: dict[str, User]) -> None:
    login_as(client, users_a["clerk"])
    assert client.get("/flows").status_code == 403
    assert client.post("/flows/move_in/deploy", json={"xml": RENAMED, "comment": "x"}).status_code == 403


def test_deploy_refuses_with_each_problem_and_its_element_then_accepts_a_good_flow(
    analyst: FlaskClient, operators: RecordingOperators
) -> None:
    refused = analyst.post("/flows/move_in/deploy", json={"xml": NO_REVIEW, "comment": "審査を省略"})
    assert refused.status_code == 422
    problems = refused.get_json()["problems"]
    assert any(p["element_id"] == "register_move_in" and "審査" in p["message"] for p in problems)
    accepted = analyst.post("/flows/move_in/deploy", json={"xml": RENAMED, "comment": "名称変更"})
    assert accepted.status_code == 201 and accepted.get_json()["version"] == 2
    modeler = analyst.get("/flows/move_in").get_data(as_text=True)
    assert "第2版" in modeler and 'data-element-id="issue_documents"' in modeler
    assert (
        "&#34;issue_documents&#34;" in modeler or '"issue_documents"' in modeler
    )  # highlighted on the diagram


def test_versions_page_diffs_two_versions_and_rolls_back(
    analyst: FlaskClient, operators: RecordingOperators
) -> None:
    analyst.post("/flows/move_in/deploy", json={"xml": RENAMED, "comment": "名称変更"})
    page = analyst.get("/flows/move_in/versions?base=1&other=2").get_data(as_text=True)
    assert "交付物の発行と説明" in page and 'data-element-id="issue_documents"' in page
    response = analyst.post("/flows/move_in/versions/1/rollback")
    assert response.status_code == 302
    page = analyst.get("/flows/move_in/versions").get_data(as_text=True)
    assert "rollback to v1" in page and "第3版" in page


def test_migration_page_shows_the_dry_run(analyst: FlaskClient, operators: RecordingOperators) -> None:
    analyst.post("/flows/move_in/deploy", json={"xml": RENAMED, "comment": "名称変更"})
    page = analyst.get("/flows/move_in/migration").get_data(as_text=True)
    assert "第2版" in page and "他の版で処理中の案件はありません" in page


def test_the_modeler_page_runs_the_flow_scenarios_and_shows_pass_or_fail(analyst: FlaskClient) -> None:
    page = analyst.post("/flows/move_in/scenarios").get_data(as_text=True)
    assert page.count("合格") == 2 and "不合格" not in page
    assert "intake_move_in → record_provisional → review_move_in" in page
