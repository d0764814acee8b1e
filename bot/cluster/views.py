"""Typed views of the Kubernetes objects the checks read: only the fields they need, already of the
right type. `bot.cluster.boundary` builds them from whatever a file or the API gave; the checks never
see the raw mappings, so a list where a map belongs cannot reach them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class OwnerRef:
    kind: str
    name: str
    controller: bool = False


@dataclass(frozen=True, slots=True)
class Meta:
    name: str = ""
    namespace: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    owners: tuple[OwnerRef, ...] = ()
    created: str = ""

    def controller(self) -> tuple[str, str] | None:
        """(kind, name) of the controlling owner, else of the first owner, else None."""
        chosen = next((o for o in self.owners if o.controller), None) or (self.owners[0] if self.owners else None)
        return (chosen.kind, chosen.name) if chosen else None


@dataclass(frozen=True, slots=True)
class ContainerPort:
    number: int | None
    name: str = ""


@dataclass(frozen=True, slots=True)
class EnvVar:
    name: str
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Container:
    name: str
    image: str = ""
    ports: tuple[ContainerPort, ...] = ()
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    env: tuple[EnvVar, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        return self.command + self.args


@dataclass(frozen=True, slots=True)
class PodSpec:
    containers: tuple[Container, ...] = ()
    init_containers: tuple[Container, ...] = ()
    node_name: str = ""

    def all_containers(self) -> tuple[Container, ...]:
        return self.containers + self.init_containers


@dataclass(frozen=True, slots=True)
class PodTemplate:
    meta: Meta = field(default_factory=Meta)
    spec: PodSpec = field(default_factory=PodSpec)


@dataclass(frozen=True, slots=True)
class Condition:
    type: str
    status: str
    reason: str = ""
    message: str = ""


@dataclass(frozen=True, slots=True)
class StateMessage:
    """One message in a container status: `where` is "state" or "lastState", `state` e.g. "terminated"."""

    where: str
    state: str
    message: str


@dataclass(frozen=True, slots=True)
class ContainerStatus:
    name: str
    restarts: int = 0
    ready: bool | None = None
    messages: tuple[StateMessage, ...] = ()


@dataclass(frozen=True, slots=True)
class Pod:
    meta: Meta
    spec: PodSpec = field(default_factory=PodSpec)
    phase: str = ""
    reason: str = ""
    message: str = ""
    conditions: tuple[Condition, ...] = ()
    statuses: tuple[ContainerStatus, ...] = ()

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def annotations(self) -> dict[str, str]:
        return self.meta.annotations


@dataclass(frozen=True, slots=True)
class Expression:
    key: str
    operator: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Selector:
    match_labels: dict[str, str] = field(default_factory=dict)
    expressions: tuple[Expression, ...] = ()

    def matches(self, pod_labels: dict[str, str]) -> bool:
        """Label-selector semantics of the API server; an empty selector matches nothing here."""
        if not self.match_labels and not self.expressions:
            return False
        if any(pod_labels.get(key) != value for key, value in self.match_labels.items()):
            return False
        for expr in self.expressions:
            present = expr.key in pod_labels
            if expr.operator == "In" and pod_labels.get(expr.key) not in expr.values:
                return False
            if expr.operator == "NotIn" and present and pod_labels.get(expr.key) in expr.values:
                return False
            if expr.operator == "Exists" and not present:
                return False
            if expr.operator == "DoesNotExist" and present:
                return False
        return True

    def query(self) -> str | None:
        """A `labelSelector` query string for the API, or None when the selector can't be expressed."""
        parts = [f"{key}={value}" for key, value in sorted(self.match_labels.items())]
        for expr in self.expressions:
            if expr.operator == "In":
                parts.append(f"{expr.key} in ({','.join(expr.values)})")
            elif expr.operator == "NotIn":
                parts.append(f"{expr.key} notin ({','.join(expr.values)})")
            elif expr.operator == "Exists":
                parts.append(expr.key)
            elif expr.operator == "DoesNotExist":
                parts.append(f"!{expr.key}")
            else:
                return None
        return ",".join(parts) or None


@dataclass(frozen=True, slots=True)
class Workload:
    """A Deployment, StatefulSet, DaemonSet, Job, CronJob or bare Pod, with its pod template."""

    kind: str
    meta: Meta
    template: PodTemplate
    selector: Selector | None = None
    #: Pods it asks for at once: replicas, parallelism, or 1.
    wanted: int = 1

    @property
    def name(self) -> str:
        return self.meta.name


@dataclass(frozen=True, slots=True)
class ServicePort:
    port: int | None
    target: int | str | None = None
    name: str = ""
    app_protocol: str = ""


@dataclass(frozen=True, slots=True)
class Service:
    meta: Meta
    selector: dict[str, str] = field(default_factory=dict)
    ports: tuple[ServicePort, ...] = ()

    def selects(self, pod_labels: dict[str, str]) -> bool:
        """A plain-map selector picks pods with these labels (an empty selector picks none)."""
        return bool(self.selector) and all(pod_labels.get(k) == v for k, v in self.selector.items())


@dataclass(frozen=True, slots=True)
class ObjectRef:
    kind: str = ""
    name: str = ""
    namespace: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    type: str = ""
    reason: str = ""
    message: str = ""
    count: int = 1
    last_seen: str = ""
    about: ObjectRef = field(default_factory=ObjectRef)
