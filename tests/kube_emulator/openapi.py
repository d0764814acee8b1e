"""A minimal OpenAPI v3 (`/openapi/v3` and one document per group-version).

kubectl reads it before `create`, `replace` and `apply` to learn whether the server validates fields
itself (the `fieldValidation` query parameter); without it kubectl stops with "failed to download
openapi". Only what that check reads is served: each type's operations with their query parameters
and `x-kubernetes-group-version-kind`, no schemas. The emulator accepts `fieldValidation` but, having
no schemas, does not detect unknown fields.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tests.kube_emulator import errors
from tests.kube_emulator.resources import GROUPS, RESOURCES, ResourceType

ROOT = "/openapi/v3"
_WRITE_PARAMETERS = ("dryRun", "fieldManager", "fieldValidation", "pretty")
FIELD_VALIDATION = ("Ignore", "Warn", "Strict")


def _gv_path(group: str, version: str) -> str:
    return f"api/{version}" if not group else f"apis/{group}/{version}"


def _parameters(names: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": True}} for name in names]


def _operation(rt: ResourceType, action: str) -> dict[str, Any]:
    return {
        "operationId": f"{action}{rt.kind}",
        "parameters": _parameters(_WRITE_PARAMETERS),
        "responses": {"200": {"description": "OK"}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
    }


def _document(group: str, version: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for rt in RESOURCES:
        if (rt.group, rt.version) != (group, version):
            continue
        base = "/" + _gv_path(group, version) + ("/namespaces/{namespace}" if rt.namespaced else "")
        paths[f"{base}/{rt.plural}"] = {"post": _operation(rt, "post")}
        paths[f"{base}/{rt.plural}/{{name}}"] = {"put": _operation(rt, "put"), "patch": _operation(rt, "patch")}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.30.0"}, "paths": paths}


def _hash(document: dict[str, Any]) -> str:
    return hashlib.sha512(json.dumps(document, sort_keys=True).encode()).hexdigest().upper()[:128]


def openapi_document(path: str) -> dict[str, Any] | None:
    """The root index or a group-version document, or None when `path` is not under /openapi/v3."""
    if path == ROOT:
        index = {}
        for group, version in GROUPS.items():
            if any((rt.group, rt.version) == (group, version) for rt in RESOURCES):
                gv = _gv_path(group, version)
                index[gv] = {"serverRelativeURL": f"{ROOT}/{gv}?hash={_hash(_document(group, version))}"}
        return {"paths": index}
    if not path.startswith(ROOT + "/"):
        return None
    wanted = path[len(ROOT) + 1 :]
    for group, version in GROUPS.items():
        if _gv_path(group, version) == wanted:
            return _document(group, version)
    return None


def check_field_validation(query: dict[str, str]) -> None:
    value = query.get("fieldValidation")
    if value not in (None, "", *FIELD_VALIDATION):
        raise errors.bad_request(
            f'fieldValidation: Unsupported value: "{value}": supported values: "Ignore", "Strict", "Warn"'
        )
