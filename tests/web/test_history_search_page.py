"""異動履歴照会 page (j350): a clerk finds registered changes by their items; dates in 和暦 are accepted, a bad
date is refused in Japanese."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.context import Actor
from tests import factories

pytestmark = pytest.mark.req("j350")


def test_a_clerk_finds_the_changes_of_a_period_written_in_wareki(
    db: Any, sign_in: Any, users_a: dict[str, Any], clerk_a: Actor
) -> None:
    family = factories.make_household(db, clerk_a, change_date="2021-04-01")
    client = sign_in(users_a["clerk"])
    page = client.get(
        "/residents/history-search", query_string={"change_from": "令和3年4月1日", "change_to": "2021-04-30"}
    )
    text = page.get_data(as_text=True)
    assert (
        page.status_code == 200 and all(m.atena_number in text for m in family.members) and "国内転入" in text
    )
    bad = client.get("/residents/history-search", query_string={"change_from": "令和3年13月1日"})
    bad_page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'aria-describedby="h-change_from-error"' in bad_page
    assert 'aria-invalid="true"' in bad_page and 'id="h-change_from-error"' in bad_page
    empty = client.get("/residents/history-search", query_string={"household_number": ""})
    assert empty.status_code == 422 and "検索条件が入力されていません" in empty.get_data(as_text=True)
