"""``jumin demo load`` and ``jumin synth``, run through the Flask CLI runner."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, func, select

import models
from handlers.clock import japan_today
from handlers.demo_data import DEMO_PASSWORD, DEMO_TOTP_SECRET, ROLE_LOGINS
from tests.web.auth_helpers import sign_in

TABLES = (models.Municipality, models.Ward, models.User, models.Household, models.Resident,
          models.ResidentHistory, models.SupportMeasure, models.SupportMeasureParty, models.Katagaki)  # fmt: skip


def _counts(connection: Connection) -> dict[str, int]:
    return {
        t.__tablename__: connection.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES
    }


def _run(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def demo(app: Flask, connection: Connection) -> dict[str, int]:
    _run(app, "demo", "load")
    return _counts(connection)


@pytest.mark.slow
def test_demo_load_twice_changes_nothing(app: Flask, connection: Connection, demo: dict[str, int]) -> None:
    output = _run(app, "demo", "load")
    assert "already loaded" in output
    assert _counts(connection) == demo


@pytest.mark.slow
@pytest.mark.req("j1380")
def test_demo_creates_both_cities_with_a_user_per_role_and_the_shared_totp_secret(
    connection: Connection, demo: dict[str, int]
) -> None:
    cities = dict(connection.execute(select(models.Municipality.code, models.Municipality.name)).all())
    assert cities == {"141003": "横浜市", "202177": "佐久市"}
    wards = set(connection.execute(select(models.Ward.code)).scalars())
    assert wards == {"141011", "141020", "141038", "141046"}
    users = connection.execute(select(models.User.login_id, models.User.roles, models.User.totp_secret,
                                      models.User.totp_enrolled)).all()  # fmt: skip
    expected = {
        f"{prefix}.{slug}": [role] for slug in ("yokohama", "saku") for prefix, role, _ in ROLE_LOGINS
    }
    assert {u.login_id: u.roles for u in users} == expected
    assert all(u.totp_secret == DEMO_TOTP_SECRET and u.totp_enrolled for u in users)
    assert demo["resident"] >= 2 * 200


@pytest.mark.slow
@pytest.mark.req("j160", "j50", "j440")
def test_demo_has_a_support_measure_case_and_old_removed_records(
    connection: Connection, demo: dict[str, int]
) -> None:
    roles = connection.execute(
        select(models.SupportMeasureParty.role, models.SupportMeasureParty.atena_number)
    ).all()
    assert sorted(r.role for r in roles) == sorted(["applicant", "co_applicant", "perpetrator"] * 2)
    assert all(r.atena_number is None for r in roles if r.role == "perpetrator")
    # opened through the 支援措置申出 flow (j440): each city's officer finds its confirmation task waiting
    waiting = connection.execute(
        select(models.CaseTask.bpmn_id)
        .join(models.Case, models.Case.id == models.CaseTask.case_id)
        .where(models.Case.process_id == "support_measure", models.CaseTask.state == "ready")
    ).scalars()
    assert sorted(waiting) == ["confirm_support_need"] * 2
    removed = connection.execute(
        select(models.Resident.removal_reason, models.Resident.removal_date).where(
            models.Resident.status == "removed"
        )
    ).all()
    assert {r.removal_reason for r in removed} >= {"domestic_move_out", "death"}
    five_years_ago = japan_today().replace(year=japan_today().year - 5)
    assert any(r.removal_date < five_years_ago for r in removed)


@pytest.mark.slow
def test_a_newcomer_signs_in_with_the_demo_password_and_totp_secret(
    client: FlaskClient, demo: dict[str, int]
) -> None:
    response = sign_in(client, "clerk.yokohama", DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    assert response.status_code == 302


@pytest.mark.slow
def test_synth_command_adds_residents_to_the_named_municipality(
    app: Flask, connection: Connection, demo: dict[str, int]
) -> None:
    output = _run(app, "synth", "--tenant", "202177", "--count", "300", "--seed", "9")
    assert "300 residents" in output
    assert _counts(connection)["resident"] == demo["resident"] + 300
    result = app.test_cli_runner().invoke(args=["synth", "--tenant", "999999", "--count", "5"])
    assert result.exit_code != 0 and "999999" in result.output


@pytest.mark.slow
def test_the_demo_registers_katagaki_at_demo_addresses_of_each_city(
    connection: Connection, demo: dict[str, int]
) -> None:
    rows = connection.execute(select(models.Katagaki.address, models.Katagaki.name)).all()
    assert ("神奈川県横浜市中区本町二丁目10番地", "本町グランドハイツ") in rows and (
        "長野県佐久市中込3000番地",
        "中込ハイツ",
    ) in rows
    assert demo["katagaki"] == 4


@pytest.mark.slow
@pytest.mark.req("j530", "j540")
def test_the_demo_supervisor_finds_the_clerks_cases_waiting_and_approves_one(
    client: FlaskClient, connection: Connection, demo: dict[str, int]
) -> None:
    waiting = connection.execute(
        select(models.CaseTask.id, models.Case.change_type, models.Case.created_by)
        .join(models.Case, models.Case.id == models.CaseTask.case_id)
        .join(models.Municipality, models.Municipality.id == models.Case.tenant_id)
        .where(
            models.CaseTask.state == "ready",
            models.Municipality.code == "141003",
            models.Case.process_id != "support_measure",
        )
    ).all()
    assert sorted((w.change_type, w.created_by) for w in waiting) == [
        ("move_in", "clerk.yokohama"),
        ("move_within", "clerk.yokohama"),
    ]
    sign_in(client, "supervisor.yokohama", DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    queue = client.get("/tasks").get_data(as_text=True)
    assert "小川 健" in queue or "小川　健" in queue, "the 転入 waits in the supervisor's queue"
    [move_in] = [w for w in waiting if w.change_type == "move_in"]
    review = client.get(f"/tasks/{move_in.id}/review").get_data(as_text=True)
    alerts = re.findall(r'name="acknowledgements" value="([^"]+)"', review)
    done = client.post(
        f"/tasks/{move_in.id}/review", data={"decision": "approve", "acknowledgements": alerts}
    )
    assert done.status_code == 302
    [subjects] = connection.execute(
        select(models.Case.subject_atena_numbers)
        .join(models.CaseTask, models.CaseTask.case_id == models.Case.id)
        .where(models.CaseTask.id == move_in.id)
    ).scalars()
    registered = connection.execute(
        select(models.Resident.family_name, models.Resident.given_name, models.Resident.status).where(
            models.Resident.atena_number.in_(subjects)
        )
    ).all()
    assert sorted(registered) == [("小川", "健", "resident"), ("小川", "由美", "resident")]


@pytest.mark.slow
@pytest.mark.req("j290")
def test_a_clerk_of_the_demo_issues_a_copy_of_a_demo_residents_record(
    client: FlaskClient, demo: dict[str, int]
) -> None:
    sign_in(client, "clerk.yokohama", DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    issued = client.post(
        "/certificates/issue",
        data={"subjects": "0000000019", "certificate_type": "copy_individual", "requester_kind": "self",
              "official": "auto", "copies": "1", "seal": "y"},
    )  # fmt: skip
    assert issued.status_code == 200 and issued.mimetype == "application/pdf", issued.get_data(as_text=True)[
        -800:
    ]
