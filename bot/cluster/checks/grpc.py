"""speaks_grpc: do ports, appProtocol, images, arguments or logs show the workload uses gRPC?

No hint is not proof of the opposite (a gRPC client needs no port), so the answer is then unknown.
"""

from __future__ import annotations

import re

from bot.cluster.checks.common import quote
from bot.cluster.checks.context import CheckContext
from bot.cluster.checks.registry import evaluator
from bot.cluster.kinds import containers
from bot.cluster.snapshot import Unreadable, WorkloadSnapshot
from bot.domain import CheckOutcome, Outcome
from knowledge.schema import SpeaksGrpcCheck

KIND = "speaks_grpc"
GRPC = re.compile(r"grpc", re.IGNORECASE)
CONVENTIONAL_PORT = 50051
MAX_HINTS = 4


def _container_hints(container: dict) -> list[str]:
    name = container.get("name")
    hints = []
    for port in container.get("ports") or []:
        if GRPC.search(str(port.get("name", ""))):
            hints.append(f"container {name} names port {port.get('containerPort')} {port.get('name')!r}")
        elif port.get("containerPort") == CONVENTIONAL_PORT:
            hints.append(f"container {name} listens on {CONVENTIONAL_PORT}, gRPC's conventional port")
    if GRPC.search(str(container.get("image", ""))):
        hints.append(f"container {name} runs image {container.get('image')}")
    for arg in [*(container.get("command") or []), *(container.get("args") or [])]:
        if GRPC.search(str(arg)):
            hints.append(f"container {name} is started with {quote(str(arg))}")
            break
    for env in container.get("env") or []:
        if GRPC.search(str(env.get("name", ""))) or GRPC.search(str(env.get("value", ""))):
            hints.append(f"container {name} sets environment variable {env.get('name')}")
            break
    return hints


def _service_hints(snapshot: WorkloadSnapshot) -> list[str]:
    if isinstance(snapshot.services, Unreadable):
        return []
    hints = []
    for service in snapshot.services:
        service_name = (service.get("metadata") or {}).get("name")
        for port in (service.get("spec") or {}).get("ports") or []:
            if GRPC.search(str(port.get("appProtocol", ""))):
                hints.append(f"service {service_name} port {port.get('port')} has appProtocol {port['appProtocol']}")
            elif GRPC.search(str(port.get("name", ""))):
                hints.append(f"service {service_name} names port {port.get('port')} {port.get('name')!r}")
    return hints


def _log_hint(snapshot: WorkloadSnapshot) -> list[str]:
    if isinstance(snapshot.logs, Unreadable):
        return []
    for log in snapshot.logs:
        for line in (log.text or "").splitlines():
            if "io.grpc" in line or "grpc." in line.lower():
                return [f"log of {log.label}: {quote(line)}"]
    return []


@evaluator(KIND)
def speaks_grpc(spec: SpeaksGrpcCheck, snapshot: WorkloadSnapshot, context: CheckContext) -> CheckOutcome:
    hints: list[str] = []
    for container in containers(snapshot.template, init=True):
        hints.extend(_container_hints(container))
    hints.extend(_service_hints(snapshot))
    hints.extend(_log_hint(snapshot))
    if hints:
        more = [f"and {len(hints) - MAX_HINTS} more hints"] if len(hints) > MAX_HINTS else []
        return CheckOutcome(KIND, Outcome.HOLDS, (*hints[:MAX_HINTS], *more))
    return CheckOutcome(
        KIND,
        Outcome.UNKNOWN,
        (
            "no gRPC hint in port names, appProtocol, images, arguments or environment "
            "(a gRPC client needs none, so this does not rule gRPC out)",
        ),
    )
