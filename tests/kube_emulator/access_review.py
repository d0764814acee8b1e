"""`POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews`: the emulator's RBAC answers a
question about itself the way it would answer the request (everything allowed unless denied)."""

from __future__ import annotations

import json
from typing import Any

from tests.kube_emulator import errors
from tests.kube_emulator.resources import RESOURCES
from tests.kube_emulator.routing import Denial, Route

PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"


def answer(body: bytes, denials: list[Denial]) -> dict[str, Any]:
    try:
        review = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        review = None
    if not isinstance(review, dict) or review.get("kind") not in (None, "SelfSubjectAccessReview"):
        raise errors.bad_request("the body must be a SelfSubjectAccessReview")
    attributes = (review.get("spec") or {}).get("resourceAttributes") or {}
    group, plural = attributes.get("group") or "", attributes.get("resource") or ""
    rt = next((t for t in RESOURCES if t.group == group and t.plural == plural), None)
    route = Route(rt, attributes.get("namespace") or None, attributes.get("name") or None,
                  attributes.get("subresource") or None) if rt else None  # fmt: skip
    verb = attributes.get("verb") or ""
    denied = route is not None and any(d.matches(verb, route) for d in denials)
    status = {"allowed": not denied}
    if denied:
        status |= {"denied": True, "reason": f"the emulator denies {verb} on {rt.qualified}"}
    return {**review, "status": status}
