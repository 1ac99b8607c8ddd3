"""Export → import into a fresh municipality of the same code in another database → export gives the same
bytes, over generated registers (unknown dates, foreign residents, long 続柄 chains, IVS and non-BMP
characters, CSV specials, memos, 除票 and support measures, the address dictionary and the 方書 register)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.audit_verify import verify_chain
from handlers.db import Database
from handlers.portability import export_tenant, import_tenant
from handlers.uow import unit_of_work
from tests.portability.registers import (
    TENANT_ID,
    EntryPlan,
    KatagakiPlan,
    PersonPlan,
    add_municipality,
    build_source,
    dictionaries,
    files_of,
    fresh_database,
    katagaki_registers,
    make_template,
    manifest_without_time,
    registers,
    system_actor,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory.mktemp("portability") / "template.sqlite3")


def _empty_target(template: Path, where: Path, tenant_id: int) -> Database:
    database = fresh_database(template, where / f"target-{uuid.uuid4().hex}.sqlite3")
    with unit_of_work(database, system_actor(tenant_id), cross_tenant=True) as uow:
        add_municipality(uow.session, tenant_id)
    return database


def _export(
    database: Database, directory: Path, fmt: str, tenant_id: int, through: int | None = None
) -> Path:
    with unit_of_work(database, system_actor(tenant_id)) as uow:
        export_tenant(uow, directory, fmt, access_log_through=through)
    return directory


def _round_trip(template: Path, where: Path, households: list[list[PersonPlan]], fmt: str,
                target_tenant: int = TENANT_ID, **dictionary: Any) -> tuple[Path, Path, Database]:  # fmt: skip
    run = where / uuid.uuid4().hex
    source = build_source(template, where / f"source-{run.name}.sqlite3", households, **dictionary)
    first = _export(source, run / "first", fmt, TENANT_ID)
    target = _empty_target(template, where, target_tenant)
    import_tenant(lambda: unit_of_work(target, system_actor(target_tenant)), first)
    rows = json.loads((first / "manifest.json").read_text())["files"][-1]["rows"]
    second = _export(target, run / "second", fmt, target_tenant, through=rows)
    return first, second, target


@pytest.mark.req("j1410", "j1360", "j1190", "j250", "j260")
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(households=registers, fmt=st.sampled_from(["csv", "jsonl"]), dictionary=dictionaries,
       katagaki=katagaki_registers)  # fmt: skip
def test_export_import_export_gives_identical_files(template: Path, tmp_path: Path,
                                                    households: list[list[PersonPlan]], fmt: str,
                                                    dictionary: list[EntryPlan], katagaki: list[KatagakiPlan]) -> None:  # fmt: skip
    first, second, _target = _round_trip(template, tmp_path, households, fmt,
                                         dictionary=dictionary, katagaki=katagaki)  # fmt: skip

    assert files_of(second) == files_of(first)
    assert manifest_without_time(second) == manifest_without_time(first)
    counts = {f["name"]: f["rows"] for f in json.loads((first / "manifest.json").read_text())["files"]}
    assert counts["resident_remarks"] == 1 and counts["caution_templates"] == 1  # 統合記載欄 (j140) travels
    assert counts["address_entries"] == len(dictionary) + sum(len(oaza.koaza) for oaza in dictionary)
    assert counts["katagaki"] == len(katagaki)


@pytest.mark.req("j1410", "j1370")
def test_imported_access_log_keeps_its_chain_and_records_the_import(template: Path, tmp_path: Path) -> None:
    plan = PersonPlan(
        "葛\U000e0102西", "𠮷男", "カサイ", False, None, "年月日不詳", "子の子の子の子", True, ["メモ"], 2
    )
    first, _second, target = _round_trip(template, tmp_path, [[plan]], "csv")

    with unit_of_work(target, system_actor()) as uow:
        result = verify_chain(uow.session, TENANT_ID)
    full = _export(target, tmp_path / "full", "csv", TENANT_ID)
    # the source's three rows, then the import and the second export of _round_trip
    assert result.ok and result.rows_checked == 3 + 2
    first_log = (first / "access_log.csv").read_bytes()
    full_log = (full / "access_log.csv").read_bytes()
    assert full_log.startswith(first_log)
    added = full_log[len(first_log) :].decode().splitlines()
    assert [line.split(",")[6] for line in added] == ["tenant_imported", "tenant_exported"]


@pytest.mark.req("j1410", "j1370")
def test_chain_from_another_tenant_id_is_relinked_and_verifies(template: Path, tmp_path: Path) -> None:
    plan = PersonPlan("山田", "花子", "ヤマダ", True, None, None, "世帯主", False, [], 1)
    first, second, target = _round_trip(template, tmp_path, [[plan]], "jsonl", target_tenant=TENANT_ID + 5)

    with unit_of_work(target, system_actor(TENANT_ID + 5)) as uow:
        assert verify_chain(uow.session, TENANT_ID + 5).ok
    same = {name for name, data in files_of(first).items() if files_of(second)[name] == data}
    assert same == set(files_of(first)) - {"access_log.jsonl"}
