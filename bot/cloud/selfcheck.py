"""Can the configured credentials do what the cloud checks need? One line per question, for
`eks-doctor selfcheck`: the endpoint setting, the credentials, then each read-only action."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.cloud.actions import cam_action
from bot.cloud.connection import DEFAULT_TIMEOUT, CloudApi, parse_endpoint
from bot.cloud.errors import (
    CREDENTIAL_VARIABLES,
    CloudCredentialsError,
    CloudPermissionError,
    CloudRequestError,
    CloudUnreachableError,
)
from bot.cloud.reader import _not_configured
from bot.config import ClusterConfig
from bot.errors import ConfigError
from bot.settings import Settings


class Status(StrEnum):
    OK = "ok"
    FAILED = "failed"  # red: selfcheck exits 1
    SKIPPED = "skipped"  # not asked for (no credentials at all): the cloud checks are off


@dataclass(frozen=True, slots=True)
class AccessLine:
    check: str
    status: Status
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"check": self.check, "status": self.status.value, "detail": self.detail}


#: The order of the probes: each may use what an earlier answer found (a group id, a pool id).
PROBES = (
    ("vpc", "DescribeSecurityGroups"),
    ("tke", "DescribeEKSClusters"),
    ("tke", "DescribeClusterVirtualNodePools"),
    ("tke", "DescribeClusterVirtualNode"),
    ("vpc", "DescribeRouteTables"),
    ("vpc", "DescribeNatGateways"),
    ("vpc", "DescribeSecurityGroupAssociationStatistics"),
)


def _probe_params(action: str, cluster_id: str, seen: dict[str, Any]) -> dict[str, Any]:
    """Harmless parameters: one item, this cluster, or a group an earlier answer named."""
    if action == "DescribeEKSClusters":
        return {"ClusterIds": [cluster_id]}
    if action == "DescribeClusterVirtualNodePools":
        return {"ClusterId": cluster_id}
    if action == "DescribeClusterVirtualNode":
        return {"ClusterId": cluster_id, **({"NodePoolId": seen["pool"]} if seen.get("pool") else {})}
    if action == "DescribeNatGateways":
        return {"Offset": 0, "Limit": 1}
    if action == "DescribeSecurityGroupAssociationStatistics":
        return {"SecurityGroupIds": [seen.get("group") or "sg-00000000"]}
    return {"Offset": "0", "Limit": "1"}  # DescribeSecurityGroups, DescribeRouteTables take strings


def _remember(action: str, answer: Any, seen: dict[str, Any]) -> None:
    if action == "DescribeSecurityGroups" and answer.SecurityGroupSet:
        seen["group"] = answer.SecurityGroupSet[0].SecurityGroupId
    if action == "DescribeClusterVirtualNodePools" and answer.NodePoolSet:
        seen["pool"] = answer.NodePoolSet[0].NodePoolId


def check_cloud_access(
    settings: Settings, cluster: ClusterConfig, *, timeout: float = DEFAULT_TIMEOUT
) -> list[AccessLine]:
    """Lines in order; the credentials line comes from the first answer that is not an outage."""
    try:
        endpoint = parse_endpoint(settings.tencentcloud_endpoint)
    except ConfigError as exc:
        return [AccessLine("Tencent Cloud endpoint", Status.FAILED, str(exc))]
    gap = _not_configured(settings, cluster)
    if gap is not None:
        nothing_set = settings.tencentcloud_secret_id is None and settings.tencentcloud_secret_key is None
        status = Status.SKIPPED if nothing_set else Status.FAILED
        detail = gap.why + ("; the cloud checks are off" if nothing_set else "")
        return [AccessLine("Tencent Cloud credentials", status, detail)]
    api = CloudApi(
        secret_id=settings.tencentcloud_secret_id.get_secret_value(),  # type: ignore[union-attr]
        secret_key=settings.tencentcloud_secret_key.get_secret_value(),  # type: ignore[union-attr]
        region=cluster.region or "",
        endpoint=endpoint,
        timeout=timeout,
    )
    lines: list[AccessLine] = []
    actions: list[AccessLine] = []
    seen: dict[str, Any] = {}
    credentials: AccessLine | None = None
    for product, action in PROBES:
        params = _probe_params(action, cluster.cluster_id or "", seen)
        name = cam_action(product, action)
        try:
            _remember(action, api.call(product, action, params), seen)
            actions.append(AccessLine(name, Status.OK, "allowed"))
        except CloudCredentialsError as exc:
            return [AccessLine("Tencent Cloud credentials", Status.FAILED, str(exc))]
        except CloudUnreachableError as exc:
            return [*lines, AccessLine("Tencent Cloud API reachable", Status.FAILED, str(exc))]
        except CloudPermissionError as exc:
            actions.append(AccessLine(name, Status.FAILED, str(exc)))
        except CloudRequestError as exc:
            # The API looked at the request, so the action itself is allowed.
            actions.append(AccessLine(name, Status.OK, f"allowed (answered {exc.code} for the probe)"))
        if credentials is None:
            where = endpoint.url if endpoint else "the public endpoints"
            credentials = AccessLine(
                "Tencent Cloud credentials",
                Status.OK,
                f"accepted by {where} in {cluster.region} ({CREDENTIAL_VARIABLES})",
            )
            lines.append(credentials)
    return lines + actions


def probed_actions() -> list[str]:
    """Every action the selfcheck asks about (a test keeps it equal to the read-only list)."""
    return sorted(cam_action(product, action) for product, action in PROBES)
