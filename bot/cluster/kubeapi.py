"""A thin layer over the official client's ApiClient: bounded JSON/text GETs, paging, metadata-only
lists, and one mapping from HTTP and TLS failures to the error family (with the verb, resource,
context and host named).

After the cluster stops answering, calls in the next few seconds fail at once with the same error,
so a diagnosis of an unreachable cluster takes one timeout, not one per request; later calls try
the cluster again, so a long-running bot recovers when the cluster comes back.
"""

from __future__ import annotations

import json
import os
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import urllib3
from kubernetes import client
from kubernetes import config as kube_config
from kubernetes.config.config_exception import ConfigException

from bot.errors import ClusterPermissionError, ClusterUnreachableError, ConfigError, InputError

JSON = "application/json"
METADATA_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
PAGE_SIZE = 500
TRANSIENT = {429, 500, 502, 503, 504}
RETRY_PAUSE = 0.2
#: How long after an unanswered request later calls fail at once instead of waiting for a timeout each.
DOWN_WINDOW = 5.0
IN_CLUSTER_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


@dataclass(frozen=True, slots=True)
class Access:
    """What a request does, in RBAC terms, so a refusal can say what the bot lacks."""

    verb: str  # get, list
    resource: str  # pods, pods/log, deployments, ...
    namespace: str | None = None  # None: across the cluster

    def describe(self) -> str:
        where = f"in namespace {self.namespace}" if self.namespace else "across the cluster"
        return f"{self.verb} {self.resource} {where}"


class ApiRefused(Exception):
    """A 4xx answer other than 401/403 (404 for a missing object, 400 for a log not there yet)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def status_message(body: bytes, *, limit: int = 200) -> str:
    """The message of a Kubernetes Status body, else the start of whatever the server sent."""
    try:
        return str(json.loads(body).get("message") or "").strip()
    except (ValueError, AttributeError):
        return body.decode("utf-8", "replace").strip()[:limit]


class KubeApi:
    def __init__(
        self,
        api_client: client.ApiClient,
        *,
        timeout: float,
        default_namespace: str = "default",
        context_name: str = "in-cluster",
        down_window: float = DOWN_WINDOW,
    ):
        self.api_client = api_client
        self.timeout = timeout
        self.default_namespace = default_namespace
        #: The kubeconfig context in use ("in-cluster" for the pod's service account).
        self.context_name = context_name
        self.down_window = down_window
        self._down_error: ClusterUnreachableError | None = None
        self._down_until = 0.0
        #: Called with each request path; lets benchmarks and progress displays count requests.
        self.on_request: Callable[[str], None] | None = None

    @property
    def host(self) -> str:
        return str(self.api_client.configuration.host)

    @property
    def _down(self) -> ClusterUnreachableError | None:
        """The last unanswered request's error while it is fresh (callers fail fast), else None."""
        if self._down_error is not None and time.monotonic() >= self._down_until:
            self._down_error = None
        return self._down_error

    def reset(self) -> None:
        """Forget that the cluster was unreachable: the next call tries it again at once."""
        self._down_error = None

    def _went_down(self, error: ClusterUnreachableError) -> ClusterUnreachableError:
        self._down_error, self._down_until = error, time.monotonic() + self.down_window
        return error

    def _send(self, path: str, query: Sequence[tuple[str, Any]], accept: str, access: Access) -> bytes:
        down = self._down
        if down is not None:
            raise down
        method, url, headers, _body, _post = self.api_client.param_serialize(
            method="GET",
            resource_path=path,
            query_params=list(query),
            header_params={"Accept": accept},
            auth_settings=["BearerToken"],
        )
        for attempt in (1, 2):
            if self.on_request:
                self.on_request(path)
            try:
                response = self.api_client.call_api(method, url, header_params=headers, _request_timeout=self.timeout)
                response.read()
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                raise self._went_down(self._unreachable(exc, access)) from None
            status = response.status
            if 200 <= status < 300:
                return response.data
            message = status_message(response.data)
            if status == 403:
                raise ClusterPermissionError(
                    f"the cluster denied {access.describe()}: the bot's service account needs "
                    f"{access.verb} on {access.resource}"
                )
            if status == 401:
                raise ClusterPermissionError(
                    f"the cluster rejected the bot's credentials ({access.describe()}): {message or 'Unauthorized'}"
                )
            if status in TRANSIENT and attempt == 1:
                time.sleep(RETRY_PAUSE)
                continue
            if status in TRANSIENT:
                raise ClusterUnreachableError(
                    f"the cluster answered {status} to {access.describe()}: {message or response.reason}"
                )
            raise ApiRefused(status, message or str(response.reason))
        raise AssertionError("unreachable")  # the loop either returns or raises

    def _unreachable(self, exc: BaseException, access: Access) -> ClusterUnreachableError:
        """No HTTP answer: the cluster is down or slow, or TLS failed (which no retry will fix)."""
        where = f"the cluster at {self.host} (context {self.context_name})"
        tls = _tls_failure(exc)
        if isinstance(tls, ssl.SSLCertVerificationError):
            detail = (tls.verify_message or tls.reason or str(tls)).rstrip(".")
            # Nothing was sent: the client refused the server before any request.
            return ClusterUnreachableError(
                f"{where} presented a TLS certificate the kubeconfig does not trust: {detail}",
                hint="check the context's server and certificate-authority-data",
            )
        if tls is not None:
            return ClusterUnreachableError(
                f"the TLS handshake with {where} failed ({access.describe()}): {tls.reason or 'TLS error'}",
                hint="check the context's server, certificate-authority-data and client certificate",
            )
        reason = getattr(exc, "reason", None) or exc
        return ClusterUnreachableError(
            f"cannot reach {where} ({access.describe()}): {short_reason(reason)} (timeout {self.timeout:g}s)"
        )

    def get(self, path: str, *, access: Access, query: Sequence[tuple[str, Any]] = ()) -> dict[str, Any] | None:
        """One object, or None when it does not exist."""
        try:
            return json.loads(self._send(path, query, JSON, access))
        except ApiRefused as exc:
            if exc.status == 404:
                return None
            raise ClusterUnreachableError(f"the cluster refused {access.describe()}: {exc.message}") from None

    def text(self, path: str, *, access: Access, query: Sequence[tuple[str, Any]] = ()) -> str:
        """Plain text (logs); raises ApiRefused for 4xx answers such as a container not started yet."""
        return self._send(path, query, "text/plain, */*", access).decode("utf-8", "replace")

    def items(
        self,
        path: str,
        *,
        access: Access,
        query: Sequence[tuple[str, Any]] = (),
        metadata_only: bool = False,
        page_size: int = PAGE_SIZE,
        max_pages: int | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every item of a list, page by page (`limit`/`continue`), so memory follows the page size."""
        token, pages, seen = None, 0, 0
        while True:
            page_query = [*query, ("limit", page_size)] + ([("continue", token)] if token else [])
            try:
                raw = self._send(path, page_query, METADATA_LIST if metadata_only else JSON, access)
            except ApiRefused as exc:
                raise ClusterUnreachableError(f"the cluster refused {access.describe()}: {exc.message}") from None
            page = json.loads(raw)
            del raw
            items = page.get("items") or []
            pages, seen = pages + 1, seen + len(items)
            if on_page:
                on_page(pages, seen)
            yield from items
            token = (page.get("metadata") or {}).get("continue")
            if not token or (max_pages is not None and pages >= max_pages):
                return


def _tls_failure(exc: BaseException) -> ssl.SSLError | None:
    """The ssl error behind urllib3's wrappers (MaxRetryError -> SSLError -> ssl.SSLError), if any."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            return current
        linked = [getattr(current, "reason", None), current.__cause__, current.__context__, *current.args]
        pending.extend(item for item in linked if isinstance(item, BaseException))
    return None


def short_reason(reason: object) -> str:
    """A network failure in a few words ("timed out", "connection refused")."""
    text = str(reason)
    if "timed out" in text.lower() or "timeout" in text.lower():
        return "timed out"
    if "refused" in text.lower():
        return "connection refused"
    return text.split(": ", 1)[-1][:160]


def _kubeconfig_files(explicit: str | Path | None) -> str | None:
    """The given file, else KUBECONFIG (read now, not at import) or ~/.kube/config, if any exists."""
    raw = str(explicit) if explicit else os.environ.get("KUBECONFIG") or str(Path("~/.kube/config").expanduser())
    existing = [p for p in raw.split(os.pathsep) if p and Path(p).expanduser().exists()]
    return os.pathsep.join(existing) or None


def connect(
    *, context: str | None, timeout: float, kubeconfig: str | Path | None = None, down_window: float = DOWN_WINDOW
) -> KubeApi:
    """A client for the kubeconfig context (KUBECONFIG, ~/.kube/config), else the in-cluster account."""
    configuration = client.Configuration()
    files = _kubeconfig_files(kubeconfig)
    namespace, context_name = "default", "in-cluster"
    if files:
        try:
            contexts, active = kube_config.list_kube_config_contexts(config_file=files)
            chosen = next((c for c in contexts if c.get("name") == context), None) if context else active
            if context and chosen is None:
                known = ", ".join(sorted(c.get("name", "?") for c in contexts)) or "none"
                raise InputError(f"no context {context!r} in the kubeconfig {files} (known: {known})")
            kube_config.load_kube_config(
                config_file=files, context=context, client_configuration=configuration, persist_config=False
            )
        except ConfigException as exc:
            raise ConfigError(f"kubeconfig {files}: {exc}") from None
        namespace = ((chosen or {}).get("context") or {}).get("namespace") or "default"
        context_name = (chosen or {}).get("name") or context or "current"
    elif context:
        raise ConfigError(f"--context {context} given but no kubeconfig found (KUBECONFIG, ~/.kube/config)")
    else:
        try:
            kube_config.load_incluster_config(client_configuration=configuration)
        except ConfigException:
            raise ConfigError("no kubeconfig (KUBECONFIG, ~/.kube/config) and not running inside a cluster") from None
        if IN_CLUSTER_NAMESPACE.exists():
            namespace = IN_CLUSTER_NAMESPACE.read_text().strip() or "default"
    # Our own single retry for 429/5xx replaces urllib3's silent ones, which would multiply timeouts.
    configuration.retries = urllib3.util.Retry(total=0, redirect=0, raise_on_status=False)
    return KubeApi(
        client.ApiClient(configuration),
        timeout=timeout,
        default_namespace=namespace,
        context_name=context_name,
        down_window=down_window,
    )
