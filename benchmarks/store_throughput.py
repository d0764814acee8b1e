"""Incident store throughput: full triages (incident + matches + findings + delivery id) per second.

    python benchmarks/store_throughput.py [--url URL] [--writers 8] [--seconds 10] [--mode processes]

Without --url, a scratch PostgreSQL database is created next to EKS_DOCTOR_TEST_PG_URL's (default
postgresql+psycopg://postgres@127.0.0.1:5432/test), migrated, measured and dropped. The target is at
least 500 triages per second from 8 concurrent writers, and the idempotency check (the delivery-id
claim) may add at most one statement per triage; both are printed, with the statements themselves.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, installed or not

from sqlalchemy import event
from sqlalchemy.engine import make_url

from bot.domain import Finding, Verdict, WorkloadRef
from bot.store import Store, open_store, record_triage, upgrade

TARGET_PER_SECOND = 500
WORKLOAD = WorkloadRef(kind="Deployment", namespace="shop", name="api")
MATCHES = [("port-9100-conflict", 91.5), ("public-network-egress", 42.0), ("quota-pods-per-cluster", 12.0)]
FINDINGS = [
    Finding("port-9100-conflict", WORKLOAD, Verdict.CONFIRMED, ("container app listens on 9100",)),
    Finding("public-network-egress", WORKLOAD, Verdict.RULED_OUT, ("NAT gateway route present",)),
]


def one_triage(store: Store, delivery_id: str | None) -> Any:
    return record_triage(
        store,
        source="slack",
        reporter="U0BENCH",
        symptom="api pods crash: bind: address already in use :9100",
        cluster="prod-gz",
        namespace="shop",
        workload=WORKLOAD,
        matches=MATCHES,
        findings=FINDINGS,
        delivery_id=delivery_id,
    )


def writer(url: str, seconds: float, barrier: Any, results: Any) -> None:
    store = open_store(url, migrate=False)
    one_triage(store, "warm-" + secrets.token_hex(8))  # connect and warm caches outside the clock
    latencies: list[float] = []
    barrier.wait(timeout=60)
    deadline = time.perf_counter() + seconds
    while (started := time.perf_counter()) < deadline:
        one_triage(store, "Ev" + secrets.token_hex(8))
        latencies.append(time.perf_counter() - started)
    store.dispose()
    results.put(latencies)


def run_writers(url: str, *, writers: int, seconds: float, mode: str) -> list[list[float]]:
    if mode == "threads":
        barrier, results = threading.Barrier(writers), _ListQueue()
        workers = [threading.Thread(target=writer, args=(url, seconds, barrier, results)) for _ in range(writers)]
    else:
        context = multiprocessing.get_context("spawn")
        barrier, results = context.Barrier(writers), context.Queue()
        workers = [context.Process(target=writer, args=(url, seconds, barrier, results)) for _ in range(writers)]
    for worker in workers:
        worker.start()
    collected = [results.get(timeout=seconds + 120) for _ in workers]
    for worker in workers:
        worker.join()
    return collected


class _ListQueue:
    def __init__(self) -> None:
        self._items: list[Any] = []
        self._ready = threading.Condition()

    def put(self, item: Any) -> None:
        with self._ready:
            self._items.append(item)
            self._ready.notify()

    def get(self, timeout: float) -> Any:
        with self._ready:
            self._ready.wait_for(lambda: self._items, timeout=timeout)
            return self._items.pop(0)


def count_statements(url: str) -> dict[str, list[str]]:
    """The statements one triage sends, without and with a delivery id, and for a redelivery."""
    store = open_store(url, migrate=False)
    seen: list[str] = []
    event.listen(
        store.engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, params, context, many: seen.append(" ".join(statement.split())),
    )
    one_triage(store, None)  # warm-up: first-use queries (server version, etc.) are not part of a triage
    runs: dict[str, list[str]] = {}
    delivery = "Ev" + secrets.token_hex(8)
    for name, delivery_id in (("no delivery id", None), ("new delivery id", delivery), ("redelivery", delivery)):
        seen.clear()
        one_triage(store, delivery_id)
        runs[name] = list(seen)
    store.dispose()
    return runs


def scratch_database() -> tuple[str, Any]:
    import psycopg
    from psycopg import sql

    base = make_url(os.environ.get("EKS_DOCTOR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    admin_info = base.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"eksdoc_bench_{os.getpid()}_{secrets.token_hex(2)}"
    with psycopg.connect(admin_info, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop() -> None:
        with psycopg.connect(admin_info, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    return base.set(database=name).render_as_string(hide_password=False), drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: a scratch PostgreSQL database)")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--mode", choices=("processes", "threads"), default="processes")
    args = parser.parse_args()

    url, drop = (args.url, None) if args.url else scratch_database()
    try:
        store = open_store(url, migrate=False)
        upgrade(store)
        shown = store.url
        store.dispose()

        runs = count_statements(url)
        latencies = run_writers(url, writers=args.writers, seconds=args.seconds, mode=args.mode)
    finally:
        if drop:
            drop()

    total = sum(len(run) for run in latencies)
    per_second = total / args.seconds
    every = sorted(x for run in latencies for x in run)
    p50 = statistics.median(every) * 1000
    p99 = every[max(0, int(len(every) * 0.99) - 1)] * 1000
    extra = len(runs["new delivery id"]) - len(runs["no delivery id"])

    print(f"database: {shown}")
    print(f"writers: {args.writers} {args.mode}, {args.seconds:g} s, on {os.cpu_count()} CPUs (shared with the server)")
    print(
        f"triages recorded: {total} = {per_second:.0f} per second (target >= {TARGET_PER_SECOND}); "
        f"latency p50 {p50:.1f} ms, p99 {p99:.1f} ms"
    )
    print("per writer: " + ", ".join(str(len(run)) for run in latencies))
    for name, statements in runs.items():
        print(f"statements, {name}: {len(statements)}")
        for statement in statements:
            print(f"    {statement[:110]}")
    print(f"idempotency check adds {extra} statement(s) per triage (limit 1)")
    ok = per_second >= TARGET_PER_SECOND and extra <= 1
    print("OK" if ok else "BELOW TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
