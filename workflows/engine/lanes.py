"""Which role works the tasks of a BPMN lane.  A lane is named in English or in Japanese; both map here."""

from __future__ import annotations

LANE_ROLES: dict[str, str] = {
    "Clerk": "clerk",
    "窓口": "clerk",
    "Supervisor": "supervisor",
    "審査": "supervisor",
    "決裁": "supervisor",
    "SupportOfficer": "support_officer",
    "支援措置": "support_officer",
    "Analyst": "analyst",
    "業務分析": "analyst",
    "Administrator": "administrator",
    "管理": "administrator",
}


def role_for_lane(lane: str | None) -> str | None:
    """The role for ``lane`` (the lane's name attribute), or None if the lane is unknown or absent."""
    if lane is None:
        return None
    return LANE_ROLES.get(lane.strip())
