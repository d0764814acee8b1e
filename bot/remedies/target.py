"""Reading the workload a remedy targets: its pod-template annotations, resourceVersion, pod count,
update strategy, container ports, and (for pods and jobs) the controller to fix instead."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.cluster.kinds import KINDS, REPLICASETS, annotations, containers, controller_of, pod_template
from bot.cluster.kubeapi import Access, ApiRefused, KubeApi
from bot.domain import WorkloadRef
from bot.errors import EksDoctorError, NotFoundError


@dataclass(frozen=True, slots=True)
class WorkloadState:
    ref: WorkloadRef  # with the resolved kind
    resource_version: str | None
    annotations: dict[str, str]  # of the pod template
    replicas: int | None
    update_strategy: str | None
    used_ports: tuple[int, ...]
    owner: WorkloadRef | None = None


def access(kind: str, verb: str, namespace: str | None) -> Access:
    return Access(verb, KINDS[kind].plural, namespace)


def object_path(ref: WorkloadRef) -> str:
    return KINDS[ref.kind].object_path(ref.namespace or "default", ref.name)


def _find(api: KubeApi, ref: WorkloadRef) -> dict[str, Any]:
    """The object; a bare name tries each kind in turn, with the inspector's lookup and suggestions."""
    from bot.cluster.live import LiveSource

    return LiveSource(api).find(ref)  # only the lookup: no logs are read


def state_of(obj: dict[str, Any], ref: WorkloadRef) -> WorkloadState:
    spec = obj.get("spec") or {}
    kind = ref.kind
    strategy = (spec.get("strategy") if kind == "Deployment" else spec.get("updateStrategy")) or {}
    template = pod_template(obj)
    ports = sorted(
        {
            int(port["containerPort"])
            for c in containers(template, init=True)
            for port in c.get("ports") or []
            if isinstance(port, dict) and str(port.get("containerPort")).isdigit()
        }
    )
    return WorkloadState(
        ref=ref,
        resource_version=(obj.get("metadata") or {}).get("resourceVersion"),
        annotations=annotations(template),
        replicas=_replicas(obj, kind),
        update_strategy=strategy.get("type") if isinstance(strategy, dict) else None,
        used_ports=tuple(ports),
    )


def _replicas(obj: dict[str, Any], kind: str) -> int | None:
    """How many pods the change restarts (None: unknown, or not a kind that keeps a count)."""
    if kind in ("Deployment", "StatefulSet"):
        count = (obj.get("spec") or {}).get("replicas", 1)  # the API server's default
    elif kind == "DaemonSet":
        count = (obj.get("status") or {}).get("desiredNumberScheduled")
    else:
        return None
    return count if isinstance(count, int) else None


def read_workload(api: KubeApi, ref: WorkloadRef) -> WorkloadState:
    """The workload as it is now; for a pod or a job, also the controller people should fix instead."""
    namespace = ref.namespace or api.default_namespace
    lookup = WorkloadRef(kind=ref.kind, namespace=namespace, name=ref.name)
    obj = _find(api, lookup)
    kind = obj["kind"]  # the lookup sets the kind it found (a bare name tries each kind in turn)
    resolved = WorkloadRef(kind=kind, namespace=namespace, name=ref.name)
    state = state_of(obj, resolved)
    if kind in ("Pod", "Job"):
        state = replace(state, owner=_top_owner(api, obj, namespace))
    return state


def reread(api: KubeApi, ref: WorkloadRef) -> WorkloadState:
    """The same object again by its exact kind (after a conflict, or to verify a write)."""
    obj = api.get(object_path(ref), access=access(ref.kind, "get", ref.namespace))
    if obj is None:
        raise NotFoundError(f"{ref.kind.lower()}/{ref.name} no longer exists in namespace {ref.namespace}")
    return state_of(obj, ref)


def _top_owner(api: KubeApi, obj: dict[str, Any], namespace: str) -> WorkloadRef | None:
    """Pod -> ReplicaSet -> Deployment, Job -> CronJob: the object whose template makes the pods.
    Best effort: a refusal to read the owner only loses the hint."""
    owner = controller_of(obj)
    if owner is None:
        return None
    kind, name = owner
    if kind != REPLICASETS.kind:
        return WorkloadRef(kind=kind, namespace=namespace, name=name)
    try:
        rs = api.get(REPLICASETS.object_path(namespace, name), access=Access("get", REPLICASETS.plural, namespace))
    except (EksDoctorError, ApiRefused):  # only the hint is lost: name the ReplicaSet itself
        return WorkloadRef(kind=kind, namespace=namespace, name=name)
    if rs is None:  # gone meanwhile
        return WorkloadRef(kind=kind, namespace=namespace, name=name)
    kind, name = controller_of(rs) or owner
    return WorkloadRef(kind=kind, namespace=namespace, name=name)
