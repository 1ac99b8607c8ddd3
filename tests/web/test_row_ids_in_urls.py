"""A row number too large for any database key, in a URL or a query argument, is a page that does not exist
(404 in Japanese), never a failed statement (500)."""

from __future__ import annotations

from typing import Any

import pytest

HUGE = "99999999999999999999"
LARGEST = 2**31 - 1  # PostgreSQL's integer, the type of every key a URL names


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("administrator", f"/admin/users/{HUGE}"),
        ("administrator", f"/settings/addresses/{HUGE}"),
        ("administrator", f"/batches/runs/{HUGE}"),
        ("analyst", f"/extraction/jobs/{HUGE}"),
        ("analyst", f"/flows/migrations/{HUGE}"),
        ("analyst", f"/flows/move_in/versions?base={HUGE}&other=1"),
        ("supervisor", f"/juki-net/consistency?check={HUGE}"),
        ("administrator", f"/admin/users/{LARGEST + 1}"),
        ("administrator", f"/batches/runs/{LARGEST + 1}"),
    ],
)
def test_a_row_number_beyond_any_key_is_not_found(
    sign_in: Any, users_a: dict[str, Any], role: str, url: str
) -> None:
    reply = sign_in(users_a[role]).get(url)
    assert reply.status_code == 404
    assert "見つかりません" in reply.get_data(as_text=True)


def test_the_largest_key_is_still_looked_up(sign_in: Any, users_a: dict[str, Any]) -> None:
    reply = sign_in(users_a["administrator"]).get(f"/admin/users/{LARGEST}")
    assert reply.status_code == 404 and "指定された利用者は見つかりません" in reply.get_data(as_text=True)
