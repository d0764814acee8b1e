"""Serving the bot: HTTP mode behind uvicorn (`POST /slack/events`, `GET /healthz`, `GET /metrics`) or
Socket Mode.

Bolt's own development server is not used. Requests are dispatched in a thread pool, so a slow
listener never blocks the event loop; Bolt verifies the signature and timestamp of every request.
"""

from __future__ import annotations

import contextvars
import logging
import socket
import threading
import time
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.observability import metrics

log = logging.getLogger("eks_doctor.server")

DEFAULT_PORT = 3000
#: Slack's payloads are far smaller; anything bigger is not from Slack.
MAX_BODY_BYTES = 1_000_000


def http_app(app: App, *, ready: Any = None) -> Starlette:
    async def events(request: Request) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return JSONResponse({"error": "request too large"}, status_code=413)
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return JSONResponse({"error": "request too large"}, status_code=413)
        started = time.perf_counter()
        # A fresh context per request: the request id set while dispatching stays with this request.
        dispatch = contextvars.copy_context().run
        try:
            bolt_request = to_bolt_request(request, body)
            # Listeners' own errors are answered by Bolt; what escapes dispatch is Bolt failing to read
            # a payload that is not the shape Slack sends (a view without a type, say).
            response = await run_in_threadpool(dispatch, app.dispatch, bolt_request)
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            log.warning("malformed request refused (%d bytes): %s", len(body), type(exc).__name__)
            return JSONResponse({"error": "malformed request"}, status_code=400)
        metrics.ACK_SECONDS.observe(time.perf_counter() - started)
        return to_starlette_response(response)

    async def healthz(_request: Request) -> Response:
        problems = ready() if ready else []
        if problems:
            return JSONResponse({"status": "degraded", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def prometheus(_request: Request) -> Response:
        page, content_type = metrics.exposition()
        return Response(page, media_type=content_type)

    return Starlette(
        routes=[
            Route("/slack/events", events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", prometheus, methods=["GET"]),
        ]
    )


class HttpServer:
    """uvicorn on an already-bound socket, so port 0 works and the real port is known."""

    def __init__(self, asgi: Starlette, *, host: str = "0.0.0.0", port: int = DEFAULT_PORT) -> None:
        import uvicorn

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, port))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(asgi, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=30)
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        """Serve until interrupted (SIGINT/SIGTERM end it cleanly)."""
        self.server.run(sockets=[self.socket])

    def start(self) -> None:
        """Serve in a background thread (tests and benchmarks)."""
        self._thread = threading.Thread(target=self.run, name="eks-doctor-http", daemon=True)
        self._thread.start()
        for _ in range(500):
            if self.server.started:
                return
            threading.Event().wait(0.01)
        raise RuntimeError("the HTTP server did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.socket.close()


def socket_mode(app: App, app_token: str) -> Any:
    """A Socket Mode handler (websocket-client based): `.connect()` in the background, `.start()` to block."""
    from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler

    return SocketModeHandler(app, app_token=app_token)
