"""Request handling without HTTP: routing, RBAC denials, and the list/get/create/update/patch/delete
and pod-log verbs over the store.

Keeping this free of sockets lets the HTTP layer stay a thin adapter and keeps every API rule in one
place. Every read-modify-write holds the store lock, so concurrent clients see serialisable changes.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import string
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from tests.kube_emulator import errors
from tests.kube_emulator.discovery import discovery_document
from tests.kube_emulator.errors import ApiError
from tests.kube_emulator.patching import PatchError, json_patch, merge_patch, strategic_merge_patch
from tests.kube_emulator.resources import NAMESPACES, PODS, ResourceType, by_group_plural
from tests.kube_emulator.selectors import parse_field_selector, parse_label_selector
from tests.kube_emulator.store import Obj, Store
from tests.kube_emulator.validation import validate

VERBS = frozenset({"get", "list", "watch", "create", "update", "patch", "delete"})
_META_GV = "meta.k8s.io/v1"
_INITIAL_STATUS: dict[str, dict[str, Any]] = {
    "pods": {"phase": "Pending"},
    "namespaces": {"phase": "Active"},
    "services": {"loadBalancer": {}},
}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]  # case-insensitive lookups (an http.client message)
    body: bytes = b""


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


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp_new(rt: ResourceType, obj: Obj) -> None:
    """Fill what the API server sets on creation, keeping values a test chose (uid, timestamps)."""
    meta = obj["metadata"]
    meta.setdefault("uid", str(uuid.uuid4()))
    meta.setdefault("creationTimestamp", now())
    if "spec" in obj:
        meta.setdefault("generation", 1)
    if rt is NAMESPACES:
        meta["labels"] = {**(meta.get("labels") or {}), "kubernetes.io/metadata.name": meta["name"]}


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


def _verb(method: str, route: Route, query: dict[str, str]) -> str:
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


def _wants_metadata(accept: str | None, is_list: bool) -> bool:
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


def _partial(obj: Obj) -> Obj:
    return {"kind": "PartialObjectMetadata", "apiVersion": _META_GV, "metadata": obj["metadata"]}


def _list_item(obj: Obj) -> Obj:
    """List items carry no kind/apiVersion on the wire, as with the real API server."""
    return {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}


def _copy(obj: Obj) -> Obj:
    return json.loads(json.dumps(obj))


def _encode_continue(resource_version: str, last: Obj) -> str:
    meta = last["metadata"]
    token = {"v": _META_GV, "rv": int(resource_version), "ns": meta.get("namespace", ""), "name": meta["name"]}
    return base64.urlsafe_b64encode(json.dumps(token).encode()).decode()


def _decode_continue(token: str | None) -> tuple[str, str] | None:
    if not token:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(data["ns"]), str(data["name"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise errors.bad_request(f"continue key is not valid: {token!r}") from None


def _int_param(query: dict[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise errors.bad_request(f'invalid value for {name}: "{raw}"') from None


def _dry_run(query: dict[str, str]) -> bool:
    value = query.get("dryRun")
    if value is None:
        return False
    if value == "All":
        return True
    raise errors.bad_request(f'dryRun: Unsupported value: "{value}": supported values: "All"')


def _decode_object(body: bytes, rt: ResourceType) -> Obj:
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


class ApiServer:
    """The API semantics behind the emulator's HTTP front; `handle` turns a Request into a Response."""

    def __init__(self, store: Store, user: str) -> None:
        self.store = store
        self.user = user
        self._denials: list[Denial] = []
        self._denials_lock = threading.Lock()

    # -- RBAC ------------------------------------------------------------------------------------

    def deny(self, denial: Denial) -> None:
        with self._denials_lock:
            self._denials.append(denial)

    def clear_denials(self) -> None:
        with self._denials_lock:
            self._denials.clear()

    def _authorize(self, verb: str, route: Route) -> None:
        with self._denials_lock:
            denied = any(d.matches(verb, route) for d in self._denials)
        if denied:
            raise errors.forbidden(self.user, verb, route.rt, route.rbac_namespace, route.name, route.subresource)

    # -- dispatch --------------------------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        path = req.path.rstrip("/") or "/"
        if req.method == "GET":
            if path in ("/healthz", "/livez", "/readyz"):
                return Response(200, b"ok", "text/plain")
            document = discovery_document(path, req.headers.get("Host") or "")
            if document is not None:
                return json_response(200, document)
        route = parse_route(path)
        verb = _verb(req.method, route, req.query)
        self._authorize(verb, route)
        if route.subresource is not None:
            if route.rt is PODS and route.subresource == "log" and verb == "get":
                return self._log(route, req.query)
            raise errors.path_not_found()
        if verb in ("list", "watch"):
            metadata_only = _wants_metadata(req.headers.get("Accept"), is_list=True)
            return self._list(route, req.query, metadata_only, watch=verb == "watch")
        if verb == "get":
            obj = self._existing(route)
            metadata_only = _wants_metadata(req.headers.get("Accept"), is_list=False)
            return json_response(200, _partial(obj) if metadata_only else obj)
        if verb == "create":
            return json_response(201, self._create(route, req.body, _dry_run(req.query)))
        if verb == "update":
            return json_response(200, self._update(route, req.body, _dry_run(req.query)))
        if verb == "patch":
            content_type = req.headers.get("Content-Type") or ""
            return json_response(200, self._patch(route, req.body, content_type, _dry_run(req.query)))
        if verb == "delete":
            return json_response(200, self._delete(route, req.body, _dry_run(req.query)))
        raise ApiError(405, f"{verb} is not supported by the emulator", details={})

    def _existing(self, route: Route) -> Obj:
        assert route.name is not None
        obj = self.store.get(route.rt, route.namespace, route.name)
        if obj is None:
            raise errors.not_found(route.rt, route.name)
        return obj

    # -- reads -----------------------------------------------------------------------------------

    def _list(self, route: Route, query: dict[str, str], metadata_only: bool, *, watch: bool) -> Response:
        rt = route.rt
        labels = parse_label_selector(query.get("labelSelector"))
        fields = parse_field_selector(query.get("fieldSelector"), rt)
        limit = _int_param(query, "limit")
        limit = limit if limit and limit > 0 and not watch else None
        after = _decode_continue(query.get("continue"))
        since = int(query["resourceVersion"]) if watch and query.get("resourceVersion", "").isdigit() else 0
        items: list[Obj] = []
        more = False
        with self.store.lock:
            resource_version = self.store.resource_version
            for obj in self.store.scan(rt, route.namespace, after):
                if (labels and not labels(obj)) or (fields and not fields(obj)):
                    continue
                if watch and int(obj["metadata"].get("resourceVersion") or 0) <= since:
                    continue
                if limit is not None and len(items) == limit:
                    more = True
                    break
                items.append(obj)
        if watch:
            # A one-shot snapshot: every matching object as ADDED, then the stream ends.
            lines = (json.dumps({"type": "ADDED", "object": obj}, separators=(",", ":")) for obj in items)
            return Response(200, "".join(line + "\n" for line in lines).encode())
        list_meta: dict[str, Any] = {"resourceVersion": resource_version}
        if more:
            list_meta["continue"] = _encode_continue(resource_version, items[-1])
        if metadata_only:
            payload = {
                "kind": "PartialObjectMetadataList",
                "apiVersion": _META_GV,
                "metadata": list_meta,
                "items": [_partial(obj) for obj in items],
            }
        else:
            payload = {
                "kind": rt.list_kind,
                "apiVersion": rt.api_version,
                "metadata": list_meta,
                "items": [_list_item(obj) for obj in items],
            }
        return json_response(200, payload)

    def _log(self, route: Route, query: dict[str, str]) -> Response:
        pod = self._existing(route)
        name = route.name
        spec = pod.get("spec") or {}
        containers = [c.get("name") for c in spec.get("containers") or []]
        init_containers = [c.get("name") for c in spec.get("initContainers") or []]
        container = query.get("container")
        if not container:
            if len(containers) != 1:
                raise errors.bad_request(
                    f"a container name must be specified for pod {name}, choose one of: [{' '.join(containers)}]"
                )
            container = containers[0]
        elif container not in containers + init_containers:
            raise errors.bad_request(f"container {container} is not valid for pod {name}")
        previous = query.get("previous") in ("true", "1")
        text = self.store.logs.get((route.namespace or "", name or "", container, previous))
        if text is None:
            text = self._missing_log(pod, container, previous)
        tail = _int_param(query, "tailLines")
        if tail is not None:
            lines = text.splitlines(keepends=True)
            text = "".join(lines[-tail:]) if tail > 0 else ""
        data = text.encode()
        limit_bytes = _int_param(query, "limitBytes")
        if limit_bytes is not None and limit_bytes > 0:
            data = data[:limit_bytes]
        return Response(200, data, "text/plain")

    @staticmethod
    def _missing_log(pod: Obj, container: str, previous: bool) -> str:
        """No log set: the API server's error for a container that never ran, else an empty log."""
        name = pod["metadata"]["name"]
        status = pod.get("status") or {}
        statuses = (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or [])
        state = next((s for s in statuses if s.get("name") == container), None)
        if previous:
            if state and "terminated" in (state.get("lastState") or {}):
                return ""
            raise errors.bad_request(f'previous terminated container "{container}" in pod "{name}" not found')
        waiting = ((state or {}).get("state") or {}).get("waiting")
        if state is None or waiting is not None:
            reason = (waiting or {}).get("reason") or "ContainerCreating"
            raise errors.bad_request(f'container "{container}" in pod "{name}" is waiting to start: {reason}')
        return ""

    # -- writes ----------------------------------------------------------------------------------

    def _create(self, route: Route, body: bytes, dry_run: bool) -> Obj:
        rt = route.rt
        obj = _decode_object(body, rt)
        meta = obj["metadata"]
        if rt.namespaced:
            if meta.get("namespace") not in (None, "", route.namespace):
                raise errors.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            meta["namespace"] = route.namespace
        if not meta.get("name"):
            if not meta.get("generateName"):
                raise errors.invalid(rt, "", [("metadata.name", "Required value: name or generateName is required")])
            alphabet = string.ascii_lowercase + string.digits
            meta["name"] = meta["generateName"] + "".join(secrets.choice(alphabet) for _ in range(5))
        meta.pop("resourceVersion", None)
        if rt.has_status:
            obj["status"] = dict(_INITIAL_STATUS.get(rt.plural, {}))
        validate(rt, obj)
        with self.store.lock:
            if rt.namespaced and self.store.get(NAMESPACES, None, route.namespace or "") is None:
                raise errors.not_found(NAMESPACES, route.namespace or "")
            if self.store.get(rt, route.namespace, meta["name"]) is not None:
                raise errors.already_exists(rt, meta["name"])
            stamp_new(rt, obj)
            if not dry_run:
                meta["resourceVersion"] = self.store.next_resource_version()
                self.store.put(rt, obj)
        return obj

    def _update(self, route: Route, body: bytes, dry_run: bool) -> Obj:
        rt = route.rt
        obj = _decode_object(body, rt)
        meta = obj["metadata"]
        if meta.get("name") != route.name:
            raise errors.bad_request(
                f"the name of the object ({meta.get('name')}) does not match the name on the URL ({route.name})"
            )
        if rt.namespaced and meta.setdefault("namespace", route.namespace) != route.namespace:
            raise errors.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        with self.store.lock:
            old = self._existing(route)
            if meta.get("resourceVersion") not in (None, "", old["metadata"]["resourceVersion"]):
                raise errors.conflict(rt, route.name or "")
            return self._commit(rt, old, obj, dry_run)

    def _patch(self, route: Route, body: bytes, content_type: str, dry_run: bool) -> Obj:
        rt = route.rt
        media_type = content_type.split(";")[0].strip().lower()
        appliers = {
            "application/json-patch+json": (list, json_patch),
            "application/merge-patch+json": (dict, merge_patch),
            "application/strategic-merge-patch+json": (dict, strategic_merge_patch),
        }
        if media_type not in appliers:
            raise ApiError(
                415,
                f"the body of the request was in an unknown format ({media_type or 'none'}) - accepted media types "
                "include: application/json-patch+json, application/merge-patch+json, "
                "application/strategic-merge-patch+json",
            )
        shape, apply = appliers[media_type]
        try:
            patch = json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise errors.bad_request(f"the body of the request could not be decoded as JSON: {exc}") from None
        if not isinstance(patch, shape):
            raise errors.bad_request(f"a {media_type} body must be a JSON {'array' if shape is list else 'object'}")
        with self.store.lock:
            old = self._existing(route)
            try:
                new = apply(_copy(old), patch)
            except PatchError as exc:
                raise ApiError(422, str(exc), details={}) from None
            if not isinstance(new, dict) or not isinstance(new.get("metadata"), dict):
                raise errors.bad_request("the patch does not leave a valid object")
            if new["metadata"].get("resourceVersion") not in (None, "", old["metadata"]["resourceVersion"]):
                raise errors.conflict(rt, route.name or "")
            for key in ("kind", "apiVersion"):
                if new.get(key) != old.get(key):
                    raise errors.bad_request(f"{key} cannot be changed by a patch")
            for key in ("name", "namespace"):
                if new["metadata"].get(key) != old["metadata"].get(key):
                    cause = (f"metadata.{key}", "Invalid value: field is immutable")
                    raise errors.invalid(rt, route.name or "", [cause])
            return self._commit(rt, old, new, dry_run)

    def _commit(self, rt: ResourceType, old: Obj, new: Obj, dry_run: bool) -> Obj:
        """Finish an update: keep server-owned fields, validate, bump versions, store (unless dry run).

        A change that alters nothing keeps the old resourceVersion, as the API server does.
        """
        meta, old_meta = new["metadata"], old["metadata"]
        for key in ("uid", "creationTimestamp", "namespace"):
            if key in old_meta:
                meta[key] = old_meta[key]
        if rt.has_status:
            if "status" in old:
                new["status"] = old["status"]
            else:
                new.pop("status", None)
        if rt is NAMESPACES:
            meta["labels"] = {**(meta.get("labels") or {}), "kubernetes.io/metadata.name": meta["name"]}
        validate(rt, new, old)
        meta["resourceVersion"] = old_meta["resourceVersion"]
        if "generation" in old_meta:
            meta["generation"] = old_meta["generation"] + int(new.get("spec") != old.get("spec"))
        else:
            meta.pop("generation", None)
        if new == old:
            return old
        if not dry_run:
            meta["resourceVersion"] = self.store.next_resource_version()
            self.store.put(rt, new)
        return new

    def _delete(self, route: Route, body: bytes, dry_run: bool) -> Obj:
        rt = route.rt
        options: Any = {}
        if body:
            try:
                options = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                raise errors.bad_request("the DeleteOptions body could not be decoded as JSON") from None
        preconditions = (options or {}).get("preconditions") or {} if isinstance(options, dict) else {}
        with self.store.lock:
            old = self._existing(route)
            for key in ("uid", "resourceVersion"):
                if preconditions.get(key) not in (None, old["metadata"].get(key)):
                    raise errors.conflict(rt, route.name or "")
            if not dry_run:
                self.store.delete(rt, route.namespace, route.name or "")
        if rt.delete_returns_object:
            return old
        details: dict[str, Any] = {"name": route.name, "kind": rt.plural, "uid": old["metadata"].get("uid")}
        if rt.group:
            details["group"] = rt.group
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}
