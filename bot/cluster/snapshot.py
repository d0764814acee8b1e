"""What the checks look at: one workload and what surrounds it, as typed views (no client objects,
no raw mappings: `bot.cluster.boundary` built them).

Every piece that may be missing carries an `Unreadable` marker instead, saying why, so a check can
answer `unknown` and the report can say what could not be read rather than guess.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TypeVar

from bot.cluster.views import Event, Pod, PodTemplate, Service, Workload
from bot.domain import WorkloadRef

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A piece that could not be read; `unreachable` marks timeouts and connection failures."""

    what: str
    why: str
    unreachable: bool = False

    def __str__(self) -> str:
        return f"{self.what}: {self.why}"


@dataclass(frozen=True, slots=True)
class ContainerLog:
    """The bounded tail of one container's log; `previous` is the last terminated instance."""

    pod: str
    container: str
    text: str | None = None
    unavailable: str | None = None
    previous: bool = False

    @property
    def label(self) -> str:
        return f"{self.pod}/{self.container}" + (" (previous run)" if self.previous else "")


@dataclass(slots=True)
class ClusterCounts:
    """Pods in the cluster, and per security group (per annotation key, then value; "" = no annotation).

    `complete` is False offline, where the counts are only what the manifests ask for.
    """

    pods: int
    security_groups: dict[str, Counter[str]] = field(default_factory=dict)
    complete: bool = True
    #: The biggest contributors ("namespace shop", "deployment/api in shop") with their pod counts.
    largest: list[tuple[str, int]] = field(default_factory=list)

    def in_group(self, annotation: str, group: str) -> int:
        return self.security_groups.get(annotation, Counter()).get(group, 0)


@dataclass(slots=True)
class WorkloadSnapshot:
    ref: WorkloadRef
    workload: Workload
    pods: list[Pod] | Unreadable
    events: list[Event] | Unreadable
    logs: list[ContainerLog] | Unreadable
    services: list[Service] | Unreadable
    namespace_labels: dict[str, str] | Unreadable
    #: "live" or the manifest file (with line) the workload came from.
    origin: str = "live"
    #: True when read from manifests: no pods run, nothing has happened yet.
    offline: bool = False
    #: Fields of live objects that were left out or coerced ("pod x: metadata.labels: ..."), for the report.
    notes: tuple[str, ...] = ()

    @property
    def template(self) -> PodTemplate:
        return self.workload.template

    def unreadable(self) -> list[Unreadable]:
        pieces = (self.pods, self.events, self.services, self.namespace_labels)
        found = [piece for piece in pieces if isinstance(piece, Unreadable)]
        if isinstance(self.logs, Unreadable):
            found.append(self.logs)
        return found


def readable(piece: T | Unreadable) -> T | None:
    """The piece, or None when it is an `Unreadable` marker."""
    return None if isinstance(piece, Unreadable) else piece
