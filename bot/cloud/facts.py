"""What the cloud checks learn from the Tencent Cloud API, as plain data (no SDK objects).

Each piece that could not be read is a `CloudGap` saying why, so a check can fall back to what the
cluster alone shows and the report can name the gap, the way `Unreadable` does for the cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

DEFAULT_ROUTE = "0.0.0.0/0"
NAT = "NAT"
MAX_ROUTES_QUOTED = 6
DEFAULT_GROUP = ""  # how facts name the project's default security group


def split_groups(value: str | None) -> list[str]:
    """The group ids an annotation value names (it may list several, comma-separated); [""] for none."""
    ids = [part.strip() for part in (value or "").split(",") if part.strip()]
    return ids or [DEFAULT_GROUP]


class GapKind(StrEnum):
    NOT_CONFIGURED = "not_configured"  # no credentials, or no region / cluster_id for the cluster
    CREDENTIALS = "credentials"  # the API rejected the credentials
    DENIED = "denied"  # the credentials may not call an action
    UNREACHABLE = "unreachable"  # timeout, connection failure, throttled past the retries, 5xx
    FAILED = "failed"  # the API answered with an error about the request (e.g. unknown cluster)


@dataclass(frozen=True, slots=True)
class CloudGap:
    what: str
    why: str
    kind: GapKind

    @property
    def unreachable(self) -> bool:
        return self.kind is GapKind.UNREACHABLE

    def __str__(self) -> str:
        return f"{self.what}: {self.why}"


@dataclass(frozen=True, slots=True)
class Route:
    destination: str
    gateway_type: str
    gateway_id: str
    enabled: bool = True

    def __str__(self) -> str:
        off = " (disabled)" if not self.enabled else ""
        return f"{self.destination} -> {self.gateway_type} {self.gateway_id}{off}".rstrip()


@dataclass(frozen=True, slots=True)
class NatGatewayState:
    id: str
    name: str = ""
    state: str = ""
    network_state: str | None = None
    restrict_state: str | None = None

    @property
    def available(self) -> bool:
        return (
            self.state == "AVAILABLE"
            and self.network_state in (None, "", "AVAILABLE")
            and self.restrict_state in (None, "", "NORMAL")
        )

    @property
    def label(self) -> str:
        return f"{self.id} ({self.name})" if self.name else self.id

    def condition(self) -> str:
        parts = [f"state {self.state or 'unknown'}"]
        if self.network_state:
            parts.append(f"network {self.network_state}")
        if self.restrict_state and self.restrict_state != "NORMAL":
            parts.append(f"restriction {self.restrict_state}")
        return ", ".join(parts)


class Egress(StrEnum):
    OPEN = "open"  # 0.0.0.0/0 goes to an available NAT gateway
    BLOCKED = "blocked"  # no default route, or it points at a NAT gateway that is not available
    UNCLEAR = "unclear"  # another kind of next hop, or no route table found


@dataclass(frozen=True, slots=True)
class EgressRoute:
    """One super-node subnet: its route table, the default route and the NAT gateway behind it."""

    subnet_id: str
    route_table_id: str | None = None
    route_table_name: str = ""
    routes: tuple[Route, ...] = ()
    #: The gateway the default route points at, when it is a NAT gateway that exists.
    nat: NatGatewayState | None = None

    @property
    def default_route(self) -> Route | None:
        return next((r for r in self.routes if r.destination == DEFAULT_ROUTE and r.enabled), None)

    @property
    def verdict(self) -> Egress:
        route = self.default_route
        if self.route_table_id is None:
            return Egress.UNCLEAR
        if route is None:
            return Egress.BLOCKED
        if route.gateway_type != NAT:
            return Egress.UNCLEAR
        return Egress.OPEN if self.nat is not None and self.nat.available else Egress.BLOCKED

    def explain(self) -> str:
        if self.route_table_id is None:
            return f"no route table is associated with subnet {self.subnet_id}"
        table = f"route table {self.route_table_id}" + (f" ({self.route_table_name})" if self.route_table_name else "")
        where = f"{table} of subnet {self.subnet_id}"
        route = self.default_route
        if route is None:
            shown = [str(r) for r in self.routes[:MAX_ROUTES_QUOTED]]
            more = f" and {len(self.routes) - MAX_ROUTES_QUOTED} more" if len(self.routes) > MAX_ROUTES_QUOTED else ""
            listed = f"its routes: {', '.join(shown)}{more}" if shown else "it has no routes"
            return f"{where} has no {DEFAULT_ROUTE} route, so traffic to public addresses has no way out ({listed})"
        if route.gateway_type != NAT:
            return (
                f"{where} sends {DEFAULT_ROUTE} to {route.gateway_type} {route.gateway_id}, "
                "a next hop EKS Doctor does not judge (only NAT gateways)"
            )
        if self.nat is None:
            return f"{where} sends {DEFAULT_ROUTE} to NAT gateway {route.gateway_id}, which does not exist"
        if self.nat.available:
            return f"{where} sends {DEFAULT_ROUTE} to NAT gateway {self.nat.label}, which is available"
        state = self.nat.condition()
        return f"{where} sends {DEFAULT_ROUTE} to NAT gateway {self.nat.label}, which is not available ({state})"


@dataclass(frozen=True, slots=True)
class EgressFacts:
    """The cluster's super-node subnets and how each reaches the internet."""

    cluster_id: str
    serverless: bool  # an EKS serverless cluster (else a TKE cluster with super nodes)
    subnets: tuple[EgressRoute, ...] = ()
    #: Super node name -> its subnet, where the API tells (TKE super nodes).
    node_subnets: Mapping[str, str] = field(default_factory=dict)

    def for_nodes(self, nodes: Iterable[str]) -> tuple[list[EgressRoute], bool]:
        """The subnets pods on these nodes use, and whether that was narrowed down from the nodes;
        without a known node every subnet of the cluster counts (a new pod may land in any)."""
        known = {route.subnet_id: route for route in self.subnets}
        wanted: list[str] = []
        for node in nodes:
            subnet = self.node_subnets.get(node) or next((s for s in known if s in node), None)
            if subnet in known and subnet not in wanted:
                wanted.append(subnet)
        if wanted:
            return [known[s] for s in wanted], True
        return list(self.subnets), False


@dataclass(frozen=True, slots=True)
class SecurityGroupBindings:
    """Everything bound to one security group, by instance type, from the cloud's own statistics."""

    group_id: str
    name: str = ""
    is_default: bool = False
    project_id: str | None = None
    total: int = 0
    #: (instance type, count), largest first, e.g. (("CVM", 1800), ("ENI", 150)).
    by_type: tuple[tuple[str, int], ...] = ()

    @property
    def breakdown(self) -> dict[str, int]:
        return dict(self.by_type)

    @property
    def label(self) -> str:
        extra = []
        if self.name:
            extra.append(self.name)
        if self.is_default:
            extra.append(f"default group of project {self.project_id or 0}")
        return f"{self.group_id} ({', '.join(extra)})" if extra else self.group_id

    def types_text(self) -> str:
        return ", ".join(f"{kind} {count}" for kind, count in self.by_type if count) or "nothing bound"


@dataclass(frozen=True, slots=True)
class CloudFacts:
    """What one read of the cloud found; None for a piece that was not asked for."""

    egress: EgressFacts | CloudGap | None = None
    #: Keyed as the workloads name the group: the annotation's id, or "" for the project's default group.
    security_groups: Mapping[str, SecurityGroupBindings | CloudGap] = field(default_factory=dict)
    #: Set when no cloud call could be made at all (no credentials, no cluster id): the hint to give.
    not_configured: CloudGap | None = None

    def gaps(self) -> list[CloudGap]:
        """Pieces that could not be read (not-configured is a hint, not a gap)."""
        found = [self.egress] if isinstance(self.egress, CloudGap) else []
        found += [g for g in self.security_groups.values() if isinstance(g, CloudGap)]
        unique: list[CloudGap] = []
        for gap in found:
            if gap.kind is not GapKind.NOT_CONFIGURED and gap not in unique:
                unique.append(gap)
        return unique

    @property
    def unreachable(self) -> bool:
        return any(gap.unreachable for gap in self.gaps())
