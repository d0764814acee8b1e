"""uses_port: does a container use the port EKS itself listens on, with nothing moving EKS off it?"""

from __future__ import annotations

import re

from bot.cluster.checks.common import (
    active_pods,
    counted,
    group_pods_by_annotation,
    name_list,
    quote,
    template_word,
    termination_messages,
)
from bot.cluster.checks.context import CheckContext
from bot.cluster.checks.registry import evaluator
from bot.cluster.patterns import MAX_LINE
from bot.cluster.snapshot import Unreadable, WorkloadSnapshot
from bot.domain import CheckOutcome, Outcome
from knowledge.schema import UsesPortCheck

KIND = "uses_port"
IN_USE = re.compile(r"address already in use|EADDRINUSE|bind failed", re.IGNORECASE)
#: Images that listen on 9100 unless told otherwise.
DEFAULT_9100_IMAGES = re.compile(r"node[-_]exporter", re.IGNORECASE)
LISTEN_FLAG = re.compile(r"--web\.listen-address")


def _mentions(port: int) -> re.Pattern[str]:
    return re.compile(rf"(?<![\d.]){port}(?!\d)")


def _declared(spec_port: int, snapshot: WorkloadSnapshot) -> list[str]:
    mention = _mentions(spec_port)
    found = []
    for container in snapshot.template.spec.all_containers():
        name = container.name
        for port in container.ports:
            if port.number == spec_port:
                found.append(f"container {name} declares containerPort {spec_port}")
        words = container.words
        hit = next((w for w in words if mention.search(w)), None)
        if hit:
            found.append(f"container {name} is started with {quote(hit)}")
        for env in container.env:
            if env.value and mention.search(env.value):
                found.append(f"container {name} sets {env.name}={quote(env.value)}")
        image = container.image
        if spec_port == 9100 and DEFAULT_9100_IMAGES.search(image) and not any(LISTEN_FLAG.search(w) for w in words):
            found.append(f"container {name} runs {image}, which listens on 9100 by default")
    if not isinstance(snapshot.services, Unreadable):
        for service in snapshot.services:
            for port in service.ports:
                if port.target == spec_port:
                    found.append(f"service {service.meta.name} sends port {port.port} to {spec_port}")
    return found


def _bind_failures(spec_port: int, snapshot: WorkloadSnapshot) -> list[str]:
    mention = _mentions(spec_port)
    found = [
        f"container {where} ended with {quote(text)}"
        for where, text in termination_messages(snapshot)
        if IN_USE.search(text) and mention.search(text)
    ]
    if not isinstance(snapshot.logs, Unreadable):
        for log in snapshot.logs:
            lines = (ln[:MAX_LINE] for ln in (log.text or "").splitlines())
            line = next((ln for ln in lines if IN_USE.search(ln) and mention.search(ln)), None)
            if line:
                found.append(f"log of {log.label}: {quote(line)}")
    return found


def _moved(value: str | None, spec_port: int) -> bool:
    return value is not None and value.isdigit() and 0 < int(value) < 65536 and int(value) != spec_port


def _move_evidence(spec: UsesPortCheck, snapshot: WorkloadSnapshot) -> tuple[bool, list[str]]:
    """(EKS moved off the port for the template and every running pod?, evidence)."""
    key = spec.moved_by
    if key is None:
        return False, []
    value = snapshot.template.meta.annotations.get(key)
    moved = _moved(value, spec.port)
    said = f"{value!r}" if value is not None else "not set"
    evidence = [
        f"{key} on the {template_word(snapshot)}: {said}" + ("" if moved else f", so EKS serves metrics on {spec.port}")
    ]
    pods = active_pods(snapshot) if snapshot.ref.kind != "Pod" else None
    for pod_value, names in sorted(group_pods_by_annotation(pods or [], key).items(), key=lambda kv: kv[0] or ""):
        pod_moved = _moved(pod_value, spec.port)
        moved = moved and pod_moved
        evidence.append(
            f"{counted(len(names), 'running pod')} ({name_list(names)}): {key} "
            + (f"{pod_value!r}" if pod_value is not None else "not set")
        )
    return moved, evidence


@evaluator(KIND)
def uses_port(spec: UsesPortCheck, snapshot: WorkloadSnapshot, context: CheckContext) -> CheckOutcome:
    uses = _declared(spec.port, snapshot) + _bind_failures(spec.port, snapshot)
    if not uses:
        logs = "" if not isinstance(snapshot.logs, Unreadable) else f"; logs not read ({snapshot.logs.why})"
        return CheckOutcome(
            KIND, Outcome.FAILS, (f"no container declares, mentions or fails to bind port {spec.port}{logs}",)
        )
    moved, move_evidence = _move_evidence(spec, snapshot)
    if moved:
        return CheckOutcome(KIND, Outcome.FAILS, (*uses, *move_evidence, f"EKS metrics are moved off {spec.port}"))
    return CheckOutcome(KIND, Outcome.HOLDS, (*uses, *move_evidence))
