"""世帯主との続柄 (j110)."""

from __future__ import annotations

import pytest

from handlers.rules.relationship import (
    BASE_RELATIONS,
    is_allowed_relationship,
    normalize_relationship,
    relationship_links,
    relationship_problem,
)


@pytest.mark.req("j110")
@pytest.mark.parametrize(
    "text",
    [
        "世帯主",
        "縁故者",
        "同居人",
        *BASE_RELATIONS,
        "子の子",
        "妻の父",
        "妻の母",
        "父の兄",
        "子の子の子",
        "子の子の子の子",
        "妻の父の父の母",
        "子（子の妻）の子",
        "子の妻（未届）",
        "子(子の夫)",
        "妻(未届)",
        " 妻の 父 ",
    ],
)
def test_standard_relationships_are_allowed(text: str) -> None:
    assert is_allowed_relationship(text)
    assert relationship_problem(text) is None


@pytest.mark.req("j110")
@pytest.mark.parametrize(
    "text",
    [
        "祖父",
        "祖母",
        "孫",
        "おじ",
        "おば",
        "甥",
        "姪",
        "準世帯主",
        "家事使用人",
        "長男",
        "子の子の子の子の子",
        "妻の父の父の母の兄",
        "子の",
        "の子",
        "子のの子",
        "世帯主の子",
        "縁故者の子",
        "同居人の妻",
        "子（子の子）",
        "妻（未届け）",
        "",
    ],
)
def test_relationships_outside_the_standard_are_refused(text: str) -> None:
    assert not is_allowed_relationship(text)
    problem = relationship_problem(text)
    assert problem is not None
    assert (problem.field, problem.item) == ("relation_to_head", "続柄")
    assert problem.reason
    assert problem.remedy


@pytest.mark.req("j110", "j1440")
@pytest.mark.parametrize(
    ("text", "code", "remedy_part"),
    [
        ("子の子の子の子の子", "relationship_too_long", "「縁故者」と記載"),
        ("孫", "relationship_not_allowed", "「子の子」"),
        ("祖父", "relationship_not_allowed", "「父の父」"),
        ("家事使用人", "relationship_not_allowed", "「同居人」"),
        ("おじさん", "relationship_not_allowed", "標準の続柄"),
        ("", "required", "続柄を入力"),
    ],
)
def test_refusal_explains_the_remedy_in_japanese(text: str, code: str, remedy_part: str) -> None:
    problem = relationship_problem(text, field="relation")
    assert problem is not None
    assert problem.field == "relation"
    assert problem.code == code
    assert remedy_part in problem.remedy


@pytest.mark.req("j110")
@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("子", ("子",)),
        ("妻の父", ("妻", "父")),
        ("子（子の妻）", ("子（子の妻）",)),
        ("子（子の妻）の子", ("子（子の妻）", "子")),
        ("子の子の子の子の子", ("子",) * 5),
        ("祖父", None),
        ("世帯主", None),
    ],
)
def test_a_chain_splits_into_its_base_relations(text: str, links: tuple[str, ...] | None) -> None:
    assert relationship_links(text) == links


@pytest.mark.req("j110")
@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("妻(未届)", "妻（未届）"),
        ("子(子の夫)", "子（子の夫）"),
        ("妻 の 父", "妻の父"),
        ("世帯主", "世帯主"),
    ],
)
def test_normalization_uses_full_width_parentheses(text: str, normalized: str) -> None:
    assert normalize_relationship(text) == normalized
