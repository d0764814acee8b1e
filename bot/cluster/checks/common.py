"""Small helpers the evaluators share: reading pods, naming them briefly, quoting log lines."""

from __future__ import annotations

from typing import Any

from bot.cluster.kinds import annotations, name_of
from bot.cluster.snapshot import Unreadable, WorkloadSnapshot

MAX_QUOTE = 160


def active_pods(snapshot: WorkloadSnapshot) -> list[dict[str, Any]] | None:
    """Pods that exist now (finished Job pods excluded), or None when pods are unknown."""
    if isinstance(snapshot.pods, Unreadable):
        return None
    return [p for p in snapshot.pods if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]


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
    line = " ".join(line.split())
    return repr(line if len(line) <= MAX_QUOTE else line[: MAX_QUOTE - 1] + "…")


def group_pods_by_annotation(pods: list[dict[str, Any]], key: str) -> dict[str | None, list[str]]:
    groups: dict[str | None, list[str]] = {}
    for pod in pods:
        groups.setdefault(annotations(pod).get(key), []).append(name_of(pod))
    return groups


def termination_messages(snapshot: WorkloadSnapshot) -> list[tuple[str, str]]:
    """(where, text) of container termination messages and waiting reasons in the pods."""
    found: list[tuple[str, str]] = []
    for pod in [] if isinstance(snapshot.pods, Unreadable) else snapshot.pods:  # failed pods included
        for status in (pod.get("status") or {}).get("containerStatuses") or []:
            for key in ("lastState", "state"):
                for state_name, state in (status.get(key) or {}).items():
                    message = (state or {}).get("message")
                    if message:
                        where = f"{name_of(pod)}/{status.get('name')} ({key} {state_name})"
                        found.append((where, str(message)))
    return found
