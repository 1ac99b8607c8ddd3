"""氏名 and 通称 in the order each use shows them: the one rule of the 氏名優先区分 (j20 管理項目, j190).

A foreign resident may have a 通称 recorded (j20) and, where the municipality keeps the 氏名優先区分 (option
``name_priority_for_mail``, j190: 「郵便物の送付先の記載として通称のみを希望するか、本名のみを希望するか」), says which
of the two is used.  A Japanese resident, or a foreign one without a 通称, has the 氏名 alone.

- ``record`` (a certificate — 住民票の写し, 記載事項証明書, 除票の写し): the 住民票's items as they stand, 氏名 then
  通称, whatever the 氏名優先区分: a copy of the record does not reorder it.
- ``display`` (a list or notice that names the person: a kiosk's member list, the persons a notice concerns): the
  通称 first when the 氏名優先区分 says 通称 and the municipality keeps it, the other after it.
- ``mail`` (the addressee of a notice sent to the person): one name only — the 通称 alone when the 氏名優先区分
  says 通称 and the municipality keeps it, else the 氏名 alone.

The callers format each name as their output prints it (a certificate's alphabet name before the kanji one, kana
in parentheses) and hand the texts in; this module only decides which comes first and what is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

USES = ("record", "display", "mail")
ALIAS_FIRST = "alias"  # the 氏名優先区分 value that puts the 通称 first (models.Resident.name_priority)


@dataclass(frozen=True)
class PersonNames:
    name: str  # 氏名, as the output prints it
    alias: str = ""  # 通称, "" when none is recorded
    priority: str | None = None  # 氏名優先区分: "name", "alias" or None (not set)


@dataclass(frozen=True)
class NameLine:
    item: str  # "name" (氏名) or "alias" (通称)
    text: str


def names_in_order(person: PersonNames, use: str, *, priority_kept: bool) -> tuple[NameLine, ...]:
    """The person's 氏名 and 通称 as ``use`` shows them (see the module); ``priority_kept``: the municipality
    keeps the 氏名優先区分 (option ``name_priority_for_mail``)."""
    if use not in USES:
        raise ValueError(f"unknown use of the names: {use}")
    lines = [NameLine("name", person.name)]
    if person.alias:
        lines.append(NameLine("alias", person.alias))
    if use != "record" and priority_kept and person.priority == ALIAS_FIRST and person.alias:
        lines.reverse()
    return tuple(lines[:1]) if use == "mail" else tuple(lines)


def display_names(person: PersonNames, *, priority_kept: bool) -> list[str]:
    """The name lines of a list or notice that names the person, in the order of the 氏名優先区分."""
    return [line.text for line in names_in_order(person, "display", priority_kept=priority_kept)]


def names_on_one_line(person: PersonNames, *, priority_kept: bool) -> str:
    """The display names on one line: the first, the other in parentheses (「金田　一郎（KIM ILRANG）」)."""
    first, *rest = display_names(person, priority_kept=priority_kept)
    return f"{first}（{rest[0]}）" if rest else first


def mail_name(person: PersonNames, *, priority_kept: bool) -> str:
    """The one name a notice is addressed to (j190)."""
    return names_in_order(person, "mail", priority_kept=priority_kept)[0].text
