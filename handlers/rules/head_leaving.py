"""When the head (世帯主) leaves a household that other members stay in (j490, j500).

* nobody stays: the household ends with the move (dissolved);
* one member stays: that member becomes the head ex officio (職権), with a 世帯主変更通知書;
* two or more stay: an alert asks the clerk to register a 世帯主変更 first; if the clerk goes on anyway, the
  head stays unset (j100) and the remaining top-ranked member gets a 世帯主変更依頼通知書.
A head who stays, or a household without a head, needs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handlers.errors import Problem

NOTHING = "nothing"
DISSOLVED = "dissolved"
EX_OFFICIO_HEAD = "ex_officio_head"
HEAD_UNSET = "head_unset"


@dataclass(frozen=True)
class HeadLeaving:
    outcome: str  # nothing / dissolved / ex_officio_head / head_unset
    new_head: str | None = None  # 宛名番号 of the member made head ex officio

    @property
    def needs_alert(self) -> bool:
        return self.outcome == HEAD_UNSET


def head_leaving(head: str | None, leaving: Sequence[str], staying: Sequence[str]) -> HeadLeaving:
    """What happens to the household ``head`` (宛名番号 or None) belongs to when ``leaving`` go and ``staying``
    remain (both lists of 宛名番号 of active members)."""
    if not staying:
        return HeadLeaving(DISSOLVED)
    if head is None or head not in leaving:
        return HeadLeaving(NOTHING)
    if len(staying) == 1:
        return HeadLeaving(EX_OFFICIO_HEAD, new_head=staying[0])
    return HeadLeaving(HEAD_UNSET)


def head_leaving_alert(remaining: int) -> Problem:
    """The j490 alert: the head leaves two or more members behind."""
    return Problem(
        "atena_numbers",
        "世帯主",
        f"世帯主が世帯から抜け、{remaining}人の世帯員が残ります",
        "先に世帯主変更の届出を処理してください（このまま進める場合、世帯主は未設定となり、"
        "世帯主変更依頼通知書を送付します）",
        "head_leaving",
        level="alert",
    )


EX_OFFICIO_HEAD_NOTE = "世帯主の異動により職権で世帯主とした"
