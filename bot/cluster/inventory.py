"""Reading many workloads at once for a scan: one paged list per kind, grouped locally.

Requests grow with pages, not with pods or workloads: pods, events and Services are listed once and
matched to their workloads in memory; ReplicaSets and namespaces come as metadata only. Each item is
slimmed as it arrives, so full objects never pile up. Logs are not read here (one request per
container would not scale); `diagnose` reads them for one workload.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bot.cluster.boundary import FieldProblem, capped, read_event, read_meta, read_pod, read_service, read_workload
from bot.cluster.kinds import KINDS, REPLICASETS
from bot.cluster.kubeapi import Access, KubeApi
from bot.cluster.live_pieces import piece
from bot.cluster.snapshot import Unreadable, WorkloadSnapshot
from bot.cluster.sources import Progress
from bot.cluster.suggestions import namespace_exists, namespace_not_found
from bot.cluster.views import Event, Pod, PodTemplate, Selector, Service, Workload
from bot.domain import WorkloadRef
from bot.errors import ClusterUnreachableError

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
NO_LOGS = Unreadable("logs", "not read during a scan; `eks-doctor diagnose` reads them for one workload")

Key = tuple[str, str, str]  # kind, namespace, name
Obj = dict[str, Any]
MAX_NOTES = 3  # field warnings quoted per workload


@dataclass
class Inventory:
    snapshots: list[WorkloadSnapshot] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    #: Every pod of the cluster, when the scan covered all namespaces (reused for quota counts).
    all_pods: list[Pod] | None = None


class _Reader:
    def __init__(self, api: KubeApi, namespace: str | None, progress: Progress | None) -> None:
        self.api, self.namespace, self.progress = api, namespace, progress
        self.unreadable: list[Unreadable] = []
        #: Field warnings per object, keyed like the workloads: (kind, namespace, name).
        self.notes: dict[Key, list[str]] = defaultdict(list)

    def view(self, read: Callable[[Obj], tuple[Any, list[FieldProblem]]], kind: str) -> Callable[[Obj], Any]:
        """`read` for items of `kind`, keeping its field warnings."""

        def keep(item: Obj) -> Any:
            view, problems = read(item)
            if problems:
                meta = view.meta if hasattr(view, "meta") else view
                key = (kind, meta.namespace or "", meta.name)
                self.notes[key].extend(f"{kind.lower()} {meta.name}: {p}" for p in problems)
            return view

        return keep

    def list(
        self, plural: str, path: str, *, metadata_only: bool = False, query=(), keep: Callable[[Obj], Any] = dict
    ) -> list[Any]:
        """Every item passed through `keep` as it arrives, or [] with an `Unreadable` recorded."""
        where = f"in namespace {self.namespace}" if self.namespace else "across the cluster"

        def on_page(pages: int, seen: int) -> None:
            if self.progress:
                self.progress(f"listing {plural} {where}: {seen} so far")

        def read() -> list[Any]:
            access = Access("list", plural, self.namespace)
            items = self.api.items(path, access=access, metadata_only=metadata_only, query=query, on_page=on_page)
            return [keep(item) for item in items]

        result = piece(f"{plural} {where}", read)
        if isinstance(result, Unreadable):
            self.unreadable.append(result)
            return []
        return result

    def failed(self, plural: str) -> Unreadable | None:
        return next((u for u in self.unreadable if u.what.startswith(f"{plural} ")), None)


def _workloads(reader: _Reader, namespace: str | None) -> tuple[dict[Key, Workload | Pod], dict[Key, Key]]:
    """The workloads, and each ReplicaSet's or Job's parent (their pods belong to the parent)."""
    workloads: dict[Key, Workload | Pod] = {}
    for kind in WORKLOAD_KINDS:
        path = KINDS[kind].collection_path(namespace)
        keep = reader.view(partial(_workload_of_kind, kind=kind), kind)
        for view in reader.list(KINDS[kind].plural, path, keep=keep):
            workloads[(kind, view.meta.namespace or "", view.name)] = view
    parent: dict[Key, Key] = {}
    path = REPLICASETS.collection_path(namespace)
    for rs in reader.list(REPLICASETS.plural, path, metadata_only=True, keep=reader.view(read_meta, "ReplicaSet")):
        owner = rs.controller()
        if owner and owner[0] == "Deployment":
            parent[("ReplicaSet", rs.namespace or "", rs.name)] = ("Deployment", rs.namespace or "", owner[1])
    for (kind, ns, name), job in list(workloads.items()):
        owner = job.meta.controller() if kind == "Job" else None
        if owner and owner[0] == "CronJob" and ("CronJob", ns, owner[1]) in workloads:
            parent[(kind, ns, name)] = ("CronJob", ns, owner[1])
            del workloads[(kind, ns, name)]  # checked as part of its CronJob
    return workloads, parent


def _workload_of_kind(item: Obj, *, kind: str) -> tuple[Workload, list[FieldProblem]]:
    return read_workload(item, kind)


def _group_pods(
    pods: list[Pod], workloads: dict[Key, Workload | Pod], parent: dict[Key, Key]
) -> tuple[dict[Key, list[Pod]], dict[Key, set[str]]]:
    """Pods per workload (bare pods become workloads), and the ReplicaSets/Jobs seen per workload."""
    pods_of: dict[Key, list[Pod]] = defaultdict(list)
    children_of: dict[Key, set[str]] = defaultdict(set)
    selecting = _selectors_by_namespace(workloads)
    for pod in pods:
        owner = pod.meta.controller()
        if owner is None:
            # No owner reference (a pod created by hand, or one whose references were stripped): it
            # belongs to the workload whose selector picks it, as `diagnose` reads it; else to itself.
            ns = pod.meta.namespace or ""
            chosen = next((k for k, sel in selecting.get(ns, []) if sel.matches(pod.meta.labels)), None)
            if chosen is None:
                workloads[("Pod", ns, pod.name)] = pod
            else:
                pods_of[chosen].append(pod)
            continue
        key: Key = (owner[0], pod.meta.namespace or "", owner[1])
        while key in parent:
            children_of[parent[key]].add(key[2])
            key = parent[key]
        pods_of[key].append(pod)
    return pods_of, children_of


def _selectors_by_namespace(workloads: dict[Key, Workload | Pod]) -> dict[str, list[tuple[Key, Selector]]]:
    """Per namespace, the workloads with a label selector, in a stable order (kind, then name)."""
    found: dict[str, list[tuple[Key, Selector]]] = defaultdict(list)
    for key in sorted(workloads, key=lambda k: (WORKLOAD_KINDS.index(k[0]) if k[0] in WORKLOAD_KINDS else 99, k[2])):
        view = workloads[key]
        selector = view.selector if isinstance(view, Workload) else None
        if selector and (selector.match_labels or selector.expressions):
            found[key[1]].append((key, selector))
    return found


def read_inventory(api: KubeApi, *, namespace: str | None, progress: Progress | None = None) -> Inventory:
    """Raises NotFoundError (with close names) for a namespace that does not exist: a mistyped name
    is not a namespace with nothing wrong in it."""
    if namespace is not None and namespace_exists(api, namespace) is False:
        raise namespace_not_found(api, namespace)
    reader = _Reader(api, namespace, progress)
    workloads, parent = _workloads(reader, namespace)
    all_pods = reader.list("pods", KINDS["Pod"].collection_path(namespace), keep=reader.view(read_pod, "Pod"))
    pods_of, children_of = _group_pods(all_pods, workloads, parent)
    services: dict[str, list[Service]] = defaultdict(list)
    keep_service = reader.view(read_service, "Service")
    for service in reader.list("services", f"/api/v1{_scope(namespace)}/services", keep=keep_service):
        services[service.meta.namespace or ""].append(service)
    events: dict[tuple[str, str], list[Event]] = defaultdict(list)
    warnings_only = [("fieldSelector", "type=Warning")]
    keep_event = _first(read_event)
    for event in reader.list("events", f"/api/v1{_scope(namespace)}/events", query=warnings_only, keep=keep_event):
        events[(event.about.namespace, event.about.name)].append(event)
    namespace_labels = _namespace_labels(reader, namespace)
    _give_up_if_unreachable(reader.unreadable)

    inventory = Inventory(unreadable=reader.unreadable, all_pods=all_pods if namespace is None else None)
    pods_failed, events_failed, services_failed = (reader.failed(p) for p in ("pods", "events", "services"))
    for (kind, ns, name), view in sorted(workloads.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])):
        if isinstance(view, Pod):
            workload, pods = Workload("Pod", view.meta, PodTemplate(view.meta, view.spec)), [view]
        else:
            workload, pods = view, pods_of.get((kind, ns, name), [])
        template = workload.template
        names = {name, *children_of.get((kind, ns, name), ()), *(p.name for p in pods)}
        about = [(kind, ns, name), *(("Pod", ns, p.name) for p in pods)]
        notes = [line for key in about for line in reader.notes.get(key, [])]
        ns_labels = namespace_labels if isinstance(namespace_labels, Unreadable) else namespace_labels.get(ns)
        inventory.snapshots.append(
            WorkloadSnapshot(
                ref=WorkloadRef(kind=kind, namespace=ns, name=name),
                workload=workload,
                pods=pods_failed or pods,
                events=events_failed or [e for n in sorted(names) for e in events.get((ns, n), [])],
                logs=NO_LOGS,
                services=services_failed or [s for s in services[ns] if s.selects(template.meta.labels)],
                namespace_labels=Unreadable(f"namespace {ns}", "not listed") if ns_labels is None else ns_labels,
                origin="live",
                notes=capped(notes, MAX_NOTES),
            )
        )
    return inventory


def _namespace_labels(reader: _Reader, namespace: str | None) -> dict[str, dict[str, str]] | Unreadable:
    if namespace is None:
        items = reader.list("namespaces", "/api/v1/namespaces", metadata_only=True, keep=_first(read_meta))
        return reader.failed("namespaces") or {meta.name: meta.labels for meta in items}
    found = piece(
        f"namespace {namespace}",
        lambda: reader.api.get(f"/api/v1/namespaces/{namespace}", access=Access("get", "namespaces")),
    )
    if isinstance(found, Unreadable):
        reader.unreadable.append(found)
        return found
    return {namespace: read_meta(found or {})[0].labels}


def _give_up_if_unreachable(unreadable: list[Unreadable]) -> None:
    """Nothing at all could be read because the cluster is unreachable: an error, not a report."""
    plurals = {KINDS[k].plural for k in WORKLOAD_KINDS}
    workload_lists = [u for u in unreadable if u.what.split(" ")[0] in plurals]
    if len(workload_lists) == len(WORKLOAD_KINDS) and all(u.unreachable for u in workload_lists):
        raise ClusterUnreachableError(workload_lists[0].why)


def _first(read: Callable[[Obj], tuple[Any, list[FieldProblem]]]) -> Callable[[Obj], Any]:
    """The view alone: events and namespaces carry nothing a field warning would help with."""
    return lambda item: read(item)[0]


def _scope(namespace: str | None) -> str:
    return f"/namespaces/{namespace}" if namespace else ""
