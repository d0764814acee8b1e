"""PATCH requests for remedies, over the inspector's client (`bot.cluster.kubeapi.KubeApi`).

`KubeApi` only reads, so the one write the bot is allowed (`patch` on deployments, statefulsets and
daemonsets) is sent here through the same ApiClient, with the same timeout and the same way of naming
what was denied. Answers become the error family, plus two outcomes the caller handles itself:
`Conflict` (409, the object changed since it was read) and `Rejected` (the server refused the
content: validation, admission webhooks).
"""

from __future__ import annotations

import json
import time
from typing import Any

import urllib3
from kubernetes.client.exceptions import ApiException

from bot.cluster.kubeapi import Access, KubeApi, short_reason, status_message
from bot.errors import ClusterPermissionError, ClusterUnreachableError, NotFoundError

MERGE_PATCH = "application/merge-patch+json"
FIELD_MANAGER = "eks-doctor"
#: Only these are retried: a retry is safe because every patch carries the resourceVersion it was
#: planned against, so a repeat of a patch that did land answers 409 instead of writing twice.
TRANSIENT = {429, 502, 503, 504}
RETRY_PAUSE = 0.2


class Conflict(Exception):
    """409: the object was changed by someone else since it was read."""


class Rejected(Exception):
    """The server understood the request and refused it (400, 422, webhook denials, ...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def patch_object(
    api: KubeApi, *, path: str, body: dict[str, Any], access: Access, what: str, dry_run: bool
) -> dict[str, Any]:
    """Send a JSON merge patch; returns the object as the server stored it (or would, with `dry_run`)."""
    if api._down is not None:  # the reader already found the cluster unreachable
        raise api._down
    query: list[tuple[str, str]] = [("fieldManager", FIELD_MANAGER)] + ([("dryRun", "All")] if dry_run else [])
    response = _send(api, path=path, body=body, query=query, what=what, dry_run=dry_run)
    if response.status in TRANSIENT:  # once more, see TRANSIENT
        time.sleep(RETRY_PAUSE)
        response = _send(api, path=path, body=body, query=query, what=what, dry_run=dry_run)
    status = response.status
    if 200 <= status < 300:
        return json.loads(response.data)
    message = status_message(response.data, limit=300)
    if status == 403:
        raise ClusterPermissionError(
            f"the cluster denied {access.describe()} ({message or 'Forbidden'}): the credentials of context "
            f"{api.context_name} need the RBAC verb `patch` on `{access.resource}`"
        )
    if status == 401:
        raise ClusterPermissionError(f"the cluster rejected the credentials ({access.describe()}): {message}")
    if status == 404:
        raise NotFoundError(f"{what} no longer exists ({message or 'not found'})")
    if status == 409:
        raise Conflict(message)
    if status in TRANSIENT:
        raise ClusterUnreachableError(f"the cluster answered {status} to the patch of {what}: {message}")
    raise Rejected(status, message or str(response.reason))


def _send(
    api: KubeApi, *, path: str, body: dict[str, Any], query: list[tuple[str, str]], what: str, dry_run: bool
) -> Any:
    """One PATCH request; no answer at all becomes ClusterUnreachableError."""
    method, url, headers, payload, _post = api.api_client.param_serialize(
        method="PATCH",
        resource_path=path,
        query_params=query,
        header_params={"Accept": "application/json", "Content-Type": MERGE_PATCH},
        body=body,
        auth_settings=["BearerToken"],
    )
    if api.on_request:
        api.on_request(path)
    try:
        response = api.api_client.call_api(
            method, url, header_params=headers, body=payload, _request_timeout=api.timeout
        )
        response.read()
    except (urllib3.exceptions.HTTPError, OSError, ApiException) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise ClusterUnreachableError(
            f"no answer from the cluster at {api.host} to the {'dry-run ' if dry_run else ''}patch of {what}: "
            f"{short_reason(reason)} (timeout {api.timeout:g}s)"
        ) from None
    return response
