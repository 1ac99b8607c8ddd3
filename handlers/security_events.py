"""Security events that belong to no municipality (j1370: 認証ログ — ログインのエラー; イベントログ).

A sign-in with a login id that no municipality has cannot go into an access log: each log is one municipality's
hash chain, and writing a stranger's attempt into one of them would be both wrong and a way to flood it.  Such a
failure goes instead to the application's structured log (logger ``jumin.security``, level WARNING, with
``event``, ``client_address`` and the login id as typed, truncated; never the password) and is counted in the
Prometheus metrics (``jumin_sign_in_unknown_login_total``), where the operator (the IaaS side, which j1370
allows) watches for password spraying and credential stuffing.  Failures of known users stay in their own
municipality's access log (``sign_in_failed``, ``handlers.auth``).
"""

from __future__ import annotations

import logging
import unicodedata

from prometheus_client import Counter

log = logging.getLogger("jumin.security")

UNKNOWN_LOGIN_EVENT = "sign_in_unknown_login"
LOGIN_ID_KEPT = 32  # enough to recognise a pattern; a password typed into the id field is not kept whole

SIGN_IN_UNKNOWN_LOGIN = Counter(
    "jumin_sign_in_unknown_login",
    "Sign-in attempts refused because no municipality has the login id (in no access log)",
)


def shown_login_id(login_id: str) -> str:
    """The login id as typed, trimmed to ``LOGIN_ID_KEPT`` characters, control characters replaced."""
    kept = login_id.strip()[:LOGIN_ID_KEPT]
    return "".join("?" if unicodedata.category(ch).startswith("C") else ch for ch in kept)


def record_unknown_login(login_id: str, client_address: str | None) -> None:
    """One refused sign-in for a login id nobody has: a WARNING on ``jumin.security`` and the counter."""
    SIGN_IN_UNKNOWN_LOGIN.inc()
    shown = shown_login_id(login_id)
    log.warning(
        "sign-in refused for an unknown login id %r from %s", shown, client_address or "-",
        extra={"event": UNKNOWN_LOGIN_EVENT, "client_address": client_address, "login_id": shown},
    )  # fmt: skip
