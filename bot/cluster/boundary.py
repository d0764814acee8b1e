"""The one place raw Kubernetes objects (from a file, the API or a paste) become typed views.

Kubernetes' real variety is accepted quietly: null, missing, int-or-string where the API allows both.
A number or boolean where the API wants a string (`metrics-port: 9100`, `value: 8080`) is read as its
text, with a warning, since `kubectl apply` would refuse it. Anything else of the wrong shape (a list of
annotations, `command: 5`, `spec` as a list) is left out with a warning naming the field, and the rest
of the object is still read. Nothing here raises on bad input.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.cluster.views import (
    Condition,
    Container,
    ContainerPort,
    ContainerStatus,
    EnvVar,
    Event,
    Expression,
    Meta,
    ObjectRef,
    OwnerRef,
    Pod,
    PodSpec,
    PodTemplate,
    Selector,
    Service,
    ServicePort,
    StateMessage,
    Workload,
)

Path = tuple[str | int, ...]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FieldProblem:
    path: Path
    message: str

    @property
    def field(self) -> str:
        return dotted(self.path)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.path else self.message


def dotted(path: Path) -> str:
    """("spec", "containers", 0, "ports") -> "spec.containers[0].ports"; keys with dots or slashes (an
    annotation) in brackets: `annotations["eks.tke.cloud.tencent.com/metrics-port"]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.replace("_", "").replace("-", "").isalnum():
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


def capped(lines: list[str], limit: int) -> tuple[str, ...]:
    """The first `limit` warnings and a line counting the rest: the first few say enough."""
    extra = len(lines) - limit
    return (*lines[:limit], *([f"and {extra} more field warnings"] if extra > 0 else []))


def shape(value: Any) -> str:
    """'a list', 'a number': what a value is, in words."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


def _scalar_text(value: Any) -> str | None:
    """The text of a YAML scalar that is not a string, as the author wrote it (as far as it can be told)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return None


class Reader:
    """Reads fields at paths, collecting what it had to leave out or coerce."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def note(self, path: Path, message: str) -> None:
        self.problems.append(FieldProblem(path, message))

    def mapping(self, value: Any, path: Path) -> dict[Any, Any]:
        if value is None:
            return {}
        if isinstance(value, dict):
            return value
        self.note(path, f"expected a map, found {shape(value)}; ignored")
        return {}

    def text(self, value: Any, path: Path) -> str | None:
        if value is None or isinstance(value, str):
            return value
        as_text = _scalar_text(value)
        if as_text is not None:
            self.note(path, f'{as_text} is {shape(value)}; Kubernetes wants a string here (quote it: "{as_text}")')
            return as_text
        self.note(path, f"expected a string, found {shape(value)}; ignored")
        return None

    def integer(self, value: Any, path: Path) -> int | None:
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            self.note(path, f'"{value}" is a string; Kubernetes wants a number here (write it unquoted)')
            return int(value.strip())
        self.note(path, f"expected a number, found {shape(value)}; ignored")
        return None

    def int_or_string(self, value: Any, path: Path) -> int | str | None:
        if value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        self.note(path, f"expected a number or a name, found {shape(value)}; ignored")
        return None

    def flag(self, value: Any, path: Path) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            self.note(path, f'"{value}" is a string; Kubernetes wants true or false here')
            return value.lower() == "true"
        self.note(path, f"expected true or false, found {shape(value)}; ignored")
        return None

    def string_map(self, value: Any, path: Path) -> dict[str, str]:
        found: dict[str, str] = {}
        for key, item in self.mapping(value, path).items():
            name = self.text(key, (*path, str(key)))
            text = self.text(item, (*path, str(key)))
            if name is not None and text is not None:
                found[name] = text
        return found

    def strings(self, value: Any, path: Path) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.note(path, f"expected a list of strings, found {shape(value)}; ignored")
            return ()
        found = (self.text(item, (*path, i)) for i, item in enumerate(value))
        return tuple(text for text in found if text is not None)

    def each(self, value: Any, path: Path, read: Callable[[dict[Any, Any], Path], T | None]) -> tuple[T, ...]:
        """Every map in a list, read by `read`; other items are left out with a warning."""
        if value is None:
            return ()
        if not isinstance(value, list):
            self.note(path, f"expected a list, found {shape(value)}; ignored")
            return ()
        found = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                view = read(item, (*path, i))
                if view is not None:
                    found.append(view)
            elif item is not None:
                self.note((*path, i), f"expected a map, found {shape(item)}; ignored")
        return tuple(found)

    # -- object parts -------------------------------------------------------------------------------

    def meta(self, value: Any, path: Path) -> Meta:
        raw = self.mapping(value, path)
        return Meta(
            name=self.text(raw.get("name"), (*path, "name")) or "",
            namespace=self.text(raw.get("namespace"), (*path, "namespace")) or None,
            labels=self.string_map(raw.get("labels"), (*path, "labels")),
            annotations=self.string_map(raw.get("annotations"), (*path, "annotations")),
            owners=self.each(raw.get("ownerReferences"), (*path, "ownerReferences"), self._owner),
            created=self.text(raw.get("creationTimestamp"), (*path, "creationTimestamp")) or "",
        )

    def _owner(self, raw: dict[Any, Any], path: Path) -> OwnerRef | None:
        kind = self.text(raw.get("kind"), (*path, "kind"))
        name = self.text(raw.get("name"), (*path, "name"))
        if not kind or not name:
            self.note(path, "an owner reference needs a kind and a name; ignored")
            return None
        return OwnerRef(kind, name, bool(self.flag(raw.get("controller"), (*path, "controller"))))

    def _port(self, raw: dict[Any, Any], path: Path) -> ContainerPort:
        return ContainerPort(
            self.integer(raw.get("containerPort"), (*path, "containerPort")),
            self.text(raw.get("name"), (*path, "name")) or "",
        )

    def _env(self, raw: dict[Any, Any], path: Path) -> EnvVar | None:
        name = self.text(raw.get("name"), (*path, "name"))
        return EnvVar(name, self.text(raw.get("value"), (*path, "value"))) if name else None

    def container(self, raw: dict[Any, Any], path: Path) -> Container:
        return Container(
            name=self.text(raw.get("name"), (*path, "name")) or "",
            image=self.text(raw.get("image"), (*path, "image")) or "",
            ports=self.each(raw.get("ports"), (*path, "ports"), self._port),
            command=self.strings(raw.get("command"), (*path, "command")),
            args=self.strings(raw.get("args"), (*path, "args")),
            env=self.each(raw.get("env"), (*path, "env"), self._env),
        )

    def pod_spec(self, value: Any, path: Path) -> PodSpec:
        raw = self.mapping(value, path)
        return PodSpec(
            containers=self.each(raw.get("containers"), (*path, "containers"), self.container),
            init_containers=self.each(raw.get("initContainers"), (*path, "initContainers"), self.container),
            node_name=self.text(raw.get("nodeName"), (*path, "nodeName")) or "",
        )

    def template(self, value: Any, path: Path) -> PodTemplate:
        raw = self.mapping(value, path)
        meta = self.meta(raw.get("metadata"), (*path, "metadata"))
        return PodTemplate(meta, self.pod_spec(raw.get("spec"), (*path, "spec")))

    def selector(self, value: Any, path: Path) -> Selector | None:
        if value is None:
            return None
        raw = self.mapping(value, path)
        return Selector(
            match_labels=self.string_map(raw.get("matchLabels"), (*path, "matchLabels")),
            expressions=self.each(raw.get("matchExpressions"), (*path, "matchExpressions"), self._expression),
        )

    def _expression(self, raw: dict[Any, Any], path: Path) -> Expression | None:
        key = self.text(raw.get("key"), (*path, "key"))
        operator = self.text(raw.get("operator"), (*path, "operator"))
        if not key or not operator:
            self.note(path, "a selector expression needs a key and an operator; ignored")
            return None
        return Expression(key, operator, self.strings(raw.get("values"), (*path, "values")))

    def _condition(self, raw: dict[Any, Any], path: Path) -> Condition:
        return Condition(
            type=self.text(raw.get("type"), (*path, "type")) or "",
            status=self.text(raw.get("status"), (*path, "status")) or "",
            reason=self.text(raw.get("reason"), (*path, "reason")) or "",
            message=self.text(raw.get("message"), (*path, "message")) or "",
        )

    def _status(self, raw: dict[Any, Any], path: Path) -> ContainerStatus:
        messages = []
        for where in ("state", "lastState"):
            for state, detail in self.mapping(raw.get(where), (*path, where)).items():
                if not isinstance(state, str):
                    continue
                message = self.text(self.mapping(detail, (*path, where, state)).get("message"),
                                    (*path, where, state, "message"))  # fmt: skip
                if message:
                    messages.append(StateMessage(where, state, message))
        return ContainerStatus(
            name=self.text(raw.get("name"), (*path, "name")) or "",
            restarts=self.integer(raw.get("restartCount"), (*path, "restartCount")) or 0,
            ready=self.flag(raw.get("ready"), (*path, "ready")),
            messages=tuple(messages),
        )


def _wanted(reader: Reader, kind: str, spec: dict[Any, Any], path: Path) -> int:
    """How many pods a workload asks for at once (used offline, where no pods run)."""
    if kind in ("Deployment", "StatefulSet"):
        replicas = reader.integer(spec.get("replicas"), (*path, "replicas"))
        return 1 if replicas is None or replicas < 0 else replicas
    if kind in ("Job", "CronJob"):  # a CronJob's spec here is its job template's
        parallelism = reader.integer(spec.get("parallelism"), (*path, "parallelism"))
        return 1 if parallelism is None or parallelism < 0 else parallelism
    return 1  # a Pod; a DaemonSet runs one pod per super node, at least one


def kind_of(raw: Any) -> str | None:
    """The object's kind when it is a plain string, else None."""
    kind = raw.get("kind") if isinstance(raw, dict) else None
    return kind if isinstance(kind, str) else None


def read_workload(raw: dict[Any, Any], kind: str | None = None) -> tuple[Workload, list[FieldProblem]]:
    """A workload (or bare Pod) view; `kind` for API items, which often carry no kind of their own."""
    reader = Reader()
    kind = kind or kind_of(raw) or ""
    meta = reader.meta(raw.get("metadata"), ("metadata",))
    spec = reader.mapping(raw.get("spec"), ("spec",))
    if kind == "Pod":
        template = PodTemplate(meta, reader.pod_spec(spec, ("spec",)))
        return Workload(kind, meta, template), reader.problems
    base: Path = ("spec",)
    if kind == "CronJob":
        job = reader.mapping(spec.get("jobTemplate"), ("spec", "jobTemplate"))
        spec, base = reader.mapping(job.get("spec"), ("spec", "jobTemplate", "spec")), ("spec", "jobTemplate", "spec")
    template = reader.template(spec.get("template"), (*base, "template"))
    selector = None if kind == "CronJob" else reader.selector(spec.get("selector"), ("spec", "selector"))
    return Workload(kind, meta, template, selector, _wanted(reader, kind, spec, base)), reader.problems


def read_pod(raw: dict[Any, Any]) -> tuple[Pod, list[FieldProblem]]:
    reader = Reader()
    status = reader.mapping(raw.get("status"), ("status",))
    pod = Pod(
        meta=reader.meta(raw.get("metadata"), ("metadata",)),
        spec=reader.pod_spec(raw.get("spec"), ("spec",)),
        phase=reader.text(status.get("phase"), ("status", "phase")) or "",
        reason=reader.text(status.get("reason"), ("status", "reason")) or "",
        message=reader.text(status.get("message"), ("status", "message")) or "",
        conditions=reader.each(status.get("conditions"), ("status", "conditions"), reader._condition),
        statuses=reader.each(status.get("containerStatuses"), ("status", "containerStatuses"), reader._status),
    )
    return pod, reader.problems


def read_service(raw: dict[Any, Any]) -> tuple[Service, list[FieldProblem]]:
    reader = Reader()
    spec = reader.mapping(raw.get("spec"), ("spec",))

    def port(item: dict[Any, Any], path: Path) -> ServicePort:
        return ServicePort(
            port=reader.integer(item.get("port"), (*path, "port")),
            target=reader.int_or_string(item.get("targetPort"), (*path, "targetPort")),
            name=reader.text(item.get("name"), (*path, "name")) or "",
            app_protocol=reader.text(item.get("appProtocol"), (*path, "appProtocol")) or "",
        )

    service = Service(
        meta=reader.meta(raw.get("metadata"), ("metadata",)),
        selector=reader.string_map(spec.get("selector"), ("spec", "selector")),
        ports=reader.each(spec.get("ports"), ("spec", "ports"), port),
    )
    return service, reader.problems


def read_event(raw: dict[Any, Any]) -> tuple[Event, list[FieldProblem]]:
    """A core/v1 or events.k8s.io/v1 event (`regarding`, `note`, `series.count`)."""
    reader = Reader()
    about_key = "involvedObject" if "involvedObject" in raw else "regarding"
    about = reader.mapping(raw.get(about_key), (about_key,))
    series = reader.mapping(raw.get("series"), ("series",))
    count = reader.integer(raw.get("count"), ("count",)) or reader.integer(series.get("count"), ("series", "count"))
    message_key = "message" if raw.get("message") is not None else "note"
    time_key = "lastTimestamp" if raw.get("lastTimestamp") is not None else "eventTime"
    event = Event(
        type=reader.text(raw.get("type"), ("type",)) or "",
        reason=reader.text(raw.get("reason"), ("reason",)) or "",
        message=reader.text(raw.get(message_key), (message_key,)) or "",
        count=count if count and count > 0 else 1,
        last_seen=reader.text(raw.get(time_key), (time_key,)) or "",
        about=ObjectRef(
            kind=reader.text(about.get("kind"), (about_key, "kind")) or "",
            name=reader.text(about.get("name"), (about_key, "name")) or "",
            namespace=reader.text(about.get("namespace"), (about_key, "namespace")) or "",
        ),
    )
    return event, reader.problems


def read_meta(raw: dict[Any, Any]) -> tuple[Meta, list[FieldProblem]]:
    """Metadata only (metadata-only API listings: ReplicaSets, Jobs, namespaces)."""
    reader = Reader()
    return reader.meta(raw.get("metadata"), ("metadata",)), reader.problems
