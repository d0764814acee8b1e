"""A local Socket Mode endpoint: the WebSocket side of Slack's envelope protocol.

The bot asks `apps.connections.open` (FakeSlack) for a URL, connects here, gets `hello`, and then
receives envelopes the test pushes; each envelope must be acknowledged with its `envelope_id`, which is
what Slack waits for instead of an HTTP response.
"""

from __future__ import annotations

import itertools
import json
import queue
import threading
import time
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


class FakeSocketMode:
    def __init__(self) -> None:
        self.outbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.acks: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self._acked = threading.Condition()
        self._ids = itertools.count(1)
        self._server = serve(self._session, "127.0.0.1", 0)
        self.port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link/?ticket=test"

    def __enter__(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()

    def _session(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}}))
        self.connected.set()
        receiver = threading.Thread(target=self._receive, args=(connection,), daemon=True)
        receiver.start()
        while receiver.is_alive():
            try:
                envelope = self.outbox.get(timeout=0.1)
            except queue.Empty:
                continue
            connection.send(json.dumps(envelope))

    def _receive(self, connection: ServerConnection) -> None:
        try:
            for raw in connection:
                message = json.loads(raw)
                if "envelope_id" in message:
                    with self._acked:
                        self.acks.append(message)
                        self._acked.notify_all()
        except ConnectionClosed:
            return

    def push(self, kind: str, payload: dict[str, Any]) -> str:
        """Send an envelope (`slash_commands`, `events_api`, `interactive`); returns its id."""
        envelope_id = f"env-{next(self._ids)}"
        self.outbox.put(
            {"envelope_id": envelope_id, "type": kind, "payload": payload, "accepts_response_payload": True}
        )
        return envelope_id

    def wait_ack(self, envelope_id: str, *, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._acked:
            while True:
                for ack in self.acks:
                    if ack["envelope_id"] == envelope_id:
                        return ack
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"envelope {envelope_id} was not acknowledged within {timeout}s")
                self._acked.wait(left)
