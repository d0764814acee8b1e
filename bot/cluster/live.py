"""Reading one workload from a live cluster: the object, its pods, events, log tails, Services and
namespace labels, each bounded, each replaced by an `Unreadable` marker when the cluster says no."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rapidfuzz import process

from bot.cluster.inventory import read_inventory
from bot.cluster.kinds import (
    ANY_KIND,
    KINDS,
    LOOKUP_ORDER,
    REPLICASETS,
    controller_of,
    labels,
    name_of,
    pod_template,
    selector_query,
    service_selects,
    slim_event,
    slim_pod,
)
from bot.cluster.kubeapi import Access, ApiRefused, KubeApi
from bot.cluster.live_pieces import piece
from bot.cluster.pod_counts import count_pods
from bot.cluster.snapshot import ClusterCounts, ContainerLog, Unreadable, WorkloadSnapshot
from bot.cluster.sources import Progress
from bot.cluster.suggestions import elsewhere, namespace_exists, namespace_not_found
from bot.domain import WorkloadRef
from bot.errors import ClusterPermissionError, ClusterUnreachableError, EksDoctorError, NotFoundError

LOG_LIMIT_BYTES = 64 * 1024
LOG_PODS = 3  # pods whose logs are read: the troubled ones first
EVENT_PODS = 5  # pods whose events are read, besides the workload and its ReplicaSets or Jobs
EVENT_CHILDREN = 3
SUGGESTIONS = 3
SUGGESTION_CUTOFF = 60


def _troubled_first(pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def trouble(pod: dict[str, Any]) -> tuple[int, str]:
        status = pod.get("status") or {}
        restarts = sum(c.get("restartCount", 0) for c in status.get("containerStatuses") or [])
        not_ready = any(not c.get("ready") for c in status.get("containerStatuses") or [])
        pending = status.get("phase") == "Pending"
        return (-(restarts > 0) - not_ready - pending, name_of(pod))

    return sorted(pods, key=trouble)


class LiveSource:
    name = "live"

    def __init__(self, api: KubeApi, *, log_tail_lines: int = 200) -> None:
        self.api = api
        self.log_tail_lines = log_tail_lines
        self._counts: dict[tuple[str, ...], ClusterCounts | Unreadable] = {}
        self._unreadable: list[Unreadable] = []
        self._inventory_pods: list[dict[str, Any]] | None = None

    # -- one workload -------------------------------------------------------------------------------

    def find(self, ref: WorkloadRef) -> dict[str, Any]:
        """The workload object; a bare name tries each kind in turn. NotFoundError suggests close names."""
        namespace = ref.namespace or self.api.default_namespace
        kinds = LOOKUP_ORDER if ref.kind == ANY_KIND else (ref.kind,)
        denied: ClusterPermissionError | None = None
        for kind in kinds:
            info = KINDS[kind]
            try:
                obj = self.api.get(info.object_path(namespace, ref.name), access=Access("get", info.plural, namespace))
            except ClusterPermissionError as exc:
                if len(kinds) == 1:
                    raise
                denied = denied or exc
                continue
            if obj is not None:
                obj.setdefault("kind", kind)
                return obj
        if denied is not None:
            raise denied
        raise self._not_found(ref, namespace, kinds)

    def _not_found(self, ref: WorkloadRef, namespace: str, kinds: Sequence[str]) -> NotFoundError:
        """Name what is missing and offer the closest names in the namespace, or, when none is close,
        the same name in other namespaces. Suggestions are best effort."""
        if namespace_exists(self.api, namespace) is False:
            missing = namespace_not_found(self.api, namespace, looking_for=ref.name)
            if missing.suggestions:
                return missing
            return NotFoundError(missing.message, suggestions=elsewhere(self.api, ref.name, kinds, namespace=namespace))
        names: dict[str, str] = {}
        try:
            for kind in kinds:
                info = KINDS[kind]
                for item in self.api.items(
                    info.collection_path(namespace),
                    metadata_only=True,
                    access=Access("list", info.plural, namespace),
                    max_pages=4,
                ):
                    label = name_of(item) if len(kinds) == 1 else f"{kind.lower()}/{name_of(item)}"
                    names.setdefault(label, name_of(item))
        except (EksDoctorError, ApiRefused):
            pass
        found = process.extract(ref.name, names, limit=SUGGESTIONS, score_cutoff=SUGGESTION_CUTOFF)
        suggestions = [label for _value, _score, label in found]
        if not suggestions:
            suggestions = elsewhere(self.api, ref.name, kinds, namespace=namespace)
        if ref.kind != ANY_KIND:
            return NotFoundError(f"{ref.kind.lower()} {ref.name} not found in namespace {namespace}",
                                 suggestions=suggestions)  # fmt: skip
        kinds_said = ", ".join(k.lower() for k in kinds[:-1]) + f" or {kinds[-1].lower()}"
        return NotFoundError(f"no {kinds_said} named {ref.name} in namespace {namespace}", suggestions=suggestions)

    def _children(self, obj: dict[str, Any], namespace: str) -> list[dict[str, Any]]:
        """A Deployment's ReplicaSets or a CronJob's Jobs (metadata only), newest first."""
        kind = obj["kind"]
        if kind == "Deployment":
            info, query = REPLICASETS, selector_query((obj.get("spec") or {}).get("selector"))
        elif kind == "CronJob":
            info, query = KINDS["Job"], None
        else:
            return []
        found = [
            item
            for item in self.api.items(
                info.collection_path(namespace),
                metadata_only=True,
                access=Access("list", info.plural, namespace),
                query=[("labelSelector", query)] if query else [],
            )
            if controller_of(item) == (kind, name_of(obj))
        ]
        return sorted(found, key=lambda i: str((i.get("metadata") or {}).get("creationTimestamp") or ""), reverse=True)

    def _pods(self, obj: dict[str, Any], namespace: str, children: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kind, name = obj["kind"], name_of(obj)
        if kind == "Pod":
            return [obj]
        owners = {(kind, name)}
        if kind == "CronJob":
            job_names = [name_of(c) for c in children[: EVENT_CHILDREN * 2]]
            if not job_names:
                return []
            query = f"job-name in ({','.join(job_names)})"
            owners = {("Job", n) for n in job_names}
        else:
            query = selector_query((obj.get("spec") or {}).get("selector"))
            if kind == "Deployment":
                owners = {("ReplicaSet", name_of(c)) for c in children}
        pods = self.api.items(
            KINDS["Pod"].collection_path(namespace),
            access=Access("list", "pods", namespace),
            query=[("labelSelector", query)] if query else [],
        )
        # A selector can also catch pods of another controller; keep the ones this workload owns.
        return [slim_pod(p) for p in pods if controller_of(p) in owners or controller_of(p) is None]

    def _events(self, namespace: str, objects: list[tuple[str, str]]) -> list[dict[str, Any]]:
        events = []
        for kind, name in objects:
            selector = f"involvedObject.kind={kind},involvedObject.name={name}"
            events.extend(
                slim_event(e)
                for e in self.api.items(
                    f"/api/v1/namespaces/{namespace}/events",
                    access=Access("list", "events", namespace),
                    query=[("fieldSelector", selector)],
                    max_pages=1,
                )
            )
        return sorted(events, key=lambda e: str(e.get("lastTimestamp") or ""), reverse=True)

    def _logs(self, namespace: str, pods: list[dict[str, Any]]) -> list[ContainerLog]:
        """Log tails of the troubled pods first; the previous run too where a container restarted."""
        logs: list[ContainerLog] = []
        refusal: str | None = None  # a refusal applies to every container: ask once
        for pod in _troubled_first(pods)[:LOG_PODS]:
            restarts = {
                s.get("name"): s.get("restartCount", 0)
                for s in (pod.get("status") or {}).get("containerStatuses") or []
            }
            for container in [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]:
                for previous in (False, True) if restarts.get(container) else (False,):
                    if refusal:
                        logs.append(ContainerLog(name_of(pod), container, unavailable=refusal, previous=previous))
                        continue
                    try:
                        text = self._log(namespace, name_of(pod), container, previous=previous)
                    except (ClusterPermissionError, ClusterUnreachableError) as exc:
                        refusal = str(exc)
                        logs.append(ContainerLog(name_of(pod), container, unavailable=refusal, previous=previous))
                    except (EksDoctorError, ApiRefused) as exc:  # e.g. a container still waiting to start
                        logs.append(ContainerLog(name_of(pod), container, unavailable=str(exc), previous=previous))
                    else:
                        logs.append(ContainerLog(name_of(pod), container, text=text, previous=previous))
        return logs

    def _log(self, namespace: str, pod: str, container: str, *, previous: bool) -> str:
        query = [("container", container), ("tailLines", self.log_tail_lines), ("limitBytes", LOG_LIMIT_BYTES)]
        if previous:
            query.append(("previous", "true"))
        return self.api.text(
            f"/api/v1/namespaces/{namespace}/pods/{pod}/log", access=Access("get", "pods/log", namespace), query=query
        )

    def _services(self, namespace: str, template: dict[str, Any]) -> list[dict[str, Any]]:
        pod_labels = labels(template)
        services = self.api.items(
            f"/api/v1/namespaces/{namespace}/services", access=Access("list", "services", namespace)
        )
        return [s for s in services if service_selects(s, pod_labels)]

    def read_workload(self, *, ref: WorkloadRef) -> WorkloadSnapshot:
        namespace = ref.namespace or self.api.default_namespace
        obj = self.find(ref)
        ref = WorkloadRef(kind=obj["kind"], namespace=namespace, name=name_of(obj))
        template = pod_template(obj)
        children = piece("ReplicaSets/Jobs", lambda: self._children(obj, namespace))
        kids = children if isinstance(children, list) else []
        pods = piece("pods", lambda: self._pods(obj, namespace, kids))
        pod_list = pods if isinstance(pods, list) else []
        event_objects = [(ref.kind, ref.name)] + [(_child_kind(ref.kind), name_of(c)) for c in kids[:EVENT_CHILDREN]]
        if ref.kind != "Pod":
            event_objects += [("Pod", name_of(p)) for p in _troubled_first(pod_list)[:EVENT_PODS]]
        events = piece("events", lambda: self._events(namespace, event_objects))
        if self.log_tail_lines <= 0:
            logs: list[ContainerLog] | Unreadable = Unreadable(
                "logs", "log reading is off (EKS_DOCTOR_LOG_TAIL_LINES=0)"
            )
        elif isinstance(pods, Unreadable):
            logs = Unreadable("logs", "the pods could not be listed")
        else:
            logs = self._logs(namespace, pod_list)
        namespace_obj = piece(
            f"namespace {namespace}",
            lambda: self.api.get(f"/api/v1/namespaces/{namespace}", access=Access("get", "namespaces")) or {},
        )
        return WorkloadSnapshot(
            ref=ref,
            obj=obj,
            template=template,
            pods=pods,
            events=events,
            logs=logs,
            services=piece("services", lambda: self._services(namespace, template)),
            namespace_labels=namespace_obj if isinstance(namespace_obj, Unreadable) else labels(namespace_obj),
            origin="live",
        )

    # -- many workloads -----------------------------------------------------------------------------

    def list_workloads(self, *, namespace: str | None, progress: Progress | None = None) -> list[WorkloadSnapshot]:
        inventory = read_inventory(self.api, namespace=namespace, progress=progress)
        self._unreadable = inventory.unreadable
        if namespace is None and inventory.all_pods is not None:
            self._inventory_pods = inventory.all_pods  # cluster-wide counts come from this listing
        return inventory.snapshots

    def cluster_counts(self, *, sg_annotations: Sequence[str]) -> ClusterCounts | Unreadable:
        key = tuple(sg_annotations)
        if key not in self._counts:
            if self._inventory_pods is not None:
                self._counts[key] = count_pods(self._inventory_pods, sg_annotations=sg_annotations)
            else:
                self._counts[key] = piece(
                    "pods across the cluster",
                    lambda: count_pods(
                        self.api.items(
                            "/api/v1/pods",
                            access=Access("list", "pods"),
                            metadata_only=True,
                            query=[("fieldSelector", "status.phase!=Succeeded,status.phase!=Failed")],
                        ),
                        sg_annotations=sg_annotations,
                    ),
                )
        return self._counts[key]

    def unreadable(self) -> list[Unreadable]:
        return list(self._unreadable)


def _child_kind(kind: str) -> str:
    return "ReplicaSet" if kind == "Deployment" else "Job"
