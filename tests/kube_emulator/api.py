"""API semantics without HTTP: RBAC denials, then the list/watch/get/create/update/patch/delete and
pod-log verbs over the store.

Keeping this free of sockets lets the HTTP layer stay a thin adapter and keeps every API rule in one
place. Every read-modify-write holds the store lock, so concurrent clients see serialisable changes.
"""

from __future__ import annotations

import json
import secrets
import string
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from tests.kube_emulator import access_review, errors, openapi
from tests.kube_emulator.discovery import discovery_document
from tests.kube_emulator.errors import ApiError
from tests.kube_emulator.patching import PatchError, json_patch, merge_patch, strategic_merge_patch
from tests.kube_emulator.resources import NAMESPACES, PODS, ResourceType
from tests.kube_emulator.routing import (
    META_GV,
    Denial,
    Request,
    Response,
    Route,
    decode_continue,
    decode_object,
    dry_run_of,
    encode_continue,
    int_param,
    json_response,
    list_item,
    parse_route,
    partial,
    verb_of,
    wants_metadata,
)
from tests.kube_emulator.selectors import parse_field_selector, parse_label_selector
from tests.kube_emulator.store import Obj, Store, clone
from tests.kube_emulator.validation import validate

#: What the API server sets as `.status` on a new object, whatever the client sent.
_INITIAL_STATUS: dict[str, dict[str, Any]] = {
    "pods": {"phase": "Pending"},
    "namespaces": {"phase": "Active"},
    "services": {"loadBalancer": {}},
}


JSON_PATCH_FAILED = "the server rejected our request due to an error in our request"


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

    def _denied(self, verb: str, route: Route) -> bool:
        with self._denials_lock:
            return any(d.matches(verb, route) for d in self._denials)

    def _authorize(self, verb: str, route: Route) -> None:
        if self._denied(verb, route):
            raise errors.forbidden(self.user, verb, route.rt, route.rbac_namespace, route.name, route.subresource)

    # -- dispatch --------------------------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        path = req.path.rstrip("/") or "/"
        if req.method == "GET":
            if path in ("/healthz", "/livez", "/readyz"):
                return Response(200, b"ok", "text/plain")
            document = discovery_document(path, req.headers.get("Host") or "")
            if document is None and path.startswith(openapi.ROOT):
                document = openapi.openapi_document(path)
                if document is None:
                    raise errors.path_not_found()
            if document is not None:
                return json_response(200, document)
        if path == access_review.PATH and req.method == "POST":
            return json_response(201, access_review.review(req.body, self._denied))
        route = parse_route(path)
        verb = verb_of(req.method, route, req.query)
        self._authorize(verb, route)
        if route.subresource is not None:
            if route.rt is PODS and route.subresource == "log" and verb == "get":
                return self._log(route, req.query)
            raise errors.path_not_found()
        if verb in ("list", "watch"):
            metadata_only = wants_metadata(req.headers.get("Accept"), is_list=True)
            return self._list(route, req.query, metadata_only, watch=verb == "watch")
        if verb == "get":
            obj = self._existing(route)
            metadata_only = wants_metadata(req.headers.get("Accept"), is_list=False)
            return json_response(200, partial(obj) if metadata_only else obj)
        if verb in ("create", "update", "patch"):
            openapi.check_field_validation(req.query)
        if verb == "create":
            return json_response(201, self._create(route, req.body, dry_run_of(req.query)))
        if verb == "update":
            return json_response(200, self._update(route, req.body, dry_run_of(req.query)))
        if verb == "patch":
            content_type = req.headers.get("Content-Type") or ""
            return json_response(200, self._patch(route, req.body, content_type, dry_run_of(req.query)))
        if verb == "delete":
            return json_response(200, self._delete(route, req.body, dry_run_of(req.query)))
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
        limit = int_param(query, "limit")
        limit = limit if limit and limit > 0 and not watch else None
        after = decode_continue(query.get("continue"))
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
            list_meta["continue"] = encode_continue(resource_version, items[-1])
        if metadata_only:
            payload = {
                "kind": "PartialObjectMetadataList",
                "apiVersion": META_GV,
                "metadata": list_meta,
                "items": [partial(obj) for obj in items],
            }
        else:
            payload = {
                "kind": rt.list_kind,
                "apiVersion": rt.api_version,
                "metadata": list_meta,
                "items": [list_item(obj) for obj in items],
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
        tail = int_param(query, "tailLines")
        if tail is not None:
            lines = text.splitlines(keepends=True)
            text = "".join(lines[-tail:]) if tail > 0 else ""
        data = text.encode()
        limit_bytes = int_param(query, "limitBytes")
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
        obj = decode_object(body, rt)
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
        obj = decode_object(body, rt)
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
                new = apply(clone(old), patch)
            except PatchError as exc:
                if apply is json_patch:
                    # kube-apiserver answers a JSON patch that does not apply with a generic 422 that
                    # drops the patch library's message.
                    raise ApiError(422, JSON_PATCH_FAILED, details={}) from None
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
                self.store.next_resource_version()
        if rt.delete_returns_object:
            return old
        details: dict[str, Any] = {"name": route.name, "kind": rt.plural, "uid": old["metadata"].get("uid")}
        if rt.group:
            details["group"] = rt.group
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}
