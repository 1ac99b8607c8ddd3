"""A tiny change type used only by the framework tests (so they do not depend on any real change type):
``framework_probe`` amends one person's 名, on a copy of workflows/move_in.bpmn deployed for the tenant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from handlers.changes import base
from handlers.changes.base import Assessment, NoticeDraft, RegistrationResult
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import Problem, ValidationError
from handlers.residents.lookup import find_resident
from handlers.residents.registration import amend_resident
from handlers.uow import UnitOfWork, unit_of_work
from tests.conftest import Step  # noqa: F401 - the tests import it from here
from workflows.engine.loader import WORKFLOWS_DIR, deploy_definition

PROBE = "framework_probe"


@dataclass
class ProbeChange:
    code: str = PROBE
    label: str = "テスト用異動"
    process_id: str = PROBE
    deadline: str = "event_plus_14"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        atena = str(intake.get("atena_number") or "")
        problems, alerts = [], []
        resident = None
        try:
            resident = find_resident(uow.session, atena)
        except Exception:  # noqa: BLE001 - reported as a problem below
            problems.append(
                Problem(
                    "atena_number", "宛名番号", "見つかりません", "宛名番号を確認してください", "not_found"
                )
            )
        if not intake.get("given_name"):
            problems.append(
                Problem("given_name", "名", "入力されていません", "名を入力してください", "required")
            )
        if intake.get("alert"):
            alerts.append(
                Problem(
                    "given_name",
                    "名",
                    "通常と異なる文字です",
                    "確認してください",
                    "unusual_name",
                    level="alert",
                )
            )
        event = dt.date.fromisoformat(str(intake.get("change_date") or japan_today().isoformat()))
        proposal = {
            "members": [{"atena_number": atena, "given_name": intake.get("given_name")}],
            "change_date": event.isoformat(),
            "explode": bool(intake.get("explode")),
            "household_number": resident.household.household_number if resident else None,
        }
        return Assessment(proposal, problems, alerts, [f"resident:{atena}"], event)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        member = proposal["members"][0]
        amend_resident(
            uow,
            member["atena_number"],
            {"given_name": member["given_name"]},
            reason_code="minor_correction",
            change_date=proposal["change_date"],
        )
        if proposal.get("explode"):
            raise ValidationError([Problem("x", "テスト", "登録中に失敗しました", "なし", "explode")])
        return RegistrationResult(
            atena_numbers=[member["atena_number"]],
            household_numbers=[proposal["household_number"]],
            notices=[
                NoticeDraft("cs", "identity_change", {"atena_number": member["atena_number"]}),
                NoticeDraft(
                    "municipality:202118", "move_in_notice", {"atena_number": member["atena_number"]}
                ),
                NoticeDraft("cs", "identity_change", {"atena_number": member["atena_number"], "n": 2}),
            ],
            documents=["resident_code_notice"],
            summary={"given_name": member["given_name"]},
        )


@pytest.fixture
def probe_type() -> Iterator[ProbeChange]:
    probe = ProbeChange()
    base.register_change_type(probe)
    yield probe
    base._TYPES.pop(PROBE, None)


@pytest.fixture
def probe_flow(db: Database, clerk_a: Actor, probe_type: ProbeChange) -> None:
    xml = (WORKFLOWS_DIR / "move_in.bpmn").read_text(encoding="utf-8").replace("move_in", PROBE)
    with unit_of_work(db, Actor.system(clerk_a.tenant_id)) as uow:
        deploy_definition(uow.session, clerk_a.tenant_id, PROBE, xml, author="test")
