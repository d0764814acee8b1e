"""The fake cloud's resources and the Describe actions over them, answering in the documented shapes.

Parameters are checked the way the API checks them (required ones, documented types such as the
string Offset/Limit of DescribeRouteTables, ids and filters not together, caps on ids and values),
so a client that sends what the documentation forbids fails here as it would there.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

VERSIONS = {"tke": "2018-05-25", "vpc": "2017-03-12"}
FIXED_TYPES = ("CVM", "CDB", "ENI", "CLB")


class ApiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Pool:
    id: str
    subnets: list[str]
    nodes: dict[str, str] = field(default_factory=dict)  # node name -> subnet id
    name: str = ""


@dataclass
class RouteTable:
    id: str
    vpc_id: str
    subnets: list[str]
    routes: list[dict[str, Any]]
    name: str = ""
    main: bool = False


@dataclass
class SecurityGroup:
    id: str
    name: str
    project_id: int = 0
    is_default: bool = False
    bindings: dict[str, int] = field(default_factory=dict)  # instance type -> count


@dataclass
class Resources:
    eks: dict[str, dict[str, Any]] = field(default_factory=dict)
    pools: dict[str, list[Pool]] = field(default_factory=dict)  # TKE cluster id -> super node pools
    route_tables: list[RouteTable] = field(default_factory=list)
    nat_gateways: dict[str, dict[str, Any]] = field(default_factory=dict)
    security_groups: dict[str, SecurityGroup] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


# -- parameter checks -----------------------------------------------------------------------------


def _typed(params: dict[str, Any], name: str, kind: type, default: Any = None) -> Any:
    value = params.get(name, default)
    if value is None:
        return default
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ApiError("InvalidParameter", f"The value type of parameter `{name}` is wrong: expected {kind.__name__}.")
    return value


def _page(params: dict[str, Any], kind: type) -> tuple[int, int]:
    offset, limit = _typed(params, "Offset", kind, kind(0)), _typed(params, "Limit", kind, kind(20))
    try:
        offset_n, limit_n = int(offset), int(limit)
    except ValueError:
        raise ApiError("InvalidParameterValue", "Offset and Limit must be numbers.") from None
    if not 0 < limit_n <= 100 or offset_n < 0:
        raise ApiError("InvalidParameterValue.Range", "Limit must be within 1..100 and Offset not negative.")
    return offset_n, limit_n


def _filters(params: dict[str, Any], allowed: set[str], max_values: int | None = None) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for item in _typed(params, "Filters", list, []):
        name, values = item.get("Name"), item.get("Values")
        if name not in allowed:
            raise ApiError("InvalidParameter.FilterInvalidKey", f"The filter key {name!r} is not supported.")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ApiError("InvalidParameter.FilterValuesNotList", "Filter.Values must be a list of strings.")
        if max_values is not None and len(values) > max_values:
            raise ApiError("InvalidParameterValue.Range", f"At most {max_values} values per filter.")
        result[name] = values
    return result


def _ids(params: dict[str, Any], name: str, cap: int = 100) -> list[str] | None:
    ids = _typed(params, name, list)
    if ids is not None and (len(ids) > cap or not all(isinstance(i, str) for i in ids)):
        raise ApiError("InvalidParameterValue.Range", f"{name} takes at most {cap} string ids.")
    return ids


def _exclusive(ids: list[str] | None, filters: dict[str, list[str]], name: str) -> None:
    if ids and filters:
        raise ApiError("InvalidParameterCoexist", f"{name} and Filters cannot be given together.")


# -- TKE ----------------------------------------------------------------------------------------


def describe_eks_clusters(res: Resources, params: dict[str, Any]) -> dict[str, Any]:
    ids = _ids(params, "ClusterIds")
    clusters = [c for cid, c in res.eks.items() if ids is None or cid in ids]
    return {"TotalCount": len(clusters), "Clusters": clusters}


def _pools(res: Resources, params: dict[str, Any]) -> list[Pool]:
    cluster_id = _typed(params, "ClusterId", str)
    if not cluster_id:
        raise ApiError("MissingParameter", "The request is missing a required parameter `ClusterId`.")
    if cluster_id not in res.pools:
        raise ApiError("ResourceNotFound.ClusterNotFound", f"Cluster {cluster_id} does not exist.")
    return res.pools[cluster_id]


def describe_cluster_virtual_node_pools(res: Resources, params: dict[str, Any]) -> dict[str, Any]:
    pools = _pools(res, params)
    return {
        "TotalCount": len(pools),
        "NodePoolSet": [
            {
                "NodePoolId": p.id,
                "SubnetIds": p.subnets,
                "Name": p.name,
                "LifeState": "normal",
                "Labels": [],
                "Taints": [],
            }
            for p in pools
        ],
    }


def describe_cluster_virtual_node(res: Resources, params: dict[str, Any]) -> dict[str, Any]:
    pools = _pools(res, params)
    pool_id = _typed(params, "NodePoolId", str)
    names = _ids(params, "NodeNames")
    nodes = [
        {"Name": name, "SubnetId": subnet, "Phase": "Running", "CreatedTime": "2026-01-05T08:00:00Z"}
        for pool in pools
        if pool_id is None or pool.id == pool_id
        for name, subnet in pool.nodes.items()
        if names is None or name in names
    ]
    return {"TotalCount": len(nodes), "Nodes": nodes}


# -- VPC ----------------------------------------------------------------------------------------


def _route_table(table: RouteTable) -> dict[str, Any]:
    return {
        "VpcId": table.vpc_id,
        "RouteTableId": table.id,
        "RouteTableName": table.name,
        "AssociationSet": [{"SubnetId": s, "RouteTableId": table.id} for s in table.subnets],
        "RouteSet": [
            {
                "DestinationCidrBlock": r["destination"],
                "GatewayType": r["type"],
                "GatewayId": r["id"],
                "RouteId": n + 1,
                "RouteItemId": f"rti-{table.id[4:]}{n:03d}",
                "RouteDescription": r.get("description", ""),
                "Enabled": r.get("enabled", True),
                "RouteType": "USER",
                "RouteTableId": table.id,
                "DestinationIpv6CidrBlock": "",
                "PublishedToVbc": False,
                "CreatedTime": "2026-01-05 08:00:00",
            }
            for n, r in enumerate(table.routes)
        ],
        "Main": table.main,
        "CreatedTime": "2026-01-05 08:00:00",
        "TagSet": [],
        "LocalCidrForCcn": [],
    }


def describe_route_tables(res: Resources, params: dict[str, Any]) -> dict[str, Any]:
    ids = _ids(params, "RouteTableIds")
    filters = _filters(
        params, {"route-table-id", "route-table-name", "vpc-id", "association.subnet-id", "association.main"}
    )
    _exclusive(ids, filters, "RouteTableIds")
    offset, limit = _page(params, str)
    tables = [
        t
        for t in res.route_tables
        if (ids is None or t.id in ids)
        and ("route-table-id" not in filters or t.id in filters["route-table-id"])
        and ("vpc-id" not in filters or t.vpc_id in filters["vpc-id"])
        and ("association.subnet-id" not in filters or set(t.subnets) & set(filters["association.subnet-id"]))
    ]
    return {"TotalCount": len(tables), "RouteTableSet": [_route_table(t) for t in tables[offset : offset + limit]]}


def describe_nat_gateways(res: Resources, params: dict[str, Any]) -> dict[str, Any]:
    ids = _ids(params, "NatGatewayIds")
    filters = _filters(params, {"nat-gateway-id", "vpc-id", "nat-gateway-name", "tag-key", "nat-state"}, max_values=5)
    _exclusive(ids, filters, "NatGatewayIds")
    offset, limit = _page(params, int)
    found = [
        g
        for gid, g in res.nat_gateways.items()
        if (ids is None or gid in ids) and ("nat-gateway-id" not in filters or gid in filters["nat-gateway-id"])
    ]
    return {"TotalCount": len(found), "NatGatewaySet": found[offset : offset + limit]}


def _group(group: SecurityGroup) -> dict[str, Any]:
    return {
        "SecurityGroupId": group.id,
        "SecurityGroupName": group.name,
        "SecurityGroupDesc": "",
        "ProjectId": str(group.project_id),
        "IsDefault": group.is_default,
        "CreatedTime": "2025-06-01 10:00:00",
        "UpdateTime": "2025-06-01 10:00:00",
        "TagSet": [],
    }


def _known(res: Resources, ids: list[str]) -> list[SecurityGroup]:
    missing = [i for i in ids if i not in res.security_groups]
    if missing:
        raise ApiError("ResourceNotFound", f"The specified resource {missing[0]} does not exist.")
    return [res.security_groups[i] for i in ids]


def describe_security_groups(res: Resources, params: dict[str, Any]) -> dict[str, Any]:
    ids = _ids(params, "SecurityGroupIds")
    filters = _filters(params, {"security-group-id", "project-id", "security-group-name", "tag-key"})
    _exclusive(ids, filters, "SecurityGroupIds")
    offset, limit = _page(params, str)
    groups = _known(res, ids) if ids else list(res.security_groups.values())
    groups = [
        g
        for g in groups
        if ("project-id" not in filters or str(g.project_id) in filters["project-id"])
        and ("security-group-id" not in filters or g.id in filters["security-group-id"])
        and ("security-group-name" not in filters or g.name in filters["security-group-name"])
    ]
    return {"TotalCount": len(groups), "SecurityGroupSet": [_group(g) for g in groups[offset : offset + limit]]}


def describe_security_group_association_statistics(res: Resources, params: dict[str, Any]) -> dict[str, Any]:
    ids = _ids(params, "SecurityGroupIds")
    if not ids:
        raise ApiError("MissingParameter", "The request is missing a required parameter `SecurityGroupIds`.")
    stats = []
    for group in _known(res, ids):
        counts = {kind: group.bindings.get(kind, 0) for kind in FIXED_TYPES}
        stats.append(
            {
                "SecurityGroupId": group.id,
                **counts,
                "SG": 0,
                "InstanceStatistics": [
                    {"InstanceType": kind, "InstanceCount": n} for kind, n in sorted(group.bindings.items())
                ],
                "TotalCount": sum(group.bindings.values()),
            }
        )
    return {"SecurityGroupAssociationStatisticsSet": stats}


HANDLERS = {
    ("tke", "DescribeEKSClusters"): describe_eks_clusters,
    ("tke", "DescribeClusterVirtualNodePools"): describe_cluster_virtual_node_pools,
    ("tke", "DescribeClusterVirtualNode"): describe_cluster_virtual_node,
    ("vpc", "DescribeRouteTables"): describe_route_tables,
    ("vpc", "DescribeNatGateways"): describe_nat_gateways,
    ("vpc", "DescribeSecurityGroups"): describe_security_groups,
    ("vpc", "DescribeSecurityGroupAssociationStatistics"): describe_security_group_association_statistics,
}
