"""The workload kinds EKS Doctor inspects: their names, API paths and where each keeps its pod template."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: A reference whose kind was not given: try the kinds of `LOOKUP_ORDER` in turn.
ANY_KIND = "Workload"


@dataclass(frozen=True, slots=True)
class KindInfo:
    kind: str
    plural: str
    group_version: str  # "v1" for the core group
    aliases: tuple[str, ...]

    def collection_path(self, namespace: str | None) -> str:
        base = "/api/v1" if self.group_version == "v1" else f"/apis/{self.group_version}"
        return f"{base}/namespaces/{namespace}/{self.plural}" if namespace else f"{base}/{self.plural}"

    def object_path(self, namespace: str, name: str) -> str:
        return f"{self.collection_path(namespace)}/{name}"


KINDS: dict[str, KindInfo] = {
    info.kind: info
    for info in (
        KindInfo("Deployment", "deployments", "apps/v1", ("deploy", "deployment", "deployments")),
        KindInfo("StatefulSet", "statefulsets", "apps/v1", ("sts", "statefulset", "statefulsets")),
        KindInfo("DaemonSet", "daemonsets", "apps/v1", ("ds", "daemonset", "daemonsets")),
        KindInfo("Job", "jobs", "batch/v1", ("job", "jobs")),
        KindInfo("CronJob", "cronjobs", "batch/v1", ("cj", "cronjob", "cronjobs")),
        KindInfo("Pod", "pods", "v1", ("po", "pod", "pods")),
    )
}
REPLICASETS = KindInfo("ReplicaSet", "replicasets", "apps/v1", ("rs", "replicaset", "replicasets"))

#: Bare names are looked up in this order, most common first (the order `kubectl` users expect).
LOOKUP_ORDER = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod")


def _alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for info in KINDS.values():
        group = info.group_version.split("/")[0] if "/" in info.group_version else ""
        for alias in (*info.aliases, info.kind.lower()):
            table[alias] = info.kind
            if group:
                table[f"{alias}.{group}"] = info.kind
    return table


KIND_ALIASES = _alias_table()


def kind_from_alias(word: str) -> str | None:
    """`deploy`, `deployments.apps`, `StatefulSet` -> the canonical kind; anything else -> None."""
    return KIND_ALIASES.get(word.strip().lower())


def pod_template(obj: dict[str, Any]) -> dict[str, Any]:
    """The pod template ({metadata, spec}) of a workload; a Pod is its own template."""
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        return {"metadata": obj.get("metadata") or {}, "spec": spec}
    if kind == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    template = spec.get("template") or {}
    return {"metadata": template.get("metadata") or {}, "spec": template.get("spec") or {}}


def planned_pods(obj: dict[str, Any]) -> int:
    """How many pods a workload asks for at once (used offline, where no pods run)."""
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind in ("Deployment", "StatefulSet"):
        replicas = spec.get("replicas", 1)
        return replicas if isinstance(replicas, int) and replicas >= 0 else 1
    if kind in ("Job", "CronJob"):
        job = ((spec.get("jobTemplate") or {}).get("spec") or {}) if kind == "CronJob" else spec
        parallelism = job.get("parallelism", 1)
        return parallelism if isinstance(parallelism, int) and parallelism >= 0 else 1
    return 1  # a Pod; a DaemonSet runs one pod per super node, at least one


def containers(template: dict[str, Any], *, init: bool = False) -> list[dict[str, Any]]:
    spec = template.get("spec") or {}
    found = [c for c in spec.get("containers") or [] if isinstance(c, dict)]
    if init:
        found += [c for c in spec.get("initContainers") or [] if isinstance(c, dict)]
    return found


def annotations(obj: dict[str, Any]) -> dict[str, str]:
    return dict((obj.get("metadata") or {}).get("annotations") or {})


def labels(obj: dict[str, Any]) -> dict[str, str]:
    return dict((obj.get("metadata") or {}).get("labels") or {})


def name_of(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def controller_of(obj: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, name) of the object's controlling owner, if any."""
    for owner in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if owner.get("controller"):
            return str(owner.get("kind")), str(owner.get("name"))
    owners = (obj.get("metadata") or {}).get("ownerReferences") or []
    return (str(owners[0].get("kind")), str(owners[0].get("name"))) if owners else None


def selector_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The workload's label selector (`matchLabels`/`matchExpressions`); Pods and CronJobs have none."""
    spec = obj.get("spec") or {}
    if obj.get("kind") == "CronJob":
        return None
    selector = spec.get("selector")
    return selector if isinstance(selector, dict) else None


def selector_matches(selector: dict[str, Any] | None, pod_labels: dict[str, str]) -> bool:
    """Label-selector semantics of the API server, for offline matching and Service selection."""
    if not selector:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if pod_labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        present = key in pod_labels
        if op == "In" and pod_labels.get(key) not in values:
            return False
        if op == "NotIn" and present and pod_labels.get(key) in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return bool(selector.get("matchLabels") or selector.get("matchExpressions"))


def selector_query(selector: dict[str, Any] | None) -> str | None:
    """A `labelSelector` query string for the API, or None when the selector can't be expressed."""
    if not selector:
        return None
    parts = [f"{key}={value}" for key, value in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(str(key))
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
        else:
            return None
    return ",".join(parts) or None


def service_selects(service: dict[str, Any], pod_labels: dict[str, str]) -> bool:
    """A Service's plain-map selector picks pods with these labels (an empty selector picks none)."""
    selector = (service.get("spec") or {}).get("selector") or {}
    return bool(selector) and all(pod_labels.get(k) == v for k, v in selector.items())


def slim_pod(pod: dict[str, Any]) -> dict[str, Any]:
    """Keep only what the checks read from a pod, so thousands of pods fit in little memory."""
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    slim_containers = [
        {k: c[k] for k in ("name", "image", "ports", "args", "command", "env") if k in c}
        for c in (spec.get("containers") or [])
    ]
    slim_status: dict[str, Any] = {"phase": status.get("phase")}
    for key in ("reason", "message"):
        if status.get(key):
            slim_status[key] = status[key]
    conditions = [c for c in status.get("conditions") or [] if c.get("status") == "False" and c.get("message")]
    if conditions:
        slim_status["conditions"] = [{k: c.get(k) for k in ("type", "status", "reason", "message")} for c in conditions]
    statuses = []
    for cs in status.get("containerStatuses") or []:
        entry = {"name": cs.get("name"), "restartCount": cs.get("restartCount", 0), "ready": cs.get("ready")}
        for key in ("state", "lastState"):
            if cs.get(key):
                entry[key] = cs[key]
        statuses.append(entry)
    if statuses:
        slim_status["containerStatuses"] = statuses
    slim_init = [{k: c[k] for k in ("name", "image", "ports") if k in c} for c in spec.get("initContainers") or []]
    slim_spec: dict[str, Any] = {"containers": slim_containers}
    if slim_init:
        slim_spec["initContainers"] = slim_init
    if spec.get("nodeName"):  # the super node, hence the subnet whose route table the pod uses
        slim_spec["nodeName"] = spec["nodeName"]
    return {
        "kind": "Pod",
        "metadata": {
            k: meta[k]
            for k in ("name", "namespace", "labels", "annotations", "ownerReferences", "creationTimestamp")
            if k in meta
        },
        "spec": slim_spec,
        "status": slim_status,
    }


def slim_workload(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    """A workload without status and managedFields: the spec is what the checks read."""
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "managedFields"}
    return {"kind": kind, "metadata": meta, "spec": obj.get("spec") or {}}


def slim_event(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": event.get("type"),
        "reason": event.get("reason"),
        "message": event.get("message") or event.get("note"),
        "count": event.get("count") or (event.get("series") or {}).get("count") or 1,
        "lastTimestamp": event.get("lastTimestamp") or event.get("eventTime"),
        "involvedObject": {
            k: (event.get("involvedObject") or event.get("regarding") or {}).get(k)
            for k in ("kind", "name", "namespace")
        },
    }
