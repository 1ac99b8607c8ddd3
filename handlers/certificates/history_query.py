"""交付履歴照会 (j360): one person's issuance history narrowed by the items the history keeps (j300) — 交付年月日,
交付場所, 証明書の種別, 発行番号, 端末名, ユーザID, 処分情報 — and the person's card status (個人番号カード等の
交付状況) beside it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from handlers.certificates.catalog import TYPES
from handlers.clock import JST
from handlers.errors import Problem, ValidationError
from models.certificate import CertificateIssuance
from models.resident import Resident

STATUSES = {"issued": "交付", "disposed": "処分済み"}


@dataclass(frozen=True)
class IssuanceQuery:
    """Every item optional; text items match exactly (発行番号, 端末名, ユーザID) or by part (交付場所)."""

    issued_from: dt.date | None = None  # 交付年月日 (Japan's date), inclusive
    issued_to: dt.date | None = None
    certificate_type: str = ""
    place: str = ""
    terminal: str = ""
    login_id: str = ""
    issue_number: str = ""
    status: str = ""

    def problems(self) -> list[Problem]:
        found = []
        if self.issued_from and self.issued_to and self.issued_from > self.issued_to:
            found.append(Problem("issued_to", "交付年月日（至）", "開始日より前です", "期間を確認してください", "range"))  # fmt: skip
        if self.certificate_type and self.certificate_type not in TYPES:
            found.append(Problem("certificate_type", "証明書の種別", "選択肢にありません", "種別を選び直してください", "invalid"))  # fmt: skip
        if self.status and self.status not in STATUSES:
            found.append(Problem("status", "処分情報", "選択肢にありません", "交付・処分済みから選んでください", "invalid"))  # fmt: skip
        return found

    def narrow(self, query: Select[Any]) -> Select[Any]:
        """``query`` of issuance rows with this query's conditions added."""
        if problems := self.problems():
            raise ValidationError(problems)
        row = CertificateIssuance
        if self.issued_from:
            query = query.where(row.issued_at >= dt.datetime.combine(self.issued_from, dt.time(), JST))
        if self.issued_to:
            query = query.where(
                row.issued_at < dt.datetime.combine(self.issued_to + dt.timedelta(days=1), dt.time(), JST)
            )
        exact = {"certificate_type": row.certificate_type, "terminal": row.terminal, "login_id": row.login_id,
                 "issue_number": row.issue_number, "status": row.status}  # fmt: skip
        for name, column in exact.items():
            if value := getattr(self, name).strip():
                query = query.where(column == value)
        if self.place.strip():
            query = query.where(row.place.contains(self.place.strip(), autoescape=True))
        return query


CARD_STATUS_NONE = "記録なし"


def card_status_of(session: Any, atena_number: str) -> str:
    """個人番号カード等の交付状況 of the person as the register holds it (j1110), for the inquiry page."""
    status = session.scalar(select(Resident.card_status).where(Resident.atena_number == atena_number))
    return str(status) if status else CARD_STATUS_NONE
