"""SelfSubjectAccessReview: "may I do this?" answered from the emulator's RBAC rules.

`kubectl auth can-i` (and any client checking its permissions before acting) creates one; the
server answers with the same object plus `status.allowed`. Nothing is stored. The answer comes from
the same `deny(...)` rules that refuse real requests, so a review and the request it predicts agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.kube_emulator import errors
from tests.kube_emulator.resources import NAMESPACES, by_group_resource
from tests.kube_emulator.routing import Route

PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
API_VERSION = "authorization.k8s.io/v1"


def review(body: bytes, denied: Callable[[str, Route], bool]) -> dict[str, Any]:
    """The review with its status filled; `denied(verb, route)` applies the RBAC rules."""
    try:
        obj = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.bad_request(f"the body of the request could not be decoded as JSON: {exc}") from None
    if not isinstance(obj, dict) or obj.get("kind", "SelfSubjectAccessReview") != "SelfSubjectAccessReview":
        raise errors.bad_request("the body must be a SelfSubjectAccessReview")
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    attributes = spec.get("resourceAttributes")
    if not isinstance(attributes, dict) and not isinstance(spec.get("nonResourceAttributes"), dict):
        raise errors.ApiError(
            422,
            'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: '
            '"null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
            reason="Invalid",
            details={"group": "authorization.k8s.io", "kind": "SelfSubjectAccessReview"},
        )
    allowed = True
    if isinstance(attributes, dict):
        rt = by_group_resource(attributes.get("group") or "", attributes.get("resource") or "")
        if rt is not None:  # types the emulator does not serve have no rules: allowed, like allow-all RBAC
            namespace = (attributes.get("namespace") or None) if rt.namespaced else None
            name = attributes.get("name") or None
            if rt is NAMESPACES:  # authorised within itself, as the API server does for a Namespace
                namespace = None
            route = Route(rt, namespace, name, attributes.get("subresource") or None)
            allowed = not denied(attributes.get("verb") or "", route)
    return {
        "kind": "SelfSubjectAccessReview",
        "apiVersion": API_VERSION,
        "metadata": {"creationTimestamp": None},
        "spec": spec,
        "status": {"allowed": allowed},
    }
