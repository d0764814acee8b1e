"""Shared test data and the functions child processes run (importable, so 'spawn' can find them)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from bot.domain import CheckOutcome, Finding, Outcome, Verdict, WorkloadRef
from bot.store import RecordedTriage, SlackThread, Store, open_store, record_action, record_triage
from bot.store.deliveries import record_delivery

API = WorkloadRef(kind="Deployment", namespace="shop", name="api")
MATCHES = [("port-9100-conflict", 91.5), ("public-network-egress", 42.0), ("quota-pods-per-cluster", 12.0)]


def findings() -> list[Finding]:
    return [
        Finding(
            entry_id="port-9100-conflict",
            workload=API,
            verdict=Verdict.CONFIRMED,
            evidence=("container app listens on 9100", "annotation eks.tke.cloud.tencent.com/metrics-port unset"),
            checks=(CheckOutcome("container_port", Outcome.HOLDS, ("app:9100",)),),
        ),
        Finding(entry_id="public-network-egress", workload=API, verdict=Verdict.RULED_OUT, evidence=("NAT ok",)),
    ]


def triage(store: Store, **overrides: Any) -> RecordedTriage:
    values: dict[str, Any] = {
        "source": "slack",
        "reporter": "U0123ABCD",
        "symptom": "api pods crash: bind: address already in use :9100",
        "cluster": "prod-gz",
        "namespace": "shop",
        "workload": API,
        "matches": MATCHES,
        "findings": findings(),
    }
    values.update(overrides)
    return record_triage(store, **values)


def patch(store: Store, **overrides: Any):
    values: dict[str, Any] = {
        "incident_id": None,
        "entry_id": "port-9100-conflict",
        "cluster": "prod-gz",
        "namespace": "shop",
        "workload_kind": "Deployment",
        "workload_name": "api",
        "actor": "U0123ABCD",
        "kind": "patch",
        "before": {"eks.tke.cloud.tencent.com/metrics-port": None},
        "after": {"eks.tke.cloud.tencent.com/metrics-port": "9110"},
        "status": "applied",
        "dry_run": {"ok": True},
        "message": "patched",
    }
    values.update(overrides)
    return record_action(store, **values)


def count(store: Store, model: type, *where: Any) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


# --- run in child processes -------------------------------------------------------------------------


def _child(url: str, barrier: Any, results: Any, job: str, arg: str) -> None:
    store = open_store(url, migrate=False)
    try:
        barrier.wait(timeout=60)  # everyone starts the write together
        if job == "triage":
            recorded = triage(store, delivery_id=arg, thread=None)
            results.put(("ok", recorded.incident_id, recorded.created, recorded.duplicate))
        elif job == "thread":
            recorded = triage(store, delivery_id=None, thread=SlackThread("C0123ABCD", arg))
            results.put(("ok", recorded.incident_id, recorded.created, recorded.duplicate))
        elif job == "click":
            action = patch(store, request_key=arg)
            results.put(("ok", action.id, action.created, None))
        elif job == "claim":
            results.put(("ok", None, record_delivery(store, source="slack-action", delivery_id=arg), None))
        else:
            raise ValueError(job)
    except Exception as exc:  # reported to the parent, which fails the test
        results.put(("error", repr(exc), None, None))
    finally:
        store.dispose()


def run_in_processes(url: str, job: str, arg: str, *, processes: int) -> list[tuple[Any, ...]]:
    """Start `processes` fresh interpreters that do the same job at the same moment; their results."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    results = context.Queue()
    children = [context.Process(target=_child, args=(url, barrier, results, job, arg)) for _ in range(processes)]
    for child in children:
        child.start()
    collected = [results.get(timeout=120) for _ in children]
    for child in children:
        child.join(timeout=60)
    errors = [r[1] for r in collected if r[0] == "error"]
    assert not errors, errors
    return collected


def run_in_threads(work: Callable[[], Any], *, threads: int) -> list[Any]:
    """`work` in `threads` threads released together; each thread uses its own pooled connection."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    barrier = threading.Barrier(threads)

    def start() -> Any:
        barrier.wait(timeout=30)
        return work()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return [f.result(timeout=120) for f in [pool.submit(start) for _ in range(threads)]]
