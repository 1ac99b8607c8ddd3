"""A certificate prints 氏名 and 通称 as the 住民票 records them, each in its own item and 氏名 first, whatever the
氏名優先区分 says (j20, j190): the record's order of the one rule ``handlers.rules.names``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers.certificates.catalog import TYPES
from handlers.certificates.content import person_cells
from handlers.certificates.options import CertificateOptions

pytestmark = pytest.mark.req("j190", "j20", "j1000")


def foreign(**items: Any) -> dict[str, Any]:
    return {
        "atena_number": "000000000018", "resident_kind": "foreign", "status": "resident", "name_alphabet": "KIM ICHIRO",
        "family_name": "金", "given_name": "一郎", "family_name_kana": "キム", "given_name_kana": "イチロウ",
        "birth_date": "1980-04-01", "sex": "1", "relation_to_head": "世帯主", "became_resident_date": "2020-04-01",
        "address_set_date": "2020-04-01", "household_address": "神奈川県横浜市中区港町1丁目1番地",
        "foreign_resident_date": "2020-04-01", "nationality": "韓国", **items,
    }  # fmt: skip


@pytest.mark.parametrize("priority", ["alias", "name", None])
def test_the_name_comes_first_then_the_former_surname_then_the_alias(priority: str | None) -> None:
    person = foreign(alias="金田\u3000一郎", alias_kana="カネダ イチロウ", name_priority=priority,
                     former_surname="朴", former_surname_kana="パク")  # fmt: skip
    options = CertificateOptions(include_kana=True)
    cells = person_cells(person, TYPES["copy_individual"], options, dt.date(2026, 11, 27))
    names = [(c.label, c.text) for c in cells if c.field in {"name", "former_surname", "alias"}]
    assert names == [
        ("氏名", "KIM ICHIRO\u3000金\u3000一郎\u3000（キム\u3000イチロウ）"),
        ("旧氏", "朴\u3000（パク）"),
        ("通称", "金田\u3000一郎\u3000（カネダ イチロウ）"),
    ]


def test_without_an_alias_there_is_no_alias_item() -> None:
    cells = person_cells(
        foreign(name_priority="alias"), TYPES["copy_individual"], CertificateOptions(), dt.date(2026, 11, 27)
    )
    assert [c.field for c in cells if c.field in {"name", "alias"}] == ["name"]
