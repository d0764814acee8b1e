"""Remedies against the Kubernetes-API emulator: API requests and wall time per fix, undo, conflict
retry and quota draft (the latter over clusters of growing size).

    python benchmarks/remedy_requests.py [--rounds 20] [--pods 200,2000,20000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cluster.kubeapi import connect  # noqa: E402
from bot.config import ClusterConfig, DoctorConfig  # noqa: E402
from bot.domain import WorkloadRef  # noqa: E402
from bot.remedies.policy import Actor  # noqa: E402
from bot.remedies.quota import draft_ticket  # noqa: E402
from bot.remedies.service import apply_fix, apply_undo, prepare_fix, prepare_undo  # noqa: E402
from bot.store import open_store  # noqa: E402
from knowledge import load_knowledge_base  # noqa: E402
from tests.kube_emulator import KubeEmulator  # noqa: E402
from tests.kube_emulator import builders as b  # noqa: E402

ENTRY = "grpc-connection-reset-ipvs-tcp"
CHECKOUT = WorkloadRef("Deployment", "shop", "checkout")


def _requests(kube: KubeEmulator) -> str:
    counts = Counter(f"{r.method}{' dry-run' if r.query.get('dryRun') else ''}" for r in kube.requests)
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))


def fixes(rounds: int, workdir: Path) -> None:
    kb = load_knowledge_base()
    store = open_store(f"sqlite:///{workdir / 'bench.db'}")
    config, actor = DoctorConfig(), Actor("bench")
    with KubeEmulator() as kube:
        kube.add(b.deployment("checkout", "shop", replicas=3))
        api = connect(context=None, timeout=5, kubeconfig=kube.write_kubeconfig(workdir / "kubeconfig"))
        timings: dict[str, list[float]] = {"fix": [], "undo": []}
        shapes: dict[str, str] = {}
        for _ in range(rounds):
            for step in ("fix", "undo"):
                kube.reset_requests()
                start = time.perf_counter()
                if step == "fix":
                    plan = prepare_fix(kb=kb, api=api, workload=CHECKOUT, entry_id=ENTRY)
                    result = apply_fix(store=store, api=api, config=config, plan=plan, actor=actor, cluster="e")
                    action_id = result.action_id
                else:
                    preview = prepare_undo(store=store, kb=kb, api=api, action_id=action_id)
                    result = apply_undo(store=store, api=api, config=config, preview=preview, actor=actor)
                timings[step].append(time.perf_counter() - start)
                assert result.status == "applied", result.message
                shapes[step] = _requests(kube)
        for step, values in timings.items():
            print(f"{step:<5} median {statistics.median(values) * 1000:6.1f} ms  requests: {shapes[step]}")
        # A conflict: someone changes the template between preview and apply.
        plan = prepare_fix(kb=kb, api=api, workload=CHECKOUT, entry_id=ENTRY)
        deploy = kube.get_object("deployments", "shop", "checkout")
        deploy["spec"]["template"]["metadata"].setdefault("annotations", {})["team"] = "payments"
        kube.add(deploy)
        kube.reset_requests()
        apply_fix(store=store, api=api, config=config, plan=plan, actor=actor, cluster="e")
        print(f"fix after a conflicting change  requests: {_requests(kube)}")
    store.dispose()


def drafts(sizes: list[int], workdir: Path) -> None:
    kb = load_knowledge_base()
    store = open_store(f"sqlite:///{workdir / 'bench.db'}")
    for size in sizes:
        with KubeEmulator() as kube:
            deploy = b.deployment("api", "shop", replicas=size)
            kube.add(deploy)
            kube.add_many(b.pod(f"api-{i}", "shop", owner=deploy) for i in range(size))
            api = connect(context=None, timeout=30, kubeconfig=kube.write_kubeconfig(workdir / f"kc-{size}"))
            kube.reset_requests()
            start = time.perf_counter()
            draft, _record, _notes = draft_ticket(
                store=store,
                api=api,
                kb=kb,
                cluster_config=ClusterConfig(name=f"c{size}"),
                quota_type="pods-per-cluster",
                requested=None,
                contact="bench",
                actor="bench",
                warn_ratio=0.8,
            )
            elapsed = time.perf_counter() - start
            assert draft.usage == size
            print(f"quota draft, {size:>6} pods: {elapsed * 1000:7.1f} ms  requests: {len(kube.requests)}")
    store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--pods", default="200,2000,20000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fixes(args.rounds, Path(tmp))
        drafts([int(n) for n in args.pods.split(",")], Path(tmp))


if __name__ == "__main__":
    main()
