"""広域交付 rules (j1210) as tables: who may ask, the 本人確認 and the person's identification the counter must
record, and the items a 広域交付 copy may carry whatever the register holds."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.rules.wide_area import carried_snapshot, counter_problems, person_problems
from tests.factories import wide_area_fields

pytestmark = pytest.mark.req("j1210")
SNAPSHOT = {
    "atena_number": "0000000019", "household_number": "0000000027", "family_name": "山田", "given_name": "太郎",
    "birth_date": "1980-04-01", "household_address": "神奈川県横浜市中区港町1丁目1番地", "honseki": "東京都千代田区",
    "hittosha": "山田 太郎", "my_number": "123456789018", "resident_code": "50000000024", "head_name": "山田 太郎",
    "relation_to_head": "世帯主", "resident_kind": "japanese",
}  # fmt: skip


@pytest.mark.parametrize(
    ("head", "code", "expected_extra"),
    [
        (False, False, set()),
        (True, False, {"head_name", "relation_to_head"}),
        (False, True, {"resident_code"}),
    ],
)
def test_a_wide_area_copy_never_carries_honseki_nor_my_number(
    head: bool, code: bool, expected_extra: set[str]
) -> None:
    carried = carried_snapshot(SNAPSHOT, head=head, resident_code=code)
    assert not {"honseki", "hittosha", "my_number", "atena_number", "household_number"} & set(carried)
    assert set(carried) == {
        "family_name",
        "given_name",
        "birth_date",
        "household_address",
        "resident_kind",
    } | (expected_extra)


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({}, set()),
        ({"relation": "agent"}, {"relation"}),
        ({"relation": "third_party"}, {"relation"}),
        ({"id_document": ""}, {"id_document"}),
        ({"id_document": "health_insurance_card"}, {"id_document"}),  # no photo: not accepted
        ({"home_code": "202118"}, {"home_code"}),  # a resident of this municipality
        ({"home_code": "14100"}, {"home_code"}),
        ({"home_code": "２０２１１８"}, {"home_code"}),  # full-width: still this municipality
        ({"home_code": "999999"}, {"home_code"}),  # its check digit disagrees: no such municipality
        ({"certificate_type": "removed_copy"}, {"certificate_type"}),
        ({"requester_name": ""}, {"requester_name"}),
    ],
)
def test_the_counter_records_who_asks_and_the_photo_identity_document(
    overrides: dict[str, Any], fields: set[str]
) -> None:
    assert {p.field for p in counter_problems(wide_area_fields(**overrides), "202118")} == fields


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({}, set()),
        ({"resident_code": "50000000024", "name": "", "birth_date": "", "address": ""}, set()),
        ({"resident_code": "5000", "name": ""}, {"resident_code"}),
        ({"name": ""}, {"name"}),
        ({"address": "", "birth_date": ""}, {"address", "birth_date"}),
        ({"birth_date": "2026-02-30"}, {"birth_date"}),
    ],
)
def test_the_person_is_named_by_resident_code_or_by_name_birth_date_and_address(
    overrides: dict[str, Any], fields: set[str]
) -> None:
    person: dict[str, Any] = {}
    assert {p.field for p in person_problems(wide_area_fields(**overrides), person)} == fields
