"""The cluster's super-node subnets, their route tables, and the NAT gateways the default routes use."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.cloud.connection import CloudApi
from bot.cloud.errors import CloudRequestError
from bot.cloud.facts import DEFAULT_ROUTE, NAT, EgressFacts, EgressRoute, NatGatewayState, Route

#: Filter.Values and id lists are capped per request by the API; stay well inside the caps.
BATCH = 5
PAGE = 100
#: Error codes DescribeEKSClusters may answer for the id of a cluster that is not serverless.
NOT_SERVERLESS = ("ResourceNotFound", "InvalidParameter")


def _chunks(items: Sequence[str], size: int = BATCH) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def cluster_network(api: CloudApi, cluster_id: str) -> tuple[bool, list[str], dict[str, str]]:
    """(serverless?, super-node subnet ids, node name -> subnet id).

    A serverless (EKS) cluster lists its subnets itself; a TKE cluster has them on its super node
    pools, and each super node says which subnet it is in."""
    try:
        clusters = api.call("tke", "DescribeEKSClusters", {"ClusterIds": [cluster_id]}).Clusters or []
    except CloudRequestError as exc:
        if not exc.code.startswith(NOT_SERVERLESS):
            raise
        clusters = []  # a TKE cluster id: look for super node pools instead
    for cluster in clusters:
        if cluster.ClusterId == cluster_id:
            return True, list(cluster.SubnetIds or []), {}
    pools = api.call("tke", "DescribeClusterVirtualNodePools", {"ClusterId": cluster_id}).NodePoolSet or []
    subnets: list[str] = []
    nodes: dict[str, str] = {}
    for pool in pools:
        subnets += [s for s in pool.SubnetIds or [] if s not in subnets]
        listed = api.call("tke", "DescribeClusterVirtualNode", {"ClusterId": cluster_id, "NodePoolId": pool.NodePoolId})
        for node in listed.Nodes or []:
            if node.Name and node.SubnetId:
                nodes[node.Name] = node.SubnetId
                if node.SubnetId not in subnets:
                    subnets.append(node.SubnetId)
    if not pools:
        raise CloudRequestError(
            f"cluster {cluster_id} is neither a serverless cluster nor a cluster with super node pools",
            code="NoSuperNodes",
        )
    return False, subnets, nodes


def _route_tables(api: CloudApi, subnet_ids: Sequence[str]) -> dict[str, Any]:
    """subnet id -> the route table associated with it."""
    tables: dict[str, Any] = {}
    for chunk in _chunks(subnet_ids):
        params = {
            "Filters": [{"Name": "association.subnet-id", "Values": chunk}],
            "Offset": "0",
            "Limit": str(PAGE),
        }
        for table in api.call("vpc", "DescribeRouteTables", params).RouteTableSet or []:
            for association in table.AssociationSet or []:
                if association.SubnetId in chunk:
                    tables[association.SubnetId] = table
    return tables


def _routes(table: Any) -> tuple[Route, ...]:
    return tuple(
        Route(
            destination=route.DestinationCidrBlock or route.DestinationIpv6CidrBlock or "",
            gateway_type=route.GatewayType or "",
            gateway_id=route.GatewayId or "",
            enabled=route.Enabled is not False,
        )
        for route in table.RouteSet or []
    )


def _nat_gateways(api: CloudApi, ids: Sequence[str]) -> dict[str, NatGatewayState]:
    found: dict[str, NatGatewayState] = {}
    for chunk in _chunks(ids):
        answer = api.call("vpc", "DescribeNatGateways", {"NatGatewayIds": chunk, "Offset": 0, "Limit": PAGE})
        for gateway in answer.NatGatewaySet or []:
            found[gateway.NatGatewayId] = NatGatewayState(
                id=gateway.NatGatewayId,
                name=gateway.NatGatewayName or "",
                state=gateway.State or "",
                network_state=gateway.NetworkState,
                restrict_state=gateway.RestrictState,
            )
    return found


def read_egress(api: CloudApi, cluster_id: str) -> EgressFacts:
    """Each super-node subnet with its route table, its 0.0.0.0/0 route and that route's NAT gateway."""
    serverless, subnet_ids, nodes = cluster_network(api, cluster_id)
    tables = _route_tables(api, subnet_ids)
    routes = {subnet: _routes(table) for subnet, table in tables.items()}
    nat_ids: list[str] = []
    for subnet_routes in routes.values():
        default = next((r for r in subnet_routes if r.destination == DEFAULT_ROUTE and r.enabled), None)
        if default and default.gateway_type == NAT and default.gateway_id not in nat_ids:
            nat_ids.append(default.gateway_id)
    gateways = _nat_gateways(api, nat_ids) if nat_ids else {}
    subnets = []
    for subnet in subnet_ids:
        table = tables.get(subnet)
        if table is None:
            subnets.append(EgressRoute(subnet_id=subnet))
            continue
        default = next((r for r in routes[subnet] if r.destination == DEFAULT_ROUTE and r.enabled), None)
        nat = gateways.get(default.gateway_id) if default and default.gateway_type == NAT else None
        subnets.append(
            EgressRoute(
                subnet_id=subnet,
                route_table_id=table.RouteTableId,
                route_table_name=table.RouteTableName or "",
                routes=routes[subnet],
                nat=nat,
            )
        )
    return EgressFacts(cluster_id=cluster_id, serverless=serverless, subnets=tuple(subnets), node_subnets=nodes)
