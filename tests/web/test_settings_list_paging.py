"""The settings registers kept on one page — 住所辞書 (j250, administrators) and 方書 (j260, supervisors) — list
every entry by pages (handlers.paging): the total, page links keeping the search, and any ``page`` argument —
not a number, below the first, past the last — answered with a page of the list, never an error."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from handlers.address_entries import list_address_entries
from handlers.katagaki import list_katagaki
from handlers.rules.kanji import fold_address
from models import AddressEntry, Katagaki, Municipality, User
from tests import factories

PER_PAGE = 100


@dataclass(frozen=True)
class Register:
    url: str
    role: str
    search: str  # the filter argument the page links keep
    matching: str  # a value of it that matches every row made below


def _address_entries(session: Session, city: Municipality, count: int) -> None:
    session.add_all(
        AddressEntry(tenant_id=city.id, address_code=f"14104{n:03d}000", prefecture="神奈川県",
                     prefecture_kana="カナガワケン", city="横浜市", city_kana="ヨコハマシ", ward="中区", ward_kana="ナカク",
                     oaza=f"港{n}町", oaza_kana="ミナト", source="staff")
        for n in range(1, count + 1)
    )  # fmt: skip


def _katagaki(session: Session, city: Municipality, count: int) -> None:
    def address(n: int) -> str:
        return f"神奈川県横浜市中区港町1丁目{n}番地"

    session.add_all(
        Katagaki(tenant_id=city.id, address=address(n), address_key=fold_address(address(n)), name=f"港ハイツ{n}",
                 kind="apartment")
        for n in range(1, count + 1)
    )  # fmt: skip


REGISTERS = {
    "address_dictionary": (Register("/settings/addresses", "administrator", "q", "ミナト"), _address_entries),
    "katagaki": (
        Register("/settings/katagaki", "supervisor", "address", "神奈川県横浜市中区港町"),
        _katagaki,
    ),
}


@pytest.fixture(params=sorted(REGISTERS), ids=sorted(REGISTERS))
def register(request: Any, setup_session: Session, city_a: Municipality) -> Register:
    """A register of 230 entries, each matching the search."""
    kind, make = REGISTERS[request.param]
    make(setup_session, city_a, 230)
    setup_session.flush()
    return kind


def rows_shown(body: str) -> int:
    return len(re.findall(r"<tr>\s*<td>", body))


@pytest.mark.req("j250", "j260")
def test_every_entry_is_reached_by_pages_with_the_total_and_the_search_kept(
    sign_in: Any, users_a: dict[str, User], register: Register
) -> None:
    client = sign_in(users_a[register.role])
    first = client.get(register.url, query_string={register.search: register.matching, "retired": "1"})
    body = first.get_data(as_text=True)
    assert first.status_code == 200 and rows_shown(body) == PER_PAGE
    assert "全230件のうち 1〜100件目を表示（1／3ページ）" in body and 'aria-current="page">1<' in body
    links = set(re.findall(r'href="([^"]*page=\d+[^"]*)"', body))
    assert links and all(f"{register.search}=" in link and "retired=1" in link for link in links)
    assert any("page=3" in link for link in links) and 'rel="next"' in body and 'rel="prev"' not in body
    last = client.get(register.url, query_string={register.search: register.matching, "page": "3"})
    body = last.get_data(as_text=True)
    assert rows_shown(body) == 30 and "201〜230件目を表示（3／3ページ）" in body and 'rel="next"' not in body


@pytest.mark.req("j250", "j260")
@pytest.mark.parametrize(
    ("asked", "shown"),
    [("abc", "1〜100件目"), ("-4", "1〜100件目"), ("0", "1〜100件目"), ("2.5", "1〜100件目"), ("99", "201〜230件目"),
     ("99999999999999999999", "201〜230件目")],
)  # fmt: skip
def test_any_page_argument_answers_a_page_of_the_list(
    sign_in: Any, users_a: dict[str, User], register: Register, asked: str, shown: str
) -> None:
    answer = sign_in(users_a[register.role]).get(register.url, query_string={"page": asked})
    assert answer.status_code == 200 and f"全230件のうち {shown}を表示" in answer.get_data(as_text=True)


@pytest.mark.req("j250", "j260")
def test_a_search_narrowing_to_one_page_shows_no_page_links(
    sign_in: Any, users_a: dict[str, User], register: Register
) -> None:
    narrow = {"q": "14104007"} if register.search == "q" else {"address": "神奈川県横浜市中区港町1丁目7番地"}
    body = sign_in(users_a[register.role]).get(register.url, query_string=narrow).get_data(as_text=True)
    assert "全1件のうち 1〜1件目を表示" in body and "ページ送り" not in body and rows_shown(body) == 1


@pytest.mark.req("j250", "j260")
def test_the_handlers_answer_the_last_page_for_a_number_past_it(
    db: Any, users_a: dict[str, User], setup_session: Session, city_a: Municipality
) -> None:
    from handlers.uow import unit_of_work

    _address_entries(setup_session, city_a, 230)
    _katagaki(setup_session, city_a, 120)
    setup_session.flush()
    with unit_of_work(db, factories.actor_for(users_a["administrator"])) as uow:
        page = list_address_entries(uow, page=7)
        assert (page.number, page.pages, page.total, len(page.items)) == (3, 3, 230, 30)
        assert page.items[-1].address_code == "14104230000", "in code order to the end"
    with unit_of_work(db, factories.actor_for(users_a["supervisor"])) as uow:
        page = list_katagaki(uow, page=-1)
        assert (page.number, page.pages, page.total, len(page.items)) == (1, 2, 120, 100)
