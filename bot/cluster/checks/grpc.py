"""speaks_grpc: do ports, appProtocol, images, arguments or logs show the workload uses gRPC?

No hint is not proof of the opposite (a gRPC client needs no port), so the answer is then unknown.
"""

from __future__ import annotations

import re

from bot.cluster.checks.common import quote
from bot.cluster.checks.context import CheckContext
from bot.cluster.checks.registry import evaluator
from bot.cluster.patterns import MAX_LINE
from bot.cluster.snapshot import Unreadable, WorkloadSnapshot
from bot.cluster.views import Container
from bot.domain import CheckOutcome, Outcome
from knowledge.schema import SpeaksGrpcCheck

KIND = "speaks_grpc"
GRPC = re.compile(r"grpc", re.IGNORECASE)
CONVENTIONAL_PORT = 50051
MAX_HINTS = 4


def _container_hints(container: Container) -> list[str]:
    name = container.name
    hints = []
    for port in container.ports:
        if GRPC.search(port.name):
            hints.append(f"container {name} names port {port.number} {port.name!r}")
        elif port.number == CONVENTIONAL_PORT:
            hints.append(f"container {name} listens on {CONVENTIONAL_PORT}, gRPC's conventional port")
    if GRPC.search(container.image):
        hints.append(f"container {name} runs image {container.image}")
    for arg in container.words:
        if GRPC.search(arg):
            hints.append(f"container {name} is started with {quote(arg)}")
            break
    for env in container.env:
        if GRPC.search(env.name) or GRPC.search(env.value or ""):
            hints.append(f"container {name} sets environment variable {env.name}")
            break
    return hints


def _service_hints(snapshot: WorkloadSnapshot) -> list[str]:
    if isinstance(snapshot.services, Unreadable):
        return []
    hints = []
    for service in snapshot.services:
        for port in service.ports:
            if GRPC.search(port.app_protocol):
                hints.append(f"service {service.meta.name} port {port.port} has appProtocol {port.app_protocol}")
            elif GRPC.search(port.name):
                hints.append(f"service {service.meta.name} names port {port.port} {port.name!r}")
    return hints


def _log_hint(snapshot: WorkloadSnapshot) -> list[str]:
    if isinstance(snapshot.logs, Unreadable):
        return []
    for log in snapshot.logs:
        for line in (log.text or "").splitlines():
            if "io.grpc" in line or "grpc." in line[:MAX_LINE].lower():
                return [f"log of {log.label}: {quote(line)}"]
    return []


@evaluator(KIND)
def speaks_grpc(spec: SpeaksGrpcCheck, snapshot: WorkloadSnapshot, context: CheckContext) -> CheckOutcome:
    hints: list[str] = []
    for container in snapshot.template.spec.all_containers():
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
