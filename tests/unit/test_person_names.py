"""The one rule of the 氏名優先区分 (j20, j190; handlers.rules.names): which of 氏名 and 通称 comes first, and
what a notice is addressed to, for each kind of person and each use."""

from __future__ import annotations

import pytest

from handlers.rules.names import PersonNames, display_names, mail_name, names_in_order, names_on_one_line

pytestmark = pytest.mark.req("j190", "j20")

JAPANESE = PersonNames("山田 太郎")
FOREIGN_NO_ALIAS = PersonNames("SMITH JOHN", priority="alias")  # a 通称 deleted: nothing to put first
WITH_ALIAS = {
    priority: PersonNames("KIM ILRANG 金 一郎", "金田 一郎", priority) for priority in ("alias", "name", None)
}
NAME, ALIAS = "KIM ILRANG 金 一郎", "金田 一郎"


@pytest.mark.parametrize(
    ("person", "kept", "record", "display", "mail"),
    [
        (JAPANESE, True, ["山田 太郎"], ["山田 太郎"], "山田 太郎"),
        (JAPANESE, False, ["山田 太郎"], ["山田 太郎"], "山田 太郎"),
        (FOREIGN_NO_ALIAS, True, ["SMITH JOHN"], ["SMITH JOHN"], "SMITH JOHN"),
        (WITH_ALIAS["alias"], True, [NAME, ALIAS], [ALIAS, NAME], ALIAS),
        (WITH_ALIAS["alias"], False, [NAME, ALIAS], [NAME, ALIAS], NAME),  # the municipality keeps no 区分
        (WITH_ALIAS["name"], True, [NAME, ALIAS], [NAME, ALIAS], NAME),
        (WITH_ALIAS[None], True, [NAME, ALIAS], [NAME, ALIAS], NAME),  # not set: the 氏名
    ],
    ids=["japanese", "japanese-not-kept", "foreign-no-alias", "alias-first", "alias-first-not-kept",
         "name-first", "not-set"],
)  # fmt: skip
def test_each_use_orders_the_names_by_the_one_rule(
    person: PersonNames, kept: bool, record: list[str], display: list[str], mail: str
) -> None:
    assert [line.text for line in names_in_order(person, "record", priority_kept=kept)] == record
    assert display_names(person, priority_kept=kept) == display
    assert mail_name(person, priority_kept=kept) == mail


def test_each_line_says_which_item_it_is() -> None:
    lines = names_in_order(WITH_ALIAS["alias"], "display", priority_kept=True)
    assert [(line.item, line.text) for line in lines] == [("alias", ALIAS), ("name", NAME)]


def test_on_one_line_the_second_name_follows_in_parentheses() -> None:
    assert names_on_one_line(WITH_ALIAS["alias"], priority_kept=True) == f"{ALIAS}（{NAME}）"
    assert names_on_one_line(WITH_ALIAS["name"], priority_kept=True) == f"{NAME}（{ALIAS}）"
    assert names_on_one_line(JAPANESE, priority_kept=True) == "山田 太郎"


def test_an_unknown_use_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown use"):
        names_in_order(JAPANESE, "label", priority_kept=True)
