"""Reading manifests: multi-document YAML files, folders, or `-` for stdin, as offline snapshots.

A broken file is reported with its line and skipped; the other files are still checked. Pods exported
with their workload (`kubectl get deploy,pods -o yaml`) are attached to it, so template-vs-pod
differences show offline too.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from bot.cluster.boundary import (
    FieldProblem,
    kind_of,
    read_event,
    read_meta,
    read_pod,
    read_service,
    read_workload,
    shape,
)
from bot.cluster.kinds import ANY_KIND, KINDS
from bot.cluster.reports import Problem
from bot.cluster.snapshot import ClusterCounts, Unreadable, WorkloadSnapshot
from bot.cluster.views import Event, Meta, Pod, Service, Workload
from bot.cluster.yaml_input import Document, InputLimits, Refused, decode, documents, line_at, read_file, read_stream
from bot.domain import WorkloadRef
from bot.errors import NotFoundError

SUFFIXES = {".yaml", ".yml", ".json"}
DEFAULT_NAMESPACE = "default"
STDIN = "-"
OFFLINE = "offline check"
#: Warnings quoted per file; a machine-made file with one mistake repeated would otherwise flood the screen.
MAX_PROBLEMS_PER_FILE = 20


@dataclass
class ManifestWorkload:
    workload: Workload
    origin: str  # "path:line"
    pod: Pod | None = None  # for kind Pod: the pod itself


@dataclass
class ManifestSet:
    workloads: list[ManifestWorkload] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    namespaces: list[Meta] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0


def _expand(paths: Sequence[str | Path], problems: list[Problem]) -> list[str | Path]:
    files: list[str | Path] = []
    for raw in paths:
        if str(raw) == STDIN:
            files.append(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
            if not found:
                problems.append(Problem(str(path), "no .yaml, .yml or .json files in this folder"))
            files.extend(found)
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            problems.append(Problem(str(path), "no such file or folder"))
    return files


def _objects_in(document: Any) -> list[tuple[Any, tuple[str | int, ...]]]:
    """A document's objects with their path in it; `kind: List` (kubectl get -o yaml) holds several."""
    if not isinstance(document, dict):
        return []
    kind = kind_of(document) or ""
    items = document.get("items")
    if (kind == "List" or kind.endswith("List")) and isinstance(items, list):
        return [(item, ("items", i)) for i, item in enumerate(items)]
    return [(document, ())]


class _FileReader:
    """Objects of one file into a ManifestSet; problems name the file, the line and the field."""

    def __init__(self, label: str, result: ManifestSet) -> None:
        self.label, self.result = label, result
        self.problems: list[Problem] = []

    def problem(self, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.label, message, line))

    def document(self, document: Document) -> None:
        data = document.data
        if data is None:
            return
        if not isinstance(data, dict):
            self.problem(f"a document that is {shape(data)}, not a Kubernetes object: ignored", document.line)
            return
        for raw, path in _objects_in(data):
            line = line_at(document.node, path)
            if not isinstance(raw, dict):
                self.problem(f"{'.'.join(map(str, path))}: not a Kubernetes object: ignored", line)
                continue
            self.obj(raw, document, path, line)

    def obj(self, raw: dict[Any, Any], document: Document, path: tuple[str | int, ...], line: int) -> None:
        kind = kind_of(raw)
        if kind is None:
            if raw.get("kind") is not None:
                self.problem("kind: expected a string: ignored", line_at(document.node, (*path, "kind")))
            return
        if kind not in KINDS and kind not in ("Service", "Namespace", "Event"):
            return  # other kinds (ConfigMap, Ingress, ...) are fine and not inspected
        view, problems = _read(kind, raw)
        meta = view if isinstance(view, Meta) else getattr(view, "meta", None)
        what = f"{kind} {meta.name}" if meta is not None and meta.name else kind
        for problem in problems:
            self.field_problem(what, problem, document, path)
        if meta is not None and not meta.name:
            self.problem(f"{kind} without metadata.name: ignored", line)
            return
        if isinstance(view, Workload) and kind != "Pod" and not view.template.spec.containers:
            self.problem(f"{kind} {view.name} has no pod template with containers", line)
            return
        origin = f"{self.label}:{line}"
        if kind == "Pod":
            pod, _ = read_pod(raw)  # its problems are the workload's, reported once
            self.result.workloads.append(ManifestWorkload(view, origin, pod))  # type: ignore[arg-type]
        elif isinstance(view, Workload):
            self.result.workloads.append(ManifestWorkload(view, origin))
        elif isinstance(view, Service):
            self.result.services.append(view)
        elif isinstance(view, Meta):
            self.result.namespaces.append(view)
        elif isinstance(view, Event):
            self.result.events.append(view)

    def field_problem(self, what: str, problem: FieldProblem, document: Document, path: tuple[str | int, ...]) -> None:
        self.problem(f"{what}: {problem}", line_at(document.node, (*path, *problem.path)))

    def flush(self) -> None:
        shown = self.problems[:MAX_PROBLEMS_PER_FILE]
        if len(self.problems) > MAX_PROBLEMS_PER_FILE:
            shown.append(Problem(self.label, f"and {len(self.problems) - MAX_PROBLEMS_PER_FILE} more problems"))
        self.result.problems.extend(shown)


def _read(kind: str, raw: dict[Any, Any]) -> tuple[Any, list[FieldProblem]]:
    if kind == "Service":
        return read_service(raw)
    if kind == "Namespace":
        return read_meta(raw)
    if kind == "Event":
        return read_event(raw)
    return read_workload(raw, kind)


def read_manifest_files(
    paths: Sequence[str | Path], *, stdin: IO[Any] | None = None, limits: InputLimits | None = None
) -> ManifestSet:
    """Every object in the given files and folders; problems name the file, line and field."""
    limits = limits or InputLimits()
    result = ManifestSet()
    for file in _expand(paths, result.problems):
        label = "<stdin>" if file == STDIN else str(file)
        reader = _FileReader(label, result)
        try:
            text = decode(read_stream(stdin or sys.stdin, limits) if file == STDIN else read_file(Path(file), limits))
        except Refused as refused:
            reader.problem(refused.message, refused.line)
            reader.flush()
            continue
        except OSError as exc:
            reader.problem(f"cannot read ({exc.strerror or exc})")
            reader.flush()
            continue
        result.files_read += 1
        for document in documents(text, limits):
            if isinstance(document, Refused):
                reader.problem(document.message, document.line)
            else:
                reader.document(document)
        reader.flush()
    return result


def _namespace(meta: Meta) -> str:
    return meta.namespace or DEFAULT_NAMESPACE


class ManifestSource:
    """Snapshots of the workloads in a set of manifests. Nothing runs, so events and logs are absent."""

    name = "manifests"

    def __init__(self, manifests: ManifestSet) -> None:
        self.manifests = manifests
        self._namespaces = {meta.name: meta.labels for meta in manifests.namespaces}
        # By namespace and one label of the selector: a file of thousands of workloads and Services must
        # not compare every pair.
        self._services: dict[tuple[str, str, str], list[Service]] = {}
        for service in manifests.services:
            if service.selector:
                key, value = min(service.selector.items())
                self._services.setdefault((_namespace(service.meta), key, value), []).append(service)
        self._events: dict[str, list[Event]] = {}
        for event in manifests.events:
            self._events.setdefault(event.about.namespace or "", []).append(event)
        self._workloads: list[ManifestWorkload] = []
        self._pods_of: dict[int, list[Pod]] = {}
        owned_pods = []
        for item in manifests.workloads:
            if item.pod is not None and item.pod.meta.controller():
                owned_pods.append(item)
            else:
                self._workloads.append(item)
        by_namespace: dict[str, list[ManifestWorkload]] = {}
        for item in self._workloads:
            by_namespace.setdefault(_namespace(item.workload.meta), []).append(item)
        for item in owned_pods:
            pod = item.pod
            assert pod is not None
            candidates = by_namespace.get(_namespace(pod.meta), [])
            owner = next((w for w in candidates if _selects(w.workload, pod)), None)
            if owner is None:
                self._workloads.append(item)  # its controller is not in the manifests: check it on its own
            else:
                self._pods_of.setdefault(id(owner), []).append(pod)

    def _snapshot(self, item: ManifestWorkload) -> WorkloadSnapshot:
        workload = item.workload
        namespace = _namespace(workload.meta)
        ref = WorkloadRef(kind=workload.kind, namespace=namespace, name=workload.name)
        pods: list[Pod] | Unreadable
        if item.pod is not None:
            pods = [item.pod]
        else:
            pods = self._pods_of.get(id(item)) or Unreadable("running pods", f"{OFFLINE}: manifests hold templates")
        names = {ref.name, *(p.name for p in (pods if isinstance(pods, list) else []))}
        events = [e for ns in (namespace, "") for e in self._events.get(ns, []) if _about(e, ref, names)]
        ns_labels: dict[str, str] | Unreadable = (
            self._namespaces[namespace]
            if namespace in self._namespaces
            else Unreadable(f"namespace {namespace}", f"{OFFLINE}: no Namespace object for it in the manifests")
        )
        template_labels = workload.template.meta.labels
        return WorkloadSnapshot(
            ref=ref,
            workload=workload,
            pods=pods,
            events=events or Unreadable("events", f"{OFFLINE}: nothing has run yet"),
            logs=Unreadable("logs", f"{OFFLINE}: manifests carry no logs"),
            services=[
                service
                for label in template_labels.items()
                for service in self._services.get((namespace, *label), [])
                if service.selects(template_labels)
            ],
            namespace_labels=ns_labels,
            origin=item.origin,
            offline=True,
        )

    def read_workload(self, *, ref: WorkloadRef, alongside: Callable[[], object] | None = None) -> WorkloadSnapshot:
        if alongside is not None:
            alongside()
        for item in self._workloads:
            workload = item.workload
            if (
                workload.name == ref.name
                and _namespace(workload.meta) == ref.namespace
                and ref.kind in (workload.kind, ANY_KIND)
            ):
                return self._snapshot(item)
        raise NotFoundError(f"{ref} is not in the manifests")

    def list_workloads(self, *, namespace: str | None, progress=None) -> list[WorkloadSnapshot]:
        return [
            self._snapshot(i) for i in self._workloads if namespace is None or _namespace(i.workload.meta) == namespace
        ]

    def cluster_counts(self, *, sg_annotations: Sequence[str]) -> ClusterCounts:
        """What the manifests ask for: a lower bound of what the cluster would hold."""
        counts = ClusterCounts(pods=0, complete=False, security_groups={a: Counter() for a in sg_annotations})
        sizes = []
        for item in self._workloads:
            workload = item.workload
            counts.pods += workload.wanted
            sizes.append((f"{workload.kind.lower()}/{workload.name}", workload.wanted))
            template_annotations = workload.template.meta.annotations
            for key in sg_annotations:
                counts.security_groups[key][template_annotations.get(key, "")] += workload.wanted
        counts.largest = sorted(sizes, key=lambda s: -s[1])[:3]
        return counts

    def unreadable(self) -> list[Unreadable]:
        return []


#: Controllers whose children are named "<parent>-<suffix>": a Deployment's ReplicaSets, a CronJob's Jobs.
_CHILD_KIND = {"Deployment": "ReplicaSet", "CronJob": "Job"}


def _about(event: Event, ref: WorkloadRef, names: set[str]) -> bool:
    about = event.about
    if (about.namespace or ref.namespace) != ref.namespace:
        return False
    child = _CHILD_KIND.get(ref.kind)
    return about.name in names or (child == about.kind and about.name.startswith(f"{ref.name}-"))


def _selects(workload: Workload, pod: Pod) -> bool:
    return (
        _namespace(workload.meta) == _namespace(pod.meta)
        and workload.selector is not None
        and workload.selector.matches(pod.meta.labels)
    )
