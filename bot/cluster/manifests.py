"""Reading manifests: multi-document YAML files, folders, or `-` for stdin, as offline snapshots.

A broken file is reported with its line and skipped; the other files are still checked. Pods exported
with their workload (`kubectl get deploy,pods -o yaml`) are attached to it, so template-vs-pod
differences show offline too.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

from bot.cluster.kinds import (
    ANY_KIND,
    KINDS,
    annotations,
    controller_of,
    labels,
    name_of,
    planned_pods,
    pod_template,
    selector_matches,
    selector_of,
    service_selects,
    slim_event,
)
from bot.cluster.reports import Problem
from bot.cluster.snapshot import ClusterCounts, Unreadable, WorkloadSnapshot
from bot.domain import WorkloadRef
from bot.errors import NotFoundError

SUFFIXES = {".yaml", ".yml", ".json"}
DEFAULT_NAMESPACE = "default"
STDIN = "-"
OFFLINE = "offline check"


@dataclass
class ManifestObject:
    obj: dict[str, Any]
    origin: str  # "path:line"


@dataclass
class ManifestSet:
    objects: list[ManifestObject] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0


def _documents(text: str, label: str, problems: list[Problem]) -> list[tuple[Any, int]]:
    """(document, first line) pairs; stops at the first YAML error, which becomes a problem."""
    documents = []
    loader = yaml.SafeLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            documents.append((loader.construct_document(node), node.start_mark.line + 1))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        problems.append(Problem(label, f"not valid YAML ({reason})", mark.line + 1 if mark else None))
    finally:
        loader.dispose()
    return documents


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
        elif path.exists():
            files.append(path)
        else:
            problems.append(Problem(str(path), "no such file or folder"))
    return files


def _objects_in(document: Any) -> list[dict[str, Any]]:
    """A document's Kubernetes objects; `kind: List` (kubectl get -o yaml) holds several."""
    if not isinstance(document, dict):
        return []
    if document.get("kind") == "List" or (str(document.get("kind", "")).endswith("List") and "items" in document):
        return [item for item in document.get("items") or [] if isinstance(item, dict)]
    return [document]


def read_manifest_files(paths: Sequence[str | Path], *, stdin: IO[str] | None = None) -> ManifestSet:
    """Every object in the given files and folders; problems name the file and line."""
    result = ManifestSet()
    for file in _expand(paths, result.problems):
        label = "<stdin>" if file == STDIN else str(file)
        try:
            text = (stdin or sys.stdin).read() if file == STDIN else Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            result.problems.append(Problem(label, f"cannot read ({getattr(exc, 'strerror', None) or exc})"))
            continue
        result.files_read += 1
        for document, line in _documents(text, label, result.problems):
            for obj in _objects_in(document):
                problem = _malformed(obj)
                if problem:
                    result.problems.append(Problem(label, problem, line))
                else:
                    result.objects.append(ManifestObject(obj, f"{label}:{line}"))
    return result


def _malformed(obj: dict[str, Any]) -> str | None:
    kind = obj.get("kind")
    if kind not in KINDS and kind not in ("Service", "Namespace", "Event"):
        return None  # other kinds (ConfigMap, Ingress, ...) are fine and not inspected
    if not isinstance(obj.get("metadata"), dict) or not name_of(obj):
        return f"{kind} without metadata.name"
    if kind in KINDS and kind != "Pod":
        template = pod_template(obj)
        if not isinstance((obj.get("spec") or {}), dict) or not template["spec"].get("containers"):
            return f"{kind} {name_of(obj)} has no pod template with containers"
    return None


def _namespace(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("namespace") or DEFAULT_NAMESPACE)


class ManifestSource:
    """Snapshots of the workloads in a set of manifests. Nothing runs, so events and logs are absent."""

    name = "manifests"

    def __init__(self, manifests: ManifestSet) -> None:
        self.manifests = manifests
        by_kind: dict[str, list[ManifestObject]] = {}
        for item in manifests.objects:
            by_kind.setdefault(str(item.obj.get("kind")), []).append(item)
        self._namespaces = {name_of(i.obj): labels(i.obj) for i in by_kind.get("Namespace", [])}
        self._services = by_kind.get("Service", [])
        self._events = [slim_event(i.obj) for i in by_kind.get("Event", [])]
        self._workloads: list[ManifestObject] = []
        self._pods_of: dict[int, list[dict[str, Any]]] = {}
        owned_pods = []
        for item in manifests.objects:
            kind = item.obj.get("kind")
            if kind == "Pod" and controller_of(item.obj):
                owned_pods.append(item)
            elif kind in KINDS:
                self._workloads.append(item)
        for pod in owned_pods:
            owner = next((w for w in self._workloads if _selects(w.obj, pod.obj)), None)
            if owner is None:
                self._workloads.append(pod)  # its controller is not in the manifests: check it on its own
            else:
                self._pods_of.setdefault(id(owner), []).append(pod.obj)

    def _snapshot(self, item: ManifestObject) -> WorkloadSnapshot:
        obj = item.obj
        namespace = _namespace(obj)
        ref = WorkloadRef(kind=str(obj["kind"]), namespace=namespace, name=name_of(obj))
        template = pod_template(obj)
        pods: list[dict[str, Any]] | Unreadable
        if ref.kind == "Pod":
            pods = [obj]
        else:
            pods = self._pods_of.get(id(item)) or Unreadable("running pods", f"{OFFLINE}: manifests hold templates")
        names = {ref.name, *(name_of(p) for p in (pods if isinstance(pods, list) else []))}
        events = [e for e in self._events if _about(e, ref, names)]
        ns_labels: dict[str, str] | Unreadable = (
            self._namespaces.get(namespace)
            if namespace in self._namespaces
            else Unreadable(f"namespace {namespace}", f"{OFFLINE}: no Namespace object for it in the manifests")
        )
        return WorkloadSnapshot(
            ref=ref,
            obj=obj,
            template=template,
            pods=pods,
            events=events or Unreadable("events", f"{OFFLINE}: nothing has run yet"),
            logs=Unreadable("logs", f"{OFFLINE}: manifests carry no logs"),
            services=[
                s.obj
                for s in self._services
                if _namespace(s.obj) == namespace and service_selects(s.obj, labels(template))
            ],
            namespace_labels=ns_labels,
            origin=item.origin,
            offline=True,
        )

    def read_workload(self, *, ref: WorkloadRef) -> WorkloadSnapshot:
        for item in self._workloads:
            obj = item.obj
            if name_of(obj) == ref.name and _namespace(obj) == ref.namespace and ref.kind in (obj["kind"], ANY_KIND):
                return self._snapshot(item)
        raise NotFoundError(f"{ref} is not in the manifests")

    def list_workloads(self, *, namespace: str | None, progress=None) -> list[WorkloadSnapshot]:
        return [self._snapshot(i) for i in self._workloads if namespace is None or _namespace(i.obj) == namespace]

    def cluster_counts(self, *, sg_annotations: Sequence[str]) -> ClusterCounts:
        """What the manifests ask for: a lower bound of what the cluster would hold."""
        counts = ClusterCounts(pods=0, complete=False, security_groups={a: Counter() for a in sg_annotations})
        sizes = []
        for item in self._workloads:
            wanted = planned_pods(item.obj)
            counts.pods += wanted
            sizes.append((f"{str(item.obj['kind']).lower()}/{name_of(item.obj)}", wanted))
            template_annotations = annotations(pod_template(item.obj))
            for key in sg_annotations:
                counts.security_groups[key][template_annotations.get(key, "")] += wanted
        counts.largest = sorted(sizes, key=lambda s: -s[1])[:3]
        return counts

    def unreadable(self) -> list[Unreadable]:
        return []


#: Controllers whose children are named "<parent>-<suffix>": a Deployment's ReplicaSets, a CronJob's Jobs.
_CHILD_KIND = {"Deployment": "ReplicaSet", "CronJob": "Job"}


def _about(event: dict[str, Any], ref: WorkloadRef, names: set[str]) -> bool:
    about = event["involvedObject"]
    if (about.get("namespace") or ref.namespace) != ref.namespace:
        return False
    name = str(about.get("name") or "")
    child = _CHILD_KIND.get(ref.kind)
    return name in names or (child == about.get("kind") and name.startswith(f"{ref.name}-"))


def _selects(workload: dict[str, Any], pod: dict[str, Any]) -> bool:
    return _namespace(workload) == _namespace(pod) and selector_matches(selector_of(workload), labels(pod))
