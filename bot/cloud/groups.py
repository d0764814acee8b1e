"""Security groups: the project's default group, and everything bound to a group, by instance type."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.cloud.connection import CloudApi
from bot.cloud.errors import CloudRequestError
from bot.cloud.facts import SecurityGroupBindings

BATCH = 100  # ids per request, the API's cap
PAGE = 100
MAX_PAGES = 20  # 2,000 groups in one project is far beyond any real one
NOT_FOUND = ("ResourceNotFound", "InvalidParameterValue")
#: The fixed per-type fields of the statistics, used when the full per-type list is absent.
FIXED_TYPES = ("CVM", "ENI", "CLB", "CDB")


def default_group(api: CloudApi, project_id: int) -> Any | None:
    """The default security group of a project in the region (None when the project has none)."""
    for page in range(MAX_PAGES):
        params = {
            "Filters": [{"Name": "project-id", "Values": [str(project_id)]}],
            "Offset": str(page * PAGE),
            "Limit": str(PAGE),
        }
        answer = api.call("vpc", "DescribeSecurityGroups", params)
        groups = answer.SecurityGroupSet or []
        found = next((g for g in groups if g.IsDefault), None)
        if found is not None:
            return found
        if len(groups) < PAGE or (page + 1) * PAGE >= (answer.TotalCount or 0):
            return None
    return None


def describe_groups(api: CloudApi, ids: Sequence[str]) -> dict[str, Any]:
    """id -> the group; ids the region does not have are left out."""
    found: dict[str, Any] = {}
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start : start + BATCH])
        try:
            groups = api.call("vpc", "DescribeSecurityGroups", {"SecurityGroupIds": chunk}).SecurityGroupSet or []
        except CloudRequestError as exc:
            if not exc.code.startswith(NOT_FOUND):
                raise
            if len(chunk) == 1:
                continue  # this group does not exist in the region
            # One unknown id fails the whole request: ask one at a time to find the others.
            groups = [g for one in chunk for g in describe_groups(api, [one]).values()]
        found.update({g.SecurityGroupId: g for g in groups})
    return found


def _by_type(stats: Any) -> tuple[tuple[str, int], ...]:
    if stats.InstanceStatistics:
        pairs = [(s.InstanceType or "?", int(s.InstanceCount or 0)) for s in stats.InstanceStatistics]
    else:
        pairs = [(kind, int(getattr(stats, kind) or 0)) for kind in FIXED_TYPES]
    return tuple(sorted(((k, n) for k, n in pairs if n), key=lambda pair: (-pair[1], pair[0])))


def bindings(api: CloudApi, groups: Sequence[Any]) -> dict[str, SecurityGroupBindings]:
    """id -> what is bound to it, for groups already described (name, project, default flag)."""
    result: dict[str, SecurityGroupBindings] = {}
    by_id = {g.SecurityGroupId: g for g in groups}
    ids = list(by_id)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        answer = api.call("vpc", "DescribeSecurityGroupAssociationStatistics", {"SecurityGroupIds": chunk})
        for stats in answer.SecurityGroupAssociationStatisticsSet or []:
            group = by_id.get(stats.SecurityGroupId)
            if group is None:
                continue
            by_type = _by_type(stats)
            total = stats.TotalCount if stats.TotalCount is not None else sum(n for _, n in by_type)
            result[group.SecurityGroupId] = SecurityGroupBindings(
                group_id=group.SecurityGroupId,
                name=group.SecurityGroupName or "",
                is_default=bool(group.IsDefault),
                project_id=str(group.ProjectId) if group.ProjectId is not None else None,
                total=int(total),
                by_type=by_type,
            )
    return result
