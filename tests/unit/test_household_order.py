"""世帯員の並び順 (j1010)."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.rules.household_order import MemberOrderInfo, order_members

Row = tuple[str, str, str | None] | tuple[str, str, str | None, str]


def _members(rows: list[Row]) -> list[MemberOrderInfo]:
    """Rows (宛名番号, 続柄, birth 'YYYY-MM-DD' or None[, family_of]) in the order given = current order."""
    members = []
    for index, row in enumerate(rows, start=1):
        atena, relation, birth = row[0], row[1], row[2]
        family_of = row[3] if len(row) == 4 else None
        born = dt.date.fromisoformat(birth) if birth else None
        members.append(MemberOrderInfo(atena, relation, born, index, family_of))
    return members


CASES: dict[str, tuple[list[Row], list[str]]] = {
    "head, spouse, children by birth date": (
        [
            ("c2", "子", "2005-01-01"),
            ("w", "妻", "1972-01-01"),
            ("c1", "子", "2003-01-01"),
            ("h", "世帯主", "1970-01-01"),
        ],
        ["h", "w", "c1", "c2"],
    ),
    "twins by 宛名番号": (
        [
            ("0000000200", "子", "2003-05-05"),
            ("0000000100", "子", "2003-05-05"),
            ("h", "世帯主", "1970-01-01"),
        ],
        ["h", "0000000100", "0000000200"],
    ),
    "unregistered spouse is a spouse": (
        [("c", "子", "2003-01-01"), ("w", "妻（未届）", "1972-01-01"), ("h", "世帯主", "1970-01-01")],
        ["h", "w", "c"],
    ),
    "a child with a family moves to group 2 behind the single children": (
        [
            ("gc", "子の子", "2000-01-01", "c1"),
            ("c1w", "子の妻", "1972-01-01", "c1"),
            ("c2", "子", "1975-01-01"),
            ("c1", "子", "1970-01-01"),
            ("w", "妻", "1945-01-01"),
            ("h", "世帯主", "1944-01-01"),
        ],
        ["h", "w", "c2", "c1", "c1w", "gc"],
    ),
    "families in the order of the children's birth dates": (
        [
            ("c2k", "子の子", "2005-01-01", "c2"),
            ("c2", "子", "1975-01-01"),
            ("c1k2", "子の子", "2004-01-01", "c1"),
            ("c1k1", "子の子", "2001-01-01", "c1"),
            ("c1", "子", "1970-01-01"),
            ("c2h", "子（子の夫）", "1974-01-01", "c2"),
            ("h", "世帯主", "1944-01-01"),
        ],
        ["h", "c1", "c1k1", "c1k2", "c2", "c2h", "c2k"],
    ),
    "a grandchild without a known parent follows the known families": (
        [
            ("gk", "子の子", "2010-01-01"),
            ("c1k", "子の子", "2001-01-01", "c1"),
            ("c1", "子", "1970-01-01"),
            ("h", "世帯主", "1944-01-01"),
        ],
        ["h", "c1", "c1k", "gk"],
    ),
    "child's spouse and grandchild without family_of": (
        [
            ("gc", "子の子", "2000-01-01"),
            ("cw", "子の妻", "1972-01-01"),
            ("c", "子", "1970-01-01"),
            ("h", "世帯主", "1944-01-01"),
        ],
        ["h", "c", "cw", "gc"],
    ),
    "group 3: father, mother, siblings, grandparents": (
        [
            ("mm", "母の母", "1920-01-01"),
            ("ff", "父の父", "1918-01-01"),
            ("fm", "父の母", "1915-01-01"),
            ("ys", "妹", "1975-01-01"),
            ("ob", "兄", "1968-01-01"),
            ("m", "母", "1942-01-01"),
            ("f", "父", "1944-01-01"),
            ("h", "世帯主", "1970-01-01"),
        ],
        ["h", "f", "m", "ob", "ys", "ff", "fm", "mm"],
    ),
    "group 4: spouse's relatives as in group 3, then other relatives, 縁故者, 同居人": (
        [
            ("lod", "同居人", "1990-01-01"),
            ("ok", "縁故者", "1995-01-01"),
            ("nephew", "兄の子", "1999-01-01"),
            ("wyb", "妻の弟", "1978-01-01"),
            ("wob", "妻の兄", "1976-01-01"),
            ("wm", "妻の母", "1948-01-01"),
            ("wf", "妻の父", "1950-01-01"),
            ("m", "母", "1942-01-01"),
            ("w", "妻", "1974-01-01"),
            ("h", "世帯主", "1970-01-01"),
        ],
        ["h", "w", "m", "wf", "wm", "wob", "wyb", "nephew", "ok", "lod"],
    ),
    "spouse's twin siblings by 宛名番号 (example 2)": (
        [
            ("1240000067", "妻の姉", "1976-01-01"),
            ("1230000045", "妻の兄", "1976-01-01"),
            ("h", "世帯主", "1970-01-01"),
        ],
        ["h", "1230000045", "1240000067"],
    ),
    "a relative's family follows the relative": (
        [
            ("obk", "兄の子", "2000-01-01", "ob"),
            ("obw", "兄の妻", "1969-01-01", "ob"),
            ("wob", "妻の兄", "1960-01-01"),
            ("ob", "兄", "1968-01-01"),
            ("ok", "縁故者", "1950-01-01"),
            ("h", "世帯主", "1970-01-01"),
        ],
        ["h", "ob", "obw", "obk", "wob", "ok"],
    ),
    "縁故者 and 同居人 by birth date; unknown birth dates last": (
        [
            ("l2", "同居人", None),
            ("l1", "同居人", "1990-01-01"),
            ("o2", "縁故者", "1999-01-01"),
            ("o1", "縁故者", "1980-01-01"),
            ("h", "世帯主", "1970-01-01"),
        ],
        ["h", "o1", "o2", "l1", "l2"],
    ),
    "no head (世帯主 unset, j100)": (
        [("c", "子", "2000-01-01"), ("w", "妻", "1972-01-01")],
        ["w", "c"],
    ),
    "half-width parentheses are read": (
        [("c", "子", "2000-01-01"), ("w", "妻(未届)", "1972-01-01"), ("h", "世帯主", "1970-01-01")],
        ["h", "w", "c"],
    ),
}


@pytest.mark.req("j1010")
@pytest.mark.parametrize(("rows", "expected"), list(CASES.values()), ids=list(CASES))
def test_members_follow_the_standards_household_order(rows: list[Row], expected: list[str]) -> None:
    assert [m.atena_number for m in order_members(_members(rows))] == expected


@pytest.mark.req("j1010")
@pytest.mark.parametrize(("rows", "expected"), list(CASES.values()), ids=list(CASES))
def test_order_does_not_depend_on_the_input_order(rows: list[Row], expected: list[str]) -> None:
    members = _members(rows)
    assert [m.atena_number for m in order_members(list(reversed(members)))] == expected


@pytest.mark.req("j1010")
def test_no_member_is_lost_when_family_links_form_a_cycle() -> None:
    members = _members(
        [
            ("h", "世帯主", "1970-01-01"),
            ("a", "縁故者", "1980-01-01", "b"),
            ("b", "縁故者", "1981-01-01", "a"),
        ]
    )
    assert sorted(m.atena_number for m in order_members(members)) == ["a", "b", "h"]
    assert order_members(members)[0].atena_number == "h"


@pytest.mark.req("j1010")
def test_a_family_link_to_someone_outside_the_household_is_ignored() -> None:
    members = _members([("c", "子", "2000-01-01", "gone"), ("h", "世帯主", "1970-01-01")])
    assert [m.atena_number for m in order_members(members)] == ["h", "c"]
