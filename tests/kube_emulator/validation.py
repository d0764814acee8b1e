"""The subset of API-server validation that catches mistakes a client can really make.

Checked: names, string-only labels and annotations (a number there is a 400, as the real decoder
rejects it), containers with a name and an image, workload selectors matching template labels and
staying immutable, events naming an involved object, cron jobs having a schedule. Anything else is
accepted as sent.
"""

from __future__ import annotations

import re
from typing import Any

from tests.kube_emulator.errors import bad_request, invalid
from tests.kube_emulator.resources import CRONJOBS, EVENTS, JOBS, PODS, ResourceType

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_WORKLOADS = frozenset({"deployments", "statefulsets", "daemonsets", "replicasets"})


def check_string_maps(obj: dict[str, Any]) -> None:
    """Labels and annotations must be string->string, or the real server fails to decode the body."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        raise bad_request("Object 'metadata' is missing or is not an object")
    for where, meta_of in (("metadata", meta), ("spec.template.metadata", _template_meta(obj))):
        for field in ("labels", "annotations"):
            values = meta_of.get(field) if isinstance(meta_of, dict) else None
            if values is None:
                continue
            if not isinstance(values, dict):
                raise bad_request(
                    f"json: cannot unmarshal {type(values).__name__} into Go struct field "
                    f"ObjectMeta.{where}.{field} of type map[string]string"
                )
            for key, value in values.items():
                if not isinstance(value, str):
                    raise bad_request(
                        f"json: cannot unmarshal {_json_type(value)} into Go struct field "
                        f"ObjectMeta.{where}.{field} of type string (key {key!r})"
                    )


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "array" if isinstance(value, list) else "object"


def _template_meta(obj: dict[str, Any]) -> Any:
    template = (obj.get("spec") or {}).get("template") if isinstance(obj.get("spec"), dict) else None
    return template.get("metadata") if isinstance(template, dict) else None


def _containers(pod_spec: Any, where: str) -> list[tuple[str, str]]:
    if not isinstance(pod_spec, dict):
        return [(where, "Required value")]
    containers = pod_spec.get("containers")
    if not isinstance(containers, list) or not containers:
        return [(f"{where}.containers", "Required value")]
    causes = []
    for index, container in enumerate(containers):
        base = f"{where}.containers[{index}]"
        if not isinstance(container, dict) or not container.get("name"):
            causes.append((f"{base}.name", "Required value"))
        elif not container.get("image"):
            causes.append((f"{base}.image", "Required value"))
    return causes


def validate(rt: ResourceType, obj: dict[str, Any], old: dict[str, Any] | None = None) -> None:
    check_string_maps(obj)
    name = obj["metadata"].get("name") or ""
    causes: list[tuple[str, str]] = []
    if not _SUBDOMAIN.match(name) or len(name) > 253:
        causes.append(
            (
                "metadata.name",
                f'Invalid value: "{name}": a lowercase RFC 1123 subdomain must consist of lower '
                "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            )
        )
    spec = obj.get("spec")
    if rt is PODS:
        causes += _containers(spec, "spec")
    elif rt.plural in _WORKLOADS or rt is JOBS:
        causes += _workload(rt, spec, old)
    elif rt is CRONJOBS:
        if not isinstance(spec, dict) or not spec.get("schedule"):
            causes.append(("spec.schedule", "Required value"))
        job_spec = ((spec or {}).get("jobTemplate") or {}).get("spec") if isinstance(spec, dict) else None
        pod_spec = ((job_spec or {}).get("template") or {}).get("spec")
        causes += _containers(pod_spec, "spec.jobTemplate.spec.template.spec")
    elif rt is EVENTS:
        involved = obj.get("involvedObject")
        if not isinstance(involved, dict) or not involved.get("name"):
            causes.append(("involvedObject", "Required value"))
    if causes:
        raise invalid(rt, name, causes)


def _workload(rt: ResourceType, spec: Any, old: dict[str, Any] | None) -> list[tuple[str, str]]:
    if not isinstance(spec, dict):
        return [("spec", "Required value")]
    template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
    causes = _containers(template.get("spec"), "spec.template.spec")
    if rt is JOBS:
        return causes
    selector = spec.get("selector")
    labels = (template.get("metadata") or {}).get("labels") or {}
    if not isinstance(selector, dict) or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        causes.append(("spec.selector", "Required value"))
    elif any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        causes.append(
            ("spec.template.metadata.labels", f"Invalid value: {labels}: `selector` does not match template `labels`")
        )
    if old is not None and (old.get("spec") or {}).get("selector") != selector:
        causes.append(("spec.selector", f"Invalid value: {selector}: field is immutable"))
    return causes
