"""成年被後見人の転出 (j1310): when a person registered as an adult ward moves out, the 転出 case lists the notice
for the destination municipality, and the office makes it (公用 only) as a PDF naming the person, the
destination and the destination's mayor as addressee; it is refused for anyone who is not an adult ward."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from handlers.certificates import CertificateRequest, issue_certificate
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.errors import ValidationError
from handlers.uow import unit_of_work
from models.tenant import Municipality
from tests.certificates.pdf_tools import flat, pdf_text
from tests.factories import make_household
from tests.workflows.conftest import Step
from tests.workflows.household_steps import approve, enter, issue_documents

pytestmark = [pytest.mark.req("j1310"), pytest.mark.usefixtures("certifiers")]
MAYOR = {"title": "横浜市長", "name": "山中 竹春", "from": "2020-01-01", "to": "", "acting": False}


@pytest.fixture
def certifiers(setup_session: Session, city_a: Municipality) -> None:
    city_a.settings = {**(city_a.settings or {}), "officials": [MAYOR]}
    setup_session.flush()


def move_out(numbers: list[str]) -> dict[str, Any]:
    return {
        "atena_numbers": numbers,
        "change_date": (japan_today() + dt.timedelta(days=7)).isoformat(),
        "notified_date": japan_today().isoformat(),
        "destination": {"municipality_code": "202177", "address": "中込1番地"},
    }


def set_adult_ward(step: Step, clerk: Actor, supervisor: Actor, atena_number: str) -> None:
    """成年被後見人 set as the register sets it: an ex-officio correction (j1310, test_correction_paths)."""
    intake = {"atena_number": atena_number, "changes": {"adult_guardianship": True},
              "ex_officio_record": "後見登記の通知により職権で記載した"}  # fmt: skip
    case = enter(step, clerk, "ex_officio_correction", intake)
    approve(step, supervisor, case, "ex_officio_correction")
    issue_documents(step, clerk, case)


def notice(db: Any, actor: Actor, atena_number: str, requester_kind: str = "official") -> bytes:
    request = CertificateRequest("adult_ward_notice", (atena_number,), requester_kind=requester_kind)
    with unit_of_work(db, actor) as uow:
        return issue_certificate(uow, request).pdf


def test_an_adult_ward_moving_out_gets_a_notice_for_the_destination_made_by_the_office(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    head, wife = home.members[0].atena_number, home.members[1].atena_number
    set_adult_ward(step, clerk_a, supervisor_a, wife)
    case = enter(step, clerk_a, "move_out", move_out([m.atena_number for m in home.members]))
    approve(step, supervisor_a, case, "move_out")
    assert issue_documents(step, clerk_a, case) == ["move_out_certificate", "adult_ward_notice"]
    text = flat(pdf_text(notice(db, clerk_a, wife)))
    assert "成年被後見人の転出に関する通知書" in text
    assert "山田花子" in text and "長野県佐久市中込1番地" in text and "長野県佐久市長" in text
    assert "上記の者は成年被後見人であり、転出しましたので通知します。" in text
    with pytest.raises(ValidationError) as not_a_ward:
        notice(db, clerk_a, head)
    assert [p.code for p in not_a_ward.value.problems] == ["not_adult_ward"]
    with pytest.raises(ValidationError) as not_official:
        notice(db, clerk_a, wife, requester_kind="self")
    assert [p.code for p in not_official.value.problems] == ["restricted_item"]


def test_a_move_out_without_an_adult_ward_lists_no_such_notice_and_a_staying_ward_gets_none(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    wife = home.members[1].atena_number
    set_adult_ward(step, clerk_a, supervisor_a, wife)
    child = home.members[2].atena_number
    case = enter(step, clerk_a, "move_out", move_out([child]))
    approve(step, supervisor_a, case, "move_out")
    assert issue_documents(step, clerk_a, case) == ["move_out_certificate"]
    with pytest.raises(ValidationError) as staying:
        notice(db, clerk_a, wife)
    assert [p.code for p in staying.value.problems] == ["wrong_status"]
