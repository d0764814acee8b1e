"""The ClusterRole in deploy/ against the calls the bot made: what is missing, what is never used."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from tests.rbac.requests import Call, Permission, permission_of

ROOT = Path(__file__).resolve().parents[2]
RBAC_FILE = ROOT / "deploy" / "kubernetes" / "rbac.yaml"
FULL_ROLE = "eks-doctor"
READ_ONLY_ROLE = "eks-doctor-read-only"
#: Every authenticated identity may ask what it may do (Kubernetes' own system:basic-user role), so
#: selfcheck's access reviews need nothing in our ClusterRole.
GRANTED_TO_EVERYONE = {Permission("authorization.k8s.io", "selfsubjectaccessreviews", "create")}


def cluster_role(name: str, path: Path = RBAC_FILE) -> dict:
    for document in yaml.safe_load_all(path.read_text()):
        if document and document.get("kind") == "ClusterRole" and document["metadata"]["name"] == name:
            return document
    raise AssertionError(f"no ClusterRole {name!r} in {path}")


def allowed(role: dict) -> set[Permission]:
    """Every (group, resource, verb) the role's rules grant; wildcards are not allowed at all."""
    granted = set()
    for rule in role.get("rules") or []:
        for field in ("apiGroups", "resources", "verbs"):
            assert "*" not in rule.get(field, []), f"a wildcard in {field}: least privilege names each one"
        assert not rule.get("resourceNames") and not rule.get("nonResourceURLs")
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                for verb in rule["verbs"]:
                    granted.add(Permission(group, resource, verb))
    return granted


def used(calls: Iterable[Call]) -> set[Permission]:
    return {p for p in (permission_of(c) for c in calls) if p is not None} - GRANTED_TO_EVERYONE


def compare(calls: Iterable[Call], role_name: str = FULL_ROLE) -> tuple[list[Permission], list[Permission]]:
    """(permissions used but not allowed, permissions allowed but never used), sorted."""
    needed, granted = used(calls), allowed(cluster_role(role_name))
    return sorted(needed - granted), sorted(granted - needed)


def describe(permission: Permission) -> str:
    group = permission.group or "core"
    return f"{permission.verb} {permission.resource} ({group})"
