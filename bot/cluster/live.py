"""Reading one workload from a live cluster: the object, its pods, events, log tails, Services and
namespace labels, each bounded, each replaced by an `Unreadable` marker when the cluster says no."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.cluster.boundary import FieldProblem, capped, read_event, read_meta, read_pod, read_service, read_workload
from bot.cluster.inventory import read_inventory
from bot.cluster.kinds import ANY_KIND, KINDS, LOOKUP_ORDER, REPLICASETS
from bot.cluster.kubeapi import Access, ApiRefused, KubeApi
from bot.cluster.live_pieces import piece
from bot.cluster.pod_counts import count_pods
from bot.cluster.snapshot import ClusterCounts, ContainerLog, Unreadable, WorkloadSnapshot
from bot.cluster.sources import Progress
from bot.cluster.suggestions import close_names, elsewhere, namespace_exists, namespace_not_found
from bot.cluster.views import Event, Meta, Pod, PodTemplate, Service, Workload
from bot.domain import WorkloadRef
from bot.errors import ClusterPermissionError, ClusterUnreachableError, EksDoctorError, NotFoundError

LOG_LIMIT_BYTES = 64 * 1024
LOG_PODS = 3  # pods whose logs are read: the troubled ones first
EVENT_PODS = 5  # pods whose events are read, besides the workload and its ReplicaSets or Jobs
EVENT_CHILDREN = 3
MAX_NOTES = 5  # field warnings per workload: the first few say enough
#: Requests for one workload's pieces in flight at once (events, logs, Services, namespace).
READ_THREADS = 8


def _sorted_events(groups: Any) -> list[Event]:
    return sorted((event for group in groups for event in group), key=lambda e: e.last_seen, reverse=True)


def _troubled_first(pods: list[Pod]) -> list[Pod]:
    def trouble(pod: Pod) -> tuple[int, str]:
        restarts = sum(c.restarts for c in pod.statuses)
        not_ready = any(not c.ready for c in pod.statuses)
        return (-(restarts > 0) - not_ready - (pod.phase == "Pending"), pod.name)

    return sorted(pods, key=trouble)


class _Notes:
    """Field warnings about live objects, as lines naming the object and the field."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, what: str, problems: list[FieldProblem]) -> None:
        self.lines.extend(f"{what}: {problem}" for problem in problems)

    def pod(self, raw: dict[str, Any]) -> Pod:
        pod, problems = read_pod(raw)
        self.add(f"pod {pod.name}", problems)
        return pod

    def summary(self) -> tuple[str, ...]:
        return capped(self.lines, MAX_NOTES)


class LiveSource:
    name = "live"

    def __init__(self, api: KubeApi, *, log_tail_lines: int = 200) -> None:
        self.api = api
        self.log_tail_lines = log_tail_lines
        self._counts: dict[tuple[str, ...], ClusterCounts | Unreadable] = {}
        self._unreadable: list[Unreadable] = []
        self._inventory_pods: list[Pod] | None = None

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
        suggestions = close_names(self.api, ref.name, kinds, namespace=namespace)
        if not suggestions:
            suggestions = elsewhere(self.api, ref.name, kinds, namespace=namespace)
        if ref.kind != ANY_KIND:
            return NotFoundError(f"{ref.kind.lower()} {ref.name} not found in namespace {namespace}",
                                 suggestions=suggestions)  # fmt: skip
        kinds_said = ", ".join(k.lower() for k in kinds[:-1]) + f" or {kinds[-1].lower()}"
        return NotFoundError(f"no {kinds_said} named {ref.name} in namespace {namespace}", suggestions=suggestions)

    def _children(self, workload: Workload, namespace: str) -> list[Meta]:
        """A Deployment's ReplicaSets or a CronJob's Jobs (metadata only), newest first."""
        if workload.kind == "Deployment":
            info, query = REPLICASETS, workload.selector.query() if workload.selector else None
        elif workload.kind == "CronJob":
            info, query = KINDS["Job"], None
        else:
            return []
        metas = (
            read_meta(item)[0]
            for item in self.api.items(
                info.collection_path(namespace),
                metadata_only=True,
                access=Access("list", info.plural, namespace),
                query=[("labelSelector", query)] if query else [],
            )
        )
        found = [meta for meta in metas if meta.controller() == (workload.kind, workload.name)]
        return sorted(found, key=lambda meta: meta.created, reverse=True)

    def _pods(self, workload: Workload, namespace: str, children: list[Meta], notes: _Notes) -> list[Pod]:
        kind, name = workload.kind, workload.name
        if kind == "Pod":
            return []  # the caller has the pod itself
        owners = {(kind, name)}
        if kind == "CronJob":
            job_names = [c.name for c in children[: EVENT_CHILDREN * 2]]
            if not job_names:
                return []
            query = f"job-name in ({','.join(job_names)})"
            owners = {("Job", n) for n in job_names}
        else:
            query = workload.selector.query() if workload.selector else None
            if kind == "Deployment":
                owners = {("ReplicaSet", c.name) for c in children}
        pods = self.api.items(
            KINDS["Pod"].collection_path(namespace),
            access=Access("list", "pods", namespace),
            query=[("labelSelector", query)] if query else [],
        )
        # A selector can also catch pods of another controller; keep the ones this workload owns.
        views = (notes.pod(p) for p in pods)
        return [p for p in views if p.meta.controller() in owners or p.meta.controller() is None]

    def _events_of(self, namespace: str, kind: str, name: str) -> list[Event]:
        selector = f"involvedObject.kind={kind},involvedObject.name={name}"
        return [
            read_event(e)[0]
            for e in self.api.items(
                f"/api/v1/namespaces/{namespace}/events",
                access=Access("list", "events", namespace),
                query=[("fieldSelector", selector)],
                max_pages=1,
            )
        ]

    def _logs(self, namespace: str, pods: list[Pod], pool: ThreadPoolExecutor) -> list[ContainerLog]:
        """Log tails of the troubled pods first; the previous run too where a container restarted.

        The first tail is read alone: a refusal applies to every container, so the others are not asked.
        """
        wanted = [
            (pod.name, container, previous)
            for pod in _troubled_first(pods)[:LOG_PODS]
            for container in [c.name for c in pod.spec.containers if c.name]
            for previous in ((False, True) if {s.name: s.restarts for s in pod.statuses}.get(container) else (False,))
        ]
        if not wanted:
            return []
        first, refused = self._tail(namespace, *wanted[0])
        if refused:
            return [first] + [ContainerLog(p, c, unavailable=first.unavailable, previous=v) for p, c, v in wanted[1:]]
        rest = [pool.submit(self._tail, namespace, *item) for item in wanted[1:]]
        return [first] + [future.result()[0] for future in rest]

    def _tail(self, namespace: str, pod: str, container: str, previous: bool) -> tuple[ContainerLog, bool]:
        """(the tail or why it is missing, whether the cluster refused: RBAC or no connection)."""
        try:
            text = self._log(namespace, pod, container, previous=previous)
        except (ClusterPermissionError, ClusterUnreachableError) as exc:
            return ContainerLog(pod, container, unavailable=str(exc), previous=previous), True
        except (EksDoctorError, ApiRefused) as exc:  # e.g. a container still waiting to start
            return ContainerLog(pod, container, unavailable=str(exc), previous=previous), False
        return ContainerLog(pod, container, text=text, previous=previous), False

    def _log(self, namespace: str, pod: str, container: str, *, previous: bool) -> str:
        query = [("container", container), ("tailLines", self.log_tail_lines), ("limitBytes", LOG_LIMIT_BYTES)]
        if previous:
            query.append(("previous", "true"))
        return self.api.text(
            f"/api/v1/namespaces/{namespace}/pods/{pod}/log", access=Access("get", "pods/log", namespace), query=query
        )

    def _services(self, namespace: str, template: PodTemplate) -> list[Service]:
        services = self.api.items(
            f"/api/v1/namespaces/{namespace}/services", access=Access("list", "services", namespace)
        )
        views = (read_service(s)[0] for s in services)
        return [s for s in views if s.selects(template.meta.labels)]

    def read_workload(self, *, ref: WorkloadRef, alongside: Callable[[], object] | None = None) -> WorkloadSnapshot:
        """`alongside` (e.g. counting the cluster's pods) runs beside the reads once the workload is found,
        and has finished when this returns."""
        namespace = ref.namespace or self.api.default_namespace
        obj = self.find(ref)
        with ThreadPoolExecutor(max_workers=READ_THREADS, thread_name_prefix="eks-doctor-read") as pool:
            if alongside is not None:
                pool.submit(alongside)
            return self._read_found(obj, ref, namespace, pool)

    def _read_found(
        self, obj: dict[str, Any], ref: WorkloadRef, namespace: str, pool: ThreadPoolExecutor
    ) -> WorkloadSnapshot:
        notes = _Notes()
        workload, problems = read_workload(obj)
        ref = WorkloadRef(kind=workload.kind, namespace=namespace, name=workload.name or ref.name)
        notes.add(f"{ref.kind.lower()} {ref.name}", problems)
        template = workload.template
        children = piece("ReplicaSets/Jobs", lambda: self._children(workload, namespace))
        kids = children if isinstance(children, list) else []
        pods: list[Pod] | Unreadable
        if ref.kind == "Pod":
            pod, pod_problems = read_pod(obj)
            # Its metadata and spec were read as the workload, warned about above; only its status is new.
            notes.add(f"pod {pod.name}", [p for p in pod_problems if p.path[:1] == ("status",)])
            pods = [pod]
        else:
            pods = piece("pods", lambda: self._pods(workload, namespace, kids, notes))
        pod_list = pods if isinstance(pods, list) else []
        event_objects = [(ref.kind, ref.name)] + [(_child_kind(ref.kind), c.name) for c in kids[:EVENT_CHILDREN]]
        if ref.kind != "Pod":
            event_objects += [("Pod", p.name) for p in _troubled_first(pod_list)[:EVENT_PODS]]
        # Once the pods are known, the rest is independent: read it at once, not one round trip after another
        # (a slow API server answering in 2 s turns fifteen requests into five rounds).
        events_read = [pool.submit(self._events_of, namespace, kind, name) for kind, name in event_objects]
        services_read = pool.submit(piece, "services", lambda: self._services(namespace, template))
        namespace_read = pool.submit(
            piece,
            f"namespace {namespace}",
            lambda: self.api.get(f"/api/v1/namespaces/{namespace}", access=Access("get", "namespaces")) or {},
        )
        if self.log_tail_lines <= 0:
            logs: list[ContainerLog] | Unreadable = Unreadable(
                "logs", "log reading is off (EKS_DOCTOR_LOG_TAIL_LINES=0)"
            )
        elif isinstance(pods, Unreadable):
            logs = Unreadable("logs", "the pods could not be listed")
        else:
            logs = self._logs(namespace, pod_list, pool)
        events = piece("events", lambda: _sorted_events(future.result() for future in events_read))
        services, namespace_obj = services_read.result(), namespace_read.result()
        return WorkloadSnapshot(
            ref=ref,
            workload=workload,
            pods=pods,
            events=events,
            logs=logs,
            services=services,
            namespace_labels=(
                namespace_obj if isinstance(namespace_obj, Unreadable) else read_meta(namespace_obj)[0].labels
            ),
            origin="live",
            notes=notes.summary(),
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
                        (read_pod(item)[0] for item in self._running_pods_metadata()), sg_annotations=sg_annotations
                    ),
                )
        return self._counts[key]

    def _running_pods_metadata(self):
        return self.api.items(
            "/api/v1/pods",
            access=Access("list", "pods"),
            metadata_only=True,
            query=[("fieldSelector", "status.phase!=Succeeded,status.phase!=Failed")],
        )

    def unreadable(self) -> list[Unreadable]:
        return list(self._unreadable)


def _child_kind(kind: str) -> str:
    return "ReplicaSet" if kind == "Deployment" else "Job"
