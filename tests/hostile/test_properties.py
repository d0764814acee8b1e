"""Property-based tests: Kubernetes-shaped objects, broken at random (wrong types, nulls, deep nesting,
huge strings, aliases, control characters), through `check`; arbitrary objects through the boundary the
live reader uses. No exception escapes, every problem names its file and a line inside it, and time and
memory stay within the limits."""

from __future__ import annotations

import io
import json
import time
import tracemalloc
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cluster.boundary import read_event, read_pod, read_service, read_workload
from bot.cluster.inspector import check_manifests
from bot.cluster.views import Container, Meta, Workload

PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

names = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)
any_text = st.text(max_size=40)  # control characters, NUL, surrogates-free unicode, escape sequences
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), any_text, st.dates()
)
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.one_of(any_text, st.integers()), inner, max_size=4),
    max_leaves=12,
)
#: Placeholders replaced in the serialised text by what a Python object cannot carry through a dump.
DEEP, BOMB, HUGE = "@@deep@@", "@@bomb@@", "@@huge@@"


def container(name: str, port: int) -> dict[str, Any]:
    return {
        "name": name,
        "image": f"example/{name}:1",
        "ports": [{"containerPort": port, "name": "http"}],
        "args": ["--listen", f":{port}"],
        "env": [{"name": "MODE", "value": "prod"}],
    }


@st.composite
def kubernetes_objects(draw) -> dict[str, Any]:
    name = draw(names)
    meta = {
        "name": name,
        "namespace": draw(st.sampled_from(["shop", "default", None])),
        "labels": {"app": name},
        "annotations": {"eks.tke.cloud.tencent.com/ipvs-udp-timeout": draw(st.sampled_from(["5s", "120s", "2m"]))},
    }
    port = draw(st.sampled_from([8080, 9100, 50051]))
    template = {"metadata": {"labels": {"app": name}}, "spec": {"containers": [container("app", port)]}}
    kinds = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "Service", "Event", "Namespace"]
    kind = draw(st.sampled_from(kinds))
    if kind == "Pod":
        owner = {"kind": "ReplicaSet", "name": f"{name}-1", "controller": True}
        restarted = {
            "name": "app",
            "restartCount": 2,
            "ready": False,
            "lastState": {"terminated": {"message": "bind: address already in use"}},
        }
        status = {"phase": "Running", "containerStatuses": [restarted]}
        pod_meta = {**meta, "ownerReferences": [owner]}
        return {"kind": kind, "metadata": pod_meta, "spec": template["spec"], "status": status}
    if kind == "Service":
        ports = [{"port": 80, "targetPort": 9100, "appProtocol": "grpc"}]
        return {"kind": kind, "metadata": meta, "spec": {"selector": {"app": name}, "ports": ports}}
    if kind == "Event":
        about = {"kind": "ReplicaSet", "name": f"{name}-1"}
        said = {"reason": "FailedCreate", "message": "quota exceeded", "count": 3}
        return {"kind": kind, "metadata": meta, **said, "involvedObject": about}
    if kind == "Namespace":
        return {"kind": kind, "metadata": {"name": name, "labels": {"istio-injection": "enabled"}}}
    spec: dict[str, Any] = {"replicas": 2, "selector": {"matchLabels": {"app": name}}, "template": template}
    if kind == "CronJob":
        spec = {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": template, "parallelism": 2}}}
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": spec}


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*path, i))
    return found


def _replace(obj: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    obj[head] = _replace(obj[head], tuple(rest), new)
    return obj


@st.composite
def broken_manifests(draw) -> str:
    """Several documents, some fields replaced by junk or placeholders, serialised as YAML or JSON, and
    sometimes cut or spliced at the text level too."""
    documents = []
    for _ in range(draw(st.integers(1, 4))):
        obj = draw(kubernetes_objects())
        for _ in range(draw(st.integers(0, 3))):
            path = draw(st.sampled_from(_paths(obj)))
            new = draw(st.one_of(junk, st.sampled_from([DEEP, BOMB, HUGE])))
            obj = _replace(obj, path, new)
        if draw(st.booleans()):
            obj = {"apiVersion": "v1", "kind": "List", "items": [obj]}
        as_json = draw(st.booleans())
        try:
            text = json.dumps(obj, default=str) if as_json else yaml.safe_dump(obj, sort_keys=False, allow_unicode=True)
        except (TypeError, ValueError, yaml.YAMLError):
            text = yaml.safe_dump({"kind": "Pod"}, sort_keys=False)
        documents.append(text)
    text = "\n---\n".join(documents)
    depth = draw(st.integers(1, 1200))
    bomb = "&b0 [" + ",".join(["lol"] * 9) + "]"  # anchors inside one flow value, then expanded nine times each
    for level in range(1, 9):
        bomb = f"&b{level} [" + ",".join([bomb if i == 0 else f"*b{level - 1}" for i in range(9)]) + "]"
    for placeholder, raw in ((DEEP, "[" * depth + "]" * depth), (BOMB, bomb), (HUGE, "x" * 300_000)):
        for written in (f"'{placeholder}'", json.dumps(placeholder), placeholder):  # as YAML or JSON quote it
            text = text.replace(written, raw)
    if draw(st.integers(0, 4)) == 0:  # a cut or a stray character, as a bad paste makes
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(["", "\x00", "\x1b[2J", ": [", "\t", "&", "*", "\ud7ff"])) + text[at:]
    return text


@PROPERTY_SETTINGS
@given(text=broken_manifests())
def test_check_survives_broken_manifests(text, kb):
    tracemalloc.start()
    started = time.monotonic()
    try:
        report = check_manifests(kb=kb, paths=["-"], stdin=io.StringIO(text))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 5
    assert peak < 200 * 1024 * 1024
    lines = text.count("\n") + 1
    for problem in report.problems:
        assert problem.file == "<stdin>"
        assert problem.line is None or 1 <= problem.line <= lines, str(problem)
    for finding in report.findings:
        assert isinstance(finding.workload.name, str)
        assert all(isinstance(line, str) for line in finding.evidence)


@PROPERTY_SETTINGS
@given(base=kubernetes_objects(), data=st.data())
def test_boundary_turns_any_object_into_typed_views(base, data):
    """What the live reader does with every API item: never raises, and the views hold the types they say."""
    obj = base
    for _ in range(data.draw(st.integers(0, 4))):
        obj = _replace(obj, data.draw(st.sampled_from(_paths(obj))), data.draw(junk))
    if not isinstance(obj, dict):
        obj = {"metadata": obj}
    workload, problems = read_workload(obj)
    assert isinstance(workload, Workload) and isinstance(workload.meta, Meta)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in workload.meta.annotations.items())
    assert all(isinstance(c, Container) for c in workload.template.spec.all_containers())
    assert all(isinstance(w, str) for c in workload.template.spec.all_containers() for w in c.words)
    assert all(p.number is None or type(p.number) is int for c in workload.template.spec.containers for p in c.ports)
    assert isinstance(workload.wanted, int) and workload.wanted >= 0
    assert all(problem.path and problem.message for problem in problems)
    pod, _ = read_pod(obj)
    assert all(isinstance(s.restarts, int) for s in pod.statuses)
    service, _ = read_service(obj)
    assert all(p.target is None or isinstance(p.target, int | str) for p in service.ports)
    event, _ = read_event(obj)
    assert isinstance(event.message, str) and event.count >= 1
