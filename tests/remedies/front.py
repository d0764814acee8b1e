"""A local HTTP server in front of the Kubernetes-API emulator, for answers the emulator itself never
gives: a mutating admission webhook that rewrites what a PATCH stores, and a load balancer that
answers with a plain-text page or hangs up without answering.

Every request is forwarded to the emulator unchanged unless `on_patch` says otherwise.
"""

from __future__ import annotations

import http.client
import json
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml


@dataclass(frozen=True)
class Answer:
    """What the front answers itself instead of forwarding (status None: close without answering).
    `forward_first`: pass the request on, then answer this instead (an answer lost on the way back)."""

    status: int | None
    body: bytes = b""
    content_type: str = "text/html"
    forward_first: bool = False


#: Given a PATCH body (parsed JSON) and whether it is a dry-run, return a body to forward instead,
#: or an Answer.
OnPatch = Callable[[dict[str, Any], bool], "dict[str, Any] | Answer"]


class Front:
    def __init__(self, upstream_url: str, *, upstream_ca: bytes | None = None) -> None:
        """`upstream_ca` (PEM): the CA an HTTPS upstream (the emulator) is verified with."""
        self.upstream = urlsplit(upstream_url)
        self._tls = ssl.create_default_context(cadata=upstream_ca.decode()) if upstream_ca else None
        self.on_patch: OnPatch | None = None
        #: The headers of every PATCH received, in order.
        self.patch_headers: list[dict[str, str]] = []
        front = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.command == "PATCH":
                    front.patch_headers.append({k.lower(): v for k, v in self.headers.items()})
                if self.command == "PATCH" and front.on_patch is not None:
                    changed = front.on_patch(json.loads(body), "dryRun=All" in self.path)
                    if isinstance(changed, Answer):
                        if changed.forward_first:
                            self._forward(body, reply=False)
                        self._answer(changed)
                        return
                    body = json.dumps(changed).encode()
                self._forward(body)

            def _answer(self, answer: Answer) -> None:
                if answer.status is None:
                    self.close_connection = True
                    return
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def _forward(self, body: bytes, *, reply: bool = True) -> None:
                connection = front.connection()
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                connection.request(self.command, self.path, body=body or None, headers=headers)
                response = connection.getresponse()
                data = response.read()
                connection.close()
                if not reply:
                    return
                self.send_response(response.status)
                self.send_header("Content-Type", response.getheader("Content-Type") or "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PATCH = do_POST = do_PUT = do_DELETE = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def connection(self) -> http.client.HTTPConnection:
        host, port = self.upstream.hostname, self.upstream.port
        if self.upstream.scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=10, context=self._tls)
        return http.client.HTTPConnection(host, port, timeout=10)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Front:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=2)

    def kubeconfig(self, emulator_kubeconfig: Path, path: Path) -> Path:
        """The emulator's kubeconfig, pointed at this front instead."""
        config = yaml.safe_load(emulator_kubeconfig.read_text())
        for cluster in config["clusters"]:
            cluster["cluster"]["server"] = self.url
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return path
