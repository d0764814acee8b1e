"""From an HTTP request to what it asks for: the route, the RBAC verb, the representation, the
query parameters and the decoded body — all parsed the way the API server does, so a client mistake
(a bad continue token, an unknown dryRun value, a body of the wrong kind) fails here as it would there.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from tests.kube_emulator import errors
from tests.kube_emulator.errors import ApiError
from tests.kube_emulator.resources import NAMESPACES, ResourceType, by_group_plural
from tests.kube_emulator.store import Obj

VERBS = frozenset({"get", "list", "watch", "create", "update", "patch", "delete"})
META_GV = "meta.k8s.io/v1"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]  # case-insensitive lookups (an http.client message)
    body: bytes = b""
    #: The common name of the client certificate verified in the TLS handshake, if one was sent.
    certificate_user: str | None = None


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: Any) -> Response:
    return Response(status, json.dumps(payload, separators=(",", ":")).encode())


@dataclass(frozen=True)
class Route:
    rt: ResourceType
    namespace: str | None  # None: cluster-scoped type, or a list across all namespaces
    name: str | None  # None: the collection
    subresource: str | None = None

    @property
    def rbac_namespace(self) -> str | None:
        """The namespace RBAC sees: a Namespace object is authorised within itself."""
        return self.name if self.rt is NAMESPACES else self.namespace


@dataclass(frozen=True)
class Denial:
    verb: str  # one of VERBS or "*"
    rt: ResourceType
    namespace: str | None = None  # None: every namespace and the cluster scope
    subresource: str | None = None  # None: the resource itself only; "*": any subresource too
    name: str | None = None

    def matches(self, verb: str, route: Route) -> bool:
        return (
            self.verb in (verb, "*")
            and self.rt is route.rt
            and (self.namespace is None or self.namespace == route.rbac_namespace)
            and (self.subresource == route.subresource or self.subresource == "*")
            and (self.name is None or self.name == route.name)
        )


def parse_route(path: str) -> Route:
    parts = [unquote(p) for p in path.strip("/").split("/")]
    if parts[:2] == ["api", "v1"]:
        group, version, rest = "", "v1", parts[2:]
    elif parts[0] == "apis" and len(parts) > 3:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        raise errors.path_not_found()
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3:
        namespace, rest = rest[1], rest[2:]
    rt = by_group_plural(group, version, rest[0]) if rest else None
    if rt is None or len(rest) > 3 or (namespace is not None and not rt.namespaced):
        raise errors.path_not_found()
    name = rest[1] if len(rest) > 1 else None
    if rt.namespaced and namespace is None and name is not None:
        raise errors.path_not_found()
    return Route(rt, namespace, name, rest[2] if len(rest) > 2 else None)


def verb_of(method: str, route: Route, query: dict[str, str]) -> str:
    collection = route.name is None
    verb = {
        ("GET", True): "watch" if query.get("watch") in ("true", "1") else "list",
        ("GET", False): "get",
        ("POST", True): "create",
        ("PUT", False): "update",
        ("PATCH", False): "patch",
        ("DELETE", False): "delete",
        ("DELETE", True): "deletecollection",
    }.get((method, collection))
    if verb is None or (route.rt.namespaced and route.namespace is None and verb != "list" and verb != "watch"):
        raise ApiError(405, "the server does not allow this method on the requested resource", details={})
    return verb


def wants_metadata(accept: str | None, is_list: bool) -> bool:
    """True for `as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1`; 406 for forms not served."""
    if not accept:
        return False
    wanted = "PartialObjectMetadataList" if is_list else "PartialObjectMetadata"
    for media_range in accept.split(","):
        media_type, *raw_params = (p.strip() for p in media_range.split(";"))
        if media_type not in ("application/json", "application/*", "*/*"):
            continue
        params = dict(p.split("=", 1) for p in raw_params if "=" in p)
        if "as" not in params:
            return False
        if params["as"] == wanted and params.get("g") == "meta.k8s.io" and params.get("v") in ("v1", "v1beta1"):
            return True
    raise ApiError(406, f"only the following media types are accepted: application/json (got {accept!r})")


def partial(obj: Obj) -> Obj:
    return {"kind": "PartialObjectMetadata", "apiVersion": META_GV, "metadata": obj["metadata"]}


def list_item(obj: Obj) -> Obj:
    """List items carry no kind/apiVersion on the wire, as with the real API server."""
    return {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}


def encode_continue(resource_version: str, last: Obj) -> str:
    meta = last["metadata"]
    token = {"v": META_GV, "rv": int(resource_version), "ns": meta.get("namespace", ""), "name": meta["name"]}
    return base64.urlsafe_b64encode(json.dumps(token).encode()).decode()


def decode_continue(token: str | None) -> tuple[str, str] | None:
    if not token:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(data["ns"]), str(data["name"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise errors.bad_request(f"continue key is not valid: {token!r}") from None


def int_param(query: dict[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise errors.bad_request(f'invalid value for {name}: "{raw}"') from None


def dry_run_of(query: dict[str, str]) -> bool:
    value = query.get("dryRun")
    if value is None:
        return False
    if value == "All":
        return True
    raise errors.bad_request(f'dryRun: Unsupported value: "{value}": supported values: "All"')


def decode_object(body: bytes, rt: ResourceType) -> Obj:
    try:
        obj = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.bad_request(f"the body of the request could not be decoded as JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise errors.bad_request("the body of the request must be a JSON object")
    obj["kind"] = obj.get("kind") or rt.kind
    obj["apiVersion"] = obj.get("apiVersion") or rt.api_version
    if (obj["kind"], obj["apiVersion"]) != (rt.kind, rt.api_version):
        raise errors.bad_request(f'{obj["kind"]} in version "{obj["apiVersion"]}" cannot be handled as a {rt.kind}')
    if not isinstance(obj.setdefault("metadata", {}), dict):
        raise errors.bad_request("Object 'metadata' is not an object")
    return obj
