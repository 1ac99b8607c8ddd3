"""``jumin tenant export`` writes the layout with its manifest; ``jumin tenant import`` refuses a municipality
that already holds data and prints every problem of a faulty directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

import models
from tests import factories


@pytest.mark.req("j1410")
def test_tenant_export_command_writes_every_register_and_the_manifest(
    app: Flask, setup_session: Session, city_a: models.Municipality, tmp_path: Path
) -> None:
    household = factories.make_household_row(setup_session, city_a, number=1)
    factories.make_resident_row(setup_session, household, number=2, family_name="葛\U000e0102西")
    setup_session.flush()

    result = app.test_cli_runner().invoke(args=["tenant", "export", "--tenant", "141003", "--format", "jsonl",
                                                str(tmp_path)])  # fmt: skip

    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["municipality_code"] == "141003"
    assert {f["name"]: f["rows"] for f in manifest["files"]}["residents"] == 1
    assert "葛\U000e0102西" in (tmp_path / "residents.jsonl").read_text("utf-8")


@pytest.mark.req("j1410")
def test_tenant_import_command_refuses_a_municipality_with_data(
    app: Flask, setup_session: Session, city_a: models.Municipality, tmp_path: Path
) -> None:
    factories.make_household_row(setup_session, city_a, number=1)
    setup_session.flush()
    runner = app.test_cli_runner()
    runner.invoke(args=["tenant", "export", "--tenant", "141003", str(tmp_path)])

    result = runner.invoke(args=["tenant", "import", str(tmp_path)])

    assert result.exit_code != 0
    assert "既にデータ" in result.output
