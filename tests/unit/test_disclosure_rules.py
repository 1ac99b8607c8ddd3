"""Pure disclosure rules (j410, j440): perpetrator matching with kana folding, and the order of the rules."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.rules.disclosure import (
    ActiveSuppression,
    DisclosureFacts,
    DisclosureRequest,
    Identity,
    Perpetrator,
    Requester,
    decide,
    identity_matches,
)

BIRTH = dt.date(1975, 5, 5)
SAITO = Perpetrator(
    1, "0000004141", "斎藤 太郎", "サイトタロ", BIRTH
)  # kana_key = fold_kana("サイトウ タロウ")
NAMELESS_KANA = Perpetrator(2, None, "斎藤 太郎", "", BIRTH)


@pytest.mark.req("j440")
@pytest.mark.parametrize(
    ("identity", "perpetrator", "matches"),
    [
        (Identity(atena_number="0000004141"), SAITO, True),
        (Identity(atena_number="0000004150"), SAITO, False),
        (Identity(kana="サイトー　タロー", birth_date=BIRTH), SAITO, True),
        (Identity(kana="さいとう たろう", birth_date=BIRTH), SAITO, True),
        (Identity(kana="ｻｲﾄｳ ﾀﾛｳ", birth_date=BIRTH), SAITO, True),
        (Identity(kana="サイトウ タロウ", birth_date=dt.date(1975, 5, 6)), SAITO, False),
        (Identity(kana="サイトウ タロウ"), SAITO, False),  # no birth date: name alone is not enough
        (Identity(name="齋藤太郎", birth_date=BIRTH), NAMELESS_KANA, True),
        (
            Identity(name="斉藤 太郎", birth_date=BIRTH),
            NAMELESS_KANA,
            True,
        ),  # folded like search: the safe side
        (Identity(name="佐藤 太郎", birth_date=BIRTH), NAMELESS_KANA, False),
        (Identity(name="", kana="", birth_date=BIRTH), NAMELESS_KANA, False),
        (None, SAITO, False),
    ],
)
def test_perpetrator_matching(identity: Identity | None, perpetrator: Perpetrator, matches: bool) -> None:
    assert identity_matches(identity, perpetrator) is matches


def _request(
    kind: str = "third_party", items: tuple[str, ...] = (), purpose: str = "certificate"
) -> DisclosureRequest:
    return DisclosureRequest(
        Requester(kind, Identity(atena_number="0000004141")), ("0000000019",), purpose, items
    )


@pytest.mark.req("j410", "j440")
@pytest.mark.parametrize(
    ("request_", "facts", "expected"),
    [
        (_request(), DisclosureFacts(frozenset({"0000000019"}), (SAITO,), (), 9), ("refuse", "perpetrator")),
        (
            _request(items=("my_number",)),
            DisclosureFacts(frozenset({"0000000019"})),
            ("refuse", "restricted_item"),
        ),
        (
            _request("self"),
            DisclosureFacts(
                frozenset({"0000000019"}), (), (ActiveSuppression(1, "0000000019", None, "error"),)
            ),
            ("refuse", "suppressed"),
        ),
        (_request("self"), DisclosureFacts(frozenset({"0000000019"}), (), (), 9), ("allow", "released")),
        (_request("self"), DisclosureFacts(frozenset({"0000000019"})), ("needs_release", "protected")),
        (
            _request("other_municipality"),
            DisclosureFacts(frozenset({"0000000019"}), (), (), 9),
            ("refuse", "protected_remote"),
        ),
        (_request("self", purpose="inquiry"), DisclosureFacts(frozenset({"0000000019"})), ("allow", "ok")),
        (_request("self"), DisclosureFacts(), ("allow", "ok")),
    ],
)
def test_the_first_rule_that_applies_wins(
    request_: DisclosureRequest, facts: DisclosureFacts, expected: tuple[str, str]
) -> None:
    decision = decide(request_, facts)
    assert (decision.outcome, decision.reason_code) == expected
    assert decision.release_id == (9 if expected[1] == "released" else None)
