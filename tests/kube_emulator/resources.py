"""The resource types the emulator serves, with the per-type facts the API server's behaviour depends on.

One frozen record per type keeps routing, RBAC messages, field selectors and delete responses in
agreement: a new type is one new line here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_METADATA_FIELDS = frozenset({"metadata.name", "metadata.namespace"})


@dataclass(frozen=True)
class ResourceType:
    group: str  # "" for the core group
    version: str
    plural: str
    kind: str
    namespaced: bool = True
    #: PUT and PATCH on the main resource keep the stored `.status`, as the real registry does for
    #: every type with a status subresource: clients cannot fake a healthy rollout by writing status.
    has_status: bool = True
    #: Pods, services and namespaces answer DELETE with the object; the rest with a Success Status.
    delete_returns_object: bool = False
    #: Field selector labels the real API server accepts for this type (others are a 400).
    field_labels: frozenset[str] = field(default=_METADATA_FIELDS)
    #: Discovery's shortNames and categories: kubectl resolves `deploy` and `all` through them.
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ("all",)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """`deployments.apps` / `pods`: how the API server names the type in messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def qualified_kind(self) -> str:
        """`Deployment.apps` / `Pod`: how validation errors name the type."""
        return f"{self.kind}.{self.group}" if self.group else self.kind

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def singular(self) -> str:
        return self.kind.lower()


def _labels(*extra: str) -> frozenset[str]:
    return _METADATA_FIELDS | frozenset(extra)


PODS = ResourceType(
    "",
    "v1",
    "pods",
    "Pod",
    delete_returns_object=True,
    short_names=("po",),
    field_labels=_labels(
        "status.phase",
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.podIP",
        "status.nominatedNodeName",
    ),
)
EVENTS = ResourceType(
    "",
    "v1",
    "events",
    "Event",
    has_status=False,
    short_names=("ev",),
    categories=(),
    field_labels=_labels(
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    ),
)
NAMESPACES = ResourceType(
    "",
    "v1",
    "namespaces",
    "Namespace",
    namespaced=False,
    delete_returns_object=True,
    short_names=("ns",),
    categories=(),
    field_labels=_labels("status.phase"),
)
SERVICES = ResourceType("", "v1", "services", "Service", delete_returns_object=True, short_names=("svc",))
DEPLOYMENTS = ResourceType("apps", "v1", "deployments", "Deployment", short_names=("deploy",))
STATEFULSETS = ResourceType("apps", "v1", "statefulsets", "StatefulSet", short_names=("sts",))
DAEMONSETS = ResourceType("apps", "v1", "daemonsets", "DaemonSet", short_names=("ds",))
REPLICASETS = ResourceType(
    "apps", "v1", "replicasets", "ReplicaSet", field_labels=_labels("status.replicas"), short_names=("rs",)
)
JOBS = ResourceType("batch", "v1", "jobs", "Job", field_labels=_labels("status.successful"))
CRONJOBS = ResourceType("batch", "v1", "cronjobs", "CronJob", short_names=("cj",))

RESOURCES: tuple[ResourceType, ...] = (
    PODS,
    EVENTS,
    NAMESPACES,
    SERVICES,
    DEPLOYMENTS,
    STATEFULSETS,
    DAEMONSETS,
    REPLICASETS,
    JOBS,
    CRONJOBS,
)

#: Field labels whose value is not at the dotted path of the same name.
FIELD_PATHS = {"source": "source.component", "status.successful": "status.succeeded"}

#: The API groups served, for discovery and routing: group -> version.
GROUPS = {"": "v1", "apps": "v1", "batch": "v1", "authorization.k8s.io": "v1"}


def by_group_plural(group: str, version: str, plural: str) -> ResourceType | None:
    for rt in RESOURCES:
        if rt.group == group and rt.version == version and rt.plural == plural:
            return rt
    return None


def by_kind(api_version: str, kind: str) -> ResourceType | None:
    for rt in RESOURCES:
        if rt.kind == kind and rt.api_version == api_version:
            return rt
    return None


def by_group_resource(group: str, plural: str) -> ResourceType | None:
    """The type an access review names (a group and a plural, no version)."""
    return next((rt for rt in RESOURCES if rt.group == group and rt.plural == plural), None)


def lookup(name: str) -> ResourceType:
    """Resolve what tests write: `pods`, `deployments.apps`, `Deployment` or `deployment`."""
    wanted = name.strip()
    for rt in RESOURCES:
        if wanted in (rt.plural, rt.qualified, rt.kind, rt.singular, *rt.short_names):
            return rt
    known = ", ".join(rt.plural for rt in RESOURCES)
    raise KeyError(f"unknown resource {name!r} (known: {known})")
