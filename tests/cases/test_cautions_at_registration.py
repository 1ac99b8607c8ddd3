"""留意事項 at 本登録 (j140): the one entered at intake is written on the case's history row, apart from its
internal note; otherwise the 留意事項 the administrator registered for the 異動事由 is filled in (a designated
city must; another municipality when it chose to); a bad one refuses the intake with nothing kept."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

import models
from handlers import cases
from handlers.context import Actor
from handlers.errors import ValidationError
from handlers.residents.cautions import list_templates, save_template, template_for
from models.case import Case
from models.resident import ResidentHistory
from tests import factories
from tests.cases.conftest import PROBE, Step
from tests.cases.test_case_framework import atena, intake, open_task, rows  # noqa: F401 - fixture

pytestmark = [pytest.mark.req("j140"), pytest.mark.usefixtures("probe_flow")]


@pytest.fixture
def admin_a(users_a: dict[str, models.User]) -> Actor:
    return factories.actor_for(users_a["administrator"])


def register(step: Step, clerk: Actor, supervisor: Actor, values: dict[str, object]) -> ResidentHistory:
    case = step(clerk, cases.open_case, PROBE, values)
    step(supervisor, cases.approve, open_task(step, supervisor, case.id, "review_").id, [])
    found = rows(step, clerk, ResidentHistory, ResidentHistory.case_id == case.id)
    assert len(found) == 1
    return found[0]


def test_the_caution_entered_at_intake_is_written_on_the_registered_row(
    step: Step,
    clerk_a: Actor,
    supervisor_a: Actor,
    atena: str,  # noqa: F811
) -> None:
    values = intake(atena, caution="氏名の変更は家庭裁判所の許可による", caution_items=["given_name"])
    row = register(step, clerk_a, supervisor_a, values)
    assert (row.caution, row.caution_items, row.note) == (
        "氏名の変更は家庭裁判所の許可による",
        "given_name",
        None,
    )


def test_the_registered_template_of_the_reason_is_filled_in_and_an_entered_caution_wins(
    step: Step,
    clerk_a: Actor,
    supervisor_a: Actor,
    admin_a: Actor,
    atena: str,  # noqa: F811
) -> None:
    template = {
        "change_reason": "minor_correction",
        "caution": "軽微な修正（文字の同定）",
        "caution_items": "given_name",
    }
    step(admin_a, save_template, template)
    assert step(admin_a, list_templates)[0]["reason_label"] == "軽微な修正"
    filled = register(step, clerk_a, supervisor_a, intake(atena))
    assert (filled.caution, filled.caution_items) == ("軽微な修正（文字の同定）", "given_name")
    entered = register(step, clerk_a, supervisor_a, intake(atena, given_name="太二", caution="本人申出"))
    assert entered.caution == "本人申出"
    step(admin_a, save_template, {"change_reason": "minor_correction", "caution": ""})
    assert step(admin_a, list_templates) == []


def test_a_general_municipality_fills_in_templates_only_when_it_chose_to(
    step: Step, admin_a: Actor, setup_session: Session, city_a: models.Municipality
) -> None:
    step(admin_a, save_template, {"change_reason": "minor_correction", "caution": "定型文"})
    city_a.kind = "general"
    setup_session.flush()
    assert step(admin_a, template_for, "minor_correction") is None
    city_a.settings = {**(city_a.settings or {}), "caution_autofill": True}
    setup_session.flush()
    assert step(admin_a, template_for, "minor_correction").text == "定型文"


def test_a_too_long_caution_refuses_the_intake_with_nothing_kept(
    step: Step,
    clerk_a: Actor,
    atena: str,  # noqa: F811
) -> None:
    with pytest.raises(ValidationError) as refused:
        step(clerk_a, cases.open_case, PROBE, intake(atena, caution="あ" * 401))
    assert [p.code for p in refused.value.problems] == ["too_long"]
    assert rows(step, clerk_a, Case) == []


def test_only_an_administrator_registers_templates(step: Step, clerk_a: Actor) -> None:
    from handlers.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        step(clerk_a, save_template, {"change_reason": "minor_correction", "caution": "x"})
    assert rows(step, clerk_a, models.CautionTemplate) == []
