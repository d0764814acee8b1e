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


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def pod_template(obj: dict[str, Any]) -> dict[str, Any]:
    """The raw pod template ({metadata, spec}) of a live workload, for the remedies that patch it; a Pod
    is its own template. Checks read `bot.cluster.views` instead."""
    kind = obj.get("kind")
    spec = _map(obj.get("spec"))
    if kind == "Pod":
        return {"metadata": _map(obj.get("metadata")), "spec": spec}
    if kind == "CronJob":
        spec = _map(_map(spec.get("jobTemplate")).get("spec"))
    template = _map(spec.get("template"))
    return {"metadata": _map(template.get("metadata")), "spec": _map(template.get("spec"))}


def containers(template: dict[str, Any], *, init: bool = False) -> list[dict[str, Any]]:
    spec = _map(template.get("spec"))
    keys = ("containers", "initContainers") if init else ("containers",)
    return [c for key in keys for c in _list(spec.get(key)) if isinstance(c, dict)]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def annotations(obj: dict[str, Any]) -> dict[str, str]:
    """String annotations only: anything else in a raw object is not something a patch compares with."""
    return _strings(_map(obj.get("metadata")).get("annotations"))


def _strings(value: Any) -> dict[str, str]:
    return {k: v for k, v in _map(value).items() if isinstance(k, str) and isinstance(v, str)}


def name_of(obj: dict[str, Any]) -> str:
    name = _map(obj.get("metadata")).get("name")
    return name if isinstance(name, str) else ""


def controller_of(obj: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, name) of the object's controlling owner, if any."""
    owners = [o for o in _list(_map(obj.get("metadata")).get("ownerReferences")) if isinstance(o, dict)]
    chosen = next((o for o in owners if o.get("controller") is True), None) or (owners[0] if owners else None)
    return (str(chosen.get("kind")), str(chosen.get("name"))) if chosen else None
