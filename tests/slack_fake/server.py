"""`FakeSlack`: answers the Web API methods the bot uses the way Slack does, and records each call.

Point the bot's `SLACK_API_URL` at `fake.api_url`; give payloads a `response_url` from
`fake.response_url()`. Tests read `fake.calls` or wait for a call with `fake.wait_for(...)`, and
arrange Slack's side: user-group members, thread messages, channels the bot is not in, rate limits.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_USER = "UBOT0001"
TEAM = "T0TEAM01"


@dataclass
class Call:
    method: str  # "chat.postMessage", or "response_url" for posts to a response URL
    params: dict[str, Any]
    token: str | None = None
    at: float = field(default_factory=time.monotonic)
    response: dict[str, Any] = field(default_factory=dict)  # what the fake answered

    def blocks_text(self) -> str:
        """Every text in the call's blocks (or view), joined: what a person would read."""
        found: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "text" and isinstance(value, str):
                        found.append(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        blocks = self.params.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        walk(blocks)
        view = self.params.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        walk(view)
        return "\n".join([str(self.params.get("text") or ""), *found])

    def buttons(self) -> list[dict[str, Any]]:
        """The interactive elements (buttons and select options) of the call's blocks."""
        blocks = self.params.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        found: list[dict[str, Any]] = []
        for block in blocks or []:
            elements = list(block.get("elements") or [])
            if block.get("accessory"):
                elements.append(block["accessory"])
            for element in elements:
                if element.get("type") in ("button", "static_select"):
                    found.append(element)
        return found


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.usergroups: dict[str, list[str]] = {}
        self.replies: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.not_in_channels: set[str] = set()
        self.rate_limited: dict[str, int] = {}  # method -> how many more calls get 429
        self.socket_url: str | None = None
        self.revoked = False  # auth.test answers invalid_auth, as for a revoked or mistyped token
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r") -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def __enter__(self) -> FakeSlack:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- reading what the bot did ------------------------------------------------------------------

    def record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def of(self, method: str) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method]

    def wait_for(
        self, method: str, where: Callable[[Call], bool] = lambda _c: True, *, timeout: float = 10.0, count: int = 1
    ) -> list[Call]:
        """The first `count` calls of `method` that satisfy `where`, waiting up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls if c.method == method and where(c)]
                if len(found) >= count:
                    return found[:count]
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = ", ".join(c.method for c in self.calls) or "none"
                    raise AssertionError(f"no {count} {method} call(s) as expected within {timeout}s (calls: {seen})")
                self._changed.wait(left)

    # -- answering ------------------------------------------------------------------------------------

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        if self.rate_limited.get(method, 0) > 0:
            self.rate_limited[method] -= 1
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
        channel = params.get("channel")
        if method == "auth.test" and self.revoked:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        if method == "auth.test":
            return 200, {"ok": True, "user_id": BOT_USER, "bot_id": "B0BOT001", "team_id": TEAM, "team": "Test"}, {}
        if method in ("chat.postMessage", "chat.update"):
            if channel in self.not_in_channels:
                return 200, {"ok": False, "error": "not_in_channel"}, {}
            ts = params.get("ts") or f"{1700000000 + next(self._ts)}.000100"
            return 200, {"ok": True, "channel": channel, "ts": ts, "message": {"text": params.get("text")}}, {}
        if method == "chat.postEphemeral":
            return 200, {"ok": True, "message_ts": f"{1700000000 + next(self._ts)}.000200"}, {}
        if method in ("views.open", "views.update", "views.publish"):
            view_id = params.get("view_id") or f"V{next(self._views):08d}"
            return 200, {"ok": True, "view": {"id": view_id, "hash": f"h{view_id}"}}, {}
        if method == "usergroups.users.list":
            group = params.get("usergroup")
            if group not in self.usergroups:
                return 200, {"ok": False, "error": "no_such_subteam"}, {}
            return 200, {"ok": True, "users": self.usergroups[group]}, {}
        if method == "conversations.replies":
            messages = self.replies.get((channel, params.get("ts")), [])
            return 200, {"ok": True, "messages": messages[: int(params.get("limit") or 100)]}, {}
        if method == "apps.connections.open":
            return 200, {"ok": True, "url": self.socket_url}, {}
        return 200, {"ok": False, "error": "unknown_method"}, {}


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: object) -> None:  # quiet test output
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8")
            kind = self.headers.get("Content-Type") or ""
            params: dict[str, Any] = json.loads(raw or "{}") if "json" in kind else dict(parse_qsl(raw))
            for key in ("blocks", "view", "attachments"):
                if isinstance(params.get(key), str):
                    with contextlib.suppress(ValueError):
                        params[key] = json.loads(params[key])
            path = urlsplit(self.path).path
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ") or params.get("token")
            if path.startswith("/response/"):
                fake.record(Call("response_url", params | {"url": path}))
                self._send(200, b"ok", "text/plain")
                return
            method = path.removeprefix("/api/")
            status, body, headers = fake.answer(method, params)
            fake.record(Call(method, params, token, response=body))
            self._send(status, json.dumps(body).encode(), "application/json", headers)

        def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler
