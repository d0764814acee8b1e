"""The bot's Prometheus metrics, served on `GET /metrics` in HTTP mode.

One registry for the process (not prometheus-client's global one, so nothing a library registers
there leaks into our page), plus the standard process metrics (CPU, memory, open files).
Counters only ever grow; dashboards use `rate()`. Labels are bounded sets: surfaces, outcomes,
knowledge entry ids (a few dozen), dependency names.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.process_collector import ProcessCollector

from bot.errors import ClusterPermissionError, ClusterUnreachableError, StoreUnavailableError, UnreachableError

T = TypeVar("T")

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)

#: Label for a triage whose text matched no known issue.
NO_MATCH = "none"

REQUESTS = Counter(
    "eks_doctor_requests",
    "Slack requests received, by surface (command, mention, shortcut, button, modal, home, other).",
    ["surface"],
    registry=REGISTRY,
)
ACK_SECONDS = Histogram(
    "eks_doctor_ack_seconds",
    "Time from receiving a Slack request to answering it (Slack gives up after 3 s).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
    registry=REGISTRY,
)
TRIAGE_SECONDS = Histogram(
    "eks_doctor_triage_seconds",
    "Time to triage a symptom: matching, inspecting a named workload, recording the incident.",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    registry=REGISTRY,
)
MATCHES = Counter(
    "eks_doctor_matches",
    f"Triages by their best-matching knowledge entry ({NO_MATCH!r}: no known issue matched).",
    ["entry"],
    registry=REGISTRY,
)
FIXES = Counter(
    "eks_doctor_fixes",
    "Fixes and undos from Slack, by outcome (applied, already_applied, dry_run, refused, failed).",
    ["action", "outcome"],
    registry=REGISTRY,
)
REFUSALS = Counter(
    "eks_doctor_authorization_refusals",
    "Fix or undo clicks refused because the person is not a fixer for that cluster and namespace.",
    ["action"],
    registry=REGISTRY,
)
DUPLICATES = Counter(
    "eks_doctor_duplicates_ignored",
    "Slack retries (events) and repeated clicks (fixes, undos) recognised and not acted on twice.",
    ["kind"],
    registry=REGISTRY,
)
DEPENDENCY_ERRORS = Counter(
    "eks_doctor_dependency_errors",
    "Failures of the incident store, a cluster or the cloud API met while serving a request.",
    ["dependency"],
    registry=REGISTRY,
)


def surface_of(body: dict[str, Any]) -> str:
    """Which Slack surface a request body comes from."""
    if body.get("command"):
        return "command"
    kind = body.get("type")
    if kind == "event_callback":
        event_type = (body.get("event") or {}).get("type")
        return {"app_mention": "mention", "app_home_opened": "home"}.get(event_type, "other")
    return {
        "block_actions": "button",
        "message_action": "shortcut",
        "shortcut": "shortcut",
        "view_submission": "modal",
        "view_closed": "modal",
    }.get(kind, "other")


def dependency_of(error: BaseException) -> str | None:
    """`store`, `cluster` or `cloud` for an error from one of them; None for the person's own mistakes."""
    if isinstance(error, StoreUnavailableError):
        return "store"
    if isinstance(error, ClusterUnreachableError | ClusterPermissionError):
        return "cluster"
    if isinstance(error, UnreachableError):
        return "cloud"
    return None


def count_error(error: BaseException) -> None:
    dependency = dependency_of(error)
    if dependency is not None:
        DEPENDENCY_ERRORS.labels(dependency=dependency).inc()


def count_match(matches: list[Any]) -> None:
    MATCHES.labels(entry=matches[0].entry_id if matches else NO_MATCH).inc()


def observed_triage(triage: Callable[..., T]) -> Callable[..., T]:
    """Time each triage and count its best match."""

    @functools.wraps(triage)
    def timed(*args: Any, **kwargs: Any) -> T:
        with TRIAGE_SECONDS.time():
            result = triage(*args, **kwargs)
        count_match(getattr(result, "matches", []))
        return result

    return timed


def counted_change(action: str, change: Callable[[], T]) -> T:
    """Run a fix or an undo and count its outcome (an exception counts as `failed`)."""
    try:
        result = change()
    except Exception:
        FIXES.labels(action=action, outcome="failed").inc()
        raise
    if getattr(result, "repeated", False):
        DUPLICATES.labels(kind=action).inc()
    else:
        FIXES.labels(action=action, outcome=getattr(result, "status", "unknown")).inc()
    return result


def exposition() -> tuple[bytes, str]:
    """The metrics page and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
