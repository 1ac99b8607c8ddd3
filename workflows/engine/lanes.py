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


# A user task whose id starts with this waits for another system's answer (住基ネット …): only the system, taking
# that answer in, claims or completes it; no one is given it, and a case with only such tasks open is waiting.
SYSTEM_TASK_PREFIX = "await_"


def is_system_task(bpmn_id: str) -> bool:
    return bpmn_id.startswith(SYSTEM_TASK_PREFIX)
