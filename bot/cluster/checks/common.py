"""Small helpers the evaluators share: reading pods, naming them briefly, quoting log lines."""

from __future__ import annotations

from bot.cluster.snapshot import Unreadable, WorkloadSnapshot
from bot.cluster.views import Pod

MAX_QUOTE = 160


def active_pods(snapshot: WorkloadSnapshot) -> list[Pod] | None:
    """Pods that exist now (finished Job pods excluded), or None when pods are unknown."""
    if isinstance(snapshot.pods, Unreadable):
        return None
    return [p for p in snapshot.pods if p.phase not in ("Succeeded", "Failed")]


def counted(n: int, noun: str) -> str:
    """'1 running pod', '3 running pods'."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def name_list(names: list[str], *, limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return f"{shown} and {len(names) - limit} more" if len(names) > limit else shown


def pods_without_data(snapshot: WorkloadSnapshot) -> str:
    """A clause saying why pods could not be looked at; empty offline, where that goes without saying."""
    if snapshot.offline and isinstance(snapshot.pods, Unreadable):
        return ""
    if isinstance(snapshot.pods, Unreadable):
        return "running pods not looked at: " + snapshot.pods.why
    return "no running pods"


def template_word(snapshot: WorkloadSnapshot) -> str:
    """What to call the pod template in evidence: a bare Pod has a spec, not a template."""
    return "pod spec" if snapshot.ref.kind == "Pod" else "pod template"


def quote(line: str) -> str:
    line = " ".join(line[: MAX_QUOTE * 8].split())  # cut first: a log line may be megabytes long
    return repr(line if len(line) <= MAX_QUOTE else line[: MAX_QUOTE - 1] + "…")


def group_pods_by_annotation(pods: list[Pod], key: str) -> dict[str | None, list[str]]:
    groups: dict[str | None, list[str]] = {}
    for pod in pods:
        groups.setdefault(pod.annotations.get(key), []).append(pod.name)
    return groups


def termination_messages(snapshot: WorkloadSnapshot) -> list[tuple[str, str]]:
    """(where, text) of container termination messages and waiting reasons in the pods."""
    found: list[tuple[str, str]] = []
    for pod in [] if isinstance(snapshot.pods, Unreadable) else snapshot.pods:  # failed pods included
        for status in pod.statuses:
            for said in sorted(status.messages, key=lambda m: m.where != "lastState"):
                found.append((f"{pod.name}/{status.name} ({said.where} {said.state})", said.message))
    return found
