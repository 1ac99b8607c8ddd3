"""世帯主との続柄 (j110): the only values the standard allows.

① 世帯主; ② the base relations; ③ up to 4 base relations joined by 「の」 (子の子の子の子); ④ 縁故者; ⑤ 同居人.
A relation that needs 5 or more links is written 縁故者.  Anything else (祖父, 孫, おじ, 甥, 準世帯主, 家事使用人 …)
must not be stored.
"""

from __future__ import annotations

import re

from handlers.errors import Problem

HEAD = "世帯主"
OTHER_RELATIVE = "縁故者"
LODGER = "同居人"
STANDALONE_RELATIONS = (HEAD, OTHER_RELATIVE, LODGER)
BASE_RELATIONS = (
    "夫",
    "妻",
    "夫（未届）",
    "妻（未届）",
    "子",
    "子（子の夫）",
    "子（子の妻）",
    "父",
    "母",
    "兄",
    "姉",
    "弟",
    "妹",
)
MAX_LINKS = 4
ITEM = "続柄"

# How to write the relations people often ask for but the standard forbids (j110 実装しない機能).
FORBIDDEN_SUGGESTIONS = {
    "祖父": "「父の父」「母の父」",
    "祖母": "「父の母」「母の母」",
    "孫": "「子の子」",
    "曾孫": "「子の子の子」",
    "ひ孫": "「子の子の子」",
    "おじ": "「父の兄」「母の弟」など",
    "叔父": "「父の弟」「母の弟」など",
    "伯父": "「父の兄」「母の兄」など",
    "おば": "「父の姉」「母の妹」など",
    "叔母": "「父の妹」「母の妹」など",
    "伯母": "「父の姉」「母の姉」など",
    "甥": "「兄の子」「妹の子」など",
    "姪": "「兄の子」「姉の子」など",
    "いとこ": "「父の兄の子」など",
    "義父": "「妻の父」「夫の父」",
    "義母": "「妻の母」「夫の母」",
    "長男": "「子」",
    "長女": "「子」",
    "二男": "「子」",
    "次男": "「子」",
    "二女": "「子」",
    "次女": "「子」",
    "嫁": "「子（子の妻）」",
    "婿": "「子（子の夫）」",
    "準世帯主": "世帯主との関係を表す続柄",
    "家事使用人": "「同居人」",
    "内縁の妻": "「妻（未届）」",
    "内縁の夫": "「夫（未届）」",
}

_BASE = "|".join(re.escape(r) for r in sorted(BASE_RELATIONS, key=len, reverse=True))
_LINK = re.compile(_BASE)
_CHAIN = re.compile(rf"(?:{_BASE})(?:の(?:{_BASE}))*")
_HALF_TO_FULL = str.maketrans({"(": "（", ")": "）"})


def normalize_relationship(text: str) -> str:
    """Half-width parentheses → full-width; spaces removed."""
    return re.sub(r"[\s\u3000]+", "", text).translate(_HALF_TO_FULL)


def relationship_links(text: str) -> tuple[str, ...] | None:
    """The base relations of a chain ('妻の父' → ('妻', '父'); '子（子の妻）' → ('子（子の妻）',)), or None when the
    text is not a chain of base relations (whatever its length)."""
    normalized = normalize_relationship(text)
    if _CHAIN.fullmatch(normalized) is None:
        return None
    # Longest alternatives first, so '子（子の妻）' is one link; the joining 「の」 are skipped by findall.
    return tuple(_LINK.findall(normalized))


def is_allowed_relationship(text: str) -> bool:
    """True for 世帯主, 縁故者, 同居人, a base relation, or a chain of at most 4 base relations."""
    normalized = normalize_relationship(text)
    if normalized in STANDALONE_RELATIONS:
        return True
    links = relationship_links(normalized)
    return links is not None and len(links) <= MAX_LINKS


def relationship_problem(text: str, field: str = "relation_to_head") -> Problem | None:
    """None when the relationship may be stored; otherwise a Problem in Japanese (j110, j1440)."""
    normalized = normalize_relationship(text)
    if is_allowed_relationship(normalized):
        return None
    if not normalized:
        return Problem(
            field, ITEM, "続柄が入力されていません", "世帯主との続柄を入力してください", "required"
        )
    links = relationship_links(normalized)
    if links is not None:
        return Problem(
            field,
            ITEM,
            f"「{normalized}」は{len(links)}代の続柄です（「の」でつなげるのは{MAX_LINKS}代まで）",
            "5代以上の続柄は「縁故者」と記載してください",
            "relationship_too_long",
        )
    suggestion = FORBIDDEN_SUGGESTIONS.get(normalized)
    remedy = (
        f"{suggestion}と記載してください"
        if suggestion
        else "「世帯主」「妻」「子」「妻の父」のような標準の続柄、「縁故者」または「同居人」を入力してください"
    )
    return Problem(field, ITEM, f"「{normalized}」は続柄として使えません", remedy, "relationship_not_allowed")
