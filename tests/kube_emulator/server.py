"""`KubeEmulator`: a local HTTPS server speaking enough of the Kubernetes API for the official client
and for kubectl, plus the control methods tests use to arrange state and faults.

The HTTP side is `http.server.ThreadingHTTPServer` on 127.0.0.1 in a daemon thread, HTTP/1.1 with
keep-alive (clients pool connections), over TLS with a certificate from a CA made for the run
(`tls.py`). The TLS handshake happens in the connection's own thread, so a client that stalls or
rejects the certificate never holds up the accept loop. `stop()` also cuts open keep-alive
connections, so a stopped emulator behaves like an unreachable cluster (connection refused) rather
than answering on a pooled socket; `restart()` listens again on the same port with the same objects.
"""

from __future__ import annotations

import base64
import contextlib
import socket
import ssl
import sys
import threading
import traceback
from collections import deque
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

import yaml

from tests.kube_emulator import errors
from tests.kube_emulator.api import ApiServer, stamp_new
from tests.kube_emulator.errors import ApiError
from tests.kube_emulator.resources import NAMESPACES, by_kind, lookup
from tests.kube_emulator.routing import VERBS, Denial, Request, Response, json_response
from tests.kube_emulator.store import Store, clone
from tests.kube_emulator.tls import ClusterTLS, peer_user, session_tls
from tests.kube_emulator.validation import validate

DEFAULT_TOKEN = "kube-emulator-token"
DEFAULT_USER = "system:serviceaccount:ops:eks-doctor"
#: Namespaces every real cluster has; seeded so creating objects in them works as on a cluster.
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
#: A client that connects but never completes the TLS handshake is dropped after this long.
HANDSHAKE_TIMEOUT = 10.0


class RecordedRequest(NamedTuple):
    method: str
    path: str
    query: dict[str, str]  # last value of each parameter


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a delayed request must not make stop() wait

    def __init__(self, address: tuple[str, int], emulator: KubeEmulator, context: ssl.SSLContext) -> None:
        self.emulator = emulator
        self.context = context
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = self.socket.accept()
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up or refuses the certificate is not an emulator bug; anything else is.

        (API handling never raises: `_respond` turns its own bugs into a 500 and prints them.)
        """
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def track(self, sock: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(sock)
            else:
                self._connections.discard(sock)

    def cut_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for sock in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                # The plain socket's shutdown: SSLSocket.shutdown would drop its TLS state under a
                # thread that is still reading from it.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; Nagle would add ~40 ms each
    server: _Server

    def setup(self) -> None:
        self.server.track(self.request, True)
        try:
            self.request.settimeout(HANDSHAKE_TIMEOUT)
            self.request.do_handshake()
            self.request.settimeout(None)
        except BaseException:
            self.server.track(self.request, False)
            raise
        #: Who a verified client certificate says the client is (None: no certificate sent).
        self.certificate_user = peer_user(self.request)
        super().setup()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: pytest output stays readable; `KubeEmulator.requests` is the log."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parsed = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parsed.query, keep_blank_values=True).items()}
        request = Request(self.command, parsed.path, query, self.headers, body, self.certificate_user)
        response = self.server.emulator._respond(request)
        if response is None:  # stopped while delaying: vanish like a dead server
            self.close_connection = True
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class KubeEmulator:
    """A Kubernetes API server for tests. All control methods are thread-safe."""

    def __init__(
        self,
        *,
        token: str | None = DEFAULT_TOKEN,
        user: str = DEFAULT_USER,
        seed_namespaces: Iterable[str] = SYSTEM_NAMESPACES,
        port: int = 0,
        tls: ClusterTLS | None = None,
    ) -> None:
        """`token=None` disables authentication; `user` is the name RBAC messages quote.

        `tls` is the PKI to serve with (default: the one this process shares, see `tls.py`); a client
        certificate it issued authenticates as well as the token.
        """
        self.token = token
        self.tls = tls or session_tls()
        self.store = Store()
        self._api = ApiServer(self.store, user)
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()
        self._stopping = threading.Event()
        self._state_lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._failures: deque[ApiError] = deque()
        self._delay = 0.0
        for name in seed_namespaces:
            self.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> KubeEmulator:
        with self._lifecycle:
            if self._server is None:
                self._stopping = threading.Event()
                self._server = _Server(("127.0.0.1", self._port), self, self.tls.server_context())
                self._port = self._server.server_address[1]
                self._thread = threading.Thread(
                    target=self._server.serve_forever,
                    kwargs={"poll_interval": 0.05},
                    name=f"kube-emulator:{self._port}",
                    daemon=True,
                )
                self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and cut open connections; objects are kept for `restart()`."""
        with self._lifecycle:
            server, thread, self._server, self._thread = self._server, self._thread, None, None
            if server is None:
                return
            self._stopping.set()
            server.shutdown()
            server.server_close()
            server.cut_connections()
        if thread is not None:
            thread.join(timeout=2)

    def restart(self) -> KubeEmulator:
        self.stop()
        return self.start()

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self) -> KubeEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("the emulator has not been started")
        return self._port

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def user(self) -> str:
        return self._api.user

    # -- kubeconfig ------------------------------------------------------------------------------

    def write_kubeconfig(
        self,
        path: str | Path,
        context: str = "emulator",
        *,
        contexts: Iterable[str] | None = None,
        namespace: str = "default",
        token: str | None = None,
        client_certificate: bool = False,
        certificate_authority: bytes | None = None,
        current_context: str | None = None,
        merge: bool = False,
    ) -> Path:
        """Write a kubeconfig whose contexts all point at this emulator; returns the path.

        The file is one that both the Python client and kubectl accept: an `https://` server with
        `certificate-authority-data`, and a bearer token. `contexts` names several contexts at once
        (each with its own cluster and user entry named like the context); `current_context`
        defaults to the first. `token` defaults to the emulator's own. `client_certificate=True`
        authenticates with a certificate for the emulator's user instead of a token.
        `certificate_authority` (PEM) replaces the CA the client trusts, to stand for a kubeconfig
        that does not belong to this server. With `merge=True` an existing file keeps its other
        entries, so two emulators can act as two clusters in one kubeconfig.
        """
        names = list(contexts) if contexts is not None else [context]
        if not names:
            raise ValueError("at least one context is needed")
        path = Path(path)
        config: dict[str, Any] = {"apiVersion": "v1", "kind": "Config", "preferences": {}}
        if merge and path.exists():
            config = yaml.safe_load(path.read_text()) or config
        cluster = {"server": self.url, "certificate-authority-data": _b64(certificate_authority or self.tls.ca_pem)}
        if client_certificate:
            cert_pem, key_pem = self.tls.client_certificate(self.user)
            user: dict[str, str] = {"client-certificate-data": _b64(cert_pem), "client-key-data": _b64(key_pem)}
        else:
            user = {"token": token if token is not None else (self.token or "")}
        for section, entries in (
            ("clusters", [{"name": n, "cluster": dict(cluster)} for n in names]),
            ("users", [{"name": n, "user": dict(user)} for n in names]),
            ("contexts", [{"name": n, "context": {"cluster": n, "user": n, "namespace": namespace}} for n in names]),
        ):
            kept = [e for e in config.get(section) or [] if e.get("name") not in names]
            config[section] = kept + entries
        config["current-context"] = current_context or names[0]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return path

    # -- objects ---------------------------------------------------------------------------------

    def add(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Store `obj` as if a controller had created it (or replace the stored one); returns a copy.

        Kind and apiVersion choose the resource; uid, creationTimestamp and resourceVersion are
        filled, namespace defaults to `default`, and a missing namespace is created (as no object
        exists in a cluster without its namespace). Unlike the HTTP API, status is kept as given.
        """
        return clone(self._add(obj, bulk=False))

    def add_many(self, objs: Iterable[dict[str, Any]]) -> int:
        """Bulk `add` (one lock, one sort per touched index); returns how many were stored."""
        count = 0
        with self.store.lock:
            for obj in objs:
                self._add(obj, bulk=True)
                count += 1
        return count

    def _add(self, obj: dict[str, Any], *, bulk: bool) -> dict[str, Any]:
        obj = clone(obj)
        rt = by_kind(obj.get("apiVersion", ""), obj.get("kind", ""))
        if rt is None:
            raise ValueError(f"unsupported kind {obj.get('kind')!r} in {obj.get('apiVersion')!r}")
        meta = obj.setdefault("metadata", {})
        if rt.namespaced:
            meta["namespace"] = meta.get("namespace") or "default"
        else:
            meta.pop("namespace", None)
        try:
            validate(rt, obj)
        except ApiError as exc:
            raise ValueError(exc.message) from None
        with self.store.lock:
            old = self.store.get(rt, meta.get("namespace"), meta["name"])
            if old is not None:
                old_meta = old["metadata"]
                meta.setdefault("uid", old_meta.get("uid"))
                meta.setdefault("creationTimestamp", old_meta.get("creationTimestamp"))
                if "generation" in old_meta and "generation" not in meta:
                    meta["generation"] = old_meta["generation"] + int(obj.get("spec") != old.get("spec"))
            stamp_new(rt, obj)
            if rt.namespaced and self.store.get(NAMESPACES, None, meta["namespace"]) is None:
                self._add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": meta["namespace"]}}, bulk=bulk)
            meta["resourceVersion"] = self.store.next_resource_version()
            self.store.put(rt, obj, bulk=bulk)
        return obj

    def get_object(self, resource: str, namespace: str | None, name: str) -> dict[str, Any] | None:
        """A copy of the stored object; `resource` is a plural (`deployments`), `deployments.apps` or a kind."""
        rt = lookup(resource)
        with self.store.lock:
            obj = self.store.get(rt, namespace if rt.namespaced else None, name)
        return clone(obj) if obj is not None else None

    def objects(self, resource: str, namespace: str | None = None) -> list[dict[str, Any]]:
        """Copies of the stored objects of a type, in `(namespace, name)` order."""
        rt = lookup(resource)
        with self.store.lock:
            found = list(self.store.scan(rt, namespace if rt.namespaced else None))
        return [clone(obj) for obj in found]

    def remove(self, resource: str, namespace: str | None, name: str) -> bool:
        """Delete without going through the API (a Namespace takes its contents with it)."""
        rt = lookup(resource)
        with self.store.lock:
            removed = self.store.delete(rt, namespace if rt.namespaced else None, name) is not None
            if removed:
                self.store.next_resource_version()
        return removed

    @property
    def resource_version(self) -> str:
        return self.store.resource_version

    def set_logs(self, namespace: str, pod: str, container: str, text: str, previous: bool = False) -> None:
        """The log `GET .../pods/{pod}/log?container=...` returns (`previous=True`: the last run's)."""
        with self.store.lock:
            self.store.logs[(namespace, pod, container, previous)] = text

    # -- RBAC and faults -------------------------------------------------------------------------

    def deny(
        self,
        verb: str,
        resource: str,
        namespace: str | None = None,
        subresource: str | None = None,
        name: str | None = None,
    ) -> None:
        """Answer matching requests with 403, worded as RBAC would.

        `verb` is one of get, list, watch, create, update, patch, delete (or `*`); GET on a single
        object is `get`, on a collection `list`. `resource` may carry the subresource (`pods/log`).
        As in RBAC, `pods` does not cover `pods/log`; pass `subresource="*"` to cover both.
        A `namespace` limits the denial to requests in that namespace (not the cluster-wide list).
        """
        if "/" in resource:
            resource, subresource = resource.split("/", 1)
        if verb != "*" and verb not in VERBS:
            raise ValueError(f"unknown verb {verb!r} (one of {sorted(VERBS)} or '*')")
        self._api.deny(Denial(verb, lookup(resource), namespace, subresource, name))

    def clear_denials(self) -> None:
        self._api.clear_denials()

    def fail_next(self, n: int = 1, status: int = 500, message: str | None = None) -> None:
        """The next `n` requests (of any kind) fail with `status` and a Status body; 429 adds Retry-After."""
        with self._state_lock:
            self._failures.extend(errors.injected(status, message) for _ in range(n))

    def set_delay(self, seconds: float) -> None:
        """Hold every request this long before answering (0 turns it off); `stop()` cuts the wait."""
        with self._state_lock:
            self._delay = max(0.0, float(seconds))

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received, in arrival order."""
        with self._state_lock:
            return list(self._requests)

    def reset_requests(self) -> None:
        with self._state_lock:
            self._requests.clear()

    # -- the HTTP side ---------------------------------------------------------------------------

    def _authenticated(self, req: Request) -> bool:
        """The bearer token, or any client certificate the emulator's CA issued (verified in the handshake)."""
        if self.token is None or req.certificate_user is not None:
            return True
        return req.headers.get("Authorization") == f"Bearer {self.token}"

    def _respond(self, req: Request) -> Response | None:
        with self._state_lock:
            self._requests.append(RecordedRequest(req.method, req.path, dict(req.query)))
            delay, stopping = self._delay, self._stopping
            failure = self._failures.popleft() if self._failures else None
        if delay and stopping.wait(delay):
            return None
        try:
            if failure is not None:
                raise failure
            if not self._authenticated(req):
                raise errors.unauthorized()
            return self._api.handle(req)
        except ApiError as exc:
            response = json_response(exc.code, exc.status())
            response.headers.update(exc.headers)
            return response
        except Exception as exc:  # an emulator bug: answer like the API server would, and show it
            traceback.print_exc()
            return json_response(500, errors.ApiError(500, f"emulator error: {exc!r}").status())


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
