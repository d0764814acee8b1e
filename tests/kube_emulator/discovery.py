"""Minimal discovery answers (`/api`, `/apis`, `/apis/{group}`, `/{api,apis/g}/{version}`, `/version`).

Clients and tools probe these before real calls (version checks, dynamic clients); they only need
well-formed documents listing what the emulator serves.
"""

from __future__ import annotations

from typing import Any

from tests.kube_emulator.resources import GROUPS, RESOURCES, ResourceType

VERSION = {
    "major": "1",
    "minor": "30",
    "gitVersion": "v1.30.0-tke.7",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2024-09-01T00:00:00Z",
    "goVersion": "go1.22.5",
    "compiler": "gc",
    "platform": "linux/amd64",
}

_VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


def _group_version(group: str, version: str) -> dict[str, str]:
    return {"groupVersion": f"{group}/{version}" if group else version, "version": version}


def _api_group(group: str, version: str) -> dict[str, Any]:
    gv = _group_version(group, version)
    return {"name": group, "versions": [gv], "preferredVersion": gv}


def _resource(rt: ResourceType) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": rt.plural,
        "singularName": rt.singular,
        "namespaced": rt.namespaced,
        "kind": rt.kind,
        "verbs": _VERBS,
    }
    if rt.short_names:
        document["shortNames"] = list(rt.short_names)
    if rt.categories:
        document["categories"] = list(rt.categories)
    return document


#: Served without storage: `kubectl auth can-i` asks the server through it (see access_review.py).
_SELF_SUBJECT_ACCESS_REVIEW = {
    "name": "selfsubjectaccessreviews",
    "singularName": "selfsubjectaccessreview",
    "namespaced": False,
    "kind": "SelfSubjectAccessReview",
    "verbs": ["create"],
}


def discovery_document(path: str, host: str) -> dict[str, Any] | None:
    """The document for a discovery path, or None when `path` is not one."""
    if path == "/version":
        return VERSION
    if path == "/api":
        return {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}],
        }
    if path == "/apis":
        groups = [_api_group(g, v) for g, v in GROUPS.items() if g]
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
    parts = path.strip("/").split("/")
    if parts[0] == "apis" and len(parts) == 2 and parts[1] in GROUPS and parts[1]:
        return {"kind": "APIGroup", "apiVersion": "v1", **_api_group(parts[1], GROUPS[parts[1]])}
    if parts == ["api", "v1"]:
        group, version = "", "v1"
    elif parts[0] == "apis" and len(parts) == 3 and GROUPS.get(parts[1]) == parts[2] and parts[1]:
        group, version = parts[1], parts[2]
    else:
        return None
    resources = [_resource(rt) for rt in RESOURCES if rt.group == group and rt.version == version]
    if group == "authorization.k8s.io":
        resources.append(_SELF_SUBJECT_ACCESS_REVIEW)
    if group == "":
        resources.append({"name": "pods/log", "singularName": "", "namespaced": True, "kind": "Pod", "verbs": ["get"]})
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": _group_version(group, version)["groupVersion"],
        "resources": resources,
    }
