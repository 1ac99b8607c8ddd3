"""A clerk tries to issue a 住民票の写し for a protected resident from the certificates page and is refused in
Japanese; no PDF is produced (issue 5; j440, j1000).  Screenshots in test-artifacts/<test name>/."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

import models
from handlers.context import Actor
from handlers.uow import unit_of_work

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.req("j440", "j1000")]


def protected_resident(server: Any, code: str = "141003") -> tuple[str, str]:
    """The demo support-measure applicant of ``code``: (宛名番号, the household's address)."""
    with unit_of_work(server.db, Actor.system(0, "test"), cross_tenant=True) as uow:
        city = uow.session.scalars(select(models.Municipality).where(models.Municipality.code == code)).one()
        tenant_id = city.id
        if not (city.settings or {}).get("officials"):  # the certifier of today's date (j1050)
            officials = [
                {"title": "横浜市長", "name": "山中 竹春", "from": "2021-08-30", "to": "", "acting": False}
            ]
            city.settings = {**(city.settings or {}), "officials": officials}
        atena = uow.session.scalars(
            select(models.SupportMeasureParty.atena_number).where(
                models.SupportMeasureParty.tenant_id == tenant_id,
                models.SupportMeasureParty.role == "applicant",
            )
        ).first()
        assert atena, "the demo data has one support-measure case"
        resident = uow.session.scalars(
            select(models.Resident).where(
                models.Resident.tenant_id == tenant_id, models.Resident.atena_number == atena
            )
        ).one()
        return atena, resident.household.address


def test_a_clerk_is_refused_a_copy_for_a_protected_resident(journey: Any, server: Any) -> None:
    atena, address = protected_resident(server)
    clerk = journey("clerk")
    clerk.go(f"/certificates/issue?subject={atena}")
    page = clerk.page
    page.select_option("#f-certificate_type", "copy_individual")
    page.select_option("#f-requester_kind", "third_party")
    page.fill("#f-requester_name", "債権 回収")
    page.fill("#f-purpose", "債権回収のため")
    clerk.shot("request-filled")
    with page.expect_navigation():
        page.click("form.certificate-form button[type=submit]")
    assert page.url.endswith("/certificates/issue")
    body = page.inner_text("body")
    clerk.shot("refused")
    assert "支援措置" in body and "交付できません" in body, body[:400]
    assert address not in body
