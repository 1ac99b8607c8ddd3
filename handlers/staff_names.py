"""Staff shown by name: the screens name the municipality's staff by their 氏名 (``User.display_name``), not by the
login IDs the rows keep (``CaseTask.claimed_by``, ``CaseEvent.actor``, an alert's ``by_login`` …).

A page's handler (or its view) collects the login IDs it shows and asks ``staff_names`` once: one statement of
the users of the session's municipality (the tenant rule of ``handlers.tenancy`` scopes it, so another
municipality's user is never named, and a login ID is unique across the deployment anyway).  The template
writes each login through the ``staff`` filter (``staff_label``): a system actor keeps its Japanese label
(``label(…, 'actor')``), a login this municipality does not know (a deleted user, another system, another
municipality's user) reads as itself.  The access log keeps showing the login ID with the name beside it, and
the JSON API keeps the login IDs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select

from handlers.labels import ACTOR
from handlers.uow import UnitOfWork
from models.user import User


def staff_names(uow: UnitOfWork, logins: Iterable[str | None]) -> dict[str, str]:
    """login ID → 氏名 of those of ``logins`` who are users of the caller's municipality (one statement; none
    for no login).  System actors and unknown logins are left out: ``staff_label`` shows them as they are."""
    wanted = {login for login in logins if login and login not in ACTOR}
    if not wanted:
        return {}
    rows = uow.session.execute(select(User.login_id, User.display_name).where(User.login_id.in_(wanted)))
    return {login: name for login, name in rows if name}


def staff_label(login: str | None, names: Mapping[str, str]) -> str:
    """How a page names who did something: a system actor's label, else the user's 氏名 from ``names``
    (``staff_names``), else the login ID itself; "" for none."""
    if not login:
        return ""
    if login in ACTOR:
        return ACTOR[login]
    return names.get(login, login)
