"""`TencentCloudFake`: a local HTTP server answering Tencent Cloud API 3.0 requests for TKE and VPC.

Like the API it checks every request's TC3-HMAC-SHA256 signature against the secret keys it knows,
needs X-TC-Action, X-TC-Version and X-TC-Region, keeps resources per region, and answers HTTP 200 with
`{"Response": {..., "RequestId"}}` or `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`.
Tests arrange resources and faults (denied actions, throttling, slowness, a stopped server) through
its control methods; `calls` records what arrived, without any credential.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from tests.tencent_fake import api
from tests.tencent_fake.api import ApiError, Pool, Resources, RouteTable, SecurityGroup
from tests.tencent_fake.signing import AuthError, verify

REGION = "ap-guangzhou"
SECRET_ID = "AKIDfake0000000000000000000000000001"
SECRET_KEY = "fake-secret-key-0000000000000000"
ACCOUNT = "100000000001"


class Call(NamedTuple):
    service: str
    action: str
    region: str
    params: dict[str, Any]
    answer: str  # "ok" or the error code


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], fake: TencentCloudFake) -> None:
        self.fake = fake
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def cut_connections(self) -> None:
        with self.connections_lock:
            for sock in list(self.connections):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; Nagle would add ~40 ms each
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: `TencentCloudFake.calls` is the log."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        answer = self.server.fake._answer(self.command, parts.path, parts.query, dict(self.headers.items()), body)
        if answer is None:  # stopped while delaying: vanish like a dead server
            self.close_connection = True
            return
        data = json.dumps({"Response": answer}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")  # exactly this: the SDK reads errors only then
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _serve


class TencentCloudFake:
    def __init__(self, *, region: str = REGION, keys: dict[str, str] | None = None) -> None:
        self.region = region
        self.keys = dict(keys) if keys is not None else {SECRET_ID: SECRET_KEY}
        self._regions: dict[str, Resources] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._calls: list[Call] = []
        self._denied: set[str] = set()
        self._failures: deque[tuple[str, str]] = deque()
        self._delay = 0.0

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> TencentCloudFake:
        if self._server is None:
            self._stopping = threading.Event()
            self._server = _Server(("127.0.0.1", self._port), self)
            self._port = self._server.server_address[1]
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        server.cut_connections()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def __enter__(self) -> TencentCloudFake:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        """The value for EKS_DOCTOR_TENCENTCLOUD_ENDPOINT."""
        return f"http://127.0.0.1:{self._port}"

    # -- resources -------------------------------------------------------------------------------

    def resources(self, region: str | None = None) -> Resources:
        with self._lock:
            return self._regions.setdefault(region or self.region, Resources())

    def add_eks_cluster(self, cluster_id: str, *, subnets: list[str], vpc_id: str = "vpc-shop0001") -> None:
        self.resources().eks[cluster_id] = {
            "ClusterId": cluster_id,
            "ClusterName": cluster_id,
            "VpcId": vpc_id,
            "SubnetIds": subnets,
            "K8SVersion": "1.30.0",
            "Status": "Running",
            "ClusterDesc": "",
            "CreatedTime": "2026-01-05T08:00:00Z",
            "ServiceSubnetId": subnets[0] if subnets else "",
            "DnsServers": [],
            "NeedDeleteCbs": False,
            "EnableVpcCoreDNS": True,
            "TagSpecification": [],
        }

    def add_super_node_pool(self, cluster_id: str, pool_id: str, *, subnets: list[str], nodes: dict[str, str]) -> None:
        self.resources().pools.setdefault(cluster_id, []).append(Pool(pool_id, subnets, dict(nodes)))

    def add_route_table(
        self,
        table_id: str,
        *,
        subnets: list[str],
        routes: list[tuple[str, str, str]] | list[dict[str, Any]],
        name: str = "",
        vpc_id: str = "vpc-shop0001",
        main: bool = False,
    ) -> None:
        """`routes`: (destination, gateway type, gateway id) or dicts with `enabled` too."""
        entries = [r if isinstance(r, dict) else {"destination": r[0], "type": r[1], "id": r[2]} for r in routes]
        self.resources().route_tables.append(RouteTable(table_id, vpc_id, list(subnets), entries, name, main))

    def add_nat_gateway(
        self, nat_id: str, *, state: str = "AVAILABLE", network_state: str = "AVAILABLE", name: str = ""
    ) -> None:
        self.resources().nat_gateways[nat_id] = {
            "NatGatewayId": nat_id,
            "NatGatewayName": name,
            "CreatedTime": "2026-01-05 08:00:00",
            "State": state,
            "InternetMaxBandwidthOut": 100,
            "MaxConcurrentConnection": 1000000,
            "PublicIpAddressSet": [{"AddressId": "eip-0001", "PublicIpAddress": "203.0.113.10"}],
            "NetworkState": network_state,
            "VpcId": "vpc-shop0001",
            "Zone": "ap-guangzhou-3",
            "RestrictState": "NORMAL",
            "NatProductVersion": 2,
        }

    def add_security_group(
        self,
        group_id: str,
        *,
        name: str = "",
        project_id: int = 0,
        default: bool = False,
        bindings: dict[str, int] | None = None,
    ) -> None:
        group = SecurityGroup(group_id, name or group_id, project_id, default, dict(bindings or {}))
        self.resources().security_groups[group_id] = group

    # -- faults ----------------------------------------------------------------------------------

    def deny(self, cam_action: str) -> None:
        """Answer UnauthorizedOperation for `vpc:DescribeRouteTables`-style actions, as CAM does."""
        with self._lock:
            self._denied.add(cam_action)

    def fail_next(self, n: int = 1, code: str = "RequestLimitExceeded", message: str = "") -> None:
        with self._lock:
            self._failures.extend((code, message or f"{code} (injected)") for _ in range(n))

    def throttle(self, n: int) -> None:
        self.fail_next(n, "RequestLimitExceeded", "Your current request times equals to `20` in a second.")

    def set_delay(self, seconds: float) -> None:
        with self._lock:
            self._delay = max(0.0, seconds)

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def actions(self) -> list[str]:
        """`service:Action` of every request that arrived, in order."""
        return [f"{c.service}:{c.action}" for c in self.calls]

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    # -- the HTTP side ---------------------------------------------------------------------------

    def _answer(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> dict | None:
        request_id = str(uuid.uuid4())
        with self._lock:
            delay, stopping = self._delay, self._stopping
        if delay and stopping.wait(delay):
            return None
        action = headers.get("X-TC-Action", "")
        region = headers.get("X-TC-Region", "")
        service, params, code = "", {}, "ok"
        try:
            if method != "POST" or headers.get("Content-Type") != "application/json":
                raise ApiError("InvalidParameter", "Requests must be POST with Content-Type: application/json.")
            try:
                signed = verify(method=method, path=path, query=query, headers=headers, body=body, keys=self.keys)
            except AuthError as exc:
                raise ApiError(exc.code, exc.message) from None
            service = signed.service
            params = json.loads(body or b"{}")
            with self._lock:
                failure = self._failures.popleft() if self._failures else None
                denied = f"{service}:{action}" in self._denied
            if failure:
                raise ApiError(*failure)
            answer = self._dispatch(service, action, region, headers.get("X-TC-Version", ""), params, denied)
        except ApiError as exc:
            code = exc.code
            answer = {"Error": {"Code": exc.code, "Message": exc.message}}
        with self._lock:
            self._calls.append(Call(service, action, region, params, code))
        return {**answer, "RequestId": request_id}

    def _dispatch(
        self, service: str, action: str, region: str, version: str, params: dict[str, Any], denied: bool
    ) -> dict[str, Any]:
        handler = api.HANDLERS.get((service, action))
        if handler is None:
            raise ApiError("InvalidAction", f"The requested action `{action}` does not exist.")
        if version != api.VERSIONS[service]:
            raise ApiError("NoSuchVersion", f"The requested version `{version}` of {service} does not exist.")
        if not region:
            raise ApiError("MissingParameter", "The request is missing a required parameter `Region`.")
        if denied:
            raise ApiError(
                "UnauthorizedOperation",
                f"you are not authorized to perform operation ({service}:{action})\n"
                f"resource (qcs::{service}:{region}:uin/{ACCOUNT}:*) has no permission",
            )
        resources = self.resources(region)
        with resources.lock:
            return handler(resources, params)
