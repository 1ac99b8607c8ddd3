"""改製 (j40): a supervisor reorganises a 住民票 by hand whenever the office decides; the date is kept on the
record, the earlier rows stay in the register, and a certificate prints the history from the last 改製 on.
The history of a special reason (特別養子縁組, its dissolution, 性別の変更) stays on the record but is left out of
a certificate unless asked for."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.certificates import CertificateOptions, CertificateRequest, issue_certificate
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.errors import PermissionDeniedError, ValidationError
from handlers.residents.reorganization import reorganize_record
from handlers.uow import unit_of_work
from tests.certificates.pdf_tools import flat, pdf_text
from tests.factories import make_household
from tests.workflows.conftest import Step
from tests.workflows.ex_officio_steps import approve, enter, history, issue_documents

pytestmark = [pytest.mark.req("j40"), pytest.mark.usefixtures("certifiers")]
MAYOR = {"title": "横浜市長", "name": "山中 竹春", "from": "2020-01-01", "to": "", "acting": False}
WITH_HISTORY = CertificateOptions(include_history=True)


@pytest.fixture
def certifiers(setup_session: Session, city_a: models.Municipality) -> None:
    city_a.settings = {**(city_a.settings or {}), "officials": [MAYOR]}
    setup_session.flush()


def printed(db: Any, actor: Actor, atena_number: str, options: CertificateOptions = WITH_HISTORY) -> str:
    request = CertificateRequest("copy_individual", (atena_number,), options=options)
    with unit_of_work(db, actor) as uow:
        return flat(pdf_text(issue_certificate(uow, request).pdf))


def test_a_supervisor_reorganizes_a_record_and_certificates_print_the_history_from_then_on(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    head = make_household(db, clerk_a).members[0].atena_number
    assert "履歴1" in printed(db, clerk_a, head)
    with unit_of_work(db, supervisor_a) as uow:
        assert reorganize_record(uow, head, "窓口の申出により改製") == japan_today()
    rows = step(clerk_a, history, head)
    assert [(r.history_no, r.change_reason) for r in rows] == [
        (1, "domestic_move_in"),
        (2, "reorganization_record"),
    ]
    assert rows[-1].change_date == japan_today() and rows[-1].note == "窓口の申出により改製"
    text = printed(db, clerk_a, head)
    assert "履歴2" in text and "改製" in text and "履歴1" not in text
    with unit_of_work(db, clerk_a) as uow:
        [log] = uow.session.scalars(
            select(models.AccessLog).where(models.AccessLog.function == "record_reorganized")
        )
    assert (log.login_id, log.targets, log.action) == (supervisor_a.login_id, [head], "change")


def test_a_clerk_cannot_reorganize_and_a_removed_record_is_not_reorganized(
    db: Any, clerk_a: Actor, supervisor_a: Actor
) -> None:
    head = make_household(db, clerk_a).members[0].atena_number
    with pytest.raises(PermissionDeniedError), unit_of_work(db, clerk_a) as uow:
        reorganize_record(uow, head)
    with unit_of_work(db, supervisor_a) as uow:
        uow.session.scalars(
            select(models.Resident).where(models.Resident.atena_number == head)
        ).one().status = "removed"
    with pytest.raises(ValidationError) as refused, unit_of_work(db, supervisor_a) as uow:
        reorganize_record(uow, head)
    assert [p.code for p in refused.value.problems] == ["not_current"]


def test_a_special_adoption_stays_on_the_record_but_is_printed_only_when_asked(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    child = make_household(db, clerk_a).members[2].atena_number
    intake = {"atena_number": child, "changes": {"given_name": "一朗"}, "koseki_event": "特別養子縁組",
              "ex_officio_record": "本籍地からの住民票記載事項通知による"}  # fmt: skip
    case = enter(step, clerk_a, "koseki_notice", intake)
    approve(step, supervisor_a, case, "koseki_notice")
    issue_documents(step, clerk_a, case)
    rows = step(clerk_a, history, child)
    assert [r.history_no for r in rows] == [1, 2] and "特別養子縁組" in rows[-1].note  # on the record
    default = printed(db, clerk_a, child)
    assert "履歴1" in default and "履歴2" not in default
    asked = printed(
        db, clerk_a, child, CertificateOptions(include_history=True, include_special_history=True)
    )
    assert "履歴2" in asked
