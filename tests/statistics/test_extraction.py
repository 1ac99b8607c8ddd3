"""Generic extraction (EUC, j1360) and sampling (j1330): operators, wizard, 除票, outputs parsed back,
suppression and the access log."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

import models
from handlers.context import Actor
from handlers.errors import ValidationError
from handlers.extraction import create_extraction_job, run_extraction_job, wizard_conditions
from handlers.extraction.conditions import parse_conditions
from handlers.removed_records.archive import archive_old_removed_records
from handlers.uow import unit_of_work
from models import AccessLog, ExtractionJob


def _run(db, actor, conditions, output="csv_utf8", **options):  # type: ignore[no-untyped-def]
    with unit_of_work(db, actor) as uow:
        job = create_extraction_job(uow, conditions, output, reference_date=dt.date(2024, 12, 31), **options)
    run_extraction_job(db, actor.tenant_id, job.id)
    with unit_of_work(db, actor) as uow:
        done = uow.session.get(ExtractionJob, job.id)
        assert done is not None and done.status == "done", done and done.error
        uow.session.expunge(done)
    return done


def _csv_rows(job: ExtractionJob, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    assert job.result is not None
    return list(csv.DictReader(io.StringIO(job.result.decode(encoding))))


def _numbers(rows: list[dict[str, str]]) -> set[str]:
    return {r["宛名番号"] for r in rows}


OPERATOR_CASES = [
    ({"field": "sex", "op": "eq", "value": "2"}, {"foreign", "newborn"}),
    ({"field": "sex", "op": "ne", "value": "2"}, {"present"}),
    ({"field": "birth_date", "op": "lt", "value": "1990-01-01"}, {"present"}),
    ({"field": "birth_date", "op": "le", "value": "1995-03-03"}, {"present", "foreign"}),
    ({"field": "birth_date", "op": "gt", "value": "1995-03-03"}, {"newborn"}),
    ({"field": "birth_date", "op": "ge", "value": "2000-07-01"}, {"newborn"}),
    ({"field": "birth_date", "op": "between", "value": ["1990-01-01", "2001-01-01"]}, {"foreign"}),
    ({"field": "age", "op": "between", "value": [20, 30]}, {"foreign"}),
    ({"field": "age", "op": "lt", "value": 1}, {"newborn"}),
    ({"field": "resident_kind", "op": "in", "value": ["foreign"]}, {"foreign"}),
    ({"field": "address", "op": "prefix", "value": "神奈川県横浜市中区港町"}, {"present"}),
    ({"field": "name_alphabet", "op": "contains", "value": "THI"}, {"foreign"}),
    ({"field": "nationality", "op": "not_null"}, {"foreign"}),
    ({"field": "nationality", "op": "is_null"}, {"present", "newborn"}),
    ({"any": [{"field": "sex", "op": "eq", "value": "2"}, {"field": "age", "op": "ge", "value": 40}]},
     {"foreign", "newborn", "present"}),
    ({"changed": {"category": "birth", "start": "2024-01-01", "end": "2024-12-31"}}, {"newborn"}),
]  # fmt: skip


@pytest.mark.req("j1360")
@pytest.mark.parametrize(("conditions", "expected"), OPERATOR_CASES)
def test_each_operator_selects_the_expected_persons(db, small_register, analyst_a, conditions, expected):
    job = _run(db, analyst_a, conditions)
    names = {small_register[k].atena_number: k for k in small_register}
    assert {names[n] for n in _numbers(_csv_rows(job))} == expected


@pytest.mark.req("j1360")
def test_removed_records_are_included_only_when_asked_live_and_archived(db, small_register, analyst_a):
    with unit_of_work(db, Actor.system(analyst_a.tenant_id)) as uow:
        archive_old_removed_records(uow, today=dt.date(2030, 1, 1))  # moved_out (2023) and leaving (2024)
    women = {"field": "sex", "op": "eq", "value": "2"}
    without = _numbers(_csv_rows(_run(db, analyst_a, women)))
    with_removed = _csv_rows(_run(db, analyst_a, women, include_removed=True))
    moved_out = small_register["moved_out"].atena_number
    assert moved_out not in without
    assert moved_out in _numbers(with_removed)
    assert {r["格納先"] for r in with_removed if r["宛名番号"] == moved_out} == {"除票用DB"}
    removed = {"changed": {"category": "move_out", "start": "2023-01-01", "end": "2023-12-31"}}
    assert _numbers(_csv_rows(_run(db, analyst_a, removed, include_removed=True))) == {moved_out}


@pytest.mark.req("j1360")
def test_the_wizard_builds_conditions_a_non_expert_answers(db, small_register, analyst_a):
    conditions = wizard_conditions({"age_min": "20", "age_max": "40", "resident_kind": "foreign", "sex": "2"})
    job = _run(db, analyst_a, conditions)
    assert _numbers(_csv_rows(job)) == {small_register["foreign"].atena_number}
    flagged = wizard_conditions({"area": "神奈川県横浜市中区"}, flags=["nhi"])
    assert _run(db, analyst_a, flagged, output="count").row_count == 0


@pytest.mark.req("j1360")
def test_bad_conditions_are_refused_in_japanese(db, small_register, analyst_a):
    for bad in ({"field": "nope", "op": "eq", "value": 1}, {"field": "sex", "op": "prefix", "value": "1"},
                {"field": "birth_date", "op": "eq", "value": "昨日"}):  # fmt: skip
        with pytest.raises(ValidationError) as err:
            parse_conditions(bad)
        assert err.value.problems[0].item == "抽出条件"


@pytest.mark.req("j1360")
def test_exports_parse_back_shift_jis_csv_xml_and_label_pdf(db, small_register, analyst_a, tmp_path):
    everyone = {"all": []}
    sjis = _csv_rows(_run(db, analyst_a, everyone, output="csv_sjis"), encoding="cp932")
    assert len(sjis) == 3 and {r["氏名"] for r in sjis} >= {"山田 太郎", "NGUYEN THI AN"}
    xml = _run(db, analyst_a, everyone, output="xml")
    people = ET.fromstring(xml.result).findall("person")  # type: ignore[arg-type]
    assert len(people) == 3
    labels = _run(db, analyst_a, {"field": "atena_number", "op": "eq", "value": small_register["present"].atena_number},
                  output="labels_pdf")  # fmt: skip
    pdf = tmp_path / "labels.pdf"
    pdf.write_bytes(labels.result or b"")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "山田 太郎 様" in text and "港町1丁目1番地" in text and "〒231-0017" in text


def _protect(setup_session, person: models.Resident) -> None:  # type: ignore[no-untyped-def]
    measure = models.SupportMeasure(tenant_id=person.tenant_id, status="in_force", provisional=False)
    setup_session.add(measure)
    setup_session.flush()
    setup_session.add(models.SupportMeasureParty(tenant_id=person.tenant_id, measure_id=measure.id, role="applicant",
                                                 atena_number=person.atena_number, name="山田 太郎"))  # fmt: skip
    setup_session.flush()


@pytest.mark.req("j1360", "j410")
def test_protected_persons_are_left_out_of_lists_and_the_run_is_logged(
    db, setup_session, small_register, analyst_a
):
    _protect(setup_session, small_register["present"])
    job = _run(db, analyst_a, {"all": []})
    assert small_register["present"].atena_number not in _numbers(_csv_rows(job))
    assert job.excluded_protected == 1 and job.row_count == 2
    with unit_of_work(db, analyst_a) as uow:
        log = uow.session.scalars(select(AccessLog).where(AccessLog.function == "extraction_run")).one()
        decided = uow.session.scalars(
            select(AccessLog).where(AccessLog.function == "disclosure_decided")
        ).all()
    assert (
        log.action == "export"
        and log.detail["count"] == 2
        and log.detail["conditions"]["tree"] == {"all": []}
    )
    assert small_register["present"].atena_number not in log.targets and len(log.targets) == 2
    assert "my_number" not in str(log.detail) and decided


@pytest.mark.req("j1360", "j1330", "j410")
@pytest.mark.parametrize("sample", [None, {"count": 10, "seed": 3}])
def test_the_protected_persons_household_is_left_out_of_extractions_and_samples(
    db, setup_session, small_register, analyst_a, sample
):
    from tests import factories

    present = small_register["present"]
    member = factories.make_resident_row(setup_session, present.household, number=106, given_name="同居")
    _protect(setup_session, present)
    job = _run(db, analyst_a, {"all": []}, sample=sample)
    rows = _csv_rows(job)
    assert _numbers(rows).isdisjoint({present.atena_number, member.atena_number})
    assert {r["世帯番号"] for r in rows}.isdisjoint({present.household.household_number})
    assert not any("港町1丁目1番地" in r["住所"] for r in rows), "the protected address is in no row"
    assert job.excluded_protected == 2 and job.row_count == 2


@pytest.mark.req("j1360")
def test_the_support_officer_with_extraction_rights_sees_protected_persons(
    db, setup_session, small_register, users_a
):
    from tests import factories

    _protect(setup_session, small_register["present"])
    user = users_a["analyst"]
    user.roles = ["analyst", "support_officer"]
    setup_session.flush()
    job = _run(db, factories.actor_for(user), {"all": []})
    assert job.excluded_protected == 0 and job.row_count == 3


@pytest.mark.req("j1330")
def test_random_sampling_is_reproducible_with_the_seed(db, small_register, analyst_a):
    japanese = {"field": "resident_kind", "op": "eq", "value": "japanese"}
    first = _numbers(_csv_rows(_run(db, analyst_a, japanese, sample={"count": 2, "seed": 7})))
    again = _numbers(_csv_rows(_run(db, analyst_a, japanese, sample={"count": 2, "seed": 7})))
    assert first == again and len(first) == 2
    assert small_register["foreign"].atena_number not in first
