"""Pure rules of the household flows: the head leaving (j490, j500) and 転出 (j640, j650, j660, j670)."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.rules.head_leaving import (
    DISSOLVED,
    EX_OFFICIO_HEAD,
    HEAD_UNSET,
    NOTHING,
    head_leaving,
    head_leaving_alert,
)
from handlers.rules.move_out import (
    CERTIFICATE,
    CERTIFICATE_EQUIVALENT,
    is_ex_officio,
    move_out_documents,
    municipality,
    removal_date,
)

D = dt.date


@pytest.mark.req("j490", "j500")
@pytest.mark.parametrize(
    ("head", "leaving", "staying", "outcome", "new_head"),
    [
        ("H", ["H", "W", "C"], [], DISSOLVED, None),
        ("H", ["C"], ["H", "W"], NOTHING, None),
        (None, ["C"], ["W"], NOTHING, None),
        ("H", ["H"], ["W"], EX_OFFICIO_HEAD, "W"),
        ("H", ["H", "C"], ["W"], EX_OFFICIO_HEAD, "W"),
        ("H", ["H"], ["W", "C"], HEAD_UNSET, None),
    ],
)
def test_the_head_leaving_makes_the_one_member_left_head_or_asks_for_a_head_change(
    head: str | None, leaving: list[str], staying: list[str], outcome: str, new_head: str | None
) -> None:
    result = head_leaving(head, leaving, staying)
    assert (result.outcome, result.new_head) == (outcome, new_head)
    assert result.needs_alert == (outcome == HEAD_UNSET)


@pytest.mark.req("j490", "j1440")
def test_the_head_leaving_alert_names_the_item_the_reason_and_the_remedy() -> None:
    alert = head_leaving_alert(2)
    assert alert.level == "alert" and alert.code == "head_leaving"
    assert "2人" in alert.reason and "世帯主変更" in alert.remedy


@pytest.mark.req("j640")
@pytest.mark.parametrize(
    ("moved", "notified", "ex_officio"),
    [
        (D(2026, 3, 1), D(2026, 3, 15), False),  # the 14th day
        (D(2026, 3, 1), D(2026, 3, 16), True),
        (D(2026, 3, 20), D(2026, 3, 1), False),  # planned (future) move
        (D(2026, 3, 1), D(2026, 3, 1), False),
    ],
)
def test_a_move_out_notified_more_than_14_days_after_the_move_is_ex_officio(
    moved: dt.date, notified: dt.date, ex_officio: bool
) -> None:
    assert is_ex_officio(moved, notified) is ex_officio


@pytest.mark.req("j660", "j670")
@pytest.mark.parametrize(
    ("ex_officio", "special", "documents"),
    [
        (False, False, [CERTIFICATE]),
        (True, False, [CERTIFICATE_EQUIVALENT]),
        (False, True, []),
    ],
)
def test_move_out_documents(ex_officio: bool, special: bool, documents: list[str]) -> None:
    assert move_out_documents(ex_officio=ex_officio, special=special) == documents


@pytest.mark.req("j50", "j680")
@pytest.mark.parametrize(
    ("planned", "confirmed", "removal"),
    [
        (D(2026, 4, 1), None, D(2026, 4, 1)),
        (D(2026, 4, 1), D(2026, 3, 28), D(2026, 3, 28)),
        (D(2026, 4, 1), D(2026, 4, 5), D(2026, 4, 1)),
    ],
)
def test_removal_date_is_the_earlier_of_planned_and_confirmed(
    planned: dt.date, confirmed: dt.date | None, removal: dt.date
) -> None:
    assert removal_date(planned, confirmed) == removal


@pytest.mark.req("j650")
@pytest.mark.parametrize(
    ("code", "name"),
    [("202177", "長野県佐久市"), ("131016", "東京都千代田区"), ("130001", None), ("999999", None)],
)
def test_destination_municipality_comes_from_the_jis_x_0402_list(code: str, name: str | None) -> None:
    found = municipality(code)
    assert (found.name if found else None) == name
