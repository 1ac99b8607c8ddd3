"""The flow pages: list, modeler, deploy refusals naming elements, versions with diff and roll back, migration."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from handlers.context import Actor
from handlers.flow_scenarios import standard_scenarios
from models import User
from models.audit import AccessLog
from models.case import Case, ProcessDefinition
from tests.flows.conftest import RecordingOperators, Step, standard
from tests.flows.test_flow_migration import V2, at_review
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


def test_a_flow_its_first_case_deployed_names_the_system_as_its_author_and_the_flow_by_name(
    analyst: FlaskClient, step: Step, clerk_a: Actor, operators: RecordingOperators
) -> None:
    at_review(step, clerk_a)  # the first 転入 deploys the shipped flow as version 1
    page = analyst.get("/flows").get_data(as_text=True)
    row = page.split('data-process-id="move_in"', 1)[1].split("</tr>", 1)[0]
    assert "第1版" in row and "<td>システム（自動処理）</td>" in row
    versions = analyst.get("/flows/move_in/versions").get_data(as_text=True)
    assert (
        '<h1>版の履歴：転入（<code lang="en">move_in</code>）</h1>' in versions and ">system<" not in versions
    )
    assert re.search(r"<td>令和\d+年\d+月\d+日 \d\d:\d\d</td>", versions)  # deployed at, in Japan time


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
    row = page.split('data-element-id="issue_documents"', 1)[1].split("</tr>", 1)[0]
    assert "ユーザータスク（職員の作業）" in row and "userTask" not in row
    response = analyst.post("/flows/move_in/versions/1/rollback")
    assert response.status_code == 302
    page = analyst.get("/flows/move_in/versions").get_data(as_text=True)
    assert "rollback to v1" in page and "第3版" in page


def test_migration_page_shows_the_dry_run(analyst: FlaskClient, operators: RecordingOperators) -> None:
    analyst.post("/flows/move_in/deploy", json={"xml": RENAMED, "comment": "名称変更"})
    page = analyst.get("/flows/move_in/migration").get_data(as_text=True)
    assert "第2版" in page and "他の版で処理中の案件はありません" in page


def test_the_migration_page_of_a_flow_never_deployed_here_says_there_is_nothing_to_move(
    analyst: FlaskClient,
) -> None:
    response = analyst.get("/flows/address_setting/migration")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "住所設定（職権記載）" in page and "全国標準のまま" in page and "移行する案件はありません" in page
    assert "移行できる" not in page  # no button


def test_the_migration_page_of_a_flow_that_is_not_shipped_is_not_found(analyst: FlaskClient) -> None:
    assert analyst.get("/flows/no_such_flow/migration").status_code == 404


def test_the_dry_run_shows_each_cases_state_in_japanese(
    analyst: FlaskClient, step: Step, clerk_a: Actor, operators: RecordingOperators
) -> None:
    case = at_review(step, clerk_a)
    analyst.post("/flows/move_in/deploy", json={"xml": V2, "comment": "説明を追加"})
    page = analyst.get("/flows/move_in/migration").get_data(as_text=True)
    row = page.split(f'data-case-id="{case.id}"', 1)[1].split("</tr>", 1)[0]
    assert "<td>処理中</td>" in row and "running" not in row


def test_the_modeler_page_runs_the_flow_scenarios_and_shows_pass_or_fail(analyst: FlaskClient) -> None:
    page = analyst.post("/flows/move_in/scenarios").get_data(as_text=True)
    assert page.count("合格") == 2 and "不合格" not in page
    assert "intake_move_in → record_provisional → review_move_in" in page


def _migrated_case(
    step: Step, clerk_a: Actor, analyst: FlaskClient, operators: RecordingOperators
) -> tuple[int, int]:
    case = at_review(step, clerk_a)
    assert analyst.post("/flows/move_in/deploy", json={"xml": V2, "comment": "説明を追加"}).status_code == 201
    started = analyst.post("/flows/move_in/migration")
    assert started.status_code == 302
    job_id = int(started.headers["Location"].rsplit("/", 1)[1])
    return case.id, job_id


def _definition_version(step: Step, actor: Actor, case_id: int) -> int:
    return step(
        actor,
        lambda uow: uow.session.get(ProcessDefinition, uow.session.get(Case, case_id).definition_id).version,
    )


def test_the_job_page_reverts_one_migrated_case_with_its_button_and_logs_it(
    analyst: FlaskClient,
    step: Step,
    clerk_a: Actor,
    analyst_a: Actor,
    operators: RecordingOperators,
) -> None:
    case_id, job_id = _migrated_case(step, clerk_a, analyst, operators)
    assert _definition_version(step, clerk_a, case_id) == 2
    page = analyst.get(f"/flows/migrations/{job_id}").get_data(as_text=True)
    form = f'action="/flows/cases/{case_id}/revert-migration"'
    assert form in page and "この案件の移行を取り消す" in page and 'name="csrf_token"' in page

    reverted = analyst.post(f"/flows/cases/{case_id}/revert-migration")
    assert reverted.status_code == 302 and reverted.headers["Location"].endswith(
        f"/flows/migrations/{job_id}"
    )
    assert _definition_version(step, clerk_a, case_id) == 1
    page = analyst.get(f"/flows/migrations/{job_id}", follow_redirects=True).get_data(as_text=True)
    assert form not in page and f"取消済（{analyst_a.login_id}）" in page
    logged = step(
        analyst_a,
        lambda uow: [
            (r.login_id, r.action, r.detail)
            for r in uow.session.scalars(
                select(AccessLog).where(AccessLog.function == "case_migration_reverted")
            )
        ],
    )
    [(login, action, detail)] = logged
    assert (login, action, detail["job_id"], detail["from_version"], detail["to_version"]) == (
        analyst_a.login_id, "change", job_id, 2, 1,
    )  # fmt: skip
    again = analyst.post(f"/flows/cases/{case_id}/revert-migration")
    assert again.status_code in (404, 409)  # nothing left to revert


def test_the_job_page_and_its_progress_name_the_jobs_state_in_japanese(
    analyst: FlaskClient, step: Step, clerk_a: Actor, operators: RecordingOperators
) -> None:
    _case_id, job_id = _migrated_case(step, clerk_a, analyst, operators)
    page = analyst.get(f"/flows/migrations/{job_id}").get_data(as_text=True)
    assert "1 / 1 件移行（失敗 0 件）：完了" in page
    progress = analyst.get(f"/flows/migrations/{job_id}.json").get_json()
    assert (progress["status"], progress["status_label"]) == ("finished", "完了")


def test_revert_is_refused_to_a_clerk_and_to_another_municipalitys_analyst(
    client: FlaskClient,
    step: Step,
    clerk_a: Actor,
    users_a: dict[str, User],
    users_b: dict[str, User],
    operators: RecordingOperators,
) -> None:
    login_as(client, users_a["analyst"])
    case_id, _job_id = _migrated_case(step, clerk_a, client, operators)
    login_as(client, users_a["clerk"])
    assert client.post(f"/flows/cases/{case_id}/revert-migration").status_code == 403
    login_as(client, users_b["analyst"])
    assert client.post(f"/flows/cases/{case_id}/revert-migration").status_code == 404
    assert _definition_version(step, clerk_a, case_id) == 2  # still migrated
    reverts = step(
        clerk_a,
        lambda uow: uow.session.scalars(
            select(AccessLog).where(AccessLog.function == "case_migration_reverted")
        ).all(),
    )
    assert reverts == []


@pytest.mark.usefixtures("certifying_city_a")
@pytest.mark.parametrize(
    "process_id", ["move_in", "birth", "move_in_notice_receipt", "certificate_request", "support_measure"]
)
def test_the_run_scenarios_button_runs_every_scenario_of_each_kind_of_flow(
    analyst: FlaskClient, process_id: str
) -> None:
    modeler = analyst.get(f"/flows/{process_id}").get_data(as_text=True)
    assert f'action="/flows/{process_id}/scenarios"' in modeler
    page = analyst.post(f"/flows/{process_id}/scenarios").get_data(as_text=True)
    count = len(standard_scenarios(process_id))
    assert count >= 2 and page.count("<td>合格</td>") == count and "不合格" not in page
    first = standard_scenarios(process_id)[0]
    assert " → ".join(first["expected_path"]) in page


@pytest.mark.parametrize("body", [["xml"], "text", {"xml": ["<x/>"], "comment": {"why": "x"}}], ids=repr)
def test_deploy_with_a_body_that_is_not_the_flow_object_answers_422_json(
    analyst: FlaskClient, body: object
) -> None:
    refused = analyst.post("/flows/move_in/deploy", json=body)
    assert refused.status_code == 422 and refused.get_json()["error"] == "validation_failed"


def test_versions_page_with_a_version_past_the_integer_answers_404(analyst: FlaskClient) -> None:
    page = analyst.get("/flows/move_in/versions", query_string={"base": "1", "other": str(2**31)})
    assert page.status_code == 404  # no version can have that number (webui.row_ids)
